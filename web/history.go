package web

import (
	"time"

	"github.com/kiz-ulm/kizdesk/workflows"
)

// How the zoom's history table reads: the event in words (the OTRS name
// stays in a title), the field changed, old → new, who. The history itself
// keeps the OTRS names and UTC times the hash chain covers.

var eventLabels = map[string]string{
	workflows.EventNewTicket:       "Ticket created",
	workflows.EventAddNote:         "Note",
	workflows.EventPhoneCall:       "Phone note",
	workflows.EventSendAnswer:      "Reply sent",
	workflows.EventFollowUp:        "Customer follow-up",
	workflows.EventStateUpdate:     "State changed",
	workflows.EventOwnerUpdate:     "Owner changed",
	workflows.EventResponsible:     "Responsible changed",
	workflows.EventLock:            "Locked",
	workflows.EventUnlock:          "Unlocked",
	workflows.EventSubscribe:       "Watcher added",
	workflows.EventUnsubscribe:     "Watcher removed",
	workflows.EventMove:            "Moved",
	workflows.EventServiceUpdate:   "Service changed",
	workflows.EventTypeUpdate:      "Type changed",
	workflows.EventPriorityUpdate:  "Priority changed",
	workflows.EventSLAUpdate:       "SLA changed",
	workflows.EventEscalation:      "Escalated",
	workflows.EventHandBack:        "Handed back",
	workflows.EventPendingTime:     "Pending time set",
	workflows.EventReminderReached: "Reminder reached",
	workflows.EventAutoClose:       "Closed automatically",
	workflows.EventMerged:          "Merged",
	workflows.EventLinkAdd:         "Linked",
	workflows.EventSLAWarning:      "SLA warning",
	workflows.EventSLABreach:       "SLA breached",
	workflows.EventMergedIn:        "Ticket merged in",
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
	case workflows.EventSLAWarning, workflows.EventSLABreach, workflows.EventReminderReached:
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
