package main

import (
	"testing"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/models"
	"github.com/kiz-ulm/kizdesk/ticket"
)

// TestRetentionInMinutes: a policy in minutes archives and then anonymises
// a ticket closed moments ago whose follow-up window (the queue's, days
// long) is still open: retention has the ticket's workflow end the window
// itself, and history and audit say so. The runs are measured at moments
// a few minutes on; nothing sleeps for minutes.
func TestRetentionInMinutes(t *testing.T) {
	s := sharedStack(t, "sqlite", nil)
	ctx := t.Context()
	m := setUpMatrixTenant(t, s, "retention-minutes", false)
	if err := s.db.Create(&models.RetentionPolicy{TenantID: m.tenant.ID, ArchiveAfter: 1, AnonymiseAfter: 2, PortalRead: 1,
		AnonymiseMode: models.AnonymisePseudonymise, Unit: models.UnitMinutes}).Error; err != nil {
		t.Fatal(err)
	}
	admin := desk.AgentPrincipal(m.agents["admin"])
	v, err := s.desk.CreateTicket(ctx, admin, desk.CreateTicketRequest{CustomerLogin: m.customer.Login, Title: "Kurzfristig",
		Body: "Bitte rufen Sie " + m.customer.Name + " zurück.", QueueID: m.queues["Helpdesk"].ID, TypeID: s.fixture.Type.ID,
		PriorityID: s.fixture.Priority.ID})
	if err != nil {
		t.Fatal(err)
	}
	closed, err := s.desk.Close(ctx, admin, v.Number, desk.CloseRequest{State: string(ticket.StateClosedSuccessful)})
	if err != nil {
		t.Fatal(err)
	}
	if workflowDone(t, s, v.Number) {
		t.Fatal("the closed ticket's workflow has ended already: the test could not show that retention ends it")
	}
	run := func(id string, at time.Time) ticket.RetentionResult {
		t.Helper()
		r, err := s.client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: ticket.TaskQueue},
			ticket.WorkflowRetention, ticket.RetentionInput{At: at, TenantID: m.tenant.ID})
		if err != nil {
			t.Fatal(err)
		}
		var res ticket.RetentionResult
		if err := r.Get(ctx, &res); err != nil {
			t.Fatal(err)
		}
		return res
	}
	if res := run("retention-minutes-0", closed.ClosedAt.Add(30*time.Second)); res.Archived+res.Anonymised != 0 {
		t.Errorf("half a minute after closing: %+v, want nothing done", res)
	}
	if res := run("retention-minutes-1", closed.ClosedAt.Add(time.Minute)); res.Archived != 1 {
		t.Fatalf("a minute after closing: %+v, want the ticket archived", res)
	}
	if !workflowDone(t, s, v.Number) {
		t.Error("the archived ticket's workflow still runs")
	}
	row, err := models.TicketByNumber(ctx, s.db, m.tenant.ID, v.Number)
	if err != nil {
		t.Fatal(err)
	}
	hist, err := models.History(ctx, s.db, row.ID)
	if err != nil {
		t.Fatal(err)
	}
	var ended, archived bool
	for _, h := range hist {
		ended = ended || h.Event == ticket.EventFollowUpEnded
		archived = archived || h.Event == models.EventArchived
	}
	if !ended || !archived {
		t.Errorf("history: follow-up window ended %v, archived %v", ended, archived)
	}
	if res := run("retention-minutes-2", closed.ClosedAt.Add(2*time.Minute)); res.Anonymised != 1 {
		t.Fatalf("two minutes after closing: %+v, want the ticket anonymised", res)
	}
	report, err := models.VerifyHistory(ctx, s.db, s.keys)
	if err != nil || !report.Intact() {
		t.Fatalf("audit verify after anonymising: %v %v", err, report.Broken)
	}
	found := false
	for _, a := range report.Anonymised {
		found = found || a.Number == v.Number
	}
	if !found {
		t.Errorf("audit verify does not list the anonymisation of %s", v.Number)
	}
}
