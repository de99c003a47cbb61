package models

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/pressly/goose/v3"
	"gorm.io/driver/postgres"
	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	// The pure-Go SQLite driver, registered as "sqlite". Temporal's SQLite
	// persistence links the same one; a second driver of that name panics.
	_ "modernc.org/sqlite"
)

//go:embed migrations
var migrations embed.FS

// ErrNotFound is returned by the query functions when nothing matches.
var ErrNotFound = errors.New("not found")

// Open connects to the database named by url: a postgres:// or
// postgresql:// URL, or a path to a SQLite file (optionally prefixed with
// "sqlite:").
func Open(ctx context.Context, url string) (*gorm.DB, error) {
	cfg := &gorm.Config{
		Logger:  logger.Discard,
		NowFunc: func() time.Time { return time.Now().UTC().Truncate(time.Microsecond) },
		// Every write we make is already inside an explicit transaction
		// where it matters; the default per-statement transaction only costs.
		SkipDefaultTransaction: true,
	}
	var dialector gorm.Dialector
	if IsPostgres(url) {
		// pgx keeps its own cache of prepared statements per connection.
		dialector = postgres.Open(url)
	} else {
		sqlDB, err := sql.Open("sqlite", sqliteDSN(url))
		if err != nil {
			return nil, fmt.Errorf("open database: %w", err)
		}
		dialector = sqlite.New(sqlite.Config{DriverName: "sqlite", Conn: newStmtCache(sqlDB, 256)})
	}
	db, err := gorm.Open(dialector, cfg)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	if !IsPostgres(url) {
		// SQLite allows one writer at a time; one connection avoids
		// "database is locked" under concurrent writes.
		sqlDB.SetMaxOpenConns(1)
	} else {
		sqlDB.SetMaxOpenConns(20)
		sqlDB.SetMaxIdleConns(10)
		sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	}
	if err := sqlDB.PingContext(ctx); err != nil {
		_ = sqlDB.Close()
		return nil, fmt.Errorf("connect to database: %w", err)
	}
	return db, nil
}

// IsPostgres tells whether url names a PostgreSQL database.
func IsPostgres(url string) bool {
	return strings.HasPrefix(url, "postgres://") || strings.HasPrefix(url, "postgresql://")
}

func sqliteDSN(path string) string {
	path = strings.TrimPrefix(path, "sqlite:")
	q := url.Values{}
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Set("_time_format", "sqlite")
	return "file:" + path + "?" + q.Encode()
}

// Close closes the database's connections.
func Close(db *gorm.DB) error {
	sqlDB, err := db.DB()
	if err != nil {
		return err
	}
	return sqlDB.Close()
}

// Migrate brings the schema up to date. Migrations are forward-only SQL
// files under migrations/<dialect>, applied in order and recorded in
// goose_db_version; running it again applies nothing.
func Migrate(ctx context.Context, db *gorm.DB, log *slog.Logger) error {
	return MigrateTo(ctx, db, log, 0)
}

// MigrateTo applies the migrations up to version (0: all), so a test can
// set up the schema an older kizdesk left and see a migration carry its
// data over.
func MigrateTo(ctx context.Context, db *gorm.DB, log *slog.Logger, version int64) error {
	sqlDB, err := db.DB()
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	dialect, dir := goose.DialectSQLite3, "migrations/sqlite"
	if db.Dialector.Name() == "postgres" {
		dialect, dir = goose.DialectPostgres, "migrations/postgres"
	}
	fsys, err := fs.Sub(migrations, dir)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	p, err := goose.NewProvider(dialect, sqlDB, fsys)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	var results []*goose.MigrationResult
	if version == 0 {
		results, err = p.Up(ctx)
	} else {
		results, err = p.UpTo(ctx, version)
	}
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	for _, r := range results {
		log.Info("applied migration", "version", r.Source.Version, "file", r.Source.Path, "took", r.Duration)
	}
	return nil
}
