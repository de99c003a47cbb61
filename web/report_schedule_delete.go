package web

import (
	"fmt"

	"github.com/gin-gonic/gin"
)

// reportScheduleDelete is POST /agent/reports/schedules/:id/delete: ends
// a scheduled report and its Temporal Schedule.
func (s *server) reportScheduleDelete(c *gin.Context) {
	id, err := idParam(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	if err := s.desk.DeleteReportSchedule(c.Request.Context(), principalOf(c), id); err != nil {
		s.fail(c, fmt.Errorf("delete report schedule %d: %w", id, err))
		return
	}
	sessionOf(c).addFlash(s.texts(c).T("ui.report.unscheduled"))
	s.redirect(c, "/agent/reports")
}
