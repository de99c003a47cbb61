package web

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/ticket"
)

type createTicketJSON struct {
	Customer   string `json:"customer"`
	Title      string `json:"title"`
	Body       string `json:"body"`
	ServiceID  int64  `json:"service_id"`
	QueueID    int64  `json:"queue_id"`
	TypeID     int64  `json:"type_id"`
	PriorityID int64  `json:"priority_id"`
	RequestKey string `json:"request_key"`
}

func (s *server) apiTicketSave(c *gin.Context) {
	var in createTicketJSON
	if err := decodeJSON(c, &in); err != nil {
		s.fail(c, err)
		return
	}
	key, err := requestKey(c.GetHeader("Idempotency-Key"), in.RequestKey)
	if err != nil {
		s.fail(c, err)
		return
	}
	v, err := s.desk.CreateTicket(c.Request.Context(), principalOf(c), desk.CreateTicketRequest{
		RequestKey: key, CustomerLogin: in.Customer, Title: in.Title, Body: in.Body,
		ServiceID: in.ServiceID, QueueID: in.QueueID, TypeID: in.TypeID, PriorityID: in.PriorityID,
	})
	if err != nil {
		s.fail(c, fmt.Errorf("create ticket: %w", err))
		return
	}
	c.Header("Location", "/api/v1/tickets/"+v.Number)
	c.JSON(http.StatusCreated, viewJSON(v))
}

// requestKey picks the create's idempotency key: the Idempotency-Key header
// or the request_key field. A client that sends no key still gets exactly
// one ticket per request, just no safe retry.
func requestKey(header, field string) (string, error) {
	header, field = strings.TrimSpace(header), strings.TrimSpace(field)
	switch {
	case header != "" && field != "" && header != field:
		return "", &badRequest{code: ticket.MsgBadRequest, detail: "the Idempotency-Key header and request_key differ"}
	case header != "":
		return header, nil
	case field != "":
		return field, nil
	}
	return desk.NewRequestKey(), nil
}
