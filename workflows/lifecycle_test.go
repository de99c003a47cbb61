package workflows

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/kiz-ulm/kizdesk/calendar"
	"github.com/kiz-ulm/kizdesk/ticket"
)

var berlin = mustZone("Europe/Berlin")

func mustZone(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return l
}

// at is a wall-clock moment in Ulm.
func at(month time.Month, day, hour, minute int) time.Time {
	return time.Date(2026, month, day, hour, minute, 0, 0, berlin)
}

// kizHelpdesk is the helpdesk's calendar: Mon–Fri 8–18, public holidays
// of Baden-Württemberg.
func kizHelpdesk(t *testing.T) calendar.Calendar {
	t.Helper()
	week, err := calendar.ParseWeek("mon-fri 08:00-18:00")
	if err != nil {
		t.Fatal(err)
	}
	hol, err := calendar.GermanHolidays("BW", 2026, 2027)
	if err != nil {
		t.Fatal(err)
	}
	c := calendar.Calendar{Name: "kiz Helpdesk", Location: "Europe/Berlin", Week: week, Holidays: hol}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	return c
}

var (
	helpdesk = ticket.QueueRef{ID: 1, Name: "Helpdesk", Level: ticket.LevelFirst}
	netz     = ticket.QueueRef{ID: 2, Name: "Netz & WLAN", Level: ticket.LevelSecond}
	team     = ticket.QueueRef{ID: 3, Name: "Team Exchange", Level: ticket.LevelTeam}
	other    = ticket.Actor{Kind: ticket.ActorAgent, ID: 8, Name: "Nora Netz"}
	customer = ticket.Actor{Kind: ticket.ActorCustomer, ID: 5, Name: "Erika Mustermann"}
)

// timedInput is a ticket opened Monday 30 November 2026, 09:00, with the
// helpdesk's SLA: first response 2 h, update 4 h, solution 8 h, warning at
// 80 %, escalation to Netz & WLAN after 4 h at 1st level.
func timedInput(t *testing.T, env *testsuite.TestWorkflowEnvironment) ticket.TicketInput {
	env.SetStartTime(at(time.November, 30, 9, 0))
	in := newInput()
	in.Terms = ticket.Terms{
		SLA: "Helpdesk Standard", Calendar: kizHelpdesk(t),
		FirstResponse: 2 * time.Hour, Update: 4 * time.Hour, Solution: 8 * time.Hour, WarnPercent: 80,
		EscalateAfter: 4 * time.Hour, SecondLevel: netz, FirstLevel: helpdesk,
	}
	return in
}

// entry finds the first history entry with the event (and field, if given).
func entry(p *projection, event, field string) (ticket.HistoryEvent, bool) {
	for _, ev := range p.events {
		if ev.Event == event && (field == "" || ev.Field == field) {
			return ev, true
		}
	}
	return ticket.HistoryEvent{}, false
}

func wantEntryAt(t *testing.T, p *projection, event, field string, when time.Time) ticket.HistoryEvent {
	t.Helper()
	ev, ok := entry(p, event, field)
	if !ok {
		t.Errorf("no %s(%s) in history: %s", event, field, events(p))
		return ev
	}
	if !ev.At.Equal(when) {
		t.Errorf("%s(%s) at %s, want %s", event, field, ev.At.In(berlin), when)
	}
	return ev
}

func sendSignal(env *testsuite.TestWorkflowEnvironment, after time.Duration, name string, arg any) {
	env.RegisterDelayedCallback(func() { env.SignalWorkflow(name, arg) }, after)
}

// until is the delay from the test's start to a wall-clock moment.
func until(when time.Time) time.Duration { return when.Sub(at(time.November, 30, 9, 0)) }

func wantDone(t *testing.T, rs ...*updateResult) {
	t.Helper()
	for i, r := range rs {
		if !r.done || r.rejected != nil || r.err != nil {
			t.Errorf("update %d: done %v, rejected %v, err %v", i, r.done, r.rejected, r.err)
		}
	}
}

// TestSLAClocksPauseWhilePending follows one ticket through a week: the
// first response is met, the clocks stand while it is pending over a day
// without work, a customer's answer brings it back, and the update and
// solution clocks warn and breach on working time.
func TestSLAClocksPauseWhilePending(t *testing.T) {
	env, p := newEnv(t)
	in := timedInput(t, env)
	in.Terms.EscalateAfter = 0
	reply := sendUpdate(env, until(at(time.November, 30, 10, 0)), string(ticket.ActionReply), ticket.ReplyInput{Request: agentRequest, Body: "We are on it."})
	pending := sendUpdate(env, until(at(time.November, 30, 10, 30)), string(ticket.ActionPending), ticket.PendingInput{
		Request: agentRequest, State: ticket.StatePendingReminder, Until: at(time.December, 2, 10, 0)})
	var view ticket.View
	env.RegisterDelayedCallback(func() {
		res, err := env.QueryWorkflow(ticket.QueryTicket)
		if err == nil {
			err = res.Get(&view)
		}
		if err != nil {
			t.Error(err)
		}
	}, until(at(time.December, 1, 12, 0)))
	sendSignal(env, until(at(time.December, 2, 11, 0)), ticket.SignalFollowUp, ticket.FollowUpInput{
		Actor: customer, Article: ticket.ArticleInput{Body: "Still broken."}, Key: "<m1@uni-ulm.de>"})
	closed := sendUpdate(env, until(at(time.December, 3, 9, 0)), string(ticket.ActionClose), ticket.CloseInput{Request: agentRequest, State: ticket.StateClosedSuccessful})

	env.ExecuteWorkflow(Ticket, in)
	wantDone(t, reply, pending, closed)

	if d := reply.view.SLA; !d.FirstResponseAt.Equal(at(time.November, 30, 10, 0)) || d.FirstResponseTime != time.Hour || d.FirstResponseBreached {
		t.Errorf("first response: %+v", d)
	}
	if got, want := reply.view.SLA.UpdateDue, at(time.November, 30, 14, 0); !got.Equal(want) {
		t.Errorf("update due %s, want %s", got, want)
	}
	if !view.SLA.SolutionDue.IsZero() || view.State != ticket.StatePendingReminder {
		t.Errorf("while pending: state %q, solution due %s; want no due time", view.State, view.SLA.SolutionDue)
	}
	wantEntryAt(t, p, ticket.EventReminderReached, "", at(time.December, 2, 10, 0))
	wantEntryAt(t, p, ticket.EventFollowUp, "", at(time.December, 2, 11, 0))
	// Back to open on Wednesday 11:00: update used 0.5 h, solution 1.5 h.
	wantEntryAt(t, p, ticket.EventSLAWarning, ticket.ClockUpdate, at(time.December, 2, 13, 42))
	wantEntryAt(t, p, ticket.EventSLABreach, ticket.ClockUpdate, at(time.December, 2, 14, 30))
	wantEntryAt(t, p, ticket.EventSLAWarning, ticket.ClockSolution, at(time.December, 2, 15, 54))
	breach := wantEntryAt(t, p, ticket.EventSLABreach, ticket.ClockSolution, at(time.December, 2, 17, 30))
	if breach.Notify == nil || breach.Notify.Kind != ticket.NotifySLABreach || breach.Notify.QueueID != helpdesk.ID {
		t.Errorf("breach notification %+v", breach.Notify)
	}
	if _, ok := entry(p, ticket.EventSLAWarning, ticket.ClockFirstResponse); ok {
		t.Error("a first response met in time was warned about")
	}
	s := closed.view.SLA
	if s.SolutionTime != 9*time.Hour+30*time.Minute || !s.SolutionBreached || !s.UpdateBreached || s.FirstResponseBreached {
		t.Errorf("at close: %+v; want solution time 9h30m, solution and update breached", s)
	}
	if !s.SolutionDue.IsZero() || !s.UpdateDue.IsZero() {
		t.Errorf("a closed ticket shows due times %+v", s)
	}
}

func TestFirstResponseBreachAndWarning(t *testing.T) {
	env, p := newEnv(t)
	in := timedInput(t, env)
	in.Terms.EscalateAfter = 0
	var created *updateResult = sendUpdate(env, 0, ticket.UpdateCreate, ticket.CreateInput{})
	sendUpdate(env, until(at(time.November, 30, 12, 0)), string(ticket.ActionNote), ticket.AddNoteInput{
		Request: agentRequest, Article: ticket.ArticleInput{Kind: ticket.ArticleInternalNote, Body: "internal notes do not answer the customer"}})
	sendUpdate(env, until(at(time.December, 1, 9, 0)), string(ticket.ActionClose), ticket.CloseInput{Request: agentRequest, State: ticket.StateClosedSuccessful})
	env.ExecuteWorkflow(Ticket, in)
	wantDone(t, created)
	if got, want := created.view.SLA.FirstResponseDue, at(time.November, 30, 11, 0); !got.Equal(want) {
		t.Errorf("first response due %s, want %s", got, want)
	}
	wantEntryAt(t, p, ticket.EventSLAWarning, ticket.ClockFirstResponse, at(time.November, 30, 10, 36))
	wantEntryAt(t, p, ticket.EventSLABreach, ticket.ClockFirstResponse, at(time.November, 30, 11, 0))
	wantEntryAt(t, p, ticket.EventSLABreach, ticket.ClockSolution, at(time.November, 30, 17, 0))
}

// TestEscalationToSecondLevel: a ticket opened Monday 16:00 is still at
// 1st level after 4 working hours, Tuesday 10:00, and moves to the
// service's 2nd-level queue by itself.
func TestEscalationToSecondLevel(t *testing.T) {
	env, p := newEnv(t)
	in := timedInput(t, env)
	env.SetStartTime(at(time.November, 30, 16, 0))
	in.Terms.FirstResponse, in.Terms.Update, in.Terms.Solution = 0, 0, 0
	var view ticket.View
	env.RegisterDelayedCallback(func() {
		res, _ := env.QueryWorkflow(ticket.QueryTicket)
		_ = res.Get(&view)
	}, 20*time.Hour)
	sendUpdate(env, 2*24*time.Hour, string(ticket.ActionClose), ticket.CloseInput{Request: agentRequest, State: ticket.StateClosedSuccessful})
	env.ExecuteWorkflow(Ticket, in)

	move := wantEntryAt(t, p, ticket.EventMove, "Queue", at(time.December, 1, 10, 0))
	if move.Old != "Helpdesk" || move.New != "Netz & WLAN" || move.Actor.Kind != ticket.ActorSystem {
		t.Errorf("move %+v", move)
	}
	lvl := wantEntryAt(t, p, ticket.EventEscalation, "Level", at(time.December, 1, 10, 0))
	if lvl.Old != string(ticket.LevelFirst) || lvl.New != string(ticket.LevelSecond) {
		t.Errorf("level %s → %s", lvl.Old, lvl.New)
	}
	if lvl.Notify == nil || lvl.Notify.Kind != ticket.NotifyEscalation || lvl.Notify.QueueID != netz.ID {
		t.Errorf("escalation notification %+v, want one for queue %d", lvl.Notify, netz.ID)
	}
	if view.Level != ticket.LevelSecond || view.QueueID != netz.ID || !view.SLA.EscalatedAt.Equal(at(time.December, 1, 10, 0)) {
		t.Errorf("after escalation: level %q queue %d escalated %s", view.Level, view.QueueID, view.SLA.EscalatedAt)
	}
	if n := strings.Count(events(p), ticket.EventEscalation); n != 1 {
		t.Errorf("%d escalations, want 1: %s", n, events(p))
	}
}

// TestNoEscalationWhilePendingOrSolved: the escalation clock stands while
// the ticket waits and stops when it is solved.
func TestNoEscalationWhilePendingOrSolved(t *testing.T) {
	env, p := newEnv(t)
	in := timedInput(t, env)
	sendUpdate(env, time.Hour, string(ticket.ActionPending), ticket.PendingInput{Request: agentRequest, State: ticket.StatePendingAutoClose, Until: at(time.December, 7, 9, 0)})
	env.ExecuteWorkflow(Ticket, in)
	if _, ok := entry(p, ticket.EventEscalation, ""); ok {
		t.Errorf("a pending ticket escalated: %s", events(p))
	}
	if last := p.events[len(p.events)-1]; last.Event != ticket.EventStateUpdate || !last.At.Equal(at(time.December, 7, 9, 0)) {
		t.Errorf("last entry %+v, want the auto close on 7 December 09:00", last)
	}
	if p.last.State != string(ticket.StateClosedSuccessful) {
		t.Errorf("state %q after auto close", p.last.State)
	}
}

// TestThirtyDayReminder: a reminder set for a Wednesday evening a month
// ahead tells the owner the next working morning.
func TestThirtyDayReminder(t *testing.T) {
	env, p := newEnv(t)
	in := timedInput(t, env)
	in.Terms.EscalateAfter = 0
	assign := sendUpdate(env, time.Minute, string(ticket.ActionAssign), ticket.AssignInput{Request: agentRequest, Owner: ticket.AgentRef{ID: agent.ID, Name: agent.Name}})
	set := sendUpdate(env, 2*time.Minute, string(ticket.ActionPending), ticket.PendingInput{
		Request: agentRequest, State: ticket.StatePendingReminder, Until: at(time.December, 30, 20, 0), Note: "Ask again after the holidays."})
	var view ticket.View
	env.RegisterDelayedCallback(func() {
		res, _ := env.QueryWorkflow(ticket.QueryTicket)
		_ = res.Get(&view)
	}, until(at(time.December, 31, 9, 0)))
	sendUpdate(env, until(at(time.December, 31, 10, 0)), string(ticket.ActionClose), ticket.CloseInput{Request: agentRequest, State: ticket.StateClosedSuccessful})
	env.ExecuteWorkflow(Ticket, in)
	wantDone(t, assign, set)
	ev := wantEntryAt(t, p, ticket.EventReminderReached, "", at(time.December, 31, 8, 0))
	if ev.Notify == nil || ev.Notify.Kind != ticket.NotifyReminder || ev.Notify.AgentID != agent.ID {
		t.Errorf("reminder notification %+v, want one for the owner", ev.Notify)
	}
	if view.State != ticket.StatePendingReminder || !view.ReminderReached {
		t.Errorf("after the reminder: state %q, reached %v; want still pending, reached", view.State, view.ReminderReached)
	}
	if n := strings.Count(events(p), ticket.EventReminderReached); n != 1 {
		t.Errorf("%d reminders, want 1", n)
	}
}

func TestPendingAutoClose(t *testing.T) {
	for _, c := range []struct {
		pending ticket.State
		closed  ticket.State
	}{{ticket.StatePendingAutoClose, ticket.StateClosedSuccessful}, {ticket.StatePendingAutoCloseNo, ticket.StateClosedUnsuccessful}} {
		t.Run(string(c.pending), func(t *testing.T) {
			env, p := newEnv(t)
			in := timedInput(t, env)
			due := at(time.December, 3, 14, 15)
			sendUpdate(env, time.Hour, string(ticket.ActionPending), ticket.PendingInput{Request: agentRequest, State: c.pending, Until: due})
			env.ExecuteWorkflow(Ticket, in)
			if !env.IsWorkflowCompleted() || env.GetWorkflowError() != nil {
				t.Fatalf("workflow: %v", env.GetWorkflowError())
			}
			var closing ticket.HistoryEvent
			for _, ev := range p.events {
				if ev.Event == ticket.EventStateUpdate && ev.New == string(c.closed) {
					closing = ev
				}
			}
			if !closing.At.Equal(due) || closing.Actor.Kind != ticket.ActorSystem || closing.Old != string(c.pending) {
				t.Errorf("closing entry %+v, want %s by the system at %s", closing, c.closed, due)
			}
		})
	}
}

func TestPendingIsChecked(t *testing.T) {
	env, p := newEnv(t)
	in := timedInput(t, env)
	past := sendUpdate(env, time.Hour, string(ticket.ActionPending), ticket.PendingInput{Request: agentRequest, State: ticket.StatePendingReminder, Until: at(time.November, 30, 9, 30)})
	notPending := sendUpdate(env, time.Hour, string(ticket.ActionPending), ticket.PendingInput{Request: agentRequest, State: ticket.StateOpen, Until: at(time.December, 30, 9, 30)})
	tooFar := sendUpdate(env, time.Hour, string(ticket.ActionPending), ticket.PendingInput{Request: agentRequest, State: ticket.StatePendingReminder, Until: at(time.November, 30, 9, 0).Add(3 * 365 * 24 * time.Hour)})
	sendUpdate(env, 2*time.Hour, string(ticket.ActionClose), ticket.CloseInput{Request: agentRequest, State: ticket.StateClosedSuccessful})
	env.ExecuteWorkflow(Ticket, in)
	for name, r := range map[string]*updateResult{"past": past, "not a pending state": notPending, "too far": tooFar} {
		if r.rejected == nil {
			t.Errorf("%s: not rejected", name)
		}
	}
	if _, ok := entry(p, ticket.EventPendingTime, ""); ok {
		t.Error("a rejected pending time was recorded")
	}
}

// TestFollowUps: a customer's message returns a pending ticket to open and
// reopens a closed one inside the follow-up window; the same message sent
// twice counts once.
func TestFollowUps(t *testing.T) {
	env, p := newEnv(t)
	in := timedInput(t, env)
	in.Terms = ticket.Terms{} // no SLA: only the follow-ups show in history
	in.Ticket.FollowUpWindow = 3 * 24 * time.Hour
	sendUpdate(env, time.Hour, string(ticket.ActionPending), ticket.PendingInput{Request: agentRequest, State: ticket.StatePendingAutoClose, Until: at(time.December, 9, 9, 0)})
	msg := ticket.FollowUpInput{Actor: customer, Article: ticket.ArticleInput{Subject: "Re: VPN", Body: "It works again, but..."}, Key: "<a@uni-ulm.de>"}
	sendSignal(env, 2*time.Hour, ticket.SignalFollowUp, msg)
	sendSignal(env, 3*time.Hour, ticket.SignalFollowUp, msg)
	closed := sendUpdate(env, 4*time.Hour, string(ticket.ActionClose), ticket.CloseInput{Request: agentRequest, State: ticket.StateClosedSuccessful})
	msg2 := msg
	msg2.Key, msg2.Article.Body = "<b@uni-ulm.de>", "It is broken again."
	sendSignal(env, 2*24*time.Hour, ticket.SignalFollowUp, msg2)
	var view ticket.View
	env.RegisterDelayedCallback(func() {
		res, _ := env.QueryWorkflow(ticket.QueryTicket)
		_ = res.Get(&view)
	}, 2*24*time.Hour+time.Minute)
	sendUpdate(env, 3*24*time.Hour, string(ticket.ActionClose), ticket.CloseInput{Request: agentRequest, State: ticket.StateClosedUnsuccessful})
	env.ExecuteWorkflow(Ticket, in)
	wantDone(t, closed)

	want := "NewTicket(→new) PhoneCallCustomer StateUpdate(new→pending auto close+) SetPendingTime(→2026-12-09T08:00:00Z) " +
		"FollowUp StateUpdate(pending auto close+→open) StateUpdate(open→closed successful) " +
		"FollowUp StateUpdate(closed successful→open) StateUpdate(open→closed unsuccessful)"
	if got := events(p); got != want {
		t.Errorf("history:\n got %s\nwant %s", got, want)
	}
	if got, want := closed.view.FollowUpUntil, closed.view.ClosedAt.Add(3*24*time.Hour); !got.Equal(want) {
		t.Errorf("follow-up window ends %s, want %s", got, want)
	}
	if view.State != ticket.StateOpen || view.ClosedAt.IsZero() == false {
		t.Errorf("after the follow-up on the closed ticket: %q closed at %s", view.State, view.ClosedAt)
	}
	fu, _ := entry(p, ticket.EventFollowUp, "")
	if fu.Article == nil || fu.Article.Kind != string(ticket.ArticleCustomer) || !fu.Article.CustomerVisible || fu.Actor != customer {
		t.Errorf("follow-up entry %+v", fu)
	}
	if fu.Notify == nil || fu.Notify.Kind != ticket.NotifyFollowUp {
		t.Errorf("follow-up notification %+v", fu.Notify)
	}
}

// TestUpdateClockWaitsForFirstResponse: a ticket back from pending before
// anybody answered runs its first-response clock, not the update clock.
func TestUpdateClockWaitsForFirstResponse(t *testing.T) {
	env, _ := newEnv(t)
	in := timedInput(t, env)
	in.Terms.EscalateAfter = 0
	sendUpdate(env, 30*time.Minute, string(ticket.ActionPending), ticket.PendingInput{Request: agentRequest, State: ticket.StatePendingAutoCloseNo, Until: at(time.December, 4, 9, 0)})
	sendSignal(env, time.Hour, ticket.SignalFollowUp, ticket.FollowUpInput{Actor: customer, Article: ticket.ArticleInput{Body: "Hello?"}})
	var view ticket.View
	env.RegisterDelayedCallback(func() {
		res, _ := env.QueryWorkflow(ticket.QueryTicket)
		_ = res.Get(&view)
	}, time.Hour+time.Minute)
	sendUpdate(env, 2*time.Hour, string(ticket.ActionClose), ticket.CloseInput{Request: agentRequest, State: ticket.StateClosedSuccessful})
	env.ExecuteWorkflow(Ticket, in)
	if view.State != ticket.StateOpen || !view.SLA.UpdateDue.IsZero() {
		t.Errorf("back from pending: state %q, update due %s; want open with no update due", view.State, view.SLA.UpdateDue)
	}
	// 30 minutes used before pending, resumed at 10:00: due at 11:30.
	if got, want := view.SLA.FirstResponseDue, at(time.November, 30, 11, 30); !got.Equal(want) {
		t.Errorf("first response due %s, want %s", got, want)
	}
}

func TestReopenResumesSolutionClock(t *testing.T) {
	env, _ := newEnv(t)
	in := timedInput(t, env)
	in.Terms.EscalateAfter = 0
	sendUpdate(env, time.Hour, string(ticket.ActionReply), ticket.ReplyInput{Request: agentRequest, Body: "Fixed."})
	sendUpdate(env, 2*time.Hour, string(ticket.ActionClose), ticket.CloseInput{Request: agentRequest, State: ticket.StateClosedSuccessful})
	reopened := sendUpdate(env, 24*time.Hour, string(ticket.ActionReopen), ticket.ReopenInput{Request: agentRequest, Note: "Customer called: not fixed."})
	late := sendUpdate(env, 25*time.Hour, string(ticket.ActionReopen), ticket.ReopenInput{Request: agentRequest})
	sendUpdate(env, 26*time.Hour, string(ticket.ActionClose), ticket.CloseInput{Request: agentRequest, State: ticket.StateClosedSuccessful})
	env.ExecuteWorkflow(Ticket, in)
	wantDone(t, reopened)
	if late.rejected == nil {
		t.Error("reopening an open ticket was not rejected")
	}
	// Solution clock: 2 h used on Monday, reopened Tuesday 09:00 → 6 h left.
	if got, want := reopened.view.SLA.SolutionDue, at(time.December, 1, 15, 0); !got.Equal(want) {
		t.Errorf("solution due after reopen %s, want %s", got, want)
	}
	if got, want := reopened.view.SLA.UpdateDue, at(time.December, 1, 13, 0); !got.Equal(want) {
		t.Errorf("update due after reopen %s, want %s", got, want)
	}
}

func TestLockAssignWatch(t *testing.T) {
	env, p := newEnv(t)
	in := timedInput(t, env)
	lock := sendUpdate(env, time.Minute, string(ticket.ActionLock), ticket.LockInput{Request: agentRequest, Locked: true})
	closeByOther := sendUpdate(env, 2*time.Minute, string(ticket.ActionClose), ticket.CloseInput{Request: otherRequest, State: ticket.StateClosedSuccessful})
	noteByOther := sendUpdate(env, 3*time.Minute, string(ticket.ActionNote), ticket.AddNoteInput{Request: otherRequest, Article: ticket.ArticleInput{Kind: ticket.ArticleInternalNote, Body: "I can help."}})
	watch := sendUpdate(env, 4*time.Minute, string(ticket.ActionWatch), ticket.WatchInput{Request: otherRequest, Agent: ticket.AgentRef{ID: other.ID, Name: other.Name}, Watch: true})
	watchAgain := sendUpdate(env, 5*time.Minute, string(ticket.ActionWatch), ticket.WatchInput{Request: otherRequest, Agent: ticket.AgentRef{ID: other.ID, Name: other.Name}, Watch: true})
	unlock := sendUpdate(env, 6*time.Minute, string(ticket.ActionLock), ticket.LockInput{Request: otherRequest, Locked: false})
	assign := sendUpdate(env, 7*time.Minute, string(ticket.ActionAssign), ticket.AssignInput{Request: otherRequest,
		Owner: ticket.AgentRef{ID: other.ID, Name: other.Name}, Responsible: ticket.AgentRef{ID: agent.ID, Name: agent.Name}})
	unwatch := sendUpdate(env, 8*time.Minute, string(ticket.ActionWatch), ticket.WatchInput{Request: otherRequest, Agent: ticket.AgentRef{ID: other.ID, Name: other.Name}})
	closed := sendUpdate(env, 9*time.Minute, string(ticket.ActionClose), ticket.CloseInput{Request: otherRequest, State: ticket.StateClosedSuccessful})
	env.ExecuteWorkflow(Ticket, in)
	wantDone(t, lock, noteByOther, watch, unlock, assign, unwatch, closed)
	if lock.view.OwnerID != agent.ID || !lock.view.Locked {
		t.Errorf("after lock: owner %d locked %v", lock.view.OwnerID, lock.view.Locked)
	}
	if !refusedWith(closeByOther.rejected, ticket.RefusedLocked, "Owner", "Hannes Helpdesk") {
		t.Errorf("close by another agent on a locked ticket: %v", closeByOther.rejected)
	}
	if watchAgain.rejected == nil {
		t.Error("watching twice was not rejected")
	}
	if len(watch.view.Watchers) != 1 || len(unwatch.view.Watchers) != 0 {
		t.Errorf("watchers %v then %v", watch.view.Watchers, unwatch.view.Watchers)
	}
	if assign.view.OwnerID != other.ID || assign.view.ResponsibleID != agent.ID {
		t.Errorf("after assign: owner %d responsible %d", assign.view.OwnerID, assign.view.ResponsibleID)
	}
	want := "NewTicket(→new) PhoneCallCustomer OwnerUpdate(→Hannes Helpdesk) Lock(unlock→lock) AddNote StateUpdate(new→open) " +
		"Subscribe(→Nora Netz) Unlock(lock→unlock) OwnerUpdate(Hannes Helpdesk→Nora Netz) ResponsibleUpdate(→Hannes Helpdesk) " +
		"Unsubscribe(Nora Netz→) StateUpdate(open→closed successful)"
	if got := events(p); got != want {
		t.Errorf("history:\n got %s\nwant %s", got, want)
	}
	if len(p.last.Watchers) != 0 || p.last.OwnerID != other.ID {
		t.Errorf("projected watchers %v owner %d", p.last.Watchers, p.last.OwnerID)
	}
}

func TestMoveClassifyEscalateHandBack(t *testing.T) {
	env, p := newEnv(t)
	in := timedInput(t, env)
	terms := in.Terms
	terms.SLA, terms.Solution = "Helpdesk Urgent", 2*time.Hour
	classify := sendUpdate(env, time.Minute, string(ticket.ActionClassify), ticket.ClassifyInput{Request: agentRequest,
		Service: ticket.Ref{ID: 4, Name: "Netz & WLAN::VPN"}, Type: ticket.Ref{ID: 1, Name: "Incident"}, Priority: ticket.Ref{ID: 5, Name: "5 very high"}, Terms: terms})
	escalate := sendUpdate(env, 2*time.Minute, string(ticket.ActionEscalate), ticket.EscalateInput{Request: agentRequest, Queue: team, Note: "Needs the Exchange team."})
	inTeam := grantIn(team)
	toFirst := sendUpdate(env, 3*time.Minute, string(ticket.ActionEscalate), ticket.EscalateInput{Request: inTeam, Queue: helpdesk})
	back := sendUpdate(env, 4*time.Minute, string(ticket.ActionHandBack), ticket.HandBackInput{Request: inTeam})
	backAgain := sendUpdate(env, 5*time.Minute, string(ticket.ActionHandBack), ticket.HandBackInput{Request: agentRequest})
	move := sendUpdate(env, 6*time.Minute, string(ticket.ActionMove), ticket.MoveInput{Request: agentRequest, Queue: netz})
	sendUpdate(env, 7*time.Minute, string(ticket.ActionClose), ticket.CloseInput{Request: grantIn(netz), State: ticket.StateClosedSuccessful})
	env.ExecuteWorkflow(Ticket, in)
	wantDone(t, classify, escalate, back, move)
	if got, want := classify.view.SLA.SolutionDue, at(time.November, 30, 11, 0); !got.Equal(want) {
		t.Errorf("solution due after reclassifying %s, want %s", got, want)
	}
	if escalate.view.Level != ticket.LevelTeam || escalate.view.QueueName != team.Name {
		t.Errorf("after escalation: %q in %s", escalate.view.Level, escalate.view.QueueName)
	}
	if toFirst.rejected == nil || backAgain.rejected == nil {
		t.Errorf("escalating to a 1st-level queue: %v; handing back twice: %v", toFirst.rejected, backAgain.rejected)
	}
	if back.view.Level != ticket.LevelFirst || back.view.QueueID != helpdesk.ID {
		t.Errorf("after hand back: %q in %d", back.view.Level, back.view.QueueID)
	}
	if move.view.Level != ticket.LevelSecond {
		t.Errorf("moving to a 2nd-level queue: level %q", move.view.Level)
	}
	want := "NewTicket(→new) PhoneCallCustomer ServiceUpdate(→Netz & WLAN::VPN) PriorityUpdate(3 normal→5 very high) " +
		"SLAUpdate(Helpdesk Standard→Helpdesk Urgent) AddNote Move(Helpdesk→Team Exchange) LevelEscalation(1st level→team) " +
		"Move(Team Exchange→Helpdesk) LevelHandBack(team→1st level) Move(Helpdesk→Netz & WLAN) LevelUpdate(1st level→2nd level) " +
		"StateUpdate(new→closed successful)"
	if got := events(p); got != want {
		t.Errorf("history:\n got %s\nwant %s", got, want)
	}
}

// TestMerge: the merged ticket ends at once in state merged, tells its
// target, and links to it.
func TestMerge(t *testing.T) {
	env, p := newEnv(t)
	in := timedInput(t, env)
	var told ticket.MergedInInput
	env.OnSignalExternalWorkflow(mock.Anything, ticket.WorkflowID("2026112710000021"), "", ticket.SignalMergedIn, mock.Anything).Return(
		func(_, _, _, _ string, arg any) error {
			told = arg.(ticket.MergedInInput)
			return nil
		})
	self := sendUpdate(env, time.Minute, string(ticket.ActionMerge), ticket.MergeInput{Request: agentRequest, Into: in.Ticket.Number})
	merge := sendUpdate(env, 2*time.Minute, string(ticket.ActionMerge), ticket.MergeInput{Request: agentRequest, Into: "2026112710000021"})
	env.ExecuteWorkflow(Ticket, in)
	wantDone(t, merge)
	if self.rejected == nil {
		t.Error("merging a ticket into itself was not rejected")
	}
	if !env.IsWorkflowCompleted() || env.GetWorkflowError() != nil {
		t.Fatalf("workflow after merge: %v", env.GetWorkflowError())
	}
	if merge.view.State != ticket.StateMerged || merge.view.MergedInto != "2026112710000021" || p.last.MergedInto != "2026112710000021" {
		t.Errorf("after merge: %q into %q", merge.view.State, merge.view.MergedInto)
	}
	if told.From != in.Ticket.Number {
		t.Errorf("the target was told %+v", told)
	}
	if len(p.last.Links) != 1 || p.last.Links[0] != "2026112710000021" {
		t.Errorf("projected links %v", p.last.Links)
	}
}

func TestMergedInAndLink(t *testing.T) {
	env, p := newEnv(t)
	in := timedInput(t, env)
	sendSignal(env, time.Minute, ticket.SignalMergedIn, ticket.MergedInInput{Actor: agent, From: "2026112710000039"})
	link := sendUpdate(env, 2*time.Minute, string(ticket.ActionLink), ticket.LinkInput{Request: agentRequest, Other: "2026112710000047"})
	again := sendUpdate(env, 3*time.Minute, string(ticket.ActionLink), ticket.LinkInput{Request: agentRequest, Other: "2026112710000039"})
	sendUpdate(env, 4*time.Minute, string(ticket.ActionClose), ticket.CloseInput{Request: agentRequest, State: ticket.StateClosedSuccessful})
	env.ExecuteWorkflow(Ticket, in)
	wantDone(t, link)
	if again.rejected == nil {
		t.Error("linking a ticket twice was not rejected")
	}
	if _, ok := entry(p, ticket.EventMergedIn, "MergedFrom"); !ok {
		t.Errorf("no merge entry on the target: %s", events(p))
	}
	if got := strings.Join(link.view.Links, " "); got != "2026112710000039 2026112710000047" {
		t.Errorf("links %s", got)
	}
}

// TestContinueAsNewLosesNothing: when Temporal suggests continuing as new
// while an update and a follow-up are in flight, both are finished and
// recorded first, and the next run gets all of the ticket.
func TestContinueAsNewLosesNothing(t *testing.T) {
	// Every projection takes a minute: the note is still being written
	// when Temporal suggests continuing, and the follow-up arrives then.
	env, p := newEnvWith(t, time.Minute)
	in := timedInput(t, env)
	sendUpdate(env, time.Hour, string(ticket.ActionReply), ticket.ReplyInput{Request: agentRequest, Body: "Looking into it."})
	note := sendUpdate(env, 2*time.Hour, string(ticket.ActionNote), ticket.AddNoteInput{Request: agentRequest, Article: ticket.ArticleInput{Kind: ticket.ArticleInternalNote, Body: "Asked the network team."}})
	env.RegisterDelayedCallback(func() { env.SetContinueAsNewSuggested(true) }, 2*time.Hour+10*time.Second)
	sendSignal(env, 2*time.Hour+20*time.Second, ticket.SignalFollowUp, ticket.FollowUpInput{Actor: customer, Article: ticket.ArticleInput{Body: "Any news?"}, Key: "<c@uni-ulm.de>"})
	env.ExecuteWorkflow(Ticket, in)
	wantDone(t, note)

	var can *workflow.ContinueAsNewError
	if err := env.GetWorkflowError(); !errors.As(err, &can) {
		t.Fatalf("workflow ended with %v, want continue-as-new", err)
	}
	var next ticket.TicketInput
	if err := converter.GetDefaultDataConverter().FromPayloads(can.Input, &next); err != nil {
		t.Fatal(err)
	}
	if next.Resume == nil {
		t.Fatal("the next run gets no ticket")
	}
	c := next.Resume
	if c.View.Seq != len(p.events) || !strings.Contains(events(p), "FollowUp") || !strings.Contains(events(p), "AddNote") {
		t.Errorf("next run at entry %d, %d projected: %s", c.View.Seq, len(p.events), events(p))
	}
	if len(c.Seen) != 1 || !c.Timed || c.View.SLA.FirstResponseAt.IsZero() || c.Clocks.Solution.Since.IsZero() {
		t.Errorf("carried %+v", c)
	}

	// The next run goes on from there: its clocks still count.
	env2, p2 := newEnv(t)
	env2.SetStartTime(at(time.November, 30, 11, 3))
	p2.events = make([]ticket.HistoryEvent, c.View.Seq)
	// An update waiting for the new run is checked against the carried
	// state, not an empty one.
	first := sendUpdate(env2, 0, string(ticket.ActionNote), ticket.AddNoteInput{Request: agentRequest, Article: ticket.ArticleInput{Kind: ticket.ArticleInternalNote, Body: "First in the new run."}})
	sendUpdate(env2, time.Hour, string(ticket.ActionClose), ticket.CloseInput{Request: agentRequest, State: ticket.StateClosedSuccessful})
	closed := sendUpdate(env2, 2*time.Hour, string(ticket.ActionReopen), ticket.ReopenInput{Request: agentRequest})
	env2.ExecuteWorkflow(Ticket, next)
	wantDone(t, first, closed)
	if got := closed.view.SLA.SolutionTime; got != 3*time.Hour+3*time.Minute {
		t.Errorf("solution time across runs %s, want 3h3m", got)
	}
}

// TestOpenedAtTheDesk: a ticket dates from when the desk accepted it, its
// clocks run from then, and it starts with the search attributes it has
// once created — so creating it writes none again; the note that opens it
// and the close each write them once.
func TestOpenedAtTheDesk(t *testing.T) {
	env, _ := newEnv(t)
	in := timedInput(t, env)
	in.OpenedAt = at(time.November, 30, 8, 59)
	var upserts int
	env.OnUpsertTypedSearchAttributes(mock.Anything).Run(func(mock.Arguments) { upserts++ }).Return(nil)
	created := sendUpdate(env, 0, ticket.UpdateCreate, ticket.CreateInput{})
	afterCreate := -1
	env.RegisterDelayedCallback(func() { afterCreate = upserts }, 10*time.Second)
	sendUpdate(env, 30*time.Second, string(ticket.ActionNote), note("checked"))
	sendUpdate(env, 2*time.Minute, string(ticket.ActionClose), ticket.CloseInput{Request: agentRequest, State: ticket.StateClosedSuccessful})
	env.ExecuteWorkflow(Ticket, in)
	wantDone(t, created)
	v := created.view
	if !v.CreatedAt.Equal(in.OpenedAt) {
		t.Errorf("created at %s, want the desk's %s", v.CreatedAt, in.OpenedAt)
	}
	if want := at(time.November, 30, 10, 59); !v.SLA.FirstResponseDue.Equal(want) {
		t.Errorf("first response due %s, want %s (2 h from the desk's time)", v.SLA.FirstResponseDue, want)
	}
	if got, want := attributesShown(v), attributesShown(opened(in, true)); got != want {
		t.Errorf("created ticket shows %s, but started with %s", got, want)
	}
	if afterCreate != 0 {
		t.Errorf("%d search attribute upserts for a create, want none", afterCreate)
	}
	if upserts != 2 {
		t.Errorf("%d upserts in all, want 2 (the note opens the ticket, then the close)", upserts)
	}
}

// TestNewTicketsAskNoVersions: a ticket started under the current process
// version writes no version markers, and so no TemporalChangeVersion
// search attribute; one started without (an older desk) still asks.
func TestNewTicketsAskNoVersions(t *testing.T) {
	for _, process := range []int{0, Process} {
		env, _ := newEnv(t)
		in := timedInput(t, env)
		in.OpenedAt, in.Process = at(time.November, 30, 9, 0), process
		var changeVersions int
		env.OnUpsertSearchAttributes(mock.Anything).Run(func(mock.Arguments) { changeVersions++ }).Return(nil).Maybe()
		env.OnUpsertTypedSearchAttributes(mock.Anything).Return(nil).Maybe()
		created := sendUpdate(env, 0, ticket.UpdateCreate, ticket.CreateInput{})
		sendUpdate(env, time.Minute, string(ticket.ActionNote), note("checked"))
		env.ExecuteWorkflow(Ticket, in)
		wantDone(t, created)
		if process == Process && changeVersions != 0 {
			t.Errorf("process %d: %d change-version upserts, want none", process, changeVersions)
		}
		if process == 0 && changeVersions == 0 {
			t.Errorf("process 0: no change-version upsert; the test does not see them")
		}
	}
}

// TestGrantsAreCheckedByTheProcess: the ticket checks the permissions the
// desk sent with each agent's action against what the action needs, and
// against the queue it is in when the action arrives.
func TestGrantsAreCheckedByTheProcess(t *testing.T) {
	env, _ := newEnv(t)
	in := timedInput(t, env)
	with := func(queue int64, moveInto []int64, perms ...ticket.Perm) ticket.Request {
		return ticket.Request{Actor: agent, Grant: &ticket.Grant{Queue: queue, Perms: ticket.PermsOf(perms...), MoveInto: moveInto}}
	}
	noGrant := sendUpdate(env, time.Minute, string(ticket.ActionNote), ticket.AddNoteInput{Request: ticket.Request{Actor: agent},
		Article: ticket.ArticleInput{Kind: ticket.ArticleInternalNote, Body: "no grant"}})
	noteOnly := sendUpdate(env, 2*time.Minute, string(ticket.ActionClose), ticket.CloseInput{Request: with(helpdesk.ID, nil, ticket.PermNote), State: ticket.StateClosedSuccessful})
	note := sendUpdate(env, 3*time.Minute, string(ticket.ActionNote), ticket.AddNoteInput{Request: with(helpdesk.ID, nil, ticket.PermNote),
		Article: ticket.ArticleInput{Kind: ticket.ArticleInternalNote, Body: "may note"}})
	priority := sendUpdate(env, 4*time.Minute, string(ticket.ActionClassify), ticket.ClassifyInput{Request: with(helpdesk.ID, nil, ticket.PermPriority),
		Service: ticket.Ref{ID: in.Ticket.ServiceID, Name: in.Ticket.ServiceName}, Type: ticket.Ref{ID: in.Ticket.TypeID, Name: in.Ticket.TypeName},
		Priority: ticket.Ref{ID: 5, Name: "5 very high"}, Terms: in.Terms})
	intoUnlisted := sendUpdate(env, 5*time.Minute, string(ticket.ActionEscalate), ticket.EscalateInput{Request: with(helpdesk.ID, []int64{netz.ID}, ticket.PermRW), Queue: team})
	escalate := sendUpdate(env, 6*time.Minute, string(ticket.ActionEscalate), ticket.EscalateInput{Request: with(helpdesk.ID, []int64{team.ID}, ticket.PermRW), Queue: team})
	stale := sendUpdate(env, 7*time.Minute, string(ticket.ActionNote), ticket.AddNoteInput{Request: with(helpdesk.ID, nil, ticket.PermRW),
		Article: ticket.ArticleInput{Kind: ticket.ArticleInternalNote, Body: "granted for the Helpdesk"}})
	sendUpdate(env, 8*time.Minute, string(ticket.ActionClose), ticket.CloseInput{Request: grantIn(team), State: ticket.StateClosedSuccessful})
	env.ExecuteWorkflow(Ticket, in)
	wantDone(t, note, priority, escalate)
	for name, c := range map[string]struct {
		u    *updateResult
		code ticket.Code
	}{
		"no grant": {noGrant, ticket.RefusedForbidden}, "close with note only": {noteOnly, ticket.RefusedPermission},
		"escalate into an unlisted queue": {intoUnlisted, ticket.RefusedPermission}, "grant for the old queue": {stale, ticket.RefusedQueueChanged},
	} {
		if c.u.rejected == nil || !strings.Contains(c.u.rejected.Error(), string(c.code)) {
			t.Errorf("%s: rejected %v, want %s", name, c.u.rejected, c.code)
		}
	}
}
