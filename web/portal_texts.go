package web

import "github.com/kiz-ulm/kizdesk/desk"

// The portal's words for the process: states in plain words for people
// who do not know the OTRS names, ticket types and urgencies.

// PortalState names a ticket's state as a customer understands it.
func (t texts) PortalState(v any) string { return t.word("ui.portal.state.", v) }

// PortalStateHint says in a sentence what the state means for the customer.
func (t texts) PortalStateHint(v any) string { return t.word("ui.portal.state_hint.", v) }

// PortalType names a ticket type for customers.
func (t texts) PortalType(v any) string { return t.word("ui.portal.type.", v) }

// PortalUrgency names an urgency.
func (t texts) PortalUrgency(u desk.Urgency) string { return t.word("ui.portal.urgency.", string(u)) }
