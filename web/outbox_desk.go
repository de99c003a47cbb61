package web

import (
	"github.com/kiz-ulm/kizdesk/models"
	"github.com/kiz-ulm/kizdesk/ticket"
)

// Texts of the mail going out, by the models' values: whole catalogue
// ids, so the catalogue test finds each.
var (
	outKindTexts = map[string]string{
		models.OutReply:         "ui.outbox.kind.reply",
		models.OutAutoReply:     "ui.outbox.kind.auto_reply",
		models.OutReject:        "ui.outbox.kind.reject",
		models.OutNotification:  "ui.outbox.kind.notification",
		models.OutPasswordReset: "ui.outbox.kind.password_reset",
	}
	outStatusTexts = map[string]string{
		models.OutPending: "ui.outbox.status.pending",
		models.OutSent:    "ui.outbox.status.sent",
		models.OutFailed:  "ui.outbox.status.failed",
		models.OutBounced: "ui.outbox.status.bounced",
		models.OutNoMail:  "ui.outbox.status.no_mail",
	}
	// outStatusClasses set a status apart: waiting is a warning, refused
	// and bounced an error (the style sheet's badge and breached).
	outStatusClasses = map[string]string{
		models.OutPending: "badge",
		models.OutFailed:  "badge breached",
		models.OutBounced: "badge breached",
	}
	notifyKindTexts = map[string]string{
		ticket.NotifyNewTicket:  "ui.prefs.kind.new_ticket",
		ticket.NotifyMoved:      "ui.prefs.kind.moved",
		ticket.NotifyEscalation: "ui.prefs.kind.escalation",
		ticket.NotifyFollowUp:   "ui.prefs.kind.follow_up",
		ticket.NotifyAssigned:   "ui.prefs.kind.assigned",
		ticket.NotifyReminder:   "ui.prefs.kind.reminder",
		ticket.NotifySLAWarning: "ui.prefs.kind.sla_warning",
		ticket.NotifySLABreach:  "ui.prefs.kind.sla_breach",
	}
)

// textOr is the catalogue's text for value in ids, else the value as it is.
func (t texts) textOr(ids map[string]string, value string) string {
	if id, ok := ids[value]; ok {
		return t.T(id)
	}
	return value
}

// OutKind names what a mail going out is (reply, automatic answer, …).
func (t texts) OutKind(kind string) string { return t.textOr(outKindTexts, kind) }

// OutStatus names where a mail going out stands.
func (t texts) OutStatus(status string) string { return t.textOr(outStatusTexts, status) }

// NotifyKind names a kind of notification.
func (t texts) NotifyKind(kind string) string { return t.textOr(notifyKindTexts, kind) }

// OutStatusClass is the class that shows a status.
func (texts) OutStatusClass(status string) string {
	if c, ok := outStatusClasses[status]; ok {
		return c
	}
	return "state"
}

// OutTrouble tells whether a mail's status comes with the relay's answer
// worth showing: still waiting, refused, bounced, or nothing to send to.
func (texts) OutTrouble(status string) bool {
	return status == models.OutPending || status == models.OutFailed ||
		status == models.OutBounced || status == models.OutNoMail
}
