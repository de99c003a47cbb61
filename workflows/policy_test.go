package workflows

import (
	"testing"

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
		{ticket.StateClosedSuccessful, ticket.ActionMerge, true},
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
