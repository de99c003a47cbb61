// Package web is kizdesk's HTTP face: the agent interface as server-rendered
// HTML that works without JavaScript, and the JSON API under /api/v1. Both
// are thin skins over the same Desk methods; web holds no business rules.
package web

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/gorilla/sessions"
	"go.temporal.io/sdk/converter"

	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/i18n"
	"github.com/kiz-ulm/kizdesk/models"
	"github.com/kiz-ulm/kizdesk/ticket"
)

// Desk is what the web needs from the service desk. It is declared here,
// where it is used, so the handlers can be tested against a fake and the
// desk package need not know about HTTP.
type Desk interface {
	// QueueView lists a queue in the agent's order and filters, paged.
	QueueView(ctx context.Context, p desk.Principal, queueID int64, req desk.QueueViewRequest) (desk.QueueViewPage, error)
	// SetQueueColumns stores the columns the agent wants in queue views.
	SetQueueColumns(ctx context.Context, p desk.Principal, cols []string) error
	// Split makes an article a ticket of its own, linked.
	Split(ctx context.Context, p desk.Principal, number string, req desk.SplitRequest) (ticket.View, error)
	// Bulk does one action on several tickets, each reported.
	Bulk(ctx context.Context, p desk.Principal, req desk.BulkRequest) ([]desk.BulkResult, error)
	// The Outbox (admins) and the notification preferences (agents).
	Outbox(ctx context.Context, p desk.Principal, req desk.OutboxRequest) (desk.OutboxPage, error)
	OutboxMail(ctx context.Context, p desk.Principal, id int64) (models.MailMessage, error)
	NotifyPrefs(ctx context.Context, p desk.Principal) ([]desk.NotifyPref, error)
	SetNotifyPrefs(ctx context.Context, p desk.Principal, on []string) error
	Login(ctx context.Context, req desk.LoginRequest) (desk.Session, error)
	SessionAgent(ctx context.Context, token string) (models.Agent, error)
	Logout(ctx context.Context, token string) error
	SaveFormState(ctx context.Context, token, key string, data []byte) error
	TakeFormState(ctx context.Context, token, key string) ([]byte, error)
	PrincipalByToken(ctx context.Context, token string) (desk.Principal, error)
	WithAccess(ctx context.Context, p desk.Principal) (desk.Principal, error)
	CheckTicket(ctx context.Context, p desk.Principal, number string) error
	QueueOverview(ctx context.Context, a desk.Principal) ([]models.QueueCount, error)
	QueueTickets(ctx context.Context, a desk.Principal, queueID int64) (models.Queue, []models.TicketRow, error)
	Ticket(ctx context.Context, a desk.Principal, number string) (desk.TicketDetail, error)
	FormChoices(ctx context.Context, a desk.Principal) (desk.FormChoices, error)
	CreateTicket(ctx context.Context, a desk.Principal, req desk.CreateTicketRequest) (ticket.View, error)
	AddNote(ctx context.Context, a desk.Principal, number string, req desk.AddNoteRequest) (ticket.View, error)
	Close(ctx context.Context, a desk.Principal, number string, req desk.CloseRequest) (ticket.View, error)
	Reply(ctx context.Context, a desk.Principal, number string, req desk.ReplyRequest) (ticket.View, error)
	Assign(ctx context.Context, a desk.Principal, number string, req desk.AssignRequest) (ticket.View, error)
	Lock(ctx context.Context, a desk.Principal, number string, req desk.LockRequest) (ticket.View, error)
	Watch(ctx context.Context, a desk.Principal, number string, req desk.WatchRequest) (ticket.View, error)
	Move(ctx context.Context, a desk.Principal, number string, req desk.MoveRequest) (ticket.View, error)
	Classify(ctx context.Context, a desk.Principal, number string, req desk.ClassifyRequest) (ticket.View, error)
	Escalate(ctx context.Context, a desk.Principal, number string, req desk.EscalateRequest) (ticket.View, error)
	HandBack(ctx context.Context, a desk.Principal, number string, req desk.HandBackRequest) (ticket.View, error)
	SetPending(ctx context.Context, a desk.Principal, number string, req desk.PendingRequest) (ticket.View, error)
	Reopen(ctx context.Context, a desk.Principal, number string, req desk.ReopenRequest) (ticket.View, error)
	Merge(ctx context.Context, a desk.Principal, number string, req desk.MergeRequest) (ticket.View, error)
	Link(ctx context.Context, a desk.Principal, number string, req desk.LinkRequest) (ticket.View, error)
	AddTime(ctx context.Context, a desk.Principal, number string, req desk.TimeRequest) (ticket.View, error)
	FollowUp(ctx context.Context, a desk.Principal, number string, req desk.FollowUpRequest) (desk.FollowUpResult, error)
	RemindersReached(ctx context.Context, a desk.Principal) ([]models.TicketRow, error)
	CountRemindersReached(ctx context.Context, a desk.Principal) (int, error)
	SetLanguage(ctx context.Context, a desk.Principal, lang string) error
	// SetTimeZone stores the IANA zone an agent reads and types times in
	// ("" = the desk's).
	SetTimeZone(ctx context.Context, a desk.Principal, zone string) error
	FindCustomers(ctx context.Context, a desk.Principal, query string, page int) (desk.CustomerPage, error)
	IngestMail(ctx context.Context, a desk.Principal, req desk.MailRequest) (desk.MailResult, error)
	Attachment(ctx context.Context, a desk.Principal, number string, mailID int64, seq int) (desk.AttachmentFile, error)
	File(ctx context.Context, p desk.Principal, number string, seq, n int) (desk.ArticleFile, error)
	// The standard responses and signature the zoom's forms offer.
	WritingAids(ctx context.Context, a desk.Principal, number, lang string) (desk.Writing, error)

	// The admin interface (admin_*.go) and API tokens (token_*.go).
	AdminKinds(ctx context.Context, a desk.Principal) ([]desk.AdminKind, error)
	AdminList(ctx context.Context, a desk.Principal, kind, search string) ([]desk.AdminRow, int, error)
	AdminObject(ctx context.Context, a desk.Principal, kind string, id int64) (desk.AdminValues, error)
	AdminChoices(ctx context.Context, a desk.Principal, kind string) (desk.AdminChoices, error)
	AdminSave(ctx context.Context, a desk.Principal, kind string, id int64, v desk.AdminValues) (int64, error)
	AdminAudit(ctx context.Context, a desk.Principal, before int64) ([]desk.AuditEntry, int64, error)
	LDAPMappings(ctx context.Context, a desk.Principal) ([]desk.LDAPMapping, error)
	AddLDAPMapping(ctx context.Context, a desk.Principal, group string, roleID int64) error
	RemoveLDAPMapping(ctx context.Context, a desk.Principal, group string, roleID int64) error
	AgentTokens(ctx context.Context, a desk.Principal, agentID int64) ([]models.APIToken, error)
	CreateToken(ctx context.Context, a desk.Principal, agentID int64, name string) (string, error)
	RevokeToken(ctx context.Context, a desk.Principal, agentID, tokenID int64) error

	// Search (search_*.go).
	Search(ctx context.Context, a desk.Principal, req desk.SearchRequest) (desk.SearchResult, error)
	SaveSearch(ctx context.Context, a desk.Principal, name, query string) error
	DeleteSavedSearch(ctx context.Context, a desk.Principal, id int64) error
	// The agent's dashboard (dashboard*.go).
	Dashboard(ctx context.Context, a desk.Principal) (desk.Dashboard, error)
	DashboardList(ctx context.Context, a desk.Principal, widget string) (desk.DashboardList, error)
	// The knowledge base (faq_*.go) and its rights (admin_faq_rights*.go).
	faqDesk
	// Reports and scheduled reports (report_*.go, api_report_*.go).
	Report(ctx context.Context, a desk.Principal, req desk.ReportRequest) (desk.Report, error)
	ReportSchedules(ctx context.Context, a desk.Principal) ([]models.ReportSchedule, []models.Agent, error)
	SaveReportSchedule(ctx context.Context, a desk.Principal, req desk.ReportScheduleRequest) (int64, error)
	DeleteReportSchedule(ctx context.Context, a desk.Principal, id int64) error
	faqAdminDesk

	// The customer portal (portal_*.go).
	PortalLogin(ctx context.Context, req desk.LoginRequest) (desk.PortalSession, error)
	SessionCustomer(ctx context.Context, token string) (models.Customer, error)
	PortalLogout(ctx context.Context, token string) error
	PortalTickets(ctx context.Context, c desk.Principal) (desk.PortalList, error)
	PortalTicket(ctx context.Context, c desk.Principal, number string) (desk.PortalTicketDetail, error)
	PortalChoices(ctx context.Context, c desk.Principal, lang string) (desk.PortalChoices, error)
	PortalCreate(ctx context.Context, c desk.Principal, req desk.PortalCreateRequest) (ticket.View, error)
	PortalReply(ctx context.Context, c desk.Principal, number string, req desk.PortalReplyRequest) (desk.FollowUpResult, error)
	PortalClose(ctx context.Context, c desk.Principal, number string, req desk.PortalCloseRequest) (ticket.View, error)
	RequestPasswordReset(ctx context.Context, login, client string) error
	CheckPasswordReset(ctx context.Context, token string) error
	ResetPassword(ctx context.Context, token, password string) error
	PortalFile(ctx context.Context, c desk.Principal, number string, seq, n int) (desk.ArticleFile, error)
	SuggestFAQ(ctx context.Context, p desk.Principal, text string, lang string) ([]desk.FAQSuggestion, error)
	RecordDeflection(ctx context.Context, p desk.Principal, faqID int64, text string) error

	// Retention and erasure requests (admin_retention*.go, admin_erasure*.go).
	retentionDesk
}

// Options configure the web handler.
type Options struct {
	// SessionKey is 32 or 64 random bytes. 32 bytes sign the session
	// cookie; with 64 the first half signs and the second half encrypts it.
	SessionKey []byte
	// SecureCookies sets the Secure flag; true whenever served over HTTPS.
	SecureCookies bool
	Log           *slog.Logger
	// TemporalUIURL, if set, makes the ticket zoom link to the ticket's
	// workflow in the Temporal UI.
	TemporalUIURL string
	// Namespace is the Temporal namespace of the ticket workflows.
	Namespace string
	// Location is the desk's time zone, in which pages show times;
	// nil means UTC.
	Location *time.Location
	// Codec, if set, serves POST /codec/encode and /codec/decode for the
	// Temporal UI and CLI (codec.go); nil answers 404 there.
	Codec converter.PayloadCodec
	// CodecOrigins are the browser origins (scheme://host:port of the
	// Temporal UI) that may call the codec endpoint with credentials.
	CodecOrigins []string
	// TrustedProxies are the addresses or networks (CIDR) of reverse
	// proxies whose X-Forwarded-For names the client: the address the
	// login throttle counts by. None: the peer is the client.
	TrustedProxies []string
	// Ready answers GET /readyz: nil is ready (200), an error is a short
	// reason for the 503 — it is shown to anyone, so no secrets. Nil
	// Ready is always ready.
	Ready func(context.Context) error
}

// server holds what every handler needs; handlers are its methods.
type server struct {
	desk        Desk
	catalog     *i18n.Catalog
	log         *slog.Logger
	store       *sessions.CookieStore
	pages       map[string]*template.Template
	temporalURL string
	namespace   string
	// loc is the desk's time zone: pages show times in it, and times
	// agents type into forms are read in it, unless the agent chose their
	// own (zones caches those by name; see zone).
	loc   *time.Location
	zones sync.Map
	// codec and codecHandler serve the codec endpoint to the origins in
	// codecOrigins (codec.go).
	codec        converter.PayloadCodec
	codecHandler http.Handler
	codecOrigins map[string]bool
	ready        func(context.Context) error
}

// New returns the handler serving the agent interface and the API. Templates
// are parsed here, once, so a broken template stops the start instead of
// failing one request later.
func New(d Desk, opts Options) (http.Handler, error) {
	if d == nil {
		return nil, errors.New("web: no desk")
	}
	var keys [][]byte
	switch len(opts.SessionKey) {
	case 32:
		keys = [][]byte{opts.SessionKey}
	case 64:
		keys = [][]byte{opts.SessionKey[:32], opts.SessionKey[32:]}
	default:
		return nil, fmt.Errorf("web: session key has %d bytes, want 32 or 64", len(opts.SessionKey))
	}
	if opts.Log == nil {
		opts.Log = slog.Default()
	}
	if opts.Namespace == "" {
		opts.Namespace = "default"
	}
	if opts.Location == nil {
		opts.Location = time.UTC
	}
	pages, err := parsePages()
	if err != nil {
		return nil, err
	}
	catalog, err := i18n.New()
	if err != nil {
		return nil, err
	}
	origins, err := codecOriginSet(opts.CodecOrigins)
	if err != nil {
		return nil, err
	}
	s := &server{
		desk:         d,
		catalog:      catalog,
		log:          opts.Log,
		store:        newCookieStore(keys, opts.SecureCookies),
		pages:        pages,
		temporalURL:  strings.TrimRight(opts.TemporalUIURL, "/"),
		namespace:    opts.Namespace,
		loc:          opts.Location,
		codec:        opts.Codec,
		codecOrigins: origins,
		ready:        opts.Ready,
	}
	if opts.Codec != nil {
		s.codecHandler = converter.NewPayloadCodecHTTPHandler(opts.Codec)
	}

	// Release mode keeps gin from printing its debug banner and routes to
	// stdout; gin only offers this as a process-wide switch.
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	// Without trusted proxies ClientIP is the peer address, so a client
	// cannot put a made-up address into the logs or the login throttle
	// via X-Forwarded-For; behind a proxy, only the proxy may say who
	// the client is.
	if err := r.SetTrustedProxies(opts.TrustedProxies); err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	s.routes(r)
	return r, nil
}
