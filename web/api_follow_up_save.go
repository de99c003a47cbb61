package web

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/ticket"
)

// followUpJSON is a customer's message about a ticket as a mail gateway or
// the portal sends it. MessageID identifies the message: delivered twice,
// it is taken once.
type followUpJSON struct {
	Customer  string `json:"customer"`
	Subject   string `json:"subject"`
	Body      string `json:"body"`
	MessageID string `json:"message_id"`
}

type followUpResultJSON struct {
	Number    string `json:"number"`
	NewTicket bool   `json:"new_ticket"`
}

// apiFollowUpSave hands the message to the ticket (or, past its follow-up
// window, to a new ticket linked to it). The ticket's process takes it in
// on its own time, hence 202 Accepted.
func (s *server) apiFollowUpSave(c *gin.Context) {
	number, err := numberParam(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	var in followUpJSON
	if err := decodeJSON(c, &in); err != nil {
		s.fail(c, err)
		return
	}
	key, err := messageKey(c.GetHeader("Idempotency-Key"), in.MessageID)
	if err != nil {
		s.fail(c, err)
		return
	}
	res, err := s.desk.FollowUp(c.Request.Context(), principalOf(c), number, desk.FollowUpRequest{
		CustomerLogin: in.Customer, Subject: in.Subject, Body: in.Body, Key: key,
	})
	var fe desk.FieldErrors
	if errors.As(err, &fe) && fe["key"].Code != "" {
		// The desk calls the message's identity its key; here it is message_id.
		fe["message_id"] = fe["key"]
		delete(fe, "key")
	}
	if err != nil {
		s.fail(c, fmt.Errorf("follow-up to ticket %s: %w", number, err))
		return
	}
	c.Header("Location", "/api/v1/tickets/"+res.Number)
	c.JSON(http.StatusAccepted, followUpResultJSON{Number: res.Number, NewTicket: res.NewTicket})
}

// messageKey picks the follow-up's key: message_id or the Idempotency-Key
// header. Without either, every request is a new message.
func messageKey(header, field string) (string, error) {
	header, field = strings.TrimSpace(header), strings.TrimSpace(field)
	if header != "" && field != "" && header != field {
		return "", &badRequest{code: ticket.MsgBadRequest, detail: "the Idempotency-Key header and message_id differ"}
	}
	if field != "" {
		return field, nil
	}
	return header, nil
}
