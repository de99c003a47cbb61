package web

import (
	"context"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/models"
	"github.com/kiz-ulm/kizdesk/ticket"
)

// fakeDesk is an in-memory Desk for testing the web layer only: it records
// the calls it gets and answers with canned data or the errors set on it.
type fakeDesk struct {
	mu sync.Mutex

	// bulkErrs: the error Bulk reports for a ticket (none: done).
	bulkErrs map[string]error
	// queueColumns: the columns SetQueueColumns stored (nil: default).
	queueColumns []string

	agents   map[int64]models.Agent
	password map[string]string // login → password
	tokens   map[string]int64  // API token → agent ID
	queues   []models.QueueCount
	tickets  map[string]desk.TicketDetail
	choices  desk.FormChoices

	// Errors to answer with instead of doing the work.
	createErr, noteErr, closeErr, ticketErr error
	panicInOverview                         bool
	// errs are errors for the other actions, by method name.
	errs map[string]error

	calls   []string
	creates []desk.CreateTicketRequest
	notes   []desk.AddNoteRequest
	closes  []desk.CloseRequest
	// requests are the requests of the other actions, by method name.
	requests map[string][]any

	reminders  []models.TicketRow
	followUpTo desk.FollowUpResult

	// sessions are the live session tokens, by token; forms the kept
	// forms by token and key; logins the login requests.
	sessions map[string]int64
	forms    map[string][]byte
	logins   []desk.LoginRequest
	// tainted are calls that got bytes no desk call may get.
	tainted []string
	// savedSearches by agent ID.
	savedSearches map[int64][]models.SavedSearch

	// dashboard and dashLists are what Dashboard and DashboardList answer;
	// nil: every widget empty, and the queues as one level.
	dashboard *desk.Dashboard
	dashLists map[string]desk.DashboardList
	deflected []string // texts of RecordDeflection
}

const (
	testToken  = "secret-api-token"
	testNumber = "2026112710000017"
)

var testTime = time.Date(2026, 11, 27, 9, 30, 0, 0, time.UTC)

func newFakeDesk() *fakeDesk {
	agent := models.Agent{ID: 7, TenantID: 1, Login: "anna", Name: "Anna Agent", Active: true}
	queue := models.Queue{ID: 3, TenantID: 1, Name: "Helpdesk", Level: models.LevelFirst}
	svc := int64(11)
	row := models.TicketRow{
		Ticket: models.Ticket{
			ID: 1, TenantID: 1, Number: testNumber, Title: "Printer <b>jams</b>", State: "open",
			Level: models.LevelFirst, QueueID: 3, ServiceID: &svc, TypeID: 1, PriorityID: 3,
			CustomerID: 5, Channel: "phone", CreatedAt: testTime, UpdatedAt: testTime,
		},
		QueueName: "Helpdesk", ServiceName: "Printing", TypeName: "Incident",
		PriorityName: "3 normal", CustomerName: "Carl Customer", CustomerLogin: "carl",
	}
	return &fakeDesk{
		agents:   map[int64]models.Agent{agent.ID: agent},
		password: map[string]string{"anna": "right"},
		tokens:   map[string]int64{testToken: agent.ID},
		queues:   []models.QueueCount{{Queue: queue, New: 1, Open: 2, All: 3}},
		tickets: map[string]desk.TicketDetail{testNumber: {
			Ticket: row,
			Articles: []models.Article{{
				ID: 1, TicketID: 1, Seq: 1, Kind: "phone note", CustomerVisible: true, Author: "Anna Agent",
				Subject: "Printer jams", Body: "line one\nline <two>", CreatedAt: testTime,
			}},
			History: []models.HistoryEntry{{
				ID: 1, TicketID: 1, Seq: 1, Event: "NewTicket", ActorKind: "agent", ActorID: 7,
				ActorName: "Anna Agent", Field: "State", NewValue: "new", CreatedAt: testTime, Hash: "abc",
			}},
		}},
		errs:     map[string]error{},
		requests: map[string][]any{},
		sessions: map[string]int64{},
		forms:    map[string][]byte{},
		choices: desk.FormChoices{
			Agents:   []models.Agent{agent, {ID: 8, TenantID: 1, Login: "bert", Name: "Bert Second", Active: true}},
			Services: []models.Service{{ID: 11, Name: "Printing", QueueID: 3}},
			Queues: []models.Queue{queue,
				{ID: 4, TenantID: 1, Name: "Netz 2nd", Level: models.LevelSecond},
				{ID: 5, TenantID: 1, Name: "Team Druck", Level: models.LevelTeam}},
			Targets: []models.Queue{queue,
				{ID: 4, TenantID: 1, Name: "Netz 2nd", Level: models.LevelSecond},
				{ID: 5, TenantID: 1, Name: "Team Druck", Level: models.LevelTeam}},
			Types:      []models.TicketType{{ID: 1, Name: "Incident"}, {ID: 2, Name: "Service Request"}},
			Priorities: []models.Priority{{ID: 1, Name: "1 very low", Rank: 1}, {ID: 2, Name: "2 low", Rank: 2}, {ID: 3, Name: "3 normal", Rank: 3}, {ID: 4, Name: "4 high", Rank: 4}},
		},
	}
}

// record records a call and checks its arguments for bad bytes.
func (f *fakeDesk) record(name string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, name)
	for _, a := range args {
		if s, ok := badString(reflect.ValueOf(a)); ok {
			f.tainted = append(f.tainted, fmt.Sprintf("%s got %q", name, s))
		}
	}
}

// badString finds a string in v with invalid UTF-8 or control characters
// (line breaks and tabs aside).
func badString(v reflect.Value) (string, bool) {
	switch v.Kind() {
	case reflect.String:
		if _, bad := ticket.CheckText(v.String(), ticket.Lines, math.MaxInt); bad {
			return v.String(), true
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if s, ok := badString(v.Field(i)); ok {
				return s, true
			}
		}
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			return badString(v.Elem())
		}
	}
	return "", false
}

// taints returns, and forgets, the calls that got bad bytes.
func (f *fakeDesk) taints() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := slices.Clone(f.tainted)
	f.tainted = nil
	return out
}

func (f *fakeDesk) called(name string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, c := range f.calls {
		if c == name {
			n++
		}
	}
	return n
}

func (f *fakeDesk) Login(_ context.Context, req desk.LoginRequest) (desk.Session, error) {
	f.record("Login", req)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.logins = append(f.logins, req)
	if err := f.errs["Login"]; err != nil {
		return desk.Session{}, err
	}
	if p, ok := f.password[req.Login]; ok && p == req.Password {
		for _, a := range f.agents {
			if a.Login == req.Login {
				delete(f.sessions, req.Previous)
				token := desk.NewSessionToken()
				f.sessions[token] = a.ID
				return desk.Session{Token: token, Agent: a}, nil
			}
		}
	}
	return desk.Session{}, desk.ErrBadLogin
}

func (f *fakeDesk) SessionAgent(_ context.Context, token string) (models.Agent, error) {
	f.record("SessionAgent", token)
	f.mu.Lock()
	defer f.mu.Unlock()
	if a, ok := f.agents[f.sessions[token]]; ok {
		return a, nil
	}
	return models.Agent{}, fmt.Errorf("web session: %w", desk.ErrNotFound)
}

func (f *fakeDesk) Logout(_ context.Context, token string) error {
	f.record("Logout", token)
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.sessions, token)
	return nil
}

func (f *fakeDesk) SaveFormState(_ context.Context, token, key string, data []byte) error {
	f.record("SaveFormState", token, key)
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.errs["SaveFormState"]; err != nil {
		return err
	}
	f.forms[token+" "+key] = data
	return nil
}

func (f *fakeDesk) TakeFormState(_ context.Context, token, key string) ([]byte, error) {
	f.record("TakeFormState", token, key)
	f.mu.Lock()
	defer f.mu.Unlock()
	b := f.forms[token+" "+key]
	delete(f.forms, token+" "+key)
	return b, nil
}

func (f *fakeDesk) PrincipalByToken(_ context.Context, token string) (desk.Principal, error) {
	f.record("PrincipalByToken", token)
	if id, ok := f.tokens[token]; ok {
		return desk.AgentPrincipal(f.agents[id]), nil
	}
	return desk.Principal{}, fmt.Errorf("api token: %w", desk.ErrNotFound)
}

func (f *fakeDesk) FindCustomers(_ context.Context, _ desk.Principal, q string, page int) (desk.CustomerPage, error) {
	f.record("FindCustomers", q)
	out := desk.CustomerPage{Page: page}
	if page > 0 {
		return out, nil
	}
	for _, c := range []models.Customer{{ID: 5, Login: "carl", Name: "Carl Customer"}} {
		if strings.Contains(strings.ToLower(c.Name+" "+c.Login), strings.ToLower(q)) {
			out.Matches = append(out.Matches, desk.CustomerMatch{Login: c.Login, Name: c.Name, Email: c.Email})
		}
	}
	return out, nil
}

func (f *fakeDesk) IngestMail(_ context.Context, _ desk.Principal, req desk.MailRequest) (desk.MailResult, error) {
	f.record("IngestMail", req.Recipient)
	return desk.MailResult{Outcome: "new ticket", Number: "2026112710000099", AutoRespond: true}, nil
}

func (f *fakeDesk) Attachment(_ context.Context, _ desk.Principal, number string, mailID int64, seq int) (desk.AttachmentFile, error) {
	f.record("Attachment", number)
	if mailID != 1 || seq != 1 {
		return desk.AttachmentFile{}, fmt.Errorf("attachment: %w", desk.ErrNotFound)
	}
	return desk.AttachmentFile{MailAttachment: models.MailAttachment{MailID: 1, Seq: 1, Filename: "Grüße.html", ContentType: "text/html"},
		Data: []byte("<script>alert(1)</script>")}, nil
}

func (f *fakeDesk) File(_ context.Context, _ desk.Principal, number string, seq, n int) (desk.ArticleFile, error) {
	f.record("File", number)
	if seq != 2 || n != 1 {
		return desk.ArticleFile{}, fmt.Errorf("file: %w", desk.ErrNotFound)
	}
	return desk.ArticleFile{ArticleFile: models.ArticleFile{Seq: 1, Filename: "Ablauf.svg", ContentType: "image/svg+xml"},
		Data: []byte("<svg onload=alert(1)></svg>")}, nil
}

func (f *fakeDesk) CheckTicket(_ context.Context, _ desk.Principal, number string) error {
	f.record("CheckTicket", number)
	return nil
}

// WithAccess gives the fake's agents roles by their login: rita is the
// admin, everyone else 1st level.
func (f *fakeDesk) WithAccess(_ context.Context, p desk.Principal) (desk.Principal, error) {
	f.record("WithAccess", p.Login)
	if p.IsAgent() {
		p.Access = &desk.Access{Roles: []string{"1st level"}}
		if p.Login == "rita" {
			p.Access = &desk.Access{Admin: true, Operator: true, Roles: []string{models.AdminRole}}
		}
	}
	return p, nil
}

func (f *fakeDesk) QueueOverview(context.Context, desk.Principal) ([]models.QueueCount, error) {
	f.record("QueueOverview")
	if f.panicInOverview {
		panic("queue overview exploded at 0xdeadbeef")
	}
	return f.queues, nil
}

func (f *fakeDesk) QueueTickets(_ context.Context, _ desk.Principal, id int64) (models.Queue, []models.TicketRow, error) {
	f.record("QueueTickets")
	for _, q := range f.queues {
		if q.ID == id {
			var rows []models.TicketRow
			for _, d := range f.tickets {
				if d.Ticket.QueueID == id {
					rows = append(rows, d.Ticket)
				}
			}
			return q.Queue, rows, nil
		}
	}
	return models.Queue{}, nil, fmt.Errorf("queue %d: %w", id, desk.ErrNotFound)
}

func (f *fakeDesk) Ticket(_ context.Context, _ desk.Principal, number string) (desk.TicketDetail, error) {
	f.record("Ticket", number)
	if f.ticketErr != nil {
		return desk.TicketDetail{}, f.ticketErr
	}
	if d, ok := f.tickets[number]; ok {
		return d, nil
	}
	return desk.TicketDetail{}, fmt.Errorf("ticket %s: %w", number, desk.ErrNotFound)
}

func (f *fakeDesk) FormChoices(context.Context, desk.Principal) (desk.FormChoices, error) {
	f.record("FormChoices")
	return f.choices, nil
}

func (f *fakeDesk) view(number string) ticket.View {
	t := f.tickets[number].Ticket
	return ticket.View{
		Number: number, TenantID: 1, Title: t.Title, State: ticket.State(t.State), Level: ticket.Level(t.Level),
		QueueID: t.QueueID, QueueName: t.QueueName, TypeID: t.TypeID, TypeName: t.TypeName,
		PriorityID: t.PriorityID, PriorityName: t.PriorityName, CustomerID: t.CustomerID,
		Channel: t.Channel, CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt,
	}
}

func (f *fakeDesk) CreateTicket(_ context.Context, _ desk.Principal, req desk.CreateTicketRequest) (ticket.View, error) {
	f.record("CreateTicket", req)
	f.mu.Lock()
	f.creates = append(f.creates, req)
	f.mu.Unlock()
	if f.createErr != nil {
		return ticket.View{}, f.createErr
	}
	return f.view(testNumber), nil
}

func (f *fakeDesk) AddNote(_ context.Context, _ desk.Principal, number string, req desk.AddNoteRequest) (ticket.View, error) {
	f.record("AddNote", number, req)
	f.mu.Lock()
	f.notes = append(f.notes, req)
	f.mu.Unlock()
	if f.noteErr != nil {
		return ticket.View{}, f.noteErr
	}
	if _, ok := f.tickets[number]; !ok {
		return ticket.View{}, fmt.Errorf("ticket %s: %w", number, desk.ErrNotFound)
	}
	return f.view(number), nil
}

func (f *fakeDesk) Close(_ context.Context, _ desk.Principal, number string, req desk.CloseRequest) (ticket.View, error) {
	f.record("Close", number, req)
	f.mu.Lock()
	f.closes = append(f.closes, req)
	f.mu.Unlock()
	if f.closeErr != nil {
		return ticket.View{}, f.closeErr
	}
	v := f.view(number)
	v.State = ticket.State(req.State)
	v.ClosedAt = testTime
	return v, nil
}

// change records an action's request and answers like the desk would:
// with the error set for it, or the ticket.
func (f *fakeDesk) change(name, number string, req any) (ticket.View, error) {
	f.record(name, number, req)
	f.mu.Lock()
	f.requests[name] = append(f.requests[name], req)
	err := f.errs[name]
	f.mu.Unlock()
	if err != nil {
		return ticket.View{}, err
	}
	if _, ok := f.tickets[number]; !ok {
		return ticket.View{}, fmt.Errorf("ticket %s: %w", number, desk.ErrNotFound)
	}
	return f.view(number), nil
}

// requestsOf returns the requests method name got.
func requestsOf[T any](f *fakeDesk, name string) []T {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []T
	for _, r := range f.requests[name] {
		out = append(out, r.(T))
	}
	return out
}

func (f *fakeDesk) Reply(_ context.Context, _ desk.Principal, number string, req desk.ReplyRequest) (ticket.View, error) {
	return f.change("Reply", number, req)
}

func (f *fakeDesk) Assign(_ context.Context, _ desk.Principal, number string, req desk.AssignRequest) (ticket.View, error) {
	return f.change("Assign", number, req)
}

func (f *fakeDesk) Lock(_ context.Context, _ desk.Principal, number string, req desk.LockRequest) (ticket.View, error) {
	v, err := f.change("Lock", number, req)
	v.Locked = req.Locked
	return v, err
}

func (f *fakeDesk) Watch(_ context.Context, _ desk.Principal, number string, req desk.WatchRequest) (ticket.View, error) {
	return f.change("Watch", number, req)
}

func (f *fakeDesk) Move(_ context.Context, _ desk.Principal, number string, req desk.MoveRequest) (ticket.View, error) {
	v, err := f.change("Move", number, req)
	for _, q := range f.choices.Queues {
		if q.ID == req.QueueID && err == nil {
			v.QueueID, v.QueueName, v.Level = q.ID, q.Name, ticket.Level(q.Level)
		}
	}
	return v, err
}

func (f *fakeDesk) Classify(_ context.Context, _ desk.Principal, number string, req desk.ClassifyRequest) (ticket.View, error) {
	return f.change("Classify", number, req)
}

func (f *fakeDesk) Escalate(_ context.Context, _ desk.Principal, number string, req desk.EscalateRequest) (ticket.View, error) {
	v, err := f.change("Escalate", number, req)
	for _, q := range f.choices.Queues {
		if q.ID == req.QueueID && err == nil {
			v.QueueID, v.QueueName, v.Level = q.ID, q.Name, ticket.Level(q.Level)
		}
	}
	return v, err
}

func (f *fakeDesk) HandBack(_ context.Context, _ desk.Principal, number string, req desk.HandBackRequest) (ticket.View, error) {
	return f.change("HandBack", number, req)
}

func (f *fakeDesk) SetPending(_ context.Context, _ desk.Principal, number string, req desk.PendingRequest) (ticket.View, error) {
	v, err := f.change("SetPending", number, req)
	if err == nil {
		v.State, v.PendingUntil = ticket.State(req.State), req.Until
	}
	return v, err
}

func (f *fakeDesk) Reopen(_ context.Context, _ desk.Principal, number string, req desk.ReopenRequest) (ticket.View, error) {
	return f.change("Reopen", number, req)
}

func (f *fakeDesk) Merge(_ context.Context, _ desk.Principal, number string, req desk.MergeRequest) (ticket.View, error) {
	return f.change("Merge", number, req)
}

func (f *fakeDesk) Link(_ context.Context, _ desk.Principal, number string, req desk.LinkRequest) (ticket.View, error) {
	return f.change("Link", number, req)
}

func (f *fakeDesk) AddTime(_ context.Context, _ desk.Principal, number string, req desk.TimeRequest) (ticket.View, error) {
	return f.change("AddTime", number, req)
}

func (f *fakeDesk) FollowUp(_ context.Context, _ desk.Principal, number string, req desk.FollowUpRequest) (desk.FollowUpResult, error) {
	if _, err := f.change("FollowUp", number, req); err != nil {
		return desk.FollowUpResult{}, err
	}
	if f.followUpTo.Number != "" {
		return f.followUpTo, nil
	}
	return desk.FollowUpResult{Number: number}, nil
}

func (f *fakeDesk) CountRemindersReached(ctx context.Context, a desk.Principal) (int, error) {
	rows, err := f.RemindersReached(ctx, a)
	return len(rows), err
}

func (f *fakeDesk) RemindersReached(context.Context, desk.Principal) ([]models.TicketRow, error) {
	f.record("RemindersReached")
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.errs["RemindersReached"]; err != nil {
		return nil, err
	}
	return f.reminders, nil
}

func (f *fakeDesk) SetLanguage(_ context.Context, a desk.Principal, lang string) error {
	f.record("SetLanguage")
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests["SetLanguage"] = append(f.requests["SetLanguage"], lang)
	if err := f.errs["SetLanguage"]; err != nil {
		return err
	}
	agent, ok := f.agents[a.ID]
	if !ok {
		return fmt.Errorf("agent %d: %w", a.ID, desk.ErrNotFound)
	}
	agent.Language = lang
	f.agents[a.ID] = agent
	return nil
}

// Bulk answers each ticket as the fake's bulkErrs says (nil: done), the
// request checked as the desk would reject an empty one.
func (f *fakeDesk) Bulk(_ context.Context, _ desk.Principal, req desk.BulkRequest) ([]desk.BulkResult, error) {
	f.record("Bulk", req)
	if len(req.Numbers) == 0 {
		return nil, desk.FieldErrors{"number": ticket.P(ticket.FieldRequired)}
	}
	out := make([]desk.BulkResult, len(req.Numbers))
	for i, n := range req.Numbers {
		out[i] = desk.BulkResult{Number: n, Err: f.bulkErrs[n]}
	}
	return out, nil
}

// Search: the fake finds its tickets whose title holds the words (or
// every ticket without words), jumps to a number it holds, and keeps
// saved searches per agent.
func (f *fakeDesk) Search(_ context.Context, p desk.Principal, req desk.SearchRequest) (desk.SearchResult, error) {
	f.record("Search", req.Text, req.State, req.Customer, req.CreatedFrom, req.CreatedTo)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests["Search"] = append(f.requests["Search"], req)
	out := desk.SearchResult{Page: max(req.Page, 1), States: ticket.AllStates(), Saved: slices.Clone(f.savedSearches[p.ID])}
	if err := f.errs["Search"]; err != nil {
		return out, err
	}
	if req.State != "" && !slices.Contains(out.States, ticket.State(req.State)) {
		return out, desk.FieldErrors{"state": ticket.P(ticket.FieldChoose)}
	}
	if _, ok := f.tickets[req.Text]; ok && !req.Filtered() {
		out.Jump = req.Text
		return out, nil
	}
	if req.Text == "" && !req.Filtered() {
		return out, nil
	}
	out.Searched, out.Ranked = true, req.Text != ""
	if req.Text == "Printer" { // as if it were in more texts than the desk ranks
		out.Capped = desk.SearchCandidates
	}
	for _, t := range f.tickets {
		if i := strings.Index(t.Ticket.Title, req.Text); i >= 0 && req.Text != "" {
			out.Hits = append(out.Hits, desk.SearchHit{TicketRow: t.Ticket, Snippet: []desk.SnippetPart{
				{Text: t.Ticket.Title[:i]}, {Text: req.Text, Hit: true}, {Text: t.Ticket.Title[i+len(req.Text):]}}})
		} else if req.Text == "" {
			out.Hits = append(out.Hits, desk.SearchHit{TicketRow: t.Ticket})
		}
	}
	return out, nil
}

func (f *fakeDesk) SaveSearch(_ context.Context, p desk.Principal, name, query string) error {
	f.record("SaveSearch", name, query)
	f.mu.Lock()
	defer f.mu.Unlock()
	if strings.TrimSpace(name) == "" {
		return desk.FieldErrors{"name": ticket.P(ticket.FieldRequired)}
	}
	if f.savedSearches == nil {
		f.savedSearches = map[int64][]models.SavedSearch{}
	}
	f.savedSearches[p.ID] = append(f.savedSearches[p.ID], models.SavedSearch{ID: int64(len(f.savedSearches[p.ID]) + 1), AgentID: p.ID, Name: name, Query: query})
	return nil
}

func (f *fakeDesk) DeleteSavedSearch(_ context.Context, p desk.Principal, id int64) error {
	f.record("DeleteSavedSearch", id)
	f.mu.Lock()
	defer f.mu.Unlock()
	n := len(f.savedSearches[p.ID])
	f.savedSearches[p.ID] = slices.DeleteFunc(f.savedSearches[p.ID], func(s models.SavedSearch) bool { return s.ID == id })
	if len(f.savedSearches[p.ID]) == n {
		return fmt.Errorf("saved search %d: %w", id, desk.ErrNotFound)
	}
	return nil
}

// fakeWriting are the writing aids the fake offers on every ticket it
// knows; the names are words TestEveryPageInBothLanguages knows as data.
var fakeWriting = desk.Writing{
	Responses: []desk.StandardText{
		{ID: 21, Name: "Helpdesk", Text: "Hello Carl Customer,\nthanks for ticket " + testNumber + "."},
		{ID: 22, Name: "Printer <b>jams</b>", Text: "</textarea><script>alert(1)</script>"},
	},
	Signature: "Anna Agent\nHelpdesk <kiz>",
}

func (f *fakeDesk) WritingAids(_ context.Context, _ desk.Principal, number, lang string) (desk.Writing, error) {
	f.record("WritingAids", number, lang)
	if err := f.errs["WritingAids"]; err != nil {
		return desk.Writing{}, err
	}
	if _, ok := f.tickets[number]; !ok {
		return desk.Writing{}, fmt.Errorf("ticket %s: %w", number, desk.ErrNotFound)
	}
	return fakeWriting, nil
}

// The dashboard: what dashboard and dashLists hold, or errs["Dashboard"].
func (f *fakeDesk) Dashboard(_ context.Context, p desk.Principal) (desk.Dashboard, error) {
	f.record("Dashboard", p)
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.dashboard != nil {
		return *f.dashboard, f.errs["Dashboard"]
	}
	d := desk.Dashboard{At: testTime, Locked: desk.DashboardList{Widget: desk.WidgetLocked}, New: desk.DashboardList{Widget: desk.WidgetNew},
		SLA: desk.DashboardList{Widget: desk.WidgetSLA}, Reminders: desk.DashboardList{Widget: desk.WidgetReminders},
		Watched: desk.DashboardList{Widget: desk.WidgetWatched}}
	for _, q := range f.queues {
		d.Queues = append(d.Queues, desk.QueueNode{Name: q.Name, Path: q.Name, QueueID: q.ID, New: q.New, All: q.All})
	}
	return d, f.errs["Dashboard"]
}

func (f *fakeDesk) DashboardList(_ context.Context, p desk.Principal, widget string) (desk.DashboardList, error) {
	f.record("DashboardList", p, widget)
	f.mu.Lock()
	defer f.mu.Unlock()
	if !slices.Contains(desk.DashboardWidgets(), widget) {
		return desk.DashboardList{}, fmt.Errorf("dashboard widget %q: %w", widget, desk.ErrNotFound)
	}
	l, ok := f.dashLists[widget]
	if !ok {
		l = desk.DashboardList{Widget: widget, At: testTime}
	}
	return l, f.errs["DashboardList"]
}

// Split answers with a new ticket number, or errs["Split"].
func (f *fakeDesk) Split(_ context.Context, _ desk.Principal, number string, req desk.SplitRequest) (ticket.View, error) {
	f.record("Split", number, req)
	if err := f.errs["Split"]; err != nil {
		return ticket.View{}, err
	}
	return ticket.View{Number: "2026112710000099"}, nil
}

// QueueView answers the fake's queue and its tickets, as one page.
func (f *fakeDesk) QueueView(ctx context.Context, p desk.Principal, id int64, req desk.QueueViewRequest) (desk.QueueViewPage, error) {
	f.record("QueueView", req)
	f.mu.Lock()
	f.requests["QueueView"] = append(f.requests["QueueView"], req)
	f.mu.Unlock()
	if req.Sort != "" && !slices.Contains(models.QueueSorts, models.QueueSort(req.Sort)) {
		return desk.QueueViewPage{}, desk.FieldErrors{"sort": ticket.P(ticket.FieldChoose)}
	}
	q, rows, err := f.QueueTickets(ctx, p, id)
	return desk.QueueViewPage{Queue: q, Tickets: rows, Columns: f.columns()}, err
}
