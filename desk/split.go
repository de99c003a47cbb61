package desk

import (
	"context"
	"strings"

	"github.com/kiz-ulm/kizdesk/models"
	"github.com/kiz-ulm/kizdesk/ticket"
)

// SplitRequest names the article (by its sequence number on the ticket)
// that becomes a ticket of its own.
type SplitRequest struct {
	RequestKey string
	Seq        int
}

// Split opens a new ticket from one article of a ticket, as OTRS's split:
// same customer, queue and classification, the article's text as its
// first article, linked to the ticket it came from. The agent needs to
// read the ticket and to create tickets in its queue; the request key
// makes a double click one new ticket.
func (d *Desk) Split(ctx context.Context, p Principal, number string, req SplitRequest) (ticket.View, error) {
	if err := mustBeAgent(p); err != nil {
		return ticket.View{}, err
	}
	t, err := d.readable(ctx, p, number)
	if err != nil {
		return ticket.View{}, err
	}
	arts, err := models.Articles(ctx, d.db, t.ID)
	if err != nil {
		return ticket.View{}, err
	}
	var art *models.Article
	for i := range arts {
		if arts[i].Seq == req.Seq {
			art = &arts[i]
		}
	}
	if art == nil || strings.TrimSpace(art.Body) == "" {
		return ticket.View{}, FieldErrors{"seq": ticket.P(ticket.FieldChoose)}
	}
	svc := int64(0)
	if t.ServiceID != nil {
		svc = *t.ServiceID
	}
	title := t.Title
	if s := strings.TrimSpace(art.Subject); s != "" {
		title = s
	}
	return d.createTicket(ctx, p, CreateTicketRequest{
		RequestKey: req.RequestKey, CustomerLogin: t.CustomerLogin, Title: truncate(title, ticket.MaxTitleLength), Body: art.Body,
		ServiceID: svc, QueueID: t.QueueID, TypeID: t.TypeID, PriorityID: t.PriorityID,
	}, func(in *ticket.TicketInput) { in.LinkTo = number })
}
