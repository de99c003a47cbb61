package web

import (
	"context"

	"github.com/gin-gonic/gin"

	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/ticket"
)

// addNoteJSON adds a note; NextState and NextUntil (RFC 3339) move the
// ticket on with it, as one change.
type addNoteJSON struct {
	Kind      string `json:"kind"`
	Body      string `json:"body"`
	NextState string `json:"next_state"`
	NextUntil string `json:"next_until"`
}

func (s *server) apiNoteSave(c *gin.Context) {
	var in addNoteJSON
	s.apiChange(c, "add note", &in, func(ctx context.Context, a desk.Principal, number, key string) (ticket.View, error) {
		until, err := apiTime(in.NextUntil, "next_until")
		if err != nil {
			return ticket.View{}, err
		}
		return s.desk.AddNote(ctx, a, number, desk.AddNoteRequest{RequestKey: key, Kind: in.Kind, Body: in.Body,
			NextState: in.NextState, NextUntil: until})
	})
}
