package web

import (
	"context"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/ticket"
)

// ticketSplit is POST /agent/tickets/:number/articles/:seq/split: the
// article becomes a new ticket, linked to this one; the zoom says which.
func (s *server) ticketSplit(c *gin.Context) {
	f := postedForm(c)
	fe := desk.FieldErrors{}
	seq, err := strconv.Atoi(c.Param("seq"))
	if err != nil || seq < 1 {
		fe["seq"] = ticket.P(ticket.FieldChoose)
	}
	s.runAction(c, formAction{
		what: "split", form: &f, fields: fe, back: func(*ticketForms) {},
		call: func(ctx context.Context, a desk.Principal, number string) (string, error) {
			v, err := s.desk.Split(ctx, a, number, desk.SplitRequest{RequestKey: f.RequestKey, Seq: seq})
			return s.texts(c).T("ui.flash.split", "Ticket", v.Number), err
		},
	})
}
