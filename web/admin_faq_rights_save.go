package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/ticket"
)

// adminFAQRightsSave is POST /admin/faq-rights: the ticked permissions
// and rules replace the tenant's.
func (s *server) adminFAQRightsSave(c *gin.Context) {
	fe := formTextProblems(c)
	form := faqRightsForm{Perm: c.PostFormArray("perm"), Approval: c.PostFormArray("approval")}
	var err error
	if len(fe) == 0 {
		f, ferr := postedFAQRights(form)
		for k, p := range ferr {
			fe[k] = p
		}
		if len(fe) == 0 {
			if err = s.desk.SaveFAQSettings(c.Request.Context(), principalOf(c), f); err == nil {
				sessionOf(c).addFlash(s.texts(c).T("ui.faq2.rights_saved"))
				s.redirect(c, "/admin/faq-rights")
				return
			}
		}
	}
	if len(fe) > 0 {
		err = fe
	}
	pr := s.problemFor(c, fmt.Errorf("FAQ rights: %w", err))
	if pr.Status != http.StatusUnprocessableEntity {
		s.writeProblem(c, pr)
		return
	}
	if s.handBack(c, faqRightsKey, pr, &form, "/admin/faq-rights") {
		return
	}
	form.Fields = pr.FieldTexts
	page := &adminFAQRightsPage{Form: form}
	page.Error = pr.Message
	s.showFAQRights(c, pr.Status, page, false)
}

// postedFAQRights reads the ticked boxes; values no box posts are field
// problems.
func postedFAQRights(form faqRightsForm) (desk.FAQSettingsForm, desk.FieldErrors) {
	fe := desk.FieldErrors{}
	f := desk.FAQSettingsForm{Perms: map[int64][]string{}}
	for _, v := range form.Perm {
		role, perm, ok := strings.Cut(v, ":")
		id, err := strconv.ParseInt(role, 10, 64)
		if !ok || err != nil || id <= 0 {
			fe["perm"] = ticket.P(ticket.FieldChoose)
			continue
		}
		f.Perms[id] = append(f.Perms[id], perm)
	}
	for _, v := range form.Approval {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id < 0 {
			fe["approval"] = ticket.P(ticket.FieldChoose)
			continue
		}
		f.Approval = append(f.Approval, id)
	}
	return f, fe
}
