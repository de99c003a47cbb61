package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/models"
)

// reportScheduleSave is POST /agent/reports/schedules: mails the report
// shown (kind, grouping, granularity posted with the form) on a schedule
// to the chosen agents, each with their own permissions.
func (s *server) reportScheduleSave(c *gin.Context) {
	p := principalOf(c)
	fe := formTextProblems(c)
	sf := scheduleForm{Name: strings.TrimSpace(c.PostForm("name")), PeriodDays: strings.TrimSpace(c.PostForm("period_days")),
		Format: c.PostForm("format"), Cron: strings.TrimSpace(c.PostForm("cron")), Recipients: map[int64]bool{}}
	req := desk.ReportScheduleRequest{Name: sf.Name, Kind: desk.ReportKind(c.PostForm("kind")), GroupBy: models.ReportDim(c.PostForm("group")),
		Granularity: desk.Granularity(c.PostForm("granularity")), Format: desk.ReportFormat(sf.Format), Cron: sf.Cron}
	// Numbers that are none go to the desk as impossible ones: it
	// checks the agent may report at all first, then says what is wrong.
	days, err := strconv.Atoi(sf.PeriodDays)
	if err != nil {
		days = -1
	}
	req.PeriodDays = days
	for _, v := range c.PostFormArray("recipients") {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			id = -1
		} else {
			sf.Recipients[id] = true
		}
		req.Recipients = append(req.Recipients, id)
	}
	if len(fe) == 0 {
		if _, err = s.desk.SaveReportSchedule(c.Request.Context(), p, req); err == nil {
			sessionOf(c).addFlash(s.texts(c).T("ui.report.scheduled", "Name", req.Name))
			s.redirect(c, "/agent/reports")
			return
		}
	} else {
		err = fe
	}
	pr := s.problemFor(c, fmt.Errorf("schedule report: %w", err))
	if pr.Status != http.StatusUnprocessableEntity {
		s.writeProblem(c, pr)
		return
	}
	// Back to the report the form was under; a parameter with bytes no
	// parameter has is left out (the page then shows its default).
	q := url.Values{}
	for _, name := range []string{"kind", "group", "granularity"} {
		if _, bad := badText(name, c.PostForm(name)); !bad {
			q.Set(name, c.PostForm(name))
		}
	}
	back := "/agent/reports?" + q.Encode()
	if !s.handBack(c, reportFormKey(p.ID), pr, &sf, back) {
		s.writeProblem(c, pr)
	}
}

// reportFormKey is what a refused schedule form is kept under.
func reportFormKey(agentID int64) string { return fmt.Sprintf("report-schedule:%d", agentID) }
