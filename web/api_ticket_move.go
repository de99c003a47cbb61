package web

import (
	"context"

	"github.com/gin-gonic/gin"

	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/ticket"
)

type moveJSON struct {
	QueueID int64 `json:"queue_id"`
}

func (s *server) apiTicketMove(c *gin.Context) {
	var in moveJSON
	s.apiChange(c, "move", &in, func(ctx context.Context, a desk.Principal, number, key string) (ticket.View, error) {
		return s.desk.Move(ctx, a, number, desk.MoveRequest{RequestKey: key, QueueID: in.QueueID})
	})
}
