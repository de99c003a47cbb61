package web

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/kiz-ulm/kizdesk/desk"
)

// adminSave is POST /admin/<kind> (create) and POST /admin/<kind>/:id
// (update): one desk call; a new object's form follows (its tokens, for
// an agent), a changed one's list.
func (s *server) adminSave(k desk.AdminKind) gin.HandlerFunc {
	return func(c *gin.Context) {
		ctx, p := c.Request.Context(), principalOf(c)
		var id int64
		if c.Param("id") != "" {
			var err error
			if id, err = idParam(c, "id"); err != nil {
				s.fail(c, err)
				return
			}
		}
		v := desk.AdminValues{}
		for _, f := range k.Fields {
			v[f.Name] = c.PostFormArray(f.Name)
			if f.Type == desk.FieldLines {
				for i := range v[f.Name] {
					v[f.Name][i] = formText(v[f.Name][i])
				}
			}
		}
		var err error
		if fe := formTextProblems(c); len(fe) > 0 {
			err = fe
		} else {
			saved, serr := s.desk.AdminSave(ctx, p, k.Name, id, v)
			if serr == nil {
				l := s.texts(c)
				sessionOf(c).addFlash(l.T("ui.admin.flash.saved", "Kind", l.AdminKind(k.Name), "Name", adminName(v)))
				if id == 0 {
					s.redirect(c, adminPath(k, saved))
				} else {
					s.redirect(c, "/admin/"+k.Name)
				}
				return
			}
			err = fmt.Errorf("admin save %s %d: %w", k.Name, id, serr)
		}
		pr := s.problemFor(c, err)
		if pr.Status != http.StatusUnprocessableEntity && pr.Status != http.StatusConflict {
			s.writeProblem(c, pr)
			return
		}
		kept := adminKept{Values: keepable(k, v)}
		if s.handBack(c, adminFormKey(k, id), pr, &kept, adminFormPath(k, id)) {
			return
		}
		page := &adminFormPage{Kind: k, ID: id, Values: kept.Values, Fields: pr.FieldTexts}
		page.Error = pr.Message
		s.showAdminForm(c, pr.Status, page)
	}
}

// keepable is a refused form as it may be kept and shown again: without
// passwords, and with what no field may hold marked.
func keepable(k desk.AdminKind, v desk.AdminValues) desk.AdminValues {
	out := desk.AdminValues{}
	for _, f := range k.Fields {
		if f.Type == desk.FieldPassword {
			continue
		}
		for _, x := range v[f.Name] {
			out[f.Name] = append(out[f.Name], cleanText(x))
		}
	}
	return out
}

// adminName is how a flash names the object: its name, login or slug.
func adminName(v desk.AdminValues) string {
	for _, f := range []string{"name", "login", "slug"} {
		if n := strings.TrimSpace(v.Get(f)); n != "" {
			return n
		}
	}
	return ""
}
