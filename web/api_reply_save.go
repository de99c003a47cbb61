package web

import (
	"context"

	"github.com/gin-gonic/gin"

	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/ticket"
)

type replyJSON struct {
	Subject string `json:"subject"`
	Body    string `json:"body"`
}

func (s *server) apiReplySave(c *gin.Context) {
	var in replyJSON
	s.apiChange(c, "reply", &in, func(ctx context.Context, a desk.Principal, number, key string) (ticket.View, error) {
		return s.desk.Reply(ctx, a, number, desk.ReplyRequest{RequestKey: key, Subject: in.Subject, Body: in.Body})
	})
}
