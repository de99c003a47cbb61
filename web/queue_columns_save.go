package web

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
)

// queueColumnsForm is the queue view's column choice, as shown again when
// it was refused.
type queueColumnsForm struct {
	Columns []string
	Fields  map[string]string `json:"-"`
}

func queueColumnsFormKey(agentID int64) string { return fmt.Sprintf("queue-columns:%d", agentID) }

// queueColumnsSave is POST /agent/preferences/queue-columns: the columns
// the agent wants in every queue view (those ticked). Then back to the
// queue view the form was on, with its filters.
func (s *server) queueColumnsSave(c *gin.Context) {
	p := principalOf(c)
	back := queueBack(c.PostForm("back"))
	var f queueColumnsForm
	for _, v := range c.PostFormArray("column") {
		f.Columns = append(f.Columns, cleanText(strings.TrimSpace(v)))
	}
	var err error
	if fe := formTextProblems(c); len(fe) > 0 {
		err = fe
	} else if err = s.desk.SetQueueColumns(c.Request.Context(), p, f.Columns); err == nil {
		sessionOf(c).addFlash(s.texts(c).T("zoom.columns.saved"))
		s.redirect(c, back)
		return
	}
	pr := s.problemFor(c, fmt.Errorf("queue columns of agent %d: %w", p.ID, err))
	if pr.Status != http.StatusUnprocessableEntity || !s.handBack(c, queueColumnsFormKey(p.ID), pr, &f, back) {
		s.writeProblem(c, pr)
	}
}

// queueBack is where a queue view's form returns to: the queue view (with
// its filters) it was sent from, else the list of queues (which shows a
// refused choice's message).
func queueBack(back string) string {
	if !strings.HasPrefix(back, "/agent/queues/") || strings.ContainsAny(back, "\\#") || strings.Contains(back, "//") {
		return "/agent/queues"
	}
	return back
}
