package web

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/kiz-ulm/kizdesk/desk"
)

// portalReplySave adds the customer's answer to their ticket. An answer
// to a ticket past its follow-up window opens a new ticket, which the
// customer is then shown.
func (s *server) portalReplySave(c *gin.Context) {
	number := c.Param("number")
	body := formText(c.PostForm("body"))
	key := strings.TrimSpace(c.PostForm("request_key"))
	fe := formTextProblems(c)
	files, err := formUploads(c, "files")
	if err != nil {
		s.fail(c, err)
		return
	}
	if len(fe) > 0 {
		err = fe
	} else {
		res, rerr := s.desk.PortalReply(c.Request.Context(), principalOf(c), number, desk.PortalReplyRequest{RequestKey: key, Body: body, Files: files})
		if rerr == nil {
			msg := "ui.portal.flash.replied"
			if res.NewTicket {
				msg = "ui.portal.flash.new_ticket"
			}
			sessionOf(c).addFlash(s.texts(c).T(msg, "Number", res.Number))
			s.redirect(c, "/portal/tickets/"+res.Number)
			return
		}
		err = fmt.Errorf("portal reply to %s: %w", number, rerr)
	}
	p := s.problemFor(c, err)
	if p.Status != http.StatusUnprocessableEntity && p.Status != http.StatusConflict {
		s.writeProblem(c, p)
		return
	}
	if _, bad := p.Fields["body"]; bad {
		body = cleanText(body)
	}
	s.showPortalTicket(c, p.Status, number, body, p.FieldTexts, p.Message)
}
