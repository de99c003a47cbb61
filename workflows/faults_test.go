package workflows

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/kiz-ulm/kizdesk/ticket"
)

// newEnvFailing is newEnv with a projection that fails as fail says.
func newEnvFailing(t *testing.T, fail func(in ticket.ProjectTicketInput) error) (*testsuite.TestWorkflowEnvironment, *projection) {
	t.Helper()
	return newEnvProjecting(t, 0, fail)
}

func note(body string) ticket.AddNoteInput {
	return ticket.AddNoteInput{Request: agentRequest, Article: ticket.ArticleInput{Kind: ticket.ArticleInternalNote, Body: body}}
}

func hasBody(in ticket.ProjectTicketInput, word string) bool {
	for _, ev := range in.Events {
		if ev.Article != nil && strings.Contains(ev.Article.Body, word) {
			return true
		}
	}
	return false
}

// TestRefusedProjectionIsUndone: a change the database refuses for good is
// answered with a coded refusal and leaves the ticket as it was; the next
// change carries on without a gap in the history.
func TestRefusedProjectionIsUndone(t *testing.T) {
	env, p := newEnvFailing(t, func(in ticket.ProjectTicketInput) error {
		if hasBody(in, "poison") {
			return temporal.NewNonRetryableApplicationError("invalid byte sequence", ticket.ErrProjectionRejected, nil)
		}
		return nil
	})
	poisoned := sendUpdate(env, time.Minute, string(ticket.ActionNote), ticket.AddNoteInput{
		Request: agentRequest, Article: ticket.ArticleInput{Kind: ticket.ArticleInternalNote, Body: "poison"},
		Next: ticket.NextState{State: ticket.StateClosedSuccessful}})
	fine := sendUpdate(env, 2*time.Minute, string(ticket.ActionNote), note("fine"))
	closed := sendUpdate(env, 3*time.Minute, string(ticket.ActionClose), ticket.CloseInput{Request: agentRequest, State: ticket.StateClosedSuccessful})
	env.ExecuteWorkflow(Ticket, newInput())
	if !refusedWith(poisoned.err, ticket.RefusedStored) {
		t.Fatalf("poisoned note: err %v rejected %v", poisoned.err, poisoned.rejected)
	}
	wantDone(t, fine, closed)
	if fine.view.Seq != 4 || fine.view.State != ticket.StateOpen {
		t.Errorf("after the refused change: seq %d state %q, want 4 and open (entries 3 and 4: note, open)", fine.view.Seq, fine.view.State)
	}
	if got := events(p); strings.Contains(got, "closed") && !strings.HasSuffix(got, "StateUpdate(open→closed successful)") {
		t.Errorf("history %s", got)
	}
	for _, ev := range p.events {
		if ev.Article != nil && ev.Article.Body == "poison" {
			t.Error("the refused note reached the history")
		}
	}
}

// TestTransientProjectionFailuresAreRetried: a database that is away for
// longer than the old 30-second budget loses nothing; the change lands
// when it is back.
func TestTransientProjectionFailuresAreRetried(t *testing.T) {
	failures := 0
	env, p := newEnvFailing(t, func(in ticket.ProjectTicketInput) error {
		if hasBody(in, "during the outage") && failures < 12 {
			failures++
			return errors.New("dial tcp 127.0.0.1:5432: connect: connection refused")
		}
		return nil
	})
	during := sendUpdate(env, time.Minute, string(ticket.ActionNote), note("written during the outage"))
	env.ExecuteWorkflow(Ticket, newInput())
	if failures != 12 {
		t.Fatalf("%d failures, want 12", failures)
	}
	wantDone(t, during)
	if during.view.Seq != 4 || len(p.events) < 4 {
		t.Errorf("after the outage: seq %d, %d entries projected", during.view.Seq, len(p.events))
	}
}

// TestRequestKeys: the same key with the same content is one change, also
// when sent again later (after continue-as-new Temporal no longer knows the
// update ID); the same key with other content is refused.
func TestRequestKeys(t *testing.T) {
	env, p := newEnv(t)
	keyed := func(body, print string) ticket.AddNoteInput {
		n := note(body)
		n.Key, n.Print = "k1", print
		return n
	}
	first := sendUpdate(env, time.Minute, string(ticket.ActionNote), keyed("once", "p1"))
	again := sendUpdate(env, 2*time.Minute, string(ticket.ActionNote), keyed("once", "p1"))
	other := sendUpdate(env, 3*time.Minute, string(ticket.ActionNote), keyed("something else", "p2"))
	env.ExecuteWorkflow(Ticket, newInput())
	wantDone(t, first, again)
	if again.view.Seq != first.view.Seq {
		t.Errorf("the repeated request changed the ticket: seq %d then %d", first.view.Seq, again.view.Seq)
	}
	if !refusedWith(other.rejected, ticket.RefusedKeyReused, "Key", "k1") {
		t.Errorf("same key, other content: %v / %v", other.rejected, other.err)
	}
	notes := 0
	for _, ev := range p.events {
		if ev.Article != nil && ev.Article.Body == "once" {
			notes++
		}
	}
	if notes != 1 {
		t.Errorf("the note is in the history %d times", notes)
	}
}

// TestFollowUpToMergedTicketIsForwarded: a follow-up that reaches a ticket
// just merged away is handed on and confirmed; if the target cannot take
// it, it stays on the merged ticket — never lost.
func TestFollowUpToMergedTicketIsForwarded(t *testing.T) {
	for _, targetGone := range []bool{false, true} {
		env, p := newEnv(t)
		const into = "2026112710000099"
		var forwarded []ticket.FollowUpInput
		env.OnSignalExternalWorkflow(mock.Anything, ticket.WorkflowID(into), "", ticket.SignalMergedIn, mock.Anything).Return(nil)
		env.OnSignalExternalWorkflow(mock.Anything, ticket.WorkflowID(into), "", ticket.SignalFollowUp, mock.Anything).Return(
			func(_, _, _, _ string, arg any) error {
				if targetGone {
					return errors.New("workflow not found")
				}
				forwarded = append(forwarded, arg.(ticket.FollowUpInput))
				return nil
			})
		merged := sendUpdate(env, time.Minute, string(ticket.ActionMerge), ticket.MergeInput{Request: agentRequest, Into: into})
		msg := ticket.FollowUpInput{Actor: customer, Article: ticket.ArticleInput{Body: "Any news?"}, Key: "<m1@uni-ulm.de>"}
		env.RegisterDelayedCallback(func() {
			env.SignalWorkflow(ticket.SignalFollowUp, msg)
			env.SignalWorkflow(ticket.SignalFollowUp, msg) // delivered twice: taken once
		}, time.Minute)
		env.ExecuteWorkflow(Ticket, newInput())
		wantDone(t, merged)
		if !env.IsWorkflowCompleted() || env.GetWorkflowError() != nil {
			t.Fatalf("gone=%v: workflow did not complete cleanly: %v", targetGone, env.GetWorkflowError())
		}
		got := events(p)
		switch {
		case !targetGone && (len(forwarded) != 1 || forwarded[0].Key != msg.Key || !strings.Contains(got, ticket.EventFollowUpForwarded)):
			t.Errorf("forwarded %d messages; history %s", len(forwarded), got)
		case targetGone && strings.Count(got, ticket.EventFollowUp+" ") != 1 && !strings.HasSuffix(got, ticket.EventFollowUp):
			t.Errorf("target gone: the message must stay on the merged ticket once; history %s", got)
		}
	}
}

// TestTimeAccounting: agents account minutes on a ticket, also after it is
// closed; each accounting is a history entry, the ticket keeps the sum.
func TestTimeAccounting(t *testing.T) {
	env, p := newEnv(t)
	account := func(after time.Duration, minutes int, note string) *updateResult {
		return sendUpdate(env, after, string(ticket.ActionTime), ticket.TimeInput{Request: agentRequest, Minutes: minutes, Note: note})
	}
	first := account(time.Minute, 15, "")
	none := account(2*time.Minute, 0, "")
	tooMuch := account(3*time.Minute, ticket.MaxTimeMinutes+1, "")
	closed := sendUpdate(env, 4*time.Minute, string(ticket.ActionClose), ticket.CloseInput{Request: agentRequest, State: ticket.StateClosedSuccessful})
	after := account(5*time.Minute, 30, "Wrote up the fix.")
	env.ExecuteWorkflow(Ticket, newInput())
	wantDone(t, first, closed, after)
	if !refusedWith(none.rejected, ticket.FieldChoose, "Field", "minutes") || !refusedWith(tooMuch.rejected, ticket.FieldChoose) {
		t.Errorf("0 minutes: %v; a day and a minute: %v", none.rejected, tooMuch.rejected)
	}
	if after.view.TimeSpent != 45 || p.last.TimeSpent != 45 {
		t.Errorf("time spent %d (projected %d), want 45", after.view.TimeSpent, p.last.TimeSpent)
	}
	if got := events(p); strings.Count(got, ticket.EventTimeAccounting+"(→15)") != 1 || !strings.HasSuffix(got, ticket.EventTimeAccounting+"(→30)") {
		t.Errorf("history %s", got)
	}
}
