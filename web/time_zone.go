package web

import (
	"slices"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/kiz-ulm/kizdesk/models"
)

// zone is the zone a request's reader reads and types times in: a
// logged-in agent's own (requireAgent finds it), else the desk's. The
// portal and the login page always speak the desk's zone.
func (s *server) zone(c *gin.Context) *time.Location {
	if v, ok := c.Get(keyZone); ok {
		if loc, ok := v.(*time.Location); ok && loc != nil {
			return loc
		}
	}
	return s.loc
}

// agentZone loads agent a's zone, once per name for the server's life. A
// zone that no longer loads (a tzdata update dropped it) falls back to the
// desk's rather than refusing every page; the preferences offer to choose
// anew.
func (s *server) agentZone(a models.Agent) *time.Location {
	if a.TimeZone == "" {
		return s.loc
	}
	if v, ok := s.zones.Load(a.TimeZone); ok {
		return v.(*time.Location)
	}
	loc, err := time.LoadLocation(a.TimeZone)
	if err != nil || a.TimeZone == "Local" {
		return s.loc
	}
	s.zones.Store(a.TimeZone, loc)
	return loc
}

// commonZones are offered on the preferences page: where kiz staff and
// their colleagues abroad work. IANA names, so an admin can read them.
var commonZones = []string{
	"Europe/Berlin", "Europe/London", "Europe/Paris", "Europe/Zurich", "Europe/Vienna", "Europe/Istanbul",
	"UTC",
	"America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles", "America/Sao_Paulo",
	"Asia/Kolkata", "Asia/Shanghai", "Asia/Tokyo", "Australia/Sydney",
}

// zoneOption is one entry of the time zone select.
type zoneOption struct {
	// Name is the IANA name, "" for the desk's zone.
	Name string
	// Offset is the zone's offset from UTC now, as "+01:00".
	Offset   string
	Selected bool
}

// zoneOptions are the zones offered: the desk's first, then the common
// ones, and the chosen one if it is none of them.
func (s *server) zoneOptions(chosen string) []zoneOption {
	names := append([]string{""}, commonZones...)
	if !slices.Contains(names, chosen) {
		names = append(names, chosen)
	}
	now := time.Now()
	out := make([]zoneOption, 0, len(names))
	for _, n := range names {
		loc := s.loc
		if n != "" {
			l, err := time.LoadLocation(n)
			if err != nil {
				// A refused name kept from the form: offered as typed,
				// marked by its field error.
				out = append(out, zoneOption{Name: n, Selected: n == chosen})
				continue
			}
			loc = l
		}
		out = append(out, zoneOption{Name: n, Offset: now.In(loc).Format("-07:00"), Selected: n == chosen})
	}
	return out
}
