package models_test

import (
	"context"
	"io"
	"log/slog"
	"slices"
	"testing"

	"github.com/kiz-ulm/kizdesk/dbtest"
	"github.com/kiz-ulm/kizdesk/models"
)

// TestMigrationTurnsRolesIntoPermissions: an installation from before
// roles were records (migration 00009) keeps what its agents could do —
// now as the predefined roles with OTRS permissions on the queues' groups.
func TestMigrationTurnsRolesIntoPermissions(t *testing.T) {
	for _, kind := range dbtest.Kinds {
		t.Run(kind, func(t *testing.T) {
			ctx := context.Background()
			db, err := models.Open(ctx, dbtest.URL(t, kind))
			if err != nil {
				t.Fatal(err)
			}
			defer models.Close(db)
			quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
			if err := models.MigrateTo(ctx, db, quiet, 9); err != nil {
				t.Fatal(err)
			}
			exec := func(sql string, args ...any) {
				t.Helper()
				if err := db.Exec(sql, args...).Error; err != nil {
					t.Fatalf("%s: %v", sql, err)
				}
			}
			exec(`INSERT INTO tenants (id, slug, name) VALUES (1, 'kiz', 'kiz'), (2, 'other', 'Other')`)
			exec(`INSERT INTO queues (id, tenant_id, name, level) VALUES
				(1, 1, 'Helpdesk', '1st level'), (2, 1, 'E-Mail & Kalender', '2nd level'), (3, 1, 'Netz & WLAN', '2nd level'),
				(4, 1, 'Team Netzwerk', 'team'), (5, 1, 'Team Druck', 'team'), (6, 2, 'Other Helpdesk', '1st level')`)
			exec(`INSERT INTO agents (id, tenant_id, login, name, email, role, team, password_hash) VALUES
				(1, 1, 'admin', 'A', 'a@x', 'admin', '', '-'), (2, 1, 'helpdesk', 'H', 'h@x', '1st level', '', '-'),
				(3, 1, 'mail', 'M', 'm@x', '2nd level', '', '-'), (4, 1, 'netz', 'N', 'n@x', 'team', 'Team Netzwerk', '-'),
				(5, 2, 'otheradmin', 'O', 'o@x', 'admin', '', '-')`)
			if err := models.Migrate(ctx, db, quiet); err != nil {
				t.Fatal(err)
			}
			perms := func(agent, tenant int64) models.Access {
				t.Helper()
				a, err := models.AgentAccess(ctx, db, tenant, agent)
				if err != nil {
					t.Fatal(err)
				}
				for q := range a.Queues {
					slices.Sort(a.Queues[q])
				}
				return a
			}
			if a := perms(1, 1); !a.Admin || !a.Operator || !slices.Equal(a.Roles, []string{"admin"}) {
				t.Errorf("admin: %+v", a)
			}
			if a := perms(5, 2); !a.Admin || a.Operator {
				t.Errorf("the other tenant's admin: %+v (only the first tenant runs the desk)", a)
			}
			first := perms(2, 1)
			if !slices.Equal(first.Queues[1], []string{"rw"}) || !slices.Equal(first.Queues[2], []string{"move_into"}) ||
				!slices.Equal(first.Queues[4], []string{"move_into"}) || first.Queues[6] != nil {
				t.Errorf("1st level: %+v", first.Queues)
			}
			second := perms(3, 1)
			// Each 2nd-level role moves into the other queues: on its own
			// queue the union is move_into and rw.
			if !slices.Contains(second.Queues[2], "rw") || !slices.Contains(second.Queues[3], "rw") ||
				!slices.Equal(second.Queues[1], []string{"move_into"}) {
				t.Errorf("2nd level (all 2nd-level queues, as before): %+v", second.Queues)
			}
			team := perms(4, 1)
			if !slices.Equal(team.Queues[4], []string{"rw"}) || team.Queues[5] != nil || !slices.Equal(team.Queues[1], []string{"move_into"}) {
				t.Errorf("team: %+v", team.Queues)
			}
		})
	}
}
