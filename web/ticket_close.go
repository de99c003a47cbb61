package web

import (
	"context"

	"github.com/gin-gonic/gin"

	"github.com/kiz-ulm/kizdesk/desk"
)

type closeForm struct {
	formState
	State string
	Note  string
}

func (s *server) ticketClose(c *gin.Context) {
	f := closeForm{formState: postedForm(c), State: c.PostForm("state"), Note: formText(c.PostForm("note"))}
	s.runAction(c, formAction{
		what: "close", form: &f.formState, back: func(fs *ticketForms) { fs.Close = f },
		call: func(ctx context.Context, a desk.Principal, number string) (string, error) {
			_, err := s.desk.Close(ctx, a, number, desk.CloseRequest{RequestKey: f.RequestKey, State: f.State, Note: f.Note})
			return s.texts(c).T("ui.flash.closed"), err
		},
	})
}
