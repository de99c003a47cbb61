package workflows

import "testing"

func TestStateTransitions(t *testing.T) {
	all := []State{StateNew, StateOpen, StateClosedSuccessful, StateClosedUnsuccessful}
	allowed := map[State]map[State]bool{
		StateNew:  {StateOpen: true, StateClosedSuccessful: true, StateClosedUnsuccessful: true},
		StateOpen: {StateClosedSuccessful: true, StateClosedUnsuccessful: true},
	}
	for _, from := range all {
		for _, to := range all {
			if got, want := from.CanMoveTo(to), allowed[from][to]; got != want {
				t.Errorf("%q → %q: allowed = %v, want %v", from, to, got, want)
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

func TestClosedStates(t *testing.T) {
	for s, want := range map[State]bool{StateNew: false, StateOpen: false, StateClosedSuccessful: true, StateClosedUnsuccessful: true} {
		if s.Closed() != want {
			t.Errorf("%q.Closed() = %v", s, !want)
		}
	}
}
