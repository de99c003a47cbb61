package web

import (
	"fmt"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/kiz-ulm/kizdesk/desk"
)

// portalFileShow sends a file of a message the customer sees, always as
// a download.
func (s *server) portalFileShow(c *gin.Context) {
	number := c.Param("number")
	seq, err1 := strconv.Atoi(c.Param("seq"))
	n, err2 := strconv.Atoi(c.Param("n"))
	if err1 != nil || err2 != nil {
		s.fail(c, fmt.Errorf("file %q/%q: %w", c.Param("seq"), c.Param("n"), desk.ErrNotFound))
		return
	}
	f, err := s.desk.PortalFile(c.Request.Context(), principalOf(c), number, seq, n)
	if err != nil {
		s.fail(c, fmt.Errorf("portal file %d of article %d of ticket %s: %w", n, seq, number, err))
		return
	}
	sendDownload(c, f.Filename, f.Data)
}
