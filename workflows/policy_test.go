package workflows

import "testing"

// TestStateTransitions spells out the whole table once more, move by move,
// so a change to policy.go shows up here as a deliberate second edit.
func TestStateTransitions(t *testing.T) {
	const (
		n  = StateNew
		o  = StateOpen
		pr = StatePendingReminder
		pp = StatePendingAutoClose
		pm = StatePendingAutoCloseNo
		cs = StateClosedSuccessful
		cu = StateClosedUnsuccessful
		m  = StateMerged
	)
	allowed := map[State][]State{
		n:  {o, pr, pp, pm, cs, cu, m},
		o:  {pr, pp, pm, cs, cu, m},
		pr: {o, pr, pp, pm, cs, cu, m},
		pp: {o, pr, pp, pm, cs, cu, m},
		pm: {o, pr, pp, pm, cs, cu, m},
		cs: {o},
		cu: {o},
		m:  {},
	}
	all := AllStates()
	if len(all) != 8 {
		t.Fatalf("%d states, want the 8 OTRS ones", len(all))
	}
	for _, from := range all {
		want := map[State]bool{}
		for _, to := range allowed[from] {
			want[to] = true
		}
		for _, to := range all {
			if got := from.CanMoveTo(to); got != want[to] {
				t.Errorf("%q → %q: allowed = %v, want %v", from, to, got, want[to])
			}
		}
	}
	if State("pending").Valid() {
		t.Error("an unknown state is valid")
	}
	if err := StateOpen.checkMove("bogus"); err == nil {
		t.Error("moving to an unknown state is allowed")
	}
}

func TestStateKinds(t *testing.T) {
	for _, s := range AllStates() {
		closed := s == StateClosedSuccessful || s == StateClosedUnsuccessful
		pending := s == StatePendingReminder || s == StatePendingAutoClose || s == StatePendingAutoCloseNo
		if s.Closed() != closed || s.Pending() != pending || s.Final() != (s == StateMerged) {
			t.Errorf("%q: closed %v pending %v final %v", s, s.Closed(), s.Pending(), s.Final())
		}
		if clocksRun(s) != (s == StateNew || s == StateOpen) {
			t.Errorf("%q: SLA clocks run = %v", s, clocksRun(s))
		}
	}
}

func TestActionsPerState(t *testing.T) {
	cases := []struct {
		state State
		act   Action
		want  bool
	}{
		{StateNew, ActionReply, true},
		{StatePendingReminder, ActionReply, true},
		{StateClosedSuccessful, ActionReply, false},
		{StateClosedSuccessful, ActionReopen, true},
		{StateOpen, ActionReopen, false},
		{StateClosedUnsuccessful, ActionLink, true},
		{StateClosedUnsuccessful, ActionPending, false},
		{StateOpen, ActionEscalate, true},
		{StateMerged, ActionNote, false},
		{StateMerged, ActionReopen, false},
		{StateMerged, ActionLink, false},
		{StatePendingAutoClose, ActionClose, true},
		{StateClosedSuccessful, ActionMerge, true},
	}
	for _, c := range cases {
		if got := c.state.Allows(c.act); got != c.want {
			t.Errorf("%q allows %q = %v, want %v", c.state, c.act, got, c.want)
		}
	}
	for act := range actionStates {
		if StateMerged.Allows(act) {
			t.Errorf("a merged ticket allows %q", act)
		}
	}
}
