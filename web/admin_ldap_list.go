package web

import (
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/kiz-ulm/kizdesk/desk"
)

// ldapForm is the form that adds a mapping (or names one to remove).
type ldapForm struct {
	LDAPGroup string
	RoleID    string
	Fields    map[string]string `json:"-"`
}

type adminLDAPPage struct {
	layout
	Mappings []desk.LDAPMapping
	Roles    []desk.AdminChoice
	Form     ldapForm
}

// ldapFormKey is what a refused mapping form is kept under.
const ldapFormKey = "admin:ldap-mappings"

// adminLDAPList is GET /admin/ldap-mappings: the LDAP group → role
// mappings and the form that adds one.
func (s *server) adminLDAPList(c *gin.Context) {
	page := &adminLDAPPage{}
	pr, kept, err := s.handedBack(c, ldapFormKey, &page.Form)
	if err != nil {
		s.fail(c, err)
		return
	}
	status := http.StatusOK
	if kept {
		status, page.Error, page.Form.Fields = pr.Status, pr.Message, pr.FieldTexts
	}
	s.showLDAP(c, status, page)
}

func (s *server) showLDAP(c *gin.Context, status int, page *adminLDAPPage) {
	ctx, p := c.Request.Context(), principalOf(c)
	var err error
	if page.Mappings, err = s.desk.LDAPMappings(ctx, p); err != nil {
		s.fail(c, fmt.Errorf("LDAP mappings: %w", err))
		return
	}
	// The agents' form offers the tenant's roles.
	choices, err := s.desk.AdminChoices(ctx, p, "agents")
	if err != nil {
		s.fail(c, fmt.Errorf("LDAP mappings: %w", err))
		return
	}
	page.Roles = choices["roles"]
	s.render(c, status, "admin_ldap", page)
}
