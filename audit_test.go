package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/kiz-ulm/kizdesk/activities"
	"github.com/kiz-ulm/kizdesk/dbtest"
	"github.com/kiz-ulm/kizdesk/models"
	"github.com/kiz-ulm/kizdesk/ticket"
)

// TestAuditVerify runs `kizdesk audit checkpoint` and `kizdesk audit
// verify` against a database whose history the real projection wrote,
// before and after a superuser changed it behind the application's back:
// an article rewritten and the chain re-hashed without the key, a tail cut,
// a ticket deleted, a checkpoint forged.
func TestAuditVerify(t *testing.T) {
	for _, kind := range dbtest.Kinds {
		t.Run(kind, func(t *testing.T) { testAuditVerify(t, kind) })
	}
}

const (
	auditA = "2026112710000013"
	auditB = "2026112710000021"
	auditC = "2026112710000039"
)

func testAuditVerify(t *testing.T, kind string) {
	ctx := t.Context()
	url := dbtest.URL(t, kind)
	dir := t.TempDir()
	t.Setenv("KIZDESK_LOG_LEVEL", "error")
	t.Setenv("KIZDESK_AUDIT_KEY_FILE", "")
	t.Setenv("KIZDESK_AUDIT_DIR", "")
	oldKey, key := randomKey(t), randomKey(t)
	t.Setenv("KIZDESK_AUDIT_KEY", oldKey)
	kizdesk := func(args ...string) (string, error) {
		var out, errw bytes.Buffer
		err := run(ctx, args, nil, &out, &errw)
		return out.String(), err
	}
	// The command migrates, as every command that opens the database does.
	out, err := kizdesk("audit", "verify", "--database-url", url)
	if err != nil || out != "audit: 0 tickets, 0 history entries, every chain intact\n"+
		"audit: no checkpoints to compare with (KIZDESK_AUDIT_DIR is not set): a cut tail or a deleted ticket would go unseen\n" {
		t.Fatalf("audit of an empty database: %v\n%s", err, out)
	}

	db, err := models.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer models.Close(db)
	f := dbtest.Seed(t, db, "x")
	keys, err := models.ParseAuditKeys(key + "," + oldKey)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 27, 8, 30, 0, 0, time.UTC)
	agent := ticket.Actor{Kind: "agent", ID: f.Agent.ID, Name: f.Agent.Name}
	ids := map[string]int64{}
	for i, number := range []string{auditA, auditB, auditC} {
		// The last ticket is written after a key rotation.
		acts := &activities.Activities{DB: db, AuditKey: keys[1]}
		if i == 2 {
			acts.AuditKey = keys[0]
		}
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

	// The database URL, the new key ring and the checkpoint directory from
	// the environment this time.
	t.Setenv("KIZDESK_DATABASE_URL", url)
	t.Setenv("KIZDESK_AUDIT_KEY", key+","+oldKey)
	t.Setenv("KIZDESK_AUDIT_DIR", dir)
	out, err = kizdesk("audit", "verify")
	if err != nil || out != "audit: 3 tickets, 9 history entries, every chain intact\n"+
		"audit: no checkpoints in "+dir+" yet (kizdesk audit checkpoint writes one)\n" {
		t.Fatalf("audit of an intact history: %v\n%s", err, out)
	}
	out, err = kizdesk("audit", "checkpoint")
	if err != nil || !strings.HasPrefix(out, "audit: checkpoint of 3 tickets written to "+filepath.Join(dir, "checkpoint-")) {
		t.Fatalf("audit checkpoint: %v\n%s", err, out)
	}
	out, err = kizdesk("audit", "verify")
	if err != nil || !strings.HasSuffix(out, "audit: 1 checkpoint in "+dir+", every ticket as they record it\n") {
		t.Fatalf("audit against the checkpoint: %v\n%s", err, out)
	}
	// Without the key the first two tickets were written with, the audit
	// names them.
	t.Setenv("KIZDESK_AUDIT_KEY", key)
	if out, err = kizdesk("audit", "verify"); err == nil || !strings.Contains(err.Error(), "2 of 3 tickets have broken history chains") ||
		!strings.Contains(out, "ticket "+auditA+": entry 1 (id ") || !strings.Contains(out, "which is not in the key ring") {
		t.Errorf("audit with the old key left out: %v\n%s", err, out)
	}
	t.Setenv("KIZDESK_AUDIT_KEY", key+","+oldKey)

	// The database itself refuses the change...
	stmt := "UPDATE articles SET body = 'All fine.' WHERE ticket_id = ?"
	if err := db.Exec(stmt, ids[auditB]).Error; err == nil || !strings.Contains(err.Error(), "append-only") {
		t.Fatalf("the database let an article be changed: %v", err)
	}
	// ...so a superuser changes it with the triggers out of the way, and
	// re-hashes the chain from there with plain SHA-256, as the unkeyed
	// chain allowed.
	e2 := entryAt(t, db, ids[auditB], 2)
	withoutTriggers(t, db, stmt, ids[auditB])
	rehashPlain(t, db, ids[auditB], 2)
	// Cuts ticket A after entry 1 and lowers its last_seq to match.
	withoutTriggers(t, db, "DELETE FROM ticket_history WHERE ticket_id = ? AND seq > 1", ids[auditA])
	withoutTriggers(t, db, "DELETE FROM articles WHERE ticket_id = ? AND seq > 1", ids[auditA])
	if err := db.Exec("UPDATE tickets SET last_seq = 1 WHERE id = ?", ids[auditA]).Error; err != nil {
		t.Fatal(err)
	}
	// Deletes ticket C with all it has.
	withoutTriggers(t, db, "DELETE FROM ticket_history WHERE ticket_id = ?", ids[auditC])
	withoutTriggers(t, db, "DELETE FROM articles WHERE ticket_id = ?", ids[auditC])
	if err := db.Exec("DELETE FROM tickets WHERE id = ?", ids[auditC]).Error; err != nil {
		t.Fatal(err)
	}
	// And forges a checkpoint that records ticket A with one entry.
	files, _ := filepath.Glob(filepath.Join(dir, "checkpoint-*.json"))
	if len(files) != 1 {
		t.Fatalf("checkpoint files: %v", files)
	}
	real, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	forged := bytes.Replace(real, []byte(`"number":"`+auditA+`","seq":3`), []byte(`"number":"`+auditA+`","seq":1`), 1)
	forgedPath := filepath.Join(dir, "checkpoint-29991231T000000.000000000Z.json")
	if err := os.WriteFile(forgedPath, forged, 0o600); err != nil {
		t.Fatal(err)
	}

	out, err = kizdesk("audit", "verify")
	wantErr := "audit: 1 of 2 tickets has a broken history chain (4 history entries checked); 1 of 2 checkpoints tampered; " +
		"3 findings against the checkpoints"
	if err == nil || err.Error() != wantErr {
		t.Errorf("audit after tampering: error %v\nwant %s", err, wantErr)
	}
	cp := filepath.Base(files[0])
	for _, want := range []string{
		fmt.Sprintf("ticket %s: entry 2 (id %d): content changed: stored hash", auditB, e2.ID),
		"checkpoint " + forgedPath + ": tampered: its signature does not match its content: forged or changed",
		"ticket " + auditA + ": tail cut: its history ends at entry 1, but " + cp + " records it up to entry 3",
		"ticket " + auditB + ": rewritten: entry 3 has hash ",
		"ticket " + auditC + ": deleted: the database has no such ticket, but " + cp + " records it (tenant ",
	} {
		if !strings.Contains(out, "\n"+want) && !strings.HasPrefix(out, want) {
			t.Errorf("audit output lacks %q:\n%s", want, out)
		}
	}
	t.Log("\n" + out)
}

// randomKey is a fresh audit key, base64 as in KIZDESK_AUDIT_KEY.
func randomKey(t *testing.T) string {
	t.Helper()
	b := make([]byte, 32)
	rand.Read(b)
	return base64.StdEncoding.EncodeToString(b)
}

func entryAt(t testing.TB, db *gorm.DB, ticketID int64, seq int) models.HistoryEntry {
	t.Helper()
	var e models.HistoryEntry
	if err := db.Where("ticket_id = ? AND seq = ?", ticketID, seq).Take(&e).Error; err != nil {
		t.Fatal(err)
	}
	return e
}

// rehashPlain gives a ticket's entries from seq on fresh links and plain
// SHA-256 hashes over what they store now, keeping their key IDs: what a
// superuser without the key can do to cover a change.
func rehashPlain(t testing.TB, db *gorm.DB, ticketID int64, from int) {
	t.Helper()
	prev := entryAt(t, db, ticketID, from-1).Hash
	var es []models.HistoryEntry
	if err := db.Where("ticket_id = ? AND seq >= ?", ticketID, from).Order("seq").Find(&es).Error; err != nil {
		t.Fatal(err)
	}
	for _, e := range es {
		content := fmt.Sprintf("%d|%d|%s|%s|%s|%s", e.TicketID, e.Seq, e.Event, e.NewValue, prev, e.CreatedAt.UTC())
		if e.ArticleID != nil {
			var a models.Article
			if err := db.Take(&a, *e.ArticleID).Error; err != nil {
				t.Fatal(err)
			}
			content += "|" + a.Body
		}
		sum := sha256.Sum256([]byte(content))
		hash := hex.EncodeToString(sum[:])
		withoutTriggers(t, db, "UPDATE ticket_history SET prev_hash = ?, hash = ? WHERE id = ?", prev, hash, e.ID)
		prev = hash
	}
}

// withoutTriggers runs stmt past the append-only triggers of history and
// articles, as the tables' owner could, and puts the triggers back.
func withoutTriggers(t testing.TB, db *gorm.DB, stmt string, args ...any) {
	t.Helper()
	err := db.Transaction(func(tx *gorm.DB) error {
		var undo []string
		if tx.Dialector.Name() == "postgres" {
			var trigs []struct{ Tbl, Name string }
			if err := tx.Raw(`SELECT tgrelid::regclass::text AS tbl, tgname AS name FROM pg_trigger WHERE NOT tgisinternal
				AND tgrelid IN ('articles'::regclass, 'ticket_history'::regclass)`).Scan(&trigs).Error; err != nil {
				return err
			}
			for _, tr := range trigs {
				if err := tx.Exec("ALTER TABLE " + tr.Tbl + " DISABLE TRIGGER " + tr.Name).Error; err != nil {
					return err
				}
				undo = append(undo, "ALTER TABLE "+tr.Tbl+" ENABLE ALWAYS TRIGGER "+tr.Name)
			}
		} else {
			var trigs []struct{ Name, SQL string }
			if err := tx.Raw(`SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN ('articles', 'ticket_history')`).
				Scan(&trigs).Error; err != nil {
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
			return errors.New("no triggers on articles and ticket_history")
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
	if stderr, err := kizdesk("audit", "verify", "--help"); !strings.Contains(stderr, "--temporal") || !strings.Contains(stderr, "KIZDESK_AUDIT_DIR") {
		t.Errorf("audit verify --help lacks --temporal or KIZDESK_AUDIT_DIR: %v\n%s", err, stderr)
	}
	if stderr, err := kizdesk("audit", "checkpoint", "--help"); !errors.Is(err, flag.ErrHelp) || !strings.Contains(stderr, "KIZDESK_AUDIT_DIR") {
		t.Errorf("audit checkpoint --help: %v\n%s", err, stderr)
	}
	t.Setenv("KIZDESK_DATABASE_URL", "")
	t.Setenv("KIZDESK_AUDIT_KEY_FILE", "")
	t.Setenv("KIZDESK_AUDIT_KEY", "")
	t.Setenv("KIZDESK_AUDIT_DIR", "")
	for _, sub := range []string{"verify", "checkpoint"} {
		if _, err := kizdesk("audit", sub); err == nil || !strings.Contains(err.Error(), "KIZDESK_AUDIT_KEY_FILE or KIZDESK_AUDIT_KEY is required") {
			t.Errorf("audit %s without a key: %v", sub, err)
		}
	}
	t.Setenv("KIZDESK_AUDIT_KEY", randomKey(t))
	if _, err := kizdesk("audit", "verify"); err == nil || !strings.Contains(err.Error(), "KIZDESK_DATABASE_URL") {
		t.Errorf("audit verify without a database: %v", err)
	}
	if _, err := kizdesk("audit", "checkpoint"); err == nil || !strings.Contains(err.Error(), "KIZDESK_AUDIT_DIR is required") {
		t.Errorf("audit checkpoint without a directory: %v", err)
	}
	var out, errw bytes.Buffer
	if err := run(context.Background(), []string{"help"}, nil, &out, &errw); err != nil || !strings.Contains(out.String(), "audit verify") {
		t.Errorf("the command list lacks audit: %v\n%s", err, out.String())
	}
}

// TestAuditKeySettings: the worker does not start without an audit key, a
// bad key is refused with a message that names the setting (never the
// key), and dev makes its own key once and keeps it.
func TestAuditKeySettings(t *testing.T) {
	var out, errw bytes.Buffer
	kizdesk := func(args ...string) error { return run(t.Context(), args, nil, &out, &errw) }
	t.Setenv("KIZDESK_DATABASE_URL", "postgres://x@127.0.0.1:1/x")
	t.Setenv("KIZDESK_AUDIT_KEY_FILE", "")
	t.Setenv("KIZDESK_AUDIT_KEY", "")
	if err := kizdesk("worker"); err == nil || !strings.Contains(err.Error(), "KIZDESK_AUDIT_KEY_FILE or KIZDESK_AUDIT_KEY is required") {
		t.Errorf("worker without an audit key: %v", err)
	}
	short := base64.StdEncoding.EncodeToString([]byte("sixteen byte key"))
	t.Setenv("KIZDESK_AUDIT_KEY", short)
	if err := kizdesk("worker"); err == nil || !strings.Contains(err.Error(), "KIZDESK_AUDIT_KEY: key 1: an audit key must be at least 32 bytes") ||
		strings.Contains(err.Error(), short) {
		t.Errorf("worker with a short audit key: %v", err)
	}
	file := filepath.Join(t.TempDir(), "audit.key")
	if err := os.WriteFile(file, []byte(randomKey(t)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("KIZDESK_AUDIT_KEY_FILE", file)
	if err := kizdesk("worker"); err == nil || !strings.Contains(err.Error(), "not both") {
		t.Errorf("worker with both an audit key and a key file: %v", err)
	}
	t.Setenv("KIZDESK_AUDIT_KEY", "")
	t.Setenv("KIZDESK_AUDIT_CHECKPOINT_INTERVAL", "5s")
	if err := kizdesk("worker"); err == nil || !strings.Contains(err.Error(), "KIZDESK_AUDIT_CHECKPOINT_INTERVAL") {
		t.Errorf("worker with a checkpoint every 5s: %v", err)
	}

	devKey := filepath.Join(t.TempDir(), "audit.key")
	first, err := devAuditKeys(devKey)
	if err != nil {
		t.Fatal(err)
	}
	again, err := devAuditKeys(devKey)
	if err != nil || len(again) != 1 || again.Current().ID != first.Current().ID {
		t.Errorf("dev's key changed between starts: %v, %v", first, again)
	}
	if fi, err := os.Stat(devKey); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("dev's key file: %v, %v", fi.Mode(), err)
	}
}
