package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"time"

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
	// Timeline are the articles in the order the agent chose (NewestFirst
	// or oldest first), each open or folded.
	Timeline    []zoomArticle
	NewestFirst bool
	// Live is what zoom.js needs to count the SLA's remaining time down.
	Live slaLive
}

// valArticles keeps the article order the agent chose last in the zoom
// ("newest" or "oldest") for the rest of the session.
const valArticles = "articles"

// newestFirst: the zoom lists the newest article first, as asked now
// (?articles=newest or oldest, kept for the session) or before.
func newestFirst(c *gin.Context) bool {
	sess := sessionOf(c)
	if sess == nil {
		return c.Query("articles") == "newest"
	}
	if q := c.Query("articles"); q == "newest" || q == "oldest" {
		if was, _ := sess.raw.Values[valArticles].(string); was != q {
			sess.raw.Values[valArticles] = q
			sess.changed = true
		}
	}
	v, _ := sess.raw.Values[valArticles].(string)
	return v == "newest"
}

// zoomArticle is an article of the zoom's timeline; Open: shown unfolded.
type zoomArticle struct {
	models.Article
	Open bool
}

// zoomOpenArticles is how many of the newest articles the zoom shows
// unfolded when a ticket has more than zoomAllOpen; the older ones are a
// line each until the agent opens them.
const (
	zoomOpenArticles = 5
	zoomAllOpen      = 10
)

// timeline orders the articles as the agent wants them and folds the older
// ones of a long ticket.
func timeline(articles []models.Article, newestFirst bool) []zoomArticle {
	out := make([]zoomArticle, len(articles))
	for i, a := range articles {
		out[i] = zoomArticle{Article: a, Open: len(articles) <= zoomAllOpen || i >= len(articles)-zoomOpenArticles}
	}
	if newestFirst {
		slices.Reverse(out)
	}
	return out
}

// slaLive carries the SLA's remaining time into data attributes: Left in
// seconds when the page was made, falling while Running for For seconds
// (0: no end). zoom.js counts from the moment the page loaded, so the
// browser's clock need not agree with the server's.
type slaLive struct {
	Show    bool
	Left    int64
	Running bool
	For     int64
}

func newSLALive(st *desk.SLAStatus, run desk.SLARun) slaLive {
	if st == nil || st.Breached || st.Paused || st.Clock == "" {
		return slaLive{}
	}
	l := slaLive{Show: true, Left: int64(st.Left / time.Second), Running: run.Running}
	if !run.Until.IsZero() {
		l.For = max(1, int64(run.Until.Sub(run.Now)/time.Second))
	}
	return l
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
	forms.fill(d.Ticket, s.zone(c))
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
	p.NewestFirst = newestFirst(c)
	p.Timeline = timeline(d.Articles, p.NewestFirst)
	p.Live = newSLALive(d.SLA, d.SLARun)
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
