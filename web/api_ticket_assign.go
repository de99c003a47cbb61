package web

import (
	"context"

	"github.com/gin-gonic/gin"

	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/ticket"
)

type assignJSON struct {
	OwnerID       int64 `json:"owner_id"`
	ResponsibleID int64 `json:"responsible_id"`
}

func (s *server) apiTicketAssign(c *gin.Context) {
	var in assignJSON
	s.apiChange(c, "assign", &in, func(ctx context.Context, a desk.Principal, number, key string) (ticket.View, error) {
		return s.desk.Assign(ctx, a, number, desk.AssignRequest{RequestKey: key, OwnerID: in.OwnerID, ResponsibleID: in.ResponsibleID})
	})
}
