package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/kiz-ulm/kizdesk/activities"
	"github.com/kiz-ulm/kizdesk/dbtest"
	"github.com/kiz-ulm/kizdesk/models"
	"github.com/kiz-ulm/kizdesk/ticket"
)

// TestAuditVerify runs `kizdesk audit verify` against a database whose
// history the real projection wrote, before and after someone changed an
// entry behind the application's back.
func TestAuditVerify(t *testing.T) {
	for _, kind := range dbtest.Kinds {
		t.Run(kind, func(t *testing.T) { testAuditVerify(t, kind) })
	}
}

func testAuditVerify(t *testing.T, kind string) {
	ctx := t.Context()
	url := dbtest.URL(t, kind)
	t.Setenv("KIZDESK_LOG_LEVEL", "error")
	kizdesk := func(args ...string) (string, string, error) {
		var out, errw bytes.Buffer
		err := run(ctx, args, nil, &out, &errw)
		return out.String(), errw.String(), err
	}
	// The command migrates, as every command that opens the database does.
	out, _, err := kizdesk("audit", "verify", "--database-url", url)
	if err != nil || out != "audit: 0 tickets, 0 history entries, every chain intact\n" {
		t.Fatalf("audit of an empty database: %v\n%s", err, out)
	}

	db, err := models.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer models.Close(db)
	f := dbtest.Seed(t, db, "x")
	acts := &activities.Activities{DB: db}
	at := time.Date(2026, 11, 27, 8, 30, 0, 0, time.UTC)
	agent := ticket.Actor{Kind: "agent", ID: f.Agent.ID, Name: f.Agent.Name}
	ids := map[string]int64{}
	for _, number := range []string{"2026112710000013", "2026112710000021"} {
		res, err := acts.ProjectTicket(ctx, ticket.ProjectTicketInput{
			Ticket: ticket.Snapshot{Number: number, TenantID: f.Tenant.ID, Title: "VPN down", State: "open", Level: "1st level",
				QueueID: f.Queue.ID, TypeID: f.Type.ID, PriorityID: f.Priority.ID, CustomerID: f.Customer.ID, Channel: "phone",
				CreatedAt: at, UpdatedAt: at},
			Events: []ticket.HistoryEvent{
				{Seq: 1, At: at, Event: "NewTicket", Actor: agent, Field: "State", New: "new"},
				{Seq: 2, At: at, Event: "PhoneCallCustomer", Actor: agent,
					Article: &ticket.Article{Kind: "phone note", CustomerVisible: true, Subject: "VPN down", Body: "No tunnel."}},
				{Seq: 3, At: at.Add(time.Minute), Event: "StateUpdate", Actor: agent, Field: "State", Old: "new", New: "open"},
			},
		})
		if err != nil {
			t.Fatal(err)
		}
		ids[number] = res.TicketID
	}

	// Intact; the database URL from the environment this time.
	t.Setenv("KIZDESK_DATABASE_URL", url)
	out, _, err = kizdesk("audit", "verify")
	if err != nil || out != "audit: 2 tickets, 6 history entries, every chain intact\n" {
		t.Fatalf("audit of an intact history: %v\n%s", err, out)
	}

	// The database itself refuses the change...
	stmt := "UPDATE articles SET body = 'All fine.' WHERE ticket_id = ?"
	if err := db.Exec(stmt, ids["2026112710000021"]).Error; err == nil || !strings.Contains(err.Error(), "append-only") {
		t.Fatalf("the database let an article be changed: %v", err)
	}
	// ...so it is made with the triggers out of the way.
	var entry models.HistoryEntry
	if err := db.Where("ticket_id = ? AND seq = 2", ids["2026112710000021"]).Take(&entry).Error; err != nil {
		t.Fatal(err)
	}
	withoutTriggers(t, db, stmt, ids["2026112710000021"])
	out, _, err = kizdesk("audit", "verify")
	if err == nil || !strings.Contains(err.Error(), "1 of 2 tickets has a broken history chain") {
		t.Errorf("audit of a changed article: error %v, want it to fail naming 1 of 2 tickets", err)
	}
	want := fmt.Sprintf("ticket 2026112710000021: entry 2 (id %d): content changed: stored hash", entry.ID)
	if lines := strings.Split(strings.TrimSpace(out), "\n"); len(lines) != 1 || !strings.HasPrefix(lines[0], want) {
		t.Errorf("audit output:\n%s\nwant one line starting %q", out, want)
	}
}

// withoutTriggers runs stmt past the append-only triggers, as the tables'
// owner could, and puts the triggers back.
func withoutTriggers(t *testing.T, db *gorm.DB, stmt string, args ...any) {
	t.Helper()
	err := db.Transaction(func(tx *gorm.DB) error {
		var undo []string
		if tx.Dialector.Name() == "postgres" {
			var names []string
			if err := tx.Raw(`SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgrelid = 'articles'::regclass`).Scan(&names).Error; err != nil {
				return err
			}
			for _, n := range names {
				if err := tx.Exec("ALTER TABLE articles DISABLE TRIGGER " + n).Error; err != nil {
					return err
				}
				undo = append(undo, "ALTER TABLE articles ENABLE ALWAYS TRIGGER "+n)
			}
		} else {
			var trigs []struct{ Name, SQL string }
			if err := tx.Raw(`SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'articles'`).Scan(&trigs).Error; err != nil {
				return err
			}
			for _, tr := range trigs {
				if err := tx.Exec("DROP TRIGGER " + tr.Name).Error; err != nil {
					return err
				}
				undo = append(undo, tr.SQL)
			}
		}
		if len(undo) == 0 {
			return errors.New("no triggers on articles")
		}
		if err := tx.Exec(stmt, args...).Error; err != nil {
			return err
		}
		for _, u := range undo {
			if err := tx.Exec(u).Error; err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("%s: %v", stmt, err)
	}
}

func TestAuditUsage(t *testing.T) {
	kizdesk := func(args ...string) (string, error) {
		var out, errw bytes.Buffer
		err := run(context.Background(), args, nil, &out, &errw)
		return errw.String(), err
	}
	if stderr, err := kizdesk("audit", "--help"); !errors.Is(err, flag.ErrHelp) || !strings.Contains(stderr, "verify") {
		t.Errorf("audit --help: %v\n%s", err, stderr)
	}
	if stderr, err := kizdesk("audit", "verify", "--help"); !errors.Is(err, flag.ErrHelp) ||
		!strings.Contains(stderr, "--database-url") || !strings.Contains(stderr, "KIZDESK_DATABASE_URL") {
		t.Errorf("audit verify --help: %v\n%s", err, stderr)
	}
	if stderr, err := kizdesk("audit"); err == nil || !strings.Contains(stderr, "usage: kizdesk audit") {
		t.Errorf("audit without a subcommand: %v\n%s", err, stderr)
	}
	if stderr, err := kizdesk("audit", "frobnicate"); err == nil || !strings.Contains(err.Error(), `unknown subcommand "frobnicate"`) ||
		!strings.Contains(stderr, "usage: kizdesk audit") {
		t.Errorf("audit frobnicate: %v\n%s", err, stderr)
	}
	if _, err := kizdesk("audit", "verify", "extra"); err == nil || !strings.Contains(err.Error(), "unexpected arguments") {
		t.Errorf("audit verify extra: %v", err)
	}
	t.Setenv("KIZDESK_DATABASE_URL", "")
	if _, err := kizdesk("audit", "verify"); err == nil || !strings.Contains(err.Error(), "KIZDESK_DATABASE_URL") {
		t.Errorf("audit verify without a database: %v", err)
	}
	var out, errw bytes.Buffer
	if err := run(context.Background(), []string{"help"}, nil, &out, &errw); err != nil || !strings.Contains(out.String(), "audit verify") {
		t.Errorf("the command list lacks audit: %v\n%s", err, out.String())
	}
}
