// Package dbtest gives tests a fresh, migrated database: SQLite always, and
// PostgreSQL when KIZDESK_TEST_DATABASE_URL names one. With
// KIZDESK_TEST_STRICT=1 a missing PostgreSQL fails the test instead of
// skipping it, so CI cannot pass without having run it.
package dbtest

import (
	"context"
	"crypto/rand"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/kiz-ulm/kizdesk/models"
)

// Kinds are the databases tests run against.
var Kinds = []string{"sqlite", "postgres"}

// Strict reports whether missing test dependencies must fail tests.
func Strict() bool { return os.Getenv("KIZDESK_TEST_STRICT") == "1" }

// Each runs fn once per database kind, as subtests named after the kind.
func Each(t *testing.T, fn func(t *testing.T, db *gorm.DB)) {
	for _, kind := range Kinds {
		t.Run(kind, func(t *testing.T) { fn(t, Open(t, kind)) })
	}
}

// URL returns a database URL for a fresh, empty database of kind that is
// removed when the test ends. For PostgreSQL it is a new schema in the
// database of KIZDESK_TEST_DATABASE_URL.
func URL(t testing.TB, kind string) string {
	t.Helper()
	if kind == "sqlite" {
		return filepath.Join(t.TempDir(), "kizdesk.db")
	}
	base := os.Getenv("KIZDESK_TEST_DATABASE_URL")
	if base == "" {
		msg := "PostgreSQL: KIZDESK_TEST_DATABASE_URL is not set (e.g. postgres://postgres@127.0.0.1:5432/kizdesk_test?sslmode=disable)"
		if Strict() {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	ctx := context.Background()
	admin, err := models.Open(ctx, base)
	if err != nil {
		if Strict() {
			t.Fatalf("PostgreSQL: %v", err)
		}
		t.Skipf("PostgreSQL not reachable: %v", err)
	}
	schema := "test_" + strings.ToLower(rand.Text()[:12])
	if err := admin.Exec("CREATE SCHEMA " + schema).Error; err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		admin.Exec("DROP SCHEMA " + schema + " CASCADE")
		models.Close(admin)
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("KIZDESK_TEST_DATABASE_URL: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Open returns a fresh, migrated database of kind, closed when the test ends.
func Open(t testing.TB, kind string) *gorm.DB {
	t.Helper()
	u := URL(t, kind)
	ctx := context.Background()
	db, err := models.Open(ctx, u)
	if err != nil {
		t.Fatalf("open %s: %v", kind, err)
	}
	t.Cleanup(func() { models.Close(db) })
	if err := models.Migrate(ctx, db, slog.New(slog.NewTextHandler(io.Discard, nil))); err != nil {
		t.Fatalf("migrate %s: %v", kind, err)
	}
	return db
}

// Fixture is a minimal tenant with one of everything a ticket refers to.
type Fixture struct {
	Tenant   models.Tenant
	Queue    models.Queue
	Service  models.Service
	Type     models.TicketType
	Priority models.Priority
	Agent    models.Agent
	Customer models.Customer
}

// Seed creates a Fixture; passwordHash is stored for the agent as given.
func Seed(t testing.TB, db *gorm.DB, passwordHash string) Fixture {
	t.Helper()
	var f Fixture
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("seed: %v", err)
		}
	}
	f.Tenant = models.Tenant{Slug: "kiz", Name: "kiz", Operator: true}
	must(db.Create(&f.Tenant).Error)
	f.Queue = models.Queue{TenantID: f.Tenant.ID, Name: "Helpdesk", Level: models.LevelFirst}
	must(db.Create(&f.Queue).Error)
	f.Service = models.Service{TenantID: f.Tenant.ID, Name: "Netz & WLAN::VPN", QueueID: f.Queue.ID}
	must(db.Create(&f.Service).Error)
	f.Type = models.TicketType{Name: "Incident"}
	must(db.Create(&f.Type).Error)
	f.Priority = models.Priority{Name: "3 normal", Rank: 3}
	must(db.Create(&f.Priority).Error)
	f.Agent = models.Agent{TenantID: f.Tenant.ID, Login: "helpdesk", Name: "Hannes Helpdesk", Email: "h@example.org",
		PasswordHash: passwordHash, Active: true}
	must(db.Create(&f.Agent).Error)
	roles, err := models.PredefinedRoles(context.Background(), db, f.Tenant.ID)
	must(err)
	must(db.Create(&models.AgentRole{AgentID: f.Agent.ID, RoleID: roles["1st level"].ID, Source: models.RoleManual}).Error)
	f.Customer = models.Customer{TenantID: f.Tenant.ID, Login: "mmuster", Name: "Max Mustermann", Email: "m@example.org"}
	must(db.Create(&f.Customer).Error)
	return f
}

// AuditKeys returns a ring of one fresh random audit key, as the worker
// would have from KIZDESK_AUDIT_KEY.
func AuditKeys(t testing.TB) models.AuditKeys {
	t.Helper()
	k, err := models.NewAuditKey([]byte(rand.Text() + rand.Text()))
	if err != nil {
		t.Fatal(err)
	}
	return models.AuditKeys{k}
}

// Grant gives an agent a role of its tenant by name ("admin", "1st level",
// a role PredefinedRoles made).
func Grant(t testing.TB, db *gorm.DB, a models.Agent, role string) {
	t.Helper()
	r, err := models.RoleByName(context.Background(), db, a.TenantID, role)
	if err != nil {
		t.Fatalf("grant %s to %s: %v", role, a.Login, err)
	}
	if err := db.Create(&models.AgentRole{AgentID: a.ID, RoleID: r.ID, Source: models.RoleManual}).Error; err != nil {
		t.Fatalf("grant %s to %s: %v", role, a.Login, err)
	}
}
