package ticket

import (
	"time"

	"github.com/kiz-ulm/kizdesk/calendar"
)

// Clock counts working time towards one target (workflows/policy.go says
// when each runs). It measures even without a target, so
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

// Running tells whether the clock counts now.
func (c *Clock) Running() bool { return !c.Done && !c.Since.IsZero() }

// Start lets the clock count from now, unless it is done.
func (c *Clock) Start(now time.Time) {
	if !c.Done && c.Since.IsZero() {
		c.Since = now
	}
}

// Pause adds the working time since it started and lets the clock stand.
func (c *Clock) Pause(cal calendar.Calendar, now time.Time) {
	if c.Running() {
		c.Used += cal.Between(c.Since, now)
		c.Since = time.Time{}
	}
}

// Stop ends the clock for good (until a reopen restarts it).
func (c *Clock) Stop(cal calendar.Calendar, now time.Time) {
	c.Pause(cal, now)
	c.Done = true
}

// Restart begins a fresh count towards target, running from now if run.
func (c *Clock) Restart(target time.Duration, now time.Time, run bool) {
	*c = Clock{Target: target}
	if run {
		c.Since = now
	}
}

// Due is when the target is reached; zero while the clock stands or has
// no target.
func (c *Clock) Due(cal calendar.Calendar) time.Time {
	if !c.Running() || c.Target <= 0 {
		return time.Time{}
	}
	return cal.Add(c.Since, max(c.Target-c.Used, 0))
}

// WarnAt is when percent of the target is used; zero when there is
// nothing to warn about.
func (c *Clock) WarnAt(cal calendar.Calendar, percent int) time.Time {
	if !c.Running() || c.Target <= 0 || percent <= 0 || percent >= 100 || c.Warned || c.Breached {
		return time.Time{}
	}
	at := c.Target * time.Duration(percent) / 100
	return cal.Add(c.Since, max(at-c.Used, 0))
}

// The OTRS names the OTRS names of the SLA clocks, as history shows them.
const (
	ClockFirstResponse = "FirstResponseTime"
	ClockUpdate        = "UpdateTime"
	ClockSolution      = "SolutionTime"
)

// ClockLabels name the clocks in timer summaries of the Temporal UI.
var ClockLabels = map[string]string{
	ClockFirstResponse: "SLA first response",
	ClockUpdate:        "SLA update",
	ClockSolution:      "SLA solution",
}

// NamedClock is an SLA clock with its OTRS name.
type NamedClock struct {
	Name string
	C    *Clock
}

// SLA lists the SLA clocks with their names, in a fixed order.
func (cs *Clocks) SLA() []NamedClock {
	return []NamedClock{{ClockFirstResponse, &cs.FirstResponse}, {ClockUpdate, &cs.Update}, {ClockSolution, &cs.Solution}}
}

// All lists every clock, the escalation clock last.
func (cs *Clocks) All() []*Clock {
	return []*Clock{&cs.FirstResponse, &cs.Update, &cs.Solution, &cs.Escalation}
}
