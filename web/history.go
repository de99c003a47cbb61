package web

import (
	"time"

	"github.com/kiz-ulm/kizdesk/ticket"
)

// How the zoom's history table reads: the event in words (the OTRS name
// stays in a title), the field changed, old → new, who. The history itself
// keeps the OTRS names and UTC times the hash chain covers.

var eventLabels = map[string]string{
	ticket.EventNewTicket:       "Ticket created",
	ticket.EventAddNote:         "Note",
	ticket.EventPhoneCall:       "Phone note",
	ticket.EventSendAnswer:      "Reply sent",
	ticket.EventFollowUp:        "Customer follow-up",
	ticket.EventStateUpdate:     "State changed",
	ticket.EventOwnerUpdate:     "Owner changed",
	ticket.EventResponsible:     "Responsible changed",
	ticket.EventLock:            "Locked",
	ticket.EventUnlock:          "Unlocked",
	ticket.EventSubscribe:       "Watcher added",
	ticket.EventUnsubscribe:     "Watcher removed",
	ticket.EventMove:            "Moved",
	ticket.EventServiceUpdate:   "Service changed",
	ticket.EventTypeUpdate:      "Type changed",
	ticket.EventPriorityUpdate:  "Priority changed",
	ticket.EventSLAUpdate:       "SLA changed",
	ticket.EventEscalation:      "Escalated",
	ticket.EventHandBack:        "Handed back",
	ticket.EventPendingTime:     "Pending time set",
	ticket.EventReminderReached: "Reminder reached",
	ticket.EventAutoClose:       "Closed automatically",
	ticket.EventMerged:          "Merged",
	ticket.EventLinkAdd:         "Linked",
	ticket.EventSLAWarning:      "SLA warning",
	ticket.EventSLABreach:       "SLA breached",
	ticket.EventMergedIn:        "Ticket merged in",
}

// eventLabel is a history event in words; unknown events show as they are.
func eventLabel(event string) string {
	if l, ok := eventLabels[event]; ok {
		return l
	}
	return event
}

var fieldLabels = map[string]string{
	"PendingUntil":      "Pending until",
	"MergedInto":        "Merged into",
	"MergedFrom":        "Merged from",
	"Link":              "Linked with",
	"FirstResponseTime": "First response due",
	"UpdateTime":        "Update due",
	"SolutionTime":      "Solution due",
	"state":             "State",
}

// fieldLabel is a history entry's field in words.
func fieldLabel(field string) string {
	if l, ok := fieldLabels[field]; ok {
		return l
	}
	return field
}

// notice tells whether an event reports a value rather than changing one
// (a warning or breach names the due time, a reminder the pending time):
// those read "field: value", changes "field: old → new".
func notice(event string) bool {
	switch event {
	case ticket.EventSLAWarning, ticket.EventSLABreach, ticket.EventReminderReached:
		return true
	}
	return false
}

// historyValue is an old or new value as the history table shows it.
type historyValue struct {
	Text   string
	Ticket bool // Text is a ticket number: link it
}

// ticketFields hold ticket numbers.
var ticketFields = map[string]bool{"MergedInto": true, "MergedFrom": true, "Link": true}

// newHistoryValue shows times (stored as RFC 3339 in UTC) in the desk's
// zone and marks ticket numbers for a link; empty is "—".
func newHistoryValue(field, value string, loc *time.Location) historyValue {
	if value == "" {
		return historyValue{Text: "—"}
	}
	if t, err := time.Parse(time.RFC3339, value); err == nil {
		return historyValue{Text: t.In(loc).Format(timeLayout)}
	}
	return historyValue{Text: value, Ticket: ticketFields[field]}
}
