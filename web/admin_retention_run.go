package web

import (
	"fmt"

	"github.com/gin-gonic/gin"
)

// adminRetentionRun is POST /admin/retention/run: run the tenant's
// retention now (the workflow the schedule starts), then the dry run
// page with what it did.
func (s *server) adminRetentionRun(c *gin.Context) {
	if fe := formTextProblems(c); len(fe) > 0 {
		s.fail(c, fe)
		return
	}
	run, err := s.desk.RunRetention(c.Request.Context(), principalOf(c))
	if err != nil {
		s.fail(c, fmt.Errorf("run retention: %w", err))
		return
	}
	sessionOf(c).addFlash(runFlash(s.texts(c), run))
	s.redirect(c, "/admin/retention")
}
