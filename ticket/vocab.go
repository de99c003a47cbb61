package ticket

import (
	"slices"
	"time"
)

// The words of the ticket process: states, levels, article kinds, who acts.
// Which moves between states are allowed, and which action in which state,
// is the process's business: workflows/policy.go.

// State is a ticket state; the names are the OTRS ones kiz staff know.
type State string

const (
	StateNew                State = "new"
	StateOpen               State = "open"
	StatePendingReminder    State = "pending reminder"
	StatePendingAutoClose   State = "pending auto close+"
	StatePendingAutoCloseNo State = "pending auto close-"
	StateClosedSuccessful   State = "closed successful"
	StateClosedUnsuccessful State = "closed unsuccessful"
	StateMerged             State = "merged"
)

// The state types, as OTRS groups its states.
var (
	workStates    = []State{StateNew, StateOpen}
	pendingStates = []State{StatePendingReminder, StatePendingAutoClose, StatePendingAutoCloseNo}
	closedStates  = []State{StateClosedSuccessful, StateClosedUnsuccessful}
)

// Valid tells whether s is a known state.
func (s State) Valid() bool { return slices.Contains(AllStates(), s) }

// Closed tells whether s ends the work on a ticket successfully or not
// (merged ends it too, but is not a closed state).
func (s State) Closed() bool { return slices.Contains(closedStates, s) }

// Pending tells whether s waits for a due time.
func (s State) Pending() bool { return slices.Contains(pendingStates, s) }

// Final tells whether nothing can happen to a ticket in state s any more.
func (s State) Final() bool { return s == StateMerged }

// Open tells whether a ticket in state s is still being worked on.
func (s State) Open() bool { return slices.Contains(OpenStates(), s) }

// WorkStates are the states in which agents work a ticket.
func WorkStates() []State { return slices.Clone(workStates) }

// OpenStates are the states in which a ticket is still being worked on;
// queue views show tickets in these states.
func OpenStates() []State { return Join(workStates, pendingStates) }

// PendingStates are the states that wait for a due time.
func PendingStates() []State { return slices.Clone(pendingStates) }

// ClosedStates are the states that close a ticket.
func ClosedStates() []State { return slices.Clone(closedStates) }

// AllStates lists every state in the order a process owner reads them.
func AllStates() []State {
	return Join(workStates, pendingStates, closedStates, []State{StateMerged})
}

// Join concatenates lists of states.
func Join(lists ...[]State) []State {
	var out []State
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

// Level is the support level a ticket sits at.
type Level string

const (
	LevelFirst  Level = "1st level"
	LevelSecond Level = "2nd level"
	LevelTeam   Level = "team"
)

// Valid tells whether l is a known level.
func (l Level) Valid() bool {
	return l == LevelFirst || l == LevelSecond || l == LevelTeam
}

// ArticleKind says what an article is and who may see it.
type ArticleKind string

const (
	ArticleInternalNote ArticleKind = "internal note"
	ArticlePhoneNote    ArticleKind = "phone note"
	ArticleReply        ArticleKind = "reply"
	ArticleCustomer     ArticleKind = "customer message"
)

// Valid tells whether k is a known article kind.
func (k ArticleKind) Valid() bool {
	return k == ArticleInternalNote || k == ArticlePhoneNote || k == ArticleReply || k == ArticleCustomer
}

// CustomerVisible tells whether the customer sees articles of kind k: a
// phone note records what was said with the customer, a reply is written
// to them, their own messages are theirs; an internal note is for agents.
func (k ArticleKind) CustomerVisible() bool {
	return k != ArticleInternalNote
}

// Action is something a principal does to a ticket; each is an Update of
// the ticket's workflow (payloads.go names them with their inputs).
type Action string

// ActorKind says what kind of principal acted.
type ActorKind string

const (
	ActorAgent       ActorKind = "agent"
	ActorCustomer    ActorKind = "customer"
	ActorSystem      ActorKind = "system"
	ActorIntegration ActorKind = "integration" // a mail gateway, monitoring: says whom it speaks for
)

// Actor is who did something to a ticket, as history records it.
type Actor struct {
	Kind ActorKind
	ID   int64
	Name string
	// Via names the integration (e.g. "mail gateway") that brought what
	// the actor said; empty when they acted themselves.
	Via string `json:",omitempty"`
}

// Limits every text is checked against before it reaches a workflow.
const (
	// MaxArticleLength bounds an article's text in bytes; longer text is
	// refused, not cut.
	MaxArticleLength = 100_000
	// MaxTitleLength bounds a ticket title or an article subject in bytes.
	MaxTitleLength = 200
	// MaxKeyLength bounds request keys and message keys.
	MaxKeyLength = 200
	// MaxPending bounds how far ahead a pending time may be set.
	MaxPending = 2 * 365 * 24 * time.Hour
	// MaxTimeMinutes bounds one time accounting: a working day.
	MaxTimeMinutes = 24 * 60
	// MaxFiles bounds the files attached to one article.
	MaxFiles = 20
	// MaxFileSize bounds one attached file in bytes, MaxFilesSize all of
	// an article's files: what mail servers commonly still accept.
	MaxFileSize  = 10 << 20
	MaxFilesSize = 20 << 20
)

// DefaultFollowUpWindow is how long a closed ticket still takes follow-ups
// (a customer's answer reopens it) when its queue does not say otherwise.
// After the window the workflow completes, the ticket lives on in the
// database, and a follow-up makes a new ticket linked to the old one.
const DefaultFollowUpWindow = 7 * 24 * time.Hour
