package web

import (
	"context"

	"github.com/gin-gonic/gin"

	"github.com/kiz-ulm/kizdesk/desk"
)

// escalateForm sends the ticket to a 2nd-level or team queue.
type escalateForm struct {
	formState
	QueueID int64
	Note    string
}

func (s *server) ticketEscalate(c *gin.Context) {
	fe := desk.FieldErrors{}
	f := escalateForm{formState: postedForm(c), QueueID: formID(c, "queue_id", fe), Note: formText(c.PostForm("note"))}
	s.runAction(c, formAction{
		what: "escalate", form: &f.formState, fields: fe, back: func(fs *ticketForms) { fs.Escalate = f },
		call: func(ctx context.Context, a desk.Principal, number string) (string, error) {
			v, err := s.desk.Escalate(ctx, a, number, desk.EscalateRequest{RequestKey: f.RequestKey, QueueID: f.QueueID, Note: f.Note})
			return s.texts(c).T("ui.flash.escalated", "Queue", v.QueueName), err
		},
	})
}
