// Package models holds kizdesk's database schema as GORM models, the
// migrations that create it, and ctx-first query functions. It is the read
// model: tickets are changed only through their workflows, whose activities
// write here.
package models

import "time"

// Tenant separates the kiz from the historic co-users of the desk: every
// ticket, queue, service, agent and customer belongs to exactly one.
type Tenant struct {
	ID   int64
	Slug string
	Name string
	// Operator marks the tenant that runs the desk (the kiz): its admins
	// also administer tenants, ticket types and priorities.
	Operator  bool
	Active    bool `gorm:"default:true"`
	CreatedAt time.Time
}

// Level is the support level a queue serves and a ticket sits at.
type Level string

const (
	LevelFirst  Level = "1st level"
	LevelSecond Level = "2nd level"
	LevelTeam   Level = "team"
)

// Queue is a work list of agents; the queue structure follows the service
// catalogue.
type Queue struct {
	ID           int64
	TenantID     int64
	Name         string
	Level        Level
	FollowUpDays int `gorm:"default:7"` // a closed ticket takes follow-ups this long
	// FollowUp is what a follow-up to a closed ticket does: FollowUpReopen
	// (within FollowUpDays), FollowUpReject or FollowUpNew.
	FollowUp string `gorm:"default:reopen"`
	// GroupID is the permission group the queue belongs to: roles grant
	// permissions on groups.
	GroupID     *int64
	SignatureID *int64
	Comment     string
	// Email is the address the queue receives mail at; mail to it opens
	// tickets here.
	Email     string
	Active    bool `gorm:"default:true"`
	CreatedAt time.Time
}

// What a follow-up to a closed ticket does, per queue (OTRS's follow-up
// option).
const (
	FollowUpReopen = "reopen"
	FollowUpReject = "reject"
	FollowUpNew    = "new"
)

// Service is an entry of the service catalogue. Names are hierarchical
// ("E-Mail & Kalender::Exchange"). New tickets for a service land in its
// Queue; SecondLevelQueueID is where escalation sends them.
type Service struct {
	ID                 int64
	TenantID           int64
	Name               string
	QueueID            int64
	SecondLevelQueueID *int64
	// Description says in plain words what the service is, for customers.
	Description string
	// PortalDescriptionDE/EN describe the service to customers in the
	// portal, in plain words; a service without one is not offered there.
	PortalDescriptionDE string
	PortalDescriptionEN string
	Active              bool `gorm:"default:true"`
	CreatedAt           time.Time
}

// TicketType classifies a ticket (Incident, Service Request, ...).
type TicketType struct {
	ID     int64
	Name   string
	Active bool `gorm:"default:true"`
}

// Priority is one of the five OTRS priorities; Rank 1 is the lowest.
type Priority struct {
	ID     int64
	Name   string
	Rank   int
	Active bool `gorm:"default:true"`
}

// Agent is a member of staff who works tickets.
type Agent struct {
	ID       int64
	TenantID int64
	Login    string
	Name     string
	Email    string
	Phone    string
	// Source is SourceLocal (the password is checked here) or SourceLDAP
	// (the kiz directory checks it; PasswordHash stays empty).
	Source       string `gorm:"default:local"`
	PasswordHash string
	Active       bool
	// Language is the interface language the agent chose ("de", "en");
	// empty means their browser's.
	Language string
	// TimeZone is the IANA zone the agent reads and types times in
	// ("Europe/Berlin"); empty means the desk's.
	TimeZone  string
	CreatedAt time.Time
}

// Customer is anyone with a kiz account who asks the desk for help.
type Customer struct {
	ID         int64
	TenantID   int64
	Login      string
	Name       string
	Email      string
	Phone      string
	Department string
	CompanyID  *int64
	Source     string `gorm:"default:local"`
	Active     bool   `gorm:"default:true"`
	// Language the customer reads ("de", "en"); "" = not known.
	Language string
	// PasswordHash is a local account's portal password (bcrypt); kiz
	// accounts (SourceLDAP) log in through the directory and keep it empty.
	PasswordHash string `json:"-"`
	// CompanyView lets the customer follow the tickets of every customer
	// of their company in the portal.
	CompanyView bool
	CreatedAt   time.Time
}

// Where an account comes from.
const (
	SourceLocal = "local"
	SourceLDAP  = "ldap"
	// SourceMail: a customer made from an unknown sender's mail.
	SourceMail = "mail"
	// SourceExternal: an unknown sender recorded as external, not as a
	// customer (KIZDESK_MAIL_UNKNOWN_SENDERS=external): kept for the
	// ticket, not offered when looking up customers.
	SourceExternal = "external"
)

// Ticket is the projection of one ticket workflow: its current values.
// LastSeq is the sequence number of the last history entry projected.
type Ticket struct {
	ID         int64
	TenantID   int64
	Number     string
	Title      string
	State      string
	Level      Level
	QueueID    int64
	ServiceID  *int64
	TypeID     int64
	PriorityID int64
	OwnerID    *int64
	CustomerID int64
	Channel    string
	LastSeq    int
	CreatedAt  time.Time
	UpdatedAt  time.Time
	ClosedAt   *time.Time
	// ArchivedAt: retention archived the ticket (hidden from default lists
	// and search); AnonymisedAt: its personal data was removed.
	ArchivedAt   *time.Time
	AnonymisedAt *time.Time

	ResponsibleID *int64
	Locked        bool
	PendingUntil  *time.Time
	// ReminderDue is when a pending reminder is due in working time (the
	// next working moment of the ticket's calendar from PendingUntil), as
	// the workflow's timer fires it.
	ReminderDue *time.Time
	// TimeSpentMinutes is the working time accounted on the ticket.
	TimeSpentMinutes int
	MergedInto       string

	// Where the ticket stands against its SLA; reports read these.
	SLAName               string `gorm:"column:sla_name"`
	FirstResponseDue      *time.Time
	UpdateDue             *time.Time
	SolutionDue           *time.Time
	EscalationDue         *time.Time
	FirstResponseAt       *time.Time
	FirstResponseSeconds  *int64 // working time until the first response
	SolutionSeconds       *int64 // working time until closed
	FirstResponseBreached bool
	UpdateBreached        bool
	SolutionBreached      bool
	EscalatedAt           *time.Time
}

// TicketWatcher is an agent who follows a ticket.
type TicketWatcher struct {
	TicketID int64 `gorm:"primaryKey;autoIncrement:false"`
	AgentID  int64 `gorm:"primaryKey;autoIncrement:false"`
}

// TicketLink links two tickets of a tenant, stored once with the smaller
// number as A.
type TicketLink struct {
	TenantID  int64  `gorm:"primaryKey;autoIncrement:false"`
	ANumber   string `gorm:"primaryKey"`
	BNumber   string `gorm:"primaryKey"`
	CreatedAt time.Time
}

// Notification is an event for a queue or an agent raised by a ticket's
// lifecycle; a notifier delivers it and sets SentAt.
type Notification struct {
	ID        int64
	TenantID  int64
	TicketID  int64
	Seq       int
	Kind      string
	QueueID   *int64
	AgentID   *int64
	CreatedAt time.Time
	SentAt    *time.Time
	// Status is NotifyPending until its mails went out (NotifySent), or
	// NotifyFailed / NotifySkipped with the Reason.
	Status string `gorm:"default:pending"`
	Reason string
}

// What became of a notification.
const (
	NotifyPending = "pending"
	NotifySent    = "sent"
	NotifyFailed  = "failed"
	NotifySkipped = "skipped"
)

// Calendar is a business calendar as an admin keeps it: Week in the form
// calendar.ParseWeek reads, Holidays as dates separated by spaces.
type Calendar struct {
	ID       int64
	TenantID int64
	Name     string
	Location string
	Week     string
	Holidays string
}

// SLA is what a service promises, for one priority or (PriorityID nil)
// for all; minutes of 0 mean no target.
type SLA struct {
	ID                   int64
	TenantID             int64
	Name                 string
	ServiceID            int64
	PriorityID           *int64
	CalendarID           int64
	FirstResponseMinutes int
	UpdateMinutes        int
	SolutionMinutes      int
	EscalateMinutes      int
	WarnPercent          int
	// Active: an inactive SLA promises nothing to new tickets.
	Active bool `gorm:"default:true"`
}

// TableName: GORM would say "sl_as".
func (SLA) TableName() string { return "slas" }

// Article is a message on a ticket: a note, a phone call, an e-mail.
type Article struct {
	ID              int64
	TicketID        int64
	Seq             int
	Kind            string
	CustomerVisible bool
	Author          string
	Subject         string
	Body            string
	CreatedAt       time.Time
	// TimeMinutes: working time the author accounted with the article.
	TimeMinutes int
	// Files are the article's attached files, read with it where needed
	// (LoadArticleFiles); written by the projection.
	Files []ArticleFile `gorm:"-"`
}

// ArticleFile is one file attached to an article; the content is the
// Attachment with its SHA256.
type ArticleFile struct {
	ArticleID   int64  `gorm:"primaryKey;autoIncrement:false"`
	Seq         int    `gorm:"primaryKey;autoIncrement:false"`
	SHA256      string `gorm:"column:sha256"`
	Filename    string
	ContentType string
	Size        int64
}

// HistoryEntry is one append-only line of a ticket's history. Entries of a
// ticket are chained: Hash covers the entry's content and PrevHash, keyed
// with the audit key named by KeyID (see HistoryHash), so any later change
// to a row breaks the chain.
type HistoryEntry struct {
	ID        int64
	TicketID  int64
	Seq       int
	Event     string
	ActorKind string
	ActorID   int64
	ActorName string
	// ActorVia names the integration (e.g. the mail gateway) through which
	// the actor spoke; empty when they acted themselves.
	ActorVia  string
	Field     string
	OldValue  string
	NewValue  string
	ArticleID *int64
	CreatedAt time.Time
	PrevHash  string
	Hash      string
	KeyID     string // the audit key Hash was made with; "" before keyed hashes
}

// TableName keeps the table name singular-free and obvious.
func (HistoryEntry) TableName() string { return "ticket_history" }

// TicketRequest remembers which ticket a create request made, so a retried
// or double-submitted create finds the ticket instead of making another.
type TicketRequest struct {
	TenantID     int64
	RequestKey   string
	TicketNumber string
	// Fingerprint is a hash of what was asked for: the same key with
	// other content is refused.
	Fingerprint string
	CreatedAt   time.Time
}

// APIToken authenticates an API client as an agent. Only the SHA-256 of the
// token is stored.
type APIToken struct {
	ID      int64
	AgentID int64
	Name    string
	// Integration, if set, names the integration (mail gateway,
	// monitoring) the token speaks as; otherwise it speaks as its agent.
	Integration string
	TokenHash   string
	CreatedAt   time.Time
	LastUsedAt  *time.Time
}
