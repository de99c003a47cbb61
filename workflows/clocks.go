package workflows

import (
	"time"

	"github.com/kiz-ulm/kizdesk/calendar"
)

// Clock counts working time towards one target (policy.go says which
// clocks exist and when they run). It measures even without a target, so
// reports have response and solution times for every ticket.
type Clock struct {
	Target   time.Duration // 0: no deadline
	Used     time.Duration // working time counted before Since
	Since    time.Time     // when it last started counting; zero while it stands
	Done     bool          // met, or ended with the ticket
	Warned   bool
	Breached bool
}

// Clocks are a ticket's SLA clocks and its escalation clock.
type Clocks struct {
	FirstResponse Clock
	Update        Clock
	Solution      Clock
	Escalation    Clock
}

func (c *Clock) running() bool { return !c.Done && !c.Since.IsZero() }

// start lets the clock count from now, unless it is done.
func (c *Clock) start(now time.Time) {
	if !c.Done && c.Since.IsZero() {
		c.Since = now
	}
}

// pause adds the working time since it started and lets the clock stand.
func (c *Clock) pause(cal calendar.Calendar, now time.Time) {
	if c.running() {
		c.Used += cal.Between(c.Since, now)
		c.Since = time.Time{}
	}
}

// stop ends the clock for good (until a reopen restarts it).
func (c *Clock) stop(cal calendar.Calendar, now time.Time) {
	c.pause(cal, now)
	c.Done = true
}

// restart begins a fresh count towards target, running from now if run.
func (c *Clock) restart(target time.Duration, now time.Time, run bool) {
	*c = Clock{Target: target}
	if run {
		c.Since = now
	}
}

// due is when the target is reached; zero while the clock stands or has
// no target.
func (c *Clock) due(cal calendar.Calendar) time.Time {
	if !c.running() || c.Target <= 0 {
		return time.Time{}
	}
	return cal.Add(c.Since, max(c.Target-c.Used, 0))
}

// warnAt is when percent of the target is used; zero when there is
// nothing to warn about.
func (c *Clock) warnAt(cal calendar.Calendar, percent int) time.Time {
	if !c.running() || c.Target <= 0 || percent <= 0 || percent >= 100 || c.Warned || c.Breached {
		return time.Time{}
	}
	at := c.Target * time.Duration(percent) / 100
	return cal.Add(c.Since, max(at-c.Used, 0))
}

// clockNames are the OTRS names of the SLA clocks, as history shows them.
const (
	clockFirstResponse = "FirstResponseTime"
	clockUpdate        = "UpdateTime"
	clockSolution      = "SolutionTime"
)

// clockLabels name the clocks in timer summaries of the Temporal UI.
var clockLabels = map[string]string{
	clockFirstResponse: "SLA first response",
	clockUpdate:        "SLA update",
	clockSolution:      "SLA solution",
}

// sla lists the SLA clocks with their names, in a fixed order.
func (cs *Clocks) sla() []struct {
	name string
	c    *Clock
} {
	return []struct {
		name string
		c    *Clock
	}{{clockFirstResponse, &cs.FirstResponse}, {clockUpdate, &cs.Update}, {clockSolution, &cs.Solution}}
}

// all lists every clock, the escalation clock last.
func (cs *Clocks) all() []*Clock {
	return []*Clock{&cs.FirstResponse, &cs.Update, &cs.Solution, &cs.Escalation}
}
