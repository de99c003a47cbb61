package ticket

import "time"

// What the workflow hands the projection activity: the ticket's values
// and the history entries that led to them.

// Snapshot is a ticket's current values as the workflow knows them.
// IDs of zero mean "none" for ServiceID and OwnerID.
type Snapshot struct {
	Number     string
	TenantID   int64
	Title      string
	State      string
	Level      string
	QueueID    int64
	ServiceID  int64
	TypeID     int64
	PriorityID int64
	OwnerID    int64
	CustomerID int64
	Channel    string
	CreatedAt  time.Time
	UpdatedAt  time.Time
	ClosedAt   time.Time // zero while not closed

	ResponsibleID int64
	Locked        bool
	PendingUntil  time.Time
	ReminderDue   time.Time // a pending reminder's due time in working time
	TimeSpent     int       // minutes accounted
	MergedInto    string
	Watchers      []int64  // agent IDs
	Links         []string // numbers of linked tickets
	SLA           SLASnapshot
}

// SLASnapshot is where a ticket stands against its SLA. Zero times mean
// "none".
type SLASnapshot struct {
	Name                  string
	FirstResponseDue      time.Time
	UpdateDue             time.Time
	SolutionDue           time.Time
	EscalationDue         time.Time
	FirstResponseAt       time.Time
	FirstResponseTime     time.Duration
	SolutionTime          time.Duration
	FirstResponseBreached bool
	UpdateBreached        bool
	SolutionBreached      bool
	EscalatedAt           time.Time
}

// Notification asks to tell an agent (AgentID) or, without one, a queue
// about a history entry.
type Notification struct {
	Kind    string
	QueueID int64
	AgentID int64
	// WorkingHours: the mail waits for the working time of the ticket's
	// calendar (the process says which kinds do).
	WorkingHours bool
}

// Article is the text of an article added with a history entry.
type Article struct {
	Kind            string
	CustomerVisible bool
	Subject         string
	Body            string
	Files           []File `json:",omitempty"`
	Minutes         int    `json:",omitzero"`
}

// HistoryEvent is one history entry. Seq numbers a ticket's entries from 1
// without gaps; it is what makes projecting idempotent.
type HistoryEvent struct {
	Seq     int
	At      time.Time
	Event   string
	Actor   Actor
	Field   string
	Old     string
	New     string
	Article *Article
	Notify  *Notification
}

// ProjectTicketInput carries a ticket's new values and the history entries
// that led to them.
type ProjectTicketInput struct {
	Ticket Snapshot
	Events []HistoryEvent
}

// ErrProjectionRejected is the type of the error ActivityProject returns
// when the database refuses the change for good (bad data, a broken
// constraint): retrying would not help. Every other failure (the database
// is away, a deadlock, a timeout) is retried without end.
const ErrProjectionRejected = "ProjectionRejected"

// ProjectTicketResult tells what the database holds after projecting.
type ProjectTicketResult struct {
	TicketID int64
	LastSeq  int
	// Head is the keyed hash of the ticket's last history entry. The
	// workflow keeps it, so Temporal's history anchors the chain outside
	// the database: kizdesk audit verify compares the two.
	Head string
}
