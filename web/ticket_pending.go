package web

import (
	"context"

	"github.com/gin-gonic/gin"

	"github.com/kiz-ulm/kizdesk/desk"
)

// pendingForm sets a pending state until a time. Until is kept as the
// agent typed it (a datetime-local value in the agent's zone), so a form
// shown again shows the input, readable or not.
type pendingForm struct {
	formState
	State string
	Until string
	Note  string
}

func (s *server) ticketPending(c *gin.Context) {
	fe := desk.FieldErrors{}
	f := pendingForm{formState: postedForm(c), State: c.PostForm("state"), Until: c.PostForm("until"), Note: formText(c.PostForm("note"))}
	until := localTime(f.Until, s.zone(c), "until", fe)
	s.runAction(c, formAction{
		what: "set pending", form: &f.formState, fields: fe, back: func(fs *ticketForms) { fs.Pending = f },
		call: func(ctx context.Context, a desk.Principal, number string) (string, error) {
			_, err := s.desk.SetPending(ctx, a, number, desk.PendingRequest{RequestKey: f.RequestKey, State: f.State, Until: until, Note: f.Note})
			l := s.texts(c)
			untilText, _ := l.Time(until)
			return l.T("ui.flash.pending", "State", l.State(f.State), "Until", untilText), err
		},
	})
}
