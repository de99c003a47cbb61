package desk

import (
	"context"
	"slices"

	"github.com/kiz-ulm/kizdesk/models"
	"github.com/kiz-ulm/kizdesk/ticket"
)

// OutboxRequest pages through the tenant's mail going out: Status one of
// the models' Out… statuses or "" for all; Before the last ID of the
// previous page.
type OutboxRequest struct {
	Status string
	Before int64
}

// OutboxPage is one page of the Outbox, newest first; Next is the Before
// of the next page, 0 at the end. Captured tells that this desk keeps its
// mail instead of sending it (kizdesk dev).
type OutboxPage struct {
	Mails    []models.MailMessage
	Next     int64
	Captured bool
}

// OutboxStatuses are the statuses the Outbox filters by.
var OutboxStatuses = []string{models.OutPending, models.OutSent, models.OutFailed, models.OutBounced, models.OutNoMail}

const outboxPage = 50

// Outbox lists the tenant's mail going out, for its admins: what waits
// (with the relay's last answer), what went, what was refused.
func (d *Desk) Outbox(ctx context.Context, p Principal, req OutboxRequest) (OutboxPage, error) {
	out := OutboxPage{Captured: d.opts.MailCaptured}
	if err := d.mustAdmin(ctx, p, false); err != nil {
		return out, err
	}
	if req.Status != "" && !slices.Contains(OutboxStatuses, req.Status) {
		return out, FieldErrors{"status": ticket.P(ticket.FieldChoose)}
	}
	ms, err := models.Outbox(ctx, d.db, p.TenantID, models.OutboxFilter{Status: req.Status, Before: req.Before, Limit: outboxPage + 1})
	if err != nil {
		return out, err
	}
	if len(ms) > outboxPage {
		ms = ms[:outboxPage]
		out.Next = ms[len(ms)-1].ID
	}
	out.Mails = ms
	return out, nil
}

// OutboxMail returns one mail going out, raw, for the tenant's admins.
func (d *Desk) OutboxMail(ctx context.Context, p Principal, id int64) (models.MailMessage, error) {
	if err := d.mustAdmin(ctx, p, false); err != nil {
		return models.MailMessage{}, err
	}
	m, err := models.OutboxMail(ctx, d.db, p.TenantID, id)
	if err != nil {
		return m, wrapf(err, "mail %d", id)
	}
	return m, nil
}

// NotifyKinds are the notifications an agent can have mailed, in the
// order the preferences page lists them; ToAgent kinds are addressed to
// the agent (on unless switched off), the others to a queue's agents (off
// unless switched on).
var NotifyKinds = []NotifyKind{
	{ticket.NotifyNewTicket, false},
	{ticket.NotifyMoved, false},
	{ticket.NotifyEscalation, false},
	{ticket.NotifyFollowUp, true},
	{ticket.NotifyAssigned, true},
	{ticket.NotifyReminder, true},
	{ticket.NotifySLAWarning, true},
	{ticket.NotifySLABreach, true},
}

// NotifyKind is one kind of notification and whom it addresses.
type NotifyKind struct {
	Kind    string
	ToAgent bool
}

// NotifyPref is an agent's choice for one kind; Mail is the choice or
// the default.
type NotifyPref struct {
	NotifyKind
	Mail bool
}

// NotifyPrefs returns the notifications agent p gets by mail.
func (d *Desk) NotifyPrefs(ctx context.Context, p Principal) ([]NotifyPref, error) {
	if err := mustBeAgent(p); err != nil {
		return nil, err
	}
	set, err := models.NotifyPrefs(ctx, d.db, p.ID)
	if err != nil {
		return nil, err
	}
	out := make([]NotifyPref, 0, len(NotifyKinds))
	for _, k := range NotifyKinds {
		on, ok := set[k.Kind]
		if !ok {
			on = k.ToAgent
		}
		out = append(out, NotifyPref{NotifyKind: k, Mail: on})
	}
	return out, nil
}

// SetNotifyPrefs stores which notifications agent p gets by mail: the
// kinds in on, and none of the others.
func (d *Desk) SetNotifyPrefs(ctx context.Context, p Principal, on []string) error {
	if err := mustBeAgent(p); err != nil {
		return err
	}
	prefs := make(map[string]bool, len(NotifyKinds))
	for _, k := range NotifyKinds {
		prefs[k.Kind] = false
	}
	for _, k := range on {
		if _, known := prefs[k]; !known {
			return FieldErrors{"notify": ticket.P(ticket.FieldChoose)}
		}
		prefs[k] = true
	}
	return models.SetNotifyPrefs(ctx, d.db, p.ID, prefs)
}
