package desk

import (
	"context"
	"errors"
	"strings"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/kiz-ulm/kizdesk/models"
	"github.com/kiz-ulm/kizdesk/ticket"
)

// Retention in the admin interface: the tenant's policy is an admin kind
// (retention-policies, admin_kinds.go); here are the dry run, the run now
// and a customer's erasure request. Admins only.

// RefusedErasureOpen: the customer still has open tickets (Tickets: their
// numbers). An erasure must not silently close someone's live request.
const RefusedErasureOpen ticket.Code = "refused.erasure_open"

// RetentionListLimit bounds the dry run's list; the counts are complete.
const RetentionListLimit = 500

// RetentionOverview is the dry run: the tenant's policy and what retention
// would do now.
type RetentionOverview struct {
	Policy models.RetentionPolicy
	// PolicyID is the policy's admin object; 0: the tenant has none yet
	// (retention keeps everything).
	PolicyID  int64
	At        time.Time
	Due       []models.RetentionDue // the first RetentionListLimit
	Archive   int
	Anonymise int
}

// RetentionOverview lists what retention would archive and anonymise in
// p's tenant now, changing nothing.
func (d *Desk) RetentionOverview(ctx context.Context, p Principal) (RetentionOverview, error) {
	var o RetentionOverview
	if err := d.mustAdmin(ctx, p, false); err != nil {
		return o, err
	}
	pol, err := models.RetentionPolicyOf(ctx, d.db, p.TenantID)
	if err != nil {
		return o, err
	}
	o.Policy, o.PolicyID, o.At = pol, pol.ID, d.now()
	var after int64
	for {
		due, err := models.DueForRetention(ctx, d.db, p.TenantID, o.At, after, RetentionListLimit)
		if err != nil {
			return o, err
		}
		for _, x := range due {
			if x.Action == models.ActionArchive {
				o.Archive++
			} else {
				o.Anonymise++
			}
			if len(o.Due) < RetentionListLimit {
				o.Due = append(o.Due, x)
			}
			after = x.TicketID
		}
		if len(due) < RetentionListLimit {
			return o, nil
		}
	}
}

// RetentionRun is a retention run an admin started: Done with its Result
// once it finished within the desk's patience, else it goes on in
// Temporal under WorkflowID.
type RetentionRun struct {
	WorkflowID string
	Done       bool
	Result     ticket.RetentionResult
}

// RunRetention starts the retention of p's tenant now (the same workflow
// the schedule starts, kept to the tenant) and waits for it a while. A
// run of the tenant still going is joined, not doubled.
func (d *Desk) RunRetention(ctx context.Context, p Principal) (RetentionRun, error) {
	if err := d.mustAdmin(ctx, p, false); err != nil {
		return RetentionRun{}, err
	}
	return d.runRetention(ctx, ticket.RetentionRunWorkflowID(p.TenantID), ticket.RetentionInput{TenantID: p.TenantID})
}

func (d *Desk) runRetention(ctx context.Context, id string, in ticket.RetentionInput) (RetentionRun, error) {
	run := RetentionRun{WorkflowID: id}
	h, err := d.tc.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID: id, TaskQueue: ticket.TaskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
	}, ticket.WorkflowRetention, in)
	if err != nil {
		return run, wrapf(err, "start %s", id)
	}
	wctx, cancel := context.WithTimeout(ctx, d.opts.Patience)
	defer cancel()
	err = h.Get(wctx, &run.Result)
	if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
		return run, nil // still running: the page says so
	}
	if err != nil {
		return run, wrapf(err, "%s", id)
	}
	run.Done = true
	return run, nil
}

// maxErasureMatches bounds the customer search of the erasure page.
const maxErasureMatches = 50

// ErasureCandidates finds the customers of p's tenant an erasure request
// may name, by part of login, name or mail.
func (d *Desk) ErasureCandidates(ctx context.Context, p Principal, query string) ([]models.Customer, error) {
	if err := d.mustAdmin(ctx, p, false); err != nil {
		return nil, err
	}
	query = strings.TrimSpace(query)
	fe := FieldErrors{}
	checkText(fe, "q", query, 0, 200)
	if len(fe) > 0 {
		return nil, fe
	}
	if query == "" {
		return nil, nil
	}
	return models.ErasureCandidates(ctx, d.db, p.TenantID, query, maxErasureMatches)
}

// ErasurePreview is what erasing a customer touches.
type ErasurePreview struct {
	Customer models.Customer
	// Tickets are the closed tickets to anonymise (at most
	// RetentionListLimit listed; TicketCount counts all).
	Tickets     []models.RetentionDue
	TicketCount int
	// Open are the customer's open tickets: while there is one, the
	// request is refused.
	Open        []models.Ticket
	Deflections int64
}

// ErasurePreview is the dry run of erasing a customer of p's tenant.
func (d *Desk) ErasurePreview(ctx context.Context, p Principal, customerID int64) (ErasurePreview, error) {
	var e ErasurePreview
	if err := d.mustAdmin(ctx, p, false); err != nil {
		return e, err
	}
	c, err := d.erasable(ctx, p, customerID)
	if err != nil {
		return e, err
	}
	e.Customer = c
	var after int64
	for {
		ts, err := models.CustomerTicketsToErase(ctx, d.db, p.TenantID, c.ID, after, RetentionListLimit)
		if err != nil {
			return e, err
		}
		for _, t := range ts {
			if len(e.Tickets) < RetentionListLimit {
				e.Tickets = append(e.Tickets, t)
			}
			after = t.TicketID
		}
		e.TicketCount += len(ts)
		if len(ts) < RetentionListLimit {
			break
		}
	}
	if e.Open, err = models.OpenTicketsOf(ctx, d.db, p.TenantID, c.ID); err != nil {
		return e, err
	}
	err = d.db.WithContext(ctx).Model(&models.FAQDeflection{}).Where("tenant_id = ? AND customer_id = ?", p.TenantID, c.ID).
		Count(&e.Deflections).Error
	return e, wrapf(err, "deflections of customer %d", c.ID)
}

// erasable reads a customer of p's tenant an erasure may name.
func (d *Desk) erasable(ctx context.Context, p Principal, customerID int64) (models.Customer, error) {
	var cs []models.Customer
	if err := d.db.WithContext(ctx).Where("tenant_id = ? AND id = ?", p.TenantID, customerID).Limit(1).Find(&cs).Error; err != nil {
		return models.Customer{}, wrapf(err, "customer %d", customerID)
	}
	if len(cs) == 0 || cs[0].IsErased() {
		return models.Customer{}, wrapf(ErrNotFound, "customer %d", customerID)
	}
	return cs[0], nil
}

// Erase carries out a customer's erasure request (right to be forgotten):
// every closed ticket of theirs is anonymised as retention does, with a
// signed Anonymised entry naming the admin, their FAQ deflections lose
// them, and the customer row is pseudonymised. Refused while the customer
// has an open ticket (RefusedErasureOpen, naming them), and unless the
// admin confirmed it (having seen ErasurePreview). It waits for the
// erasure workflow a while; a large one goes on in Temporal.
func (d *Desk) Erase(ctx context.Context, p Principal, customerID int64, confirmed bool) (RetentionRun, error) {
	if err := d.mustAdmin(ctx, p, false); err != nil {
		return RetentionRun{}, err
	}
	c, err := d.erasable(ctx, p, customerID)
	if err != nil {
		return RetentionRun{}, err
	}
	open, err := models.OpenTicketsOf(ctx, d.db, p.TenantID, c.ID)
	if err != nil {
		return RetentionRun{}, err
	}
	if len(open) > 0 {
		numbers := make([]string, len(open))
		for i, t := range open {
			numbers[i] = t.Number
		}
		return RetentionRun{}, refused(RefusedErasureOpen, "Tickets", strings.Join(numbers, ", "))
	}
	if !confirmed {
		return RetentionRun{}, FieldErrors{"confirm": ticket.P(ticket.FieldRequired)}
	}
	return d.runRetention(ctx, ticket.ErasureWorkflowID(c.ID), ticket.RetentionInput{
		Erase: &ticket.Erasure{TenantID: p.TenantID, CustomerID: c.ID, AdminID: p.ID, AdminName: p.Name}})
}
