package desk

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/kiz-ulm/kizdesk/models"
	"github.com/kiz-ulm/kizdesk/ticket"
	"github.com/kiz-ulm/kizdesk/workflows"
)

// MaxTitleLength bounds a ticket title.
const MaxTitleLength = 200

// NewRequestKey returns a random key for a create request, for forms and
// API clients that did not send one.
func NewRequestKey() string { return rand.Text() }

// CreateTicket opens a ticket. It returns once the ticket is in the
// database. The same RequestKey always gives the same ticket, however often
// it is sent and by however many processes at once.
func (d *Desk) CreateTicket(ctx context.Context, a models.Agent, req CreateTicketRequest) (ticket.View, error) {
	return d.createTicket(ctx, a, req, nil)
}

// createTicket opens a ticket; adjust, if set, changes the workflow's
// input after the request was checked (e.g. for a customer's follow-up).
func (d *Desk) createTicket(ctx context.Context, a models.Agent, req CreateTicketRequest, adjust func(*ticket.TicketInput)) (ticket.View, error) {
	var v ticket.View
	in, err := d.checkCreate(ctx, a, req)
	if err != nil {
		return v, err
	}
	if adjust != nil {
		adjust(&in)
	}
	key := strings.TrimSpace(req.RequestKey)
	if key == "" {
		key = NewRequestKey()
	}
	if fe := (FieldErrors{}); checkKey(fe, key) {
		return v, fe
	}
	number, found, err := models.TicketNumberForRequest(ctx, d.db, a.TenantID, key)
	if err != nil {
		return v, err
	}
	if found {
		// A repeated request: answer with the ticket as it is now, if its
		// creation got as far as the database; otherwise finish creating it.
		v, err := d.viewFromDB(ctx, a.TenantID, number)
		if !errors.Is(err, models.ErrNotFound) {
			return v, err
		}
	} else {
		fresh, err := models.NextTicketNumber(ctx, d.db, time.Now().In(d.opts.Location), d.opts.SystemID)
		if err != nil {
			return v, err
		}
		// Whoever claims the key first decides the number; a concurrent
		// duplicate gets the winner's number back.
		if number, err = models.ClaimRequestKey(ctx, d.db, a.TenantID, key, fresh); err != nil {
			return v, err
		}
	}
	in.Ticket.Number = number
	return d.startTicket(ctx, in)
}

func (d *Desk) startTicket(ctx context.Context, in ticket.TicketInput) (ticket.View, error) {
	var v ticket.View
	ctx, cancel := context.WithTimeout(ctx, d.opts.Patience)
	defer cancel()
	number := in.Ticket.Number
	start := d.tc.NewWithStartWorkflowOperation(client.StartWorkflowOptions{
		ID:                       ticket.WorkflowID(number),
		TaskQueue:                ticket.TaskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		// A ticket number is used once: never start a second run of it.
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		TypedSearchAttributes: temporal.NewSearchAttributes(workflows.SearchAttributes(in.Ticket)...),
		StaticSummary:         workflows.Summary(in.Ticket),
	}, workflows.Ticket, in)
	h, err := d.tc.UpdateWithStartWorkflow(ctx, client.UpdateWithStartWorkflowOptions{
		StartWorkflowOperation: start,
		UpdateOptions: client.UpdateWorkflowOptions{
			UpdateID:     ticket.UpdateCreate,
			UpdateName:   ticket.UpdateCreate,
			Args:         []any{ticket.CreateInput{}},
			WaitForStage: client.WorkflowUpdateStageCompleted,
		},
	})
	if err == nil {
		err = h.Get(ctx, &v)
	}
	if outOfPatience(ctx, err) {
		return v, fmt.Errorf("create ticket %s: %w", number, ErrUnavailable)
	}
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if errors.As(err, &started) {
		// The ticket was made and its workflow has already ended: the
		// database has it.
		return d.viewFromDB(ctx, in.Ticket.TenantID, number)
	}
	if err != nil {
		return v, wrapf(err, "create ticket %s", number)
	}
	return v, nil
}

func (d *Desk) viewFromDB(ctx context.Context, tenantID int64, number string) (ticket.View, error) {
	t, err := models.TicketByNumber(ctx, d.db, tenantID, number)
	if err != nil {
		return ticket.View{}, err
	}
	v := ticket.View{
		Number: t.Number, TenantID: t.TenantID, Title: t.Title, State: ticket.State(t.State),
		Level: ticket.Level(t.Level), QueueID: t.QueueID, QueueName: t.QueueName,
		ServiceName: t.ServiceName, TypeID: t.TypeID, TypeName: t.TypeName,
		PriorityID: t.PriorityID, PriorityName: t.PriorityName, CustomerID: t.CustomerID,
		Channel: t.Channel, CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt, Seq: t.LastSeq,
	}
	if t.ServiceID != nil {
		v.ServiceID = *t.ServiceID
	}
	if t.OwnerID != nil {
		v.OwnerID = *t.OwnerID
	}
	if t.ClosedAt != nil {
		v.ClosedAt = *t.ClosedAt
	}
	return v, nil
}

// checkCreate validates a create request against the catalogue and builds
// the workflow's input; every problem found is reported at once.
func (d *Desk) checkCreate(ctx context.Context, a models.Agent, req CreateTicketRequest) (ticket.TicketInput, error) {
	fe := FieldErrors{}
	in := ticket.TicketInput{
		Actor: actor(a),
		Ticket: ticket.View{
			TenantID: a.TenantID,
			Title:    strings.TrimSpace(req.Title),
			Level:    ticket.LevelFirst,
			Channel:  "phone",
		},
		Article: ticket.ArticleInput{Kind: ticket.ArticlePhoneNote, Subject: strings.TrimSpace(req.Title), Body: req.Body},
	}
	checkText(fe, "title", in.Ticket.Title, MaxTitleLength)
	checkText(fe, "body", req.Body, ticket.MaxArticleLength)

	if login := strings.TrimSpace(req.CustomerLogin); login == "" {
		fe["customer"] = "is required"
	} else if c, err := models.CustomerByLogin(ctx, d.db, a.TenantID, login); errors.Is(err, models.ErrNotFound) {
		fe["customer"] = "no customer with this login"
	} else if err != nil {
		return in, err
	} else {
		in.Ticket.CustomerID = c.ID
	}

	queueID := req.QueueID
	var svc *models.Service
	if req.ServiceID != 0 {
		s, err := models.ServiceByID(ctx, d.db, a.TenantID, req.ServiceID)
		if errors.Is(err, models.ErrNotFound) {
			fe["service_id"] = "no such service"
		} else if err != nil {
			return in, err
		} else {
			svc = &s
			in.Ticket.ServiceID, in.Ticket.ServiceName = s.ID, s.Name
			if queueID == 0 {
				queueID = s.QueueID
			}
		}
	}
	if queueID == 0 {
		if _, bad := fe["service_id"]; !bad {
			fe["queue_id"] = "choose a service or a queue"
		}
	} else if q, err := models.QueueByID(ctx, d.db, a.TenantID, queueID); errors.Is(err, models.ErrNotFound) {
		fe["queue_id"] = "no such queue"
	} else if err != nil {
		return in, err
	} else {
		in.Ticket.QueueID, in.Ticket.QueueName = q.ID, q.Name
		in.Ticket.Level = ticket.Level(q.Level)
		in.Ticket.FollowUpWindow = queueRef(q).FollowUpWindow
	}

	choices, err := d.FormChoices(ctx, a)
	if err != nil {
		return in, err
	}
	if t, ok := find(choices.Types, func(t models.TicketType) bool { return t.ID == req.TypeID }); ok {
		in.Ticket.TypeID, in.Ticket.TypeName = t.ID, t.Name
	} else {
		fe["type_id"] = "choose a ticket type"
	}
	if p, ok := find(choices.Priorities, func(p models.Priority) bool { return p.ID == req.PriorityID }); ok {
		in.Ticket.PriorityID, in.Ticket.PriorityName = p.ID, p.Name
	} else {
		fe["priority_id"] = "choose a priority"
	}
	if len(fe) > 0 {
		return in, fe
	}
	in.Terms, err = d.terms(ctx, a.TenantID, svc, in.Ticket.PriorityID, in.Ticket.QueueID)
	return in, err
}

func checkText(fe FieldErrors, field, s string, max int) {
	switch {
	case strings.TrimSpace(s) == "":
		fe[field] = "is required"
	case !utf8.ValidString(s):
		fe[field] = "is not valid UTF-8 text"
	case len(s) > max:
		fe[field] = "is too long"
	}
}

func find[T any](xs []T, ok func(T) bool) (T, bool) {
	for _, x := range xs {
		if ok(x) {
			return x, true
		}
	}
	var zero T
	return zero, false
}

// AddNote adds an internal or phone note to a ticket.
func (d *Desk) AddNote(ctx context.Context, a models.Agent, number string, req AddNoteRequest) (ticket.View, error) {
	fe := FieldErrors{}
	kind := ticket.ArticleKind(req.Kind)
	if kind != ticket.ArticleInternalNote && kind != ticket.ArticlePhoneNote {
		fe["kind"] = "choose internal note or phone note"
	}
	checkText(fe, "body", req.Body, ticket.MaxArticleLength)
	checkKey(fe, req.RequestKey)
	if len(fe) > 0 {
		return ticket.View{}, fe
	}
	in := ticket.AddNoteInput{Actor: actor(a), Article: ticket.ArticleInput{Kind: kind, Body: req.Body}}
	return d.update(ctx, a, number, string(ticket.ActionNote), req.RequestKey, in)
}

// Close closes a ticket successfully or unsuccessfully.
func (d *Desk) Close(ctx context.Context, a models.Agent, number string, req CloseRequest) (ticket.View, error) {
	fe := FieldErrors{}
	state := ticket.State(req.State)
	if !state.Closed() {
		fe["state"] = "choose closed successful or closed unsuccessful"
	}
	if req.Note != "" {
		checkText(fe, "note", req.Note, ticket.MaxArticleLength)
	}
	checkKey(fe, req.RequestKey)
	if len(fe) > 0 {
		return ticket.View{}, fe
	}
	in := ticket.CloseInput{Actor: actor(a), State: state, Note: req.Note}
	return d.update(ctx, a, number, string(ticket.ActionClose), req.RequestKey, in)
}

// outOfPatience tells whether an Update ended because the desk's patience ran
// out. The server cuts the stream at the deadline it was sent, which can be a
// moment before the client's own timer marks ctx done, so the SDK's timeout
// error counts as well as ctx's.
func outOfPatience(ctx context.Context, err error) bool {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return true
	}
	var timeout *client.WorkflowUpdateServiceTimeoutOrCanceledError
	var deadline *serviceerror.DeadlineExceeded
	return errors.As(err, &timeout) || errors.As(err, &deadline)
}

// checkKey bounds a request key and tells whether it is too long; an empty
// key is fine (no deduplication).
func checkKey(fe FieldErrors, key string) bool {
	if len(key) > 200 {
		fe["request_key"] = "is longer than 200 characters"
		return true
	}
	return false
}

// update sends one Update to a ticket of the agent's tenant and waits until
// the workflow has projected it. Updates with the same request key are one
// update to Temporal: the second gets the first one's answer.
func (d *Desk) update(ctx context.Context, a models.Agent, number, name, key string, arg any) (ticket.View, error) {
	var v ticket.View
	if _, err := models.TicketByNumber(ctx, d.db, a.TenantID, number); err != nil {
		return v, err
	}
	ctx, cancel := context.WithTimeout(ctx, d.opts.Patience)
	defer cancel()
	var updateID string
	if key != "" {
		updateID = name + ":" + key
	}
	h, err := d.tc.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID:   ticket.WorkflowID(number),
		UpdateID:     updateID,
		UpdateName:   name,
		Args:         []any{arg},
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err == nil {
		err = h.Get(ctx, &v)
	}
	if outOfPatience(ctx, err) {
		return v, fmt.Errorf("%s on ticket %s: %w", name, number, ErrUnavailable)
	}
	var appErr *temporal.ApplicationError
	var notFound *serviceerror.NotFound
	switch {
	case err == nil:
		return v, nil
	case errors.As(err, &appErr):
		return v, &RejectedError{Reason: appErr.Message()}
	case errors.As(err, &notFound):
		return v, &RejectedError{Reason: "the ticket's follow-up window has passed; it can no longer be changed"}
	default:
		return v, wrapf(err, "%s on ticket %s", name, number)
	}
}
