package web

import (
	"context"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/ticket"
)

// timeForm accounts working time on the ticket.
type timeForm struct {
	formState
	Minutes string
	Note    string
}

func (s *server) timeSave(c *gin.Context) {
	f := timeForm{formState: postedForm(c), Minutes: strings.TrimSpace(c.PostForm("minutes")), Note: formText(c.PostForm("note"))}
	fe := desk.FieldErrors{}
	minutes, err := strconv.Atoi(f.Minutes)
	if err != nil {
		fe["minutes"] = ticket.P(ticket.FieldBadNumber)
	}
	s.runAction(c, formAction{
		what: "account time", form: &f.formState, fields: fe, back: func(fs *ticketForms) { fs.Time = f },
		call: func(ctx context.Context, a desk.Principal, number string) (string, error) {
			_, err := s.desk.AddTime(ctx, a, number, desk.TimeRequest{RequestKey: f.RequestKey, Minutes: minutes, Note: f.Note})
			return s.texts(c).T("ui.flash.time_added", "Minutes", minutes), err
		},
	})
}
