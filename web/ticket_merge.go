package web

import (
	"context"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/kiz-ulm/kizdesk/desk"
)

// mergeForm merges the ticket into the ticket numbered Into.
type mergeForm struct {
	formState
	Into string
}

func (s *server) ticketMerge(c *gin.Context) {
	f := mergeForm{formState: postedForm(c), Into: strings.TrimSpace(c.PostForm("into"))}
	s.runAction(c, formAction{
		what: "merge", form: &f.formState, back: func(fs *ticketForms) { fs.Merge = f },
		call: func(ctx context.Context, a desk.Principal, number string) (string, error) {
			_, err := s.desk.Merge(ctx, a, number, desk.MergeRequest{RequestKey: f.RequestKey, Into: f.Into})
			return s.texts(c).T("ui.flash.merged", "Into", f.Into), err
		},
	})
}
