package desk

import (
	"context"
	"fmt"
	"slices"

	"github.com/kiz-ulm/kizdesk/models"
	"github.com/kiz-ulm/kizdesk/ticket"
)

// Access is what an agent may do in its tenant: OTRS's permissions per
// queue from its roles and direct grants. Every read and action of the
// desk asks it; nothing else decides what an agent sees.
type Access struct {
	// Admin: an admin role; every permission on every queue of the
	// tenant, and the admin interface.
	Admin bool
	// Operator: an admin of the tenant that runs the desk, who may also
	// administer tenants, ticket types and priorities.
	Operator bool
	// Reports: a role lets the agent see reports (over the queues it
	// reads); admins always may.
	Reports bool
	Roles   []string
	queues  map[int64]ticket.PermSet
}

// On returns the permissions on a queue.
func (a *Access) On(queueID int64) ticket.PermSet {
	if a == nil {
		return 0
	}
	if a.Admin {
		return ticket.AllPerms
	}
	return a.queues[queueID]
}

// Sees tells whether the queue is visible: ro (or rw) on it.
func (a *Access) Sees(queueID int64) bool { return a.On(queueID).Has(ticket.PermRO) }

// access returns p's access, reading it unless p carries it already.
// Principals other than agents have none: customers and integrations are
// judged by what is theirs, not by queues.
func (d *Desk) access(ctx context.Context, p Principal) (*Access, error) {
	if p.Access != nil || !p.IsAgent() {
		return p.Access, nil
	}
	m, err := models.AgentAccess(ctx, d.db, p.TenantID, p.ID)
	if err != nil {
		return nil, err
	}
	a := &Access{Admin: m.Admin, Operator: m.Operator, Reports: m.Reports, Roles: m.Roles, queues: map[int64]ticket.PermSet{}}
	for q, perms := range m.Queues {
		for _, name := range perms {
			a.queues[q] = a.queues[q].Add(ticket.Perm(name))
		}
	}
	return a, nil
}

// WithAccess returns p carrying its access, read once for a request that
// asks the desk several times (a page).
func (d *Desk) WithAccess(ctx context.Context, p Principal) (Principal, error) {
	a, err := d.access(ctx, p)
	if err != nil {
		return p, err
	}
	p.Access = a
	return p, nil
}

// need refuses unless p has perm on the queue; a queue p cannot see at
// all answers as if it did not exist.
func (d *Desk) need(ctx context.Context, p Principal, queueID int64, queueName string, perm ticket.Perm) error {
	a, err := d.access(ctx, p)
	if err != nil {
		return err
	}
	on := a.On(queueID)
	if on.Has(perm) {
		return nil
	}
	// Moving into a queue and opening tickets in it do not need seeing
	// it (a 1st-level agent escalates into 2nd-level queues it cannot
	// read); everything else about a queue the agent cannot see answers
	// as if the queue did not exist.
	target := perm == ticket.PermMoveInto || perm == ticket.PermCreate
	if on == 0 || (!target && !on.Has(ticket.PermRO)) {
		return fmt.Errorf("queue %d for agent %d: %w", queueID, p.ID, ErrNotFound)
	}
	return refused(ticket.RefusedPermission, "Perm", string(perm), "Queue", queueName)
}

// CheckTicket tells whether p may work ticket number at all: an agent who
// sees its queue. The web asks it before it answers a form it could not
// even read, so a ticket the agent cannot see is "not found" either way.
func (d *Desk) CheckTicket(ctx context.Context, p Principal, number string) error {
	if err := mustBeAgent(p); err != nil {
		return err
	}
	_, err := d.readable(ctx, p, number)
	return err
}

// queuesWith returns the tenant's queues on which p has perm.
func (d *Desk) queuesWith(ctx context.Context, p Principal, perm ticket.Perm) ([]models.Queue, error) {
	a, err := d.access(ctx, p)
	if err != nil {
		return nil, err
	}
	qs, err := models.Queues(ctx, d.db, p.TenantID)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(qs, func(q models.Queue) bool { return !a.On(q.ID).Has(perm) }), nil
}

// grant is what the desk tells the ticket's process p may do: its
// permissions on the ticket's queue and, for the actions that move the
// ticket, the queues it may move it into.
func (d *Desk) grant(ctx context.Context, p Principal, t models.TicketRow, act ticket.Action) (*ticket.Grant, error) {
	a, err := d.access(ctx, p)
	if err != nil {
		return nil, err
	}
	g := &ticket.Grant{Queue: t.QueueID, Perms: a.On(t.QueueID)}
	switch act {
	case ticket.ActionMove, ticket.ActionEscalate, ticket.ActionHandBack:
		qs, err := d.queuesWith(ctx, Principal{Kind: p.Kind, TenantID: p.TenantID, ID: p.ID, Access: a}, ticket.PermMoveInto)
		if err != nil {
			return nil, err
		}
		for _, q := range qs {
			g.MoveInto = append(g.MoveInto, q.ID)
		}
	}
	return g, nil
}
