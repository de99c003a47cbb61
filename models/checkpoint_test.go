package models_test

import (
	"bytes"
	"context"
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

// checkpoint writes a checkpoint of db to dir at, keeping 10 files.
func checkpoint(t *testing.T, db *gorm.DB, dir string, keys models.AuditKeys, at time.Time) models.CheckpointWritten {
	t.Helper()
	w, err := models.WriteCheckpoint(context.Background(), db, dir, keys, 10, at)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// againstCheckpoints reads every checkpoint in dir and checks db against them.
func againstCheckpoints(t *testing.T, db *gorm.DB, dir string, keys models.AuditKeys) (models.Checkpoints, []models.AnchorFinding) {
	t.Helper()
	cps, err := models.ReadCheckpoints(dir, keys)
	if err != nil {
		t.Fatal(err)
	}
	fs, err := models.CheckAnchors(context.Background(), db, cps.Anchors)
	if err != nil {
		t.Fatal(err)
	}
	return cps, fs
}

// deleteTicket removes a ticket with all its rows, past triggers and
// foreign keys, as a superuser could.
func deleteTicket(t *testing.T, db *gorm.DB, id int64) {
	t.Helper()
	for _, table := range []string{"notifications", "ticket_watchers", "ticket_history", "articles"} {
		behindTheBack(t, db, "DELETE FROM "+table+" WHERE ticket_id = ?", id)
	}
	must(t, db.Exec("DELETE FROM tickets WHERE id = ?", id).Error)
}

// cutTail removes a ticket's entries after seq and lowers its last_seq to
// match, so that the chain that is left is intact.
func cutTail(t *testing.T, db *gorm.DB, id int64, seq int) {
	t.Helper()
	behindTheBack(t, db, "DELETE FROM ticket_history WHERE ticket_id = ? AND seq > ?", id, seq)
	behindTheBack(t, db, "DELETE FROM articles WHERE ticket_id = ? AND seq > ?", id, seq)
	must(t, db.Exec("UPDATE tickets SET last_seq = ? WHERE id = ?", seq, id).Error)
}

// TestCheckpointsFindTampering: what the keyed chain alone cannot show — a
// cut tail, a deleted ticket, an entry rewritten by someone who holds the
// key — a checkpoint written before names.
func TestCheckpointsFindTampering(t *testing.T) {
	at := time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)
	cases := []struct {
		name   string
		tamper func(t *testing.T, db *gorm.DB, h history)
		number string
		kind   models.Tampering
		says   string
	}{
		{"tail cut", func(t *testing.T, db *gorm.DB, h history) {
			cutTail(t, db, h.ids[ticketA], 3)
		}, ticketA, models.TailCut, "its history ends at entry 3, but checkpoint-20261128T100000.000000000Z.json records it up to entry 5"},
		{"ticket deleted", func(t *testing.T, db *gorm.DB, h history) {
			deleteTicket(t, db, h.ids[ticketB])
		}, ticketB, models.TicketDeleted, "the database has no such ticket, but checkpoint-20261128T100000.000000000Z.json records it"},
		{"last entry rewritten with the key", func(t *testing.T, db *gorm.DB, h history) {
			e := entryAt(t, db, h.ids[ticketC], 4)
			e.NewValue = "closed successful"
			behindTheBack(t, db, "UPDATE ticket_history SET new_value = ?, hash = ? WHERE id = ?",
				e.NewValue, models.HistoryHash(h.keys.Current(), e, nil), e.ID)
		}, ticketC, models.Rewritten, "entry 4 has hash"},
		{"ticket moved to another tenant", func(t *testing.T, db *gorm.DB, h history) {
			must(t, db.Exec("UPDATE tickets SET tenant_id = ? WHERE id = ?", h.f.Tenant.ID, h.ids[ticketC]).Error)
		}, ticketC, models.Rewritten, "it belongs to tenant"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
				h := buildHistory(t, db)
				dir := t.TempDir()
				if w := checkpoint(t, db, dir, h.keys, at); w.Tickets != h.tickets || len(w.Carried) != 0 {
					t.Fatalf("checkpoint = %+v", w)
				}
				if cps, fs := againstCheckpoints(t, db, dir, h.keys); cps.Files != 1 || len(cps.Anchors) != h.tickets || len(cps.Bad) != 0 || len(fs) != 0 {
					t.Fatalf("before tampering: %+v, findings %v", cps, fs)
				}
				tc.tamper(t, db, h)
				// The chain that is left checks out ...
				if r := verify(t, db, h.keys); !r.Intact() {
					t.Fatalf("the chain alone already shows it: %v", r.Broken)
				}
				// ... but not against the checkpoint.
				_, fs := againstCheckpoints(t, db, dir, h.keys)
				if len(fs) != 1 || fs[0].Kind != tc.kind || fs[0].Anchor.Number != tc.number || !strings.Contains(fs[0].String(), tc.says) {
					t.Fatalf("findings = %v\nwant ticket %s %s: …%s…", fs, tc.number, tc.kind, tc.says)
				}
				t.Log(fs[0])

				// The next checkpoint carries the ticket over as recorded,
				// so the finding outlives the first checkpoint's file.
				w, err := models.WriteCheckpoint(context.Background(), db, dir, h.keys, 1, at.Add(time.Hour))
				must(t, err)
				if len(w.Carried) != 1 || w.Carried[0] != tc.number || w.Pruned != 1 {
					t.Errorf("next checkpoint = %+v, want %s carried over and the first pruned", w, tc.number)
				}
				cps, again := againstCheckpoints(t, db, dir, h.keys)
				if cps.Files != 1 || len(again) != 1 || again[0].Kind != tc.kind || again[0].Anchor.Number != tc.number {
					t.Errorf("after pruning: %d files, findings %v", cps.Files, again)
				}
			})
		})
	}
}

// TestCheckpointsGrowWithTheDatabase: entries added after a checkpoint are
// no finding, and a later checkpoint records them.
func TestCheckpointsGrowWithTheDatabase(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		h := buildHistory(t, db)
		dir := t.TempDir()
		at := time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)
		checkpoint(t, db, dir, h.keys, at)
		appendNote(t, db, h, ticketA, 6)
		if _, fs := againstCheckpoints(t, db, dir, h.keys); len(fs) != 0 {
			t.Errorf("findings after a new entry: %v", fs)
		}
		checkpoint(t, db, dir, h.keys, at.Add(time.Hour))
		if got := models.LastCheckpoint(dir); !got.Equal(at.Add(time.Hour)) {
			t.Errorf("LastCheckpoint = %v", got)
		}
		cps, fs := againstCheckpoints(t, db, dir, h.keys)
		// Ticket A twice (5 and 6 entries), the others once.
		if cps.Files != 2 || len(cps.Anchors) != h.tickets+1 || len(fs) != 0 {
			t.Errorf("two checkpoints: %+v, findings %v", cps, fs)
		}
		cutTail(t, db, h.ids[ticketA], 4)
		_, fs = againstCheckpoints(t, db, dir, h.keys)
		if len(fs) != 1 || fs[0].Kind != models.TailCut || fs[0].Anchor.Seq != 6 || fs[0].LastSeq != 4 {
			t.Errorf("tail cut to 4: %v, want one finding naming entry 6 (the anchor that reaches furthest)", fs)
		}
	})
}

// TestForgedCheckpoint: a checkpoint changed, or signed without the key, is
// itself named as tampered, and none of its tickets is taken as anchor.
func TestForgedCheckpoint(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		h := buildHistory(t, db)
		dir := t.TempDir()
		w := checkpoint(t, db, dir, h.keys, time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC))
		data, err := os.ReadFile(w.Path)
		must(t, err)

		// Changed: ticket A recorded with fewer entries, so a cut would pass.
		changed := bytes.Replace(data, []byte(`"number":"`+ticketA+`","seq":5`), []byte(`"number":"`+ticketA+`","seq":3`), 1)
		if bytes.Equal(changed, data) {
			t.Fatalf("ticket A not found in\n%s", data)
		}
		// Made anew with a guessed key, under the real key's ID and under its own.
		cp, err := models.OpenCheckpoint(data, h.keys)
		must(t, err)
		guess := dbtest.AuditKeys(t).Current()
		ownID, err := models.SignCheckpoint(cp, guess)
		must(t, err)
		realID := bytes.Replace(ownID, []byte(guess.ID), []byte(h.keys.Current().ID), 1)
		files := map[string][]byte{
			"checkpoint-20261128T110000.000000000Z.json": changed,
			"checkpoint-20261128T120000.000000000Z.json": ownID,
			"checkpoint-20261128T130000.000000000Z.json": realID,
			"checkpoint-20261128T140000.000000000Z.json": []byte("not even JSON"),
		}
		for name, b := range files {
			must(t, os.WriteFile(filepath.Join(dir, name), b, 0o600))
		}
		cps, fs := againstCheckpoints(t, db, dir, h.keys)
		if cps.Files != 5 || len(cps.Anchors) != h.tickets || len(fs) != 0 {
			t.Errorf("read %d files, %d anchors, findings %v; want 5 files, the %d anchors of the real one, none", cps.Files, len(cps.Anchors), fs, h.tickets)
		}
		want := []string{
			"checkpoint-20261128T110000.000000000Z.json: tampered: its signature does not match its content",
			"checkpoint-20261128T120000.000000000Z.json: tampered: signed with audit key \"" + guess.ID + "\", which is not in the key ring",
			"checkpoint-20261128T130000.000000000Z.json: tampered: its signature does not match its content",
			"checkpoint-20261128T140000.000000000Z.json: tampered: not a kizdesk checkpoint",
		}
		if len(cps.Bad) != len(want) {
			t.Fatalf("bad checkpoints = %v", cps.Bad)
		}
		for i, b := range cps.Bad {
			if !strings.Contains(b.String(), want[i]) {
				t.Errorf("bad checkpoint %d = %q, want …%s…", i, b, want[i])
			}
		}
		// A new checkpoint builds on the newest one that holds.
		cutTail(t, db, h.ids[ticketA], 3)
		w2, err := models.WriteCheckpoint(context.Background(), db, dir, h.keys, 10, time.Date(2026, 11, 28, 15, 0, 0, 0, time.UTC))
		must(t, err)
		if len(w2.Carried) != 1 || w2.Carried[0] != ticketA {
			t.Errorf("carried over %v, want ticket A", w2.Carried)
		}
	})
}

// TestCheckpointKeyRotation: a checkpoint signed with an old key verifies
// while that key is in the ring.
func TestCheckpointKeyRotation(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		h := buildHistory(t, db)
		dir := t.TempDir()
		checkpoint(t, db, dir, h.keys, time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC))
		rotated := append(dbtest.AuditKeys(t), h.keys...)
		checkpoint(t, db, dir, rotated, time.Date(2026, 11, 28, 11, 0, 0, 0, time.UTC))
		if cps, fs := againstCheckpoints(t, db, dir, rotated); cps.Files != 2 || len(cps.Bad) != 0 || len(fs) != 0 {
			t.Errorf("both keys in the ring: %+v, findings %v", cps, fs)
		}
		cps, _ := againstCheckpoints(t, db, dir, rotated[:1])
		if len(cps.Bad) != 1 || !strings.Contains(cps.Bad[0].Reason, "not in the key ring") ||
			!strings.HasSuffix(cps.Bad[0].Path, "checkpoint-20261128T100000.000000000Z.json") {
			t.Errorf("old key dropped: bad %v, want the first checkpoint named", cps.Bad)
		}
	})
}

func TestParseAuditKeys(t *testing.T) {
	k32 := "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=" // 32 bytes, padded
	k40 := "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWYwMTIzNDU2Nw"
	ring, err := models.ParseAuditKeys("# current\n" + k40 + "\n\n" + k32 + "  # before the rotation\n")
	if err != nil || len(ring) != 2 {
		t.Fatalf("ring = %v, %v", ring, err)
	}
	if k, ok := ring.ByID(ring[1].ID); !ok || k.ID != ring[1].ID || ring.Current().ID != ring[0].ID || ring[0].ID == ring[1].ID {
		t.Errorf("ring IDs %s, %s", ring[0].ID, ring[1].ID)
	}
	if again, _ := models.ParseAuditKeys(k40 + "," + k32); again[0].ID != ring[0].ID || again[1].ID != ring[1].ID {
		t.Error("the same keys, comma-separated, have other IDs")
	}
	for text, want := range map[string]string{
		"":                     "no key",
		"# only a comment":     "no key",
		"c2hvcnQ=":             "at least 32 bytes",
		"key%%":                "not base64",
		k32 + "\n" + k32:       "appears twice",
		k40 + "," + "c2hvcnQ=": "key 2",
	} {
		if _, err := models.ParseAuditKeys(text); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseAuditKeys(%q) = %v, want an error containing %q", text, err, want)
		}
	}
}

// appendNote projects entry seq, a note, onto ticket number of tenant h.f.
func appendNote(t *testing.T, db *gorm.DB, h history, number string, seq int) {
	t.Helper()
	at := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC).Add(time.Duration(seq) * time.Minute)
	_, err := (&activities.Activities{DB: db, AuditKey: h.keys.Current()}).ProjectTicket(context.Background(), ticket.ProjectTicketInput{
		Ticket: ticket.Snapshot{Number: number, TenantID: h.f.Tenant.ID, Title: "VPN down", State: "open", Level: "1st level",
			QueueID: h.f.Queue.ID, TypeID: h.f.Type.ID, PriorityID: h.f.Priority.ID, CustomerID: h.f.Customer.ID,
			Channel: "phone", CreatedAt: at, UpdatedAt: at},
		Events: []ticket.HistoryEvent{{Seq: seq, At: at, Event: "AddNote", Actor: ticket.Actor{Kind: "agent", ID: h.f.Agent.ID, Name: h.f.Agent.Name},
			Article: &ticket.Article{Kind: "note", Subject: "More", Body: "Another note."}}},
	})
	must(t, err)
}
