package web

import (
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/models"
	"github.com/kiz-ulm/kizdesk/ticket"
)

// maxMailBody bounds a mail handed over whole: the size mail servers
// commonly accept, with room for its encoding.
const maxMailBody = 40 << 20

type mailResultJSON struct {
	Outcome     string   `json:"outcome"`
	Number      string   `json:"number,omitempty"`
	Duplicate   bool     `json:"duplicate"`
	AutoRespond bool     `json:"auto_respond"`
	Problems    []string `json:"problems,omitempty"`
}

// apiMailSave takes one mail as it arrived (message/rfc822, the raw
// bytes) from a mail gateway's token — an MTA's pipe or a fetcher — for
// the address in ?recipient=. A 2xx answer means the mail is stored for
// good; anything else, and the gateway must deliver it again later.
func (s *server) apiMailSave(c *gin.Context) {
	raw, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, maxMailBody))
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		s.fail(c, &badRequest{code: ticket.MsgTooLarge, detail: "the mail is larger than 40 MiB"})
		return
	case err != nil:
		s.fail(c, &badRequest{code: ticket.MsgBadRequest, detail: "the mail could not be read"})
		return
	}
	res, err := s.desk.IngestMail(c.Request.Context(), principalOf(c), desk.MailRequest{Raw: raw, Recipient: c.Query("recipient")})
	if err != nil {
		s.fail(c, fmt.Errorf("mail: %w", err))
		return
	}
	status := http.StatusAccepted // a follow-up or quarantine: taken, handled on its own time
	switch {
	case res.Duplicate:
		status = http.StatusOK
	case res.Outcome == models.MailNewTicket:
		status = http.StatusCreated
	}
	if res.Number != "" {
		c.Header("Location", "/api/v1/tickets/"+res.Number)
	}
	c.JSON(status, mailResultJSON{Outcome: res.Outcome, Number: res.Number, Duplicate: res.Duplicate,
		AutoRespond: res.AutoRespond, Problems: res.Problems})
}
