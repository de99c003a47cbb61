package web

import (
	"context"

	"github.com/gin-gonic/gin"

	"github.com/kiz-ulm/kizdesk/desk"
)

// classifyForm sets service (0: none), type and priority.
type classifyForm struct {
	formState
	ServiceID  int64
	TypeID     int64
	PriorityID int64
}

func (s *server) ticketClassify(c *gin.Context) {
	fe := desk.FieldErrors{}
	f := classifyForm{
		formState: postedForm(c), ServiceID: formID(c, "service_id", fe),
		TypeID: formID(c, "type_id", fe), PriorityID: formID(c, "priority_id", fe),
	}
	s.runAction(c, formAction{
		what: "classify", form: &f.formState, fields: fe, back: func(fs *ticketForms) { fs.Classify = f },
		call: func(ctx context.Context, a desk.Principal, number string) (string, error) {
			_, err := s.desk.Classify(ctx, a, number, desk.ClassifyRequest{
				RequestKey: f.RequestKey, ServiceID: f.ServiceID, TypeID: f.TypeID, PriorityID: f.PriorityID,
			})
			return s.texts(c).T("ui.flash.classified"), err
		},
	})
}
