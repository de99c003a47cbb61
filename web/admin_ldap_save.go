package web

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/kiz-ulm/kizdesk/desk"
)

// adminLDAPSave is POST /admin/ldap-mappings: map an LDAP group to a role.
func (s *server) adminLDAPSave(c *gin.Context) {
	s.ldapChange(c, "ui.admin.flash.ldap_added", s.desk.AddLDAPMapping)
}

// ldapChange carries out a posted mapping form (add or remove): one desk
// call, then the list with a flash, or the form back with its problems.
func (s *server) ldapChange(c *gin.Context, flash string, call func(ctx context.Context, p desk.Principal, group string, roleID int64) error) {
	fe := desk.FieldErrors{}
	f := ldapForm{LDAPGroup: strings.TrimSpace(c.PostForm("ldap_group")), RoleID: strings.TrimSpace(c.PostForm("role_id"))}
	roleID := formID(c, "role_id", fe)
	for k, p := range formTextProblems(c) {
		fe[k] = p
	}
	var err error
	if len(fe) > 0 {
		err = fe
	} else if err = call(c.Request.Context(), principalOf(c), f.LDAPGroup, roleID); err == nil {
		sessionOf(c).addFlash(s.texts(c).T(flash, "Group", f.LDAPGroup))
		s.redirect(c, "/admin/ldap-mappings")
		return
	}
	pr := s.problemFor(c, fmt.Errorf("LDAP mapping: %w", err))
	if pr.Status != http.StatusUnprocessableEntity && pr.Status != http.StatusConflict {
		s.writeProblem(c, pr)
		return
	}
	if s.handBack(c, ldapFormKey, pr, &f, "/admin/ldap-mappings") {
		return
	}
	f.Fields = pr.FieldTexts
	page := &adminLDAPPage{Form: f}
	page.Error = pr.Message
	s.showLDAP(c, pr.Status, page)
}
