package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/kiz-ulm/kizdesk/activities"
	"github.com/kiz-ulm/kizdesk/dbtest"
	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/models"
	"github.com/kiz-ulm/kizdesk/ticket"
	"github.com/kiz-ulm/kizdesk/worker"
	"github.com/kiz-ulm/kizdesk/workflows"
)

// outageLength is longer than any retry budget kizdesk ever had: before,
// a projection gave up after 30 s and its ticket's workflow failed for good.
const outageLength = 35 * time.Second

// TestDatabaseOutage takes the database away for longer than any retry
// budget while a ticket's auto close falls due and an agent's note is on
// its way, then gives it back: both land, the tickets' workflows still run,
// and work carries on.
func TestDatabaseOutage(t *testing.T) {
	if testing.Short() {
		t.Skip("takes the database away for 35 s")
	}
	for _, kind := range dbtest.Kinds {
		t.Run(kind, func(t *testing.T) {
			var s *testStack
			var outage dbtest.Outage
			if kind == "postgres" {
				var url string
				outage, url = dbtest.NewProxy(t, dbtest.URL(t, kind))
				s = startTestStackOn(t, kind, url, nil)
			} else {
				s = startTestStack(t, kind)
				outage = dbtest.NewLock(t, filepath.Join(s.dir, "kizdesk.db"))
			}
			testDatabaseOutage(t, s, outage)
		})
	}
}

func testDatabaseOutage(t *testing.T, s *testStack, outage dbtest.Outage) {
	ctx := t.Context()
	agent := desk.AgentPrincipal(s.fixture.Agent)
	closing := newDeskTicket(t, s, "Closes during the outage")
	due := time.Now().Add(3 * time.Second)
	if _, err := s.desk.SetPending(ctx, agent, closing.Number, desk.PendingRequest{
		State: string(ticket.StatePendingAutoClose), Until: due}); err != nil {
		t.Fatal(err)
	}
	noted := newDeskTicket(t, s, "Gets a note during the outage")

	outage.Begin()
	began := time.Now()
	// A note accepted just as the database went away: the ticket's
	// workflow holds it until the database is back.
	h, err := s.client.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID: ticket.WorkflowID(noted.Number), UpdateID: "note-during-outage", UpdateName: string(ticket.ActionNote),
		Args: []any{ticket.AddNoteInput{
			Request: ticket.Request{Actor: agent.Actor(), Grant: &ticket.Grant{Queue: noted.QueueID, Perms: ticket.AllPerms}},
			Article: ticket.ArticleInput{Kind: ticket.ArticleInternalNote, Body: "written during the outage"}}},
		WaitForStage: client.WorkflowUpdateStageAccepted,
	})
	if err != nil {
		outage.End()
		t.Fatalf("note during the outage was not accepted: %v", err)
	}
	time.Sleep(outageLength - time.Since(began))
	outage.End()
	t.Logf("database back after %s", time.Since(began).Round(time.Second))

	var v ticket.View
	wctx, cancel := context.WithTimeout(ctx, 90*time.Second)
	defer cancel()
	if err := h.Get(wctx, &v); err != nil {
		t.Fatalf("the note from the outage: %v", err)
	}
	waitFor(t, 90*time.Second, func() bool {
		return ticketRow(t, s, closing.Number).State == string(ticket.StateClosedSuccessful)
	})
	for _, n := range []string{closing.Number, noted.Number} {
		d, err := s.client.DescribeWorkflowExecution(ctx, ticket.WorkflowID(n), "")
		if err != nil {
			t.Fatal(err)
		}
		if st := d.GetWorkflowExecutionInfo().GetStatus(); st != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
			t.Errorf("ticket %s's workflow is %s after the outage", n, st)
		}
	}
	notes := 0
	for _, e := range history(t, s, noted.Number) {
		if e.Event == ticket.EventAddNote {
			notes++
		}
	}
	if notes != 1 {
		t.Errorf("the note is in the history %d times", notes)
	}
	closedAt := ticketRow(t, s, closing.Number).ClosedAt
	t.Logf("auto close due %s, closed %s late (the outage began %s before it)",
		due.Format(time.TimeOnly), closedAt.Sub(due).Round(time.Second), due.Sub(began).Round(time.Second))
	// Work carries on.
	if _, err := s.desk.Close(ctx, agent, noted.Number, desk.CloseRequest{State: string(ticket.StateClosedSuccessful)}); err != nil {
		t.Errorf("closing after the outage: %v", err)
	}
}

// TestBadBytesNeverReachTheWorkflow: a NUL or another control character,
// or invalid UTF-8, in any field of a create, note, reply or follow-up is
// refused with a field error before anything is sent; a refused create
// does not use up its request key.
func TestBadBytesNeverReachTheWorkflow(t *testing.T) {
	for _, kind := range dbtest.Kinds {
		t.Run(kind, func(t *testing.T) {
			s := sharedStack(t, kind, nil)
			f := s.fixture
			create := func(title, key string) (int, string) {
				body, _ := json.Marshal(map[string]any{"customer": f.Customer.Login, "title": title, "body": "x",
					"service_id": f.Service.ID, "type_id": f.Type.ID, "priority_id": f.Priority.ID})
				return apiDo(t, s, http.MethodPost, "/api/v1/tickets", s.token, string(body), "Idempotency-Key", key)
			}
			status, body := create("VPN\u0000down", "bad-bytes-1")
			if status != http.StatusUnprocessableEntity || !strings.Contains(body, `"title":"field.control_chars"`) {
				t.Fatalf("create with NUL: %d %s", status, body)
			}
			status, body = create("VPN down", "bad-bytes-1")
			if status != http.StatusCreated {
				t.Fatalf("the same key with a clean body: %d %s", status, body)
			}
			number := jsonField(t, body, "number")
			for _, c := range []struct{ path, token, body, field string }{
				{"/notes", s.token, `{"kind":"internal note","body":"a\u0000b"}`, "body"},
				{"/notes", s.token, `{"kind":"internal note","body":"bell \u0007"}`, "body"},
				{"/replies", s.token, `{"subject":"x\u0000","body":"fine"}`, "subject"},
				{"/follow-ups", s.gatewayToken, `{"customer":"` + f.Customer.Login + `","subject":"Re\u0000","body":"fine"}`, "subject"},
				{"/follow-ups", s.gatewayToken, `{"customer":"` + f.Customer.Login + `","body":"fine","message_id":"<a\u0000@b>"}`, "message_id"},
			} {
				status, body := apiDo(t, s, http.MethodPost, "/api/v1/tickets/"+number+c.path, c.token, c.body)
				if status != http.StatusUnprocessableEntity || !strings.Contains(body, `"`+c.field+`":"field.`) {
					t.Errorf("%s %s: %d %s", c.path, c.body, status, body)
				}
			}
			for _, e := range history(t, s, number) {
				if strings.ContainsRune(e.NewValue, 0) {
					t.Errorf("a NUL reached the history: %+v", e)
				}
			}
			arts, err := models.Articles(t.Context(), s.db, ticketRow(t, s, number).ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(arts) != 1 {
				t.Errorf("%d articles, want only the first one", len(arts))
			}
		})
	}
}

// TestActionWhileTheTicketIsCreated: an action that reaches a ticket's
// workflow together with its start (as after a worker was killed in the
// moment of the create) waits for the ticket instead of being refused
// against an empty one.
func TestActionWhileTheTicketIsCreated(t *testing.T) {
	s := startTestStack(t, "sqlite")
	ctx := t.Context()
	f := s.fixture
	s.worker.Stop()
	number, err := models.NextTicketNumber(ctx, s.db, time.Now(), "10")
	if err != nil {
		t.Fatal(err)
	}
	in := ticket.TicketInput{
		Ticket: ticket.View{Number: number, TenantID: f.Tenant.ID, Title: "Crash moment", Level: ticket.LevelFirst,
			QueueID: f.Queue.ID, QueueName: f.Queue.Name, TypeID: f.Type.ID, TypeName: f.Type.Name,
			PriorityID: f.Priority.ID, PriorityName: f.Priority.Name, CustomerID: f.Customer.ID, Channel: "phone"},
		Actor:   ticket.Actor{Kind: ticket.ActorAgent, ID: f.Agent.ID, Name: f.Agent.Name},
		Article: ticket.ArticleInput{Kind: ticket.ArticlePhoneNote, Subject: "Crash moment", Body: "x"},
	}
	if _, err := s.client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID: ticket.WorkflowID(number), TaskQueue: ticket.TaskQueue}, workflows.Ticket, in); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		uctx, cancel := context.WithTimeout(ctx, 60*time.Second)
		defer cancel()
		h, err := s.client.UpdateWorkflow(uctx, client.UpdateWorkflowOptions{
			WorkflowID: ticket.WorkflowID(number), UpdateName: string(ticket.ActionNote),
			Args: []any{ticket.AddNoteInput{Request: ticket.Request{Actor: in.Actor, Grant: &ticket.Grant{Queue: in.Ticket.QueueID, Perms: ticket.AllPerms}},
				Article: ticket.ArticleInput{Kind: ticket.ArticleInternalNote, Body: "right after the crash"}}},
			WaitForStage: client.WorkflowUpdateStageCompleted,
		})
		if err == nil {
			err = h.Get(uctx, nil)
		}
		done <- err
	}()
	time.Sleep(time.Second) // the update waits with the start for a worker
	w := worker.New(s.client, &activities.Activities{DB: s.db, AuditKey: s.keys.Current()}, nil)
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	if err := <-done; err != nil {
		t.Fatalf("a note that came with the start: %v", err)
	}
	if got := strings.Join(eventNames(history(t, s, number)), ", "); !strings.Contains(got, "AddNote") {
		t.Errorf("history %s", got)
	}
}

// TestFollowUpsCountedOnce fires customers' follow-ups at tickets while
// they are merged, closed, at the end of their follow-up window and while
// they continue as new: every message lands exactly once.
func TestFollowUpsCountedOnce(t *testing.T) {
	s := sharedStack(t, "sqlite", map[string]any{"limit.historyCount.suggestContinueAsNew": 40})
	ctx := t.Context()
	f := s.fixture
	agent := desk.AgentPrincipal(f.Agent)
	send := func(number, key string) (desk.FollowUpResult, error) {
		return s.desk.FollowUp(ctx, s.gateway, number, desk.FollowUpRequest{
			CustomerLogin: f.Customer.Login, Body: "message " + key, Key: "<" + key + "@uni-ulm.de>"})
	}
	// fire sends n follow-ups a few milliseconds apart while during runs,
	// and returns every ticket that took one.
	fire := func(prefix, number string, n int, during func()) (keys []string, tickets map[string]bool) {
		tickets = map[string]bool{number: true}
		var mu sync.Mutex
		var wg sync.WaitGroup
		wg.Go(func() {
			for i := range n {
				key := fmt.Sprintf("%s-%d", prefix, i)
				res, err := send(number, key)
				if err != nil {
					t.Errorf("follow-up %s: %v", key, err)
				}
				mu.Lock()
				keys = append(keys, key)
				tickets[res.Number] = true
				mu.Unlock()
				time.Sleep(15 * time.Millisecond)
			}
		})
		during()
		wg.Wait()
		return keys, tickets
	}
	// countEach waits until every key is in exactly one article of the
	// tickets and fails on any key found twice.
	countEach := func(what string, keys []string, tickets map[string]bool) {
		t.Helper()
		var counts map[string]int
		all := func() bool {
			counts = map[string]int{}
			for n := range tickets {
				row, err := models.TicketByNumber(ctx, s.db, f.Tenant.ID, n)
				if err != nil {
					return false
				}
				arts, err := models.Articles(ctx, s.db, row.ID)
				if err != nil {
					return false
				}
				for _, a := range arts {
					counts[strings.TrimPrefix(a.Body, "message ")]++
				}
			}
			for _, k := range keys {
				if counts[k] == 0 {
					return false
				}
			}
			return true
		}
		end := time.Now().Add(30 * time.Second)
		for !all() && time.Now().Before(end) {
			time.Sleep(50 * time.Millisecond)
		}
		for _, k := range keys {
			if counts[k] != 1 {
				t.Errorf("%s: message %s landed %d times", what, k, counts[k])
			}
		}
	}

	from, into := newDeskTicket(t, s, "Merged away"), newDeskTicket(t, s, "Merged into")
	keys, tickets := fire("merge", from.Number, 20, func() {
		time.Sleep(60 * time.Millisecond)
		if _, err := s.desk.Merge(ctx, agent, from.Number, desk.MergeRequest{Into: into.Number}); err != nil {
			t.Errorf("merge: %v", err)
		}
	})
	tickets[into.Number] = true
	countEach("merge", keys, tickets)

	closing := newDeskTicket(t, s, "Closed meanwhile")
	keys, tickets = fire("close", closing.Number, 20, func() {
		time.Sleep(60 * time.Millisecond)
		if _, err := s.desk.Close(ctx, agent, closing.Number, desk.CloseRequest{State: string(ticket.StateClosedSuccessful)}); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	countEach("close", keys, tickets)

	// A follow-up window of three seconds: messages before its end reopen
	// the ticket, messages after it open a new one linked to it.
	windowed := startTicketWith(t, s, "Window ends", ticket.Terms{}, func(in *ticket.TicketInput) {
		in.Ticket.FollowUpWindow = 3 * time.Second
	})
	if _, err := s.desk.Close(ctx, agent, windowed, desk.CloseRequest{State: string(ticket.StateClosedSuccessful)}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2950 * time.Millisecond)
	keys, tickets = fire("window", windowed, 60, func() {})
	countEach("end of the follow-up window", keys, tickets)
	t.Logf("around the end of the window the messages went to %d tickets", len(tickets))

	busy := newDeskTicket(t, s, "Continues as new")
	first := runID(t, s, busy.Number)
	keys, tickets = fire("can", busy.Number, 40, func() {
		for i := 0; i < 25; i++ {
			if _, err := s.desk.AddNote(ctx, agent, busy.Number, desk.AddNoteRequest{
				Kind: string(ticket.ArticleInternalNote), Body: fmt.Sprintf("note %d", i)}); err != nil {
				t.Errorf("note %d: %v", i, err)
			}
		}
	})
	// It continues as new once a workflow task passes without a change.
	waitFor(t, 30*time.Second, func() bool { return runID(t, s, busy.Number) != first })
	countEach("continue-as-new", keys, tickets)
	if t.Failed() && os.Getenv("KIZDESK_TEST_LOG") != "" {
		for run := first; run != ""; {
			it := s.client.GetWorkflowHistory(ctx, ticket.WorkflowID(busy.Number), run, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
			t.Logf("run %s", run)
			run = ""
			for it.HasNext() {
				ev, err := it.Next()
				if err != nil {
					t.Fatal(err)
				}
				extra := ""
				if a := ev.GetWorkflowTaskFailedEventAttributes(); a != nil {
					extra = a.GetCause().String() + " " + a.GetFailure().GetMessage()
				}
				if a := ev.GetWorkflowExecutionContinuedAsNewEventAttributes(); a != nil {
					run = a.GetNewExecutionRunId()
				}
				t.Logf("%d %s %s", ev.GetEventId(), ev.GetEventType(), extra)
			}
		}
	}
}

// apiDo sends a JSON request with a bearer token and header pairs.
func apiDo(t *testing.T, s *testStack, method, path, token, body string, header ...string) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, s.srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, string(b)
}

// jsonField reads one string field of a JSON object.
func jsonField(t *testing.T, body, field string) string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	v, _ := m[field].(string)
	return v
}
