package web

import (
	"context"

	"github.com/gin-gonic/gin"

	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/ticket"
)

type closeJSON struct {
	State string `json:"state"`
	Note  string `json:"note"`
}

func (s *server) apiTicketClose(c *gin.Context) {
	var in closeJSON
	s.apiChange(c, "close", &in, func(ctx context.Context, a desk.Principal, number, key string) (ticket.View, error) {
		return s.desk.Close(ctx, a, number, desk.CloseRequest{RequestKey: key, State: in.State, Note: in.Note})
	})
}
