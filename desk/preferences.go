package desk

import (
	"context"
	"slices"
	"time"

	"github.com/kiz-ulm/kizdesk/i18n"
	"github.com/kiz-ulm/kizdesk/models"
	"github.com/kiz-ulm/kizdesk/ticket"
)

// SetLanguage stores the interface language agent p chose, one of
// i18n.Languages, so it follows them to every device and session (Login
// and AgentByID return it as Agent.Language).
func (d *Desk) SetLanguage(ctx context.Context, p Principal, lang string) error {
	if err := mustBeAgent(p); err != nil {
		return err
	}
	if !slices.Contains(i18n.Languages, lang) {
		return FieldErrors{"lang": ticket.P(ticket.FieldChoose)}
	}
	if err := models.SetAgentLanguage(ctx, d.db, p.TenantID, p.ID, lang); err != nil {
		return wrapf(err, "language of agent %d", p.ID)
	}
	return nil
}

// maxZoneName bounds a time zone's name; the longest IANA names have about
// 30 characters.
const maxZoneName = 64

// SetTimeZone stores the time zone agent p reads and types times in: an
// IANA name that loads here (Europe/Berlin, America/New_York, UTC), or ""
// for the desk's zone. Login and SessionAgent return it as Agent.TimeZone.
func (d *Desk) SetTimeZone(ctx context.Context, p Principal, zone string) error {
	if err := mustBeAgent(p); err != nil {
		return err
	}
	if pr, bad := CheckTimeZone(zone); bad {
		return FieldErrors{"time_zone": pr}
	}
	if err := models.SetAgentTimeZone(ctx, d.db, p.TenantID, p.ID, zone); err != nil {
		return wrapf(err, "time zone of agent %d", p.ID)
	}
	return nil
}

// CheckTimeZone says what is wrong with a time zone's name, if anything:
// "" (the desk's zone) and IANA names that load are right. "Local" is
// refused: it is the server's zone, which says nothing to the agent and
// changes with the machine.
func CheckTimeZone(zone string) (ticket.Problem, bool) {
	if zone == "" {
		return ticket.Problem{}, false
	}
	if pr, bad := ticket.CheckText(zone, ticket.Line, maxZoneName); bad {
		return pr, true
	}
	if _, err := time.LoadLocation(zone); err != nil || zone == "Local" {
		return ticket.P(ticket.FieldUnknown), true
	}
	return ticket.Problem{}, false
}
