package web

import (
	"context"

	"github.com/gin-gonic/gin"

	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/ticket"
)

type mergeJSON struct {
	Into string `json:"into"`
}

func (s *server) apiTicketMerge(c *gin.Context) {
	var in mergeJSON
	s.apiChange(c, "merge", &in, func(ctx context.Context, a desk.Principal, number, key string) (ticket.View, error) {
		return s.desk.Merge(ctx, a, number, desk.MergeRequest{RequestKey: key, Into: in.Into})
	})
}
