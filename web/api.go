package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/models"
	"github.com/kiz-ulm/kizdesk/ticket"
)

// maxJSONBody bounds API request bodies; an article may have 100,000
// characters, which fits with room for JSON escaping.
const maxJSONBody = 1 << 20

// maxTokenLength bounds API tokens; a longer one is no token of ours.
const maxTokenLength = 200

// requireToken authenticates API requests by bearer token. Cookies are
// never looked at: a browser's session cannot be used against the API, so
// the API needs no CSRF token.
func (s *server) requireToken(c *gin.Context) {
	scheme, token, ok := strings.Cut(c.GetHeader("Authorization"), " ")
	token = strings.TrimSpace(token)
	_, badBytes := ticket.CheckText(token, ticket.Line, maxTokenLength)
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" || badBytes {
		s.fail(c, errNoToken)
		return
	}
	p, err := s.desk.PrincipalByToken(c.Request.Context(), token)
	if errors.Is(err, desk.ErrNotFound) {
		s.fail(c, errNoToken)
		return
	}
	if err != nil {
		s.fail(c, fmt.Errorf("api token: %w", err))
		return
	}
	if p, err = s.desk.WithAccess(c.Request.Context(), p); err != nil {
		s.fail(c, fmt.Errorf("api token access: %w", err))
		return
	}
	c.Set(keyPrincipal, p)
	c.Header("Cache-Control", "no-store")
	c.Next()
}

// decodeJSON reads a request body into v. Unknown fields are refused so a
// misspelt field is an error, not silently ignored input; string fields
// with invalid UTF-8 or control characters are field problems (422).
func decodeJSON(c *gin.Context, v any) error {
	body, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, maxJSONBody))
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		return &badRequest{code: ticket.MsgTooLarge, detail: "the request body is larger than 1 MiB"}
	case err != nil:
		return &badRequest{code: ticket.MsgBadRequest, detail: "the request body could not be read"}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	err = dec.Decode(v)
	switch {
	case errors.Is(err, io.EOF):
		return &badRequest{code: ticket.MsgBadRequest, detail: "the request body is empty; a JSON object is expected"}
	case err != nil:
		return &badRequest{code: ticket.MsgBadRequest, detail: "the request body is not valid: " + strings.TrimPrefix(err.Error(), "json: ")}
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return &badRequest{code: ticket.MsgBadRequest, detail: "the request body must be a single JSON object"}
	}
	if !utf8.Valid(body) {
		return jsonUTF8Problems(body)
	}
	return jsonTextProblems(v)
}

// apiError is every API error response.
type apiError struct {
	Code       string            `json:"code"`
	Error      string            `json:"error"`
	Fields     map[string]string `json:"fields,omitempty"`
	FieldCodes map[string]string `json:"field_codes,omitempty"`
}

// ticketJSON is a ticket in API responses. Customer, owner and responsible
// names are only in responses read from the database (GET), not in those
// of a change.
type ticketJSON struct {
	Number          string     `json:"number"`
	Title           string     `json:"title"`
	State           string     `json:"state"`
	Level           string     `json:"level"`
	QueueID         int64      `json:"queue_id"`
	Queue           string     `json:"queue"`
	ServiceID       *int64     `json:"service_id"`
	Service         string     `json:"service"`
	TypeID          int64      `json:"type_id"`
	Type            string     `json:"type"`
	PriorityID      int64      `json:"priority_id"`
	Priority        string     `json:"priority"`
	CustomerID      int64      `json:"customer_id"`
	CustomerLogin   string     `json:"customer_login,omitempty"`
	CustomerName    string     `json:"customer_name,omitempty"`
	OwnerID         *int64     `json:"owner_id"`
	OwnerName       string     `json:"owner_name,omitempty"`
	ResponsibleID   *int64     `json:"responsible_id"`
	ResponsibleName string     `json:"responsible_name,omitempty"`
	Locked          bool       `json:"locked"`
	PendingUntil    *time.Time `json:"pending_until"`
	ReminderReached bool       `json:"reminder_reached"`
	MergedInto      string     `json:"merged_into"`
	Channel         string     `json:"channel"`
	CreatedAt       time.Time  `json:"created_at"`
	UpdatedAt       time.Time  `json:"updated_at"`
	ClosedAt        *time.Time `json:"closed_at"`
	SLA             slaJSON    `json:"sla"`
}

// slaJSON is where a ticket stands against its SLA. Due times are those of
// running clocks: null when met, paused, or without a target.
type slaJSON struct {
	Name                  string     `json:"name"`
	FirstResponseDue      *time.Time `json:"first_response_due"`
	UpdateDue             *time.Time `json:"update_due"`
	SolutionDue           *time.Time `json:"solution_due"`
	EscalationDue         *time.Time `json:"escalation_due"`
	FirstResponseAt       *time.Time `json:"first_response_at"`
	EscalatedAt           *time.Time `json:"escalated_at"`
	FirstResponseBreached bool       `json:"first_response_breached"`
	UpdateBreached        bool       `json:"update_breached"`
	SolutionBreached      bool       `json:"solution_breached"`
}

type ticketDetailJSON struct {
	ticketJSON
	Articles []articleJSON  `json:"articles"`
	History  []historyJSON  `json:"history"`
	Watchers []agentRefJSON `json:"watchers"`
	Linked   []ticketJSON   `json:"linked"`
	Merged   []mergedJSON   `json:"merged"`
}

type agentRefJSON struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// mergedJSON is a ticket merged into the one asked for, with its articles.
type mergedJSON struct {
	ticketJSON
	Articles []articleJSON `json:"articles"`
}

type articleJSON struct {
	Seq             int        `json:"seq"`
	Kind            string     `json:"kind"`
	CustomerVisible bool       `json:"customer_visible"`
	Author          string     `json:"author"`
	Subject         string     `json:"subject"`
	Body            string     `json:"body"`
	CreatedAt       time.Time  `json:"created_at"`
	Minutes         int        `json:"minutes"`
	Files           []fileJSON `json:"files"`
}

type fileJSON struct {
	Name   string `json:"name"`
	Type   string `json:"type"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
	Href   string `json:"href"`
}

type historyJSON struct {
	Seq       int       `json:"seq"`
	Event     string    `json:"event"`
	ActorKind string    `json:"actor_kind"`
	ActorID   int64     `json:"actor_id"`
	ActorName string    `json:"actor_name"`
	Field     string    `json:"field"`
	OldValue  string    `json:"old_value"`
	NewValue  string    `json:"new_value"`
	CreatedAt time.Time `json:"created_at"`
	PrevHash  string    `json:"prev_hash"`
	Hash      string    `json:"hash"`
}

type queueJSON struct {
	ID    int64  `json:"id"`
	Name  string `json:"name"`
	Level string `json:"level"`
}

type queueCountJSON struct {
	queueJSON
	New   int `json:"new"`
	Open  int `json:"open"`
	Total int `json:"total"`
}

type queueListJSON struct {
	Queues []queueCountJSON `json:"queues"`
}

type queueTicketsJSON struct {
	Queue   queueJSON    `json:"queue"`
	Tickets []ticketJSON `json:"tickets"`
}

func nonZero(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

func utcOrNil(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	t = t.UTC()
	return &t
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	return utcOrNil(*t)
}

func viewJSON(v ticket.View) ticketJSON {
	return ticketJSON{
		Number: v.Number, Title: v.Title, State: string(v.State), Level: string(v.Level),
		QueueID: v.QueueID, Queue: v.QueueName, ServiceID: nonZero(v.ServiceID), Service: v.ServiceName,
		TypeID: v.TypeID, Type: v.TypeName, PriorityID: v.PriorityID, Priority: v.PriorityName,
		CustomerID: v.CustomerID, OwnerID: nonZero(v.OwnerID), ResponsibleID: nonZero(v.ResponsibleID),
		Locked: v.Locked, PendingUntil: utcOrNil(v.PendingUntil), ReminderReached: v.ReminderReached,
		MergedInto: v.MergedInto, Channel: v.Channel,
		CreatedAt: v.CreatedAt.UTC(), UpdatedAt: v.UpdatedAt.UTC(), ClosedAt: utcOrNil(v.ClosedAt),
		SLA: slaJSON{
			Name:             v.Terms.SLA,
			FirstResponseDue: utcOrNil(v.SLA.FirstResponseDue), UpdateDue: utcOrNil(v.SLA.UpdateDue),
			SolutionDue: utcOrNil(v.SLA.SolutionDue), EscalationDue: utcOrNil(v.SLA.EscalationDue),
			FirstResponseAt: utcOrNil(v.SLA.FirstResponseAt), EscalatedAt: utcOrNil(v.SLA.EscalatedAt),
			FirstResponseBreached: v.SLA.FirstResponseBreached, UpdateBreached: v.SLA.UpdateBreached,
			SolutionBreached: v.SLA.SolutionBreached,
		},
	}
}

func rowJSON(t models.TicketRow) ticketJSON {
	return ticketJSON{
		Number: t.Number, Title: t.Title, State: t.State, Level: string(t.Level),
		QueueID: t.QueueID, Queue: t.QueueName, ServiceID: t.ServiceID, Service: t.ServiceName,
		TypeID: t.TypeID, Type: t.TypeName, PriorityID: t.PriorityID, Priority: t.PriorityName,
		CustomerID: t.CustomerID, CustomerLogin: t.CustomerLogin, CustomerName: t.CustomerName,
		OwnerID: t.OwnerID, OwnerName: t.OwnerName, ResponsibleID: t.ResponsibleID, ResponsibleName: t.ResponsibleName,
		Locked: t.Locked, PendingUntil: utcPtr(t.PendingUntil), ReminderReached: reminderReached(t),
		MergedInto: t.MergedInto, Channel: t.Channel,
		CreatedAt: t.CreatedAt.UTC(), UpdatedAt: t.UpdatedAt.UTC(), ClosedAt: utcPtr(t.ClosedAt),
		SLA: slaJSON{
			Name:             t.SLAName,
			FirstResponseDue: utcPtr(t.FirstResponseDue), UpdateDue: utcPtr(t.UpdateDue),
			SolutionDue: utcPtr(t.SolutionDue), EscalationDue: utcPtr(t.EscalationDue),
			FirstResponseAt: utcPtr(t.FirstResponseAt), EscalatedAt: utcPtr(t.EscalatedAt),
			FirstResponseBreached: t.FirstResponseBreached, UpdateBreached: t.UpdateBreached,
			SolutionBreached: t.SolutionBreached,
		},
	}
}

func rowsJSON(rows []models.TicketRow) []ticketJSON {
	out := make([]ticketJSON, len(rows))
	for i, t := range rows {
		out[i] = rowJSON(t)
	}
	return out
}

func articlesJSON(number string, as []models.Article) []articleJSON {
	out := make([]articleJSON, len(as))
	for i, a := range as {
		out[i] = articleJSON{
			Seq: a.Seq, Kind: a.Kind, CustomerVisible: a.CustomerVisible, Author: a.Author,
			Subject: a.Subject, Body: a.Body, CreatedAt: a.CreatedAt.UTC(), Minutes: a.TimeMinutes, Files: []fileJSON{},
		}
		for _, f := range a.Files {
			out[i].Files = append(out[i].Files, fileJSON{Name: f.Filename, Type: f.ContentType, Size: f.Size, SHA256: f.SHA256,
				Href: fmt.Sprintf("/api/v1/tickets/%s/articles/%d/files/%d", number, a.Seq, f.Seq)})
		}
	}
	return out
}

func detailJSON(d desk.TicketDetail) ticketDetailJSON {
	out := ticketDetailJSON{
		ticketJSON: rowJSON(d.Ticket),
		Articles:   articlesJSON(d.Ticket.Number, d.Articles),
		History:    make([]historyJSON, len(d.History)),
		Watchers:   make([]agentRefJSON, len(d.Watchers)),
		Linked:     rowsJSON(d.Linked),
		Merged:     make([]mergedJSON, len(d.Merged)),
	}
	for i, h := range d.History {
		out.History[i] = historyJSON{
			Seq: h.Seq, Event: h.Event, ActorKind: h.ActorKind, ActorID: h.ActorID, ActorName: h.ActorName,
			Field: h.Field, OldValue: h.OldValue, NewValue: h.NewValue, CreatedAt: h.CreatedAt.UTC(),
			PrevHash: h.PrevHash, Hash: h.Hash,
		}
	}
	for i, w := range d.Watchers {
		out.Watchers[i] = agentRefJSON{ID: w.ID, Name: w.Name}
	}
	for i, m := range d.Merged {
		out.Merged[i] = mergedJSON{ticketJSON: rowJSON(m.Ticket), Articles: articlesJSON(m.Ticket.Number, m.Articles)}
	}
	return out
}

// apiChange answers an API request that changes a ticket: it decodes the
// body into in, makes the one desk call with the Idempotency-Key, and
// answers with the ticket as the change left it.
func (s *server) apiChange(c *gin.Context, what string, in any,
	call func(ctx context.Context, a desk.Principal, number, key string) (ticket.View, error)) {
	number, err := numberParam(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	// Whether the request could be read matters only to who may work the
	// ticket: to anyone else it does not exist.
	var fields desk.FieldErrors
	var v ticket.View
	if err = decodeJSON(c, in); err == nil {
		v, err = call(c.Request.Context(), principalOf(c), number, c.GetHeader("Idempotency-Key"))
	}
	if err != nil && (!errors.As(err, &fields) || len(fields) > 0) {
		var rejected *desk.RejectedError
		if !errors.As(err, &rejected) {
			if cerr := s.desk.CheckTicket(c.Request.Context(), principalOf(c), number); cerr != nil {
				err = cerr
			}
		}
	}
	if err != nil {
		s.fail(c, fmt.Errorf("%s on ticket %s: %w", what, number, err))
		return
	}
	c.JSON(http.StatusOK, viewJSON(v))
}

// required reports a JSON field the request must have; a missing yes/no
// must not silently mean no.
func required[T any](v *T, field string, fe desk.FieldErrors) T {
	var zero T
	if v == nil {
		fe[field] = ticket.P(ticket.FieldRequired)
		return zero
	}
	return *v
}
