package web

import (
	"fmt"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/kiz-ulm/kizdesk/desk"
)

// attachmentShow sends one file a ticket's mail brought, always as a
// download: a customer's file (HTML, SVG, anything) is never rendered in
// the desk's origin.
func (s *server) attachmentShow(c *gin.Context) {
	number, err := numberParam(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	mailID, err1 := strconv.ParseInt(c.Param("mail"), 10, 64)
	seq, err2 := strconv.Atoi(c.Param("seq"))
	if err1 != nil || err2 != nil {
		s.fail(c, fmt.Errorf("attachment %q/%q: %w", c.Param("mail"), c.Param("seq"), desk.ErrNotFound))
		return
	}
	f, err := s.desk.Attachment(c.Request.Context(), principalOf(c), number, mailID, seq)
	if err != nil {
		s.fail(c, fmt.Errorf("attachment %d/%d of ticket %s: %w", mailID, seq, number, err))
		return
	}
	sendDownload(c, f.Filename, f.Data)
}
