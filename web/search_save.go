package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"
)

// searchSave is POST /agent/search/saved: keeps the search shown (its
// query string, posted with the form) under a name of the agent's, and
// goes back to it.
func (s *server) searchSave(c *gin.Context) {
	p := principalOf(c)
	form := struct{ Name string }{strings.TrimSpace(c.PostForm("name"))}
	// Only the search's own parameters are kept, whatever else was posted.
	var f searchForm
	posted, _ := url.ParseQuery(c.PostForm("query"))
	for _, name := range searchParams {
		*f.field(name) = strings.TrimSpace(posted.Get(name))
	}
	back := "/agent/search"
	if q := f.Query(); q != "" {
		back += "?" + q
	}
	var err error
	if fe := formTextProblems(c); len(fe) > 0 {
		err = fe
	} else if err = s.desk.SaveSearch(c.Request.Context(), p, form.Name, f.Query()); err == nil {
		sessionOf(c).addFlash(s.texts(c).T("search.saved", "Name", form.Name))
		s.redirect(c, back)
		return
	}
	pr := s.problemFor(c, fmt.Errorf("save search of agent %d: %w", p.ID, err))
	if pr.Status != http.StatusUnprocessableEntity {
		s.writeProblem(c, pr)
		return
	}
	if !s.handBack(c, searchFormKey(p.ID), pr, &form, back) {
		s.writeProblem(c, pr)
	}
}
