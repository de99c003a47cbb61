package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/models"
)

type adminOutboxPage struct {
	layout
	Mails []models.MailMessage
	// Status is the filter (one of Statuses, "" for all); StatusError
	// what is wrong with a filter the desk refused.
	Status      string
	Statuses    []string
	StatusError string
	// Next is the ?before= of the next (older) page; 0: none.
	Next int64
	// Captured: this desk keeps its mail instead of sending it.
	Captured bool
}

// NextPage is the link to the next page, the filter kept.
func (p *adminOutboxPage) NextPage() string {
	q := url.Values{"before": {strconv.FormatInt(p.Next, 10)}}
	if p.Status != "" {
		q.Set("status", p.Status)
	}
	return "/admin/outbox?" + q.Encode()
}

// adminOutbox is GET /admin/outbox[?status=…][&before=ID]: the tenant's
// mail going out, newest first, a page at a time.
func (s *server) adminOutbox(c *gin.Context) {
	req := desk.OutboxRequest{Status: c.Query("status")}
	if v := c.Query("before"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			s.fail(c, fmt.Errorf("outbox page %q: %w", v, desk.ErrNotFound))
			return
		}
		req.Before = n
	}
	page := &adminOutboxPage{Status: req.Status, Statuses: desk.OutboxStatuses}
	out, err := s.desk.Outbox(c.Request.Context(), principalOf(c), req)
	var fe desk.FieldErrors
	if errors.As(err, &fe) {
		// A filter the desk does not know: the page with the filter and
		// what is wrong with it, as a bad request.
		pr := s.problemFor(c, err)
		page.Error, page.StatusError, page.Status = pr.Message, pr.FieldTexts["status"], ""
		page.Captured = out.Captured
		s.render(c, http.StatusBadRequest, "admin_outbox", page)
		return
	}
	if err != nil {
		s.fail(c, fmt.Errorf("outbox: %w", err))
		return
	}
	page.Mails, page.Next, page.Captured = out.Mails, out.Next, out.Captured
	s.render(c, http.StatusOK, "admin_outbox", page)
}
