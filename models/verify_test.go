package models_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/pressly/goose/v3"
	"gorm.io/gorm"

	"github.com/kiz-ulm/kizdesk/activities"
	"github.com/kiz-ulm/kizdesk/dbtest"
	"github.com/kiz-ulm/kizdesk/models"
	"github.com/kiz-ulm/kizdesk/ticket"
)

const appendOnly = "ticket history is append-only"

// history is what buildHistory projected: four tickets of two tenants, one
// of them long enough that VerifyHistory reads it in several batches.
type history struct {
	f       dbtest.Fixture
	keys    models.AuditKeys // the ring the history was written with
	ids     map[string]int64 // ticket number → id
	tickets int
	entries int
}

const (
	ticketA    = "2026112710000013" // 5 entries; 3 and 4 add articles
	ticketLong = "2026112710000021" // 450 entries
	ticketB    = "2026112710000039" // 3 entries
	ticketC    = "2026112710000047" // 4 entries, another tenant
	longLen    = 450
)

// buildHistory projects the tickets through the real projection, as the
// ticket workflows do.
func buildHistory(t *testing.T, db *gorm.DB) history {
	t.Helper()
	ctx := context.Background()
	h := history{f: dbtest.Seed(t, db, "x"), ids: map[string]int64{}, keys: dbtest.AuditKeys(t)}
	f := h.f
	other := models.Tenant{Slug: "uni", Name: "Universität"}
	must(t, db.Create(&other).Error)
	otherQueue := models.Queue{TenantID: other.ID, Name: "Servicedesk", Level: models.LevelFirst}
	must(t, db.Create(&otherQueue).Error)
	otherCustomer := models.Customer{TenantID: other.ID, Login: "erika", Name: "Erika Muster", Email: "e@example.org"}
	must(t, db.Create(&otherCustomer).Error)

	acts := &activities.Activities{DB: db, AuditKey: h.keys.Current()}
	at := time.Date(2026, 11, 27, 8, 30, 0, 123456000, time.UTC)
	agent := ticket.Actor{Kind: "agent", ID: f.Agent.ID, Name: f.Agent.Name}
	project := func(snap ticket.Snapshot, events []ticket.HistoryEvent) {
		t.Helper()
		last := events[len(events)-1]
		snap.CreatedAt, snap.UpdatedAt = at, last.At
		res, err := acts.ProjectTicket(ctx, ticket.ProjectTicketInput{Ticket: snap, Events: events})
		if err != nil {
			t.Fatal(err)
		}
		if res.LastSeq != last.Seq {
			t.Fatalf("ticket %s: LastSeq %d after projecting up to %d", snap.Number, res.LastSeq, last.Seq)
		}
		h.ids[snap.Number] = res.TicketID
	}
	ev := func(seq int, event, field, old, new string, art *ticket.Article) ticket.HistoryEvent {
		return ticket.HistoryEvent{Seq: seq, At: at.Add(time.Duration(seq) * time.Minute), Event: event, Actor: agent,
			Field: field, Old: old, New: new, Article: art}
	}
	kiz := func(number, title string) ticket.Snapshot {
		return ticket.Snapshot{Number: number, TenantID: f.Tenant.ID, Title: title, State: "open", Level: "1st level",
			QueueID: f.Queue.ID, ServiceID: f.Service.ID, TypeID: f.Type.ID, PriorityID: f.Priority.ID,
			CustomerID: f.Customer.ID, Channel: "phone"}
	}

	// Ticket A is projected in two steps, as a workflow does over its life.
	a := kiz(ticketA, "VPN down")
	project(a, []ticket.HistoryEvent{
		ev(1, "NewTicket", "State", "", "new", nil),
		ev(2, "PriorityUpdate", "Priority", "3 normal", "4 high", nil),
		ev(3, "PhoneCallCustomer", "", "", "", &ticket.Article{Kind: "phone note", CustomerVisible: true, Subject: "VPN down", Body: "No tunnel."}),
	})
	a.State, a.ClosedAt = "closed successful", at.Add(5*time.Minute)
	project(a, []ticket.HistoryEvent{
		ev(4, "AddNote", "", "", "", &ticket.Article{Kind: "note", Subject: "Log", Body: "Certificate expired; renewed."}),
		ev(5, "StateUpdate", "State", "open", "closed successful", nil),
	})

	var long []ticket.HistoryEvent
	for seq := 1; seq <= longLen; seq++ {
		var art *ticket.Article
		if seq%50 == 0 {
			art = &ticket.Article{Kind: "note", Subject: fmt.Sprintf("Note %d", seq), Body: fmt.Sprintf("Still looking, day %d.", seq)}
		}
		long = append(long, ev(seq, "AddNote", "", "", "", art))
	}
	project(kiz(ticketLong, "Printer jams"), long)

	project(kiz(ticketB, "Mailbox full"), []ticket.HistoryEvent{
		ev(1, "NewTicket", "State", "", "new", nil),
		ev(2, "EmailCustomer", "", "", "", &ticket.Article{Kind: "email", CustomerVisible: true, Subject: "Quota", Body: "Please raise it."}),
		ev(3, "OwnerUpdate", "Owner", "", f.Agent.Name, nil),
	})

	c := ticket.Snapshot{Number: ticketC, TenantID: other.ID, Title: "WLAN", State: "open", Level: "1st level",
		QueueID: otherQueue.ID, TypeID: f.Type.ID, PriorityID: f.Priority.ID, CustomerID: otherCustomer.ID, Channel: "email"}
	project(c, []ticket.HistoryEvent{
		ev(1, "NewTicket", "State", "", "new", nil),
		ev(2, "EmailCustomer", "", "", "", &ticket.Article{Kind: "email", CustomerVisible: true, Subject: "eduroam", Body: "No connection."}),
		ev(3, "AddNote", "", "", "", &ticket.Article{Kind: "note", Subject: "Profile", Body: "Old profile installed."}),
		ev(4, "StateUpdate", "State", "new", "open", nil),
	})
	h.tickets, h.entries = 4, 5+longLen+3+4
	return h
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func entryAt(t *testing.T, db *gorm.DB, ticketID int64, seq int) models.HistoryEntry {
	t.Helper()
	var e models.HistoryEntry
	must(t, db.Where("ticket_id = ? AND seq = ?", ticketID, seq).Take(&e).Error)
	return e
}

// behindTheBack runs a statement with the append-only triggers out of the
// way, as someone with the tables' owner rights could, and puts them back
// as they were.
func behindTheBack(t *testing.T, db *gorm.DB, stmt string, args ...any) {
	t.Helper()
	err := db.Transaction(func(tx *gorm.DB) error {
		if tx.Dialector.Name() == "postgres" {
			var trigs []struct{ Tbl, Name, Enabled string }
			err := tx.Raw(`SELECT tgrelid::regclass::text AS tbl, tgname AS name, tgenabled::text AS enabled FROM pg_trigger
				WHERE NOT tgisinternal AND tgrelid IN ('ticket_history'::regclass, 'articles'::regclass)`).Scan(&trigs).Error
			if err != nil {
				return err
			}
			if len(trigs) == 0 {
				return fmt.Errorf("no triggers on ticket_history and articles")
			}
			for _, tr := range trigs {
				if err := tx.Exec(fmt.Sprintf("ALTER TABLE %s DISABLE TRIGGER %s", tr.Tbl, tr.Name)).Error; err != nil {
					return err
				}
			}
			if err := tx.Exec(stmt, args...).Error; err != nil {
				return err
			}
			restore := map[string]string{"O": "ENABLE", "A": "ENABLE ALWAYS", "R": "ENABLE REPLICA", "D": "DISABLE"}
			for _, tr := range trigs {
				if err := tx.Exec(fmt.Sprintf("ALTER TABLE %s %s TRIGGER %s", tr.Tbl, restore[tr.Enabled], tr.Name)).Error; err != nil {
					return err
				}
			}
			return nil
		}
		var trigs []struct{ Name, SQL string }
		err := tx.Raw(`SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN ('ticket_history', 'articles')`).
			Scan(&trigs).Error
		if err != nil {
			return err
		}
		if len(trigs) == 0 {
			return fmt.Errorf("no triggers on ticket_history and articles")
		}
		for _, tr := range trigs {
			if err := tx.Exec("DROP TRIGGER " + tr.Name).Error; err != nil {
				return err
			}
		}
		if err := tx.Exec(stmt, args...).Error; err != nil {
			return err
		}
		for _, tr := range trigs {
			if err := tx.Exec(tr.SQL).Error; err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("tamper with %q: %v", stmt, err)
	}
	// The triggers are back.
	if err := db.Exec("UPDATE ticket_history SET event = event").Error; err == nil || !strings.Contains(err.Error(), appendOnly) {
		t.Fatalf("after tampering, the append-only triggers are not back: %v", err)
	}
}

func verify(t *testing.T, db *gorm.DB, keys models.AuditKeys) models.AuditReport {
	t.Helper()
	r, err := models.VerifyHistory(context.Background(), db, keys)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestVerifyHistoryIntact(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		h := buildHistory(t, db)
		r := verify(t, db, h.keys)
		if r.Tickets != h.tickets || r.Entries != h.entries || !r.Intact() {
			t.Errorf("report = %d tickets, %d entries, broken %v; want %d, %d, none", r.Tickets, r.Entries, r.Broken, h.tickets, h.entries)
		}
		// An empty database is intact too.
		if r := verify(t, dbtest.Open(t, db.Dialector.Name()), h.keys); r.Tickets != 0 || r.Entries != 0 || !r.Intact() {
			t.Errorf("empty database: %+v", r)
		}
	})
}

func TestHistoryIsAppendOnly(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		h := buildHistory(t, db)
		a := h.ids[ticketA]
		refused := []string{
			fmt.Sprintf("UPDATE ticket_history SET new_value = '1 very low' WHERE ticket_id = %d AND seq = 2", a),
			fmt.Sprintf("UPDATE ticket_history SET hash = '' WHERE ticket_id = %d", a),
			fmt.Sprintf("DELETE FROM ticket_history WHERE ticket_id = %d AND seq = 5", a),
			"DELETE FROM ticket_history",
			fmt.Sprintf("UPDATE articles SET body = 'Nothing was wrong.' WHERE ticket_id = %d", a),
			fmt.Sprintf("DELETE FROM articles WHERE ticket_id = %d AND seq = 4", a),
		}
		if db.Dialector.Name() == "postgres" {
			refused = append(refused, "TRUNCATE ticket_history", "TRUNCATE articles CASCADE")
		}
		for _, stmt := range refused {
			err := db.Exec(stmt).Error
			if err == nil || !strings.Contains(err.Error(), appendOnly) {
				t.Errorf("%s: %v, want the database to refuse with %q", stmt, err, appendOnly)
			}
		}
		if db.Dialector.Name() == "postgres" {
			// Replica sessions (logical replication, pg_restore's default
			// trick) do not get past them either.
			err := db.Transaction(func(tx *gorm.DB) error {
				if err := tx.Exec("SET LOCAL session_replication_role = replica").Error; err != nil {
					t.Fatal(err)
				}
				return tx.Exec("DELETE FROM ticket_history WHERE ticket_id = ?", a).Error
			})
			if err == nil || !strings.Contains(err.Error(), appendOnly) {
				t.Errorf("DELETE in a replica session: %v", err)
			}
		}
		// Nothing changed, and the projection still appends.
		if r := verify(t, db, h.keys); r.Entries != h.entries || !r.Intact() {
			t.Errorf("after refused changes: %d entries, broken %v", r.Entries, r.Broken)
		}
		at := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
		_, err := (&activities.Activities{DB: db, AuditKey: h.keys.Current()}).ProjectTicket(context.Background(), ticket.ProjectTicketInput{
			Ticket: ticket.Snapshot{Number: ticketA, TenantID: h.f.Tenant.ID, Title: "VPN down", State: "open", Level: "1st level",
				QueueID: h.f.Queue.ID, TypeID: h.f.Type.ID, PriorityID: h.f.Priority.ID, CustomerID: h.f.Customer.ID,
				Channel: "phone", CreatedAt: at, UpdatedAt: at},
			Events: []ticket.HistoryEvent{{Seq: 6, At: at, Event: "StateUpdate", Actor: ticket.Actor{Kind: "customer", ID: h.f.Customer.ID, Name: h.f.Customer.Name},
				Field: "State", Old: "closed successful", New: "open",
				Article: &ticket.Article{Kind: "email", CustomerVisible: true, Subject: "Re: VPN down", Body: "It is down again."}}},
		})
		if err != nil {
			t.Fatalf("append after the triggers: %v", err)
		}
		if r := verify(t, db, h.keys); r.Entries != h.entries+1 || !r.Intact() {
			t.Errorf("after appending: %d entries, broken %v", r.Entries, r.Broken)
		}
	})
}

func TestVerifyHistoryFindsTampering(t *testing.T) {
	type want struct {
		number  string
		seq     int
		missing bool   // the broken entry is gone: no entry id
		reason  string // part of the reason
		entries int    // entries checked, relative to an intact database
	}
	cases := []struct {
		name   string
		tamper func(t *testing.T, db *gorm.DB, h history)
		want   want
	}{
		{"content of entry 2 changed", func(t *testing.T, db *gorm.DB, h history) {
			behindTheBack(t, db, "UPDATE ticket_history SET new_value = ? WHERE ticket_id = ? AND seq = ?", "1 very low", h.ids[ticketA], 2)
		}, want{ticketA, 2, false, "content changed: stored hash", 0}},
		{"article body changed", func(t *testing.T, db *gorm.DB, h history) {
			behindTheBack(t, db, "UPDATE articles SET body = ? WHERE ticket_id = ? AND seq = ?", "Nothing was wrong.", h.ids[ticketA], 4)
		}, want{ticketA, 4, false, "content changed", 0}},
		{"last entry deleted", func(t *testing.T, db *gorm.DB, h history) {
			behindTheBack(t, db, "DELETE FROM ticket_history WHERE ticket_id = ? AND seq = ?", h.ids[ticketA], 5)
		}, want{ticketA, 5, true, "history ends at 4 but the ticket says 5", -1}},
		{"entry in the middle deleted", func(t *testing.T, db *gorm.DB, h history) {
			behindTheBack(t, db, "DELETE FROM ticket_history WHERE ticket_id = ? AND seq = ?", h.ids[ticketB], 2)
		}, want{ticketB, 2, true, "entry 2 missing", -1}},
		{"link broken", func(t *testing.T, db *gorm.DB, h history) {
			other := entryAt(t, db, h.ids[ticketB], 1)
			behindTheBack(t, db, "UPDATE ticket_history SET prev_hash = ? WHERE ticket_id = ? AND seq = ?", other.Hash, h.ids[ticketA], 3)
		}, want{ticketA, 3, false, "previous-hash link broken", 0}},
		{"entry rewritten with a fresh hash", func(t *testing.T, db *gorm.DB, h history) {
			// Whoever also recomputes the entry's own hash still breaks the
			// link of the entry after it.
			e := entryAt(t, db, h.ids[ticketA], 2)
			e.NewValue = "1 very low"
			behindTheBack(t, db, "UPDATE ticket_history SET new_value = ?, hash = ? WHERE id = ?", e.NewValue, models.HistoryHash(h.keys.Current(), e, nil), e.ID)
		}, want{ticketA, 3, false, "previous-hash link broken: it records", 0}},
		{"entry in a later batch changed", func(t *testing.T, db *gorm.DB, h history) {
			behindTheBack(t, db, "UPDATE ticket_history SET actor_name = ? WHERE ticket_id = ? AND seq = ?", "Somebody Else", h.ids[ticketLong], 300)
		}, want{ticketLong, 300, false, "content changed", 0}},
		{"article of the other tenant changed", func(t *testing.T, db *gorm.DB, h history) {
			behindTheBack(t, db, "UPDATE articles SET customer_visible = ? WHERE ticket_id = ? AND seq = ?", false, h.ids[ticketC], 2)
		}, want{ticketC, 2, false, "content changed", 0}},
		// A superuser who rewrites an article and re-hashes the chain from
		// there on, as the unkeyed SHA-256 chain allowed, is found: without
		// the audit key no hash comes out right.
		{"article rewritten, chain re-hashed with plain SHA-256", func(t *testing.T, db *gorm.DB, h history) {
			rewriteAndRehash(t, db, h.ids[ticketA], 4, "Nothing was wrong.", func(e *models.HistoryEntry, a *models.Article) {
				e.Hash = plainHash(*e, a)
			})
		}, want{ticketA, 4, false, "content changed: stored hash", 0}},
		{"article rewritten, chain re-hashed with plain SHA-256 and no key ID", func(t *testing.T, db *gorm.DB, h history) {
			rewriteAndRehash(t, db, h.ids[ticketA], 4, "Nothing was wrong.", func(e *models.HistoryEntry, a *models.Article) {
				e.KeyID, e.Hash = "", plainHash(*e, a)
			})
		}, want{ticketA, 4, false, "not keyed: its hash names no audit key", 0}},
		{"article rewritten, chain re-hashed with a guessed key", func(t *testing.T, db *gorm.DB, h history) {
			guess := dbtest.AuditKeys(t).Current()
			rewriteAndRehash(t, db, h.ids[ticketA], 4, "Nothing was wrong.", func(e *models.HistoryEntry, a *models.Article) {
				e.Hash = models.HistoryHash(guess, *e, a) // under the real key's ID
			})
		}, want{ticketA, 4, false, "content changed: stored hash", 0}},
		{"article rewritten, chain re-hashed with a guessed key under its own ID", func(t *testing.T, db *gorm.DB, h history) {
			guess := dbtest.AuditKeys(t).Current()
			rewriteAndRehash(t, db, h.ids[ticketA], 4, "Nothing was wrong.", func(e *models.HistoryEntry, a *models.Article) {
				e.KeyID, e.Hash = guess.ID, models.HistoryHash(guess, *e, a)
			})
		}, want{ticketA, 4, false, "which is not in the key ring", 0}},
		{"article slipped in", func(t *testing.T, db *gorm.DB, h history) {
			// Inserting is allowed: the projection does it. An article no
			// entry added is covered by no hash, so it must show up.
			must(t, db.Create(&models.Article{TicketID: h.ids[ticketB], Seq: 3, Kind: "note", Author: "Hannes Helpdesk",
				Subject: "Solved", Body: "Customer confirmed.", CreatedAt: time.Now().UTC()}).Error)
		}, want{ticketB, 3, true, "an article with seq 3 that no history entry added", 0}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
				h := buildHistory(t, db)
				if r := verify(t, db, h.keys); !r.Intact() {
					t.Fatalf("broken before tampering: %v", r.Broken)
				}
				var wantID int64
				if !tc.want.missing {
					wantID = entryAt(t, db, h.ids[tc.want.number], tc.want.seq).ID
				}
				tc.tamper(t, db, h)
				r := verify(t, db, h.keys)
				if r.Tickets != h.tickets || r.Entries != h.entries+tc.want.entries {
					t.Errorf("checked %d tickets, %d entries; want %d, %d", r.Tickets, r.Entries, h.tickets, h.entries+tc.want.entries)
				}
				if len(r.Broken) != 1 {
					t.Fatalf("broken chains: %v, want exactly ticket %s", r.Broken, tc.want.number)
				}
				b := r.Broken[0]
				if b.Number != tc.want.number || b.TicketID != h.ids[tc.want.number] || b.Seq != tc.want.seq || b.EntryID != wantID ||
					!strings.Contains(b.Reason, tc.want.reason) {
					t.Errorf("broken chain = %+v\nwant ticket %s, entry %d (id %d), reason containing %q", b, tc.want.number, tc.want.seq, wantID, tc.want.reason)
				}
				t.Log(b)
			})
		})
	}
}

// TestHistoryMigrationDown: the migration's Down section removes the
// triggers, and Up puts them back.
func TestHistoryMigrationDown(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		buildHistory(t, db)
		sqlDB, err := db.DB()
		must(t, err)
		dialect, dir := goose.DialectSQLite3, "migrations/sqlite"
		if db.Dialector.Name() == "postgres" {
			dialect, dir = goose.DialectPostgres, "migrations/postgres"
		}
		p, err := goose.NewProvider(dialect, sqlDB, os.DirFS(dir))
		must(t, err)
		_, err = p.ApplyVersion(ctx, 2, false)
		must(t, err)
		upd := "UPDATE ticket_history SET event = event"
		if err := db.Exec(upd).Error; err != nil {
			t.Errorf("after Down: %v", err)
		}
		_, err = p.ApplyVersion(ctx, 2, true)
		must(t, err)
		if err := db.Exec(upd).Error; err == nil || !strings.Contains(err.Error(), appendOnly) {
			t.Errorf("after Up again: %v", err)
		}
	})
}

// TestVerifyHistoryTicketRowGone: history whose ticket row was deleted
// (past the foreign keys) is reported under the ticket's id.
func TestVerifyHistoryTicketRowGone(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		h := buildHistory(t, db)
		id := h.ids[ticketB]
		first := entryAt(t, db, id, 1)
		var err error
		if db.Dialector.Name() == "postgres" {
			err = db.Transaction(func(tx *gorm.DB) error {
				// Foreign keys are triggers, which replica sessions skip.
				if err := tx.Exec("SET LOCAL session_replication_role = replica").Error; err != nil {
					return err
				}
				return tx.Exec("DELETE FROM tickets WHERE id = ?", id).Error
			})
		} else {
			// One connection: the pragma holds for the next statement.
			must(t, db.Exec("PRAGMA foreign_keys = OFF").Error)
			err = db.Exec("DELETE FROM tickets WHERE id = ?", id).Error
			must(t, db.Exec("PRAGMA foreign_keys = ON").Error)
		}
		must(t, err)
		r := verify(t, db, h.keys)
		if r.Tickets != h.tickets-1 || r.Entries != h.entries {
			t.Errorf("checked %d tickets, %d entries; want %d, %d", r.Tickets, r.Entries, h.tickets-1, h.entries)
		}
		want := models.BrokenChain{TicketID: id, Seq: 1, EntryID: first.ID, Reason: "the ticket row is missing"}
		if len(r.Broken) != 1 || r.Broken[0] != want {
			t.Errorf("broken chains = %+v, want [%+v]", r.Broken, want)
		}
	})
}

// rewriteAndRehash changes the body of the article of entry from, then
// gives entries from on a fresh link and hash as sign makes it, the way a
// database superuser would cover the change.
func rewriteAndRehash(t *testing.T, db *gorm.DB, ticketID int64, from int, body string, sign func(*models.HistoryEntry, *models.Article)) {
	t.Helper()
	behindTheBack(t, db, "UPDATE articles SET body = ? WHERE ticket_id = ? AND seq = ?", body, ticketID, from)
	prev := entryAt(t, db, ticketID, from-1).Hash
	var es []models.HistoryEntry
	must(t, db.Where("ticket_id = ? AND seq >= ?", ticketID, from).Order("seq").Find(&es).Error)
	for _, e := range es {
		var art *models.Article
		if e.ArticleID != nil {
			art = &models.Article{}
			must(t, db.Take(art, *e.ArticleID).Error)
		}
		e.PrevHash = prev
		sign(&e, art)
		behindTheBack(t, db, "UPDATE ticket_history SET prev_hash = ?, key_id = ?, hash = ? WHERE id = ?", e.PrevHash, e.KeyID, e.Hash, e.ID)
		prev = e.Hash
	}
}

// plainHash is the unkeyed SHA-256 the chain had before it was keyed:
// anybody can compute it.
func plainHash(h models.HistoryEntry, a *models.Article) string {
	type article struct {
		Kind            string
		CustomerVisible bool
		Author          string
		Subject         string
		Body            string
	}
	content := struct {
		TicketID  int64
		Seq       int
		Event     string
		ActorKind string
		ActorID   int64
		ActorName string
		Field     string
		Old       string
		New       string
		At        string
		PrevHash  string
		Article   *article `json:",omitempty"`
	}{h.TicketID, h.Seq, h.Event, h.ActorKind, h.ActorID, h.ActorName, h.Field, h.OldValue, h.NewValue,
		h.CreatedAt.UTC().Format(time.RFC3339Nano), h.PrevHash, nil}
	if a != nil {
		content.Article = &article{a.Kind, a.CustomerVisible, a.Author, a.Subject, a.Body}
	}
	b, _ := json.Marshal(content)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// TestVerifyHistoryKeyRotation: after a new key becomes current, entries
// under the old one still verify as long as it stays in the ring; without
// it, they are named.
func TestVerifyHistoryKeyRotation(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		h := buildHistory(t, db)
		old := h.keys.Current()
		rotated := append(dbtest.AuditKeys(t), old) // the new key first: it writes
		at := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
		_, err := (&activities.Activities{DB: db, AuditKey: rotated.Current()}).ProjectTicket(context.Background(), ticket.ProjectTicketInput{
			Ticket: ticket.Snapshot{Number: ticketA, TenantID: h.f.Tenant.ID, Title: "VPN down", State: "open", Level: "1st level",
				QueueID: h.f.Queue.ID, TypeID: h.f.Type.ID, PriorityID: h.f.Priority.ID, CustomerID: h.f.Customer.ID,
				Channel: "phone", CreatedAt: at, UpdatedAt: at},
			Events: []ticket.HistoryEvent{{Seq: 6, At: at, Event: "AddNote", Actor: ticket.Actor{Kind: "agent", ID: h.f.Agent.ID, Name: h.f.Agent.Name},
				Article: &ticket.Article{Kind: "note", Subject: "Rotated", Body: "Written under the new key."}}},
		})
		must(t, err)
		if e := entryAt(t, db, h.ids[ticketA], 6); e.KeyID != rotated.Current().ID || e.KeyID == old.ID {
			t.Errorf("entry 6 written under key %q, want the new current key %q", e.KeyID, rotated.Current().ID)
		}
		if r := verify(t, db, rotated); r.Entries != h.entries+1 || !r.Intact() {
			t.Errorf("with both keys in the ring: %d entries, broken %v", r.Entries, r.Broken)
		}
		// The old key dropped from the ring: every ticket is named at its
		// first entry, and the entry under the new key is not what breaks.
		r := verify(t, db, rotated[:1])
		if len(r.Broken) != h.tickets {
			t.Fatalf("without the old key: broken %v, want all %d tickets", r.Broken, h.tickets)
		}
		for _, b := range r.Broken {
			if b.Seq != 1 || !strings.Contains(b.Reason, "hashed with audit key "+old.ID+", which is not in the key ring") {
				t.Errorf("without the old key: %v", b)
			}
		}
	})
}
