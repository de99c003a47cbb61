package web

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/models"
)

// ticketForm is the new-phone-ticket form as the agent filled it in; it is
// shown again unchanged when the desk finds something to correct.
type ticketForm struct {
	RequestKey string
	Customer   string
	Title      string
	Body       string
	ServiceID  int64
	QueueID    int64
	TypeID     int64
	PriorityID int64
	ArticleExtras
}

type ticketCreatePage struct {
	layout
	Form    ticketForm
	Choices desk.FormChoices
	Fields  map[string]string
	// Query and Matches are the customer look-up above the form: with
	// thirty thousand kiz accounts there is no list to choose from.
	Query   string
	Matches []desk.CustomerMatch
}

func (s *server) ticketCreate(c *gin.Context) {
	choices, err := s.desk.FormChoices(c.Request.Context(), principalOf(c))
	if err != nil {
		s.fail(c, fmt.Errorf("new ticket form: %w", err))
		return
	}
	// The request key is made when the form is shown, not when it is sent:
	// sending the same form twice then makes one ticket.
	form := ticketForm{RequestKey: desk.NewRequestKey(), PriorityID: defaultPriority(choices.Priorities)}
	page := &ticketCreatePage{Choices: choices}
	p, kept, err := s.handedBack(c, newTicketFormKey, &form)
	if err != nil {
		s.fail(c, fmt.Errorf("new ticket form: %w", err))
		return
	}
	status := http.StatusOK
	if kept {
		status, page.Error, page.Fields = p.Status, p.Message, p.FieldTexts
	} else if login := c.Query("customer"); login != "" {
		form.Customer = login // picked from the look-up
	}
	if page.Query = c.Query("q"); page.Query != "" {
		page.Matches, err = s.desk.FindCustomers(c.Request.Context(), principalOf(c), page.Query)
		var fe desk.FieldErrors
		if errors.As(err, &fe) {
			if page.Fields == nil {
				page.Fields = map[string]string{}
			}
			page.Fields["q"] = s.localizer(c).Problem(fe["q"])
		} else if err != nil {
			s.fail(c, fmt.Errorf("customer look-up: %w", err))
			return
		}
	}
	page.Form = form
	s.render(c, status, "ticket_create", page)
}

// newTicketFormKey is what a refused new ticket form is kept under.
const newTicketFormKey = "ticket:new"

// defaultPriority is "3 normal" as in OTRS, or else the middle one.
func defaultPriority(ps []models.Priority) int64 {
	for _, p := range ps {
		if p.Name == "3 normal" {
			return p.ID
		}
	}
	if len(ps) == 0 {
		return 0
	}
	return ps[len(ps)/2].ID
}
