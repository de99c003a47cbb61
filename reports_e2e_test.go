package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/models"
	"github.com/kiz-ulm/kizdesk/ticket"
)

// TestReportsEndToEnd is the "done when" for reports, on a real
// stack with mail captured as `kizdesk dev` does: an admin opens a
// monthly report by service with its chart and SLA compliance, exports
// it as CSV and XLSX, schedules it by mail (a Temporal Schedule), and the
// mail with the report is in the outbox once the schedule runs; the team
// agent, whose role allows no reports, gets 403; deleting the scheduled
// report deletes its Temporal Schedule.
func TestReportsEndToEnd(t *testing.T) {
	out, err := mailOutConfigOf(values{"KIZDESK_MAIL_FROM": "kizdesk <kizdesk@localhost>", "KIZDESK_MAIL_RETRY_MAX": "10m", "KIZDESK_MAIL_AUTOREPLY_LIMIT": "10", "KIZDESK_MAIL_TAG_PREFIX": "Ticket#"}, true, "http://localhost:8080/")
	if err != nil {
		t.Fatal(err)
	}
	s := startTestStackConfig(t, "sqlite", "", func(c *devConfig) { c.MailOut = out })
	ctx := context.Background()
	m := setUpMatrixTenant(t, s, "rep", false)
	admin := desk.AgentPrincipal(m.agents["admin"])
	svc := models.Service{TenantID: m.tenant.ID, Name: "Drucken", QueueID: m.queues["Helpdesk"].ID}
	if err := s.db.Create(&svc).Error; err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		v, err := s.desk.CreateTicket(ctx, admin, desk.CreateTicketRequest{RequestKey: desk.NewRequestKey(), CustomerLogin: m.customer.Login,
			Title: fmt.Sprintf("Drucker %d", i), Body: "Papierstau.", ServiceID: svc.ID, TypeID: s.fixture.Type.ID, PriorityID: s.fixture.Priority.ID})
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			if _, err := s.desk.Close(ctx, admin, v.Number, desk.CloseRequest{RequestKey: desk.NewRequestKey(), State: string(ticket.StateClosedSuccessful)}); err != nil {
				t.Fatal(err)
			}
		}
	}
	b := newBrowser(t, s.srv.URL)
	b.login(m.agents["admin"].Login, matrixPassword)
	today := time.Now().UTC().Format("2006-01-02")
	month := time.Now().UTC().Format("2006-01")
	q := "kind=volume&granularity=month&group=service&from=" + today + "&to=" + today
	_, page := b.get("/agent/reports?" + q)
	for _, want := range []string{"<svg", "Drucken", `<a href="/agent/reports">`} {
		if !strings.Contains(page, want) {
			t.Errorf("the reports page lacks %q", want)
		}
	}
	_, quality := b.get("/agent/reports?kind=quality&group=service&from=" + today + "&to=" + today)
	if !strings.Contains(quality, "SLA-Erfüllung") { // the browser asks for no language: German
		t.Error("the quality report has no SLA compliance")
	}
	recs, err := csv.NewReader(strings.NewReader(b.body("/agent/reports/export?" + q + "&format=csv"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	// Period, Service, Created, Closed, Open at end.
	if len(recs) != 2 || recs[1][0] != month || recs[1][1] != "Drucken" || recs[1][2] != "3" || recs[1][3] != "1" || recs[1][4] != "2" {
		t.Errorf("csv %q", recs)
	}
	x, err := excelize.OpenReader(strings.NewReader(b.body("/agent/reports/export?" + q + "&format=xlsx")))
	if err != nil {
		t.Fatal(err)
	}
	if rows, err := x.GetRows("Aufkommen"); err != nil || len(rows) != 2 || rows[1][2] != "3" {
		t.Errorf("xlsx %q, %v", rows, err)
	}

	// The team agent's role allows no reports.
	team := newBrowser(t, s.srv.URL)
	team.login(m.agents["team"].Login, matrixPassword)
	if st := team.status("/agent/reports"); st != http.StatusForbidden {
		t.Errorf("the team agent gets %d, want 403", st)
	}

	status, _, body := b.postValues(page, "/agent/reports/schedules", url.Values{"name": {"Monatsbericht"}, "kind": {"volume"},
		"group": {"service"}, "granularity": {"month"}, "period_days": {"31"}, "format": {"xlsx"}, "cron": {"0 7 1 * *"},
		"recipients": {strconv.FormatInt(admin.ID, 10)}})
	if status != http.StatusOK || !strings.Contains(body, "Monatsbericht") {
		t.Fatalf("schedule: %d\n%s", status, body)
	}
	rows, err := models.ReportSchedules(ctx, s.db, m.tenant.ID)
	if err != nil || len(rows) != 1 {
		t.Fatalf("schedules %+v, %v", rows, err)
	}
	h := s.client.ScheduleClient().GetHandle(ctx, ticket.ReportScheduleID(rows[0].ID))
	desc, err := h.Describe(ctx)
	if err != nil {
		t.Fatalf("the Temporal Schedule: %v", err)
	}
	if a, ok := desc.Schedule.Action.(*client.ScheduleWorkflowAction); !ok || a.Workflow != ticket.WorkflowReportMail {
		t.Errorf("the schedule runs %+v", desc.Schedule.Action)
	}
	if err := h.Trigger(ctx, client.ScheduleTriggerOptions{}); err != nil {
		t.Fatal(err)
	}
	var sent models.MailMessage
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		err := s.db.Where("tenant_id = ? AND kind = ? AND status = ?", m.tenant.ID, models.OutReport, models.OutSent).First(&sent).Error
		if err == nil {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if sent.ID == 0 {
		t.Fatal("no report mail in the outbox within a minute of the schedule's run")
	}
	if sent.Recipients != m.agents["admin"].Email || !bytes.Contains(sent.Raw, []byte("Monatsbericht")) ||
		!bytes.Contains(sent.Raw, []byte(".xlsx")) {
		t.Errorf("the report's mail: to %s\n%.600s", sent.Recipients, sent.Raw)
	}

	_, page = b.get("/agent/reports")
	status, _, body = b.post(page, fmt.Sprintf("/agent/reports/schedules/%d/delete", rows[0].ID), nil)
	if status != http.StatusOK || !strings.Contains(body, "Der geplante Bericht wurde gelöscht.") {
		t.Fatalf("delete: %d\n%s", status, body)
	}
	var notFound *serviceerror.NotFound
	if _, err := h.Describe(ctx); !errors.As(err, &notFound) {
		t.Errorf("the Temporal Schedule after deleting: %v", err)
	}
}

// body is the body of GET path, which must answer 200.
func (b *browser) body(path string) string {
	b.t.Helper()
	resp, err := b.c.Get(b.base + path)
	if err != nil {
		b.t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		b.t.Fatalf("GET %s: %s\n%s", path, resp.Status, data)
	}
	return string(data)
}
