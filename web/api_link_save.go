package web

import (
	"context"

	"github.com/gin-gonic/gin"

	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/ticket"
)

type linkJSON struct {
	Other string `json:"other"`
}

func (s *server) apiLinkSave(c *gin.Context) {
	var in linkJSON
	s.apiChange(c, "link", &in, func(ctx context.Context, a desk.Principal, number, key string) (ticket.View, error) {
		return s.desk.Link(ctx, a, number, desk.LinkRequest{RequestKey: key, Other: in.Other})
	})
}
