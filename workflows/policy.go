package workflows

import (
	"fmt"
	"slices"

	"github.com/kiz-ulm/kizdesk/ticket"
)

// This file is the kiz-wide ticket process as a process owner reads it:
// which states exist, which moves between them are allowed, which action
// is allowed in which state, which clocks run when, and when a ticket
// escalates. ticket.go carries it out. Change the rules here; read the
// README's "How to change the ITIL process" before changing them for
// tickets in flight.

// ProcessVersion names the process as this code runs it. Raise it with
// every change to the lifecycle: histories recorded for the replay test are
// named after it, so those of earlier versions stay and keep being checked.
const ProcessVersion = "v2"

// transitions lists, for each state, the states a ticket may move to.
// A pending ticket may be set to another pending state (a new due time);
// a closed one only comes back by reopening; merged is final.
var transitions = map[ticket.State][]ticket.State{
	ticket.StateNew:                join([]ticket.State{ticket.StateOpen}, pending, closed, merged),
	ticket.StateOpen:               join(pending, closed, merged),
	ticket.StatePendingReminder:    join([]ticket.State{ticket.StateOpen}, pending, closed, merged),
	ticket.StatePendingAutoClose:   join([]ticket.State{ticket.StateOpen}, pending, closed, merged),
	ticket.StatePendingAutoCloseNo: join([]ticket.State{ticket.StateOpen}, pending, closed, merged),
	ticket.StateClosedSuccessful:   {ticket.StateOpen},
	ticket.StateClosedUnsuccessful: {ticket.StateOpen},
	ticket.StateMerged:             {},
}

var (
	work    = ticket.WorkStates()
	pending = ticket.PendingStates()
	closed  = ticket.ClosedStates()
	merged  = []ticket.State{ticket.StateMerged}
	join    = ticket.Join
)

// actionStates says in which states an action is allowed. Anything not
// listed is refused with a message naming the state.
var actionStates = map[ticket.Action][]ticket.State{
	ticket.ActionNote:     join(work, pending),
	ticket.ActionReply:    join(work, pending),
	ticket.ActionAssign:   join(work, pending),
	ticket.ActionLock:     join(work, pending),
	ticket.ActionWatch:    join(work, pending, closed),
	ticket.ActionMove:     join(work, pending),
	ticket.ActionClassify: join(work, pending),
	ticket.ActionEscalate: join(work, pending),
	ticket.ActionHandBack: join(work, pending),
	ticket.ActionPending:  join(work, pending),
	ticket.ActionClose:    join(work, pending),
	ticket.ActionReopen:   closed,
	ticket.ActionMerge:    join(work, pending, closed),
	ticket.ActionLink:     join(work, pending, closed),
}

// lockedActions may only be done by the owner while the ticket is locked;
// everybody may still write an internal note, watch, or unlock.
var lockedActions = []ticket.Action{ticket.ActionReply, ticket.ActionAssign, ticket.ActionMove, ticket.ActionClassify, ticket.ActionEscalate,
	ticket.ActionHandBack, ticket.ActionPending, ticket.ActionClose, ticket.ActionReopen, ticket.ActionMerge}

// The SLA clocks, and when each runs:
//   - first response: from creation until the first customer-visible
//     answer of an agent (a reply or a phone note);
//   - update: from the first response until the next customer-visible
//     answer, restarted by each one — the customer hears from us at least
//     this often;
//   - solution: from creation until the ticket is closed.
//
// All three count working time on the calendar of the ticket's service,
// stand still while the ticket is pending (the customer has the ball), and
// go on where they stood when it is reopened. The automatic escalation
// from 1st to 2nd level counts the same way and fires only while the
// ticket is still at 1st level.

// clocksRun tells whether SLA clocks count in state s.
func clocksRun(s ticket.State) bool {
	return s == ticket.StateNew || s == ticket.StateOpen
}

// CanMove tells whether the process allows moving from s to next.
func CanMove(s, next ticket.State) bool {
	return slices.Contains(transitions[s], next)
}

// checkMove returns a message an agent understands when s may not move to next.
func checkMove(s, next ticket.State) error {
	if !next.Valid() {
		return fmt.Errorf("%q is not a ticket state", next)
	}
	if !CanMove(s, next) {
		return fmt.Errorf("a ticket in state %q cannot be set to %q", s, next)
	}
	return nil
}

// Allows tells whether action a may be done on a ticket in state s.
func Allows(s ticket.State, a ticket.Action) bool {
	return slices.Contains(actionStates[a], s)
}

func checkAction(s ticket.State, a ticket.Action) error {
	if !Allows(s, a) {
		return fmt.Errorf("a ticket in state %q cannot be changed by %q", s, a)
	}
	return nil
}

// answersCustomer tells whether an agent's article of kind k counts as an
// answer for the first response and update clocks.
func answersCustomer(k ticket.ArticleKind) bool {
	return k == ticket.ArticlePhoneNote || k == ticket.ArticleReply
}
