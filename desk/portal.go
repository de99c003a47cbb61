package desk

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/kiz-ulm/kizdesk/directory"
	"github.com/kiz-ulm/kizdesk/models"
	"github.com/kiz-ulm/kizdesk/ticket"
)

// The customer portal: customers log in with a local account or their kiz
// account, open tickets for the services offered to them, follow them,
// answer and close them. What a customer may see is decided here: their
// own tickets (with the company view also their company's customers'),
// only the articles meant for them, and a closed ticket only inside the
// tenant's reading window.

// PortalSession is a logged-in customer's portal session: Token goes into
// the browser's cookie and nowhere else.
type PortalSession struct {
	Token    string
	Customer models.Customer
}

// portalLoginKey keeps the customers' failed logins apart from the
// agents' of the same name; the per-client limit counts both.
func portalLoginKey(login string) string { return loginKey("portal\x00" + login) }

// PortalLogin checks a customer's password and starts a portal session.
// It fails the way Login fails: ErrBadLogin for anything wrong, a
// ThrottledError past the throttle's limits, ErrDirectoryUnavailable when
// the directory cannot be asked.
func (d *Desk) PortalLogin(ctx context.Context, req LoginRequest) (PortalSession, error) {
	login := strings.TrimSpace(req.Login)
	if _, bad := ticket.CheckText(login, ticket.Line, maxLoginLength); bad || login == "" || len(req.Password) > maxPasswordLength {
		return PortalSession{}, ErrBadLogin
	}
	now, th := d.now(), d.opts.LoginThrottle
	key, client := portalLoginKey(login), clientKey(req.Client)
	id, err := models.RecordLoginAttempt(ctx, d.db, key, client, now, now.Add(-th.Window), cleanupBatch)
	if err != nil {
		return PortalSession{}, wrapf(err, "portal login")
	}
	wait, err := d.throttled(ctx, key, client, id, now)
	if err != nil {
		return PortalSession{}, wrapf(err, "portal login")
	}
	if wait > 0 {
		if err := models.ForgetLoginAttempt(ctx, d.db, id); err != nil {
			return PortalSession{}, wrapf(err, "portal login")
		}
		return PortalSession{}, &ThrottledError{Wait: wait}
	}
	c, err := d.checkCustomerPassword(ctx, login, req.Password)
	if err != nil {
		return PortalSession{}, err
	}
	if err := models.ForgetLoginAttemptsOf(ctx, d.db, key); err != nil {
		return PortalSession{}, wrapf(err, "portal login %s", login)
	}
	token := NewSessionToken()
	previous := req.Previous
	if !validToken(previous) {
		previous = ""
	}
	if err := models.StartPortalSession(ctx, d.db, token, previous, c.ID, now, now.Add(-d.opts.SessionLifetime), cleanupBatch); err != nil {
		return PortalSession{}, wrapf(err, "portal login %s", login)
	}
	return PortalSession{Token: token, Customer: c}, nil
}

// checkCustomerPassword returns the customer whose password this is: a
// local account with a password set here, or else a kiz account the
// directory accepts (a customer of the directory's tenant, made from the
// directory's entry the first time). Deactivated customers and customers
// of a switched-off tenant cannot log in.
func (d *Desk) checkCustomerPassword(ctx context.Context, login, password string) (models.Customer, error) {
	cs, err := models.CustomersByLogin(ctx, d.db, login)
	if err != nil {
		return models.Customer{}, err
	}
	checked := false
	for _, c := range cs {
		if c.Source == models.SourceLDAP || c.PasswordHash == "" {
			continue
		}
		checked = true
		if bcrypt.CompareHashAndPassword([]byte(c.PasswordHash), []byte(password)) != nil {
			continue
		}
		ok, err := d.customerMayLogIn(ctx, c)
		if err != nil || !ok {
			return models.Customer{}, errors.Join(ErrBadLogin, err)
		}
		return c, nil
	}
	if d.opts.Directory == nil || checked {
		if !checked {
			_ = bcrypt.CompareHashAndPassword(dummyHash, []byte(password))
		}
		return models.Customer{}, ErrBadLogin
	}
	p, err := d.opts.Directory.Authenticate(ctx, login, password)
	switch {
	case errors.Is(err, directory.ErrBadLogin):
		return models.Customer{}, ErrBadLogin
	case errors.Is(err, directory.ErrUnavailable):
		return models.Customer{}, fmt.Errorf("portal login %s: %w: %w", login, ErrDirectoryUnavailable, err)
	case err != nil:
		return models.Customer{}, wrapf(err, "portal login %s", login)
	}
	tenant, err := models.TenantBySlug(ctx, d.db, d.opts.DirectoryTenant)
	if err != nil {
		return models.Customer{}, wrapf(err, "the directory's tenant %q", d.opts.DirectoryTenant)
	}
	c, err := models.CustomerByLogin(ctx, d.db, tenant.ID, p.Login)
	if errors.Is(err, models.ErrNotFound) {
		c, err = d.customerFromDirectory(ctx, tenant.ID, p.Login)
	}
	if err != nil {
		return models.Customer{}, wrapf(err, "portal login %s", login)
	}
	ok, err := d.customerMayLogIn(ctx, c)
	if err != nil || !ok {
		return models.Customer{}, errors.Join(ErrBadLogin, err)
	}
	return c, nil
}

func (d *Desk) customerMayLogIn(ctx context.Context, c models.Customer) (bool, error) {
	if !c.Active {
		return false, nil
	}
	var t models.Tenant
	if err := d.db.WithContext(ctx).Take(&t, c.TenantID).Error; err != nil {
		return false, wrapf(err, "tenant of customer %d", c.ID)
	}
	return t.Active, nil
}

// SessionCustomer returns the customer of a live portal session: known,
// not revoked, not older than the session lifetime, the customer active.
// ErrNotFound otherwise.
func (d *Desk) SessionCustomer(ctx context.Context, token string) (models.Customer, error) {
	if !validToken(token) {
		return models.Customer{}, fmt.Errorf("portal session: %w", ErrNotFound)
	}
	now := d.now()
	c, seen, err := models.PortalSessionCustomer(ctx, d.db, token, now.Add(-d.opts.SessionLifetime))
	if err != nil {
		return models.Customer{}, err
	}
	if now.Sub(seen) >= touchEvery {
		if err := models.TouchPortalSession(ctx, d.db, token, now); err != nil {
			return models.Customer{}, err
		}
	}
	return c, nil
}

// PortalLogout ends the portal session of token for good.
func (d *Desk) PortalLogout(ctx context.Context, token string) error {
	if !validToken(token) {
		return nil
	}
	return models.RevokePortalSession(ctx, d.db, token, d.now())
}

// maxPortalList bounds each of the portal's lists.
const maxPortalList = 200

// PortalList is what the portal's start page shows.
type PortalList struct {
	Open, Closed []models.TicketRow
	// Company: the list holds the tickets of the customer's company.
	Company bool
	// ReadingDays is how long closed tickets stay readable.
	ReadingDays int
}

// mustBeCustomer refuses every principal but a customer.
func mustBeCustomer(p Principal) error {
	if p.Kind != ticket.ActorCustomer {
		return ErrForbidden
	}
	return nil
}

// portalScope is whose tickets a customer sees, and since when closed
// tickets are still readable.
func (d *Desk) portalScope(ctx context.Context, p Principal) (models.Customer, []int64, time.Time, int, error) {
	c, err := models.CustomerByID(ctx, d.db, p.TenantID, p.ID)
	if err != nil {
		return c, nil, time.Time{}, 0, err
	}
	// The reading window is the tenant's retention policy's.
	window, err := models.ReadingWindow(ctx, d.db, p.TenantID)
	if err != nil {
		return c, nil, time.Time{}, 0, err
	}
	ids := []int64{c.ID}
	if c.CompanyView && c.CompanyID != nil {
		if ids, err = models.CompanyCustomerIDs(ctx, d.db, p.TenantID, *c.CompanyID); err != nil {
			return c, nil, time.Time{}, 0, err
		}
	}
	days := int(window / (24 * time.Hour))
	return c, ids, d.now().Add(-window), days, nil
}

// PortalTickets lists the customer's open tickets and the closed ones
// still inside the reading window, newest first.
func (d *Desk) PortalTickets(ctx context.Context, p Principal) (PortalList, error) {
	var out PortalList
	if err := mustBeCustomer(p); err != nil {
		return out, err
	}
	c, ids, since, days, err := d.portalScope(ctx, p)
	if err != nil {
		return out, err
	}
	out.Company, out.ReadingDays = c.CompanyView && c.CompanyID != nil, days
	rows, err := models.PortalTickets(ctx, d.db, p.TenantID, ids, stateStrings(ticket.OpenStates()), stateStrings(ticket.ClosedStates()), since, maxPortalList)
	if err != nil {
		return out, err
	}
	for _, r := range rows {
		if ticket.State(r.State).Closed() {
			out.Closed = append(out.Closed, r)
		} else {
			out.Open = append(out.Open, r)
		}
	}
	return out, nil
}

// portalTicket returns the ticket if the customer may see it in the
// portal now; ErrNotFound otherwise. Own is whether it is the customer's
// own ticket (not a colleague's seen through the company view); days is
// the tenant's reading window.
func (d *Desk) portalTicket(ctx context.Context, p Principal, number string) (t models.TicketRow, own bool, days int, err error) {
	if err := mustBeCustomer(p); err != nil {
		return t, false, 0, err
	}
	if pr, bad := ticket.CheckText(number, ticket.Line, 64); bad || number == "" {
		return t, false, 0, fmt.Errorf("ticket number %v: %w", pr, ErrNotFound)
	}
	_, ids, since, days, err := d.portalScope(ctx, p)
	if err != nil {
		return t, false, 0, err
	}
	t, err = models.TicketByNumber(ctx, d.db, p.TenantID, number)
	if err != nil {
		return t, false, 0, err
	}
	state := ticket.State(t.State)
	visible := t.TenantID == p.TenantID && slices.Contains(ids, t.CustomerID) &&
		(state.Open() || (state.Closed() && t.ClosedAt != nil && !t.ClosedAt.Before(since)))
	if !visible {
		return models.TicketRow{}, false, 0, fmt.Errorf("ticket %s for customer %d: %w", number, p.ID, ErrNotFound)
	}
	return t, t.CustomerID == p.ID, days, nil
}

// PortalTicketDetail is a ticket as its customer sees it.
type PortalTicketDetail struct {
	Ticket   models.TicketRow
	Articles []models.Article
	// Own: the customer's own ticket, which they may answer and close; a
	// colleague's (company view) they only read.
	Own bool
	// ReadableUntil is when a closed ticket leaves the portal.
	ReadableUntil time.Time
}

// PortalTicket returns a ticket with the articles its customer may read.
// Internal notes never leave the desk this way.
func (d *Desk) PortalTicket(ctx context.Context, p Principal, number string) (PortalTicketDetail, error) {
	var out PortalTicketDetail
	t, own, days, err := d.portalTicket(ctx, p, number)
	if err != nil {
		return out, err
	}
	out.Ticket, out.Own = t, own
	if out.Articles, err = models.CustomerArticles(ctx, d.db, t.ID); err != nil {
		return out, err
	}
	if t.ClosedAt != nil {
		out.ReadableUntil = t.ClosedAt.Add(time.Duration(days) * 24 * time.Hour)
	}
	return out, nil
}

// PortalService is a service as the portal offers it.
type PortalService struct {
	ID          int64
	Name        string
	Description string // in the reader's language, or the other one
}

// Urgency is how urgent a customer says their ticket is; the desk makes
// it the ticket's priority.
type Urgency string

const (
	UrgencyLow    Urgency = "low"
	UrgencyNormal Urgency = "normal"
	UrgencyHigh   Urgency = "high"
)

// Urgencies are the urgencies the portal offers, in order.
func Urgencies() []Urgency { return []Urgency{UrgencyLow, UrgencyNormal, UrgencyHigh} }

// urgencyRanks: the priority rank each urgency becomes (of the five OTRS
// priorities, "very high" stays the agents' to give).
var urgencyRanks = map[Urgency]int{UrgencyLow: 2, UrgencyNormal: 3, UrgencyHigh: 4}

// PortalChoices is what the new-ticket form offers a customer.
type PortalChoices struct {
	Services  []PortalService
	Types     []models.TicketType
	Urgencies []Urgency
}

// PortalChoices returns the services the tenant offers in the portal,
// described in lang, and the ticket types.
func (d *Desk) PortalChoices(ctx context.Context, p Principal, lang string) (PortalChoices, error) {
	var out PortalChoices
	if err := mustBeCustomer(p); err != nil {
		return out, err
	}
	ss, err := models.PortalServices(ctx, d.db, p.TenantID)
	if err != nil {
		return out, err
	}
	for _, s := range ss {
		desc := s.PortalDescriptionDE
		if (lang == "en" && s.PortalDescriptionEN != "") || desc == "" {
			desc = s.PortalDescriptionEN
		}
		out.Services = append(out.Services, PortalService{ID: s.ID, Name: s.Name, Description: desc})
	}
	cl, err := d.classes(ctx)
	if err != nil {
		return out, err
	}
	out.Types, out.Urgencies = cl.Types, Urgencies()
	return out, nil
}

// PortalCreateRequest is a customer's new ticket.
type PortalCreateRequest struct {
	RequestKey string
	ServiceID  int64
	TypeID     int64
	Urgency    Urgency
	Title      string
	Body       string
	Files      []Upload
}

// PortalCreate opens a ticket for the customer in the queue of the service
// they chose: a ticket like any other, with channel "portal" and the
// customer's words as its first article.
func (d *Desk) PortalCreate(ctx context.Context, p Principal, req PortalCreateRequest) (ticket.View, error) {
	if err := mustBeCustomer(p); err != nil {
		return ticket.View{}, err
	}
	c, err := models.CustomerByID(ctx, d.db, p.TenantID, p.ID)
	if err != nil {
		return ticket.View{}, err
	}
	fe := FieldErrors{}
	ss, err := models.PortalServices(ctx, d.db, p.TenantID)
	if err != nil {
		return ticket.View{}, err
	}
	if !slices.ContainsFunc(ss, func(s models.Service) bool { return s.ID == req.ServiceID }) {
		fe["service_id"] = ticket.P(ticket.FieldChoose)
	}
	cl, err := d.classes(ctx)
	if err != nil {
		return ticket.View{}, err
	}
	var priority int64
	if rank, ok := urgencyRanks[req.Urgency]; !ok {
		fe["urgency"] = ticket.P(ticket.FieldChoose)
	} else if pr, ok := nearestPriority(cl.Priorities, rank); ok {
		priority = pr.ID
	}
	checkText(fe, "title", req.Title, ticket.Line, ticket.MaxTitleLength)
	checkText(fe, "body", req.Body, ticket.Lines, ticket.MaxArticleLength)
	if req.TypeID == 0 {
		fe["type_id"] = ticket.P(ticket.FieldChoose)
	}
	if len(fe) > 0 {
		return ticket.View{}, fe
	}
	v, err := d.createTicket(ctx, p, CreateTicketRequest{
		RequestKey: req.RequestKey, CustomerLogin: c.Login, Title: req.Title, Body: req.Body,
		ServiceID: req.ServiceID, TypeID: req.TypeID, PriorityID: priority, Files: req.Files,
	}, func(in *ticket.TicketInput) {
		in.Article.Kind = ticket.ArticleCustomer
		in.Ticket.Channel = "portal"
	})
	var cfe FieldErrors
	if errors.As(err, &cfe) {
		// The customer chose a service, not a queue or a priority: what
		// the desk says of those it says of the service or the urgency.
		out := FieldErrors{}
		for k, v := range cfe {
			switch k {
			case "queue_id", "customer":
				out["service_id"] = v
			case "priority_id":
				out["urgency"] = v
			default:
				out[k] = v
			}
		}
		return ticket.View{}, out
	}
	return v, err
}

// nearestPriority is the active priority whose rank is nearest to rank.
func nearestPriority(ps []models.Priority, rank int) (models.Priority, bool) {
	var best models.Priority
	found := false
	for _, p := range ps {
		if !found || abs(p.Rank-rank) < abs(best.Rank-rank) {
			best, found = p, true
		}
	}
	return best, found
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// PortalReplyRequest is a customer's answer on their ticket.
type PortalReplyRequest struct {
	RequestKey string
	Body       string
	Files      []Upload
}

// PortalReply adds the customer's answer to their ticket, as a follow-up
// (a closed ticket inside its follow-up window is reopened; after it a new
// ticket is opened). It returns once the answer is in the database, or
// when the desk's patience runs out waiting for it — the answer is taken
// either way.
func (d *Desk) PortalReply(ctx context.Context, p Principal, number string, req PortalReplyRequest) (FollowUpResult, error) {
	t, own, _, err := d.portalTicket(ctx, p, number)
	if err != nil {
		return FollowUpResult{}, err
	}
	if !own {
		return FollowUpResult{}, ErrForbidden
	}
	fe := FieldErrors{}
	checkKey(fe, "request_key", req.RequestKey)
	if len(fe) > 0 {
		return FollowUpResult{}, fe
	}
	key := ""
	if k := strings.TrimSpace(req.RequestKey); k != "" {
		key = "portal:" + k
	}
	res, err := d.FollowUp(ctx, p, number, FollowUpRequest{Body: req.Body, Key: key, Files: req.Files})
	if err != nil || res.NewTicket || res.Number != t.Number {
		return res, err
	}
	// The follow-up is a signal: wait (bounded) until the ticket's
	// workflow has projected it, so the page shows the answer.
	wctx, cancel := context.WithTimeout(ctx, d.opts.Patience)
	defer cancel()
	for {
		now, err := models.TicketByNumber(wctx, d.db, p.TenantID, number)
		if err == nil && now.LastSeq > t.LastSeq {
			return res, nil
		}
		select {
		case <-wctx.Done():
			return res, nil
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// PortalCloseRequest is a customer's "problem solved".
type PortalCloseRequest struct {
	RequestKey string
}

// PortalClose closes the customer's own ticket as solved ("closed
// successful"), as far as the process allows it in the ticket's state.
func (d *Desk) PortalClose(ctx context.Context, p Principal, number string, req PortalCloseRequest) (ticket.View, error) {
	t, own, _, err := d.portalTicket(ctx, p, number)
	if err != nil {
		return ticket.View{}, err
	}
	if !own {
		return ticket.View{}, ErrForbidden
	}
	fe := FieldErrors{}
	key := strings.TrimSpace(req.RequestKey)
	checkKey(fe, "request_key", key)
	if len(fe) > 0 {
		return ticket.View{}, fe
	}
	if t.MergedInto != "" {
		return ticket.View{}, refused(ticket.RefusedMerged, "Into", t.MergedInto, "Action", string(ticket.ActionClose))
	}
	in := ticket.CloseInput{State: ticket.StateClosedSuccessful}
	return d.update(ctx, number, ticket.ActionClose, withRequest(in, p, key, ticket.ActionClose, nil))
}

// PortalFile returns file n of article seq of a ticket the customer may
// read in the portal (their own, or a colleague's in the company view,
// within the reading window), from an article the customer sees.
func (d *Desk) PortalFile(ctx context.Context, p Principal, number string, seq, n int) (ArticleFile, error) {
	var out ArticleFile
	t, _, _, err := d.portalTicket(ctx, p, number)
	if err != nil {
		return out, err
	}
	out.ArticleFile, out.Data, err = models.ArticleFileData(ctx, d.db, p.TenantID, t.Number, seq, n, true)
	return out, err
}
