package desk

import (
	"time"

	"github.com/kiz-ulm/kizdesk/calendar"
	"github.com/kiz-ulm/kizdesk/models"
)

// SLARun tells a page how an SLA's remaining time moves from now on, so a
// small script can count it down without knowing the calendar: it falls
// with the clock while Running, and stands otherwise; either holds until
// Until (zero: for good).
type SLARun struct {
	Running bool
	Until   time.Time
	// Now is the moment Until counts from (the desk's clock).
	Now time.Time
}

// slaRunLimit bounds how far ahead the end of the current stretch is
// looked for; a page open longer than this is reloaded anyway.
const slaRunLimit = 24 * time.Hour

// slaRun is how st's remaining time moves from now on: not at all while
// the ticket waits or once breached (the "since" is a fixed moment), with
// the wall clock without a calendar, else with the SLA's working time
// until the current stretch of working (or free) time ends.
func slaRun(r models.TicketRow, st SLAStatus, terms slaTerms, now time.Time) SLARun {
	if st.Paused || st.Breached || st.Due.IsZero() {
		return SLARun{Now: now}
	}
	_, cal, found := terms.of(r.Clocks())
	if !found {
		return SLARun{Running: true, Until: st.Due, Now: now}
	}
	run := calendarRun(cal, now, st.Due)
	run.Now = now
	return run
}

// calendarRun finds the end of the stretch now lies in by halving: a
// stretch of working time is one where working time equals wall time, a
// free one where it is nil.
func calendarRun(cal calendar.Calendar, now, due time.Time) SLARun {
	running := cal.Working(now)
	same := func(d time.Duration) bool {
		w := cal.Between(now, now.Add(d))
		if running {
			return w == d
		}
		return w == 0
	}
	limit := min(slaRunLimit, due.Sub(now))
	if same(limit) {
		return SLARun{Running: running, Until: now.Add(limit)}
	}
	lo, hi := time.Duration(0), limit // same(lo), !same(hi)
	for hi-lo > time.Second {
		mid := lo + (hi-lo)/2
		if same(mid) {
			lo = mid
		} else {
			hi = mid
		}
	}
	return SLARun{Running: running, Until: now.Add(lo)}
}
