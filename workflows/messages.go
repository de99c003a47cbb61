package workflows

import (
	"fmt"
	"time"

	"github.com/kiz-ulm/kizdesk/ticket"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
)

// Every name and payload a caller of the ticket workflow needs is here, next
// to each other. Payloads are plain structs, never database models, so a
// schema change cannot break the history of a running ticket.

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
	// Due times: the running first-response or update clock (only one runs
	// at a time), the solution clock, and the pending time.
	SearchTicketResponseDue = temporal.NewSearchAttributeKeyTime("TicketResponseDue")
	SearchTicketSolutionDue = temporal.NewSearchAttributeKeyTime("TicketSolutionDue")
	SearchTicketPendingTill = temporal.NewSearchAttributeKeyTime("TicketPendingUntil")
	// TicketFault is set when the database refused one of the ticket's
	// changes for good: ops look for TicketFault != "" and read the log.
	SearchTicketFault = temporal.NewSearchAttributeKeyKeyword("TicketFault")
)

// SearchAttributeTypes lists the search attributes to register on a
// namespace before tickets run in it.
func SearchAttributeTypes() map[string]enumspb.IndexedValueType {
	out := map[string]enumspb.IndexedValueType{}
	for _, k := range []temporal.SearchAttributeKey{SearchTicketNumber, SearchTicketState, SearchTicketQueue,
		SearchTicketLevel, SearchTicketPriority, SearchTicketService, SearchTicketType, SearchTicketTenant,
		SearchTicketResponseDue, SearchTicketSolutionDue, SearchTicketPendingTill, SearchTicketFault} {
		out[k.GetName()] = k.GetValueType()
	}
	return out
}

// SearchAttributes returns the attribute values for a ticket in state v.
func SearchAttributes(v ticket.View) []temporal.SearchAttributeUpdate {
	return []temporal.SearchAttributeUpdate{
		SearchTicketNumber.ValueSet(v.Number),
		SearchTicketState.ValueSet(string(v.State)),
		SearchTicketQueue.ValueSet(v.QueueName),
		SearchTicketLevel.ValueSet(string(v.Level)),
		SearchTicketPriority.ValueSet(v.PriorityName),
		SearchTicketService.ValueSet(v.ServiceName),
		SearchTicketType.ValueSet(v.TypeName),
		SearchTicketTenant.ValueSet(v.TenantID),
		timeAttribute(SearchTicketResponseDue, earliest(v.SLA.FirstResponseDue, v.SLA.UpdateDue)),
		timeAttribute(SearchTicketSolutionDue, v.SLA.SolutionDue),
		timeAttribute(SearchTicketPendingTill, v.PendingUntil),
	}
}

// StartAttributes are the search attributes of a ticket to be opened with
// in, as its workflow shows them once it is created: the desk starts the
// workflow with them, so the first change writes no second visibility
// record. in.OpenedAt must be set.
func StartAttributes(in ticket.TicketInput) []temporal.SearchAttributeUpdate {
	return SearchAttributes(opened(in, true))
}

// opened is the view a ticket opened with in has once created: state new,
// and with timed, its SLA clocks started at in.OpenedAt.
func opened(in ticket.TicketInput, timed bool) ticket.View {
	t := &ticketRun{view: in.Ticket, timed: timed}
	t.view.Terms = in.Terms
	t.view.State = ticket.StateNew
	t.view.CreatedAt, t.view.UpdatedAt = in.OpenedAt, in.OpenedAt
	if timed {
		clocksOnCreate(&t.clocks, t.view, in.OpenedAt)
	}
	t.refreshSLA()
	return t.view
}

// attributesShown is the values SearchAttributes sets, as one comparable
// string.
func attributesShown(v ticket.View) string {
	return fmt.Sprint(v.Number, "|", v.State, "|", v.QueueName, "|", v.Level, "|", v.PriorityName, "|", v.ServiceName, "|",
		v.TypeName, "|", v.TenantID, "|", earliest(v.SLA.FirstResponseDue, v.SLA.UpdateDue).UnixNano(), "|",
		v.SLA.SolutionDue.UnixNano(), "|", v.PendingUntil.UnixNano())
}

func timeAttribute(k temporal.SearchAttributeKeyTime, t time.Time) temporal.SearchAttributeUpdate {
	if t.IsZero() {
		return k.ValueUnset()
	}
	return k.ValueSet(t)
}

// earliest returns the earlier of two times, ignoring zero ones.
func earliest(a, b time.Time) time.Time {
	if a.IsZero() || (!b.IsZero() && b.Before(a)) {
		return b
	}
	return a
}

// Summary is the one line the Temporal UI shows for a ticket's workflow.
func Summary(v ticket.View) string {
	return "Ticket " + v.Number + " · " + v.TypeName + " · " + v.QueueName
}
