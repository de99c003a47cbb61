package web

import (
	"crypto/rand"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/models"
)

// The customer portal's sessions. A browser's session cookie belongs to an
// agent or to a customer, never both: each login replaces the other's
// values. An agent's session therefore never reaches the portal as a
// customer (it has no customer), and a customer's session never reaches
// the agent or admin pages (it has no agent: requireAgent sends it to the
// agents' login). The desk keeps customers' sessions in a table of their
// own, so neither token is ever taken for the other.

const (
	// valCustomerID is the customer a portal session was logged in as: a
	// hint only, the desk's record of the session decides.
	valCustomerID = "customer_id"
	keyCustomer   = "kizdesk.customer"
	portalHome    = "/portal"
)

func (s *session) customerID() int64 {
	id, _ := s.raw.Values[valCustomerID].(int64)
	return id
}

// loginCustomer binds the session to a customer's new portal session; as
// for agents, the CSRF token is made anew.
func (s *session) loginCustomer(id int64, token string) {
	s.raw.Values = map[any]any{valCustomerID: id, valSession: token, valCSRF: rand.Text(), valLang: s.lang()}
	s.changed = true
}

// forgetCustomer drops a portal session the desk no longer knows.
func (s *session) forgetCustomer() {
	delete(s.raw.Values, valCustomerID)
	s.raw.Values[valSession] = desk.NewSessionToken()
	s.changed = true
}

// requireCustomer lets only logged-in customers through and puts the
// customer and their principal into the context; anyone else (agents
// included) is sent to the portal's login, which brings them back.
func (s *server) requireCustomer(c *gin.Context) {
	sess := sessionOf(c)
	id := sess.customerID()
	if id == 0 {
		s.toPortalLogin(c)
		return
	}
	cu, err := s.desk.SessionCustomer(c.Request.Context(), sess.token())
	if errors.Is(err, desk.ErrNotFound) || (err == nil && cu.ID != id) {
		sess.forgetCustomer()
		s.toPortalLogin(c)
		return
	}
	if err != nil {
		s.fail(c, fmt.Errorf("portal session of customer %d: %w", id, err))
		return
	}
	c.Set(keyCustomer, cu)
	c.Set(keyPrincipal, desk.CustomerPrincipal(cu))
	if sess.lang() == "" {
		// A customer's language switch is kept in the session only.
		sess.adoptLang(cu.Language)
	}
	c.Header("Cache-Control", "no-store")
	c.Next()
}

// maybeCustomer lets everybody through and, when the session is a
// customer's, makes them the request's principal: the public FAQ shows a
// logged-in customer the entries for customers too.
func (s *server) maybeCustomer(c *gin.Context) {
	sess := sessionOf(c)
	if id := sess.customerID(); id != 0 {
		cu, err := s.desk.SessionCustomer(c.Request.Context(), sess.token())
		switch {
		case err == nil && cu.ID == id:
			c.Set(keyCustomer, cu)
			c.Set(keyPrincipal, desk.CustomerPrincipal(cu))
			// What customers see is for them alone.
			c.Header("Cache-Control", "no-store")
		case err != nil && !errors.Is(err, desk.ErrNotFound):
			s.fail(c, fmt.Errorf("portal session of customer %d: %w", id, err))
			return
		}
	}
	c.Next()
}

func (s *server) toPortalLogin(c *gin.Context) {
	to := "/portal/login"
	if c.Request.Method == http.MethodGet {
		to += "?next=" + url.QueryEscape(c.Request.URL.RequestURI())
	}
	s.redirect(c, to)
}

// portalPath returns next if it is a portal page, else the portal's start
// page: a portal login never leads into the agent interface.
func portalPath(next string) string {
	p := localPath(next)
	if p != portalHome && !strings.HasPrefix(p, portalHome+"/") {
		return portalHome
	}
	return p
}

func customerOf(c *gin.Context) *models.Customer {
	v, ok := c.Get(keyCustomer)
	if !ok {
		return nil
	}
	cu := v.(models.Customer)
	return &cu
}

// portalLayout is what every portal page shows around its content.
type portalLayout struct {
	layout
	Customer *models.Customer
}

func (p *portalLayout) portal() *portalLayout { return p }

// portalPage is any page struct that embeds portalLayout.
type portalPage interface {
	pageData
	portal() *portalLayout
}

// renderPortal writes a portal page in the portal's own frame (a narrow
// column for phones, the customer's name, no agent navigation).
func (s *server) renderPortal(c *gin.Context, status int, name string, p portalPage) {
	p.portal().Customer = customerOf(c)
	s.renderIn(c, status, name, "portal_layout", p)
}
