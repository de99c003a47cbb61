package desk

import (
	"context"
	"slices"

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
