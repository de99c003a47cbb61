package desk

import (
	"context"
	"slices"

	"github.com/kiz-ulm/kizdesk/models"
	"github.com/kiz-ulm/kizdesk/ticket"
)

// AgentByID returns the active agent a session belongs to.
func (d *Desk) AgentByID(ctx context.Context, id int64) (models.Agent, error) {
	return models.AgentByID(ctx, d.db, id)
}

// AgentByToken returns the active agent an API token belongs to.
func (d *Desk) AgentByToken(ctx context.Context, token string) (models.Agent, error) {
	return models.AgentByToken(ctx, d.db, token)
}

// QueueOverview counts the open tickets in each queue the agent sees.
func (d *Desk) QueueOverview(ctx context.Context, p Principal) ([]models.QueueCount, error) {
	if err := mustBeAgent(p); err != nil {
		return nil, err
	}
	a, err := d.access(ctx, p)
	if err != nil {
		return nil, err
	}
	counts, err := models.QueueCounts(ctx, d.db, p.TenantID, stateStrings(ticket.OpenStates()), string(ticket.StateNew))
	return slices.DeleteFunc(counts, func(c models.QueueCount) bool { return !a.Sees(c.ID) }), err
}

// maxCustomerTickets bounds the customer's other tickets on the zoom.
const maxCustomerTickets = 10

// maxQueueList bounds a queue page; the queue view reads the index, never
// the whole table.
const maxQueueList = 500

// QueueTickets lists the open tickets of one queue.
func (d *Desk) QueueTickets(ctx context.Context, p Principal, queueID int64) (models.Queue, []models.TicketRow, error) {
	if err := mustBeAgent(p); err != nil {
		return models.Queue{}, nil, err
	}
	q, err := models.QueueByID(ctx, d.db, p.TenantID, queueID)
	if err != nil {
		return q, nil, err
	}
	if err := d.need(ctx, p, q.ID, q.Name, ticket.PermRO); err != nil {
		return models.Queue{}, nil, err
	}
	rows, err := models.TicketsInQueue(ctx, d.db, p.TenantID, queueID, stateStrings(ticket.OpenStates()), maxQueueList)
	return q, rows, err
}

// Ticket returns a ticket with its articles and history.
func (d *Desk) Ticket(ctx context.Context, p Principal, number string) (TicketDetail, error) {
	var out TicketDetail
	if err := mustBeAgent(p); err != nil {
		return out, err
	}
	t, err := d.readable(ctx, p, number)
	if err != nil {
		return out, err
	}
	out.Ticket = t
	if out.Articles, err = models.Articles(ctx, d.db, t.ID); err != nil {
		return out, err
	}
	if out.History, err = models.History(ctx, d.db, t.ID); err != nil {
		return out, err
	}
	if out.Watchers, err = models.Watchers(ctx, d.db, t.ID); err != nil {
		return out, err
	}
	if out.Linked, err = models.LinkedTickets(ctx, d.db, p.TenantID, t.Number); err != nil {
		return out, err
	}
	// A link to a ticket of a queue the agent does not see shows nothing
	// of it, not even its title.
	a, err := d.access(ctx, p)
	if err != nil {
		return out, err
	}
	out.Linked = slices.DeleteFunc(out.Linked, func(l models.TicketRow) bool { return !a.Sees(l.QueueID) })
	terms, err := d.slaTerms(ctx, p.TenantID)
	if err != nil {
		return out, err
	}
	now := d.now()
	if st, _ := slaStatus(t.Clocks(), terms, now); st.Clock != "" || (st.Paused && t.SLAName != "") {
		out.SLA = &st
		out.SLARun = slaRun(t, st, terms, now)
	}
	if out.Customer, err = models.CustomerByID(ctx, d.db, p.TenantID, t.CustomerID); err != nil {
		return out, err
	}
	others, err := models.OpenTicketsOfCustomer(ctx, d.db, p.TenantID, t.CustomerID, t.ID, stateStrings(ticket.OpenStates()), maxCustomerTickets)
	if err != nil {
		return out, err
	}
	out.CustomerTickets = slices.DeleteFunc(others, func(r models.TicketRow) bool { return !a.Sees(r.QueueID) })
	if out.Mails, err = models.OutMailsOf(ctx, d.db, p.TenantID, t.Number); err != nil {
		return out, err
	}
	if out.Notifications, err = models.NotificationsOf(ctx, d.db, t.ID); err != nil {
		return out, err
	}
	if out.Attachments, err = models.MailAttachmentsOf(ctx, d.db, p.TenantID, t.Number); err != nil {
		return out, err
	}
	merged, err := models.MergedInto(ctx, d.db, p.TenantID, t.Number)
	if err != nil {
		return out, err
	}
	for _, m := range merged {
		arts, err := models.Articles(ctx, d.db, m.ID)
		if err != nil {
			return out, err
		}
		out.Merged = append(out.Merged, MergedTicket{Ticket: m, Articles: arts})
	}
	return out, nil
}

// LiveTicket asks the ticket's workflow for its current state.
func (d *Desk) LiveTicket(ctx context.Context, p Principal, number string) (ticket.View, error) {
	var v ticket.View
	if _, err := d.readable(ctx, p, number); err != nil {
		return v, err
	}
	res, err := d.tc.QueryWorkflow(ctx, ticket.WorkflowID(number), "", ticket.QueryTicket)
	if err != nil {
		return v, wrapf(err, "query ticket %s", number)
	}
	if err := res.Get(&v); err != nil {
		return v, wrapf(err, "decode ticket %s", number)
	}
	return v, nil
}

// FormChoices returns what the new-ticket form offers.
func (d *Desk) FormChoices(ctx context.Context, p Principal) (FormChoices, error) {
	var f FormChoices
	if err := mustBeAgent(p); err != nil {
		return f, err
	}
	var err error
	if f.Agents, err = models.AgentsOfTenant(ctx, d.db, p.TenantID); err != nil {
		return f, err
	}
	if f.Queues, err = d.queuesWith(ctx, p, ticket.PermCreate); err != nil {
		return f, err
	}
	if f.Targets, err = d.queuesWith(ctx, p, ticket.PermMoveInto); err != nil {
		return f, err
	}
	if f.Services, err = models.Services(ctx, d.db, p.TenantID); err != nil {
		return f, err
	}
	// A service is offered where its tickets may be opened.
	f.Services = slices.DeleteFunc(f.Services, func(s models.Service) bool {
		return !slices.ContainsFunc(f.Queues, func(q models.Queue) bool { return q.ID == s.QueueID })
	})
	classes, err := d.classes(ctx)
	f.Types, f.Priorities = classes.Types, classes.Priorities
	return f, err
}

// classes are the ticket types and priorities a ticket may be classified
// by; only these, not the whole form's choices, are needed to check a
// create or a classify.
func (d *Desk) classes(ctx context.Context) (FormChoices, error) {
	var f FormChoices
	var err error
	if f.Types, err = models.TicketTypes(ctx, d.db); err != nil {
		return f, err
	}
	f.Priorities, err = models.Priorities(ctx, d.db)
	// Retired types and priorities stay on old tickets but are not chosen
	// anew.
	f.Types = slices.DeleteFunc(f.Types, func(t models.TicketType) bool { return !t.Active })
	f.Priorities = slices.DeleteFunc(f.Priorities, func(p models.Priority) bool { return !p.Active })
	return f, err
}

// AttachmentFile is one attachment of a ticket's mail with its content.
type AttachmentFile struct {
	models.MailAttachment
	Data []byte
}

// Attachment returns attachment seq of the ticket's mail mailID, for an
// agent who may read the ticket.
func (d *Desk) Attachment(ctx context.Context, p Principal, number string, mailID int64, seq int) (AttachmentFile, error) {
	var out AttachmentFile
	if err := mustBeAgent(p); err != nil {
		return out, err
	}
	t, err := d.readable(ctx, p, number)
	if err != nil {
		return out, err
	}
	out.MailAttachment, out.Data, err = models.MailAttachmentData(ctx, d.db, p.TenantID, t.Number, mailID, seq)
	return out, err
}
