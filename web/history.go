package web

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/kiz-ulm/kizdesk/i18n"
	"github.com/kiz-ulm/kizdesk/models"

	"github.com/kiz-ulm/kizdesk/ticket"
)

// How the zoom's history table reads: the event in words (the OTRS name
// stays in a title), the field changed, old → new, who — in the reader's
// language. The history itself keeps the OTRS names and UTC times the
// hash chain covers. The texts are ui.event.<Event> and
// ui.history.field.<Field> in the catalogues; a test fails on an event of
// package ticket without both.

// Event is a history event in words; unknown events show as they are.
func (t texts) Event(event string) string {
	if id := "ui.event." + event; t.Has(id) {
		return t.Text(id)
	}
	return event
}

// Field is a history entry's field in words; unknown fields show as they
// are.
func (t texts) Field(field string) string {
	if id := "ui.history.field." + field; t.Has(id) {
		return t.Text(id)
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

// Value shows an old or new value of field: times (stored as RFC 3339 in
// UTC) in the reader's zone, states, levels, locks, types and priorities in
// the reader's words, ticket numbers marked for a link; empty is "—".
func (t texts) Value(field, value string) historyValue {
	if value == "" {
		return historyValue{Text: "—"}
	}
	if at, err := time.Parse(time.RFC3339, value); err == nil {
		s, _ := t.Time(at)
		return historyValue{Text: s}
	}
	switch field {
	case "State":
		return historyValue{Text: t.State(value)}
	case "Level":
		return historyValue{Text: t.Level(value)}
	case "Lock":
		return historyValue{Text: t.word("ui.lock.", value)}
	case "Type":
		return historyValue{Text: t.Type(value)}
	case "Priority":
		return historyValue{Text: t.Priority(value)}
	case models.AnonymisePseudonymise, models.AnonymiseDelete:
		// An Anonymised entry's record (JSON, for audit verify): what
		// it rewrote, in words; the hashes are for the auditor's tool.
		var a models.Anonymisation
		if json.Unmarshal([]byte(value), &a) == nil {
			seqs := make([]string, len(a.Entries))
			files := 0
			for i, e := range a.Entries {
				seqs[i] = strconv.Itoa(e.Seq)
				files += e.Files
			}
			return historyValue{Text: t.T("ui.retention.anonymised_value", "Reason", t.T("ui.retention.reason."+i18n.KeyOf(a.Reason)),
				"Count", len(a.Entries), "Entries", strings.Join(seqs, ", "), "Files", files)}
		}
	}
	return historyValue{Text: value, Ticket: ticketFields[field]}
}
