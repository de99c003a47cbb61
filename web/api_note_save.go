package web

import (
	"context"

	"github.com/gin-gonic/gin"

	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/ticket"
)

type addNoteJSON struct {
	Kind string `json:"kind"`
	Body string `json:"body"`
}

func (s *server) apiNoteSave(c *gin.Context) {
	var in addNoteJSON
	s.apiChange(c, "add note", &in, func(ctx context.Context, a desk.Principal, number, key string) (ticket.View, error) {
		return s.desk.AddNote(ctx, a, number, desk.AddNoteRequest{RequestKey: key, Kind: in.Kind, Body: in.Body})
	})
}
