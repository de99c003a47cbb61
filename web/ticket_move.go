package web

import (
	"context"

	"github.com/gin-gonic/gin"

	"github.com/kiz-ulm/kizdesk/desk"
)

type moveForm struct {
	formState
	QueueID int64
}

func (s *server) ticketMove(c *gin.Context) {
	fe := desk.FieldErrors{}
	f := moveForm{formState: postedForm(c), QueueID: formID(c, "queue_id", fe)}
	s.runAction(c, formAction{
		what: "move", form: &f.formState, fields: fe, back: func(fs *ticketForms) { fs.Move = f },
		call: func(ctx context.Context, a desk.Principal, number string) (string, error) {
			v, err := s.desk.Move(ctx, a, number, desk.MoveRequest{RequestKey: f.RequestKey, QueueID: f.QueueID})
			return s.texts(c).T("ui.flash.moved", "Queue", v.QueueName), err
		},
	})
}
