package workflows

import (
	"slices"
	"time"

	"github.com/kiz-ulm/kizdesk/calendar"
	"github.com/kiz-ulm/kizdesk/ticket"
)

// This file is the kiz-wide ticket process as a process owner reads it:
// which moves between states are allowed, which action is allowed in which
// state and under a lock, which clocks run when, when a ticket escalates,
// where auto close leads, and what falls due when. Everything here is a
// table or a pure function; ticket.go only carries it out. Change the
// rules here; read the README's "How to change the ITIL process" before
// changing them for tickets in flight. The words (states, levels, kinds)
// are in package ticket.

// ProcessVersion names the process as this code runs it. Raise it with
// every change to the lifecycle: histories recorded for the replay test are
// named after it, so those of earlier versions stay and keep being checked.
const ProcessVersion = "v2"

var (
	work    = ticket.WorkStates()
	pending = ticket.PendingStates()
	closed  = ticket.ClosedStates()
	merged  = []ticket.State{ticket.StateMerged}
	join    = ticket.Join
)

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

// actionStates says in which states an action is allowed. Anything not
// listed is refused with a message naming the state. An action that moves
// the ticket (merge, close, pending, reopen) is listed only where the move
// is allowed too; the invariant test checks it.
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
	ticket.ActionMerge:    join(work, pending),
	ticket.ActionLink:     join(work, pending, closed),
	ticket.ActionTime:     join(work, pending, closed),
	// Retention, on a closed ticket still taking follow-ups.
	ticket.ActionEndFollowUp: closed,
}

// actionMoves says to which state an action moves a ticket (where it moves
// it at all), so the invariant test can hold actionStates to transitions.
var actionMoves = map[ticket.Action][]ticket.State{
	ticket.ActionPending: pending,
	ticket.ActionClose:   closed,
	ticket.ActionReopen:  {ticket.StateOpen},
	ticket.ActionMerge:   merged,
}

// lockedActions may only be done by the owner while the ticket is locked;
// everybody may still write an internal note, watch, link, or unlock.
var lockedActions = []ticket.Action{ticket.ActionReply, ticket.ActionAssign, ticket.ActionMove, ticket.ActionClassify,
	ticket.ActionEscalate, ticket.ActionHandBack, ticket.ActionPending, ticket.ActionClose, ticket.ActionReopen,
	ticket.ActionMerge}

// autoCloseTo is where a pending auto close ends when its time has come.
var autoCloseTo = map[ticket.State]ticket.State{
	ticket.StatePendingAutoClose:   ticket.StateClosedSuccessful,
	ticket.StatePendingAutoCloseNo: ticket.StateClosedUnsuccessful,
}

// unlockOnClose: closing a ticket unlocks it (as OTRS does), so a closed
// ticket that is reopened is free for anyone to take.
const unlockOnClose = true

// CanMove tells whether the process allows moving from s to next.
func CanMove(s, next ticket.State) bool {
	return slices.Contains(transitions[s], next)
}

// Allows tells whether action a may be done on a ticket in state s.
func Allows(s ticket.State, a ticket.Action) bool {
	return slices.Contains(actionStates[a], s)
}

// checkMove refuses a move the process does not allow.
func checkMove(s, next ticket.State) error {
	if !next.Valid() || !CanMove(s, next) {
		return refuse(ticket.RefusedMove, "State", string(s), "Next", string(next))
	}
	return nil
}

// checkAction refuses what the ticket's state or lock does not allow.
func checkAction(v ticket.View, a ticket.Action, actor ticket.Actor) error {
	if v.State == ticket.StateMerged {
		return refuse(ticket.RefusedMerged, "Into", v.MergedInto, "Action", string(a))
	}
	if !Allows(v.State, a) {
		return refuse(ticket.RefusedState, "State", string(v.State), "Action", string(a))
	}
	if v.Locked && actor.Kind == ticket.ActorAgent && actor.ID != v.OwnerID && slices.Contains(lockedActions, a) {
		return refuse(ticket.RefusedLocked, "Owner", v.OwnerName, "Action", string(a))
	}
	return nil
}

// --- SLA clocks ---
//
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

// answersCustomer tells whether an agent's article of kind k counts as an
// answer for the first response and update clocks.
func answersCustomer(k ticket.ArticleKind) bool {
	return k == ticket.ArticlePhoneNote || k == ticket.ArticleReply
}

// clocksOnCreate starts a new ticket's clocks.
func clocksOnCreate(cs *ticket.Clocks, v ticket.View, now time.Time) {
	terms := v.Terms
	cs.FirstResponse.Restart(terms.FirstResponse, now, true)
	cs.Solution.Restart(terms.Solution, now, true)
	// The update clock runs only from the first response on.
	cs.Update = ticket.Clock{Target: terms.Update, Done: true}
	cs.Escalation = ticket.Clock{Target: terms.EscalateAfter, Done: v.Level != ticket.LevelFirst}
	cs.Escalation.Start(now)
}

// clocksOnAnswer: an agent's answer to the customer meets the first
// response and restarts the update clock.
func clocksOnAnswer(cs *ticket.Clocks, v *ticket.View, cal calendar.Calendar, now time.Time) {
	if v.SLA.FirstResponseAt.IsZero() {
		cs.FirstResponse.Stop(cal, now)
		v.SLA.FirstResponseAt = now
		v.SLA.FirstResponseTime = cs.FirstResponse.Used
	}
	cs.Update.Restart(v.Terms.Update, now, clocksRun(v.State))
}

// clocksOnMove lets the clocks follow a change of state: they stand while
// pending, stop on close, and go on where they stood on reopen.
func clocksOnMove(cs *ticket.Clocks, v *ticket.View, cal calendar.Calendar, prev, next ticket.State, now time.Time) {
	switch {
	case next.Closed() || next.Final():
		for _, c := range cs.All() {
			c.Stop(cal, now)
		}
		v.SLA.SolutionTime = cs.Solution.Used
	case prev.Closed():
		// Reopened: the solution clock goes on, and the customer waits
		// for an answer again.
		cs.Solution.Done = false
		cs.Solution.Start(now)
		if v.SLA.FirstResponseAt.IsZero() {
			cs.FirstResponse.Done = false
			cs.FirstResponse.Start(now)
		} else {
			cs.Update.Restart(v.Terms.Update, now, true)
		}
		if v.Level == ticket.LevelFirst && v.SLA.EscalatedAt.IsZero() {
			cs.Escalation.Done = false
			cs.Escalation.Start(now)
		}
	case clocksRun(prev) && !clocksRun(next):
		for _, c := range cs.All() {
			c.Pause(cal, now)
		}
	case !clocksRun(prev) && clocksRun(next):
		for _, c := range cs.All() {
			c.Start(now)
		}
	}
}

// canEscalate tells whether the automatic escalation applies: the ticket
// is at 1st level and its service names a 2nd-level queue to go to.
func canEscalate(v ticket.View) bool {
	return v.Level == ticket.LevelFirst && v.Terms.SecondLevel.ID != 0 &&
		v.Terms.SecondLevel.ID != v.QueueID && v.Terms.EscalateAfter > 0
}

// reminderDue is when a pending reminder is due: the pending time, or the
// next working moment of the ticket's calendar after it (nobody is told at
// night). Zero unless the ticket waits for a reminder.
func reminderDue(v ticket.View, cal calendar.Calendar) time.Time {
	if v.State != ticket.StatePendingReminder || v.PendingUntil.IsZero() {
		return time.Time{}
	}
	return cal.NextWorking(v.PendingUntil)
}

// --- what falls due ---

// dueKind is what happens when a deadline is reached.
type dueKind int

const (
	dueSLAWarning dueKind = iota // the clock has used its warning share
	dueSLABreach                 // the clock has run out
	dueEscalate                  // 1st level too long: to the 2nd-level queue
	dueReminder                  // tell the owner the reminder is due
	dueAutoClose                 // close as autoCloseTo says
	dueWindowEnd                 // the follow-up window is over: the workflow ends
)

// deadline is one thing that falls due at At.
type deadline struct {
	At    time.Time
	Kind  dueKind
	Clock string // SLA warnings and breaches: which clock
	Label string // the timer's name in the Temporal UI
}

// deadlines lists everything that will fall due for the ticket, in the
// order in which things due at the same moment are done. The one timer
// of the workflow is armed for the earliest, and when it fires every
// deadline that has come is acted on — one list for both, so what the
// timer waits for and what is done can never disagree.
func deadlines(v ticket.View, cs *ticket.Clocks, timed bool, cal calendar.Calendar) []deadline {
	var out []deadline
	add := func(at time.Time, kind dueKind, clock, label string) {
		if !at.IsZero() {
			out = append(out, deadline{At: at, Kind: kind, Clock: clock, Label: label})
		}
	}
	if timed && clocksRun(v.State) {
		for _, c := range cs.SLA() {
			if c.C.Breached {
				continue
			}
			label := ticket.ClockLabels[c.Name]
			add(c.C.WarnAt(cal, v.Terms.WarnPercent), dueSLAWarning, c.Name, label+" warning")
			add(c.C.Due(cal), dueSLABreach, c.Name, label+" due")
		}
		if canEscalate(v) {
			add(cs.Escalation.Due(cal), dueEscalate, "", "escalate to "+v.Terms.SecondLevel.Name)
		}
	}
	switch {
	case v.State == ticket.StatePendingReminder && !v.ReminderReached:
		add(reminderDue(v, cal), dueReminder, "", "reminder")
	case autoCloseTo[v.State] != "":
		add(v.PendingUntil, dueAutoClose, "", string(v.State))
	case v.State.Closed():
		add(v.FollowUpUntil, dueWindowEnd, "", "follow-up window ends")
	}
	return out
}

// earliestDue returns the earliest deadline; ok is false when nothing is due ever.
func earliestDue(ds []deadline) (deadline, bool) {
	var first deadline
	for i, d := range ds {
		if i == 0 || d.At.Before(first.At) {
			first = d
		}
	}
	return first, len(ds) > 0
}

// --- permissions ---
//
// Which permission on the ticket's queue each action needs is part of the
// process: the desk checks it before it sends an action (and the target
// queue of a move itself), and the ticket checks the grant the desk sent
// once more when the action arrives, against the queue the ticket is in
// then.

// actionPerms is the permission an agent needs on the ticket's current
// queue for each action, as OTRS asks for it. Moving, escalating and
// handing back need move_into here and on the target queue.
var actionPerms = map[ticket.Action]ticket.Perm{
	ticket.ActionNote:     ticket.PermNote,
	ticket.ActionReply:    ticket.PermRW,
	ticket.ActionAssign:   ticket.PermOwner,
	ticket.ActionLock:     ticket.PermOwner,
	ticket.ActionWatch:    ticket.PermRO,
	ticket.ActionMove:     ticket.PermMoveInto,
	ticket.ActionClassify: ticket.PermRW,
	ticket.ActionEscalate: ticket.PermMoveInto,
	ticket.ActionHandBack: ticket.PermMoveInto,
	ticket.ActionPending:  ticket.PermRW,
	ticket.ActionClose:    ticket.PermRW,
	ticket.ActionReopen:   ticket.PermRW,
	ticket.ActionMerge:    ticket.PermRW,
	ticket.ActionLink:     ticket.PermRW,
	ticket.ActionTime:     ticket.PermNote,
}

// NeededPerm is the permission an action with input in needs on the
// ticket's queue, given the ticket as it is (v). Changing only the
// priority needs only the priority permission.
func NeededPerm(a ticket.Action, in ticket.Input, v ticket.View) ticket.Perm {
	if c, ok := in.(ticket.ClassifyInput); ok && c.Service.ID == v.ServiceID && c.Type.ID == v.TypeID {
		return ticket.PermPriority
	}
	if p, ok := actionPerms[a]; ok {
		return p
	}
	return ticket.PermRW // an action without an entry needs everything
}

// checkGrant refuses an agent's action the grant the desk sent does not
// cover, or whose grant was for another queue than the ticket is in now.
// Customers and integrations are not agents: the desk decides what they
// may do (their own tickets, follow-ups). Requests without a grant are
// those recorded before permissions, replayed; validators refuse new
// ones (requireGrant).
func checkGrant(v ticket.View, a ticket.Action, in ticket.Input) error {
	req := in.Req()
	if req.Actor.Kind != ticket.ActorAgent || req.Grant == nil {
		return nil
	}
	if req.Grant.Queue != v.QueueID {
		return refuse(ticket.RefusedQueueChanged)
	}
	if p := NeededPerm(a, in, v); !req.Grant.Perms.Has(p) {
		return refuse(ticket.RefusedPermission, "Perm", string(p), "Queue", v.QueueName)
	}
	var to ticket.QueueRef
	switch in := in.(type) {
	case ticket.MoveInput:
		to = in.Queue
	case ticket.EscalateInput:
		to = in.Queue
	case ticket.HandBackInput:
		to = v.Terms.FirstLevel
	default:
		return nil
	}
	if to.ID != 0 && !slices.Contains(req.Grant.MoveInto, to.ID) {
		return refuse(ticket.RefusedPermission, "Perm", string(ticket.PermMoveInto), "Queue", to.Name)
	}
	return nil
}

// requireGrant refuses a new agent's action that comes without a grant:
// only the desk, which checks permissions, sends agents' actions.
func requireGrant(in ticket.Input) error {
	if req := in.Req(); req.Actor.Kind == ticket.ActorAgent && req.Grant == nil {
		return refuse(ticket.RefusedForbidden)
	}
	return nil
}

// --- customers ---
//
// A customer speaks to a ticket through follow-ups (signals); the one
// action a customer may send through the portal is closing their own
// ticket as solved. Which ticket is theirs the desk checks; what the
// action may be, the process decides here.

// customerActions are the actions a customer may send, and the states
// each may move to.
var customerActions = map[ticket.Action][]ticket.State{
	ticket.ActionClose: {ticket.StateClosedSuccessful},
}

// CustomerMay tells whether a customer may do action a, moving the ticket
// to next ("" for an action that does not move it).
func CustomerMay(a ticket.Action, next ticket.State) bool {
	states, ok := customerActions[a]
	return ok && (next == "" || slices.Contains(states, next))
}

// checkCustomer refuses a customer's action that is not theirs to do: any
// but the ones listed, a close other than "solved", or one carrying a note
// (a note on close is an agent's internal note).
func checkCustomer(a ticket.Action, in ticket.Input) error {
	if in.Req().Actor.Kind != ticket.ActorCustomer {
		return nil
	}
	var next ticket.State
	if c, ok := in.(ticket.CloseInput); ok {
		if c.Note != "" {
			return refuse(ticket.RefusedForbidden)
		}
		next = c.State
		if next == "" {
			next = "none"
		}
	}
	if !CustomerMay(a, next) {
		return refuse(ticket.RefusedForbidden)
	}
	return nil
}
