package web

import (
	"strings"

	"github.com/gin-gonic/gin"
)

// portalErrorPage shows a problem in the portal's frame, leading back to
// the customer's requests rather than into the agent interface.
type portalErrorPage struct {
	portalLayout
	Message string
	Status  int
}

// Hint is the catalogue's explanation of the status, as on the agents'
// error page.
func (p *portalErrorPage) Hint() string {
	e := errorPage{layout: p.layout, Status: p.Status}
	return e.Hint()
}

// isPortal tells whether the request is one of the portal's pages.
func isPortal(c *gin.Context) bool {
	p := c.Request.URL.Path
	return p == portalHome || strings.HasPrefix(p, portalHome+"/")
}

func (s *server) writePortalProblem(c *gin.Context, p problem) {
	s.renderPortal(c, p.Status, "portal_error", &portalErrorPage{Message: p.Message, Status: p.Status})
}
