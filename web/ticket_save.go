package web

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/kiz-ulm/kizdesk/desk"
)

func (s *server) ticketSave(c *gin.Context) {
	ctx, a := c.Request.Context(), principalOf(c)
	fe := desk.FieldErrors{}
	f := ticketForm{
		RequestKey: strings.TrimSpace(c.PostForm("request_key")),
		Customer:   strings.TrimSpace(c.PostForm("customer")),
		Title:      c.PostForm("title"),
		Body:       formText(c.PostForm("body")),
		ServiceID:  formID(c, "service_id", fe),
		QueueID:    formID(c, "queue_id", fe),
		TypeID:     formID(c, "type_id", fe),
		PriorityID: formID(c, "priority_id", fe),
	}
	for k, p := range formTextProblems(c) {
		fe[k] = p
	}
	extras, minutes, files, err := postedExtras(c, fe)
	if err != nil {
		s.fail(c, err)
		return
	}
	f.ArticleExtras = extras
	if f.RequestKey == "" {
		// A form from before request keys, or a hand-made post: still
		// one ticket per submit, just without double-submit protection.
		f.RequestKey = desk.NewRequestKey()
	}

	if len(fe) > 0 {
		err = fe
	} else {
		v, cerr := s.desk.CreateTicket(ctx, a, desk.CreateTicketRequest{
			RequestKey: f.RequestKey, CustomerLogin: f.Customer, Title: f.Title, Body: f.Body,
			ServiceID: f.ServiceID, QueueID: f.QueueID, TypeID: f.TypeID, PriorityID: f.PriorityID,
			Files: files, Minutes: minutes,
		})
		if cerr == nil {
			sessionOf(c).addFlash(s.texts(c).T("ui.flash.created", "Number", v.Number))
			s.redirect(c, "/agent/tickets/"+v.Number)
			return
		}
		err = fmt.Errorf("create ticket: %w", cerr)
	}

	p := s.problemFor(c, err)
	if p.Status != http.StatusUnprocessableEntity && p.Status != http.StatusConflict {
		s.writeProblem(c, p)
		return
	}
	if s.handBack(c, newTicketFormKey, p, &f, "/agent/tickets/new") {
		return
	}
	choices, cerr := s.desk.FormChoices(ctx, a)
	if cerr != nil {
		s.fail(c, fmt.Errorf("new ticket form: %w", cerr))
		return
	}
	s.render(c, p.Status, "ticket_create", &ticketCreatePage{
		layout: layout{Error: p.Message}, Form: f, Choices: choices, Fields: p.FieldTexts,
	})
}

// formText undoes what browsers do to textarea line breaks (CRLF), so a
// note typed in the browser is stored like one sent through the API.
func formText(s string) string {
	return strings.ReplaceAll(s, "\r\n", "\n")
}
