package web

import (
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"
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
}

// apiCustomerList looks customers up by part of their login, name or
// e-mail address (?q=), in the tenant and the kiz directory.
func (s *server) apiCustomerList(c *gin.Context) {
	found, err := s.desk.FindCustomers(c.Request.Context(), principalOf(c), c.Query("q"))
	if err != nil {
		s.fail(c, fmt.Errorf("find customers: %w", err))
		return
	}
	out := customerListJSON{Customers: make([]customerMatchJSON, len(found))}
	for i, m := range found {
		out.Customers[i] = customerMatchJSON{Login: m.Login, Name: m.Name, Email: m.Email, Phone: m.Phone,
			Department: m.Department, Directory: m.Directory}
	}
	c.JSON(http.StatusOK, out)
}
