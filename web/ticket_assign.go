package web

import (
	"context"

	"github.com/gin-gonic/gin"

	"github.com/kiz-ulm/kizdesk/desk"
)

// assignForm sets owner and responsible; 0 is nobody.
type assignForm struct {
	formState
	OwnerID       int64
	ResponsibleID int64
}

func (s *server) ticketAssign(c *gin.Context) {
	fe := desk.FieldErrors{}
	f := assignForm{formState: postedForm(c), OwnerID: formID(c, "owner_id", fe), ResponsibleID: formID(c, "responsible_id", fe)}
	s.runAction(c, formAction{
		what: "assign", form: &f.formState, fields: fe, back: func(fs *ticketForms) { fs.Assign = f },
		call: func(ctx context.Context, a desk.Principal, number string) (string, error) {
			_, err := s.desk.Assign(ctx, a, number, desk.AssignRequest{RequestKey: f.RequestKey, OwnerID: f.OwnerID, ResponsibleID: f.ResponsibleID})
			return s.texts(c).T("ui.flash.assigned"), err
		},
	})
}
