package workflows

import (
	"fmt"
	"slices"
	"time"
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

// State is a ticket state; the names are the OTRS ones kiz staff know.
type State string

const (
	StateNew                State = "new"
	StateOpen               State = "open"
	StatePendingReminder    State = "pending reminder"
	StatePendingAutoClose   State = "pending auto close+"
	StatePendingAutoCloseNo State = "pending auto close-"
	StateClosedSuccessful   State = "closed successful"
	StateClosedUnsuccessful State = "closed unsuccessful"
	StateMerged             State = "merged"
)

var (
	pendingStates = []State{StatePendingReminder, StatePendingAutoClose, StatePendingAutoCloseNo}
	closedStates  = []State{StateClosedSuccessful, StateClosedUnsuccessful}
	workStates    = []State{StateNew, StateOpen}
)

// transitions lists, for each state, the states a ticket may move to.
// A pending ticket may be set to another pending state (a new due time);
// a closed one only comes back by reopening; merged is final.
var transitions = map[State][]State{
	StateNew:                join(workStates[1:], pendingStates, closedStates, []State{StateMerged}),
	StateOpen:               join(pendingStates, closedStates, []State{StateMerged}),
	StatePendingReminder:    join([]State{StateOpen}, pendingStates, closedStates, []State{StateMerged}),
	StatePendingAutoClose:   join([]State{StateOpen}, pendingStates, closedStates, []State{StateMerged}),
	StatePendingAutoCloseNo: join([]State{StateOpen}, pendingStates, closedStates, []State{StateMerged}),
	StateClosedSuccessful:   {StateOpen},
	StateClosedUnsuccessful: {StateOpen},
	StateMerged:             {},
}

// Action is something an agent or customer does to a ticket; each is an
// Update of the ticket's workflow (messages.go names them).
type Action string

// actionStates says in which states an action is allowed. Anything not
// listed is refused with a message naming the state.
var actionStates = map[Action][]State{
	ActionNote:     join(workStates, pendingStates),
	ActionReply:    join(workStates, pendingStates),
	ActionAssign:   join(workStates, pendingStates),
	ActionLock:     join(workStates, pendingStates),
	ActionWatch:    join(workStates, pendingStates, closedStates),
	ActionMove:     join(workStates, pendingStates),
	ActionClassify: join(workStates, pendingStates),
	ActionEscalate: join(workStates, pendingStates),
	ActionHandBack: join(workStates, pendingStates),
	ActionPending:  join(workStates, pendingStates),
	ActionClose:    join(workStates, pendingStates),
	ActionReopen:   closedStates,
	ActionMerge:    join(workStates, pendingStates, closedStates),
	ActionLink:     join(workStates, pendingStates, closedStates),
}

// lockedActions may only be done by the owner while the ticket is locked;
// everybody may still write an internal note, watch, or unlock.
var lockedActions = []Action{ActionReply, ActionAssign, ActionMove, ActionClassify, ActionEscalate,
	ActionHandBack, ActionPending, ActionClose, ActionReopen, ActionMerge}

// MaxPending bounds how far ahead a pending time may be set.
const MaxPending = 2 * 365 * 24 * time.Hour

// DefaultFollowUpWindow is how long a closed ticket still takes follow-ups
// (a customer's answer reopens it) when its queue does not say otherwise.
// After the window the workflow completes, the ticket lives on in the
// database, and a follow-up makes a new ticket linked to the old one.
const DefaultFollowUpWindow = 7 * 24 * time.Hour

// MaxArticleLength bounds an article's text; longer text is refused, not cut.
const MaxArticleLength = 100_000

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
func clocksRun(s State) bool {
	return s == StateNew || s == StateOpen
}

// Valid tells whether s is a known state.
func (s State) Valid() bool {
	_, ok := transitions[s]
	return ok
}

// Closed tells whether s ends the work on a ticket (merged does too).
func (s State) Closed() bool {
	return slices.Contains(closedStates, s)
}

// Pending tells whether s waits for a due time.
func (s State) Pending() bool {
	return slices.Contains(pendingStates, s)
}

// Final tells whether nothing can happen to a ticket in state s any more.
func (s State) Final() bool {
	return s == StateMerged
}

// CanMoveTo tells whether the process allows moving from s to next.
func (s State) CanMoveTo(next State) bool {
	return slices.Contains(transitions[s], next)
}

// checkMove returns a message an agent understands when s may not move to next.
func (s State) checkMove(next State) error {
	if !next.Valid() {
		return fmt.Errorf("%q is not a ticket state", next)
	}
	if !s.CanMoveTo(next) {
		return fmt.Errorf("a ticket in state %q cannot be set to %q", s, next)
	}
	return nil
}

// Allows tells whether action a may be done on a ticket in state s.
func (s State) Allows(a Action) bool {
	return slices.Contains(actionStates[a], s)
}

func (s State) checkAction(a Action) error {
	if !s.Allows(a) {
		return fmt.Errorf("a ticket in state %q cannot be changed by %q", s, a)
	}
	return nil
}

// OpenStates are the states in which a ticket is still being worked on;
// queue views show tickets in these states.
func OpenStates() []State {
	return join(workStates, pendingStates)
}

// PendingStates are the states that wait for a due time.
func PendingStates() []State { return slices.Clone(pendingStates) }

// AllStates lists every state in the order a process owner reads them.
func AllStates() []State {
	return join(workStates, pendingStates, closedStates, []State{StateMerged})
}

// Level is the support level a ticket sits at.
type Level string

const (
	LevelFirst  Level = "1st level"
	LevelSecond Level = "2nd level"
	LevelTeam   Level = "team"
)

// Valid tells whether l is a known level.
func (l Level) Valid() bool {
	return l == LevelFirst || l == LevelSecond || l == LevelTeam
}

// ArticleKind says what an article is and who may see it.
type ArticleKind string

const (
	ArticleInternalNote ArticleKind = "internal note"
	ArticlePhoneNote    ArticleKind = "phone note"
	ArticleReply        ArticleKind = "reply"
	ArticleCustomer     ArticleKind = "customer message"
)

// Valid tells whether k is a known article kind.
func (k ArticleKind) Valid() bool {
	return k == ArticleInternalNote || k == ArticlePhoneNote || k == ArticleReply || k == ArticleCustomer
}

// CustomerVisible tells whether the customer sees articles of kind k: a
// phone note records what was said with the customer, a reply is written
// to them, their own messages are theirs; an internal note is for agents.
func (k ArticleKind) CustomerVisible() bool {
	return k != ArticleInternalNote
}

// answersCustomer tells whether an agent's article of kind k counts as an
// answer for the first response and update clocks.
func (k ArticleKind) answersCustomer() bool {
	return k == ArticlePhoneNote || k == ArticleReply
}

func join(lists ...[]State) []State {
	var out []State
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}
