package ticket

import (
	"time"

	"github.com/kiz-ulm/kizdesk/calendar"
)

// Every name and payload a caller of the ticket workflow needs is here, next
// to each other. Payloads are plain structs, never database models, so a
// schema change cannot break the history of a running ticket.

// TaskQueue is where ticket workflows and their activities run.
const TaskQueue = "kizdesk-tickets"

// WorkflowID is the ID of the workflow that carries ticket number: one
// ticket, one workflow, so a repeated start cannot make a second ticket.
func WorkflowID(number string) string { return "ticket-" + number }

// ActivityProject is the local activity that writes a ticket's changes
// into the database: ProjectTicketInput in, ProjectTicketResult out. The
// workflow calls it by name, so the deterministic core links no database
// code.
const ActivityProject = "ProjectTicket"

// View is a ticket's live state: what the query returns and every
// update answers with.
type View struct {
	Number          string
	TenantID        int64
	Title           string
	State           State
	Level           Level
	QueueID         int64
	QueueName       string
	ServiceID       int64 // 0: no service
	ServiceName     string
	TypeID          int64
	TypeName        string
	PriorityID      int64
	PriorityName    string
	OwnerID         int64 // 0: nobody owns it
	OwnerName       string
	ResponsibleID   int64 // 0: nobody is responsible
	ResponsibleName string
	Locked          bool // only the owner may change the ticket
	Watchers        []AgentRef
	CustomerID      int64
	Channel         string
	FollowUpWindow  time.Duration // of the ticket's queue; 0: DefaultFollowUpWindow
	CreatedAt       time.Time
	UpdatedAt       time.Time
	ClosedAt        time.Time // zero while not closed
	PendingUntil    time.Time // zero unless pending
	ReminderReached bool      // a pending reminder is due and the owner was told
	FollowUpUntil   time.Time // while closed: follow-ups reopen the ticket until then
	MergedInto      string    // the ticket this one was merged into
	Links           []string  // numbers of linked tickets
	Terms           Terms     // the SLA the ticket is worked under
	SLA             SLAStatus
	Seq             int    // the last history entry; the database has it when the update returns
	ChainHead       string // hash of history entry Seq as the projection wrote it
	TimeSpent       int    // minutes accounted, all told
}

// QueueRef names a queue as a ticket needs it.
type QueueRef struct {
	ID             int64
	Name           string
	Level          Level
	FollowUpWindow time.Duration // 0: DefaultFollowUpWindow
}

// AgentRef names an agent; ID 0 means nobody.
type AgentRef struct {
	ID   int64
	Name string
}

// Ref names a catalogue entry (service, type, priority).
type Ref struct {
	ID   int64
	Name string
}

// Terms are what a ticket's service and priority promise. The desk reads
// them from the service's SLA when a ticket is created or reclassified.
// Durations are working time on Calendar; zero means no target.
type Terms struct {
	SLA           string // the SLA's name; "" when the service has none
	Calendar      calendar.Calendar
	FirstResponse time.Duration
	Update        time.Duration
	Solution      time.Duration
	WarnPercent   int           // warn when this share of a target is used; 0: no warning
	EscalateAfter time.Duration // at 1st level longer than this: escalate; 0: never
	SecondLevel   QueueRef      // where escalation sends the ticket; ID 0: nowhere
	FirstLevel    QueueRef      // where handing back sends it
}

// SLAStatus is where a ticket stands against its SLA: due times of the
// running clocks (zero when a clock is met, paused or has no target) and
// what reports need afterwards.
type SLAStatus struct {
	FirstResponseDue      time.Time
	UpdateDue             time.Time
	SolutionDue           time.Time
	EscalationDue         time.Time
	FirstResponseAt       time.Time
	FirstResponseTime     time.Duration // working time until the first response
	SolutionTime          time.Duration // working time until closed
	FirstResponseBreached bool
	UpdateBreached        bool
	SolutionBreached      bool
	EscalatedAt           time.Time
}

// TicketInput starts a ticket workflow: the new ticket's values, who opened
// it, its first article and its terms. A workflow that continued as new
// gets Resume instead.
type TicketInput struct {
	Ticket  View
	Actor   Actor
	Article ArticleInput
	Terms   Terms
	LinkTo  string // a ticket this one follows up (a customer wrote after its window)
	Resume  *Carry
	// OpenedAt is when the desk accepted the request: the ticket's creation
	// time, from which its SLA clocks run. The desk starts the workflow
	// with the search attributes the ticket has at that moment, so its
	// first change need not write them again. Zero: the time of the
	// workflow's first task.
	OpenedAt time.Time `json:",omitzero"`
	// Process is the version of the ticket process the ticket was started
	// under (workflows.Process): it has every change up to that version
	// from its start, without asking for them with version markers.
	Process int `json:",omitzero"`
}

// Carry is everything a ticket's workflow hands to its next run when it
// continues as new.
type Carry struct {
	View   View
	Clocks Clocks
	Seen   []string // keys of follow-ups already taken
	Timed  bool     // the run keeps SLA clocks and due times (process v2 on)
	// Requests are the request keys of recent actions with their
	// fingerprints: a key sent again after continue-as-new is still
	// recognised.
	Requests []Request `json:",omitempty"`
	// Process: the ticket's process version (TicketInput.Process).
	Process int `json:",omitzero"`
}

// ArticleInput is the text of an article, the files attached to it and
// the working time its author spent on it.
type ArticleInput struct {
	Kind    ArticleKind
	Subject string
	Body    string
	Files   []File `json:",omitempty"`
	Minutes int    `json:",omitzero"`
}

// File names an attached file whose content the desk stored before it
// asked the workflow (content-addressed by SHA256): payloads carry the
// name, never the bytes.
type File struct {
	SHA256 string
	Name   string
	Type   string // the media type the sender gave
	Size   int64
}

// UpdateCreate answers once the new ticket is in the database. It is sent
// together with the start (update-with-start) under one update ID, so a
// retried create waits for, and returns, the same ticket.
const UpdateCreate = "create"

// CreateInput is the (empty) argument of UpdateCreate.
type CreateInput struct{}

// The actions, each an Update of that name. Every update answers with the
// ticket's View once the change is in the database, or is rejected
// by its validator with a message and changes nothing.
const (
	ActionNote     Action = "add-note"    // AddNoteInput
	ActionReply    Action = "reply"       // ReplyInput
	ActionAssign   Action = "assign"      // AssignInput
	ActionLock     Action = "lock"        // LockInput
	ActionWatch    Action = "watch"       // WatchInput
	ActionMove     Action = "move"        // MoveInput
	ActionClassify Action = "classify"    // ClassifyInput
	ActionEscalate Action = "escalate"    // EscalateInput
	ActionHandBack Action = "hand-back"   // HandBackInput
	ActionPending  Action = "set-pending" // PendingInput
	ActionClose    Action = "close"       // CloseInput
	ActionReopen   Action = "reopen"      // ReopenInput
	ActionMerge    Action = "merge"       // MergeInput
	ActionLink     Action = "link"        // LinkInput
	ActionTime     Action = "add-time"    // TimeInput
	// ActionEndFollowUp ends a closed ticket's follow-up window now, so
	// its workflow completes: what retention asks before it archives or
	// anonymises a ticket earlier than the window would end. Only the
	// system sends it.
	ActionEndFollowUp Action = "end-follow-up" // EndFollowUpInput
)

// Request is what every action's input carries besides its own fields:
// who acts, and for idempotency the caller's request key with a
// fingerprint of what was asked. The same key with the same content is
// one change however often it is sent; the same key with other content
// is refused. It is embedded, so the inputs' JSON keeps "Actor" where
// histories recorded before have it.
type Request struct {
	Actor Actor
	Key   string `json:",omitempty"`
	Print string `json:",omitempty"`
	// Grant is set for agents: their permissions on the ticket's queue.
	// Requests recorded before permissions existed have none.
	Grant *Grant `json:",omitempty"`
}

// Req returns the request part of an action's input.
func (r Request) Req() Request { return r }

// Input is what every action's input is.
type Input interface{ Req() Request }

// AddNoteInput adds an internal note or a phone note.
type AddNoteInput struct {
	Request
	Article ArticleInput
	Next    NextState `json:",omitempty"`
}

// NextState is what an article may set the ticket to right after it, as
// OTRS's note and reply forms offer: a pending state with its due time, or
// a closed state. The zero value leaves the state as it is.
type NextState struct {
	State State
	Until time.Time // pending states only
}

// ReplyInput answers the customer; the article is customer-visible.
type ReplyInput struct {
	Request
	Subject string
	Body    string
	Next    NextState `json:",omitempty"`
	Files   []File    `json:",omitempty"`
	Minutes int       `json:",omitzero"` // working time spent on the answer
}

// AssignInput sets owner and responsible; ID 0 means nobody.
type AssignInput struct {
	Request
	Owner       AgentRef
	Responsible AgentRef
}

// LockInput locks (the actor becomes owner if nobody is) or unlocks.
type LockInput struct {
	Request
	Locked bool
}

// WatchInput adds or removes a watcher.
type WatchInput struct {
	Request
	Agent AgentRef
	Watch bool
}

// MoveInput moves the ticket to another queue; its level follows the queue.
type MoveInput struct {
	Request
	Queue QueueRef
}

// ClassifyInput sets service, type and priority, and the terms they bring.
type ClassifyInput struct {
	Request
	Service  Ref
	Type     Ref
	Priority Ref
	Terms    Terms
}

// EscalateInput sends the ticket to a 2nd-level or team queue.
type EscalateInput struct {
	Request
	Queue QueueRef
	Note  string // optional internal note saying why
}

// HandBackInput sends an escalated ticket back to its 1st-level queue.
type HandBackInput struct {
	Request
	Note string
}

// PendingInput sets a pending state with its due time.
type PendingInput struct {
	Request
	State State // one of PendingStates
	Until time.Time
	Note  string
}

// CloseInput closes a ticket, optionally with a closing note.
type CloseInput struct {
	Request
	State State  // StateClosedSuccessful or StateClosedUnsuccessful
	Note  string // optional internal note saying why
}

// ReopenInput reopens a closed ticket.
type ReopenInput struct {
	Request
	Note string
}

// MergeInput merges the ticket into another one of the same tenant.
type MergeInput struct {
	Request
	Into string
}

// TimeInput accounts working time spent on the ticket (OTRS's time
// accounting), with an optional internal note saying on what.
type TimeInput struct {
	Request
	Minutes int
	Note    string `json:",omitempty"`
}

// EndFollowUpInput ends the follow-up window; Reason is said in history.
type EndFollowUpInput struct {
	Request
	Reason string
}

// LinkInput links the ticket with another one.
type LinkInput struct {
	Request
	Other string
}

// SignalFollowUp brings a customer's follow-up (portal or mail) to the
// ticket: a pending ticket returns to open, a closed one is reopened.
// After the follow-up window the workflow is gone; the sender then makes a
// new ticket linked to this one.
const SignalFollowUp = "follow-up"

// FollowUpInput is the argument of SignalFollowUp. Key identifies the
// message (e.g. its Message-ID): a follow-up sent twice is taken once.
type FollowUpInput struct {
	Actor   Actor
	Article ArticleInput
	Key     string
}

// SignalMergedIn tells a ticket that another one was merged into it.
const SignalMergedIn = "merged-in"

// MergedInInput is the argument of SignalMergedIn.
type MergedInInput struct {
	Actor Actor
	From  string
}

// QueryTicket returns the ticket's live View.
const QueryTicket = "ticket"
