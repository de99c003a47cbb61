package web

import (
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/kiz-ulm/kizdesk/desk"
)

type adminErasureShowPage struct {
	layout
	Preview desk.ErasurePreview
	Form    erasureForm
}

// erasureForm is the confirm form, as refused.
type erasureForm struct {
	Confirm string
	Fields  map[string]string `json:"-"`
}

// erasureFormKey is what a refused confirm form is kept under.
func erasureFormKey(id int64) string { return fmt.Sprintf("admin:erasure:%d", id) }

// adminErasureShow is GET /admin/erasure/:id: the dry run of erasing a
// customer (the tickets it anonymises, what else it touches) and the
// confirm form; with open tickets, why it is refused.
func (s *server) adminErasureShow(c *gin.Context) {
	id, err := idParam(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	page := &adminErasureShowPage{}
	pr, kept, err := s.handedBack(c, erasureFormKey(id), &page.Form)
	if err != nil {
		s.fail(c, err)
		return
	}
	status := http.StatusOK
	if kept {
		status, page.Error, page.Form.Fields = pr.Status, pr.Message, pr.FieldTexts
	}
	s.showErasure(c, status, id, page)
}

func (s *server) showErasure(c *gin.Context, status int, id int64, page *adminErasureShowPage) {
	var err error
	if page.Preview, err = s.desk.ErasurePreview(c.Request.Context(), principalOf(c), id); err != nil {
		s.fail(c, fmt.Errorf("erasure preview: %w", err))
		return
	}
	s.render(c, status, "admin_erasure_show", page)
}
