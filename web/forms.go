package web

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/models"
	"github.com/kiz-ulm/kizdesk/ticket"
)

// formState is what every action form of the ticket zoom has: its request
// key, the problems found with it, and whether it is the form the agent
// just sent (which the zoom then shows opened, with the agent's input).
type formState struct {
	RequestKey string
	Fields     map[string]string `json:"-"`
	Sent       bool
}

func postedForm(c *gin.Context) formState {
	return formState{RequestKey: strings.TrimSpace(c.PostForm("request_key"))}
}

// nextFields are the state the reply and note forms may move the ticket
// to with the article, as one change: "" keeps the state, else a pending
// state (until NextUntil, kept as typed: a datetime-local value in the
// agent's zone) or a closed state.
type nextFields struct {
	NextState string
	NextUntil string
}

func postedNext(c *gin.Context) nextFields {
	return nextFields{NextState: strings.TrimSpace(c.PostForm("next_state")), NextUntil: c.PostForm("next_until")}
}

// ticketForms are the action forms of the ticket zoom. Each handler file
// declares its form; an empty form is filled from the ticket when shown.
type ticketForms struct {
	Reply    replyForm
	Note     noteForm
	Pending  pendingForm
	Assign   assignForm
	Lock     lockForm
	Watch    watchForm
	Move     moveForm
	Escalate escalateForm
	HandBack handBackForm
	Classify classifyForm
	Close    closeForm
	Reopen   reopenForm
	Merge    mergeForm
	Link     linkForm
	Time     timeForm
}

func (f *ticketForms) states() []*formState {
	return []*formState{&f.Reply.formState, &f.Note.formState, &f.Pending.formState, &f.Assign.formState,
		&f.Lock.formState, &f.Watch.formState, &f.Move.formState, &f.Escalate.formState, &f.HandBack.formState,
		&f.Classify.formState, &f.Close.formState, &f.Reopen.formState, &f.Merge.formState, &f.Link.formState, &f.Time.formState}
}

// fill gives each form not sent just now the ticket's current values and a
// fresh request key. Each form carries its own key, so a double submit
// changes the ticket once; a form shown again after an error keeps its key.
func (f *ticketForms) fill(t models.TicketRow, loc *time.Location) {
	if !f.Note.Sent {
		f.Note.Kind = string(ticket.ArticleInternalNote)
	}
	if !f.Close.Sent {
		f.Close.State = string(ticket.StateClosedSuccessful)
	}
	if !f.Pending.Sent {
		f.Pending.State = string(ticket.StatePendingReminder)
		if ticket.State(t.State).Pending() {
			f.Pending.State = t.State
			if t.PendingUntil != nil {
				f.Pending.Until = t.PendingUntil.In(loc).Format(localInputLayout)
			}
		}
	}
	if !f.Assign.Sent {
		f.Assign.OwnerID, f.Assign.ResponsibleID = deref(t.OwnerID), deref(t.ResponsibleID)
	}
	if !f.Move.Sent {
		f.Move.QueueID = t.QueueID
	}
	if !f.Classify.Sent {
		f.Classify.ServiceID, f.Classify.TypeID, f.Classify.PriorityID = deref(t.ServiceID), t.TypeID, t.PriorityID
	}
	for _, s := range f.states() {
		if s.RequestKey == "" {
			s.RequestKey = desk.NewRequestKey()
		}
	}
}

func deref(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

// formAction is one action form of the ticket zoom as it was posted.
type formAction struct {
	what string     // the action, for the log: "reply", "move", ...
	form *formState // the posted form's state, inside the form's struct
	// fields are what the web itself finds wrong with the post (an ID or
	// a time it cannot read); with any, the desk is not asked at all.
	fields desk.FieldErrors
	// back puts the posted form into the zoom shown again after an error.
	back func(*ticketForms)
	// call is the one desk call; it returns the flash shown on success.
	call func(ctx context.Context, a desk.Principal, number string) (string, error)
}

// runAction carries out a posted action form: one desk call, then a flash
// and a redirect to the zoom (the desk guarantees the zoom shows the
// change). Field errors (422) and a rejection by the ticket's process
// (409) are handed back to the zoom, which shows the form as sent and
// what was wrong (see handBack); anything else is the error page. Fields
// with bytes no field may have are field errors found here: the desk is
// not asked.
func (s *server) runAction(c *gin.Context, act formAction) {
	number, err := numberParam(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	for k, p := range formTextProblems(c) {
		if act.fields == nil {
			act.fields = desk.FieldErrors{}
		}
		act.fields[k] = p
	}
	if len(act.fields) > 0 {
		err = act.fields
		if cerr := s.desk.CheckTicket(c.Request.Context(), principalOf(c), number); cerr != nil {
			err = cerr
		}
	} else {
		flash, cerr := act.call(c.Request.Context(), principalOf(c), number)
		if cerr == nil {
			sessionOf(c).addFlash(flash)
			s.redirect(c, "/agent/tickets/"+number)
			return
		}
		err = fmt.Errorf("%s on ticket %s: %w", act.what, number, cerr)
	}
	p := s.problemFor(c, err)
	if p.Status != http.StatusUnprocessableEntity && p.Status != http.StatusConflict {
		s.writeProblem(c, p)
		return
	}
	act.form.Fields, act.form.Sent = p.FieldTexts, true
	var forms ticketForms
	act.back(&forms)
	if s.handBack(c, ticketFormKey(number), p, &forms, "/agent/tickets/"+number) {
		return
	}
	s.showTicket(c, p.Status, number, forms, p.Message)
}

// ticketFormKey is what the zoom's refused forms are kept under.
func ticketFormKey(number string) string { return "ticket:" + number }

// localInputLayout is the value of an <input type="datetime-local">.
const localInputLayout = "2006-01-02T15:04"

// localTime reads a time an agent typed, in their zone: the value of
// a datetime-local input, with or without seconds, or the same with a
// space for the T, or a German date (what one types where the browser
// shows a text field).
// Empty is the zero time: the desk says whether one is required.
func localTime(v string, loc *time.Location, field string, fe desk.FieldErrors) time.Time {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}
	}
	for _, layout := range []string{localInputLayout, "2006-01-02T15:04:05", "2006-01-02 15:04", "2006-01-02 15:04:05", "2.1.2006 15:04"} {
		if t, err := time.ParseInLocation(layout, v, loc); err == nil {
			return t
		}
	}
	fe[field] = ticket.P(ticket.FieldBadTime)
	return time.Time{}
}

// formBool reads a yes/no field (a button's value); anything else, or
// nothing, is a field error.
func formBool(c *gin.Context, field string, fe desk.FieldErrors) bool {
	b, err := strconv.ParseBool(strings.TrimSpace(c.PostForm(field)))
	if err != nil {
		fe[field] = ticket.P(ticket.FieldChoose)
	}
	return b
}
