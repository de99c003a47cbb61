package desk

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"go.temporal.io/api/serviceerror"

	"github.com/kiz-ulm/kizdesk/calendar"
	"github.com/kiz-ulm/kizdesk/models"
	"github.com/kiz-ulm/kizdesk/ticket"
)

// The agent's actions on a ticket beyond notes and closing. Each checks
// its input against the catalogue, then sends one Update to the ticket's
// workflow, which checks it against the process; a RequestKey sent twice
// does the action once.

// ReplyRequest answers the customer.
type ReplyRequest struct {
	RequestKey string
	Subject    string
	Body       string
	// NextState and NextUntil as in AddNoteRequest.
	NextState string
	NextUntil time.Time
	Files     []Upload // sent with the mail
	Minutes   int      // working time spent on it
}

// Reply writes a customer-visible answer.
func (d *Desk) Reply(ctx context.Context, p Principal, number string, req ReplyRequest) (ticket.View, error) {
	fe := FieldErrors{}
	checkText(fe, "body", req.Body, ticket.Lines, ticket.MaxArticleLength)
	checkOptional(fe, "subject", req.Subject, ticket.Line, ticket.MaxTitleLength)
	next := checkNext(fe, req.NextState, req.NextUntil)
	files := checkUploads(fe, "files", req.Files)
	checkMinutes(fe, req.Minutes)
	return d.sendFiles(ctx, p, number, ticket.ActionReply, req.RequestKey, fe, ticket.ReplyInput{Subject: strings.TrimSpace(req.Subject),
		Body: req.Body, Next: next, Files: files, Minutes: req.Minutes}, req.Files)
}

// AssignRequest sets owner and responsible; 0 means nobody.
type AssignRequest struct {
	RequestKey    string
	OwnerID       int64
	ResponsibleID int64
}

// Assign sets a ticket's owner and responsible agent; both must hold the
// owner permission on the ticket's queue.
func (d *Desk) Assign(ctx context.Context, p Principal, number string, req AssignRequest) (ticket.View, error) {
	fe := FieldErrors{}
	t, err := d.readable(ctx, p, number)
	if err != nil {
		return ticket.View{}, err
	}
	owner, err := d.agentRef(ctx, p, fe, "owner_id", req.OwnerID)
	if err == nil {
		err = d.mayHold(ctx, fe, "owner_id", owner, t, ticket.PermOwner)
	}
	if err != nil {
		return ticket.View{}, err
	}
	resp, err := d.agentRef(ctx, p, fe, "responsible_id", req.ResponsibleID)
	if err == nil {
		err = d.mayHold(ctx, fe, "responsible_id", resp, t, ticket.PermOwner)
	}
	if err != nil {
		return ticket.View{}, err
	}
	return d.send(ctx, p, number, ticket.ActionAssign, req.RequestKey, fe, ticket.AssignInput{Owner: owner, Responsible: resp})
}

// mayHold records a field error unless the agent named in a form has perm
// on the ticket's queue (an owner must be able to work the ticket, a
// watcher to read it).
func (d *Desk) mayHold(ctx context.Context, fe FieldErrors, field string, who ticket.AgentRef, t models.TicketRow, perm ticket.Perm) error {
	if who.ID == 0 {
		return nil
	}
	a, err := d.access(ctx, Principal{Kind: ticket.ActorAgent, TenantID: t.TenantID, ID: who.ID})
	if err != nil {
		return err
	}
	if !a.On(t.QueueID).Has(perm) {
		fe[field] = ticket.P(ticket.RefusedPermission, "Perm", string(perm), "Queue", t.QueueName)
	}
	return nil
}

func (d *Desk) agentRef(ctx context.Context, p Principal, fe FieldErrors, field string, id int64) (ticket.AgentRef, error) {
	if id == 0 {
		return ticket.AgentRef{}, nil
	}
	ag, err := models.AgentOfTenant(ctx, d.db, p.TenantID, id)
	if errors.Is(err, models.ErrNotFound) {
		fe[field] = ticket.P(ticket.FieldUnknown)
		return ticket.AgentRef{}, nil
	}
	return ticket.AgentRef{ID: ag.ID, Name: ag.Name}, err
}

// LockRequest locks or unlocks a ticket.
type LockRequest struct {
	RequestKey string
	Locked     bool
}

// Lock locks a ticket for the agent (who becomes its owner) or unlocks it.
func (d *Desk) Lock(ctx context.Context, p Principal, number string, req LockRequest) (ticket.View, error) {
	return d.send(ctx, p, number, ticket.ActionLock, req.RequestKey, FieldErrors{}, ticket.LockInput{Locked: req.Locked})
}

// WatchRequest adds or removes a watcher; AgentID 0 means the agent acting.
type WatchRequest struct {
	RequestKey string
	AgentID    int64
	Watch      bool
}

// Watch lets an agent follow a ticket, or stop following it.
func (d *Desk) Watch(ctx context.Context, p Principal, number string, req WatchRequest) (ticket.View, error) {
	fe := FieldErrors{}
	id := req.AgentID
	if id == 0 {
		id = p.ID
	}
	t, err := d.readable(ctx, p, number)
	if err != nil {
		return ticket.View{}, err
	}
	who, err := d.agentRef(ctx, p, fe, "agent_id", id)
	if err == nil {
		err = d.mayHold(ctx, fe, "agent_id", who, t, ticket.PermRO)
	}
	if err != nil {
		return ticket.View{}, err
	}
	return d.send(ctx, p, number, ticket.ActionWatch, req.RequestKey, fe, ticket.WatchInput{Agent: who, Watch: req.Watch})
}

// MoveRequest moves a ticket to another queue.
type MoveRequest struct {
	RequestKey string
	QueueID    int64
}

// Move puts a ticket into another queue of the tenant.
func (d *Desk) Move(ctx context.Context, p Principal, number string, req MoveRequest) (ticket.View, error) {
	fe := FieldErrors{}
	q, err := d.queueRef(ctx, p, fe, req.QueueID)
	if err != nil {
		return ticket.View{}, err
	}
	return d.send(ctx, p, number, ticket.ActionMove, req.RequestKey, fe, ticket.MoveInput{Queue: q})
}

func (d *Desk) queueRef(ctx context.Context, p Principal, fe FieldErrors, id int64) (ticket.QueueRef, error) {
	if id == 0 {
		fe["queue_id"] = ticket.P(ticket.FieldChoose)
		return ticket.QueueRef{}, nil
	}
	q, err := models.QueueByID(ctx, d.db, p.TenantID, id)
	if err == nil {
		err = d.need(ctx, p, q.ID, q.Name, ticket.PermMoveInto)
	}
	var rejected *RejectedError
	switch {
	case errors.Is(err, models.ErrNotFound):
		fe["queue_id"] = ticket.P(ticket.FieldUnknown)
		return ticket.QueueRef{}, nil
	case errors.As(err, &rejected):
		fe["queue_id"] = rejected.Problem
		return ticket.QueueRef{}, nil
	case err != nil:
		return ticket.QueueRef{}, err
	}
	return queueRef(q), nil
}

func queueRef(q models.Queue) ticket.QueueRef {
	return ticket.QueueRef{ID: q.ID, Name: q.Name, Level: ticket.Level(q.Level),
		FollowUpWindow: time.Duration(q.FollowUpDays) * 24 * time.Hour}
}

// ClassifyRequest sets service, type and priority.
type ClassifyRequest struct {
	RequestKey string
	ServiceID  int64 // 0: no service
	TypeID     int64
	PriorityID int64
}

// Classify sets a ticket's service, type and priority; the SLA follows.
func (d *Desk) Classify(ctx context.Context, p Principal, number string, req ClassifyRequest) (ticket.View, error) {
	fe := FieldErrors{}
	in := ticket.ClassifyInput{}
	t, err := d.readable(ctx, p, number)
	if err != nil {
		return ticket.View{}, err
	}
	var svc *models.Service
	if req.ServiceID != 0 {
		s, err := models.ServiceByID(ctx, d.db, p.TenantID, req.ServiceID)
		if errors.Is(err, models.ErrNotFound) {
			fe["service_id"] = ticket.P(ticket.FieldUnknown)
		} else if err != nil {
			return ticket.View{}, err
		} else {
			svc = &s
			in.Service = ticket.Ref{ID: s.ID, Name: s.Name}
		}
	}
	choices, err := d.classes(ctx)
	if err != nil {
		return ticket.View{}, err
	}
	if ty, ok := find(choices.Types, func(x models.TicketType) bool { return x.ID == req.TypeID }); ok {
		in.Type = ticket.Ref{ID: ty.ID, Name: ty.Name}
	} else {
		fe["type_id"] = ticket.P(ticket.FieldChoose)
	}
	if p, ok := find(choices.Priorities, func(x models.Priority) bool { return x.ID == req.PriorityID }); ok {
		in.Priority = ticket.Ref{ID: p.ID, Name: p.Name}
	} else {
		fe["priority_id"] = ticket.P(ticket.FieldChoose)
	}
	if len(fe) == 0 {
		if in.Terms, err = d.terms(ctx, p.TenantID, svc, req.PriorityID, t.QueueID); err != nil {
			return ticket.View{}, err
		}
	}
	return d.send(ctx, p, number, ticket.ActionClassify, req.RequestKey, fe, in)
}

// EscalateRequest sends a ticket to a 2nd-level or team queue.
type EscalateRequest struct {
	RequestKey string
	QueueID    int64
	Note       string
}

// Escalate sends a ticket to a 2nd-level or team queue.
func (d *Desk) Escalate(ctx context.Context, p Principal, number string, req EscalateRequest) (ticket.View, error) {
	fe := FieldErrors{}
	q, err := d.queueRef(ctx, p, fe, req.QueueID)
	if err != nil {
		return ticket.View{}, err
	}
	if q.ID != 0 && q.Level == ticket.LevelFirst {
		fe["queue_id"] = ticket.P(ticket.FieldNotSecondary)
	}
	checkNote(fe, req.Note)
	return d.send(ctx, p, number, ticket.ActionEscalate, req.RequestKey, fe, ticket.EscalateInput{Queue: q, Note: req.Note})
}

// HandBackRequest sends an escalated ticket back to 1st level.
type HandBackRequest struct {
	RequestKey string
	Note       string
}

// HandBack sends an escalated ticket back to its 1st-level queue.
func (d *Desk) HandBack(ctx context.Context, p Principal, number string, req HandBackRequest) (ticket.View, error) {
	fe := FieldErrors{}
	checkNote(fe, req.Note)
	return d.send(ctx, p, number, ticket.ActionHandBack, req.RequestKey, fe, ticket.HandBackInput{Note: req.Note})
}

// PendingRequest sets a pending state until a time.
type PendingRequest struct {
	RequestKey string
	State      string // "pending reminder", "pending auto close+" or "pending auto close-"
	Until      time.Time
	Note       string
}

// SetPending sets a ticket pending until a due time: a reminder for the
// owner, or an automatic close.
func (d *Desk) SetPending(ctx context.Context, p Principal, number string, req PendingRequest) (ticket.View, error) {
	fe := FieldErrors{}
	state := ticket.State(req.State)
	if !state.Pending() {
		fe["state"] = ticket.P(ticket.FieldChoose)
	}
	checkUntil(fe, "until", req.Until)
	checkNote(fe, req.Note)
	return d.send(ctx, p, number, ticket.ActionPending, req.RequestKey, fe, ticket.PendingInput{State: state, Until: req.Until.UTC(), Note: req.Note})
}

// ReopenRequest reopens a closed ticket.
type ReopenRequest struct {
	RequestKey string
	Note       string
}

// Reopen reopens a closed ticket inside its follow-up window.
func (d *Desk) Reopen(ctx context.Context, p Principal, number string, req ReopenRequest) (ticket.View, error) {
	fe := FieldErrors{}
	checkNote(fe, req.Note)
	return d.send(ctx, p, number, ticket.ActionReopen, req.RequestKey, fe, ticket.ReopenInput{Note: req.Note})
}

// MergeRequest merges a ticket into another one.
type MergeRequest struct {
	RequestKey string
	Into       string
}

// Merge merges a ticket into another ticket of the tenant.
func (d *Desk) Merge(ctx context.Context, p Principal, number string, req MergeRequest) (ticket.View, error) {
	fe := FieldErrors{}
	into := strings.TrimSpace(req.Into)
	if err := d.checkOther(ctx, p, fe, "into", into, number, ticket.PermRW); err != nil {
		return ticket.View{}, err
	}
	return d.send(ctx, p, number, ticket.ActionMerge, req.RequestKey, fe, ticket.MergeInput{Into: into})
}

// LinkRequest links a ticket with another one.
type LinkRequest struct {
	RequestKey string
	Other      string
}

// Link links two tickets of the tenant.
func (d *Desk) Link(ctx context.Context, p Principal, number string, req LinkRequest) (ticket.View, error) {
	fe := FieldErrors{}
	other := strings.TrimSpace(req.Other)
	if err := d.checkOther(ctx, p, fe, "other", other, number, ticket.PermRO); err != nil {
		return ticket.View{}, err
	}
	return d.send(ctx, p, number, ticket.ActionLink, req.RequestKey, fe, ticket.LinkInput{Other: other})
}

// checkOther checks the number of a second ticket: it exists for the
// tenant, the agent sees it and has perm on it (merging changes both
// ends: rw; linking shows the other: ro), it is not the ticket itself and
// was not merged away.
func (d *Desk) checkOther(ctx context.Context, p Principal, fe FieldErrors, field, other, number string, perm ticket.Perm) error {
	switch {
	case other == "":
		fe[field] = ticket.P(ticket.FieldRequired)
		return nil
	case other == number:
		fe[field] = ticket.P(ticket.FieldSelf)
		return nil
	}
	if bad, ok := ticket.CheckText(other, ticket.Line, 64); ok {
		fe[field] = bad
		return nil
	}
	t, err := d.readable(ctx, p, other)
	if err == nil {
		err = d.need(ctx, p, t.QueueID, t.QueueName, perm)
	}
	var rejected *RejectedError
	switch {
	case errors.Is(err, models.ErrNotFound):
		fe[field] = ticket.P(ticket.FieldUnknown)
		return nil
	case errors.As(err, &rejected):
		fe[field] = rejected.Problem
		return nil
	case err != nil:
		return err
	}
	if t.State == string(ticket.StateMerged) {
		fe[field] = ticket.P(ticket.FieldMergedInto, "Into", t.MergedInto)
	}
	return nil
}

// checkNext checks the state an article asks to move the ticket to.
func checkNext(fe FieldErrors, state string, until time.Time) ticket.NextState {
	next := ticket.NextState{State: ticket.State(strings.TrimSpace(state))}
	switch {
	case next.State == "" || next.State == ticket.StateOpen:
		return ticket.NextState{}
	case next.State.Pending():
		next.Until = until.UTC()
		checkUntil(fe, "next_until", until)
	case next.State.Closed():
	default:
		fe["next_state"] = ticket.P(ticket.FieldChoose)
	}
	return next
}

// checkUntil checks a pending time.
func checkUntil(fe FieldErrors, field string, until time.Time) {
	switch {
	case until.IsZero():
		fe[field] = ticket.P(ticket.FieldRequired)
	case !until.After(time.Now()):
		fe[field] = ticket.P(ticket.FieldPast)
	case until.After(time.Now().Add(ticket.MaxPending)):
		fe[field] = ticket.P(ticket.FieldTooFar, "Days", strconv.Itoa(int(ticket.MaxPending.Hours()/24)))
	}
}

func checkNote(fe FieldErrors, note string) {
	checkOptional(fe, "note", note, ticket.Lines, ticket.MaxArticleLength)
}

// FollowUpRequest is a customer's message about an existing ticket, from
// the portal or a mail gateway. Key identifies the message (its
// Message-ID): the same message delivered twice counts once.
type FollowUpRequest struct {
	CustomerLogin string
	Subject       string
	Body          string
	Key           string
}

// FollowUpResult says where the message went: Number is the ticket that
// has it, NewTicket is set when the old one was beyond its follow-up window
// and a new ticket linked to it was opened.
type FollowUpResult struct {
	Number    string
	NewTicket bool
}

// FollowUp takes a customer's follow-up to ticket number. Inside the
// follow-up window it goes to the ticket's workflow as a Signal (a pending
// ticket returns to open, a closed one is reopened); a follow-up to a
// merged ticket goes to the ticket it was merged into; after the window a
// new ticket is opened, linked to the old one.
func (d *Desk) FollowUp(ctx context.Context, p Principal, number string, req FollowUpRequest) (FollowUpResult, error) {
	t, err := d.readable(ctx, p, number)
	if err != nil {
		return FollowUpResult{}, err
	}
	fe := FieldErrors{}
	checkText(fe, "body", req.Body, ticket.Lines, ticket.MaxArticleLength)
	checkOptional(fe, "subject", req.Subject, ticket.Line, ticket.MaxTitleLength)
	checkKey(fe, "key", req.Key)
	cust, err := d.sender(ctx, p, fe, req.CustomerLogin)
	if err != nil {
		return FollowUpResult{}, err
	}
	if len(fe) > 0 {
		return FollowUpResult{}, fe
	}
	for hops := 0; err == nil && t.MergedInto != "" && hops < 10; hops++ {
		t, err = models.TicketByNumber(ctx, d.db, p.TenantID, t.MergedInto)
	}
	if err != nil {
		return FollowUpResult{}, err
	}
	actor := ticket.Actor{Kind: ticket.ActorCustomer, ID: cust.ID, Name: cust.Name}
	if p.Kind == ticket.ActorIntegration {
		actor.Via = p.Name
	}
	in := ticket.FollowUpInput{
		Actor:   actor,
		Article: ticket.ArticleInput{Kind: ticket.ArticleCustomer, Subject: strings.TrimSpace(req.Subject), Body: req.Body},
		Key:     req.Key,
	}
	err = d.tc.SignalWorkflow(ctx, ticket.WorkflowID(t.Number), "", ticket.SignalFollowUp, in)
	var gone *serviceerror.NotFound
	if err == nil {
		return FollowUpResult{Number: t.Number}, nil
	}
	if !errors.As(err, &gone) {
		return FollowUpResult{}, wrapf(err, "follow-up to ticket %s", t.Number)
	}
	// The ticket's workflow has ended: its follow-up window has passed.
	title := req.Subject
	if strings.TrimSpace(title) == "" {
		title = t.Title
	}
	// The same late message makes one new ticket. Its key is hashed so a
	// long Message-ID still fits the request key's 200 characters.
	key := ""
	if req.Key != "" {
		sum := sha256.Sum256([]byte(t.Number + "\x00" + req.Key))
		key = "follow-up:" + hex.EncodeToString(sum[:])
	}
	v, err := d.createTicket(ctx, p, CreateTicketRequest{
		RequestKey: key, CustomerLogin: cust.Login, Title: truncate(strings.TrimSpace(title), MaxTitleLength),
		Body: req.Body, ServiceID: deref(t.ServiceID), QueueID: t.QueueID, TypeID: t.TypeID, PriorityID: t.PriorityID,
	}, func(in *ticket.TicketInput) {
		in.Actor = actor
		in.Article.Kind = ticket.ArticleCustomer
		in.Ticket.Channel = "follow-up"
		in.LinkTo = t.Number
	})
	if err != nil {
		return FollowUpResult{}, err
	}
	return FollowUpResult{Number: v.Number, NewTicket: true}, nil
}

// RemindersReached lists the tickets whose reminder is due in the queues
// the agent sees.
func (d *Desk) RemindersReached(ctx context.Context, p Principal) ([]models.TicketRow, error) {
	queues, err := d.seenQueues(ctx, p)
	if err != nil {
		return nil, err
	}
	return models.RemindersReached(ctx, d.db, p.TenantID, queues, time.Now(), maxQueueList)
}

// CountRemindersReached counts the tickets whose reminder is due in the
// queues the agent sees.
func (d *Desk) CountRemindersReached(ctx context.Context, p Principal) (int, error) {
	queues, err := d.seenQueues(ctx, p)
	if err != nil {
		return 0, err
	}
	return models.CountRemindersReached(ctx, d.db, p.TenantID, queues, time.Now())
}

// seenQueues returns the IDs of the queues an agent sees, or nil for an
// admin, who sees them all.
func (d *Desk) seenQueues(ctx context.Context, p Principal) ([]int64, error) {
	if err := mustBeAgent(p); err != nil {
		return nil, err
	}
	a, err := d.access(ctx, p)
	if err != nil || a.Admin {
		return nil, err
	}
	qs, err := d.queuesWith(ctx, p, ticket.PermRO)
	ids := []int64{}
	for _, q := range qs {
		ids = append(ids, q.ID)
	}
	return ids, err
}

// TermsFor tells what a ticket of the service (0: none) and priority in
// the queue is worked under: the SLA with its calendar, where escalation
// goes, and where handing back goes.
func (d *Desk) TermsFor(ctx context.Context, p Principal, serviceID, priorityID, queueID int64) (ticket.Terms, error) {
	var svc *models.Service
	if serviceID != 0 {
		s, err := models.ServiceByID(ctx, d.db, p.TenantID, serviceID)
		if err != nil {
			return ticket.Terms{}, err
		}
		svc = &s
	}
	return d.terms(ctx, p.TenantID, svc, priorityID, queueID)
}

func (d *Desk) terms(ctx context.Context, tenantID int64, svc *models.Service, priorityID, queueID int64) (ticket.Terms, error) {
	var t ticket.Terms
	// The ticket's queue is most often the one its service feeds: read
	// each once.
	queues := map[int64]models.Queue{}
	queue := func(id int64) (models.Queue, error) {
		if q, ok := queues[id]; ok {
			return q, nil
		}
		q, err := models.QueueByID(ctx, d.db, tenantID, id)
		if err == nil {
			queues[id] = q
		}
		return q, err
	}
	if q, err := queue(queueID); err != nil {
		return t, err
	} else if q.Level == models.LevelFirst {
		t.FirstLevel = queueRef(q)
	}
	if svc == nil {
		return t, nil
	}
	if q, err := queue(svc.QueueID); err != nil {
		return t, err
	} else if q.Level == models.LevelFirst {
		t.FirstLevel = queueRef(q)
	}
	if svc.SecondLevelQueueID != nil {
		q, err := models.QueueByID(ctx, d.db, tenantID, *svc.SecondLevelQueueID)
		if err != nil {
			return t, err
		}
		t.SecondLevel = queueRef(q)
	}
	sla, found, err := models.SLAFor(ctx, d.db, tenantID, svc.ID, priorityID)
	if err != nil || !found {
		return t, err
	}
	cal, err := businessCalendar(sla.Calendar)
	if err != nil {
		return t, err
	}
	s := sla.SLA
	t.SLA, t.Calendar, t.WarnPercent = s.Name, cal, s.WarnPercent
	t.FirstResponse = time.Duration(s.FirstResponseMinutes) * time.Minute
	t.Update = time.Duration(s.UpdateMinutes) * time.Minute
	t.Solution = time.Duration(s.SolutionMinutes) * time.Minute
	t.EscalateAfter = time.Duration(s.EscalateMinutes) * time.Minute
	return t, nil
}

// businessCalendar turns a stored calendar into one the clocks count on.
func businessCalendar(c models.Calendar) (calendar.Calendar, error) { return c.Business() }

func deref(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

// truncate cuts s to at most n bytes without splitting a character.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// sender is the customer a follow-up comes from: a customer speaks for
// themselves; an integration (the mail gateway) names the sender it saw,
// and history records both truthfully. An agent never speaks as a
// customer: their words are notes and replies.
func (d *Desk) sender(ctx context.Context, p Principal, fe FieldErrors, login string) (models.Customer, error) {
	switch p.Kind {
	case ticket.ActorCustomer:
		return models.CustomerByID(ctx, d.db, p.TenantID, p.ID)
	case ticket.ActorIntegration:
		if bad, ok := ticket.CheckText(login, ticket.Line, ticket.MaxTitleLength); ok {
			fe["customer"] = bad
			return models.Customer{}, nil
		}
		login = strings.TrimSpace(login)
		if login == "" {
			fe["customer"] = ticket.P(ticket.FieldRequired)
			return models.Customer{}, nil
		}
		c, err := models.CustomerByLogin(ctx, d.db, p.TenantID, login)
		if errors.Is(err, models.ErrNotFound) {
			fe["customer"] = ticket.P(ticket.FieldUnknown)
			return c, nil
		}
		return c, err
	}
	return models.Customer{}, ErrForbidden
}

// TimeRequest accounts working time on a ticket.
type TimeRequest struct {
	RequestKey string
	Minutes    int
	Note       string
}

// AddTime accounts the minutes an agent worked on a ticket.
func (d *Desk) AddTime(ctx context.Context, p Principal, number string, req TimeRequest) (ticket.View, error) {
	fe := FieldErrors{}
	if req.Minutes <= 0 || req.Minutes > ticket.MaxTimeMinutes {
		fe["minutes"] = ticket.P(ticket.FieldMinutes, "Max", strconv.Itoa(ticket.MaxTimeMinutes))
	}
	checkNote(fe, req.Note)
	return d.send(ctx, p, number, ticket.ActionTime, req.RequestKey, fe, ticket.TimeInput{Minutes: req.Minutes, Note: req.Note})
}
