package devtemporal

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strings"

	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/log"
	postgresplugin "go.temporal.io/server/common/persistence/sql/sqlplugin/postgresql"
	"go.temporal.io/server/tools/common/schema"
	sqltool "go.temporal.io/server/tools/sql"
)

// postgresShards is the number of history shards of a server on
// PostgreSQL. A database keeps the count it was created with for good, so
// this must never change. More than SQLite's one lets the history service
// write several workflows' updates in parallel, as a real cluster does.
const postgresShards = 4

// The schema directories inside go.temporal.io/server/schema's embedded
// files; the update task reads the versioned steps from there.
const (
	postgresSchema           = "postgresql/v12/temporal"
	postgresVisibilitySchema = "postgresql/v12/visibility"
)

// VisibilitySuffix is appended to the database name of Options.PostgresURL
// to name the visibility database.
const VisibilitySuffix = "_visibility"

// databaseName is what Postgres accepts unquoted, the only kind of name
// the plugin's CREATE DATABASE handles.
var databaseName = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)

// postgresConfigs turns a postgres:// URL into the SQL configs of the
// persistence database (the URL's) and of the visibility database.
func postgresConfigs(rawURL string) (main, visibility *config.SQL, err error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return nil, nil, errors.New("PostgreSQL URL must look like postgres://user:pass@host:5432/temporal?sslmode=disable")
	}
	name := strings.TrimPrefix(u.Path, "/")
	if !databaseName.MatchString(name) || len(name)+len(VisibilitySuffix) > 63 {
		return nil, nil, fmt.Errorf("PostgreSQL URL: database name %q must be lower-case letters, digits and _ (at most %d)", name, 63-len(VisibilitySuffix))
	}
	host, port := u.Hostname(), u.Port()
	if host == "" {
		host = "localhost"
	}
	if port == "" {
		port = "5432"
	}
	attrs := map[string]string{}
	for k, vs := range u.Query() {
		if len(vs) > 0 {
			attrs[k] = vs[0]
		}
	}
	pw, _ := u.User.Password()
	main = &config.SQL{
		// pgx rather than lib/pq: the driver production Temporal uses.
		PluginName:        postgresplugin.PluginNamePGX,
		ConnectAddr:       net.JoinHostPort(host, port),
		ConnectProtocol:   "tcp",
		User:              u.User.Username(),
		Password:          pw,
		DatabaseName:      name,
		ConnectAttributes: attrs,
		// The server opens a pool per service and store; keep them modest
		// so dev plus kizdesk stay far below PostgreSQL's max_connections.
		MaxConns:     10,
		MaxIdleConns: 10,
	}
	v := *main
	v.DatabaseName = name + VisibilitySuffix
	return main, &v, nil
}

// preparePostgres creates the two databases if they are missing and brings
// their schemas to this server version's, with the server's own schema
// files and update steps (what temporal-sql-tool setup-schema and
// update-schema do).
func preparePostgres(main, visibility *config.SQL) error {
	for _, step := range []struct {
		conf   *config.SQL
		schema string
	}{{main, postgresSchema}, {visibility, postgresVisibilitySchema}} {
		if err := createDatabase(*step.conf); err != nil {
			return fmt.Errorf("creating Temporal database %s: %w", step.conf.DatabaseName, err)
		}
		if err := migrate(step.conf, step.schema); err != nil {
			return fmt.Errorf("Temporal schema in database %s: %w", step.conf.DatabaseName, err)
		}
	}
	return nil
}

func createDatabase(conf config.SQL) error {
	name := conf.DatabaseName
	// CREATE DATABASE runs in a database that always exists.
	conf.DatabaseName = "postgres"
	conn, err := sqltool.NewConnection(&conf, log.NewNoopLogger())
	if err != nil {
		return err
	}
	defer conn.Close()
	// The plugin treats "already exists" as success.
	return conn.CreateDatabase(name)
}

func migrate(conf *config.SQL, schemaName string) error {
	conn, err := sqltool.NewConnection(conf, log.NewNoopLogger())
	if err != nil {
		return err
	}
	defer conn.Close()
	// Version 0.0 with no schema file only makes the version tables, and
	// leaves a database that has a version alone; the update then applies
	// every versioned step after the database's version.
	setup := schema.NewSetupSchemaTask(conn, &schema.SetupConfig{InitialVersion: "0.0"}, log.NewNoopLogger())
	if err := setup.Run(); err != nil {
		return err
	}
	update := schema.NewUpdateSchemaTask(conn, &schema.UpdateConfig{DBName: conf.DatabaseName, SchemaName: schemaName}, log.NewNoopLogger())
	return update.Run()
}

// DropPostgres removes the persistence and visibility databases of a server
// started with PostgresURL rawURL, ending their connections first. The
// server must be stopped. For tests, which use a database per run.
func DropPostgres(rawURL string) error {
	main, visibility, err := postgresConfigs(rawURL)
	if err != nil {
		return err
	}
	for _, c := range []*config.SQL{main, visibility} {
		conf := *c
		conf.DatabaseName = "postgres"
		conn, err := sqltool.NewConnection(&conf, log.NewNoopLogger())
		if err != nil {
			return err
		}
		err = conn.Exec("DROP DATABASE IF EXISTS " + c.DatabaseName + " WITH (FORCE)")
		conn.Close()
		if err != nil {
			return fmt.Errorf("dropping %s: %w", c.DatabaseName, err)
		}
	}
	return nil
}
