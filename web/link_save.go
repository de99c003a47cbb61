package web

import (
	"context"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/kiz-ulm/kizdesk/desk"
)

// linkForm links the ticket with the ticket numbered Other.
type linkForm struct {
	formState
	Other string
}

func (s *server) linkSave(c *gin.Context) {
	f := linkForm{formState: postedForm(c), Other: strings.TrimSpace(c.PostForm("other"))}
	s.runAction(c, formAction{
		what: "link", form: &f.formState, back: func(fs *ticketForms) { fs.Link = f },
		call: func(ctx context.Context, a desk.Principal, number string) (string, error) {
			_, err := s.desk.Link(ctx, a, number, desk.LinkRequest{RequestKey: f.RequestKey, Other: f.Other})
			return s.texts(c).T("ui.flash.linked", "Other", f.Other), err
		},
	})
}
