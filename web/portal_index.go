package web

import (
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/kiz-ulm/kizdesk/models"
)

// portalRows is one list of the portal's start page.
type portalRows struct {
	L       texts
	Rows    []models.TicketRow
	Company bool
}

// portalIndexPage is the customer's start page: their open tickets and
// the closed ones still inside the reading window.
type portalIndexPage struct {
	portalLayout
	Open, Closed portalRows
	Company      bool
	ReadingDays  int
}

func (s *server) portalIndex(c *gin.Context) {
	list, err := s.desk.PortalTickets(c.Request.Context(), principalOf(c))
	if err != nil {
		s.fail(c, fmt.Errorf("portal tickets: %w", err))
		return
	}
	l := s.texts(c)
	s.renderPortal(c, http.StatusOK, "portal_index", &portalIndexPage{
		Open:    portalRows{L: l, Rows: list.Open, Company: list.Company},
		Closed:  portalRows{L: l, Rows: list.Closed, Company: list.Company},
		Company: list.Company, ReadingDays: list.ReadingDays,
	})
}
