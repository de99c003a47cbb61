package web

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/kiz-ulm/kizdesk/desk"
)

type adminAuditPage struct {
	layout
	Entries []desk.AuditEntry
	// Next is the ?before= of the next (older) page; 0: none.
	Next int64
}

// adminAudit is GET /admin/audit[?before=ID]: the tenant's admin audit
// log, newest first, a page at a time.
func (s *server) adminAudit(c *gin.Context) {
	var before int64
	if v := c.Query("before"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			s.fail(c, fmt.Errorf("audit page %q: %w", v, desk.ErrNotFound))
			return
		}
		before = n
	}
	entries, next, err := s.desk.AdminAudit(c.Request.Context(), principalOf(c), before)
	if err != nil {
		s.fail(c, fmt.Errorf("admin audit: %w", err))
		return
	}
	s.render(c, http.StatusOK, "admin_audit", &adminAuditPage{Entries: entries, Next: next})
}
