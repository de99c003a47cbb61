// Package workflows holds the ticket lifecycle: deterministic code only.
// Ticket is the workflow; policy.go is the process as tables and pure
// functions; package ticket has every name and payload a caller needs.
package workflows

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/kiz-ulm/kizdesk/calendar"
	"github.com/kiz-ulm/kizdesk/ticket"
)

// Ticket carries one ticket from creation until its follow-up window after
// closing has passed. Every change arrives as an Update (or, from a
// customer, a Signal), is checked against the policy, applied, recorded as
// history entries and projected into the database before the Update
// answers; a change the database refuses for good is undone. Deadlines —
// SLA warnings and breaches, the automatic escalation, reminders, auto
// close and the end of the follow-up window — are one timer for the
// earliest of them, re-armed whenever a change moves it.
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
	// stored is set once the new ticket is in the database; lost when the
	// database refused it for good (the workflow then ends).
	stored, lost bool
	// faulted is set when the database refused a change the system made
	// (a deadline, a follow-up) for good: the change was undone, and the
	// ticket waits for a person instead of trying again and again.
	faulted bool
	// changes counts changes, so the main loop knows to re-arm its timer.
	changes int
	// followUps and merges are the signal channels. They are read only by
	// the main loop, never by a goroutine waiting on them: a waiting
	// receiver would hold a signal where continue-as-new cannot see it.
	followUps, merges workflow.ReceiveChannel
	// seen are the keys of recent follow-ups, so one sent twice counts once.
	seen []string
	// requests are recent actions' request keys with their fingerprints.
	requests []ticket.Request
	// ending is set while the run ends (end): new updates are turned away
	// to be sent again, and so land in the next run.
	ending bool
	// process is the process version the ticket started under (Process).
	process int
	// shown is what the Temporal UI's search attributes show, so that a
	// change that does not alter them (a note) writes none.
	shown string
}

// maxSeen bounds the follow-up keys and request keys a ticket remembers.
const maxSeen = 200

// versionClocks guards the change that brought SLA clocks (process v2).
const versionClocks = "sla-clocks"

// projectionPatience is how long a change waits for the database: in
// effect for ever. A ticket must never lose a change, or fail, because
// the database was away for a while; its timers fire late but fire.
const projectionPatience = 10 * 365 * 24 * time.Hour

func (t *ticketRun) run(ctx workflow.Context, in ticket.TicketInput) error {
	t.mu = workflow.NewMutex(ctx)
	t.followUps = workflow.GetSignalChannel(ctx, ticket.SignalFollowUp)
	t.merges = workflow.GetSignalChannel(ctx, ticket.SignalMergedIn)
	// The ticket has its state before the handlers are registered: updates
	// that arrive with the start, or waited for a new run, are validated
	// against it at once (the SDK runs them as soon as their handler is).
	t.process = in.Process
	if in.Resume != nil {
		r := in.Resume
		t.view, t.clocks, t.seen, t.timed, t.requests, t.process = r.View, r.Clocks, r.Seen, r.Timed, r.Requests, r.Process
		t.stored = true
	} else {
		t.view = in.Ticket
		t.view.Terms = in.Terms
		t.view.State = ticket.StateNew
	}
	if err := t.registerHandlers(ctx); err != nil {
		return err
	}
	if in.Resume == nil {
		if err := t.create(ctx, in); err != nil {
			// Answer whoever waits, then end: there is no ticket.
			_ = workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) })
			return err
		}
	}
	return t.live(ctx)
}

// create records the new ticket. Updates that arrive with the start wait
// until the ticket exists: they take the mutex too, and wait for stored.
func (t *ticketRun) create(ctx workflow.Context, in ticket.TicketInput) error {
	t.timed = t.version(ctx, versionClocks, 1) >= 1
	if err := t.mu.Lock(ctx); err != nil {
		return err
	}
	defer t.mu.Unlock()
	now := workflow.Now(ctx)
	if !in.OpenedAt.IsZero() && t.version(ctx, versionOpenedAt, 1) >= 1 {
		// The workflow started with the attributes of the ticket as opened
		// then (StartAttributes): showing them again would cost a second
		// visibility write for every new ticket.
		now = in.OpenedAt
		t.shown = attributesShown(opened(in, t.timed))
	}
	t.view.CreatedAt, t.view.UpdatedAt = now, now
	t.record(ctx, ticket.EventNewTicket, in.Actor, "State", "", string(ticket.StateNew), nil)
	t.notify(ticket.NotifyNewTicket, t.view.QueueID, 0)
	t.record(ctx, articleEvent(in.Article.Kind), in.Actor, "", "", "", &in.Article)
	t.account(ctx, in.Actor, in.Article.Minutes)
	if in.LinkTo != "" {
		t.view.Links = append(t.view.Links, in.LinkTo)
		t.record(ctx, ticket.EventLinkAdd, in.Actor, "Link", "", in.LinkTo, nil)
	}
	if t.timed {
		clocksOnCreate(&t.clocks, t.view, now)
	}
	if err := t.project(ctx); err != nil {
		t.lost = true
		return err
	}
	t.stored = true
	return nil
}

// live is the ticket's main loop: take what arrived, act on what is due,
// arm one timer for the next deadline, wait for it or for a change.
func (t *ticketRun) live(ctx workflow.Context) error {
	var timer workflow.Future
	var cancelTimer workflow.CancelFunc
	var armed deadline
	for {
		if err := t.takeInbox(ctx); err != nil {
			return err
		}
		if err := t.actOnDue(ctx); err != nil {
			return err
		}
		if t.finished(workflow.Now(ctx)) {
			// Take what is still arriving before the run ends, as before
			// continue-as-new; a late follow-up may reopen the ticket.
			if err := t.end(ctx); err != nil {
				return err
			}
			if t.finished(workflow.Now(ctx)) {
				return nil
			}
			continue
		}
		if workflow.GetInfo(ctx).GetContinueAsNewSuggested() {
			if cancelTimer != nil {
				cancelTimer()
			}
			return t.continueAsNew(ctx)
		}
		d, ok := t.nextDeadline()
		if timer != nil && (timer.IsReady() || !ok || !d.At.Equal(armed.At) || d.Label != armed.Label) {
			// The deadline moved: cancel the old timer explicitly, so the
			// Temporal UI shows only the one that counts.
			cancelTimer()
			timer, cancelTimer = nil, nil
		}
		if timer == nil && ok {
			var tctx workflow.Context
			tctx, cancelTimer = workflow.WithCancel(ctx)
			timer = workflow.NewTimerWithOptions(tctx, max(d.At.Sub(workflow.Now(ctx)), time.Millisecond), workflow.TimerOptions{
				Summary: d.Label + " at " + d.At.UTC().Format(time.RFC3339),
			})
			armed = d
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

// settle waits until every handler has finished and every signal that
// arrived has been taken, so a run ends (or continues as new) losing
// nothing.
func (t *ticketRun) settle(ctx workflow.Context) error {
	for {
		if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
			return err
		}
		if err := t.takeInbox(ctx); err != nil {
			return err
		}
		if !t.signalled() && workflow.AllHandlersFinished(ctx) {
			return nil
		}
	}
}

// versionCleanEnd guards the change that ends a run in a workflow task of
// its own (end).
const versionCleanEnd = "clean-end"

// end settles the run and returns in a workflow task that projected
// nothing. The task that completes a run (or continues it as new) is
// failed by the server when a signal arrives meanwhile, and replayed; a
// projection done in that task would already be in the database, though
// the history no longer has it, and the replay would number its entries
// differently — a follow-up could then be skipped as written. So the run
// ends only after a task in which nothing was written.
//
// Updates arriving meanwhile are refused with RefusedBusy, which callers
// send again (the desk does): they land in the next run, or learn that the
// ticket's workflow has ended. Signals are few, so the run soon sees a
// quiet task.
func (t *ticketRun) end(ctx workflow.Context) error {
	if t.version(ctx, versionCleanEnd, 1) == workflow.DefaultVersion {
		return t.settle(ctx)
	}
	t.ending = true
	defer func() { t.ending = false }()
	for {
		if err := t.settle(ctx); err != nil {
			return err
		}
		written := t.changes
		if err := workflow.Sleep(ctx, time.Millisecond); err != nil {
			return err
		}
		if err := t.settle(ctx); err != nil {
			return err
		}
		if t.changes == written {
			return nil
		}
	}
}

// continueAsNew hands the ticket to a fresh run once it has ended cleanly.
func (t *ticketRun) continueAsNew(ctx workflow.Context) error {
	if err := t.end(ctx); err != nil {
		return err
	}
	return workflow.NewContinueAsNewError(ctx, Ticket, ticket.TicketInput{Resume: &ticket.Carry{
		View: t.view, Clocks: t.clocks, Seen: t.seen, Timed: t.timed, Requests: t.requests, Process: t.process,
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

// due lists what will fall due; nothing while a fault waits for a person.
func (t *ticketRun) due() []deadline {
	if t.faulted {
		return nil
	}
	return deadlines(t.view, &t.clocks, t.timed, t.cal())
}

func (t *ticketRun) nextDeadline() (deadline, bool) {
	return earliestDue(t.due())
}

// actOnDue does, as the system and under the mutex, every deadline that
// has come.
func (t *ticketRun) actOnDue(ctx workflow.Context) error {
	if d, ok := t.nextDeadline(); !ok || d.At.After(workflow.Now(ctx)) {
		return nil
	}
	if err := t.mu.Lock(ctx); err != nil {
		return err
	}
	defer t.mu.Unlock()
	now := workflow.Now(ctx)
	saved := t.save()
	v := &t.view
	cal := t.cal()
	system := ticket.Actor{Kind: ticket.ActorSystem, Name: "kizdesk"}
	for _, d := range t.due() {
		if d.At.After(now) {
			continue
		}
		switch d.Kind {
		case dueSLAWarning:
			c := clockNamed(&t.clocks, d.Clock)
			c.Warned = true
			t.record(ctx, ticket.EventSLAWarning, system, d.Clock, "", c.Due(cal).UTC().Format(time.RFC3339), nil)
			t.notify(ticket.NotifySLAWarning, v.QueueID, v.OwnerID)
		case dueSLABreach:
			clockNamed(&t.clocks, d.Clock).Breached = true
			t.markBreach(d.Clock)
			t.record(ctx, ticket.EventSLABreach, system, d.Clock, "", d.At.UTC().Format(time.RFC3339), nil)
			t.notify(ticket.NotifySLABreach, v.QueueID, v.OwnerID)
		case dueEscalate:
			t.escalate(ctx, system, v.Terms.SecondLevel)
		case dueReminder:
			v.ReminderReached = true
			t.record(ctx, ticket.EventReminderReached, system, "PendingUntil", "", v.PendingUntil.UTC().Format(time.RFC3339), nil)
			t.notify(ticket.NotifyReminder, v.QueueID, v.OwnerID)
		case dueAutoClose:
			t.setState(ctx, system, autoCloseTo[v.State])
		case dueWindowEnd:
			// Nothing to change: the main loop ends the run.
		}
	}
	if len(t.events) == 0 {
		return nil
	}
	v.UpdatedAt = now
	return t.commitSystem(ctx, saved)
}

func clockNamed(cs *ticket.Clocks, name string) *ticket.Clock {
	for _, c := range cs.SLA() {
		if c.Name == name {
			return c.C
		}
	}
	return &ticket.Clock{} // unknown names change nothing
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
	saved := t.save()
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
	return t.commitSystem(ctx, saved)
}

// followUp takes a customer's message: on a pending ticket it returns the
// ticket to open, on a closed one (inside the follow-up window, or the
// workflow would be gone) it reopens it. A message for a ticket merged
// away goes on to the ticket it was merged into.
func (t *ticketRun) followUp(ctx workflow.Context, in ticket.FollowUpInput) {
	if in.Key != "" {
		if slices.Contains(t.seen, in.Key) {
			return
		}
		t.seen = remember(t.seen, in.Key)
	}
	art := in.Article
	art.Kind = ticket.ArticleCustomer
	art.Minutes = 0 // time is what agents account
	if validateArticle(art) != nil {
		return // an empty message changes nothing; the sender checked it
	}
	if t.view.State.Final() {
		// Merged in the moment the message came: it belongs to the target.
		// Wait for the target to take it; if it cannot (its workflow has
		// ended), keep the message here, where the merged ticket's zoom
		// and the target's link still show it.
		err := workflow.SignalExternalWorkflow(ctx, ticket.WorkflowID(t.view.MergedInto), "", ticket.SignalFollowUp, in).Get(ctx, nil)
		if err == nil {
			t.record(ctx, ticket.EventFollowUpForwarded, in.Actor, "MergedInto", "", t.view.MergedInto, nil)
			return
		}
		workflow.GetLogger(ctx).Warn("follow-up to a merged ticket could not be forwarded; kept on the merged ticket",
			"ticket", t.view.Number, "into", t.view.MergedInto, "error", err)
		t.record(ctx, ticket.EventFollowUp, in.Actor, "", "", "", &art)
		t.notify(ticket.NotifyFollowUp, t.view.QueueID, t.view.OwnerID)
		return
	}
	t.record(ctx, ticket.EventFollowUp, in.Actor, "", "", "", &art)
	t.notify(ticket.NotifyFollowUp, t.view.QueueID, t.view.OwnerID)
	if t.view.State.Pending() || t.view.State.Closed() {
		t.setState(ctx, in.Actor, ticket.StateOpen)
	}
}

func remember[T any](list []T, x T) []T {
	list = append(list, x)
	if len(list) > maxSeen {
		list = slices.Clone(list[len(list)-maxSeen:])
	}
	return list
}

// --- updates ---

// action is one update: check says whether it may be done now (the
// generic part — state, lock, request key — is checked for it), apply
// makes the change, after (optional) runs once the change is stored.
type action[T ticket.Input] struct {
	name  ticket.Action
	check func(T) error
	apply func(workflow.Context, T)
	after func(workflow.Context, T)
}

// register installs an action as an Update with its validator. The
// validator refuses early (nothing enters the history); the handler checks
// again under the mutex, since another change may have come first.
func register[T ticket.Input](ctx workflow.Context, t *ticketRun, a action[T]) error {
	check := func(in T) error {
		if err := t.allow(a.name, in.Req()); err != nil {
			return err
		}
		if err := checkGrant(t.view, a.name, in); err != nil {
			return err
		}
		if err := checkCustomer(a.name, in); err != nil {
			return err
		}
		return a.check(in)
	}
	validator := func(_ workflow.Context, in T) error {
		if t.ending {
			return refuse(ticket.RefusedBusy)
		}
		if err := requireGrant(in); err != nil {
			return err
		}
		if !t.stored {
			return nil // checked once the ticket exists
		}
		if _, err := t.knownRequest(in.Req()); err != nil {
			return err
		}
		return check(in)
	}
	handler := func(ctx workflow.Context, in T) (ticket.View, error) {
		v, err := t.change(ctx, in.Req(), func() error { return check(in) }, func() { a.apply(ctx, in) })
		if err == nil && a.after != nil {
			a.after(ctx, in)
		}
		return v, err
	}
	opts := workflow.UpdateHandlerOptions{Validator: validator}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, string(a.name), handler, opts); err != nil {
		return fmt.Errorf("register update %s: %w", a.name, err)
	}
	return nil
}

func (t *ticketRun) registerHandlers(ctx workflow.Context) error {
	if err := workflow.SetQueryHandler(ctx, ticket.QueryTicket, func() (ticket.View, error) {
		return t.view, nil
	}); err != nil {
		return fmt.Errorf("register query %s: %w", ticket.QueryTicket, err)
	}
	if err := workflow.SetUpdateHandler(ctx, ticket.UpdateCreate, t.created); err != nil {
		return fmt.Errorf("register update %s: %w", ticket.UpdateCreate, err)
	}
	for _, err := range []error{
		register(ctx, t, action[ticket.AddNoteInput]{name: ticket.ActionNote, check: t.checkNote(ctx), apply: t.addNote}),
		register(ctx, t, action[ticket.ReplyInput]{name: ticket.ActionReply, check: t.checkReply(ctx), apply: t.reply}),
		register(ctx, t, action[ticket.AssignInput]{name: ticket.ActionAssign, check: t.checkAssign, apply: t.assign}),
		register(ctx, t, action[ticket.LockInput]{name: ticket.ActionLock, check: t.checkLock, apply: t.lock}),
		register(ctx, t, action[ticket.WatchInput]{name: ticket.ActionWatch, check: t.checkWatch, apply: t.watch}),
		register(ctx, t, action[ticket.MoveInput]{name: ticket.ActionMove, check: t.checkMoveQueue, apply: t.move}),
		register(ctx, t, action[ticket.ClassifyInput]{name: ticket.ActionClassify, check: t.checkClassify, apply: t.classify}),
		register(ctx, t, action[ticket.EscalateInput]{name: ticket.ActionEscalate, check: t.checkEscalate, apply: t.escalateTo}),
		register(ctx, t, action[ticket.HandBackInput]{name: ticket.ActionHandBack, check: t.checkHandBack, apply: t.handBack}),
		register(ctx, t, action[ticket.PendingInput]{name: ticket.ActionPending, check: t.checkPending(ctx), apply: t.setPending}),
		register(ctx, t, action[ticket.CloseInput]{name: ticket.ActionClose, check: t.checkClose, apply: t.close}),
		register(ctx, t, action[ticket.ReopenInput]{name: ticket.ActionReopen, check: t.checkReopen, apply: t.reopen}),
		register(ctx, t, action[ticket.MergeInput]{name: ticket.ActionMerge, check: t.checkMerge, apply: t.merge, after: t.tellMergeTarget}),
		register(ctx, t, action[ticket.LinkInput]{name: ticket.ActionLink, check: t.checkLink, apply: t.link}),
		register(ctx, t, action[ticket.TimeInput]{name: ticket.ActionTime, check: t.checkTime, apply: t.addTime}),
		register(ctx, t, action[ticket.EndFollowUpInput]{name: ticket.ActionEndFollowUp, check: t.checkEndFollowUp, apply: t.endFollowUp}),
	} {
		if err != nil {
			return err
		}
	}
	return nil
}

// created answers the create request once the ticket is in the database.
func (t *ticketRun) created(ctx workflow.Context, _ ticket.CreateInput) (ticket.View, error) {
	if err := workflow.Await(ctx, func() bool { return t.stored || t.lost }); err != nil {
		return ticket.View{}, err
	}
	if t.lost {
		return ticket.View{}, refuse(ticket.RefusedNotCreated)
	}
	return t.view, nil
}

// allow checks what every action must pass: the state allows it, a locked
// ticket is changed only by its owner, and a request key is not reused for
// something else.
func (t *ticketRun) allow(act ticket.Action, req ticket.Request) error {
	return checkAction(t.view, act, req.Actor)
}

// knownRequest tells whether the request was done already (same key, same
// content), and refuses the same key with other content.
func (t *ticketRun) knownRequest(req ticket.Request) (bool, error) {
	if req.Key == "" {
		return false, nil
	}
	for _, r := range t.requests {
		if r.Key == req.Key {
			if r.Print != req.Print {
				return false, refuse(ticket.RefusedKeyReused, "Key", req.Key)
			}
			return true, nil
		}
	}
	return false, nil
}

// change runs one update under the mutex: it checks again, applies the
// change to the ticket, projects it, and undoes it if the database refuses
// it for good — the caller then hears why, and the ticket is as before.
func (t *ticketRun) change(ctx workflow.Context, req ticket.Request, check func() error, apply func()) (ticket.View, error) {
	if err := workflow.Await(ctx, func() bool { return t.stored || t.lost }); err != nil {
		return ticket.View{}, err
	}
	if t.lost {
		return ticket.View{}, refuse(ticket.RefusedNotCreated)
	}
	if err := t.mu.Lock(ctx); err != nil {
		return ticket.View{}, err
	}
	defer t.mu.Unlock()
	done, err := t.knownRequest(req)
	if err != nil {
		return ticket.View{}, err
	}
	if done {
		// Sent again (e.g. after continue-as-new, where Temporal no longer
		// knows the update ID): it was done; answer as then.
		return t.view, nil
	}
	if err := check(); err != nil {
		return ticket.View{}, err
	}
	saved := t.save()
	t.view.UpdatedAt = workflow.Now(ctx)
	apply()
	if req.Key != "" {
		t.requests = remember(t.requests, ticket.Request{Key: req.Key, Print: req.Print})
	}
	if err := t.project(ctx); err != nil {
		t.restore(saved)
		return ticket.View{}, err
	}
	t.faulted = false
	return t.view, nil
}

// commitSystem projects a change the system made (a deadline, a signal).
// If the database refuses it for good, the change is undone and the
// ticket waits for a person (faulted) instead of trying it again and again.
func (t *ticketRun) commitSystem(ctx workflow.Context, saved saved) error {
	if err := t.project(ctx); err != nil {
		if !isRefusal(err) {
			return err
		}
		t.restore(saved)
		t.faulted = true
	}
	return nil
}

// saved is the ticket's state before a change, to undo it.
type saved struct {
	view     ticket.View
	clocks   ticket.Clocks
	seen     []string
	requests []ticket.Request
	events   int
}

func (t *ticketRun) save() saved {
	v := t.view
	v.Watchers, v.Links = slices.Clone(v.Watchers), slices.Clone(v.Links)
	return saved{view: v, clocks: t.clocks, seen: slices.Clone(t.seen), requests: slices.Clone(t.requests), events: len(t.events)}
}

func (t *ticketRun) restore(s saved) {
	t.view, t.clocks, t.seen, t.requests, t.events = s.view, s.clocks, s.seen, s.requests, t.events[:s.events]
}

func (t *ticketRun) checkNote(ctx workflow.Context) func(ticket.AddNoteInput) error {
	return func(in ticket.AddNoteInput) error {
		if k := in.Article.Kind; k != ticket.ArticleInternalNote && k != ticket.ArticlePhoneNote {
			return refuse(ticket.FieldChoose, "Field", "kind")
		}
		if err := validateArticle(in.Article); err != nil {
			return err
		}
		return t.checkNext(ctx, in.Actor, in.Next)
	}
}

func (t *ticketRun) addNote(ctx workflow.Context, in ticket.AddNoteInput) {
	t.record(ctx, articleEvent(in.Article.Kind), in.Actor, "", "", "", &in.Article)
	t.account(ctx, in.Actor, in.Article.Minutes)
	t.agentWrote(ctx, in.Actor, in.Article.Kind)
	t.moveNext(ctx, in.Actor, in.Next)
}

func (t *ticketRun) checkReply(ctx workflow.Context) func(ticket.ReplyInput) error {
	return func(in ticket.ReplyInput) error {
		if err := validateArticle(replyArticle(in)); err != nil {
			return err
		}
		return t.checkNext(ctx, in.Actor, in.Next)
	}
}

func (t *ticketRun) reply(ctx workflow.Context, in ticket.ReplyInput) {
	art := replyArticle(in)
	t.record(ctx, ticket.EventSendAnswer, in.Actor, "", "", "", &art)
	t.account(ctx, in.Actor, in.Minutes)
	t.agentWrote(ctx, in.Actor, ticket.ArticleReply)
	t.moveNext(ctx, in.Actor, in.Next)
}

func replyArticle(in ticket.ReplyInput) ticket.ArticleInput {
	return ticket.ArticleInput{Kind: ticket.ArticleReply, Subject: in.Subject, Body: in.Body, Files: in.Files, Minutes: in.Minutes}
}

// account adds the working time an article's author spent on it: an entry
// of its own, as a time accounting alone writes, so the ticket's time is
// the sum of its TimeAccounting entries whichever way it was recorded.
func (t *ticketRun) account(ctx workflow.Context, actor ticket.Actor, minutes int) {
	if minutes <= 0 {
		return
	}
	t.view.TimeSpent += minutes
	t.record(ctx, ticket.EventTimeAccounting, actor, "TimeSpent", "", strconv.Itoa(minutes), nil)
}

// checkNext checks an article's next state as the pending or close action
// would be checked on its own (state, lock, due time). A new ticket that
// gets an agent's article is open first.
func (t *ticketRun) checkNext(ctx workflow.Context, actor ticket.Actor, next ticket.NextState) error {
	switch {
	case next.State == "":
		return nil
	case next.State.Pending():
		if err := checkAction(t.view, ticket.ActionPending, actor); err != nil {
			return err
		}
		return t.checkPending(ctx)(ticket.PendingInput{Request: ticket.Request{Actor: actor}, State: next.State, Until: next.Until})
	case next.State.Closed():
		if err := checkAction(t.view, ticket.ActionClose, actor); err != nil {
			return err
		}
		return t.checkClose(ticket.CloseInput{Request: ticket.Request{Actor: actor}, State: next.State})
	case next.State == ticket.StateOpen:
		return nil // an agent's article opens a new ticket anyway
	}
	return refuse(ticket.FieldChoose, "Field", "next_state")
}

// moveNext sets the state an article asked for.
func (t *ticketRun) moveNext(ctx workflow.Context, actor ticket.Actor, next ticket.NextState) {
	switch {
	case next.State.Pending():
		t.setPending(ctx, ticket.PendingInput{Request: ticket.Request{Actor: actor}, State: next.State, Until: next.Until})
	case next.State.Closed():
		t.setState(ctx, actor, next.State)
	}
}

// agentWrote: an agent writing on a new ticket has started working on it;
// an answer to the customer counts for the SLA clocks.
func (t *ticketRun) agentWrote(ctx workflow.Context, actor ticket.Actor, kind ticket.ArticleKind) {
	if actor.Kind != ticket.ActorAgent {
		return
	}
	if t.view.State == ticket.StateNew {
		t.setState(ctx, actor, ticket.StateOpen)
	}
	if t.timed && answersCustomer(kind) {
		clocksOnAnswer(&t.clocks, &t.view, t.cal(), workflow.Now(ctx))
	}
}

func (t *ticketRun) checkAssign(in ticket.AssignInput) error {
	if in.Owner.ID == t.view.OwnerID && in.Responsible.ID == t.view.ResponsibleID {
		return refuse(ticket.RefusedAlreadyAssign)
	}
	return nil
}

func (t *ticketRun) assign(ctx workflow.Context, in ticket.AssignInput) {
	t.setOwner(ctx, in.Actor, in.Owner)
	v := &t.view
	if in.Responsible.ID != v.ResponsibleID {
		t.record(ctx, ticket.EventResponsible, in.Actor, "Responsible", v.ResponsibleName, in.Responsible.Name, nil)
		v.ResponsibleID, v.ResponsibleName = in.Responsible.ID, in.Responsible.Name
	}
}

// setOwner records a new owner; a ticket without an owner is not locked.
func (t *ticketRun) setOwner(ctx workflow.Context, actor ticket.Actor, owner ticket.AgentRef) {
	v := &t.view
	if owner.ID == v.OwnerID {
		return
	}
	t.record(ctx, ticket.EventOwnerUpdate, actor, "Owner", v.OwnerName, owner.Name, nil)
	if owner.ID != 0 && (actor.Kind != ticket.ActorAgent || actor.ID != owner.ID) {
		t.notify(ticket.NotifyAssigned, v.QueueID, owner.ID)
	}
	v.OwnerID, v.OwnerName = owner.ID, owner.Name
	if owner.ID == 0 && v.Locked {
		t.unlock(ctx, actor)
	}
}

func (t *ticketRun) unlock(ctx workflow.Context, actor ticket.Actor) {
	t.view.Locked = false
	t.record(ctx, ticket.EventUnlock, actor, "Lock", "lock", "unlock", nil)
}

func (t *ticketRun) checkLock(in ticket.LockInput) error {
	switch {
	case in.Locked && t.view.Locked:
		return refuse(ticket.RefusedAlreadyLocked, "Owner", t.view.OwnerName)
	case !in.Locked && !t.view.Locked:
		return refuse(ticket.RefusedNotLocked)
	case in.Locked && in.Actor.Kind != ticket.ActorAgent:
		return refuse(ticket.RefusedLockNeedsAgent)
	}
	return nil
}

// lock: the agent who locks becomes the owner (as in OTRS); anybody may
// unlock, and history says who did.
func (t *ticketRun) lock(ctx workflow.Context, in ticket.LockInput) {
	if !in.Locked {
		t.unlock(ctx, in.Actor)
		return
	}
	t.setOwner(ctx, in.Actor, ticket.AgentRef{ID: in.Actor.ID, Name: in.Actor.Name})
	t.view.Locked = true
	t.record(ctx, ticket.EventLock, in.Actor, "Lock", "unlock", "lock", nil)
}

func (t *ticketRun) checkWatch(in ticket.WatchInput) error {
	if in.Agent.ID == 0 {
		return refuse(ticket.FieldChoose, "Field", "agent")
	}
	watching := slices.ContainsFunc(t.view.Watchers, func(w ticket.AgentRef) bool { return w.ID == in.Agent.ID })
	if in.Watch && watching {
		return refuse(ticket.RefusedWatching, "Agent", in.Agent.Name)
	}
	if !in.Watch && !watching {
		return refuse(ticket.RefusedNotWatching, "Agent", in.Agent.Name)
	}
	return nil
}

func (t *ticketRun) watch(ctx workflow.Context, in ticket.WatchInput) {
	if in.Watch {
		t.view.Watchers = append(t.view.Watchers, in.Agent)
		t.record(ctx, ticket.EventSubscribe, in.Actor, "Watcher", "", in.Agent.Name, nil)
		return
	}
	t.view.Watchers = slices.DeleteFunc(slices.Clone(t.view.Watchers), func(w ticket.AgentRef) bool { return w.ID == in.Agent.ID })
	t.record(ctx, ticket.EventUnsubscribe, in.Actor, "Watcher", in.Agent.Name, "", nil)
}

func (t *ticketRun) checkMoveQueue(in ticket.MoveInput) error {
	return t.checkQueue(in.Queue)
}

func (t *ticketRun) checkQueue(q ticket.QueueRef) error {
	if q.ID == 0 || !q.Level.Valid() {
		return refuse(ticket.FieldChoose, "Field", "queue")
	}
	if q.ID == t.view.QueueID {
		return refuse(ticket.RefusedSameQueue, "Queue", q.Name)
	}
	return nil
}

func (t *ticketRun) move(ctx workflow.Context, in ticket.MoveInput) {
	t.moveTo(ctx, in.Actor, in.Queue, "LevelUpdate")
}

// moveTo puts the ticket into queue q; its level follows the queue's, and
// levelEvent names that change in history.
func (t *ticketRun) moveTo(ctx workflow.Context, actor ticket.Actor, q ticket.QueueRef, levelEvent string) {
	v := &t.view
	t.record(ctx, ticket.EventMove, actor, "Queue", v.QueueName, q.Name, nil)
	if levelEvent != ticket.EventEscalation {
		t.notify(ticket.NotifyMoved, q.ID, 0) // an escalation tells the queue itself
	}
	v.QueueID, v.QueueName, v.FollowUpWindow = q.ID, q.Name, q.FollowUpWindow
	if q.Level != v.Level {
		t.record(ctx, levelEvent, actor, "Level", string(v.Level), string(q.Level), nil)
		v.Level = q.Level
	}
	if v.Level != ticket.LevelFirst {
		t.clocks.Escalation.Stop(t.cal(), workflow.Now(ctx))
	}
}

func (t *ticketRun) checkClassify(in ticket.ClassifyInput) error {
	v := t.view
	if in.Type.ID == 0 || in.Priority.ID == 0 {
		return refuse(ticket.FieldChoose, "Field", "type_id")
	}
	if in.Service.ID == v.ServiceID && in.Type.ID == v.TypeID && in.Priority.ID == v.PriorityID {
		return refuse(ticket.RefusedSameClass)
	}
	if c := in.Terms.Calendar; in.Terms.SLA != "" && c.Validate() != nil {
		return refuse(ticket.RefusedCalendar, "Reason", c.Validate().Error())
	}
	return nil
}

func (t *ticketRun) classify(ctx workflow.Context, in ticket.ClassifyInput) {
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
}

func (t *ticketRun) checkEscalate(in ticket.EscalateInput) error {
	if err := t.checkQueue(in.Queue); err != nil {
		return err
	}
	if in.Queue.Level == ticket.LevelFirst {
		return refuse(ticket.RefusedEscalateFirst, "Queue", in.Queue.Name)
	}
	if t.view.Level == ticket.LevelTeam && in.Queue.Level == ticket.LevelSecond {
		return refuse(ticket.RefusedWithTeam)
	}
	return validateNote(in.Note)
}

func (t *ticketRun) escalateTo(ctx workflow.Context, in ticket.EscalateInput) {
	t.addNoteIfAny(ctx, in.Actor, "Escalated", in.Note)
	t.escalate(ctx, in.Actor, in.Queue)
}

func (t *ticketRun) checkHandBack(in ticket.HandBackInput) error {
	if t.view.Level == ticket.LevelFirst {
		return refuse(ticket.RefusedFirstLevel)
	}
	if t.view.Terms.FirstLevel.ID == 0 {
		return refuse(ticket.RefusedNoFirstLevel)
	}
	return validateNote(in.Note)
}

func (t *ticketRun) handBack(ctx workflow.Context, in ticket.HandBackInput) {
	t.addNoteIfAny(ctx, in.Actor, "Handed back", in.Note)
	q := t.view.Terms.FirstLevel
	q.Level = ticket.LevelFirst
	t.moveTo(ctx, in.Actor, q, ticket.EventHandBack)
}

// checkPending reads the workflow's clock, so it is made per context.
func (t *ticketRun) checkPending(ctx workflow.Context) func(ticket.PendingInput) error {
	return func(in ticket.PendingInput) error {
		if !in.State.Pending() {
			return refuse(ticket.FieldChoose, "Field", "state")
		}
		if in.State != t.view.State {
			if err := checkMove(t.view.State, in.State); err != nil {
				return err
			}
		}
		now := workflow.Now(ctx)
		if !in.Until.After(now) {
			return refuse(ticket.FieldPast, "Field", "until")
		}
		if in.Until.After(now.Add(ticket.MaxPending)) {
			return refuse(ticket.FieldTooFar, "Field", "until", "Days", fmt.Sprint(int(ticket.MaxPending.Hours()/24)))
		}
		return validateNote(in.Note)
	}
}

func (t *ticketRun) setPending(ctx workflow.Context, in ticket.PendingInput) {
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
}

func (t *ticketRun) checkClose(in ticket.CloseInput) error {
	if !in.State.Closed() {
		return refuse(ticket.FieldChoose, "Field", "state")
	}
	if err := checkMove(t.view.State, in.State); err != nil {
		return err
	}
	return validateNote(in.Note)
}

func (t *ticketRun) close(ctx workflow.Context, in ticket.CloseInput) {
	t.addNoteIfAny(ctx, in.Actor, "Closed", in.Note)
	t.setState(ctx, in.Actor, in.State)
}

func (t *ticketRun) checkReopen(in ticket.ReopenInput) error {
	return validateNote(in.Note)
}

func (t *ticketRun) reopen(ctx workflow.Context, in ticket.ReopenInput) {
	t.addNoteIfAny(ctx, in.Actor, "Reopened", in.Note)
	t.setState(ctx, in.Actor, ticket.StateOpen)
}

func (t *ticketRun) checkMerge(in ticket.MergeInput) error {
	switch in.Into {
	case "":
		return refuse(ticket.FieldRequired, "Field", "into")
	case t.view.Number:
		return refuse(ticket.RefusedSelf)
	}
	return checkMove(t.view.State, ticket.StateMerged)
}

// merge ends this ticket in state merged; the target records it and links
// back, so this ticket's articles stay reachable from there.
func (t *ticketRun) merge(ctx workflow.Context, in ticket.MergeInput) {
	t.view.MergedInto = in.Into
	if !slices.Contains(t.view.Links, in.Into) {
		t.view.Links = append(t.view.Links, in.Into)
	}
	t.record(ctx, ticket.EventMerged, in.Actor, "MergedInto", "", in.Into, nil)
	t.setState(ctx, in.Actor, ticket.StateMerged)
}

// tellMergeTarget lets the target record the merge. The target may have
// ended already (closed beyond its window); the database link still leads
// there, so a failed notice is no failure.
func (t *ticketRun) tellMergeTarget(ctx workflow.Context, in ticket.MergeInput) {
	_ = workflow.SignalExternalWorkflow(ctx, ticket.WorkflowID(in.Into), "", ticket.SignalMergedIn,
		ticket.MergedInInput{Actor: in.Actor, From: t.view.Number}).Get(ctx, nil)
}

func (t *ticketRun) checkLink(in ticket.LinkInput) error {
	switch {
	case in.Other == "":
		return refuse(ticket.FieldRequired, "Field", "other")
	case in.Other == t.view.Number:
		return refuse(ticket.RefusedSelf)
	case slices.Contains(t.view.Links, in.Other):
		return refuse(ticket.RefusedLinked, "Other", in.Other)
	}
	return nil
}

func (t *ticketRun) link(ctx workflow.Context, in ticket.LinkInput) {
	t.view.Links = append(t.view.Links, in.Other)
	t.record(ctx, ticket.EventLinkAdd, in.Actor, "Link", "", in.Other, nil)
}

func (t *ticketRun) checkTime(in ticket.TimeInput) error {
	if in.Minutes <= 0 || in.Minutes > ticket.MaxTimeMinutes {
		return refuse(ticket.FieldChoose, "Field", "minutes")
	}
	return validateNote(in.Note)
}

func (t *ticketRun) addTime(ctx workflow.Context, in ticket.TimeInput) {
	t.addNoteIfAny(ctx, in.Actor, "Time accounted", in.Note)
	t.view.TimeSpent += in.Minutes
	t.record(ctx, ticket.EventTimeAccounting, in.Actor, "TimeSpent", "", strconv.Itoa(in.Minutes), nil)
}

// checkEndFollowUp lets only kizdesk itself (retention) end the window.
func (t *ticketRun) checkEndFollowUp(in ticket.EndFollowUpInput) error {
	if in.Actor.Kind != ticket.ActorSystem {
		return refuse(ticket.RefusedForbidden)
	}
	return validateNote(in.Reason)
}

// endFollowUp closes the follow-up window now: the run then ends, and a
// later message opens a new ticket linked to this one.
func (t *ticketRun) endFollowUp(ctx workflow.Context, in ticket.EndFollowUpInput) {
	now := workflow.Now(ctx)
	old := t.view.FollowUpUntil
	t.view.FollowUpUntil = now
	t.record(ctx, ticket.EventFollowUpEnded, in.Actor, "FollowUpUntil", old.UTC().Format(time.RFC3339), in.Reason, nil)
}

// setState moves the ticket and lets the clocks follow (policy.go).
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
	if next.Closed() && v.Locked && unlockOnClose {
		t.unlock(ctx, actor)
	}
	if t.timed {
		clocksOnMove(&t.clocks, v, t.cal(), prev, next, now)
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
	if canEscalate(t.view) {
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
			Files:           art.Files,
			Minutes:         art.Minutes,
		}
	}
	t.events = append(t.events, ev)
}

// inWorkingHours are the notifications that wait for the working time
// of the ticket's calendar: news of work to do. Warnings and breaches go
// out at once, as the on-call duty needs them.
var inWorkingHours = map[string]bool{
	ticket.NotifyNewTicket: true, ticket.NotifyMoved: true, ticket.NotifyAssigned: true, ticket.NotifyFollowUp: true,
}

// notify raises a notification with the last recorded history entry: to
// the agent if there is one, else to the queue.
func (t *ticketRun) notify(kind string, queueID, agentID int64) {
	n := &ticket.Notification{Kind: kind, QueueID: queueID, AgentID: agentID, WorkingHours: inWorkingHours[kind]}
	t.events[len(t.events)-1].Notify = n
}

// project writes the pending history entries and the ticket's new values to
// the database, then shows the new values in the Temporal UI. It is a local
// activity: a short database transaction that runs in the worker's process
// without a round trip through the task queue, which keeps an agent's
// click fast. It is retried without end (projectionPatience) unless the
// database refuses the change for good: then the ticket is marked in the
// Temporal UI and the log, and the caller undoes the change.
func (t *ticketRun) project(ctx workflow.Context) error {
	t.refreshSLA()
	// Counted before the activity runs, so the main loop re-arms its timer
	// in the same workflow task (recorded histories depend on this order).
	t.changes++
	lctx := workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{
		ScheduleToCloseTimeout: projectionPatience,
		StartToCloseTimeout:    30 * time.Second,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:        200 * time.Millisecond,
			BackoffCoefficient:     2,
			MaximumInterval:        30 * time.Second,
			NonRetryableErrorTypes: []string{ticket.ErrProjectionRejected},
		},
		Summary: "project ticket into the database",
	})
	in := ticket.ProjectTicketInput{Ticket: t.snapshot(), Events: t.events}
	var res ticket.ProjectTicketResult
	if err := workflow.ExecuteLocalActivity(lctx, ticket.ActivityProject, in).Get(ctx, &res); err != nil {
		if temporal.IsCanceledError(err) {
			return err
		}
		ref := fmt.Sprintf("%s/%d", ticket.WorkflowID(t.view.Number), t.view.Seq)
		workflow.GetLogger(ctx).Error("the database refused a ticket change; it was undone",
			"ticket", t.view.Number, "ref", ref, "error", err)
		_ = workflow.UpsertTypedSearchAttributes(ctx, SearchTicketFault.ValueSet("projection refused at "+ref))
		return refuse(ticket.RefusedStored, "Ref", ref)
	}
	t.events = nil
	if res.Head != "" {
		t.view.ChainHead = res.Head
	}
	// Each upsert is a write to Temporal's visibility store, the busiest
	// part of the server when many tickets change at once: only changed
	// attributes are written (recorded histories upsert every time).
	shown := attributesShown(t.view)
	if shown != t.shown || t.version(ctx, versionLeanUpsert, 1) == workflow.DefaultVersion {
		if err := workflow.UpsertTypedSearchAttributes(ctx, SearchAttributes(t.view)...); err != nil {
			return fmt.Errorf("upsert search attributes: %w", err)
		}
		t.shown = shown
	}
	workflow.SetCurrentDetails(ctx, t.details())
	return nil
}

// Process is the version of the ticket process new tickets start under:
// they have every change guarded by a version marker so far from their
// start. Asking workflow.GetVersion instead would cost each new ticket a
// marker per change and a visibility write (the SDK records the change
// IDs in the search attribute TemporalChangeVersion): a tenth of the CPU
// of a create. A later change is guarded with workflow.GetVersion as
// usual and, once released, may be added here with Process raised.
const Process = 1

// version is workflow.GetVersion for the changes of process version 1
// (all guarded so far): a ticket started under it has them.
func (t *ticketRun) version(ctx workflow.Context, change string, max workflow.Version) workflow.Version {
	if t.process >= 1 {
		return max
	}
	return workflow.GetVersion(ctx, change, workflow.DefaultVersion, max)
}

// versionOpenedAt guards the change that dates a new ticket from when the
// desk accepted it (TicketInput.OpenedAt) and starts it with its search
// attributes.
const versionOpenedAt = "opened-at"

// versionLeanUpsert guards the change that upserts search attributes only
// when they changed.
const versionLeanUpsert = "lean-upsert"

func (t *ticketRun) snapshot() ticket.Snapshot {
	v := t.view
	s := ticket.Snapshot{
		Number: v.Number, TenantID: v.TenantID, Title: v.Title, State: string(v.State), Level: string(v.Level),
		QueueID: v.QueueID, ServiceID: v.ServiceID, TypeID: v.TypeID, PriorityID: v.PriorityID,
		OwnerID: v.OwnerID, ResponsibleID: v.ResponsibleID, Locked: v.Locked,
		CustomerID: v.CustomerID, Channel: v.Channel,
		CreatedAt: v.CreatedAt, UpdatedAt: v.UpdatedAt, ClosedAt: v.ClosedAt,
		PendingUntil: v.PendingUntil, ReminderDue: reminderDue(v, t.cal()), MergedInto: v.MergedInto, Links: v.Links, TimeSpent: v.TimeSpent,
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

// validateArticle is the process's own check; the desk has checked the
// text's bytes already (ticket.CheckText) and refuses bad ones earlier.
func validateArticle(in ticket.ArticleInput) error {
	if !in.Kind.Valid() {
		return refuse(ticket.FieldChoose, "Field", "kind")
	}
	if strings.TrimSpace(in.Body) == "" {
		return refuse(ticket.FieldRequired, "Field", "body")
	}
	if p, bad := ticket.CheckText(in.Body, ticket.Lines, ticket.MaxArticleLength); bad {
		return refuse(p.Code, "Field", "body")
	}
	if in.Minutes < 0 || in.Minutes > ticket.MaxTimeMinutes {
		return refuse(ticket.FieldMinutes, "Field", "minutes", "Max", strconv.Itoa(ticket.MaxTimeMinutes))
	}
	if p, bad := ticket.CheckFiles(in.Files); bad {
		return refuse(p.Code, "Field", "files", "Name", p.Args["Name"], "Max", p.Args["Max"])
	}
	return nil
}

// refuse is how the process says no: a coded, final error that the caller
// renders in the reader's language.
func refuse(code ticket.Code, nameValues ...string) error {
	p := ticket.P(code, nameValues...)
	return temporal.NewApplicationErrorWithOptions(p.Error(), string(code), temporal.ApplicationErrorOptions{
		NonRetryable: true, Details: []any{p.Args},
	})
}

// isRefusal tells whether err is one of refuse's errors.
func isRefusal(err error) bool {
	var appErr *temporal.ApplicationError
	return errors.As(err, &appErr) && strings.Contains(appErr.Type(), ".")
}
