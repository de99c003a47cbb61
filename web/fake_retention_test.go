package web

import (
	"context"
	"strings"
	"time"

	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/models"
	"github.com/kiz-ulm/kizdesk/ticket"
)

// The fake desk's retention: a policy (ID 5), one ticket due for each
// action, and two customers to erase: 3 with closed tickets only, 22
// with an open one (the desk refuses the erasure, naming it). Who may do
// what and what retention really does are tested in package desk and
// the root package; the fake refuses what errs says.

var fakeRetentionAt = time.Date(2027, 3, 1, 4, 0, 0, 0, time.UTC)

func (f *fakeDesk) RetentionOverview(_ context.Context, p desk.Principal) (desk.RetentionOverview, error) {
	f.record("RetentionOverview", p.Login)
	o := desk.RetentionOverview{PolicyID: 5, At: fakeRetentionAt, Archive: 1, Anonymise: 1,
		Policy: models.RetentionPolicy{ID: 5, TenantID: 1, PortalRead: 90, ArchiveAfter: 30, AnonymiseAfter: 365, Unit: models.UnitDays,
			AnonymiseMode: models.AnonymisePseudonymise},
		Due: []models.RetentionDue{
			{TicketID: 1, Number: "2026010110000011", Title: "Drucker <3. OG>", ClosedAt: testTime, Action: models.ActionArchive},
			{TicketID: 2, Number: "2026010110000029", Title: "VPN", ClosedAt: testTime, Action: models.ActionAnonymise, Mode: models.AnonymisePseudonymise},
		}}
	return o, f.adminErr("RetentionOverview")
}

func (f *fakeDesk) RunRetention(_ context.Context, p desk.Principal) (desk.RetentionRun, error) {
	f.record("RunRetention", p.Login)
	return desk.RetentionRun{WorkflowID: ticket.RetentionRunWorkflowID(1), Done: true,
		Result: ticket.RetentionResult{Archived: 1, Anonymised: 1, Batches: 1}}, f.adminErr("RunRetention")
}

var fakeErasable = []models.Customer{
	{ID: 3, TenantID: 1, Login: "mmuster", Name: "Max <Mustermann>", Email: "m@example.org"},
	{ID: 22, TenantID: 1, Login: "eopen", Name: "Erika Offen", Email: "e@example.org"},
}

func (f *fakeDesk) ErasureCandidates(_ context.Context, p desk.Principal, query string) ([]models.Customer, error) {
	f.record("ErasureCandidates", query)
	if err := f.adminErr("ErasureCandidates"); err != nil || query == "" {
		return nil, err
	}
	var out []models.Customer
	for _, c := range fakeErasable {
		if strings.Contains(strings.ToLower(c.Login+" "+c.Name+" "+c.Email), strings.ToLower(query)) {
			out = append(out, c)
		}
	}
	return out, nil
}

func (f *fakeDesk) fakeErasable(id int64) (models.Customer, error) {
	for _, c := range fakeErasable {
		if c.ID == id {
			return c, nil
		}
	}
	return models.Customer{}, desk.ErrNotFound
}

func (f *fakeDesk) ErasurePreview(_ context.Context, p desk.Principal, id int64) (desk.ErasurePreview, error) {
	f.record("ErasurePreview", id)
	if err := f.adminErr("ErasurePreview"); err != nil {
		return desk.ErasurePreview{}, err
	}
	c, err := f.fakeErasable(id)
	if err != nil {
		return desk.ErasurePreview{}, err
	}
	e := desk.ErasurePreview{Customer: c, TicketCount: 1, Deflections: 2,
		Tickets: []models.RetentionDue{{TicketID: 2, Number: "2026010110000029", Title: "VPN", ClosedAt: testTime, Action: models.ActionAnonymise}}}
	if id == 22 {
		e.Open = []models.Ticket{{ID: 3, Number: "2026010110000037", Title: "Noch offen", State: "open"}}
	}
	return e, nil
}

func (f *fakeDesk) Erase(_ context.Context, p desk.Principal, id int64, confirmed bool) (desk.RetentionRun, error) {
	f.record("Erase", id, confirmed)
	if err := f.adminErr("Erase"); err != nil {
		return desk.RetentionRun{}, err
	}
	if _, err := f.fakeErasable(id); err != nil {
		return desk.RetentionRun{}, err
	}
	if id == 22 {
		return desk.RetentionRun{}, &desk.RejectedError{Problem: ticket.P(desk.RefusedErasureOpen, "Tickets", "2026010110000037")}
	}
	if !confirmed {
		return desk.RetentionRun{}, desk.FieldErrors{"confirm": ticket.P(ticket.FieldRequired)}
	}
	return desk.RetentionRun{WorkflowID: ticket.ErasureWorkflowID(id), Done: true, Result: ticket.RetentionResult{Anonymised: 1, Batches: 1}}, nil
}
