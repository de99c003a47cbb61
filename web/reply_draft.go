package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/kiz-ulm/kizdesk/ticket"
)

// signatureSeparator starts the signature of a reply: the usual line
// "-- " that mail programs recognise.
const signatureSeparator = "-- \n"

// replyDraft inserts a standard response into the reply or note form
// without JavaScript: the form's "Insert" button posts the form as it is
// (draft=reply or draft=note) here, and the zoom comes back with the form
// open, everything typed kept and the response added. Nothing is sent and
// the ticket does not change; the form keeps its request key, so sending
// it afterwards is still one change.
func (s *server) replyDraft(c *gin.Context) {
	number, err := numberParam(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	var forms ticketForms
	var body *string
	var st *formState
	fe := formTextProblems(c)
	// The form the button is in; anything but "note" is the reply form,
	// which then says what was wrong.
	if c.PostForm("draft") == "note" {
		forms.Note = noteForm{formState: postedForm(c), Kind: c.PostForm("kind"), Body: formText(c.PostForm("body")), nextFields: postedNext(c)}
		body, st = &forms.Note.Body, &forms.Note.formState
	} else {
		forms.Reply = replyForm{formState: postedForm(c), Subject: c.PostForm("subject"), Body: formText(c.PostForm("body")), nextFields: postedNext(c)}
		body, st = &forms.Reply.Body, &forms.Reply.formState
		if _, bad := fe["draft"]; !bad && c.PostForm("draft") != "reply" {
			fe["draft"] = ticket.P(ticket.FieldChoose)
		}
	}
	st.Sent = true
	w, err := s.desk.WritingAids(c.Request.Context(), principalOf(c), number, s.texts(c).Lang())
	if err != nil {
		s.fail(c, fmt.Errorf("draft on ticket %s: %w", number, err))
		return
	}
	id, perr := strconv.ParseInt(strings.TrimSpace(c.PostForm("response")), 10, 64)
	r, found := w.Response(id)
	if _, bad := fe["response"]; !bad && (perr != nil || !found) {
		fe["response"] = ticket.P(ticket.FieldChoose)
	}
	if len(fe) > 0 {
		// Shown again as typed, with what was wrong and nothing inserted,
		// the way every refused form of the zoom comes back.
		p := s.problemFor(c, fe)
		st.Fields = p.FieldTexts
		if s.handBack(c, ticketFormKey(number), p, &forms, "/agent/tickets/"+number) {
			return
		}
		s.showTicket(c, p.Status, number, forms, p.Message)
		return
	}
	*body = withResponse(*body, r.Text)
	sessionOf(c).addFlash(s.texts(c).T("writing.response.inserted", "Name", r.Name))
	s.showTicket(c, http.StatusOK, number, forms, "")
}

// withResponse adds a standard response to a text being written: at its
// end, as a paragraph of its own, but before the signature if the text
// has one (from the line "-- " on).
func withResponse(text, response string) string {
	head, sig := text, ""
	if i := strings.LastIndex("\n"+text, "\n"+signatureSeparator); i >= 0 {
		head, sig = text[:i], text[i:]
	}
	head = strings.TrimRight(head, "\n")
	if head != "" {
		head += "\n\n"
	}
	head += response
	if sig != "" {
		head += "\n\n" + sig
	}
	return head
}
