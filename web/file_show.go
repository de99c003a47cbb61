package web

import (
	"fmt"
	"mime"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/kiz-ulm/kizdesk/desk"
)

// fileShow sends one file of an article, always as a download: a file
// (HTML, SVG, anything) is never rendered in the desk's origin.
func (s *server) fileShow(c *gin.Context) {
	number, err := numberParam(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	seq, err1 := strconv.Atoi(c.Param("seq"))
	n, err2 := strconv.Atoi(c.Param("n"))
	if err1 != nil || err2 != nil {
		s.fail(c, fmt.Errorf("file %q/%q: %w", c.Param("seq"), c.Param("n"), desk.ErrNotFound))
		return
	}
	f, err := s.desk.File(c.Request.Context(), principalOf(c), number, seq, n)
	if err != nil {
		s.fail(c, fmt.Errorf("file %d of article %d of ticket %s: %w", n, seq, number, err))
		return
	}
	sendDownload(c, f.Filename, f.Data)
}

// sendDownload sends data as a file to save, never to show.
func sendDownload(c *gin.Context, name string, data []byte) {
	c.Header("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	c.Header("Content-Security-Policy", "sandbox")
	c.Header("X-Content-Type-Options", "nosniff")
	c.Data(http.StatusOK, "application/octet-stream", data)
}
