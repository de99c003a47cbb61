package desk

import (
	"context"
	"errors"

	"github.com/kiz-ulm/kizdesk/models"
	"github.com/kiz-ulm/kizdesk/ticket"
)

// Principal is who asks the desk to do something: an agent, a customer, the
// system itself, or an integration such as the mail gateway. Every desk
// operation takes one, and every rule about who may do what is checked
// against it here, in the desk — never in a skin.
type Principal struct {
	Kind     ticket.ActorKind
	TenantID int64
	ID       int64 // the agent's or customer's ID; an integration's token ID
	Name     string
	Login    string // agents and customers
	// Access is an agent's permissions, once the desk has read them
	// (WithAccess); nil: the desk reads them when it needs them.
	Access *Access
}

// AgentPrincipal is an agent acting in person (a session or their token).
func AgentPrincipal(a models.Agent) Principal {
	return Principal{Kind: ticket.ActorAgent, TenantID: a.TenantID, ID: a.ID, Name: a.Name, Login: a.Login}
}

// CustomerPrincipal is a customer acting in person (the portal).
func CustomerPrincipal(c models.Customer) Principal {
	return Principal{Kind: ticket.ActorCustomer, TenantID: c.TenantID, ID: c.ID, Name: c.Name, Login: c.Login}
}

// SystemPrincipal is kizdesk itself acting in a tenant (demo data, jobs).
func SystemPrincipal(tenantID int64) Principal {
	return Principal{Kind: ticket.ActorSystem, TenantID: tenantID, Name: "kizdesk"}
}

// Actor is how history records the principal.
func (p Principal) Actor() ticket.Actor {
	return ticket.Actor{Kind: p.Kind, ID: p.ID, Name: p.Name}
}

// IsAgent tells whether the principal is an agent.
func (p Principal) IsAgent() bool { return p.Kind == ticket.ActorAgent }

// ErrForbidden: this kind of principal may not do this at all (a customer
// adding an internal note, an agent's token posting as a customer).
var ErrForbidden = errors.New("not allowed for this principal")

// PrincipalByToken returns who an API token speaks as: its agent, or the
// integration it was issued to.
func (d *Desk) PrincipalByToken(ctx context.Context, token string) (Principal, error) {
	a, integration, err := models.TokenOwner(ctx, d.db, token)
	if err != nil {
		return Principal{}, err
	}
	if integration != "" {
		return Principal{Kind: ticket.ActorIntegration, TenantID: a.TenantID, ID: a.ID, Name: integration}, nil
	}
	return AgentPrincipal(a), nil
}

// mustBeAgent refuses every principal but an agent: only agents work
// tickets (customers and integrations only follow up on them).
func mustBeAgent(p Principal) error {
	if !p.IsAgent() {
		return ErrForbidden
	}
	return nil
}

// mayRead tells whether p may address ticket t at all. Agents see the
// tickets of the queues they have ro on (a is their access); a customer
// only tickets they are the customer of; an integration may address its
// tenant's tickets (to post a follow-up) but reads nothing: every read
// asks mustBeAgent as well.
func mayRead(p Principal, a *Access, t models.TicketRow) bool {
	if t.TenantID != p.TenantID {
		return false
	}
	switch p.Kind {
	case ticket.ActorAgent:
		return a.Sees(t.QueueID)
	case ticket.ActorSystem, ticket.ActorIntegration:
		return true
	case ticket.ActorCustomer:
		return t.CustomerID == p.ID
	}
	return false
}
