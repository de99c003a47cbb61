package web

import (
	"context"

	"github.com/gin-gonic/gin"

	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/ticket"
)

type timeJSON struct {
	Minutes int    `json:"minutes"`
	Note    string `json:"note"`
}

func (s *server) apiTimeSave(c *gin.Context) {
	var in timeJSON
	s.apiChange(c, "account time", &in, func(ctx context.Context, a desk.Principal, number, key string) (ticket.View, error) {
		return s.desk.AddTime(ctx, a, number, desk.TimeRequest{RequestKey: key, Minutes: in.Minutes, Note: in.Note})
	})
}
