// Package workflows holds the ticket lifecycle: deterministic code only.
// Ticket is the workflow; policy.go says which states and moves exist;
// messages.go lists every name and payload a caller needs.
package workflows

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/kiz-ulm/kizdesk/activities"
)

// Ticket carries one ticket from creation until its follow-up window after
// closing has passed. Every change arrives as an Update, is checked against
// the policy, recorded as history entries and projected into the database
// before the Update answers.
func Ticket(ctx workflow.Context, in TicketInput) error {
	t := &ticket{view: in.Ticket}
	return t.run(ctx, in)
}

type ticket struct {
	view TicketView
	// events are history entries not yet projected into the database.
	events []activities.HistoryEvent
	// mu makes changes one at a time: an update validates, changes and
	// projects without another update running in between.
	mu workflow.Mutex
	// stored is set once the new ticket is in the database.
	stored bool
}

var a *activities.Activities

func (t *ticket) run(ctx workflow.Context, in TicketInput) error {
	t.mu = workflow.NewMutex(ctx)
	if err := t.registerHandlers(ctx); err != nil {
		return err
	}
	// Updates that arrive with the start must wait until the ticket
	// exists: they take the mutex too, and created waits for stored.
	if err := t.mu.Lock(ctx); err != nil {
		return err
	}
	now := workflow.Now(ctx)
	t.view.State = StateNew
	t.view.CreatedAt, t.view.UpdatedAt = now, now
	t.record(ctx, EventNewTicket, in.Actor, "State", "", string(StateNew), nil)
	t.record(ctx, articleEvent(in.Article.Kind), in.Actor, "", "", "", &in.Article)
	err := t.project(ctx)
	t.stored = err == nil
	t.mu.Unlock()
	if err != nil {
		return err
	}

	if err := workflow.Await(ctx, func() bool { return t.view.State.Closed() }); err != nil {
		return err
	}
	// Keep taking updates (and, later, follow-ups) for a while after close.
	timer := workflow.NewTimerWithOptions(ctx, FollowUpWindow, workflow.TimerOptions{Summary: "follow-up window ends"})
	if err := timer.Get(ctx, nil); err != nil {
		return err
	}
	return workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) })
}

func (t *ticket) registerHandlers(ctx workflow.Context) error {
	if err := workflow.SetQueryHandler(ctx, QueryTicket, func() (TicketView, error) {
		return t.view, nil
	}); err != nil {
		return fmt.Errorf("register query %s: %w", QueryTicket, err)
	}
	handlers := []struct {
		name string
		opts workflow.UpdateHandlerOptions
		fn   any
	}{
		{UpdateCreate, workflow.UpdateHandlerOptions{}, t.created},
		{UpdateAddNote, workflow.UpdateHandlerOptions{Validator: t.validateAddNote}, t.addNote},
		{UpdateClose, workflow.UpdateHandlerOptions{Validator: t.validateClose}, t.close},
	}
	for _, h := range handlers {
		if err := workflow.SetUpdateHandlerWithOptions(ctx, h.name, h.fn, h.opts); err != nil {
			return fmt.Errorf("register update %s: %w", h.name, err)
		}
	}
	return nil
}

// created answers the create request once the ticket is in the database.
func (t *ticket) created(ctx workflow.Context, _ CreateInput) (TicketView, error) {
	if err := workflow.Await(ctx, func() bool { return t.stored }); err != nil {
		return TicketView{}, err
	}
	return t.view, nil
}

func (t *ticket) validateAddNote(_ workflow.Context, in AddNoteInput) error {
	if t.view.State.Closed() {
		return errors.New("the ticket is closed: notes can no longer be added")
	}
	return validateArticle(in.Article)
}

func (t *ticket) addNote(ctx workflow.Context, in AddNoteInput) (TicketView, error) {
	return t.change(ctx, func() error { return t.validateAddNote(ctx, in) }, func() {
		t.record(ctx, articleEvent(in.Article.Kind), in.Actor, "", "", "", &in.Article)
		if in.Actor.Kind == ActorAgent && t.view.State == StateNew {
			// An agent writing on a new ticket has started working on it.
			t.setState(ctx, in.Actor, StateOpen)
		}
	})
}

func (t *ticket) validateClose(_ workflow.Context, in CloseInput) error {
	if !in.State.Closed() {
		return fmt.Errorf("%q is not a closing state", in.State)
	}
	if err := t.view.State.checkMove(in.State); err != nil {
		return err
	}
	if in.Note != "" {
		return validateArticle(ArticleInput{Kind: ArticleInternalNote, Body: in.Note})
	}
	return nil
}

func (t *ticket) close(ctx workflow.Context, in CloseInput) (TicketView, error) {
	return t.change(ctx, func() error { return t.validateClose(ctx, in) }, func() {
		if in.Note != "" {
			t.record(ctx, EventAddNote, in.Actor, "", "", "", &ArticleInput{
				Kind: ArticleInternalNote, Subject: "Closed", Body: in.Note,
			})
		}
		t.setState(ctx, in.Actor, in.State)
	})
}

// change runs one update: under the mutex it checks again (another update
// may have changed the ticket since the validator ran), applies the change
// and projects it.
func (t *ticket) change(ctx workflow.Context, check func() error, apply func()) (TicketView, error) {
	if err := workflow.Await(ctx, func() bool { return t.stored }); err != nil {
		return TicketView{}, err
	}
	if err := t.mu.Lock(ctx); err != nil {
		return TicketView{}, err
	}
	defer t.mu.Unlock()
	if err := check(); err != nil {
		return TicketView{}, err
	}
	t.view.UpdatedAt = workflow.Now(ctx)
	apply()
	if err := t.project(ctx); err != nil {
		return TicketView{}, err
	}
	return t.view, nil
}

func (t *ticket) setState(ctx workflow.Context, actor Actor, next State) {
	prev := t.view.State
	t.view.State = next
	if next.Closed() {
		t.view.ClosedAt = workflow.Now(ctx)
	}
	t.record(ctx, EventStateUpdate, actor, "State", string(prev), string(next), nil)
}

func (t *ticket) record(ctx workflow.Context, event string, actor Actor, field, old, new string, art *ArticleInput) {
	t.view.Seq++
	ev := activities.HistoryEvent{
		Seq: t.view.Seq, At: workflow.Now(ctx), Event: event, Actor: actor,
		Field: field, Old: old, New: new,
	}
	if art != nil {
		ev.Article = &activities.Article{
			Kind:            string(art.Kind),
			CustomerVisible: art.Kind.CustomerVisible(),
			Subject:         art.Subject,
			Body:            art.Body,
		}
	}
	t.events = append(t.events, ev)
}

// project writes the pending history entries and the ticket's new values to
// the database, then shows the new values in the Temporal UI. It is a local
// activity: a short database transaction that runs in the worker's process
// without a round trip through the task queue, which keeps an agent's
// click fast. Retries are the SDK's, without end: a ticket must never lose
// a change because the database was away for a while.
func (t *ticket) project(ctx workflow.Context) error {
	lctx := workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{
		StartToCloseTimeout: 30 * time.Second,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:    200 * time.Millisecond,
			BackoffCoefficient: 2,
			MaximumInterval:    30 * time.Second,
		},
		Summary: "project ticket into the database",
	})
	in := activities.ProjectTicketInput{Ticket: t.snapshot(), Events: t.events}
	var res activities.ProjectTicketResult
	if err := workflow.ExecuteLocalActivity(lctx, a.ProjectTicket, in).Get(ctx, &res); err != nil {
		return fmt.Errorf("project ticket: %w", err)
	}
	t.events = nil
	if err := workflow.UpsertTypedSearchAttributes(ctx, SearchAttributes(t.view)...); err != nil {
		return fmt.Errorf("upsert search attributes: %w", err)
	}
	workflow.SetCurrentDetails(ctx, t.details())
	return nil
}

func (t *ticket) snapshot() activities.TicketSnapshot {
	v := t.view
	return activities.TicketSnapshot{
		Number: v.Number, TenantID: v.TenantID, Title: v.Title, State: string(v.State), Level: string(v.Level),
		QueueID: v.QueueID, ServiceID: v.ServiceID, TypeID: v.TypeID, PriorityID: v.PriorityID,
		OwnerID: v.OwnerID, CustomerID: v.CustomerID, Channel: v.Channel,
		CreatedAt: v.CreatedAt, UpdatedAt: v.UpdatedAt, ClosedAt: v.ClosedAt,
	}
}

// details is the "current details" text of the workflow in the Temporal UI.
func (t *ticket) details() string {
	v := t.view
	return fmt.Sprintf("**Ticket %s** — state *%s*, %s, queue %s, priority %s, %d history entries",
		v.Number, v.State, v.Level, v.QueueName, v.PriorityName, v.Seq)
}

// articleEvent is the history event that adding an article of kind records.
func articleEvent(kind ArticleKind) string {
	if kind == ArticlePhoneNote {
		return EventPhoneCall
	}
	return EventAddNote
}

func validateArticle(in ArticleInput) error {
	if !in.Kind.Valid() {
		return fmt.Errorf("%q is not an article kind", in.Kind)
	}
	if strings.TrimSpace(in.Body) == "" {
		return errors.New("the text is empty")
	}
	if len(in.Body) > MaxArticleLength {
		return fmt.Errorf("the text is longer than %d characters", MaxArticleLength)
	}
	return nil
}
