package workflows

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kiz-ulm/kizdesk/calendar"
	"github.com/kiz-ulm/kizdesk/ticket"
)

// TestStateTransitions spells out the whole table once more, move by move,
// so a change to policy.go shows up here as a deliberate second edit.
func TestStateTransitions(t *testing.T) {
	const (
		n  = ticket.StateNew
		o  = ticket.StateOpen
		pr = ticket.StatePendingReminder
		pp = ticket.StatePendingAutoClose
		pm = ticket.StatePendingAutoCloseNo
		cs = ticket.StateClosedSuccessful
		cu = ticket.StateClosedUnsuccessful
		m  = ticket.StateMerged
	)
	allowed := map[ticket.State][]ticket.State{
		n:  {o, pr, pp, pm, cs, cu, m},
		o:  {pr, pp, pm, cs, cu, m},
		pr: {o, pr, pp, pm, cs, cu, m},
		pp: {o, pr, pp, pm, cs, cu, m},
		pm: {o, pr, pp, pm, cs, cu, m},
		cs: {o},
		cu: {o},
		m:  {},
	}
	all := ticket.AllStates()
	if len(all) != 8 {
		t.Fatalf("%d states, want the 8 OTRS ones", len(all))
	}
	for _, from := range all {
		want := map[ticket.State]bool{}
		for _, to := range allowed[from] {
			want[to] = true
		}
		for _, to := range all {
			if got := CanMove(from, to); got != want[to] {
				t.Errorf("%q → %q: allowed = %v, want %v", from, to, got, want[to])
			}
		}
	}
	if ticket.State("pending").Valid() {
		t.Error("an unknown state is valid")
	}
	if err := checkMove(ticket.StateOpen, "bogus"); err == nil {
		t.Error("moving to an unknown state is allowed")
	}
}

func TestStateKinds(t *testing.T) {
	for _, s := range ticket.AllStates() {
		closed := s == ticket.StateClosedSuccessful || s == ticket.StateClosedUnsuccessful
		pending := s == ticket.StatePendingReminder || s == ticket.StatePendingAutoClose || s == ticket.StatePendingAutoCloseNo
		if s.Closed() != closed || s.Pending() != pending || s.Final() != (s == ticket.StateMerged) {
			t.Errorf("%q: closed %v pending %v final %v", s, s.Closed(), s.Pending(), s.Final())
		}
		if clocksRun(s) != (s == ticket.StateNew || s == ticket.StateOpen) {
			t.Errorf("%q: SLA clocks run = %v", s, clocksRun(s))
		}
	}
}

func TestActionsPerState(t *testing.T) {
	cases := []struct {
		state ticket.State
		act   ticket.Action
		want  bool
	}{
		{ticket.StateNew, ticket.ActionReply, true},
		{ticket.StatePendingReminder, ticket.ActionReply, true},
		{ticket.StateClosedSuccessful, ticket.ActionReply, false},
		{ticket.StateClosedSuccessful, ticket.ActionReopen, true},
		{ticket.StateOpen, ticket.ActionReopen, false},
		{ticket.StateClosedUnsuccessful, ticket.ActionLink, true},
		{ticket.StateClosedUnsuccessful, ticket.ActionPending, false},
		{ticket.StateOpen, ticket.ActionEscalate, true},
		{ticket.StateMerged, ticket.ActionNote, false},
		{ticket.StateMerged, ticket.ActionReopen, false},
		{ticket.StateMerged, ticket.ActionLink, false},
		{ticket.StatePendingAutoClose, ticket.ActionClose, true},
		// closed tickets come back only by reopening: no merge, as the moves say
		{ticket.StateClosedSuccessful, ticket.ActionMerge, false},
	}
	for _, c := range cases {
		if got := Allows(c.state, c.act); got != c.want {
			t.Errorf("%q allows %q = %v, want %v", c.state, c.act, got, c.want)
		}
	}
	for act := range actionStates {
		if Allows(ticket.StateMerged, act) {
			t.Errorf("a merged ticket allows %q", act)
		}
	}
}

// The invariants of the process. They hold whatever a process owner
// changes in policy.go; a change that breaks one is a broken process.
func TestPolicyInvariants(t *testing.T) {
	all := ticket.AllStates()
	t.Run("every state is reachable from new", func(t *testing.T) {
		seen := map[ticket.State]bool{ticket.StateNew: true}
		queue := []ticket.State{ticket.StateNew}
		for len(queue) > 0 {
			s := queue[0]
			queue = queue[1:]
			for _, n := range transitions[s] {
				if !seen[n] {
					seen[n] = true
					queue = append(queue, n)
				}
			}
		}
		for _, s := range all {
			if !seen[s] {
				t.Errorf("%q cannot be reached", s)
			}
		}
	})
	t.Run("every state has a row and only known targets", func(t *testing.T) {
		for _, s := range all {
			targets, ok := transitions[s]
			if !ok {
				t.Errorf("%q has no row in transitions", s)
			}
			for _, n := range targets {
				if !n.Valid() || n == s && !s.Pending() {
					t.Errorf("%q -> %q is not a move", s, n)
				}
			}
		}
	})
	t.Run("final states have no exits and allow nothing", func(t *testing.T) {
		for _, s := range all {
			if !s.Final() {
				continue
			}
			if len(transitions[s]) != 0 {
				t.Errorf("final %q has exits %v", s, transitions[s])
			}
			for act := range actionStates {
				if Allows(s, act) {
					t.Errorf("final %q allows %q", s, act)
				}
			}
		}
	})
	t.Run("closed states lead only back to open", func(t *testing.T) {
		for _, s := range ticket.ClosedStates() {
			if len(transitions[s]) != 1 || transitions[s][0] != ticket.StateOpen {
				t.Errorf("closed %q moves to %v", s, transitions[s])
			}
		}
	})
	t.Run("every action is allowed somewhere", func(t *testing.T) {
		for _, act := range []ticket.Action{ticket.ActionNote, ticket.ActionReply, ticket.ActionAssign, ticket.ActionLock,
			ticket.ActionWatch, ticket.ActionMove, ticket.ActionClassify, ticket.ActionEscalate, ticket.ActionHandBack,
			ticket.ActionPending, ticket.ActionClose, ticket.ActionReopen, ticket.ActionMerge, ticket.ActionLink} {
			if len(actionStates[act]) == 0 {
				t.Errorf("%q is allowed nowhere", act)
			}
		}
	})
	t.Run("actions that move respect the moves", func(t *testing.T) {
		for act, targets := range actionMoves {
			for _, s := range actionStates[act] {
				ok := false
				for _, n := range targets {
					ok = ok || CanMove(s, n) || (n == s && act == ticket.ActionPending)
				}
				if !ok {
					t.Errorf("%q is allowed in %q, but no move to %v is", act, s, targets)
				}
			}
		}
	})
	t.Run("auto close ends in a closed state the moves allow", func(t *testing.T) {
		for from, to := range autoCloseTo {
			if !from.Pending() || !to.Closed() || !CanMove(from, to) {
				t.Errorf("auto close %q -> %q", from, to)
			}
		}
	})
	t.Run("locked actions exist and are allowed somewhere", func(t *testing.T) {
		for _, act := range lockedActions {
			if len(actionStates[act]) == 0 {
				t.Errorf("locked action %q is allowed nowhere", act)
			}
		}
	})
	t.Run("clocks run only in work states", func(t *testing.T) {
		for _, s := range all {
			if clocksRun(s) && !slices.Contains(ticket.WorkStates(), s) {
				t.Errorf("clocks run in %q", s)
			}
		}
	})
}

// TestDeadlinesAreOneList: the timer is armed for the earliest of the same
// deadlines that are acted on; on a pending reminder the due time is the
// next working moment, which is what the row shows as ReminderDue.
func TestDeadlinesAreOneList(t *testing.T) {
	cal := calendar.Calendar{Name: "kiz", Location: "Europe/Berlin"}
	week, err := calendar.ParseWeek("Mon-Fri 08:00-18:00")
	if err != nil {
		t.Fatal(err)
	}
	cal.Week = week
	fri := time.Date(2026, 12, 4, 20, 0, 0, 0, time.UTC) // Friday 21:00 in Berlin
	v := ticket.View{State: ticket.StatePendingReminder, PendingUntil: fri}
	d, ok := earliestDue(deadlines(v, &ticket.Clocks{}, true, cal))
	if !ok || d.Kind != dueReminder {
		t.Fatalf("next deadline %+v, %v", d, ok)
	}
	monday := time.Date(2026, 12, 7, 7, 0, 0, 0, time.UTC) // Monday 08:00 in Berlin
	if !d.At.Equal(monday) || !reminderDue(v, cal).Equal(monday) {
		t.Errorf("reminder due %v (row: %v), want %v", d.At, reminderDue(v, cal), monday)
	}
	v.ReminderReached = true
	if _, ok := earliestDue(deadlines(v, &ticket.Clocks{}, true, cal)); ok {
		t.Error("a reached reminder is due again")
	}
	v = ticket.View{State: ticket.StatePendingAutoCloseNo, PendingUntil: fri}
	if d, _ := earliestDue(deadlines(v, &ticket.Clocks{}, true, cal)); d.Kind != dueAutoClose || !d.At.Equal(fri) {
		t.Errorf("auto close due %+v, want at %v (auto close ignores the calendar)", d, fri)
	}
}

// TestWhoMayCloseAsCustomer: the one action a customer sends is closing
// as solved; every other action and every other close is refused, while
// agents are judged by their grants as before.
func TestWhoMayCloseAsCustomer(t *testing.T) {
	customer := ticket.Request{Actor: ticket.Actor{Kind: ticket.ActorCustomer, ID: 5}}
	agent := ticket.Request{Actor: ticket.Actor{Kind: ticket.ActorAgent, ID: 7}}
	integration := ticket.Request{Actor: ticket.Actor{Kind: ticket.ActorIntegration, ID: 1}}
	for _, c := range []struct {
		name   string
		action ticket.Action
		in     ticket.Input
		ok     bool
	}{
		{"customer closes as solved", ticket.ActionClose, ticket.CloseInput{Request: customer, State: ticket.StateClosedSuccessful}, true},
		{"customer closes unsuccessfully", ticket.ActionClose, ticket.CloseInput{Request: customer, State: ticket.StateClosedUnsuccessful}, false},
		{"customer closes without a state", ticket.ActionClose, ticket.CloseInput{Request: customer}, false},
		{"customer closes with a note", ticket.ActionClose, ticket.CloseInput{Request: customer, State: ticket.StateClosedSuccessful, Note: "internal?"}, false},
		{"customer reopens", ticket.ActionReopen, ticket.ReopenInput{Request: customer}, false},
		{"customer writes a note", ticket.ActionNote, ticket.AddNoteInput{Request: customer, Article: ticket.ArticleInput{Kind: ticket.ArticleInternalNote, Body: "x"}}, false},
		{"customer sets pending", ticket.ActionPending, ticket.PendingInput{Request: customer, State: ticket.StatePendingReminder}, false},
		{"customer merges", ticket.ActionMerge, ticket.MergeInput{Request: customer}, false},
		{"agent closes unsuccessfully", ticket.ActionClose, ticket.CloseInput{Request: agent, State: ticket.StateClosedUnsuccessful}, true},
		{"agent closes with a note", ticket.ActionClose, ticket.CloseInput{Request: agent, State: ticket.StateClosedSuccessful, Note: "done"}, true},
		{"integration closes", ticket.ActionClose, ticket.CloseInput{Request: integration, State: ticket.StateClosedSuccessful}, true},
	} {
		err := checkCustomer(c.action, c.in)
		if (err == nil) != c.ok {
			t.Errorf("%s: %v, want allowed = %v", c.name, err, c.ok)
		}
		if err != nil && !strings.Contains(err.Error(), string(ticket.RefusedForbidden)) {
			t.Errorf("%s: %v, want %s", c.name, err, ticket.RefusedForbidden)
		}
	}
}

// TestCustomerClosesThroughTheProcess: a customer's close as solved is
// carried out by the ticket; a customer's close as unsuccessful is
// refused before it enters the history.
func TestCustomerClosesThroughTheProcess(t *testing.T) {
	env, _ := newEnv(t)
	in := timedInput(t, env)
	bad := sendUpdate(env, time.Minute, string(ticket.ActionClose), ticket.CloseInput{Request: ticket.Request{Actor: customer}, State: ticket.StateClosedUnsuccessful})
	good := sendUpdate(env, 2*time.Minute, string(ticket.ActionClose), ticket.CloseInput{Request: ticket.Request{Actor: customer}, State: ticket.StateClosedSuccessful})
	env.ExecuteWorkflow(Ticket, in)
	wantDone(t, good)
	if bad.rejected == nil || !strings.Contains(bad.rejected.Error(), string(ticket.RefusedForbidden)) {
		t.Errorf("a customer's unsuccessful close: %v, want %s", bad.rejected, ticket.RefusedForbidden)
	}
	if good.view.State != ticket.StateClosedSuccessful {
		t.Errorf("after the customer's close: %s, want closed successful", good.view.State)
	}
}
