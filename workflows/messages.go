package workflows

import (
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"

	"github.com/kiz-ulm/kizdesk/activities"
)

// Every name and payload a caller of the ticket workflow needs is here, next
// to each other. Payloads are plain structs, never database models, so a
// schema change cannot break the history of a running ticket.

// TaskQueue is where ticket workflows and their activities run.
const TaskQueue = "kizdesk-tickets"

// WorkflowID is the ID of the workflow that carries ticket number: one
// ticket, one workflow, so a repeated start cannot make a second ticket.
func WorkflowID(number string) string { return "ticket-" + number }

// Actor is who did something to a ticket.
type Actor = activities.Actor

// Actor kinds.
const (
	ActorAgent    = "agent"
	ActorCustomer = "customer"
	ActorSystem   = "system"
)

// TicketView is a ticket's live state: what the query returns and every
// update answers with.
type TicketView struct {
	Number       string
	TenantID     int64
	Title        string
	State        State
	Level        Level
	QueueID      int64
	QueueName    string
	ServiceID    int64 // 0: no service
	ServiceName  string
	TypeID       int64
	TypeName     string
	PriorityID   int64
	PriorityName string
	OwnerID      int64 // 0: nobody owns it
	CustomerID   int64
	Channel      string
	CreatedAt    time.Time
	UpdatedAt    time.Time
	ClosedAt     time.Time // zero while not closed
	Seq          int       // the last history entry; the database has it when the update returns
}

// TicketInput starts a ticket workflow: the new ticket's values, who opened
// it and its first article.
type TicketInput struct {
	Ticket  TicketView
	Actor   Actor
	Article ArticleInput
}

// ArticleInput is the text of an article.
type ArticleInput struct {
	Kind    ArticleKind
	Subject string
	Body    string
}

// UpdateCreate answers once the new ticket is in the database. It is sent
// together with the start (update-with-start) under one update ID, so a
// retried create waits for, and returns, the same ticket.
const UpdateCreate = "create"

// CreateInput is the (empty) argument of UpdateCreate.
type CreateInput struct{}

// UpdateAddNote adds an article written by an agent.
const UpdateAddNote = "add-note"

// AddNoteInput is the argument of UpdateAddNote.
type AddNoteInput struct {
	Actor   Actor
	Article ArticleInput
}

// UpdateClose closes a ticket, optionally with a closing note.
const UpdateClose = "close"

// CloseInput is the argument of UpdateClose.
type CloseInput struct {
	Actor Actor
	State State  // StateClosedSuccessful or StateClosedUnsuccessful
	Note  string // optional internal note saying why
}

// QueryTicket returns the ticket's live TicketView.
const QueryTicket = "ticket"

// History event names, as OTRS calls them.
const (
	EventNewTicket   = "NewTicket"
	EventAddNote     = "AddNote"
	EventPhoneCall   = "PhoneCallCustomer"
	EventStateUpdate = "StateUpdate"
)

// Search attributes the Temporal UI can filter tickets by. They carry no
// personal data: no names, titles or texts.
var (
	SearchTicketNumber   = temporal.NewSearchAttributeKeyKeyword("TicketNumber")
	SearchTicketState    = temporal.NewSearchAttributeKeyKeyword("TicketState")
	SearchTicketQueue    = temporal.NewSearchAttributeKeyKeyword("TicketQueue")
	SearchTicketLevel    = temporal.NewSearchAttributeKeyKeyword("TicketLevel")
	SearchTicketPriority = temporal.NewSearchAttributeKeyKeyword("TicketPriority")
	SearchTicketService  = temporal.NewSearchAttributeKeyKeyword("TicketService")
	SearchTicketType     = temporal.NewSearchAttributeKeyKeyword("TicketType")
	SearchTicketTenant   = temporal.NewSearchAttributeKeyInt64("TicketTenant")
)

// SearchAttributeTypes lists the search attributes to register on a
// namespace before tickets run in it.
func SearchAttributeTypes() map[string]enumspb.IndexedValueType {
	out := map[string]enumspb.IndexedValueType{}
	for _, k := range []temporal.SearchAttributeKey{SearchTicketNumber, SearchTicketState, SearchTicketQueue,
		SearchTicketLevel, SearchTicketPriority, SearchTicketService, SearchTicketType, SearchTicketTenant} {
		out[k.GetName()] = k.GetValueType()
	}
	return out
}

// SearchAttributes returns the attribute values for a ticket in state v.
func SearchAttributes(v TicketView) []temporal.SearchAttributeUpdate {
	return []temporal.SearchAttributeUpdate{
		SearchTicketNumber.ValueSet(v.Number),
		SearchTicketState.ValueSet(string(v.State)),
		SearchTicketQueue.ValueSet(v.QueueName),
		SearchTicketLevel.ValueSet(string(v.Level)),
		SearchTicketPriority.ValueSet(v.PriorityName),
		SearchTicketService.ValueSet(v.ServiceName),
		SearchTicketType.ValueSet(v.TypeName),
		SearchTicketTenant.ValueSet(v.TenantID),
	}
}

// Summary is the one line the Temporal UI shows for a ticket's workflow.
func Summary(v TicketView) string {
	return "Ticket " + v.Number + " · " + v.TypeName + " · " + v.QueueName
}
