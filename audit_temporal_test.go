package main

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kiz-ulm/kizdesk/dbtest"
	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/models"
	"github.com/kiz-ulm/kizdesk/ticket"
)

// TestAuditTemporal runs `kizdesk audit verify --temporal` against the
// embedded stack: each ticket workflow records its last entry and that
// entry's hash, so a tail cut, a deleted ticket and an entry rewritten even
// with the key are named while Temporal keeps the workflow — a closed one
// too, which the running worker answers for.
func TestAuditTemporal(t *testing.T) {
	for _, kind := range dbtest.Kinds {
		t.Run(kind, func(t *testing.T) { testAuditTemporal(t, kind) })
	}
}

func testAuditTemporal(t *testing.T, kind string) {
	s := startTestStack(t, kind)
	ctx := t.Context()
	f := s.fixture
	note := func(number, body string) {
		t.Helper()
		if _, err := s.desk.AddNote(ctx, desk.AgentPrincipal(f.Agent), number, desk.AddNoteRequest{Kind: string(ticket.ArticleInternalNote), Body: body}); err != nil {
			t.Fatal(err)
		}
	}
	cut := newDeskTicket(t, s, "Tail to be cut").Number
	note(cut, "First look.")
	note(cut, "Second look.")
	gone := newDeskTicket(t, s, "To be deleted").Number
	changed := newDeskTicket(t, s, "To be rewritten").Number
	note(changed, "Customer was rude.")
	intact := newDeskTicket(t, s, "Left alone").Number
	closed := startTicketWith(t, s, "Closed and done", ticket.Terms{}, func(in *ticket.TicketInput) {
		in.Ticket.FollowUpWindow = time.Second
	})
	note(closed, "Fixed.")
	if _, err := s.desk.Close(ctx, desk.AgentPrincipal(f.Agent), closed, desk.CloseRequest{State: string(ticket.StateClosedSuccessful)}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 15*time.Second, func() bool { return workflowDone(t, s, closed) })
	all := []string{cut, gone, changed, intact, closed}
	slices.Sort(all)
	waitFor(t, 15*time.Second, func() bool {
		listed, err := ticketWorkflows(ctx, s.client, "kizdesk")
		return err == nil && slices.Equal(listed, all)
	})

	t.Setenv("KIZDESK_LOG_LEVEL", "error")
	t.Setenv("KIZDESK_DATABASE_URL", s.dbURL)
	t.Setenv("KIZDESK_AUDIT_KEY_FILE", s.keyFile)
	t.Setenv("KIZDESK_AUDIT_KEY", "")
	t.Setenv("KIZDESK_AUDIT_DIR", "")
	t.Setenv("KIZDESK_TEMPORAL_ADDRESS", s.temporal.FrontendAddress())
	t.Setenv("KIZDESK_TEMPORAL_NAMESPACE", "kizdesk")
	t.Setenv("KIZDESK_PAYLOAD_KEYS", "")
	t.Setenv("KIZDESK_PAYLOAD_KEY_FILE", s.payloadKeyFile)
	verify := func() (string, error) {
		var out, errw bytes.Buffer
		err := run(ctx, []string{"audit", "verify", "--temporal"}, nil, &out, &errw)
		return out.String(), err
	}
	out, err := verify()
	if err != nil || !strings.HasSuffix(out, "audit: 5 ticket workflows in Temporal, every ticket as its workflow records it\n") {
		t.Fatalf("audit of an intact desk: %v\n%s", err, out)
	}

	// A superuser cuts two tickets after their first entry (one whose
	// workflow is closed), deletes one, and rewrites the last entry of
	// another — even with the audit key, so that the chain checks out.
	seqs := map[string]int{}
	for _, n := range all {
		seqs[n] = ticketRow(t, s, n).LastSeq
	}
	for _, n := range []string{cut, closed} {
		id := ticketRow(t, s, n).ID
		withoutTriggers(t, s.db, "DELETE FROM ticket_history WHERE ticket_id = ? AND seq > 1", id)
		withoutTriggers(t, s.db, "DELETE FROM articles WHERE ticket_id = ? AND seq > 1", id)
		if err := s.db.Exec("UPDATE tickets SET last_seq = 1 WHERE id = ?", id).Error; err != nil {
			t.Fatal(err)
		}
	}
	goneID := ticketRow(t, s, gone).ID
	for _, table := range []string{"notifications", "ticket_watchers", "ticket_history", "articles"} {
		withoutTriggers(t, s.db, "DELETE FROM "+table+" WHERE ticket_id = ?", goneID)
	}
	if err := s.db.Exec("DELETE FROM tickets WHERE id = ?", goneID).Error; err != nil {
		t.Fatal(err)
	}
	changedID := ticketRow(t, s, changed).ID
	e := entryAt(t, s.db, changedID, seqs[changed])
	var art *models.Article
	if e.ArticleID != nil {
		art = &models.Article{}
		if err := s.db.Take(art, *e.ArticleID).Error; err != nil {
			t.Fatal(err)
		}
		art.Body = "Customer was friendly."
		withoutTriggers(t, s.db, "UPDATE articles SET body = ? WHERE id = ?", art.Body, art.ID)
	} else {
		e.NewValue += " (changed)"
	}
	withoutTriggers(t, s.db, "UPDATE ticket_history SET new_value = ?, hash = ? WHERE id = ?",
		e.NewValue, models.HistoryHash(s.keys.Current(), e, art), e.ID)
	if r, err := models.VerifyHistory(ctx, s.db, s.keys); err != nil || !r.Intact() {
		t.Fatalf("the chains alone already show it: %v, %v", r.Broken, err)
	}

	out, err = verify()
	if want := "audit: 4 findings against the ticket workflows"; err == nil || err.Error() != want {
		t.Errorf("audit after tampering: error %v, want %q", err, want)
	}
	for _, want := range []string{
		"audit: 4 tickets, ",
		fmt.Sprintf("ticket %s: tail cut: its history ends at entry 1, but workflow ticket-%s records it up to entry %d", cut, cut, seqs[cut]),
		fmt.Sprintf("ticket %s: tail cut: its history ends at entry 1, but workflow ticket-%s records it up to entry %d", closed, closed, seqs[closed]),
		fmt.Sprintf("ticket %s: deleted: the database has no such ticket, but workflow ticket-%s records it (tenant %d) with %d history entries",
			gone, gone, f.Tenant.ID, seqs[gone]),
		fmt.Sprintf("ticket %s: rewritten: entry %d has hash ", changed, seqs[changed]),
	} {
		if !strings.Contains(out, want) {
			t.Errorf("audit output lacks %q", want)
		}
	}
	if strings.Contains(out, intact) {
		t.Errorf("the intact ticket %s is named", intact)
	}
	t.Log("\n" + out)
}
