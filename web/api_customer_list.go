package web

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/ticket"
)

type customerMatchJSON struct {
	Login      string `json:"login"`
	Name       string `json:"name"`
	Email      string `json:"email"`
	Phone      string `json:"phone"`
	Department string `json:"department"`
	Directory  bool   `json:"directory"`
}

type customerListJSON struct {
	Customers []customerMatchJSON `json:"customers"`
	Page      int                 `json:"page"`
	More      bool                `json:"more"`
}

// apiCustomerList looks customers up by part of their login, name or
// e-mail address (?q=), in the tenant and the kiz directory, a page
// (?page=, from 0) at a time.
func (s *server) apiCustomerList(c *gin.Context) {
	page, err := strconv.Atoi(c.DefaultQuery("page", "0"))
	if err != nil {
		s.fail(c, desk.FieldErrors{"page": ticket.P(ticket.FieldBadNumber)})
		return
	}
	found, err := s.desk.FindCustomers(c.Request.Context(), principalOf(c), c.Query("q"), page)
	if err != nil {
		s.fail(c, fmt.Errorf("find customers: %w", err))
		return
	}
	out := customerListJSON{Customers: make([]customerMatchJSON, len(found.Matches)), Page: found.Page, More: found.More}
	for i, m := range found.Matches {
		out.Customers[i] = customerMatchJSON{Login: m.Login, Name: m.Name, Email: m.Email, Phone: m.Phone,
			Department: m.Department, Directory: m.Directory}
	}
	c.JSON(http.StatusOK, out)
}
