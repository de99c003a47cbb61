package web

import (
	"context"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/ticket"
)

// pendingJSON sets a pending state; Until is an RFC 3339 time with its
// offset. It is read here rather than by the JSON decoder, so a time that
// cannot be read is a field error (422) like any other, not a 400.
type pendingJSON struct {
	State string `json:"state"`
	Until string `json:"until"`
	Note  string `json:"note"`
}

func (s *server) apiTicketPending(c *gin.Context) {
	var in pendingJSON
	s.apiChange(c, "set pending", &in, func(ctx context.Context, a desk.Principal, number, key string) (ticket.View, error) {
		var until time.Time
		if v := strings.TrimSpace(in.Until); v != "" {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				return ticket.View{}, desk.FieldErrors{"until": ticket.P(ticket.FieldBadRFC3339)}
			}
			until = t
		}
		return s.desk.SetPending(ctx, a, number, desk.PendingRequest{RequestKey: key, State: in.State, Until: until, Note: in.Note})
	})
}
