package web

import (
	"context"

	"github.com/gin-gonic/gin"

	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/ticket"
)

type classifyJSON struct {
	ServiceID  int64 `json:"service_id"`
	TypeID     int64 `json:"type_id"`
	PriorityID int64 `json:"priority_id"`
}

func (s *server) apiTicketClassify(c *gin.Context) {
	var in classifyJSON
	s.apiChange(c, "classify", &in, func(ctx context.Context, a desk.Principal, number, key string) (ticket.View, error) {
		return s.desk.Classify(ctx, a, number, desk.ClassifyRequest{
			RequestKey: key, ServiceID: in.ServiceID, TypeID: in.TypeID, PriorityID: in.PriorityID,
		})
	})
}
