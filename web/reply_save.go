package web

import (
	"context"

	"github.com/gin-gonic/gin"

	"github.com/kiz-ulm/kizdesk/desk"
)

type replyForm struct {
	formState
	Subject string
	Body    string
	nextFields
	ArticleExtras
}

func (s *server) replySave(c *gin.Context) {
	fe := desk.FieldErrors{}
	f := replyForm{formState: postedForm(c), Subject: c.PostForm("subject"), Body: formText(c.PostForm("body")), nextFields: postedNext(c)}
	until := localTime(f.NextUntil, s.zone(c), "next_until", fe)
	var minutes int
	var files []desk.Upload
	var err error
	if f.ArticleExtras, minutes, files, err = postedExtras(c, fe); err != nil {
		s.fail(c, err)
		return
	}
	s.runAction(c, formAction{
		what: "reply", form: &f.formState, fields: fe, back: func(fs *ticketForms) { fs.Reply = f },
		call: func(ctx context.Context, a desk.Principal, number string) (string, error) {
			_, err := s.desk.Reply(ctx, a, number, desk.ReplyRequest{RequestKey: f.RequestKey, Subject: f.Subject, Body: f.Body,
				NextState: f.NextState, NextUntil: until, Files: files, Minutes: minutes})
			return s.texts(c).T("ui.flash.reply_sent"), err
		},
	})
}
