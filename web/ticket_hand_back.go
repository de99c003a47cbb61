package web

import (
	"context"

	"github.com/gin-gonic/gin"

	"github.com/kiz-ulm/kizdesk/desk"
)

// handBackForm sends an escalated ticket back to 1st level.
type handBackForm struct {
	formState
	Note string
}

func (s *server) ticketHandBack(c *gin.Context) {
	f := handBackForm{formState: postedForm(c), Note: formText(c.PostForm("note"))}
	s.runAction(c, formAction{
		what: "hand back", form: &f.formState, back: func(fs *ticketForms) { fs.HandBack = f },
		call: func(ctx context.Context, a desk.Principal, number string) (string, error) {
			v, err := s.desk.HandBack(ctx, a, number, desk.HandBackRequest{RequestKey: f.RequestKey, Note: f.Note})
			return s.texts(c).T("ui.flash.handed_back", "Queue", v.QueueName), err
		},
	})
}
