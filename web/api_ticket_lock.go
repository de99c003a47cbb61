package web

import (
	"context"

	"github.com/gin-gonic/gin"

	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/ticket"
)

type lockJSON struct {
	Locked *bool `json:"locked"`
}

func (s *server) apiTicketLock(c *gin.Context) {
	var in lockJSON
	s.apiChange(c, "lock", &in, func(ctx context.Context, a desk.Principal, number, key string) (ticket.View, error) {
		fe := desk.FieldErrors{}
		locked := required(in.Locked, "locked", fe)
		if len(fe) > 0 {
			return ticket.View{}, fe
		}
		return s.desk.Lock(ctx, a, number, desk.LockRequest{RequestKey: key, Locked: locked})
	})
}
