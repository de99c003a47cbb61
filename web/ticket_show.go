package web

import (
	"fmt"
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/models"
	"github.com/kiz-ulm/kizdesk/workflows"
)

type noteForm struct {
	RequestKey string
	Kind       string
	Body       string
	Fields     desk.FieldErrors
}

type closeForm struct {
	RequestKey string
	State      string
	Note       string
	Fields     desk.FieldErrors
}

type ticketPage struct {
	layout
	Ticket      models.TicketRow
	Articles    []models.Article
	History     []models.HistoryEntry
	Closed      bool
	TemporalURL string
	Note        noteForm
	Close       closeForm
	NoteKinds   []workflows.ArticleKind
	CloseStates []workflows.State
}

func (s *server) ticketShow(c *gin.Context) {
	number, err := numberParam(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.showTicket(c, http.StatusOK, number, noteForm{}, closeForm{}, "")
}

// showTicket renders the zoom; the note and close handlers use it too, to
// show their form again with the agent's input and what was wrong with it.
func (s *server) showTicket(c *gin.Context, status int, number string, note noteForm, cl closeForm, message string) {
	d, err := s.desk.Ticket(c.Request.Context(), agentOf(c), number)
	if err != nil {
		s.fail(c, fmt.Errorf("ticket %s: %w", number, err))
		return
	}
	if note.Kind == "" {
		note.Kind = string(workflows.ArticleInternalNote)
	}
	if cl.State == "" {
		cl.State = string(workflows.StateClosedSuccessful)
	}
	// Each form carries its own key, so a double submit changes the ticket
	// once; a form shown again after an error keeps its key.
	if note.RequestKey == "" {
		note.RequestKey = desk.NewRequestKey()
	}
	if cl.RequestKey == "" {
		cl.RequestKey = desk.NewRequestKey()
	}
	p := &ticketPage{
		layout:      layout{Title: "Ticket " + d.Ticket.Number, Error: message},
		Ticket:      d.Ticket,
		Articles:    d.Articles,
		History:     d.History,
		Closed:      workflows.State(d.Ticket.State).Closed(),
		Note:        note,
		Close:       cl,
		NoteKinds:   []workflows.ArticleKind{workflows.ArticleInternalNote, workflows.ArticlePhoneNote},
		CloseStates: []workflows.State{workflows.StateClosedSuccessful, workflows.StateClosedUnsuccessful},
	}
	if s.temporalURL != "" {
		p.TemporalURL = s.temporalURL + "/namespaces/" + url.PathEscape(s.namespace) +
			"/workflows/" + url.PathEscape(workflows.WorkflowID(d.Ticket.Number))
	}
	s.render(c, status, "ticket_show", p)
}
