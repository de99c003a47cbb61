package web

import (
	"context"

	"github.com/gin-gonic/gin"

	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/ticket"
)

type reopenJSON struct {
	Note string `json:"note"`
}

func (s *server) apiTicketReopen(c *gin.Context) {
	var in reopenJSON
	s.apiChange(c, "reopen", &in, func(ctx context.Context, a desk.Principal, number, key string) (ticket.View, error) {
		return s.desk.Reopen(ctx, a, number, desk.ReopenRequest{RequestKey: key, Note: in.Note})
	})
}
