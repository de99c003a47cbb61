package web

import (
	"context"

	"github.com/gin-gonic/gin"

	"github.com/kiz-ulm/kizdesk/desk"
)

// watchForm adds or removes a watcher (AgentID 0: the agent sending it);
// its two buttons say which.
type watchForm struct {
	formState
	AgentID int64
}

func (s *server) ticketWatch(c *gin.Context) {
	fe := desk.FieldErrors{}
	f := watchForm{formState: postedForm(c), AgentID: formID(c, "agent_id", fe)}
	watch := formBool(c, "watch", fe)
	s.runAction(c, formAction{
		what: "watch", form: &f.formState, fields: fe, back: func(fs *ticketForms) { fs.Watch = f },
		call: func(ctx context.Context, a desk.Principal, number string) (string, error) {
			_, err := s.desk.Watch(ctx, a, number, desk.WatchRequest{RequestKey: f.RequestKey, AgentID: f.AgentID, Watch: watch})
			if watch {
				return s.texts(c).T("ui.flash.watcher_added"), err
			}
			return s.texts(c).T("ui.flash.watcher_removed"), err
		},
	})
}
