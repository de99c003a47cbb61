package web

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
)

// timeZoneForm is the time zone form as sent.
type timeZoneForm struct {
	Zone   string
	Fields map[string]string `json:"-"`
}

// timeZoneFormKey is what a refused time zone form is kept under.
func timeZoneFormKey(agentID int64) string { return fmt.Sprintf("time-zone:%d", agentID) }

// timeZoneSave is POST /agent/preferences/time-zone: the zone the agent
// reads and types times in ("" = the desk's). Then back to the
// preferences with a confirmation, whose times already speak the zone.
func (s *server) timeZoneSave(c *gin.Context) {
	const back = "/agent/preferences"
	var err error
	p := principalOf(c)
	f := timeZoneForm{Zone: strings.TrimSpace(c.PostForm("time_zone"))}
	if fe := formTextProblems(c); len(fe) > 0 {
		f.Zone = cleanText(f.Zone)
		err = fe
	} else if err = s.desk.SetTimeZone(c.Request.Context(), p, f.Zone); err == nil {
		sessionOf(c).addFlash(s.texts(c).T("ui.tz.saved"))
		s.redirect(c, back)
		return
	}
	pr := s.problemFor(c, fmt.Errorf("time zone of agent %d: %w", p.ID, err))
	if pr.Status != http.StatusUnprocessableEntity {
		s.writeProblem(c, pr)
		return
	}
	if !s.handBack(c, timeZoneFormKey(p.ID), pr, &f, back) {
		s.writeProblem(c, pr)
	}
}
