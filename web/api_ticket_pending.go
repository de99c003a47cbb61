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
		until, err := apiTime(in.Until, "until")
		if err != nil {
			return ticket.View{}, err
		}
		return s.desk.SetPending(ctx, a, number, desk.PendingRequest{RequestKey: key, State: in.State, Until: until, Note: in.Note})
	})
}

// apiTime reads an optional RFC 3339 time (with its offset) of field;
// empty is the zero time, and the desk says whether one is required.
func apiTime(v, field string) (time.Time, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, desk.FieldErrors{field: ticket.P(ticket.FieldBadRFC3339)}
	}
	return t, nil
}
