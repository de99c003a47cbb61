package web

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/ticket"
)

// idParam reads a numeric ID from the path; anything else names nothing.
func idParam(c *gin.Context, name string) (int64, error) {
	id, err := strconv.ParseInt(c.Param(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, fmt.Errorf("%s %q: %w", name, c.Param(name), desk.ErrNotFound)
	}
	return id, nil
}

// numberParam reads a ticket number from the path. Numbers are digits; a
// path that is not one is answered without asking the desk.
func numberParam(c *gin.Context) (string, error) {
	n := c.Param("number")
	if n == "" || len(n) > 64 {
		return "", fmt.Errorf("ticket %q: %w", n, desk.ErrNotFound)
	}
	for _, r := range n {
		if r < '0' || r > '9' {
			return "", fmt.Errorf("ticket %q: %w", n, desk.ErrNotFound)
		}
	}
	return n, nil
}

// formID reads an optional ID from a form field: empty is 0 ("none
// chosen"), anything not a number is a field error.
func formID(c *gin.Context, field string, fe desk.FieldErrors) int64 {
	v := strings.TrimSpace(c.PostForm(field))
	if v == "" {
		return 0
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id < 0 {
		fe[field] = ticket.P(ticket.FieldChoose)
		return 0
	}
	return id
}
