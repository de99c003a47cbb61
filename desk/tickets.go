package desk

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/kiz-ulm/kizdesk/models"
	"github.com/kiz-ulm/kizdesk/ticket"
	"github.com/kiz-ulm/kizdesk/workflows"
)

// MaxTitleLength bounds a ticket title.
const MaxTitleLength = ticket.MaxTitleLength

// NewRequestKey returns a random key for a create request, for forms and
// API clients that did not send one.
func NewRequestKey() string { return rand.Text() }

// CreateTicket opens a ticket. It returns once the ticket is in the
// database. The same RequestKey always gives the same ticket, however often
// it is sent and by however many processes at once.
func (d *Desk) CreateTicket(ctx context.Context, p Principal, req CreateTicketRequest) (ticket.View, error) {
	if err := mustBeAgent(p); err != nil {
		return ticket.View{}, err
	}
	return d.createTicket(ctx, p, req, nil)
}

// createTicket opens a ticket; adjust, if set, changes the workflow's
// input after the request was checked (e.g. for a customer's follow-up).
func (d *Desk) createTicket(ctx context.Context, p Principal, req CreateTicketRequest, adjust func(*ticket.TicketInput)) (ticket.View, error) {
	var v ticket.View
	in, err := d.checkCreate(ctx, p, req)
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
	if fe := (FieldErrors{}); checkKey(fe, "request_key", key) != nil {
		return v, fe
	}
	print := createPrint(p, req)
	r, found, err := models.RequestByKey(ctx, d.db, p.TenantID, key)
	if err != nil {
		return v, err
	}
	if !found {
		fresh, err := models.NextTicketNumber(ctx, d.db, time.Now().In(d.opts.Location), d.opts.SystemID)
		if err != nil {
			return v, err
		}
		// Whoever claims the key first decides the number; a concurrent
		// duplicate gets the winner's number back.
		if r, err = models.ClaimRequestKey(ctx, d.db, p.TenantID, key, fresh, print); err != nil {
			return v, err
		}
	}
	if r.Fingerprint != "" && r.Fingerprint != print {
		return v, FieldErrors{"request_key": ticket.P(ticket.RefusedKeyReused, "Key", key)}
	}
	number := r.TicketNumber
	if found {
		// A repeated request: answer with the ticket as it is now, if its
		// creation got as far as the database; otherwise finish creating it.
		v, err := d.viewFromDB(ctx, p.TenantID, number)
		if !errors.Is(err, models.ErrNotFound) {
			return v, err
		}
	}
	if err := d.storeUploads(ctx, req.Files); err != nil {
		return v, err
	}
	in.Ticket.Number = number
	in.OpenedAt = time.Now().UTC().Truncate(time.Microsecond)
	in.Process = workflows.Process
	v, err = d.startTicket(ctx, in)
	var rejected *RejectedError
	if errors.As(err, &rejected) && rejected.Problem.Code == ticket.RefusedNotCreated {
		// The database refused the new ticket for good: free the key, so
		// the caller can correct the request and send it again.
		if rerr := models.ReleaseRequestKey(ctx, d.db, p.TenantID, key, number); rerr != nil {
			return v, errors.Join(err, rerr)
		}
	}
	return v, err
}

// createPrint fingerprints a create request, so the same key with other
// content is refused instead of answered with a ticket that says otherwise.
func createPrint(p Principal, req CreateTicketRequest) string {
	body, _ := json.Marshal(struct {
		Kind                           ticket.ActorKind
		ID                             int64
		Customer, Title, Body          string
		Service, Queue, Type, Priority int64
		Files                          []string `json:",omitempty"`
		Minutes                        int      `json:",omitzero"`
	}{p.Kind, p.ID, strings.TrimSpace(req.CustomerLogin), strings.TrimSpace(req.Title), req.Body,
		req.ServiceID, req.QueueID, req.TypeID, req.PriorityID, uploadPrint(req.Files), req.Minutes})
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:16])
}

// uploadPrint is what a fingerprint covers of files: names and content.
func uploadPrint(ups []Upload) []string {
	var out []string
	for _, u := range ups {
		sum := sha256.Sum256(u.Data)
		out = append(out, u.Name+"\x00"+hex.EncodeToString(sum[:]))
	}
	return out
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
		TypedSearchAttributes: temporal.NewSearchAttributes(workflows.StartAttributes(in)...),
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
	return viewOfRow(t), nil
}

// viewOfRow is the ticket as the database has it, in the shape the
// workflow answers with: everything a repeated create shows, SLA included.
func viewOfRow(t models.TicketRow) ticket.View {
	at := func(p *time.Time) time.Time {
		if p == nil {
			return time.Time{}
		}
		return *p
	}
	v := ticket.View{
		Number: t.Number, TenantID: t.TenantID, Title: t.Title, State: ticket.State(t.State),
		Level: ticket.Level(t.Level), QueueID: t.QueueID, QueueName: t.QueueName,
		ServiceID: deref(t.ServiceID), ServiceName: t.ServiceName, TypeID: t.TypeID, TypeName: t.TypeName,
		PriorityID: t.PriorityID, PriorityName: t.PriorityName, OwnerID: deref(t.OwnerID), OwnerName: t.OwnerName,
		ResponsibleID: deref(t.ResponsibleID), ResponsibleName: t.ResponsibleName, Locked: t.Locked,
		CustomerID: t.CustomerID, Channel: t.Channel, CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt,
		ClosedAt: at(t.ClosedAt), PendingUntil: at(t.PendingUntil), MergedInto: t.MergedInto, Seq: t.LastSeq,
		ReminderReached: t.State == string(ticket.StatePendingReminder) && t.ReminderDue != nil && !t.ReminderDue.After(time.Now()),
		Terms:           ticket.Terms{SLA: t.SLAName},
		SLA: ticket.SLAStatus{
			FirstResponseDue: at(t.FirstResponseDue), UpdateDue: at(t.UpdateDue), SolutionDue: at(t.SolutionDue),
			EscalationDue: at(t.EscalationDue), FirstResponseAt: at(t.FirstResponseAt), EscalatedAt: at(t.EscalatedAt),
			FirstResponseBreached: t.FirstResponseBreached, UpdateBreached: t.UpdateBreached,
			SolutionBreached: t.SolutionBreached,
		},
	}
	if t.FirstResponseSeconds != nil {
		v.SLA.FirstResponseTime = time.Duration(*t.FirstResponseSeconds) * time.Second
	}
	if t.SolutionSeconds != nil {
		v.SLA.SolutionTime = time.Duration(*t.SolutionSeconds) * time.Second
	}
	return v
}

// checkCreate validates a create request against the catalogue and builds
// the workflow's input; every problem found is reported at once.
func (d *Desk) checkCreate(ctx context.Context, p Principal, req CreateTicketRequest) (ticket.TicketInput, error) {
	fe := FieldErrors{}
	in := ticket.TicketInput{
		Actor: p.Actor(),
		Ticket: ticket.View{
			TenantID: p.TenantID,
			Title:    strings.TrimSpace(req.Title),
			Level:    ticket.LevelFirst,
			Channel:  "phone",
		},
		Article: ticket.ArticleInput{Kind: ticket.ArticlePhoneNote, Subject: strings.TrimSpace(req.Title), Body: req.Body},
	}
	checkText(fe, "title", in.Ticket.Title, ticket.Line, ticket.MaxTitleLength)
	checkText(fe, "body", req.Body, ticket.Lines, ticket.MaxArticleLength)
	in.Article.Files = checkUploads(fe, "files", req.Files)
	checkMinutes(fe, req.Minutes)
	in.Article.Minutes = req.Minutes

	if bad, ok := ticket.CheckText(req.CustomerLogin, ticket.Line, ticket.MaxTitleLength); ok {
		fe["customer"] = bad
	} else if login := strings.TrimSpace(req.CustomerLogin); login == "" {
		fe["customer"] = ticket.P(ticket.FieldRequired)
	} else if c, err := d.customer(ctx, p.TenantID, login); errors.Is(err, models.ErrNotFound) {
		fe["customer"] = ticket.P(ticket.FieldUnknown)
	} else if err != nil {
		return in, err
	} else {
		in.Ticket.CustomerID = c.ID
	}

	queueID := req.QueueID
	var svc *models.Service
	if req.ServiceID != 0 {
		s, err := models.ServiceByID(ctx, d.db, p.TenantID, req.ServiceID)
		if errors.Is(err, models.ErrNotFound) {
			fe["service_id"] = ticket.P(ticket.FieldUnknown)
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
			fe["queue_id"] = ticket.P(ticket.FieldChoose)
		}
	} else if q, err := models.QueueByID(ctx, d.db, p.TenantID, queueID); errors.Is(err, models.ErrNotFound) {
		fe["queue_id"] = ticket.P(ticket.FieldUnknown)
	} else if err != nil {
		return in, err
	} else if perr := d.mayCreate(ctx, p, q); perr != nil {
		var rejected *RejectedError
		switch {
		case errors.Is(perr, models.ErrNotFound):
			fe["queue_id"] = ticket.P(ticket.FieldUnknown)
		case errors.As(perr, &rejected):
			fe["queue_id"] = rejected.Problem
		default:
			return in, perr
		}
	} else {
		in.Ticket.QueueID, in.Ticket.QueueName = q.ID, q.Name
		in.Ticket.Level = ticket.Level(q.Level)
		in.Ticket.FollowUpWindow = queueRef(q).FollowUpWindow
	}

	choices, err := d.classes(ctx)
	if err != nil {
		return in, err
	}
	if t, ok := find(choices.Types, func(t models.TicketType) bool { return t.ID == req.TypeID }); ok {
		in.Ticket.TypeID, in.Ticket.TypeName = t.ID, t.Name
	} else {
		fe["type_id"] = ticket.P(ticket.FieldChoose)
	}
	if p, ok := find(choices.Priorities, func(p models.Priority) bool { return p.ID == req.PriorityID }); ok {
		in.Ticket.PriorityID, in.Ticket.PriorityName = p.ID, p.Name
	} else {
		fe["priority_id"] = ticket.P(ticket.FieldChoose)
	}
	if len(fe) > 0 {
		return in, fe
	}
	in.Terms, err = d.terms(ctx, p.TenantID, svc, in.Ticket.PriorityID, in.Ticket.QueueID)
	return in, err
}

// customer returns the tenant's customer with the login, from the kiz
// directory if it is not known here yet.
func (d *Desk) customer(ctx context.Context, tenantID int64, login string) (models.Customer, error) {
	c, err := models.CustomerByLogin(ctx, d.db, tenantID, login)
	if errors.Is(err, models.ErrNotFound) && d.opts.Directory != nil {
		return d.customerFromDirectory(ctx, tenantID, login)
	}
	return c, err
}

// mayCreate refuses an agent without the create permission on the queue;
// others reach here only for follow-ups that open a new ticket, which the
// queue's follow-up policy decides.
func (d *Desk) mayCreate(ctx context.Context, p Principal, q models.Queue) error {
	if !p.IsAgent() {
		return nil
	}
	return d.need(ctx, p, q.ID, q.Name, ticket.PermCreate)
}

// checkText records the problem with a required text field, if any.
func checkText(fe FieldErrors, field, s string, kind ticket.TextKind, max int) {
	if p, bad := ticket.CheckText(s, kind, max); bad {
		fe[field] = p
	} else if strings.TrimSpace(s) == "" {
		fe[field] = ticket.P(ticket.FieldRequired)
	}
}

// checkOptional records the problem with an optional text field, if any.
func checkOptional(fe FieldErrors, field, s string, kind ticket.TextKind, max int) {
	if p, bad := ticket.CheckText(s, kind, max); bad {
		fe[field] = p
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
func (d *Desk) AddNote(ctx context.Context, p Principal, number string, req AddNoteRequest) (ticket.View, error) {
	fe := FieldErrors{}
	kind := ticket.ArticleKind(req.Kind)
	if kind != ticket.ArticleInternalNote && kind != ticket.ArticlePhoneNote {
		fe["kind"] = ticket.P(ticket.FieldChoose)
	}
	checkText(fe, "body", req.Body, ticket.Lines, ticket.MaxArticleLength)
	next := checkNext(fe, req.NextState, req.NextUntil)
	files := checkUploads(fe, "files", req.Files)
	checkMinutes(fe, req.Minutes)
	return d.sendFiles(ctx, p, number, ticket.ActionNote, req.RequestKey, fe,
		ticket.AddNoteInput{Article: ticket.ArticleInput{Kind: kind, Body: req.Body, Files: files, Minutes: req.Minutes}, Next: next}, req.Files)
}

// Close closes a ticket successfully or unsuccessfully.
func (d *Desk) Close(ctx context.Context, p Principal, number string, req CloseRequest) (ticket.View, error) {
	fe := FieldErrors{}
	state := ticket.State(req.State)
	if !state.Closed() {
		fe["state"] = ticket.P(ticket.FieldChoose)
	}
	checkNote(fe, req.Note)
	return d.send(ctx, p, number, ticket.ActionClose, req.RequestKey, fe, ticket.CloseInput{State: state, Note: req.Note})
}
