package web

import (
	"fmt"
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/models"
	"github.com/kiz-ulm/kizdesk/ticket"
	"github.com/kiz-ulm/kizdesk/workflows"
)

type ticketPage struct {
	layout
	Ticket   models.TicketRow
	Articles []models.Article
	History  []models.HistoryEntry
	Watchers []models.Agent
	Linked   []models.TicketRow
	Merged   []desk.MergedTicket
	// Attachments are the files the ticket's mails brought.
	Attachments []models.MailAttachment
	// Mails are the ticket's mails going out (no raw form): answers and
	// automatic answers, with where their delivery stands.
	Mails []models.MailMessage
	// SplitKey starts the request keys of the articles' split forms: one
	// page, one new ticket per article however often it is clicked.
	SplitKey string
	// SLA is where the ticket stands against its next target now.
	SLA *desk.SLAStatus
	// The customer's contact data and other open tickets.
	Customer        models.Customer
	CustomerTickets []models.TicketRow
	// Watching: the agent looking at the ticket watches it.
	Watching bool
	// LockedByOther: another agent locked the ticket; most actions are
	// theirs alone.
	LockedByOther bool
	// FAQs are the knowledge base entries linked with the ticket.
	FAQs        []models.FAQEntry
	TemporalURL string
	Forms       ticketForms
	// Choices fill the selects of the action forms; EscalationQueues are
	// the queues escalation may send to (2nd level and teams).
	Choices          desk.FormChoices
	EscalationQueues []models.Queue
	NoteKinds        []ticket.ArticleKind
	CloseStates      []ticket.State
	PendingStates    []ticket.State
	// NextStates are what the reply and note forms offer as the next
	// state: "" (keep as is), the pending and the closed states.
	NextStates []ticket.State
	// Writing are the standard responses the reply and note forms offer
	// and the signature a new reply starts with.
	Writing desk.Writing
}

func (s *server) ticketShow(c *gin.Context) {
	number, err := numberParam(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	var forms ticketForms
	p, kept, err := s.handedBack(c, ticketFormKey(number), &forms)
	if err != nil {
		s.fail(c, fmt.Errorf("ticket %s: %w", number, err))
		return
	}
	if !kept {
		s.showTicket(c, http.StatusOK, number, forms, "")
		return
	}
	for _, st := range forms.states() {
		if st.Sent {
			st.Fields = p.FieldTexts
		}
	}
	s.showTicket(c, p.Status, number, forms, p.Message)
}

// showTicket renders the zoom; the action handlers use it too, to show
// the form sent again with the agent's input and what was wrong with it.
func (s *server) showTicket(c *gin.Context, status int, number string, forms ticketForms, message string) {
	ctx, a := c.Request.Context(), principalOf(c)
	d, err := s.desk.Ticket(ctx, a, number)
	if err != nil {
		s.fail(c, fmt.Errorf("ticket %s: %w", number, err))
		return
	}
	forms.fill(d.Ticket, s.loc)
	p := &ticketPage{
		layout:      layout{Title: s.texts(c).T("ui.title.ticket", "Number", d.Ticket.Number), Error: message},
		Ticket:      d.Ticket,
		Articles:    d.Articles,
		History:     d.History,
		Watchers:    d.Watchers,
		Linked:      d.Linked,
		Merged:      d.Merged,
		Attachments: d.Attachments,
		Mails:       d.Mails,
		Customer:    d.Customer, CustomerTickets: d.CustomerTickets,
		SplitKey: desk.NewRequestKey(), SLA: d.SLA,
		Forms:         forms,
		NoteKinds:     []ticket.ArticleKind{ticket.ArticleInternalNote, ticket.ArticlePhoneNote},
		CloseStates:   []ticket.State{ticket.StateClosedSuccessful, ticket.StateClosedUnsuccessful},
		PendingStates: ticket.PendingStates(),
	}
	p.NextStates = append(append([]ticket.State{""}, p.PendingStates...), p.CloseStates...)
	p.LockedByOther = d.Ticket.Locked && d.Ticket.OwnerID != nil && *d.Ticket.OwnerID != a.ID
	for _, w := range d.Watchers {
		if w.ID == a.ID {
			p.Watching = true
		}
	}
	// Only ask for the choices when a form offers them.
	st := ticket.State(d.Ticket.State)
	if workflows.Allows(st, ticket.ActionReply) || workflows.Allows(st, ticket.ActionNote) {
		if p.Writing, err = s.desk.WritingAids(ctx, a, number, s.texts(c).Lang()); err != nil {
			s.fail(c, fmt.Errorf("writing aids for ticket %s: %w", number, err))
			return
		}
		// A new reply starts with the queue's signature; a reply shown
		// again keeps what the agent wrote, signature or not.
		if !p.Forms.Reply.Sent && p.Forms.Reply.Body == "" && p.Writing.Signature != "" {
			p.Forms.Reply.Body = "\n\n" + signatureSeparator + p.Writing.Signature
		}
	}
	for _, act := range []ticket.Action{ticket.ActionAssign, ticket.ActionWatch, ticket.ActionMove,
		ticket.ActionEscalate, ticket.ActionClassify} {
		if workflows.Allows(st, act) {
			if p.Choices, err = s.desk.FormChoices(ctx, a); err != nil {
				s.fail(c, fmt.Errorf("choices for ticket %s: %w", number, err))
				return
			}
			break
		}
	}
	for _, q := range p.Choices.Targets {
		if q.Level != models.LevelFirst {
			p.EscalationQueues = append(p.EscalationQueues, q)
		}
	}
	if s.temporalURL != "" {
		p.TemporalURL = s.temporalURL + "/namespaces/" + url.PathEscape(s.namespace) +
			"/workflows/" + url.PathEscape(ticket.WorkflowID(d.Ticket.Number))
	}
	if p.FAQs, err = s.desk.TicketFAQs(ctx, a, number); err != nil {
		s.fail(c, fmt.Errorf("FAQ entries of ticket %s: %w", number, err))
		return
	}
	s.render(c, status, "ticket_show", p)
}
