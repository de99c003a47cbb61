package web

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/kiz-ulm/kizdesk/desk"
)

// portalTicketSave opens the customer's new ticket and shows it; a form
// the desk refuses comes back with the fields marked.
func (s *server) portalTicketSave(c *gin.Context) {
	fe := desk.FieldErrors{}
	f := postedPortalTicket(c, fe)
	for k, p := range formTextProblems(c) {
		fe[k] = p
	}
	files, err := formUploads(c, "files")
	if err != nil {
		s.fail(c, err)
		return
	}
	f.HadFiles = len(files) > 0
	if f.RequestKey == "" {
		f.RequestKey = desk.NewRequestKey()
	}
	if len(fe) > 0 {
		err = fe
	} else {
		v, cerr := s.desk.PortalCreate(c.Request.Context(), principalOf(c), desk.PortalCreateRequest{
			RequestKey: f.RequestKey, ServiceID: f.ServiceID, TypeID: f.TypeID, Urgency: desk.Urgency(f.Urgency),
			Title: f.Title, Body: f.Body, Files: files,
		})
		if cerr == nil {
			sessionOf(c).addFlash(s.texts(c).T("ui.portal.flash.created", "Number", v.Number))
			s.redirect(c, "/portal/tickets/"+v.Number)
			return
		}
		err = fmt.Errorf("portal create: %w", cerr)
	}
	p := s.problemFor(c, err)
	if p.Status != http.StatusUnprocessableEntity && p.Status != http.StatusConflict {
		s.writeProblem(c, p)
		return
	}
	// Bad bytes are not shown again; everything else is, as typed.
	for k := range p.Fields {
		switch k {
		case "title":
			f.Title = cleanText(f.Title)
		case "body":
			f.Body = cleanText(f.Body)
		case "urgency":
			f.Urgency = cleanText(f.Urgency)
		}
	}
	f.RequestKey = cleanText(f.RequestKey)
	s.showPortalNew(c, p.Status, f, p.FieldTexts, p.Message)
}

// postedPortalTicket reads the new-request form as posted.
func postedPortalTicket(c *gin.Context, fe desk.FieldErrors) portalTicketForm {
	return portalTicketForm{
		RequestKey: strings.TrimSpace(c.PostForm("request_key")),
		ServiceID:  formID(c, "service_id", fe),
		TypeID:     formID(c, "type_id", fe),
		Urgency:    strings.TrimSpace(c.PostForm("urgency")),
		Title:      c.PostForm("title"),
		Body:       formText(c.PostForm("body")),
	}
}
