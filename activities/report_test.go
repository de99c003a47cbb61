package activities_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"
	"gorm.io/gorm"

	"github.com/kiz-ulm/kizdesk/dbtest"
	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/models"
	"github.com/kiz-ulm/kizdesk/ticket"
	"github.com/kiz-ulm/kizdesk/workflows"
)

// startRecorder is the outbox's Starter: it records the deliveries the
// activity starts.
type startRecorder struct {
	mu  sync.Mutex
	ids []string
}

func (s *startRecorder) ExecuteWorkflow(_ context.Context, o client.StartWorkflowOptions, _ any, _ ...any) (client.WorkflowRun, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ids = append(s.ids, o.ID)
	return nil, nil
}

// TestReportMailWorkflow: a scheduled report run in Temporal's test
// environment mails each recipient the report rendered with its own
// permissions — the admin every queue, the team agent its team only —
// as an XLSX attachment in the outbox, and starts their delivery; the
// 1st-level agent, whose roles allow no reports, gets none. Run again at
// the same time, it finds the same mails.
func TestReportMailWorkflow(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		f := dbtest.Seed(t, db, "x")
		must := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		team := models.Queue{TenantID: f.Tenant.ID, Name: "Team Web", Level: models.LevelTeam}
		must(db.Create(&team).Error)
		roles, err := models.PredefinedRoles(ctx, db, f.Tenant.ID)
		must(err)
		must(db.Model(&models.Role{}).Where("id = ?", roles["Team Web"].ID).Update("reports", true).Error)
		agent := func(login, role string) models.Agent {
			a := models.Agent{TenantID: f.Tenant.ID, Login: login, Name: login, Email: login + "@kiz.example", Active: true, Language: "de"}
			must(db.Create(&a).Error)
			dbtest.Grant(t, db, a, role)
			return a
		}
		admin, webteam := agent("boss", "admin"), agent("webteam", "Team Web")
		must(db.Model(&models.Agent{}).Where("id = ?", f.Agent.ID).Update("email", "helpdesk@kiz.example").Error)
		at := time.Date(2026, 3, 15, 10, 0, 0, 0, time.UTC)
		for i, q := range []int64{f.Queue.ID, f.Queue.ID, team.ID} {
			closed := at.Add(-24 * time.Hour)
			must(db.Create(&models.Ticket{TenantID: f.Tenant.ID, Number: "R" + string(rune('1'+i)), Title: "t", State: "closed successful",
				Level: models.LevelFirst, QueueID: q, TypeID: f.Type.ID, PriorityID: f.Priority.ID, CustomerID: f.Customer.ID,
				Channel: "mail", CreatedAt: at.Add(-48 * time.Hour), UpdatedAt: closed, ClosedAt: &closed}).Error)
		}
		row := models.ReportSchedule{TenantID: f.Tenant.ID, AgentID: admin.ID, Name: "Wochenbericht", Kind: "workload",
			GroupBy: "queue", Granularity: "day", PeriodDays: 7, Format: "xlsx", Cron: "0 7 * * 1",
			Recipients: strings.Join([]string{idOf(admin), idOf(webteam), idOf(f.Agent)}, " "), CreatedAt: at}
		must(db.Create(&row).Error)

		acts := mailActivities(t, db)
		starts := &startRecorder{}
		acts.Mail.Starter = starts
		acts.Reports = desk.New(db, nil, desk.Options{Location: time.UTC})

		run := func() ticket.ReportMailResult {
			t.Helper()
			var s testsuite.WorkflowTestSuite
			env := s.NewTestWorkflowEnvironment()
			env.SetStartTime(at)
			env.RegisterWorkflowWithOptions(workflows.ReportMail, workflow.RegisterOptions{Name: ticket.WorkflowReportMail})
			env.RegisterActivity(acts)
			env.ExecuteWorkflow(ticket.WorkflowReportMail, ticket.ReportMailInput{ScheduleID: row.ID})
			if !env.IsWorkflowCompleted() || env.GetWorkflowError() != nil {
				t.Fatalf("workflow: %v", env.GetWorkflowError())
			}
			var res ticket.ReportMailResult
			must(env.GetWorkflowResult(&res))
			return res
		}
		res := run()
		if len(res.MailIDs) != 2 || !slices.Equal(res.Skipped, []int64{f.Agent.ID}) {
			t.Fatalf("result %+v", res)
		}
		if again := run(); !slices.Equal(again.MailIDs, res.MailIDs) {
			t.Errorf("the second run wrote other mails: %v, then %v", res.MailIDs, again.MailIDs)
		}
		if len(starts.ids) != 4 || starts.ids[0] != ticket.MailWorkflowID(res.MailIDs[0]) {
			t.Errorf("deliveries started: %v", starts.ids)
		}
		want := map[string][]string{"boss@kiz.example": {"Helpdesk", "Team Web"}, "webteam@kiz.example": {"Team Web"}}
		for _, id := range res.MailIDs {
			m, err := models.OutMail(ctx, db, id)
			must(err)
			if m.Kind != models.OutReport || m.Status != models.OutPending {
				t.Errorf("mail %d: kind %s, status %s", id, m.Kind, m.Status)
			}
			name, data := attachment(t, m.Raw)
			if name != "workload-2026-03-08-2026-03-14.xlsx" {
				t.Errorf("attachment %q", name)
			}
			x, err := excelize.OpenReader(bytes.NewReader(data))
			must(err)
			rows, err := x.GetRows("Je Queue") // the recipient reads German
			must(err)
			var queues []string
			for _, r := range rows[1:] {
				queues = append(queues, r[0])
			}
			if w := want[m.Recipients]; !slices.Equal(queues, w) {
				t.Errorf("%s got the queues %v, want %v", m.Recipients, queues, w)
			}
			if !strings.Contains(string(m.Raw), "Bericht: Wochenbericht") {
				t.Errorf("mail %d: no German subject", id)
			}
		}

		// Deleted meanwhile: the run sends nothing and ends.
		must(db.Delete(&models.ReportSchedule{}, row.ID).Error)
		if res := run(); len(res.MailIDs) != 0 {
			t.Errorf("a deleted schedule mailed %v", res.MailIDs)
		}
	})
}

func idOf(a models.Agent) string { return strconv.FormatInt(a.ID, 10) }

// decoded is a part's content without its base64 transfer encoding.
func decoded(p *multipart.Part) io.Reader {
	if strings.EqualFold(p.Header.Get("Content-Transfer-Encoding"), "base64") {
		return base64.NewDecoder(base64.StdEncoding, p)
	}
	return p
}

// attachment returns the name and content of a mail's attachment.
func attachment(t *testing.T, raw []byte) (string, []byte) {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	_, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil {
		t.Fatal(err)
	}
	mr := multipart.NewReader(m.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if p.FileName() != "" {
			b, err := io.ReadAll(decoded(p))
			if err != nil {
				t.Fatal(err)
			}
			return p.FileName(), b
		}
	}
	t.Fatal("no attachment")
	return "", nil
}
