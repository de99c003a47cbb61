package web

import (
	"context"

	"github.com/gin-gonic/gin"

	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/ticket"
)

type escalateJSON struct {
	QueueID int64  `json:"queue_id"`
	Note    string `json:"note"`
}

func (s *server) apiTicketEscalate(c *gin.Context) {
	var in escalateJSON
	s.apiChange(c, "escalate", &in, func(ctx context.Context, a desk.Principal, number, key string) (ticket.View, error) {
		return s.desk.Escalate(ctx, a, number, desk.EscalateRequest{RequestKey: key, QueueID: in.QueueID, Note: in.Note})
	})
}
