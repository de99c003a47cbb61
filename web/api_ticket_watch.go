package web

import (
	"context"

	"github.com/gin-gonic/gin"

	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/ticket"
)

type watchJSON struct {
	AgentID int64 `json:"agent_id"`
	Watch   *bool `json:"watch"`
}

func (s *server) apiTicketWatch(c *gin.Context) {
	var in watchJSON
	s.apiChange(c, "watch", &in, func(ctx context.Context, a desk.Principal, number, key string) (ticket.View, error) {
		fe := desk.FieldErrors{}
		watch := required(in.Watch, "watch", fe)
		if len(fe) > 0 {
			return ticket.View{}, fe
		}
		return s.desk.Watch(ctx, a, number, desk.WatchRequest{RequestKey: key, AgentID: in.AgentID, Watch: watch})
	})
}
