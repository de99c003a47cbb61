package web

import (
	"context"

	"github.com/gin-gonic/gin"

	"github.com/kiz-ulm/kizdesk/desk"
)

type noteForm struct {
	formState
	Kind string
	Body string
	nextFields
	ArticleExtras
}

func (s *server) noteSave(c *gin.Context) {
	fe := desk.FieldErrors{}
	f := noteForm{formState: postedForm(c), Kind: c.PostForm("kind"), Body: formText(c.PostForm("body")), nextFields: postedNext(c)}
	until := localTime(f.NextUntil, s.zone(c), "next_until", fe)
	var minutes int
	var files []desk.Upload
	var err error
	if f.ArticleExtras, minutes, files, err = postedExtras(c, fe); err != nil {
		s.fail(c, err)
		return
	}
	s.runAction(c, formAction{
		what: "add note", form: &f.formState, fields: fe, back: func(fs *ticketForms) { fs.Note = f },
		call: func(ctx context.Context, a desk.Principal, number string) (string, error) {
			_, err := s.desk.AddNote(ctx, a, number, desk.AddNoteRequest{RequestKey: f.RequestKey, Kind: f.Kind, Body: f.Body,
				NextState: f.NextState, NextUntil: until, Files: files, Minutes: minutes})
			return s.texts(c).T("ui.flash.note_added"), err
		},
	})
}
