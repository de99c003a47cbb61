// Package activities holds every side effect the ticket workflows need.
// Activities are methods on one struct that holds their dependencies; each
// is idempotent, because Temporal may run an activity more than once.
package activities

import (
	"time"

	"gorm.io/gorm"

	"github.com/kiz-ulm/kizdesk/models"
)

// Activities is registered with the worker; workflows call its methods
// through a typed nil pointer (var a *Activities).
type Activities struct {
	DB *gorm.DB
	// AuditKey keys the hashes of new history entries (the current key of
	// the ring); without one, ProjectTicket writes no entry.
	AuditKey models.AuditKey
	// Mail sends the desk's mail; nil: no mail is written or sent.
	Mail *Mail
	// Reports renders scheduled reports (the desk); nil: none are mailed.
	Reports ReportRenderer
	// Temporal lets retention delete the workflows of the tickets it
	// anonymises; nil: RetentionBatch refuses to run.
	Temporal TemporalService
	// Now is the clock of the notifications' working hours; nil:
	// time.Now.
	Now func() time.Time
}

func (a *Activities) now() time.Time {
	if a.Now != nil {
		return a.Now()
	}
	return time.Now()
}
