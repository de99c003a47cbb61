package web

import (
	"fmt"

	"github.com/gin-gonic/gin"
)

// searchDelete is POST /agent/search/saved/:id/delete: removes one of the
// agent's saved searches; another agent's answers 404.
func (s *server) searchDelete(c *gin.Context) {
	id, err := idParam(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	if err := s.desk.DeleteSavedSearch(c.Request.Context(), principalOf(c), id); err != nil {
		s.fail(c, fmt.Errorf("delete saved search %d: %w", id, err))
		return
	}
	sessionOf(c).addFlash(s.texts(c).T("search.deleted"))
	s.redirect(c, "/agent/search")
}
