package web

import (
	"context"
	"fmt"

	"github.com/kiz-ulm/kizdesk/desk"
)

// SetTimeZone checks the zone as the desk does and stores it with the
// fake's agent, so the next request's SessionAgent returns it.
func (f *fakeDesk) SetTimeZone(_ context.Context, a desk.Principal, zone string) error {
	f.record("SetTimeZone", zone)
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.errs["SetTimeZone"]; err != nil {
		return err
	}
	if pr, bad := desk.CheckTimeZone(zone); bad {
		return desk.FieldErrors{"time_zone": pr}
	}
	agent, ok := f.agents[a.ID]
	if !ok {
		return fmt.Errorf("agent %d: %w", a.ID, desk.ErrNotFound)
	}
	agent.TimeZone = zone
	f.agents[a.ID] = agent
	return nil
}
