package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"
	"gorm.io/gorm"

	"github.com/kiz-ulm/kizdesk/models"
	"github.com/kiz-ulm/kizdesk/ticket"
)

// The commands here set up a new production installation from the shell:
// the first tenant and admin, and API tokens for integrations. Everything
// after that is done in the web interface.

const minPasswordLength = 10

// runAddAgent: kizdesk add-agent --login L --name N --email E --role R [--tenant kiz]
// The password comes from $KIZDESK_AGENT_PASSWORD or the first line of
// standard input, never from a flag (flags end up in shell histories).
func runAddAgent(ctx context.Context, v values, log *slog.Logger, stdout io.Writer, args []string, stdin io.Reader) error {
	fs := flag.NewFlagSet("kizdesk add-agent", flag.ContinueOnError)
	login := fs.String("login", "", "the agent's login (required)")
	name := fs.String("name", "", "the agent's full name (required)")
	email := fs.String("email", "", "the agent's e-mail address (required)")
	role := fs.String("role", models.AdminRole, "the agent's role in the tenant: admin, 1st level, \"2nd level: <queue>\", a team queue's name, or one made in the admin interface")
	tenant := fs.String("tenant", "kiz", "the tenant's short name; created if it does not exist")
	tenantName := fs.String("tenant-name", "", "the tenant's full name, when it is created (default: its short name)")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: kizdesk add-agent --login L --name N --email E [--role R] [--tenant T]\n\nAdds an agent who logs in with a password read from $KIZDESK_AGENT_PASSWORD or the first line of standard input.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	var problems []string
	for flagName, val := range map[string]string{"login": *login, "name": *name, "email": *email} {
		if strings.TrimSpace(val) == "" {
			problems = append(problems, "--"+flagName+" is required")
		}
	}
	if strings.TrimSpace(*role) == "" {
		problems = append(problems, "--role is required")
	}
	if len(problems) > 0 {
		slices.Sort(problems)
		return errors.New(strings.Join(problems, "; "))
	}
	password, err := readPassword(stdin)
	if err != nil {
		return err
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	if err != nil {
		return fmt.Errorf("hash password: %w", err)
	}
	db, err := openProductionDB(ctx, v, log)
	if err != nil {
		return err
	}
	defer models.Close(db)
	if *tenantName == "" {
		*tenantName = *tenant
	}
	t, err := models.EnsureTenant(ctx, db, *tenant, *tenantName)
	if err != nil {
		return err
	}
	r, err := models.RoleByName(ctx, db, t.ID, strings.TrimSpace(*role))
	if err != nil {
		return fmt.Errorf("--role %q: no such role in tenant %s", *role, t.Slug)
	}
	a := models.Agent{TenantID: t.ID, Login: strings.TrimSpace(*login), Name: strings.TrimSpace(*name),
		Email: strings.TrimSpace(*email), PasswordHash: string(hash), Active: true}
	if err := models.CreateAgent(ctx, db, &a); err != nil {
		return err
	}
	if err := models.GrantRole(ctx, db, a.ID, r.ID, models.RoleManual, time.Now()); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "agent %s (%s, %s) added to tenant %s\n", a.Login, a.Name, r.Name, t.Slug)
	return nil
}

func readPassword(stdin io.Reader) (string, error) {
	p, ok := os.LookupEnv("KIZDESK_AGENT_PASSWORD")
	if !ok {
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return "", fmt.Errorf("read password from standard input: %w", err)
		}
		p = strings.TrimRight(line, "\r\n")
	}
	if len(p) < minPasswordLength {
		return "", fmt.Errorf("the password must have at least %d characters (from $KIZDESK_AGENT_PASSWORD or standard input)", minPasswordLength)
	}
	return p, nil
}

// runAddToken: kizdesk add-token --login L [--name N] prints a new API
// token for the agent. Only its hash is stored: it is shown this once.
func runAddToken(ctx context.Context, v values, log *slog.Logger, stdout io.Writer, args []string, _ io.Reader) error {
	fs := flag.NewFlagSet("kizdesk add-token", flag.ContinueOnError)
	login := fs.String("login", "", "the agent the API client acts as (required)")
	name := fs.String("name", "api", "what the token is for")
	integration := fs.String("integration", "", "make the token an integration's (e.g. \"mail gateway\"): it posts customers' "+
		"follow-ups naming the sender, and does nothing else; --login names the agent whose tenant it serves")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: kizdesk add-token --login L [--name N | --integration I]\n\nPrints a new API token (Authorization: Bearer …) for the agent, or for an integration in the agent's tenant; it is shown only this once.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *login == "" {
		return errors.New("--login is required")
	}
	db, err := openProductionDB(ctx, v, log)
	if err != nil {
		return err
	}
	defer models.Close(db)
	a, err := models.AgentByLogin(ctx, db, *login)
	if err != nil {
		return err
	}
	if p, bad := ticket.CheckText(*integration, ticket.Line, ticket.MaxTitleLength); bad {
		return fmt.Errorf("--integration: %v", p)
	}
	token := "kzd_" + rand.Text() + rand.Text()
	if *integration != "" {
		err = models.CreateIntegrationToken(ctx, db, a.ID, strings.TrimSpace(*integration), token)
	} else {
		err = models.CreateAPIToken(ctx, db, a.ID, *name, token)
	}
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, token)
	return nil
}

func openProductionDB(ctx context.Context, v values, log *slog.Logger) (*gorm.DB, error) {
	url := v.get("KIZDESK_DATABASE_URL")
	if url == "" {
		return nil, errors.New("KIZDESK_DATABASE_URL is required")
	}
	return openDB(ctx, url, log)
}
