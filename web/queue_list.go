package web

import (
	"fmt"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/kiz-ulm/kizdesk/models"
)

type queueListPage struct {
	layout
	Queues []models.QueueCount
	// Reminders counts the tickets whose reminder is due; -1 when the
	// count could not be read (the overview is shown anyway).
	Reminders int
}

func (s *server) queueList(c *gin.Context) {
	qs, err := s.desk.QueueOverview(c.Request.Context(), principalOf(c))
	if err != nil {
		s.fail(c, fmt.Errorf("queue overview: %w", err))
		return
	}
	p := &queueListPage{Queues: qs}
	if n, err := s.desk.CountRemindersReached(c.Request.Context(), principalOf(c)); err != nil {
		s.log.LogAttrs(c.Request.Context(), slog.LevelError, "reminders reached for the queue overview", slog.String("err", err.Error()))
		p.Reminders = -1
	} else {
		p.Reminders = n
	}
	// A refused bulk form whose queue was not known comes back here.
	status := http.StatusOK
	var kept bulkForm
	if pr, refused, err := s.handedBack(c, bulkFormKey, &kept); err != nil {
		s.fail(c, err)
		return
	} else if refused {
		status, p.Error = pr.Status, bulkError(pr)
	}
	// So does a refused column choice that came from no queue view.
	var cols queueColumnsForm
	if pr, refused, err := s.handedBack(c, queueColumnsFormKey(principalOf(c).ID), &cols); err != nil {
		s.fail(c, err)
		return
	} else if refused {
		status, p.Error = pr.Status, pr.Message
	}
	s.render(c, status, "queue_list", p)
}
