package workflows

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/kiz-ulm/kizdesk/ticket"
	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
)

// projection records what the workflow asked the database to hold.
type projection struct {
	events []ticket.HistoryEvent
	last   ticket.Snapshot
}

func newEnv(t *testing.T) (*testsuite.TestWorkflowEnvironment, *projection) {
	t.Helper()
	return newEnvWith(t, 0)
}

// newEnvWith returns an environment whose projections each take delay on
// the workflow's clock, so a test can act while one is in flight.
func newEnvWith(t *testing.T, delay time.Duration) (*testsuite.TestWorkflowEnvironment, *projection) {
	t.Helper()
	return newEnvProjecting(t, delay, func(ticket.ProjectTicketInput) error { return nil })
}

// newEnvProjecting returns an environment whose projections take delay and
// fail as fail says: a non-nil error is returned instead of writing anything.
func newEnvProjecting(t *testing.T, delay time.Duration, fail func(ticket.ProjectTicketInput) error) (*testsuite.TestWorkflowEnvironment, *projection) {
	t.Helper()
	var s testsuite.WorkflowTestSuite
	// The suite logs every timer at debug level; keep test output readable.
	s.SetLogger(log.NewStructuredLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	env := s.NewTestWorkflowEnvironment()
	p := &projection{}
	env.RegisterActivityWithOptions(func(context.Context, ticket.ProjectTicketInput) (ticket.ProjectTicketResult, error) {
		return ticket.ProjectTicketResult{}, errors.New("not mocked")
	}, activity.RegisterOptions{Name: ticket.ActivityProject})
	env.OnActivity(ticket.ActivityProject, mock.Anything, mock.Anything).After(delay).Return(
		func(_ context.Context, in ticket.ProjectTicketInput) (ticket.ProjectTicketResult, error) {
			if err := fail(in); err != nil {
				return ticket.ProjectTicketResult{}, err
			}
			for _, ev := range in.Events {
				if want := len(p.events) + 1; ev.Seq != want {
					t.Errorf("history entry %d projected, want %d", ev.Seq, want)
				}
				p.events = append(p.events, ev)
			}
			p.last = in.Ticket
			return ticket.ProjectTicketResult{TicketID: 1, LastSeq: len(p.events)}, nil
		})
	return env, p
}

var agent = ticket.Actor{Kind: ticket.ActorAgent, ID: 7, Name: "Hannes Helpdesk"}

// agentRequest is the agent acting with every permission on the test
// ticket's queue (1), as the desk grants an admin.
var agentRequest = ticket.Request{Actor: agent, Grant: &ticket.Grant{Queue: 1, Perms: ticket.AllPerms, MoveInto: []int64{1, 2, 3}}}

// grantIn is the agent acting with every permission on queue q.
func grantIn(q ticket.QueueRef) ticket.Request {
	return ticket.Request{Actor: agent, Grant: &ticket.Grant{Queue: q.ID, Perms: ticket.AllPerms, MoveInto: []int64{1, 2, 3}}}
}

// otherRequest is another agent with every permission on queue 1.
var otherRequest = ticket.Request{Actor: other, Grant: &ticket.Grant{Queue: 1, Perms: ticket.AllPerms}}

func newInput() ticket.TicketInput {
	return ticket.TicketInput{
		Ticket: ticket.View{Number: "2026112710000013", TenantID: 1, Title: "VPN down", Level: ticket.LevelFirst,
			QueueID: 1, QueueName: "Helpdesk", TypeID: 1, TypeName: "Incident", PriorityID: 3, PriorityName: "3 normal",
			CustomerID: 5, Channel: "phone"},
		Actor:   agent,
		Article: ticket.ArticleInput{Kind: ticket.ArticlePhoneNote, Subject: "VPN down", Body: "Customer cannot connect."},
	}
}

// updateResult is what an update answered: its value or its rejection.
type updateResult struct {
	view     ticket.View
	err      error
	rejected error
	done     bool
}

func sendUpdate(env *testsuite.TestWorkflowEnvironment, after time.Duration, name string, arg any) *updateResult {
	r := &updateResult{}
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(name, "", &testsuite.TestUpdateCallback{
			OnReject: func(err error) { r.rejected, r.done = err, true },
			OnAccept: func() {},
			OnComplete: func(v any, err error) {
				r.err, r.done = err, true
				if tv, ok := v.(ticket.View); ok {
					r.view = tv
				}
			},
		}, arg)
	}, after)
	return r
}

func events(p *projection) string {
	var names []string
	for _, ev := range p.events {
		n := ev.Event
		if ev.Field != "" {
			n += "(" + ev.Old + "→" + ev.New + ")"
		}
		names = append(names, n)
	}
	return strings.Join(names, " ")
}

func TestTicketLifecycle(t *testing.T) {
	env, p := newEnv(t)
	created := sendUpdate(env, 0, ticket.UpdateCreate, ticket.CreateInput{})
	note := sendUpdate(env, time.Minute, string(ticket.ActionNote), ticket.AddNoteInput{Request: agentRequest, Article: ticket.ArticleInput{Kind: ticket.ArticleInternalNote, Body: "Checked the gateway."}})
	closed := sendUpdate(env, 2*time.Minute, string(ticket.ActionClose), ticket.CloseInput{Request: agentRequest, State: ticket.StateClosedSuccessful, Note: "Gateway restarted."})
	lateNote := sendUpdate(env, 3*time.Minute, string(ticket.ActionNote), ticket.AddNoteInput{Request: agentRequest, Article: ticket.ArticleInput{Kind: ticket.ArticleInternalNote, Body: "too late"}})
	closeAgain := sendUpdate(env, 4*time.Minute, string(ticket.ActionClose), ticket.CloseInput{Request: agentRequest, State: ticket.StateClosedUnsuccessful})
	var queried ticket.View
	env.RegisterDelayedCallback(func() {
		res, err := env.QueryWorkflow(ticket.QueryTicket)
		if err != nil {
			t.Fatalf("query: %v", err)
		}
		if err := res.Get(&queried); err != nil {
			t.Fatal(err)
		}
	}, 5*time.Minute)

	env.ExecuteWorkflow(Ticket, newInput())

	if !env.IsWorkflowCompleted() || env.GetWorkflowError() != nil {
		t.Fatalf("workflow did not complete cleanly: %v", env.GetWorkflowError())
	}
	if created.err != nil || created.view.State != ticket.StateNew || created.view.Seq != 2 {
		t.Errorf("create answered %+v, %v; want state new after 2 entries", created.view, created.err)
	}
	if note.err != nil || note.view.State != ticket.StateOpen {
		t.Errorf("note answered state %q, %v; want open", note.view.State, note.err)
	}
	if closed.err != nil || closed.view.State != ticket.StateClosedSuccessful || closed.view.ClosedAt.IsZero() {
		t.Errorf("close answered %+v, %v", closed.view, closed.err)
	}
	if !refusedWith(lateNote.rejected, ticket.RefusedState, "State", string(ticket.StateClosedSuccessful)) {
		t.Errorf("note on a closed ticket: rejected = %v, want a rejection", lateNote.rejected)
	}
	if closeAgain.rejected == nil {
		t.Error("closing a closed ticket again was not rejected")
	}
	want := "NewTicket(→new) PhoneCallCustomer AddNote StateUpdate(new→open) AddNote StateUpdate(open→closed successful)"
	if got := events(p); got != want {
		t.Errorf("history:\n got %s\nwant %s", got, want)
	}
	if p.last.State != string(ticket.StateClosedSuccessful) || p.last.ClosedAt.IsZero() {
		t.Errorf("last projection %+v, want closed", p.last)
	}
	if queried.State != ticket.StateClosedSuccessful || queried.Seq != 6 {
		t.Errorf("query = %+v", queried)
	}
	if p.events[1].Article == nil || !p.events[1].Article.CustomerVisible || p.events[2].Article.CustomerVisible {
		t.Error("phone note must be customer-visible, internal note not")
	}
}

func TestTicketStaysForFollowUpWindow(t *testing.T) {
	env, _ := newEnv(t)
	sendUpdate(env, time.Minute, string(ticket.ActionClose), ticket.CloseInput{Request: agentRequest, State: ticket.StateClosedUnsuccessful})
	var alive, ended bool
	env.RegisterDelayedCallback(func() { alive = !env.IsWorkflowCompleted() }, ticket.DefaultFollowUpWindow)
	env.ExecuteWorkflow(Ticket, newInput())
	ended = env.IsWorkflowCompleted()
	if !alive || !ended {
		t.Errorf("alive during follow-up window = %v, ended after = %v", alive, ended)
	}
}

func TestInvalidNotesAreRejected(t *testing.T) {
	cases := map[string]ticket.ArticleInput{
		"empty":        {Kind: ticket.ArticleInternalNote, Body: "  \n"},
		"unknown kind": {Kind: "e-mail", Body: "hello"},
		"too long":     {Kind: ticket.ArticleInternalNote, Body: strings.Repeat("x", ticket.MaxArticleLength+1)},
	}
	for name, art := range cases {
		t.Run(name, func(t *testing.T) {
			env, p := newEnv(t)
			r := sendUpdate(env, time.Minute, string(ticket.ActionNote), ticket.AddNoteInput{Request: agentRequest, Article: art})
			sendUpdate(env, 2*time.Minute, string(ticket.ActionClose), ticket.CloseInput{Request: agentRequest, State: ticket.StateClosedSuccessful})
			env.ExecuteWorkflow(Ticket, newInput())
			if r.rejected == nil {
				t.Fatal("not rejected")
			}
			if got := events(p); strings.Contains(got, "AddNote") {
				t.Errorf("a rejected note was recorded: %s", got)
			}
		})
	}
}

func TestSearchAttributesCarryNoPersonalData(t *testing.T) {
	v := newInput().Ticket
	v.Title = "Passwort von Max Mustermann"
	sa := temporal.NewSearchAttributes(SearchAttributes(v)...)
	for k, val := range sa.GetUntypedValues() {
		if strings.Contains(fmt.Sprint(val), "Mustermann") {
			t.Errorf("search attribute %s carries the title", k.GetName())
		}
	}
	// TicketFault is registered but set only when the database refuses a change.
	if got := SearchAttributes(v); len(got)+1 != len(SearchAttributeTypes()) {
		t.Errorf("%d search attributes set, %d registered", len(got), len(SearchAttributeTypes()))
	}
	if strings.Contains(Summary(v), "Mustermann") {
		t.Error("the summary shows the title")
	}
}

// refusedWith tells whether err is the process's refusal with code and the
// given parameters.
func refusedWith(err error, code ticket.Code, nameValues ...string) bool {
	var appErr *temporal.ApplicationError
	if !errors.As(err, &appErr) || appErr.Type() != string(code) {
		return false
	}
	var args map[string]string
	if appErr.HasDetails() {
		if appErr.Details(&args) != nil {
			return false
		}
	}
	for i := 0; i+1 < len(nameValues); i += 2 {
		if args[nameValues[i]] != nameValues[i+1] {
			return false
		}
	}
	return true
}

// TestRetentionEndsTheFollowUpWindow: kizdesk itself may end a closed
// ticket's follow-up window, and the run then completes at once; an agent
// may not, nor may anyone while the ticket is still open.
func TestRetentionEndsTheFollowUpWindow(t *testing.T) {
	env, p := newEnv(t)
	system := ticket.Request{Actor: ticket.Actor{Kind: ticket.ActorSystem, Name: "retention"}}
	early := sendUpdate(env, 30*time.Second, string(ticket.ActionEndFollowUp), ticket.EndFollowUpInput{Request: system, Reason: "retention"})
	sendUpdate(env, time.Minute, string(ticket.ActionClose), ticket.CloseInput{Request: agentRequest, State: ticket.StateClosedSuccessful})
	byAgent := sendUpdate(env, 2*time.Minute, string(ticket.ActionEndFollowUp), ticket.EndFollowUpInput{Request: agentRequest, Reason: "x"})
	ended := sendUpdate(env, 3*time.Minute, string(ticket.ActionEndFollowUp), ticket.EndFollowUpInput{Request: system, Reason: "retention"})
	var completedBy time.Duration
	began := env.Now()
	env.ExecuteWorkflow(Ticket, newInput())
	if !env.IsWorkflowCompleted() || env.GetWorkflowError() != nil {
		t.Fatalf("workflow did not complete cleanly: %v", env.GetWorkflowError())
	}
	completedBy = env.Now().Sub(began)
	if !refusedWith(early.rejected, ticket.RefusedState, "State", string(ticket.StateNew)) {
		t.Errorf("ending the window of an open ticket: %v, want refused", early.rejected)
	}
	if byAgent.rejected == nil {
		t.Error("an agent ended the follow-up window")
	}
	if ended.err != nil || ended.rejected != nil {
		t.Fatalf("retention's end of the window: %v / %v", ended.rejected, ended.err)
	}
	if completedBy >= ticket.DefaultFollowUpWindow {
		t.Errorf("the run ended %s after it began, want right after the window was ended", completedBy)
	}
	if last := p.events[len(p.events)-1]; last.Event != ticket.EventFollowUpEnded || last.New != "retention" {
		t.Errorf("last history entry %+v, want FollowUpEnded", last)
	}
}
