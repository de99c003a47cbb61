package web

import (
	"context"

	"github.com/gin-gonic/gin"

	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/ticket"
)

type handBackJSON struct {
	Note string `json:"note"`
}

func (s *server) apiTicketHandBack(c *gin.Context) {
	var in handBackJSON
	s.apiChange(c, "hand back", &in, func(ctx context.Context, a desk.Principal, number, key string) (ticket.View, error) {
		return s.desk.HandBack(ctx, a, number, desk.HandBackRequest{RequestKey: key, Note: in.Note})
	})
}
