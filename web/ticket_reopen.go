package web

import (
	"context"

	"github.com/gin-gonic/gin"

	"github.com/kiz-ulm/kizdesk/desk"
)

type reopenForm struct {
	formState
	Note string
}

func (s *server) ticketReopen(c *gin.Context) {
	f := reopenForm{formState: postedForm(c), Note: formText(c.PostForm("note"))}
	s.runAction(c, formAction{
		what: "reopen", form: &f.formState, back: func(fs *ticketForms) { fs.Reopen = f },
		call: func(ctx context.Context, a desk.Principal, number string) (string, error) {
			_, err := s.desk.Reopen(ctx, a, number, desk.ReopenRequest{RequestKey: f.RequestKey, Note: f.Note})
			return s.texts(c).T("ui.flash.reopened"), err
		},
	})
}
