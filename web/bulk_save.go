package web

import (
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/ticket"
)

// bulkResultPage lists what became of each ticket of a bulk action.
type bulkResultPage struct {
	layout
	Action  string
	Back    string
	Results []bulkLine
	Done    int
}

type bulkLine struct {
	Number  string
	OK      bool
	Message string
}

// bulkSave is POST /agent/bulk: one action on the tickets ticked in a
// queue view; each ticket is its own action, so the page after says which
// were done and which were refused, and why.
func (s *server) bulkSave(c *gin.Context) {
	fe := desk.FieldErrors{}
	req := desk.BulkRequest{
		RequestKey: strings.TrimSpace(c.PostForm("request_key")), Numbers: c.PostFormArray("number"),
		Action: strings.TrimSpace(c.PostForm("action")), State: strings.TrimSpace(c.PostForm("state")),
		Into: formText(c.PostForm("into")),
	}
	for field, id := range map[string]*int64{"owner_id": &req.OwnerID, "queue_id": &req.QueueID, "priority_id": &req.PriorityID} {
		if v := strings.TrimSpace(c.PostForm(field)); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 0 {
				fe[field] = ticket.P(ticket.FieldBadNumber)
				continue
			}
			*id = n
		}
	}
	req.Until = localTime(c.PostForm("until"), s.zone(c), "until", fe)
	back := c.PostForm("back")
	if !strings.HasPrefix(back, "/agent/queues/") || strings.ContainsAny(back, "\\?#") {
		back = "/agent/queues"
	}
	page := &bulkResultPage{Action: req.Action, Back: back}
	var results []desk.BulkResult
	var err error
	for k, v := range formTextProblems(c) {
		fe[k] = v
	}
	if len(fe) > 0 {
		err = fe
	} else {
		results, err = s.desk.Bulk(c.Request.Context(), principalOf(c), req)
	}
	if err != nil {
		// Post/redirect/get: the queue shows why nothing was done.
		pr := s.problemFor(c, fmt.Errorf("bulk %s: %w", req.Action, err))
		f := bulkForm{Action: req.Action, State: req.State, Into: req.Into}
		if pr.Status != http.StatusUnprocessableEntity || !s.handBack(c, bulkFormKey, pr, &f, back) {
			page.Error = bulkError(pr)
			s.render(c, pr.Status, "bulk_result", page)
		}
		return
	}
	for _, r := range results {
		line := bulkLine{Number: r.Number, OK: r.Err == nil}
		if r.Err != nil {
			line.Message = s.problemFor(c, r.Err).Message
		} else {
			page.Done++
		}
		page.Results = append(page.Results, line)
	}
	s.render(c, http.StatusOK, "bulk_result", page)
}

// bulkFormKey is what a refused bulk form is kept under, for the queue
// view it came from.
const bulkFormKey = "bulk"

// bulkForm is a refused bulk form, as the queue view shows it again.
type bulkForm struct {
	Action, State, Into string
}

// bulkError is a refusal in one line: the message and each field's.
func bulkError(pr problem) string {
	msg := pr.Message
	keys := make([]string, 0, len(pr.FieldTexts))
	for k := range pr.FieldTexts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		msg += " " + pr.FieldTexts[k]
	}
	return msg
}
