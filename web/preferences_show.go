package web

import (
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/models"
)

// preferencesForm is the notification form as sent: the kinds ticked.
type preferencesForm struct {
	On     []string
	Fields map[string]string `json:"-"`
}

type preferencesPage struct {
	layout
	// Mine are the notifications about the agent's own tickets, Queues
	// those about the tickets of the agent's queues.
	Mine, Queues []desk.NotifyPref
	Form         preferencesForm
	// Zones are the time zones offered, the agent's chosen (or the
	// refused form's) selected; ZoneForm is a refused time zone form.
	Zones    []zoneOption
	ZoneForm timeZoneForm
}

// preferencesFormKey is what a refused notification form is kept under.
func preferencesFormKey(agentID int64) string { return fmt.Sprintf("preferences:%d", agentID) }

// preferencesShow is GET /agent/preferences: the agent's own settings,
// which notifications they get by mail.
func (s *server) preferencesShow(c *gin.Context) {
	ctx, p := c.Request.Context(), principalOf(c)
	page := &preferencesPage{}
	pr, kept, err := s.handedBack(c, preferencesFormKey(p.ID), &page.Form)
	if err != nil {
		s.fail(c, err)
		return
	}
	zpr, zoneKept, err := s.handedBack(c, timeZoneFormKey(p.ID), &page.ZoneForm)
	if err != nil {
		s.fail(c, err)
		return
	}
	if !zoneKept {
		if v, ok := c.Get(keyAgent); ok {
			page.ZoneForm.Zone = v.(models.Agent).TimeZone
		}
	}
	page.Zones = s.zoneOptions(page.ZoneForm.Zone)
	prefs, err := s.desk.NotifyPrefs(ctx, p)
	if err != nil {
		s.fail(c, fmt.Errorf("notification preferences: %w", err))
		return
	}
	status := http.StatusOK
	if kept {
		// The refused form shows what was ticked, not what is stored.
		status, page.Error, page.Form.Fields = pr.Status, pr.Message, pr.FieldTexts
		on := map[string]bool{}
		for _, k := range page.Form.On {
			on[k] = true
		}
		for i := range prefs {
			prefs[i].Mail = on[prefs[i].Kind]
		}
	}
	if zoneKept {
		status, page.Error, page.ZoneForm.Fields = zpr.Status, zpr.Message, zpr.FieldTexts
	}
	for _, np := range prefs {
		if np.ToAgent {
			page.Mine = append(page.Mine, np)
		} else {
			page.Queues = append(page.Queues, np)
		}
	}
	s.render(c, status, "preferences", page)
}
