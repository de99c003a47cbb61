// Package workflows holds the ticket lifecycle: deterministic code only.
// Ticket is the workflow; policy.go says which states, moves and clocks
// exist; messages.go lists every name and payload a caller needs.
package workflows

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/kiz-ulm/kizdesk/calendar"
	"github.com/kiz-ulm/kizdesk/ticket"
)

// Ticket carries one ticket from creation until its follow-up window after
// closing has passed. Every change arrives as an Update (or, from a
// customer, a Signal), is checked against the policy, recorded as history
// entries and projected into the database before the Update answers.
// Deadlines — SLA warnings and breaches, the automatic escalation,
// reminders, auto close and the end of the follow-up window — are one
// timer for the earliest of them, re-armed whenever a change moves it.
func Ticket(ctx workflow.Context, in ticket.TicketInput) error {
	t := &ticketRun{}
	return t.run(ctx, in)
}

type ticketRun struct {
	view   ticket.View
	clocks ticket.Clocks
	// timed is set for tickets started by process v2 or later: they keep
	// SLA clocks. Tickets of v1 still in flight run without.
	timed bool
	// events are history entries not yet projected into the database.
	events []ticket.HistoryEvent
	// mu makes changes one at a time: an update, a follow-up or a due
	// deadline validates, changes and projects without another in between.
	mu workflow.Mutex
	// stored is set once the new ticket is in the database.
	stored bool
	// changes counts changes, so the main loop knows to re-arm its timer.
	changes int
	// followUps and merges are the signal channels. They are read only by
	// the main loop, never by a goroutine waiting on them: a waiting
	// receiver would hold a signal where continue-as-new cannot see it.
	followUps, merges workflow.ReceiveChannel
	// seen are the keys of recent follow-ups, so one sent twice counts once.
	seen []string
}

// maxSeen bounds the follow-up keys a ticket remembers.
const maxSeen = 200

// versionClocks guards the change that brought SLA clocks (process v2).
const versionClocks = "sla-clocks"

func (t *ticketRun) run(ctx workflow.Context, in ticket.TicketInput) error {
	t.mu = workflow.NewMutex(ctx)
	t.followUps = workflow.GetSignalChannel(ctx, ticket.SignalFollowUp)
	t.merges = workflow.GetSignalChannel(ctx, ticket.SignalMergedIn)
	// A continued ticket has its state before the handlers are registered:
	// updates that waited for the new run are validated against it at once.
	if in.Resume != nil {
		t.view, t.clocks, t.seen, t.timed = in.Resume.View, in.Resume.Clocks, in.Resume.Seen, in.Resume.Timed
		t.stored = true
	}
	if err := t.registerHandlers(ctx); err != nil {
		return err
	}
	if in.Resume == nil {
		if err := t.create(ctx, in); err != nil {
			return err
		}
	}
	return t.live(ctx)
}

// create records the new ticket. Updates that arrive with the start must
// wait until the ticket exists: they take the mutex too, and created
// waits for stored.
func (t *ticketRun) create(ctx workflow.Context, in ticket.TicketInput) error {
	t.view = in.Ticket
	t.view.Terms = in.Terms
	t.timed = workflow.GetVersion(ctx, versionClocks, workflow.DefaultVersion, 1) >= 1
	if err := t.mu.Lock(ctx); err != nil {
		return err
	}
	defer t.mu.Unlock()
	now := workflow.Now(ctx)
	t.view.State = ticket.StateNew
	t.view.CreatedAt, t.view.UpdatedAt = now, now
	t.record(ctx, ticket.EventNewTicket, in.Actor, "State", "", string(ticket.StateNew), nil)
	t.record(ctx, articleEvent(in.Article.Kind), in.Actor, "", "", "", &in.Article)
	if in.LinkTo != "" {
		t.view.Links = append(t.view.Links, in.LinkTo)
		t.record(ctx, ticket.EventLinkAdd, in.Actor, "Link", "", in.LinkTo, nil)
	}
	if t.timed {
		terms := t.view.Terms
		t.clocks.FirstResponse.Restart(terms.FirstResponse, now, true)
		t.clocks.Solution.Restart(terms.Solution, now, true)
		// The update clock runs only from the first response on.
		t.clocks.Update = ticket.Clock{Target: terms.Update, Done: true}
		t.clocks.Escalation = ticket.Clock{Target: terms.EscalateAfter, Done: t.view.Level != ticket.LevelFirst}
		t.clocks.Escalation.Start(now)
		t.refreshSLA()
	}
	err := t.project(ctx)
	t.stored = err == nil
	return err
}

// live is the ticket's main loop: take what arrived, act on what is due,
// arm one timer for the next deadline, wait for it or for a change.
func (t *ticketRun) live(ctx workflow.Context) error {
	var timer workflow.Future
	var cancelTimer workflow.CancelFunc
	var armedAt time.Time
	var armedFor string
	for {
		if err := t.takeInbox(ctx); err != nil {
			return err
		}
		if err := t.actOnDue(ctx); err != nil {
			return err
		}
		now := workflow.Now(ctx)
		if t.finished(now) {
			break
		}
		if workflow.GetInfo(ctx).GetContinueAsNewSuggested() {
			if cancelTimer != nil {
				cancelTimer()
			}
			return t.continueAsNew(ctx)
		}
		at, what := t.nextDeadline()
		if timer != nil && (timer.IsReady() || !at.Equal(armedAt) || what != armedFor) {
			// The deadline moved: cancel the old timer explicitly, so the
			// Temporal UI shows only the one that counts.
			cancelTimer()
			timer, cancelTimer = nil, nil
		}
		if timer == nil && !at.IsZero() {
			var tctx workflow.Context
			tctx, cancelTimer = workflow.WithCancel(ctx)
			timer = workflow.NewTimerWithOptions(tctx, max(at.Sub(now), time.Millisecond), workflow.TimerOptions{
				Summary: what + " at " + at.UTC().Format(time.RFC3339),
			})
			armedAt, armedFor = at, what
		}
		seen := t.changes
		err := workflow.Await(ctx, func() bool {
			return t.changes != seen || t.signalled() ||
				(timer != nil && timer.IsReady()) || workflow.GetInfo(ctx).GetContinueAsNewSuggested()
		})
		if err != nil {
			return err
		}
	}
	return workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) })
}

// finished tells whether the workflow's part is over: a merged ticket, or a
// closed one whose follow-up window has passed with nothing left to take.
func (t *ticketRun) finished(now time.Time) bool {
	if t.signalled() {
		return false
	}
	s := t.view.State
	return s.Final() || (s.Closed() && !t.view.FollowUpUntil.After(now))
}

// continueAsNew hands the ticket to a fresh run once every handler has
// finished and every signal that arrived has been taken, so nothing is lost.
func (t *ticketRun) continueAsNew(ctx workflow.Context) error {
	for {
		if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
			return err
		}
		if err := t.takeInbox(ctx); err != nil {
			return err
		}
		if !t.signalled() && workflow.AllHandlersFinished(ctx) {
			break
		}
	}
	return workflow.NewContinueAsNewError(ctx, Ticket, ticket.TicketInput{Resume: &ticket.Carry{
		View: t.view, Clocks: t.clocks, Seen: t.seen, Timed: t.timed,
	}})
}

// signalled tells whether signals wait to be taken.
func (t *ticketRun) signalled() bool {
	return t.followUps.Len() > 0 || t.merges.Len() > 0
}

// cal is the calendar the ticket's clocks count on.
func (t *ticketRun) cal() calendar.Calendar {
	if c := t.view.Terms.Calendar; c.Validate() == nil {
		return c
	}
	return calendar.AllDay("24x7")
}

// --- deadlines ---

// nextDeadline is the earliest moment something is due, and what.
func (t *ticketRun) nextDeadline() (time.Time, string) {
	var at time.Time
	var what string
	consider := func(when time.Time, label string) {
		if !when.IsZero() && (at.IsZero() || when.Before(at)) {
			at, what = when, label
		}
	}
	v := t.view
	if t.timed && clocksRun(v.State) {
		cal := t.cal()
		for _, c := range t.clocks.SLA() {
			if !c.C.Breached {
				consider(c.C.WarnAt(cal, v.Terms.WarnPercent), ticket.ClockLabels[c.Name]+" warning")
				consider(c.C.Due(cal), ticket.ClockLabels[c.Name]+" due")
			}
		}
		if t.canEscalate() {
			consider(t.clocks.Escalation.Due(cal), "escalate to "+v.Terms.SecondLevel.Name)
		}
	}
	switch {
	case v.State == ticket.StatePendingReminder && !v.ReminderReached:
		consider(t.cal().NextWorking(v.PendingUntil), "reminder")
	case v.State == ticket.StatePendingAutoClose || v.State == ticket.StatePendingAutoCloseNo:
		consider(v.PendingUntil, string(v.State))
	case v.State.Closed():
		consider(v.FollowUpUntil, "follow-up window ends")
	}
	return at, what
}

func (t *ticketRun) canEscalate() bool {
	return t.view.Level == ticket.LevelFirst && t.view.Terms.SecondLevel.ID != 0 &&
		t.view.Terms.SecondLevel.ID != t.view.QueueID && t.view.Terms.EscalateAfter > 0
}

// actOnDue does what is due now, as the system, under the mutex.
func (t *ticketRun) actOnDue(ctx workflow.Context) error {
	if at, _ := t.nextDeadline(); at.IsZero() || at.After(workflow.Now(ctx)) {
		return nil
	}
	if err := t.mu.Lock(ctx); err != nil {
		return err
	}
	defer t.mu.Unlock()
	now := workflow.Now(ctx)
	v := &t.view
	system := ticket.Actor{Kind: ticket.ActorSystem, Name: "kizdesk"}
	if t.timed && clocksRun(v.State) {
		cal := t.cal()
		for _, c := range t.clocks.SLA() {
			if c.C.Breached {
				continue
			}
			if w := c.C.WarnAt(cal, v.Terms.WarnPercent); !w.IsZero() && !w.After(now) {
				c.C.Warned = true
				due := c.C.Due(cal)
				t.record(ctx, ticket.EventSLAWarning, system, c.Name, "", due.UTC().Format(time.RFC3339), nil)
				t.notify(ticket.NotifySLAWarning, v.QueueID, v.OwnerID)
			}
			if d := c.C.Due(cal); !d.IsZero() && !d.After(now) {
				c.C.Breached = true
				t.markBreach(c.Name)
				t.record(ctx, ticket.EventSLABreach, system, c.Name, "", d.UTC().Format(time.RFC3339), nil)
				t.notify(ticket.NotifySLABreach, v.QueueID, v.OwnerID)
			}
		}
		if t.canEscalate() {
			if d := t.clocks.Escalation.Due(cal); !d.IsZero() && !d.After(now) {
				t.escalate(ctx, system, v.Terms.SecondLevel)
			}
		}
	}
	switch {
	case v.State == ticket.StatePendingReminder && !v.ReminderReached && !t.cal().NextWorking(v.PendingUntil).After(now):
		v.ReminderReached = true
		t.record(ctx, ticket.EventReminderReached, system, "PendingUntil", "", v.PendingUntil.UTC().Format(time.RFC3339), nil)
		t.notify(ticket.NotifyReminder, v.QueueID, v.OwnerID)
	case (v.State == ticket.StatePendingAutoClose || v.State == ticket.StatePendingAutoCloseNo) && !v.PendingUntil.After(now):
		next := ticket.StateClosedSuccessful
		if v.State == ticket.StatePendingAutoCloseNo {
			next = ticket.StateClosedUnsuccessful
		}
		t.setState(ctx, system, next)
	}
	if len(t.events) == 0 {
		return nil
	}
	v.UpdatedAt = now
	return t.project(ctx)
}

func (t *ticketRun) markBreach(clock string) {
	switch clock {
	case ticket.ClockFirstResponse:
		t.view.SLA.FirstResponseBreached = true
	case ticket.ClockUpdate:
		t.view.SLA.UpdateBreached = true
	case ticket.ClockSolution:
		t.view.SLA.SolutionBreached = true
	}
}

// escalate moves the ticket to a 2nd-level or team queue and tells it.
func (t *ticketRun) escalate(ctx workflow.Context, actor ticket.Actor, q ticket.QueueRef) {
	t.moveTo(ctx, actor, q, ticket.EventEscalation) // stops the escalation clock too
	t.view.SLA.EscalatedAt = workflow.Now(ctx)
	t.notify(ticket.NotifyEscalation, q.ID, 0)
}

// --- customer follow-ups and merges (signals) ---

func (t *ticketRun) takeInbox(ctx workflow.Context) error {
	if !t.signalled() {
		return nil
	}
	if err := t.mu.Lock(ctx); err != nil {
		return err
	}
	defer t.mu.Unlock()
	for {
		var in ticket.FollowUpInput
		if !t.followUps.ReceiveAsync(&in) {
			break
		}
		t.followUp(ctx, in)
	}
	for {
		var in ticket.MergedInInput
		if !t.merges.ReceiveAsync(&in) {
			break
		}
		if !slices.Contains(t.view.Links, in.From) {
			t.view.Links = append(t.view.Links, in.From)
		}
		t.record(ctx, ticket.EventMergedIn, in.Actor, "MergedFrom", "", in.From, nil)
	}
	if len(t.events) == 0 {
		return nil
	}
	t.view.UpdatedAt = workflow.Now(ctx)
	return t.project(ctx)
}

// followUp takes a customer's message: on a pending ticket it returns the
// ticket to open, on a closed one (inside the follow-up window, or the
// workflow would be gone) it reopens it.
func (t *ticketRun) followUp(ctx workflow.Context, in ticket.FollowUpInput) {
	if in.Key != "" {
		if slices.Contains(t.seen, in.Key) {
			return
		}
		t.seen = append(t.seen, in.Key)
		if len(t.seen) > maxSeen {
			t.seen = t.seen[len(t.seen)-maxSeen:]
		}
	}
	if t.view.State.Final() {
		// Merged in the moment the message came: it belongs to the target.
		workflow.SignalExternalWorkflow(ctx, ticket.WorkflowID(t.view.MergedInto), "", ticket.SignalFollowUp, in)
		return
	}
	art := in.Article
	art.Kind = ticket.ArticleCustomer
	if validateArticle(art) != nil {
		return // an empty message changes nothing; the sender checked it
	}
	t.record(ctx, ticket.EventFollowUp, in.Actor, "", "", "", &art)
	t.notify(ticket.NotifyFollowUp, t.view.QueueID, t.view.OwnerID)
	if t.view.State.Pending() || t.view.State.Closed() {
		t.setState(ctx, in.Actor, ticket.StateOpen)
	}
}

// --- updates ---

func (t *ticketRun) registerHandlers(ctx workflow.Context) error {
	if err := workflow.SetQueryHandler(ctx, ticket.QueryTicket, func() (ticket.View, error) {
		return t.view, nil
	}); err != nil {
		return fmt.Errorf("register query %s: %w", ticket.QueryTicket, err)
	}
	if err := workflow.SetUpdateHandler(ctx, ticket.UpdateCreate, t.created); err != nil {
		return fmt.Errorf("register update %s: %w", ticket.UpdateCreate, err)
	}
	handlers := []struct {
		action    ticket.Action
		fn        any
		validator any
	}{
		{ticket.ActionNote, t.addNote, t.validateAddNote},
		{ticket.ActionReply, t.reply, t.validateReply},
		{ticket.ActionAssign, t.assign, t.validateAssign},
		{ticket.ActionLock, t.lock, t.validateLock},
		{ticket.ActionWatch, t.watch, t.validateWatch},
		{ticket.ActionMove, t.move, t.validateMove},
		{ticket.ActionClassify, t.classify, t.validateClassify},
		{ticket.ActionEscalate, t.escalateTo, t.validateEscalate},
		{ticket.ActionHandBack, t.handBack, t.validateHandBack},
		{ticket.ActionPending, t.setPending, t.validatePending},
		{ticket.ActionClose, t.close, t.validateClose},
		{ticket.ActionReopen, t.reopen, t.validateReopen},
		{ticket.ActionMerge, t.merge, t.validateMerge},
		{ticket.ActionLink, t.link, t.validateLink},
	}
	for _, h := range handlers {
		opts := workflow.UpdateHandlerOptions{Validator: h.validator}
		if err := workflow.SetUpdateHandlerWithOptions(ctx, string(h.action), h.fn, opts); err != nil {
			return fmt.Errorf("register update %s: %w", h.action, err)
		}
	}
	return nil
}

// created answers the create request once the ticket is in the database.
func (t *ticketRun) created(ctx workflow.Context, _ ticket.CreateInput) (ticket.View, error) {
	if err := workflow.Await(ctx, func() bool { return t.stored }); err != nil {
		return ticket.View{}, err
	}
	return t.view, nil
}

// allow checks what every action must pass: the state allows it, and a
// locked ticket is changed only by its owner.
func (t *ticketRun) allow(act ticket.Action, actor ticket.Actor) error {
	if act == ticket.ActionNote && t.view.State.Closed() {
		return errors.New("the ticket is closed: notes can no longer be added")
	}
	if err := checkAction(t.view.State, act); err != nil {
		return err
	}
	if t.view.Locked && actor.Kind == ticket.ActorAgent && actor.ID != t.view.OwnerID && slices.Contains(lockedActions, act) {
		return fmt.Errorf("the ticket is locked by %s; only they can %s it until it is unlocked", t.view.OwnerName, act)
	}
	return nil
}

func (t *ticketRun) validateAddNote(_ workflow.Context, in ticket.AddNoteInput) error {
	if err := t.allow(ticket.ActionNote, in.Actor); err != nil {
		return err
	}
	if k := in.Article.Kind; k != ticket.ArticleInternalNote && k != ticket.ArticlePhoneNote {
		return fmt.Errorf("%q is not an article kind for a note", k)
	}
	return validateArticle(in.Article)
}

func (t *ticketRun) addNote(ctx workflow.Context, in ticket.AddNoteInput) (ticket.View, error) {
	return t.change(ctx, func() error { return t.validateAddNote(ctx, in) }, func() {
		t.record(ctx, articleEvent(in.Article.Kind), in.Actor, "", "", "", &in.Article)
		t.agentWrote(ctx, in.Actor, in.Article.Kind)
	})
}

func (t *ticketRun) validateReply(_ workflow.Context, in ticket.ReplyInput) error {
	if err := t.allow(ticket.ActionReply, in.Actor); err != nil {
		return err
	}
	return validateArticle(ticket.ArticleInput{Kind: ticket.ArticleReply, Subject: in.Subject, Body: in.Body})
}

func (t *ticketRun) reply(ctx workflow.Context, in ticket.ReplyInput) (ticket.View, error) {
	return t.change(ctx, func() error { return t.validateReply(ctx, in) }, func() {
		t.record(ctx, ticket.EventSendAnswer, in.Actor, "", "", "", &ticket.ArticleInput{Kind: ticket.ArticleReply, Subject: in.Subject, Body: in.Body})
		t.agentWrote(ctx, in.Actor, ticket.ArticleReply)
	})
}

// agentWrote: an agent writing on a new ticket has started working on it;
// an answer to the customer meets the first response and restarts the
// update clock.
func (t *ticketRun) agentWrote(ctx workflow.Context, actor ticket.Actor, kind ticket.ArticleKind) {
	if actor.Kind != ticket.ActorAgent {
		return
	}
	if t.view.State == ticket.StateNew {
		t.setState(ctx, actor, ticket.StateOpen)
	}
	if !t.timed || !answersCustomer(kind) {
		return
	}
	now := workflow.Now(ctx)
	if t.view.SLA.FirstResponseAt.IsZero() {
		t.clocks.FirstResponse.Stop(t.cal(), now)
		t.view.SLA.FirstResponseAt = now
		t.view.SLA.FirstResponseTime = t.clocks.FirstResponse.Used
	}
	t.clocks.Update.Restart(t.view.Terms.Update, now, clocksRun(t.view.State))
}

func (t *ticketRun) validateAssign(_ workflow.Context, in ticket.AssignInput) error {
	if err := t.allow(ticket.ActionAssign, in.Actor); err != nil {
		return err
	}
	if in.Owner.ID == t.view.OwnerID && in.Responsible.ID == t.view.ResponsibleID {
		return errors.New("owner and responsible are already set so")
	}
	return nil
}

func (t *ticketRun) assign(ctx workflow.Context, in ticket.AssignInput) (ticket.View, error) {
	return t.change(ctx, func() error { return t.validateAssign(ctx, in) }, func() {
		t.setOwner(ctx, in.Actor, in.Owner)
		v := &t.view
		if in.Responsible.ID != v.ResponsibleID {
			t.record(ctx, ticket.EventResponsible, in.Actor, "Responsible", v.ResponsibleName, in.Responsible.Name, nil)
			v.ResponsibleID, v.ResponsibleName = in.Responsible.ID, in.Responsible.Name
		}
	})
}

// setOwner records a new owner; a ticket without an owner is not locked.
func (t *ticketRun) setOwner(ctx workflow.Context, actor ticket.Actor, owner ticket.AgentRef) {
	v := &t.view
	if owner.ID == v.OwnerID {
		return
	}
	t.record(ctx, ticket.EventOwnerUpdate, actor, "Owner", v.OwnerName, owner.Name, nil)
	v.OwnerID, v.OwnerName = owner.ID, owner.Name
	if owner.ID == 0 && v.Locked {
		v.Locked = false
		t.record(ctx, ticket.EventUnlock, actor, "Lock", "lock", "unlock", nil)
	}
}

func (t *ticketRun) validateLock(_ workflow.Context, in ticket.LockInput) error {
	if err := t.allow(ticket.ActionLock, in.Actor); err != nil {
		return err
	}
	switch {
	case in.Locked && t.view.Locked:
		return fmt.Errorf("the ticket is already locked by %s", t.view.OwnerName)
	case !in.Locked && !t.view.Locked:
		return errors.New("the ticket is not locked")
	case in.Locked && in.Actor.Kind != ticket.ActorAgent:
		return errors.New("only an agent can lock a ticket")
	}
	return nil
}

// lock: the agent who locks becomes the owner (as in OTRS); anybody may
// unlock, and history says who did.
func (t *ticketRun) lock(ctx workflow.Context, in ticket.LockInput) (ticket.View, error) {
	return t.change(ctx, func() error { return t.validateLock(ctx, in) }, func() {
		if in.Locked {
			t.setOwner(ctx, in.Actor, ticket.AgentRef{ID: in.Actor.ID, Name: in.Actor.Name})
			t.view.Locked = true
			t.record(ctx, ticket.EventLock, in.Actor, "Lock", "unlock", "lock", nil)
			return
		}
		t.view.Locked = false
		t.record(ctx, ticket.EventUnlock, in.Actor, "Lock", "lock", "unlock", nil)
	})
}

func (t *ticketRun) validateWatch(_ workflow.Context, in ticket.WatchInput) error {
	if err := t.allow(ticket.ActionWatch, in.Actor); err != nil {
		return err
	}
	if in.Agent.ID == 0 {
		return errors.New("choose an agent")
	}
	watching := slices.ContainsFunc(t.view.Watchers, func(w ticket.AgentRef) bool { return w.ID == in.Agent.ID })
	if in.Watch && watching {
		return fmt.Errorf("%s already watches the ticket", in.Agent.Name)
	}
	if !in.Watch && !watching {
		return fmt.Errorf("%s does not watch the ticket", in.Agent.Name)
	}
	return nil
}

func (t *ticketRun) watch(ctx workflow.Context, in ticket.WatchInput) (ticket.View, error) {
	return t.change(ctx, func() error { return t.validateWatch(ctx, in) }, func() {
		if in.Watch {
			t.view.Watchers = append(t.view.Watchers, in.Agent)
			t.record(ctx, ticket.EventSubscribe, in.Actor, "Watcher", "", in.Agent.Name, nil)
			return
		}
		t.view.Watchers = slices.DeleteFunc(slices.Clone(t.view.Watchers), func(w ticket.AgentRef) bool { return w.ID == in.Agent.ID })
		t.record(ctx, ticket.EventUnsubscribe, in.Actor, "Watcher", in.Agent.Name, "", nil)
	})
}

func (t *ticketRun) validateMove(_ workflow.Context, in ticket.MoveInput) error {
	if err := t.allow(ticket.ActionMove, in.Actor); err != nil {
		return err
	}
	return t.checkQueue(in.Queue)
}

func (t *ticketRun) checkQueue(q ticket.QueueRef) error {
	if q.ID == 0 || !q.Level.Valid() {
		return errors.New("choose a queue")
	}
	if q.ID == t.view.QueueID {
		return fmt.Errorf("the ticket is already in queue %s", q.Name)
	}
	return nil
}

func (t *ticketRun) move(ctx workflow.Context, in ticket.MoveInput) (ticket.View, error) {
	return t.change(ctx, func() error { return t.validateMove(ctx, in) }, func() {
		t.moveTo(ctx, in.Actor, in.Queue, "LevelUpdate")
	})
}

// moveTo puts the ticket into queue q; its level follows the queue's, and
// levelEvent names that change in history.
func (t *ticketRun) moveTo(ctx workflow.Context, actor ticket.Actor, q ticket.QueueRef, levelEvent string) {
	v := &t.view
	t.record(ctx, ticket.EventMove, actor, "Queue", v.QueueName, q.Name, nil)
	v.QueueID, v.QueueName, v.FollowUpWindow = q.ID, q.Name, q.FollowUpWindow
	if q.Level != v.Level {
		t.record(ctx, levelEvent, actor, "Level", string(v.Level), string(q.Level), nil)
		v.Level = q.Level
	}
	if v.Level != ticket.LevelFirst {
		t.clocks.Escalation.Stop(t.cal(), workflow.Now(ctx))
	}
}

func (t *ticketRun) validateClassify(_ workflow.Context, in ticket.ClassifyInput) error {
	if err := t.allow(ticket.ActionClassify, in.Actor); err != nil {
		return err
	}
	v := t.view
	if in.Type.ID == 0 || in.Priority.ID == 0 {
		return errors.New("choose a type and a priority")
	}
	if in.Service.ID == v.ServiceID && in.Type.ID == v.TypeID && in.Priority.ID == v.PriorityID {
		return errors.New("service, type and priority are already set so")
	}
	if c := in.Terms.Calendar; in.Terms.SLA != "" && c.Validate() != nil {
		return fmt.Errorf("the SLA's calendar is not usable: %v", c.Validate())
	}
	return nil
}

func (t *ticketRun) classify(ctx workflow.Context, in ticket.ClassifyInput) (ticket.View, error) {
	return t.change(ctx, func() error { return t.validateClassify(ctx, in) }, func() {
		v := &t.view
		if in.Service.ID != v.ServiceID {
			t.record(ctx, ticket.EventServiceUpdate, in.Actor, "Service", v.ServiceName, in.Service.Name, nil)
			v.ServiceID, v.ServiceName = in.Service.ID, in.Service.Name
		}
		if in.Type.ID != v.TypeID {
			t.record(ctx, ticket.EventTypeUpdate, in.Actor, "Type", v.TypeName, in.Type.Name, nil)
			v.TypeID, v.TypeName = in.Type.ID, in.Type.Name
		}
		if in.Priority.ID != v.PriorityID {
			t.record(ctx, ticket.EventPriorityUpdate, in.Actor, "Priority", v.PriorityName, in.Priority.Name, nil)
			v.PriorityID, v.PriorityName = in.Priority.ID, in.Priority.Name
		}
		if in.Terms.SLA != v.Terms.SLA {
			t.record(ctx, ticket.EventSLAUpdate, in.Actor, "SLA", v.Terms.SLA, in.Terms.SLA, nil)
		}
		// The clocks keep what they counted and measure it against the
		// new targets from now on.
		v.Terms = in.Terms
		t.clocks.FirstResponse.Target = in.Terms.FirstResponse
		t.clocks.Update.Target = in.Terms.Update
		t.clocks.Solution.Target = in.Terms.Solution
		t.clocks.Escalation.Target = in.Terms.EscalateAfter
	})
}

func (t *ticketRun) validateEscalate(_ workflow.Context, in ticket.EscalateInput) error {
	if err := t.allow(ticket.ActionEscalate, in.Actor); err != nil {
		return err
	}
	if err := t.checkQueue(in.Queue); err != nil {
		return err
	}
	if in.Queue.Level == ticket.LevelFirst {
		return fmt.Errorf("queue %s is a 1st-level queue: escalate to a 2nd-level or team queue", in.Queue.Name)
	}
	if t.view.Level == ticket.LevelTeam && in.Queue.Level == ticket.LevelSecond {
		return errors.New("the ticket is with a team already; hand it back or move it instead")
	}
	return validateNote(in.Note)
}

func (t *ticketRun) escalateTo(ctx workflow.Context, in ticket.EscalateInput) (ticket.View, error) {
	return t.change(ctx, func() error { return t.validateEscalate(ctx, in) }, func() {
		t.addNoteIfAny(ctx, in.Actor, "Escalated", in.Note)
		t.escalate(ctx, in.Actor, in.Queue)
	})
}

func (t *ticketRun) validateHandBack(_ workflow.Context, in ticket.HandBackInput) error {
	if err := t.allow(ticket.ActionHandBack, in.Actor); err != nil {
		return err
	}
	if t.view.Level == ticket.LevelFirst {
		return errors.New("the ticket is at 1st level already")
	}
	if t.view.Terms.FirstLevel.ID == 0 {
		return errors.New("the ticket's service names no 1st-level queue to hand it back to; move it instead")
	}
	return validateNote(in.Note)
}

func (t *ticketRun) handBack(ctx workflow.Context, in ticket.HandBackInput) (ticket.View, error) {
	return t.change(ctx, func() error { return t.validateHandBack(ctx, in) }, func() {
		t.addNoteIfAny(ctx, in.Actor, "Handed back", in.Note)
		q := t.view.Terms.FirstLevel
		q.Level = ticket.LevelFirst
		t.moveTo(ctx, in.Actor, q, ticket.EventHandBack)
	})
}

func (t *ticketRun) validatePending(ctx workflow.Context, in ticket.PendingInput) error {
	if err := t.allow(ticket.ActionPending, in.Actor); err != nil {
		return err
	}
	if !in.State.Pending() {
		return fmt.Errorf("%q is not a pending state", in.State)
	}
	if in.State != t.view.State {
		if err := checkMove(t.view.State, in.State); err != nil {
			return err
		}
	}
	now := workflow.Now(ctx)
	if !in.Until.After(now) {
		return errors.New("the pending time must lie in the future")
	}
	if in.Until.After(now.Add(ticket.MaxPending)) {
		return fmt.Errorf("the pending time lies more than %d days ahead", int(ticket.MaxPending.Hours()/24))
	}
	return validateNote(in.Note)
}

func (t *ticketRun) setPending(ctx workflow.Context, in ticket.PendingInput) (ticket.View, error) {
	return t.change(ctx, func() error { return t.validatePending(ctx, in) }, func() {
		t.addNoteIfAny(ctx, in.Actor, "Pending", in.Note)
		if in.State != t.view.State {
			t.setState(ctx, in.Actor, in.State)
		}
		old := ""
		if !t.view.PendingUntil.IsZero() {
			old = t.view.PendingUntil.UTC().Format(time.RFC3339)
		}
		t.view.PendingUntil, t.view.ReminderReached = in.Until, false
		t.record(ctx, ticket.EventPendingTime, in.Actor, "PendingUntil", old, in.Until.UTC().Format(time.RFC3339), nil)
	})
}

func (t *ticketRun) validateClose(_ workflow.Context, in ticket.CloseInput) error {
	if !in.State.Closed() {
		return fmt.Errorf("%q is not a closing state", in.State)
	}
	if err := checkMove(t.view.State, in.State); err != nil {
		return err
	}
	if err := t.allow(ticket.ActionClose, in.Actor); err != nil {
		return err
	}
	return validateNote(in.Note)
}

func (t *ticketRun) close(ctx workflow.Context, in ticket.CloseInput) (ticket.View, error) {
	return t.change(ctx, func() error { return t.validateClose(ctx, in) }, func() {
		t.addNoteIfAny(ctx, in.Actor, "Closed", in.Note)
		t.setState(ctx, in.Actor, in.State)
	})
}

func (t *ticketRun) validateReopen(_ workflow.Context, in ticket.ReopenInput) error {
	if err := t.allow(ticket.ActionReopen, in.Actor); err != nil {
		return err
	}
	return validateNote(in.Note)
}

func (t *ticketRun) reopen(ctx workflow.Context, in ticket.ReopenInput) (ticket.View, error) {
	return t.change(ctx, func() error { return t.validateReopen(ctx, in) }, func() {
		t.addNoteIfAny(ctx, in.Actor, "Reopened", in.Note)
		t.setState(ctx, in.Actor, ticket.StateOpen)
	})
}

func (t *ticketRun) validateMerge(_ workflow.Context, in ticket.MergeInput) error {
	if err := t.allow(ticket.ActionMerge, in.Actor); err != nil {
		return err
	}
	switch in.Into {
	case "":
		return errors.New("name the ticket to merge into")
	case t.view.Number:
		return errors.New("a ticket cannot be merged into itself")
	}
	return nil
}

// merge ends this ticket in state merged; the target records it and links
// back, so this ticket's articles stay reachable from there.
func (t *ticketRun) merge(ctx workflow.Context, in ticket.MergeInput) (ticket.View, error) {
	v, err := t.change(ctx, func() error { return t.validateMerge(ctx, in) }, func() {
		t.view.MergedInto = in.Into
		if !slices.Contains(t.view.Links, in.Into) {
			t.view.Links = append(t.view.Links, in.Into)
		}
		t.record(ctx, ticket.EventMerged, in.Actor, "MergedInto", "", in.Into, nil)
		t.setState(ctx, in.Actor, ticket.StateMerged)
	})
	if err != nil {
		return v, err
	}
	// The target may have ended already (closed beyond its window); the
	// database link still leads there, so a failed notice is no failure.
	_ = workflow.SignalExternalWorkflow(ctx, ticket.WorkflowID(in.Into), "", ticket.SignalMergedIn,
		ticket.MergedInInput{Actor: in.Actor, From: t.view.Number}).Get(ctx, nil)
	return v, nil
}

func (t *ticketRun) validateLink(_ workflow.Context, in ticket.LinkInput) error {
	if err := t.allow(ticket.ActionLink, in.Actor); err != nil {
		return err
	}
	switch {
	case in.Other == "":
		return errors.New("name the ticket to link")
	case in.Other == t.view.Number:
		return errors.New("a ticket cannot be linked with itself")
	case slices.Contains(t.view.Links, in.Other):
		return fmt.Errorf("the ticket is already linked with %s", in.Other)
	}
	return nil
}

func (t *ticketRun) link(ctx workflow.Context, in ticket.LinkInput) (ticket.View, error) {
	return t.change(ctx, func() error { return t.validateLink(ctx, in) }, func() {
		t.view.Links = append(t.view.Links, in.Other)
		t.record(ctx, ticket.EventLinkAdd, in.Actor, "Link", "", in.Other, nil)
	})
}

// change runs one update: under the mutex it checks again (another change
// may have come first since the validator ran), applies the change and
// projects it.
func (t *ticketRun) change(ctx workflow.Context, check func() error, apply func()) (ticket.View, error) {
	if err := workflow.Await(ctx, func() bool { return t.stored }); err != nil {
		return ticket.View{}, err
	}
	if err := t.mu.Lock(ctx); err != nil {
		return ticket.View{}, err
	}
	defer t.mu.Unlock()
	if err := check(); err != nil {
		return ticket.View{}, err
	}
	t.view.UpdatedAt = workflow.Now(ctx)
	apply()
	if err := t.project(ctx); err != nil {
		return ticket.View{}, err
	}
	return t.view, nil
}

// setState moves the ticket and lets the clocks follow: they stand while
// pending, stop on close, and go on where they stood on reopen.
func (t *ticketRun) setState(ctx workflow.Context, actor ticket.Actor, next ticket.State) {
	prev := t.view.State
	now := workflow.Now(ctx)
	v := &t.view
	v.State = next
	switch {
	case next.Closed():
		v.ClosedAt = now
		window := v.FollowUpWindow
		if window <= 0 {
			window = ticket.DefaultFollowUpWindow
		}
		v.FollowUpUntil = now.Add(window)
	case next.Final():
		v.ClosedAt = now
	default:
		v.ClosedAt, v.FollowUpUntil = time.Time{}, time.Time{}
	}
	if !next.Pending() {
		v.PendingUntil, v.ReminderReached = time.Time{}, false
	}
	t.record(ctx, ticket.EventStateUpdate, actor, "State", string(prev), string(next), nil)
	if t.timed {
		t.clocksFollow(prev, next, now)
	}
}

func (t *ticketRun) clocksFollow(prev, next ticket.State, now time.Time) {
	cal := t.cal()
	cs := &t.clocks
	switch {
	case next.Closed() || next.Final():
		for _, c := range cs.All() {
			c.Stop(cal, now)
		}
		t.view.SLA.SolutionTime = cs.Solution.Used
	case prev.Closed():
		// Reopened: the solution clock goes on, and the customer waits
		// for an answer again.
		cs.Solution.Done = false
		cs.Solution.Start(now)
		if t.view.SLA.FirstResponseAt.IsZero() {
			cs.FirstResponse.Done = false
			cs.FirstResponse.Start(now)
		} else {
			cs.Update.Restart(t.view.Terms.Update, now, true)
		}
		if t.view.Level == ticket.LevelFirst && t.view.SLA.EscalatedAt.IsZero() {
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

// refreshSLA shows the clocks' due times on the ticket.
func (t *ticketRun) refreshSLA() {
	if !t.timed {
		return
	}
	cal := t.cal()
	s := &t.view.SLA
	s.FirstResponseDue = t.clocks.FirstResponse.Due(cal)
	s.UpdateDue = t.clocks.Update.Due(cal)
	s.SolutionDue = t.clocks.Solution.Due(cal)
	s.EscalationDue = time.Time{}
	if t.canEscalate() {
		s.EscalationDue = t.clocks.Escalation.Due(cal)
	}
}

func (t *ticketRun) addNoteIfAny(ctx workflow.Context, actor ticket.Actor, subject, note string) {
	if note != "" {
		t.record(ctx, ticket.EventAddNote, actor, "", "", "", &ticket.ArticleInput{Kind: ticket.ArticleInternalNote, Subject: subject, Body: note})
	}
}

func (t *ticketRun) record(ctx workflow.Context, event string, actor ticket.Actor, field, old, new string, art *ticket.ArticleInput) {
	t.view.Seq++
	ev := ticket.HistoryEvent{
		Seq: t.view.Seq, At: workflow.Now(ctx), Event: event, Actor: actor,
		Field: field, Old: old, New: new,
	}
	if art != nil {
		ev.Article = &ticket.Article{
			Kind:            string(art.Kind),
			CustomerVisible: art.Kind.CustomerVisible(),
			Subject:         art.Subject,
			Body:            art.Body,
		}
	}
	t.events = append(t.events, ev)
}

// notify raises a notification with the last recorded history entry: to
// the agent if there is one, else to the queue.
func (t *ticketRun) notify(kind string, queueID, agentID int64) {
	n := &ticket.Notification{Kind: kind, QueueID: queueID, AgentID: agentID}
	t.events[len(t.events)-1].Notify = n
}

// project writes the pending history entries and the ticket's new values to
// the database, then shows the new values in the Temporal UI. It is a local
// activity: a short database transaction that runs in the worker's process
// without a round trip through the task queue, which keeps an agent's
// click fast. Retries are the SDK's, without end: a ticket must never lose
// a change because the database was away for a while.
func (t *ticketRun) project(ctx workflow.Context) error {
	t.refreshSLA()
	t.changes++
	lctx := workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{
		StartToCloseTimeout: 30 * time.Second,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:    200 * time.Millisecond,
			BackoffCoefficient: 2,
			MaximumInterval:    30 * time.Second,
		},
		Summary: "project ticket into the database",
	})
	in := ticket.ProjectTicketInput{Ticket: t.snapshot(), Events: t.events}
	var res ticket.ProjectTicketResult
	if err := workflow.ExecuteLocalActivity(lctx, ticket.ActivityProject, in).Get(ctx, &res); err != nil {
		return fmt.Errorf("project ticket: %w", err)
	}
	if res.Head != "" {
		t.view.ChainHead = res.Head
	}
	t.events = nil
	if err := workflow.UpsertTypedSearchAttributes(ctx, SearchAttributes(t.view)...); err != nil {
		return fmt.Errorf("upsert search attributes: %w", err)
	}
	workflow.SetCurrentDetails(ctx, t.details())
	return nil
}

func (t *ticketRun) snapshot() ticket.Snapshot {
	v := t.view
	s := ticket.Snapshot{
		Number: v.Number, TenantID: v.TenantID, Title: v.Title, State: string(v.State), Level: string(v.Level),
		QueueID: v.QueueID, ServiceID: v.ServiceID, TypeID: v.TypeID, PriorityID: v.PriorityID,
		OwnerID: v.OwnerID, ResponsibleID: v.ResponsibleID, Locked: v.Locked,
		CustomerID: v.CustomerID, Channel: v.Channel,
		CreatedAt: v.CreatedAt, UpdatedAt: v.UpdatedAt, ClosedAt: v.ClosedAt,
		PendingUntil: v.PendingUntil, MergedInto: v.MergedInto, Links: v.Links,
		SLA: ticket.SLASnapshot{
			Name:                  v.Terms.SLA,
			FirstResponseDue:      v.SLA.FirstResponseDue,
			UpdateDue:             v.SLA.UpdateDue,
			SolutionDue:           v.SLA.SolutionDue,
			EscalationDue:         v.SLA.EscalationDue,
			FirstResponseAt:       v.SLA.FirstResponseAt,
			FirstResponseTime:     v.SLA.FirstResponseTime,
			SolutionTime:          v.SLA.SolutionTime,
			FirstResponseBreached: v.SLA.FirstResponseBreached,
			UpdateBreached:        v.SLA.UpdateBreached,
			SolutionBreached:      v.SLA.SolutionBreached,
			EscalatedAt:           v.SLA.EscalatedAt,
		},
	}
	for _, w := range v.Watchers {
		s.Watchers = append(s.Watchers, w.ID)
	}
	return s
}

// details is the "current details" text of the workflow in the Temporal UI.
func (t *ticketRun) details() string {
	v := t.view
	var b strings.Builder
	fmt.Fprintf(&b, "**Ticket %s** — state *%s*, %s, queue %s, priority %s, %d history entries",
		v.Number, v.State, v.Level, v.QueueName, v.PriorityName, v.Seq)
	if !v.PendingUntil.IsZero() {
		fmt.Fprintf(&b, "\n\npending until %s", v.PendingUntil.UTC().Format(time.RFC3339))
	}
	for _, d := range []struct {
		name string
		at   time.Time
	}{{"first response due", v.SLA.FirstResponseDue}, {"update due", v.SLA.UpdateDue},
		{"solution due", v.SLA.SolutionDue}, {"escalation due", v.SLA.EscalationDue}} {
		if !d.at.IsZero() {
			fmt.Fprintf(&b, "\n\n%s %s", d.name, d.at.UTC().Format(time.RFC3339))
		}
	}
	return b.String()
}

// articleEvent is the history event that adding an article of kind records.
func articleEvent(kind ticket.ArticleKind) string {
	if kind == ticket.ArticlePhoneNote {
		return ticket.EventPhoneCall
	}
	return ticket.EventAddNote
}

func validateNote(note string) error {
	if note == "" {
		return nil
	}
	return validateArticle(ticket.ArticleInput{Kind: ticket.ArticleInternalNote, Body: note})
}

func validateArticle(in ticket.ArticleInput) error {
	if !in.Kind.Valid() {
		return fmt.Errorf("%q is not an article kind", in.Kind)
	}
	if strings.TrimSpace(in.Body) == "" {
		return errors.New("the text is empty")
	}
	if len(in.Body) > ticket.MaxArticleLength {
		return fmt.Errorf("the text is longer than %d characters", ticket.MaxArticleLength)
	}
	return nil
}
