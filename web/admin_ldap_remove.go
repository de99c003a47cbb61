package web

import "github.com/gin-gonic/gin"

// adminLDAPRemove is POST /admin/ldap-mappings/remove: members of the
// group no longer get the role at their next login.
func (s *server) adminLDAPRemove(c *gin.Context) {
	s.ldapChange(c, "ui.admin.flash.ldap_removed", s.desk.RemoveLDAPMapping)
}
