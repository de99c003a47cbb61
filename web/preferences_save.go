package web

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
)

// preferencesSave is POST /agent/preferences/notifications: which
// notifications the agent gets by mail — the kinds ticked, none of the
// others. Then back to the preferences with a confirmation.
func (s *server) preferencesSave(c *gin.Context) {
	const back = "/agent/preferences"
	var err error
	p := principalOf(c)
	var f preferencesForm
	for _, v := range c.PostFormArray("notify") {
		f.On = append(f.On, cleanText(strings.TrimSpace(v)))
	}
	if fe := formTextProblems(c); len(fe) > 0 {
		err = fe
	} else if err = s.desk.SetNotifyPrefs(c.Request.Context(), p, f.On); err == nil {
		sessionOf(c).addFlash(s.texts(c).T("ui.prefs.saved"))
		s.redirect(c, back)
		return
	}
	pr := s.problemFor(c, fmt.Errorf("notification preferences of agent %d: %w", p.ID, err))
	if pr.Status != http.StatusUnprocessableEntity {
		s.writeProblem(c, pr)
		return
	}
	if !s.handBack(c, preferencesFormKey(p.ID), pr, &f, back) {
		s.writeProblem(c, pr)
	}
}
