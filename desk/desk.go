// Package desk is what agents (and later customers) can do on the service
// desk, as plain Go methods. The HTML pages and the JSON API are two skins
// over these same methods. Reads come from the database; every change goes
// to the ticket's workflow as a Temporal Update and returns once the change
// is in the database.
package desk

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"go.temporal.io/sdk/client"
	"gorm.io/gorm"

	"github.com/kiz-ulm/kizdesk/mailin"
	"github.com/kiz-ulm/kizdesk/models"
	"github.com/kiz-ulm/kizdesk/outbox"
	"github.com/kiz-ulm/kizdesk/ticket"
)

// Options configure a Desk.
type Options struct {
	// Location is the desk's time zone: ticket numbers carry its date.
	Location *time.Location
	// SystemID is the two-digit system ID inside ticket numbers (OTRS's
	// SystemID), so numbers of several installations never collide.
	SystemID string
	// Patience bounds how long an agent's action waits for the ticket's
	// workflow; default DefaultPatience. It only runs out when no worker
	// is running.
	Patience time.Duration
	// LoginThrottle bounds failed logins; zero: DefaultLoginThrottle.
	LoginThrottle LoginThrottle
	// SessionLifetime is how long a web session lasts at most; default
	// 12 hours, a working day.
	SessionLifetime time.Duration
	// Now is the clock of logins and sessions; nil: time.Now. Tests set
	// it to let a throttle's window pass.
	Now func() time.Time
	// Directory, if set, is the kiz directory (LDAP): agents from it log
	// in with their kiz account, and customers are found in it.
	Directory Directory
	// DirectoryTenant is the slug of the tenant the directory's agents
	// belong to; default "kiz".
	DirectoryTenant string
	// Mail is how incoming mail is read: the ticket tag's prefix, the
	// desk's own addresses and loop header, the size limit.
	Mail mailin.Options
	// MailOut is how the desk's automatic answers look and leave; nil: the
	// desk sends none.
	MailOut *outbox.Config
	// MailExternalSenders: an unknown sender of mail is recorded as
	// external (kept for the ticket, not offered as a customer) instead
	// of becoming a customer.
	MailExternalSenders bool
	// MailCaptured: mail going out is kept, not sent (kizdesk dev); the
	// Outbox page says so.
	MailCaptured bool
}

// Desk runs the desk's operations on a database and a Temporal client.
type Desk struct {
	db   *gorm.DB
	tc   client.Client
	opts Options
}

// DefaultPatience is how long an action waits for its ticket's workflow
// unless Options say otherwise; the web server's write timeout allows it.
const DefaultPatience = 30 * time.Second

// New returns a Desk.
func New(db *gorm.DB, tc client.Client, opts Options) *Desk {
	if opts.Location == nil {
		opts.Location = time.UTC
	}
	if opts.SystemID == "" {
		opts.SystemID = "10"
	}
	if opts.Patience == 0 {
		opts.Patience = DefaultPatience
	}
	if opts.LoginThrottle == (LoginThrottle{}) {
		opts.LoginThrottle = DefaultLoginThrottle
	}
	if opts.SessionLifetime == 0 {
		opts.SessionLifetime = 12 * time.Hour
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.DirectoryTenant == "" {
		opts.DirectoryTenant = "kiz"
	}
	return &Desk{db: db, tc: tc, opts: opts}
}

func (d *Desk) now() time.Time { return d.opts.Now() }

// ErrNotFound: the ticket, queue or other thing asked for does not exist
// (or not for this agent's tenant).
var ErrNotFound = models.ErrNotFound

// ErrBadLogin: unknown login or wrong password. Deliberately one error for
// both, so the login page does not reveal which logins exist.
var ErrBadLogin = errors.New("wrong login or password")

// FieldErrors are problems with the input, by field name. The page shows
// each next to its field in the reader's language; the API returns them as
// codes with English texts.
type FieldErrors map[string]ticket.Problem

func (f FieldErrors) Error() string {
	keys := make([]string, 0, len(f))
	for k := range f {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + ": " + f[k].Error()
	}
	return "invalid input: " + strings.Join(parts, "; ")
}

// ErrUnavailable: the ticket's workflow did not answer within the desk's
// patience, which happens when no worker runs. The change may still be
// carried out once one does.
var ErrUnavailable = errors.New("the ticket's process did not answer in time")

// RejectedError: the ticket's process does not allow the action now (for
// example adding a note to a closed ticket). The refusal is final: the same
// request will be refused again until the ticket changes.
type RejectedError struct{ Problem ticket.Problem }

func (e *RejectedError) Error() string { return "refused: " + e.Problem.Error() }

func refused(code ticket.Code, nameValues ...string) error {
	return &RejectedError{Problem: ticket.P(code, nameValues...)}
}

// TicketDetail is everything the ticket zoom shows.
type TicketDetail struct {
	Ticket   models.TicketRow
	Articles []models.Article
	History  []models.HistoryEntry
	Watchers []models.Agent
	Linked   []models.TicketRow
	// Merged are the tickets merged into this one, each with its articles:
	// they stay readable here.
	Merged        []MergedTicket
	Notifications []models.Notification
	// Attachments are the files the ticket's mails brought.
	Attachments []models.MailAttachment
	// Mails are the mails that went (or go) out to the customer: answers
	// and automatic answers, each with where its delivery stands.
	Mails []models.MailMessage
	// Customer is the ticket's customer with their contact data, and
	// CustomerTickets their other open tickets the agent may read.
	Customer        models.Customer
	CustomerTickets []models.TicketRow
	// SLA is where the ticket stands against its next SLA target now (as
	// the dashboard tells it); nil when no clock runs or is breached and
	// the ticket does not wait.
	SLA *SLAStatus
}

// MergedTicket is a ticket merged into another one, with its articles.
type MergedTicket struct {
	Ticket   models.TicketRow
	Articles []models.Article
}

// FormChoices are the values the new-ticket form and the ticket's action
// forms offer.
type FormChoices struct {
	Agents   []models.Agent
	Services []models.Service
	// Queues are those the agent may open tickets in (create), Targets
	// those it may move tickets into (move_into).
	Queues     []models.Queue
	Targets    []models.Queue
	Types      []models.TicketType
	Priorities []models.Priority
}

// CreateTicketRequest is a new ticket as an agent enters it, e.g. after a
// phone call. RequestKey makes the request idempotent: the same key always
// yields the same ticket. ServiceID or QueueID (or both) must be set: the
// service's queue is used when QueueID is zero.
type CreateTicketRequest struct {
	RequestKey    string
	CustomerLogin string
	Title         string
	Body          string
	ServiceID     int64
	QueueID       int64
	TypeID        int64
	PriorityID    int64
	Files         []Upload
	Minutes       int // working time spent on the call
}

// AddNoteRequest is an article an agent adds: Kind is "internal note" or
// "phone note". A RequestKey sent twice adds the note once (a double click).
type AddNoteRequest struct {
	RequestKey string
	Kind       string
	Body       string
	// NextState, if set, is the state the ticket moves to right after the
	// note: a pending state (with NextUntil) or a closed state.
	NextState string
	NextUntil time.Time
	Files     []Upload
	Minutes   int // working time spent on it
}

// CloseRequest closes a ticket: State is "closed successful" or "closed
// unsuccessful"; Note is an optional internal note saying why. A
// RequestKey sent twice closes once and answers both alike.
type CloseRequest struct {
	RequestKey string
	State      string
	Note       string
}

func stateStrings(states []ticket.State) []string {
	out := make([]string, len(states))
	for i, s := range states {
		out[i] = string(s)
	}
	return out
}

func wrapf(err error, format string, args ...any) error {
	if err == nil {
		return nil // a nil wrapped would be an error about nothing
	}
	return fmt.Errorf(format+": %w", append(args, err)...)
}
