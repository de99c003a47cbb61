package web

import (
	"context"

	"github.com/gin-gonic/gin"

	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/ticket"
)

// replyJSON answers the customer; NextState and NextUntil (RFC 3339) move
// the ticket on with the reply, as one change.
type replyJSON struct {
	Subject   string `json:"subject"`
	Body      string `json:"body"`
	NextState string `json:"next_state"`
	NextUntil string `json:"next_until"`
}

func (s *server) apiReplySave(c *gin.Context) {
	var in replyJSON
	s.apiChange(c, "reply", &in, func(ctx context.Context, a desk.Principal, number, key string) (ticket.View, error) {
		until, err := apiTime(in.NextUntil, "next_until")
		if err != nil {
			return ticket.View{}, err
		}
		return s.desk.Reply(ctx, a, number, desk.ReplyRequest{RequestKey: key, Subject: in.Subject, Body: in.Body,
			NextState: in.NextState, NextUntil: until})
	})
}
