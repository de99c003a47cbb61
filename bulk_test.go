package main

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/models"
	"github.com/kiz-ulm/kizdesk/ticket"
)

// TestBulkActions: a bulk close of three tickets, one of them closed
// already, closes two and reports the third refused with the process's
// reason; a bulk merge puts the others into the first; a ticket the agent
// cannot see is reported not found, and nothing of it is touched.
func TestBulkActions(t *testing.T) {
	s := sharedStack(t, "sqlite", nil)
	ctx := context.Background()
	f := s.fixture
	agent := desk.AgentPrincipal(f.Agent)
	open := func(title string) string {
		t.Helper()
		v, err := s.desk.CreateTicket(ctx, agent, desk.CreateTicketRequest{RequestKey: "bulk-" + title, CustomerLogin: f.Customer.Login,
			Title: title, Body: "Bitte helfen.", QueueID: f.Queue.ID, TypeID: f.Type.ID, PriorityID: f.Priority.ID})
		if err != nil {
			t.Fatal(err)
		}
		return v.Number
	}
	a, b, c := open("Bulk A"), open("Bulk B"), open("Bulk C")
	// The zoom's customer panel lists the customer's other open tickets.
	zoom, err := s.desk.Ticket(ctx, agent, a)
	if err != nil {
		t.Fatal(err)
	}
	others := map[string]bool{}
	for _, r := range zoom.CustomerTickets {
		others[r.Number] = true
	}
	if zoom.Customer.Login != f.Customer.Login || others[a] || !others[b] || !others[c] {
		t.Errorf("customer panel of %s: %s, other tickets %v", a, zoom.Customer.Login, others)
	}
	if _, err := s.desk.Close(ctx, agent, c, desk.CloseRequest{RequestKey: "bulk-close-c", State: string(ticket.StateClosedSuccessful)}); err != nil {
		t.Fatal(err)
	}
	res, err := s.desk.Bulk(ctx, agent, desk.BulkRequest{RequestKey: "bulk-1", Numbers: []string{a, b, c, "2026010110999999"},
		Action: desk.BulkClose, State: string(ticket.StateClosedSuccessful)})
	if err != nil {
		t.Fatal(err)
	}
	var refused *desk.RejectedError
	if len(res) != 4 || res[0].Err != nil || res[1].Err != nil || !errors.As(res[2].Err, &refused) || !errors.Is(res[3].Err, desk.ErrNotFound) {
		t.Fatalf("bulk close: %+v", res)
	}
	if refused.Problem.Code != ticket.RefusedState {
		t.Errorf("closing a closed ticket refused with %s, want %s", refused.Problem.Code, ticket.RefusedState)
	}
	for _, n := range []string{a, b} {
		row, err := models.TicketByNumber(ctx, s.db, f.Tenant.ID, n)
		if err != nil || row.State != string(ticket.StateClosedSuccessful) {
			t.Errorf("%s after the bulk close: %q, %v", n, row.State, err)
		}
	}
	// The queue view's closed filter lists them; a bad order is a field
	// error.
	view, err := s.desk.QueueView(ctx, agent, f.Queue.ID, desk.QueueViewRequest{State: "closed", Sort: "newest"})
	if err != nil {
		t.Fatal(err)
	}
	closed := map[string]bool{}
	for _, r := range view.Tickets {
		closed[r.Number] = true
		if !ticket.State(r.State).Closed() {
			t.Errorf("the closed view lists %s in state %s", r.Number, r.State)
		}
	}
	if !closed[a] || !closed[b] || !closed[c] {
		t.Errorf("the closed view misses some of %s %s %s: %v", a, b, c, closed)
	}
	var badView desk.FieldErrors
	if _, err := s.desk.QueueView(ctx, agent, f.Queue.ID, desk.QueueViewRequest{Sort: "random", After: "x"}); !errors.As(err, &badView) ||
		badView["sort"].Code == "" || badView["after"].Code == "" {
		t.Errorf("a queue view in no known order from nowhere: %v", err)
	}
	// The same request again (a double submit) changes nothing more and
	// reports the same.
	again, err := s.desk.Bulk(ctx, agent, desk.BulkRequest{RequestKey: "bulk-1", Numbers: []string{a, b, c, "2026010110999999"},
		Action: desk.BulkClose, State: string(ticket.StateClosedSuccessful)})
	if err != nil || again[0].Err != nil || again[1].Err != nil {
		t.Errorf("the bulk close again: %+v, %v", again, err)
	}

	x, y, z := open("Bulk X"), open("Bulk Y"), open("Bulk Z")
	res, err = s.desk.Bulk(ctx, agent, desk.BulkRequest{RequestKey: "bulk-2", Numbers: []string{x, y, z}, Action: desk.BulkMerge})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		if r.Err != nil {
			t.Errorf("merge %s: %v", r.Number, r.Err)
		}
	}
	for _, n := range []string{y, z} {
		row, _ := models.TicketByNumber(ctx, s.db, f.Tenant.ID, n)
		if row.State != string(ticket.StateMerged) || row.MergedInto != x {
			t.Errorf("%s after the bulk merge: %s into %q, want merged into %s", n, row.State, row.MergedInto, x)
		}
	}

	// Malformed requests are refused whole, with the field.
	for _, bad := range []desk.BulkRequest{
		{RequestKey: "bulk-3", Action: desk.BulkClose, State: string(ticket.StateClosedSuccessful)},
		{RequestKey: "bulk-3", Numbers: []string{x}, Action: "explode"},
		{RequestKey: "bulk-3", Numbers: []string{x}, Action: desk.BulkMove},
		{RequestKey: "bulk-3", Numbers: []string{x}, Action: desk.BulkMerge},
	} {
		var fe desk.FieldErrors
		if _, err := s.desk.Bulk(ctx, agent, bad); !errors.As(err, &fe) {
			t.Errorf("bulk %+v: %v, want field errors", bad, err)
		}
	}
	many := make([]string, desk.MaxBulk+1)
	for i := range many {
		many[i] = fmt.Sprintf("20260101109%05d", i)
	}
	var fe desk.FieldErrors
	if _, err := s.desk.Bulk(ctx, agent, desk.BulkRequest{RequestKey: "bulk-4", Numbers: many, Action: desk.BulkLock}); !errors.As(err, &fe) || fe["number"].Code == "" {
		t.Errorf("a bulk of %d tickets: %v", len(many), err)
	}
}

// TestSplitArticle: an article becomes a ticket of its own, for the same
// customer and queue, linked both ways; the same click again is the same
// ticket; an article that does not exist is a field error.
func TestSplitArticle(t *testing.T) {
	s := sharedStack(t, "sqlite", nil)
	ctx := context.Background()
	f := s.fixture
	agent := desk.AgentPrincipal(f.Agent)
	v, err := s.desk.CreateTicket(ctx, agent, desk.CreateTicketRequest{RequestKey: "split-1", CustomerLogin: f.Customer.Login,
		Title: "Drucker und VPN", Body: "Der Drucker druckt nicht.", QueueID: f.Queue.ID, TypeID: f.Type.ID, PriorityID: f.Priority.ID})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.desk.AddNote(ctx, agent, v.Number, desk.AddNoteRequest{RequestKey: "split-2", Kind: string(ticket.ArticlePhoneNote),
		Body: "Außerdem geht das VPN seit gestern nicht."}); err != nil {
		t.Fatal(err)
	}
	zoom, err := s.desk.Ticket(ctx, agent, v.Number)
	if err != nil {
		t.Fatal(err)
	}
	var seq int
	for _, a := range zoom.Articles {
		if a.Kind == string(ticket.ArticlePhoneNote) {
			seq = a.Seq
		}
	}
	split, err := s.desk.Split(ctx, agent, v.Number, desk.SplitRequest{RequestKey: "split-3", Seq: seq})
	if err != nil {
		t.Fatal(err)
	}
	again, err := s.desk.Split(ctx, agent, v.Number, desk.SplitRequest{RequestKey: "split-3", Seq: seq})
	if err != nil || again.Number != split.Number {
		t.Errorf("the same split again: %s, %v; want %s", again.Number, err, split.Number)
	}
	nz, err := s.desk.Ticket(ctx, agent, split.Number)
	if err != nil {
		t.Fatal(err)
	}
	if nz.Ticket.CustomerID != f.Customer.ID || nz.Ticket.QueueID != f.Queue.ID || len(nz.Articles) == 0 ||
		nz.Articles[0].Body != "Außerdem geht das VPN seit gestern nicht." {
		t.Errorf("the split ticket: %+v, articles %+v", nz.Ticket.Ticket, nz.Articles)
	}
	linked := func(d desk.TicketDetail, number string) bool {
		for _, l := range d.Linked {
			if l.Number == number {
				return true
			}
		}
		return false
	}
	zoom, _ = s.desk.Ticket(ctx, agent, v.Number)
	if !linked(nz, v.Number) || !linked(zoom, split.Number) {
		t.Errorf("split ticket %s and %s are not linked both ways", split.Number, v.Number)
	}
	var fe desk.FieldErrors
	if _, err := s.desk.Split(ctx, agent, v.Number, desk.SplitRequest{RequestKey: "split-4", Seq: 99}); !errors.As(err, &fe) {
		t.Errorf("splitting an article that does not exist: %v", err)
	}
}
