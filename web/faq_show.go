package web

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/kiz-ulm/kizdesk/desk"
)

// faqShowPage is an entry for agents: its text in both languages, state,
// versions, linked tickets and, asked for, a diff between two versions.
type faqShowPage struct {
	layout
	faqKeys
	Detail desk.FAQDetail
	Diff   *desk.FAQDiff
}

// faqShow is GET /agent/faq/:id, with ?from=&to= the diff of two versions.
func (s *server) faqShow(c *gin.Context) {
	ctx, p := c.Request.Context(), principalOf(c)
	id, err := faqID(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	d, err := s.desk.FAQ(ctx, p, id)
	if err != nil {
		s.fail(c, fmt.Errorf("FAQ entry %d: %w", id, err))
		return
	}
	page := &faqShowPage{Detail: d}
	t, _, _ := d.Entry.In(s.texts(c).Lang())
	page.Title = t
	status := http.StatusOK
	var refused faqActForm
	pr, kept, err := s.handedBack(c, faqActKey(id), &refused)
	if err != nil {
		s.fail(c, err)
		return
	}
	if kept {
		status, page.Error = pr.Status, pr.Message
	}
	if c.Query("from") != "" || c.Query("to") != "" {
		from, err1 := strconv.Atoi(c.Query("from"))
		to, err2 := strconv.Atoi(c.Query("to"))
		if err1 != nil || err2 != nil {
			s.fail(c, fmt.Errorf("FAQ diff %q..%q: %w", c.Query("from"), c.Query("to"), desk.ErrNotFound))
			return
		}
		diff, err := s.desk.DiffFAQ(ctx, p, id, from, to)
		if err != nil {
			s.fail(c, fmt.Errorf("FAQ entry %d diff: %w", id, err))
			return
		}
		page.Diff = &diff
	}
	s.render(c, status, "faq_show", page)
}
