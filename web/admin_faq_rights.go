package web

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/kiz-ulm/kizdesk/desk"
)

// faqAdminDesk is what the FAQ rights page needs from the desk.
type faqAdminDesk interface {
	FAQSettings(ctx context.Context, p desk.Principal) (desk.FAQSettings, error)
	SaveFAQSettings(ctx context.Context, p desk.Principal, f desk.FAQSettingsForm) error
}

// faqRightsForm is the form as posted: "<role>:<perm>" per ticked
// permission, service IDs ("0": the whole tenant) per ticked rule.
type faqRightsForm struct {
	Perm     []string
	Approval []string
	Fields   map[string]string `json:"-"`
}

type adminFAQRightsPage struct {
	layout
	Settings desk.FAQSettings
	Form     faqRightsForm
}

// Perms are the permissions a role may hold, for the table's columns.
func (*adminFAQRightsPage) Perms() []string { return desk.FAQPerms }

// Has tells whether the form ticks perm for role.
func (p *adminFAQRightsPage) Has(role int64, perm string) bool {
	return slices.Contains(p.Form.Perm, fmt.Sprintf("%d:%s", role, perm))
}

// Rule tells whether the form ticks approval for service id (0: all).
func (p *adminFAQRightsPage) Rule(id int64) bool {
	return slices.Contains(p.Form.Approval, strconv.FormatInt(id, 10))
}

// faqRightsKey is what a refused form is kept under.
const faqRightsKey = "admin:faq-rights"

// adminFAQRights is GET /admin/faq-rights: which roles may write and
// publish FAQ entries, and where publishing needs a second agent.
func (s *server) adminFAQRights(c *gin.Context) {
	page := &adminFAQRightsPage{}
	pr, kept, err := s.handedBack(c, faqRightsKey, &page.Form)
	if err != nil {
		s.fail(c, err)
		return
	}
	status := http.StatusOK
	if kept {
		status, page.Error, page.Form.Fields = pr.Status, pr.Message, pr.FieldTexts
	}
	s.showFAQRights(c, status, page, !kept)
}

// showFAQRights renders the page; fill puts the saved settings into the
// form (not for a form handed back, which shows what was posted).
func (s *server) showFAQRights(c *gin.Context, status int, page *adminFAQRightsPage, fill bool) {
	st, err := s.desk.FAQSettings(c.Request.Context(), principalOf(c))
	if err != nil {
		s.fail(c, fmt.Errorf("FAQ rights: %w", err))
		return
	}
	page.Settings = st
	if fill {
		page.Form.Perm, page.Form.Approval = nil, nil
		for _, r := range st.Roles {
			for _, perm := range r.Perms {
				page.Form.Perm = append(page.Form.Perm, fmt.Sprintf("%d:%s", r.RoleID, perm))
			}
		}
		for _, id := range st.Approval {
			page.Form.Approval = append(page.Form.Approval, strconv.FormatInt(id, 10))
		}
	}
	s.render(c, status, "admin_faq_rights", page)
}
