package web

import (
	"context"

	"github.com/gin-gonic/gin"

	"github.com/kiz-ulm/kizdesk/desk"
)

// lockForm is one button: lock (the agent becomes owner) or unlock,
// whichever the ticket is not.
type lockForm struct {
	formState
}

func (s *server) ticketLock(c *gin.Context) {
	fe := desk.FieldErrors{}
	f := lockForm{formState: postedForm(c)}
	locked := formBool(c, "locked", fe)
	s.runAction(c, formAction{
		what: "lock", form: &f.formState, fields: fe, back: func(fs *ticketForms) { fs.Lock = f },
		call: func(ctx context.Context, a desk.Principal, number string) (string, error) {
			_, err := s.desk.Lock(ctx, a, number, desk.LockRequest{RequestKey: f.RequestKey, Locked: locked})
			if locked {
				return s.texts(c).T("ui.flash.locked"), err
			}
			return s.texts(c).T("ui.flash.unlocked"), err
		},
	})
}
