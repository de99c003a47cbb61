package desk_test

import (
	"bytes"
	"encoding/csv"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"gorm.io/gorm"

	"github.com/kiz-ulm/kizdesk/calendar"
	"github.com/kiz-ulm/kizdesk/dbtest"
	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/models"
	"github.com/kiz-ulm/kizdesk/ticket"
)

// reportData is a generated data set whose answers are known: five
// tickets around the night Berlin moves to summer time (2026-03-29),
// working times measured on a calendar with a holiday (Monday
// 2026-03-30) and on an all-day calendar across the changeover.
type reportData struct {
	d            *desk.Desk
	f            dbtest.Fixture
	admin, team  desk.Principal
	noReports    desk.Principal
	email        models.Service
	netz, teamQ  models.Queue
	period       desk.ReportRequest
	berlin       *time.Location
	firstLevelID int64
}

func seedReports(t *testing.T, db *gorm.DB) reportData {
	t.Helper()
	_, f := newDesk(t, db)
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	r := reportData{f: f, berlin: berlin, d: desk.New(db, nil, desk.Options{Location: berlin})}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	r.netz = models.Queue{TenantID: f.Tenant.ID, Name: "Netz", Level: models.LevelSecond}
	must(db.Create(&r.netz).Error)
	r.teamQ = models.Queue{TenantID: f.Tenant.ID, Name: "Team Web", Level: models.LevelTeam}
	must(db.Create(&r.teamQ).Error)
	r.email = models.Service{TenantID: f.Tenant.ID, Name: "E-Mail", QueueID: r.netz.ID}
	must(db.Create(&r.email).Error)
	roles, err := models.PredefinedRoles(t.Context(), db, f.Tenant.ID)
	must(err)
	must(db.Model(&models.Role{}).Where("id = ?", roles["Team Web"].ID).Update("reports", true).Error)

	mk := func(login string, role string) desk.Principal {
		a := models.Agent{TenantID: f.Tenant.ID, Login: login, Name: login, Active: true}
		must(db.Create(&a).Error)
		dbtest.Grant(t, db, a, role)
		return desk.AgentPrincipal(a)
	}
	r.admin, r.team = mk("boss", "admin"), mk("webteam", "Team Web")
	r.noReports = desk.AgentPrincipal(f.Agent) // 1st level: no reports

	utc := func(s string) time.Time {
		x, err := time.Parse("2006-01-02 15:04", s)
		must(err)
		return x
	}
	local := func(s string) time.Time {
		x, err := time.ParseInLocation("2006-01-02 15:04", s, berlin)
		must(err)
		return x
	}
	office := calendar.Calendar{Name: "office", Location: "Europe/Berlin", Holidays: []string{"2026-03-30"}}
	for d := time.Monday; d <= time.Friday; d++ {
		office.Week[d] = []calendar.Span{{Start: 8 * 60, End: 16 * 60}}
	}
	allDay := calendar.AllDay("24/7")
	secs := func(c calendar.Calendar, from, to time.Time) *int64 {
		s := int64(c.Between(from, to) / time.Second)
		return &s
	}
	ptr := func(x time.Time) *time.Time { return &x }
	owner := f.Agent.ID
	tickets := []models.Ticket{
		// T1, VPN: Saturday 23:30 CET; first response Tuesday 09:00
		// after the holiday Monday: one working hour.
		{Number: "T1", Channel: "phone", QueueID: f.Queue.ID, ServiceID: &f.Service.ID, OwnerID: &owner,
			CreatedAt: utc("2026-03-28 22:30"), ClosedAt: ptr(utc("2026-03-29 22:30")), SLAName: "VPN",
			TimeSpentMinutes: 30},
		// T2, VPN: 00:30 CET on the night of the changeover (still
		// Saturday in UTC); first response 05:30 CEST: four hours, not
		// five as the wall clock says.
		{Number: "T2", Channel: "mail", QueueID: f.Queue.ID, ServiceID: &f.Service.ID, OwnerID: &owner,
			CreatedAt: utc("2026-03-28 23:30"), SLAName: "VPN", FirstResponseBreached: true, TimeSpentMinutes: 60},
		// T3, E-Mail in the 2nd level, no SLA, escalated.
		{Number: "T3", Channel: "portal", QueueID: r.netz.ID, ServiceID: &r.email.ID, Level: models.LevelSecond,
			CreatedAt: utc("2026-03-29 21:30"), ClosedAt: ptr(utc("2026-03-30 08:00"))},
		// T4, VPN, from before the period, closed in it.
		{Number: "T4", Channel: "phone", QueueID: f.Queue.ID, ServiceID: &f.Service.ID,
			CreatedAt: utc("2026-03-27 10:00"), ClosedAt: ptr(utc("2026-03-29 09:00"))},
		// T5, the team's, after the period (00:30 CEST on the 31st).
		{Number: "T5", Channel: "mail", QueueID: r.teamQ.ID, Level: models.LevelTeam, CreatedAt: utc("2026-03-30 22:30")},
	}
	tickets[0].FirstResponseSeconds = secs(office, tickets[0].CreatedAt, local("2026-03-31 09:00"))
	tickets[0].SolutionSeconds = secs(office, tickets[0].CreatedAt, local("2026-03-31 10:30"))
	tickets[1].FirstResponseSeconds = secs(allDay, tickets[1].CreatedAt, local("2026-03-29 05:30"))
	two := int64(7200)
	tickets[2].FirstResponseSeconds = &two
	for i := range tickets {
		x := &tickets[i]
		x.TenantID, x.Title, x.TypeID, x.PriorityID, x.CustomerID = f.Tenant.ID, "Ticket "+x.Number, f.Type.ID, f.Priority.ID, f.Customer.ID
		x.State = string(ticket.StateOpen)
		if x.ClosedAt != nil {
			x.State = string(ticket.StateClosedSuccessful)
		}
		if x.Level == "" {
			x.Level = models.LevelFirst
		}
		x.UpdatedAt = x.CreatedAt
		must(db.Create(x).Error)
	}
	if *tickets[0].FirstResponseSeconds != 3600 || *tickets[0].SolutionSeconds != 9000 || *tickets[1].FirstResponseSeconds != 4*3600 {
		t.Fatalf("the calendar measured %d, %d, %d", *tickets[0].FirstResponseSeconds, *tickets[0].SolutionSeconds, *tickets[1].FirstResponseSeconds)
	}
	history := []models.HistoryEntry{
		{TicketID: tickets[0].ID, Seq: 1, Event: ticket.EventStateUpdate, Field: "State", OldValue: "closed successful", NewValue: "open", CreatedAt: utc("2026-03-29 20:00")},
		{TicketID: tickets[2].ID, Seq: 1, Event: ticket.EventEscalation, Field: "Level", OldValue: "1st level", NewValue: "2nd level", CreatedAt: utc("2026-03-29 22:00")},
		// A hand-back is no escalation.
		{TicketID: tickets[2].ID, Seq: 2, Event: ticket.EventHandBack, Field: "Level", OldValue: "2nd level", NewValue: "1st level", CreatedAt: utc("2026-03-29 22:10")},
	}
	for i := range history {
		history[i].ActorKind, history[i].Hash = "agent", "h"
		must(db.Create(&history[i]).Error)
	}
	r.period = desk.ReportRequest{From: local("2026-03-28 00:00"), To: local("2026-03-30 00:00"), Granularity: desk.Day, GroupBy: models.DimService}
	return r
}

// rowsOf returns a table's rows as text, keyed by the first columns
// joined with " | " (n of them).
func rowsOf(t *testing.T, rep desk.Report, table string, n int) map[string][]string {
	t.Helper()
	for _, tb := range rep.Tables {
		if tb.ID != table {
			continue
		}
		out := map[string][]string{}
		for _, row := range tb.Rows {
			var key []string
			var vals []string
			for i, c := range row {
				if i < n {
					key = append(key, c.Text)
				} else {
					vals = append(vals, c.Text)
				}
			}
			out[strings.Join(key, " | ")] = vals
		}
		return out
	}
	t.Fatalf("no table %s", table)
	return nil
}

func TestReportVolumeKnownAnswers(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		r := seedReports(t, db)
		req := r.period
		req.Kind = desk.ReportVolume
		rep, err := r.d.Report(t.Context(), r.admin, req)
		if err != nil {
			t.Fatal(err)
		}
		got := rowsOf(t, rep, "volume", 2)
		// created, closed, backlog at the day's end, Berlin days.
		want := map[string][]string{
			"2026-03-28 | Netz & WLAN::VPN": {"1", "0", "2"},
			"2026-03-29 | Netz & WLAN::VPN": {"1", "1", "2"},
			"2026-03-30 | Netz & WLAN::VPN": {"0", "1", "1"},
			"2026-03-28 | E-Mail":           {"0", "0", "0"},
			"2026-03-29 | E-Mail":           {"1", "0", "1"},
			"2026-03-30 | E-Mail":           {"0", "1", "0"},
		}
		for k, w := range want {
			if !slices.Equal(got[k], w) {
				t.Errorf("%s: %v, want %v", k, got[k], w)
			}
		}
		if len(got) != len(want) {
			t.Errorf("rows %v, want %d", got, len(want))
		}
		// The chart stacks the backlog per service.
		if len(rep.Chart.X) != 3 || len(rep.Chart.Series) != 2 {
			t.Errorf("chart %+v", rep.Chart)
		}
		// The chart of what was created, as bars.
		req.Metric = "created"
		rep, err = r.d.Report(t.Context(), r.admin, req)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range rep.Chart.Series {
			if s.Name == "E-Mail" && !slices.Equal(s.Values, []float64{0, 1, 0}) || rep.Chart.Kind != desk.ChartBar {
				t.Errorf("created chart %v %+v", rep.Chart.Kind, s)
			}
		}
		req.Metric = ""
		// By channel and month: the period is one month.
		req.Granularity, req.GroupBy = desk.Month, models.DimChannel
		rep, err = r.d.Report(t.Context(), r.admin, req)
		if err != nil {
			t.Fatal(err)
		}
		got = rowsOf(t, rep, "volume", 2)
		for k, w := range map[string][]string{"2026-03 | phone": {"1", "2", "0"}, "2026-03 | mail": {"1", "0", "1"}, "2026-03 | portal": {"1", "1", "0"}} {
			if !slices.Equal(got[k], w) {
				t.Errorf("%s: %v, want %v", k, got[k], w)
			}
		}
	})
}

func TestReportQualityKnownAnswers(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		r := seedReports(t, db)
		req := r.period
		req.Kind = desk.ReportQuality
		rep, err := r.d.Report(t.Context(), r.admin, req)
		if err != nil {
			t.Fatal(err)
		}
		got := rowsOf(t, rep, "quality", 1)
		// tickets; first response median, p90; solution median, p90 (h);
		// with SLA, met, compliance %, breached, escalated, reopened,
		// reopen rate %, time spent (h).
		want := map[string][]string{
			"Netz & WLAN::VPN": {"2", "1.00", "4.00", "2.50", "2.50", "2", "1", "50.0", "1", "0", "1", "50.0", "1.50"},
			"E-Mail":           {"1", "2.00", "2.00", "", "", "0", "0", "", "0", "1", "0", "0.0", "0.00"},
		}
		for k, w := range want {
			if !slices.Equal(got[k], w) {
				t.Errorf("%s:\n got %v\nwant %v", k, got[k], w)
			}
		}
		breaches := rowsOf(t, rep, "breaches", 1)
		if len(breaches) != 1 || breaches["T2"] == nil || breaches["T2"][5] != ticket.ClockFirstResponse {
			t.Errorf("breaches %v", breaches)
		}
		if !rep.DeflectionsRecorded {
			t.Error("the quality report does not count deflections")
		}
		if d := rowsOf(t, rep, "deflections", 1); len(d) != 0 {
			t.Errorf("deflections before any: %v", d)
		}

		// Two customers found their answer in an E-Mail entry in the
		// period, one before it: two deflected tickets.
		tenant := r.email.TenantID
		entry := models.FAQEntry{TenantID: tenant, ServiceID: &r.email.ID, Visibility: models.FAQPublic, State: models.FAQPublished, Version: 1,
			AuthorID: r.admin.ID, EditorID: r.admin.ID}
		if err := db.Create(&entry).Error; err != nil {
			t.Fatal(err)
		}
		for _, at := range []time.Time{req.From.Add(2 * time.Hour), req.From.Add(30 * time.Hour), req.From.Add(-time.Hour)} {
			if err := db.Create(&models.FAQDeflection{TenantID: tenant, FAQID: entry.ID, ServiceID: &r.email.ID, Text: "Postfach voll", CreatedAt: at.UTC()}).Error; err != nil {
				t.Fatal(err)
			}
		}
		rep, err = r.d.Report(t.Context(), r.admin, req)
		if err != nil {
			t.Fatal(err)
		}
		if d := rowsOf(t, rep, "deflections", 1); len(d) != 1 || !slices.Equal(d["E-Mail"], []string{"2"}) {
			t.Errorf("deflections: %v, want E-Mail 2", d)
		}
	})
}

func TestReportWorkloadAndAccess(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		r := seedReports(t, db)
		req := r.period
		req.Kind, req.GroupBy = desk.ReportWorkload, models.DimAgent
		rep, err := r.d.Report(t.Context(), r.admin, req)
		if err != nil {
			t.Fatal(err)
		}
		agents := rowsOf(t, rep, "agents", 1)
		if !slices.Equal(agents[r.f.Agent.Name], []string{"1", "1"}) || !slices.Equal(agents["–"], []string{"3", "2"}) {
			t.Errorf("agents %v", agents)
		}
		teams := rowsOf(t, rep, "teams", 1)
		for k, w := range map[string][]string{"Helpdesk": {"3", "2"}, "Netz": {"0", "1"}, "Team Web": {"1", "0"}} {
			if !slices.Equal(teams[k], w) {
				t.Errorf("team %s: %v, want %v", k, teams[k], w)
			}
		}
		// The team's agent sees its team only.
		rep, err = r.d.Report(t.Context(), r.team, req)
		if err != nil {
			t.Fatal(err)
		}
		teams = rowsOf(t, rep, "teams", 1)
		if len(teams) != 1 || !slices.Equal(teams["Team Web"], []string{"1", "0"}) {
			t.Errorf("the team agent sees %v", teams)
		}
		req.Kind = desk.ReportVolume
		rep, err = r.d.Report(t.Context(), r.team, req)
		if err != nil {
			t.Fatal(err)
		}
		for _, row := range rep.Tables[0].Rows {
			if row[2].Text != "0" || row[3].Text != "0" {
				t.Errorf("the team agent counts another queue's tickets: %v", row)
			}
		}
		// An agent whose roles do not allow reports gets none; neither
		// does a customer.
		if _, err := r.d.Report(t.Context(), r.noReports, req); !errors.Is(err, desk.ErrForbidden) {
			t.Errorf("1st level without reports: %v, want ErrForbidden", err)
		}
		if _, err := r.d.Report(t.Context(), desk.CustomerPrincipal(r.f.Customer), req); !errors.Is(err, desk.ErrForbidden) {
			t.Errorf("customer: %v, want ErrForbidden", err)
		}
		// An admin of another tenant counts none of these tickets, nor
		// does this tenant's operator admin count theirs.
		other, err := models.EnsureTenant(t.Context(), db, "other", "Other tenant")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := models.PredefinedRoles(t.Context(), db, other.ID); err != nil {
			t.Fatal(err)
		}
		theirs := models.Agent{TenantID: other.ID, Login: "theirs", Name: "theirs", Active: true}
		if err := db.Create(&theirs).Error; err != nil {
			t.Fatal(err)
		}
		dbtest.Grant(t, db, theirs, models.AdminRole)
		req.Kind = desk.ReportWorkload
		rep, err = r.d.Report(t.Context(), desk.AgentPrincipal(theirs), req)
		if err != nil {
			t.Fatal(err)
		}
		if n := len(rep.Tables[0].Rows) + len(rep.Tables[1].Rows); n != 0 {
			t.Errorf("another tenant's admin sees %d rows of this tenant's", n)
		}
		// Bad input is refused field by field.
		bad := desk.ReportRequest{Kind: "everything", Granularity: "hour", GroupBy: "mood", To: r.period.To}
		if _, err := r.d.Report(t.Context(), r.admin, bad); !slices.Equal(fieldsOf(t, err), []string{"from", "granularity", "group", "kind"}) {
			t.Errorf("bad request: %v", err)
		}
	})
}

// The exports hold every row, read back as written: CSV by encoding/csv,
// XLSX by excelize, numbers as numbers.
func TestReportExports(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		r := seedReports(t, db)
		req := r.period
		req.Kind = desk.ReportQuality
		rep, err := r.d.Report(t.Context(), r.admin, req)
		if err != nil {
			t.Fatal(err)
		}
		l := desk.Labels{Title: "Qualität", Column: func(id string) string { return "col:" + id }, Table: func(id string) string { return "Tabelle " + id }}
		var buf bytes.Buffer
		if err := desk.WriteReport(&buf, rep, desk.FormatCSV, l); err != nil {
			t.Fatal(err)
		}
		cr := csv.NewReader(&buf)
		cr.FieldsPerRecord = -1
		recs, err := cr.ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		// header, two groups, (empty line skipped by the reader) header, one
		// breach, the header of the (empty) deflections.
		if len(recs) != 6 || recs[0][0] != "col:group" || recs[3][0] != "col:number" || recs[4][0] != "T2" || recs[5][1] != "col:deflected" {
			t.Errorf("csv %q", recs)
		}
		if i := slices.Index(recs[0], "col:compliance"); i < 0 || !slices.Contains([]string{recs[1][i], recs[2][i]}, "50.0") {
			t.Errorf("csv compliance: %q", recs)
		}
		buf.Reset()
		if err := desk.WriteReport(&buf, rep, desk.FormatXLSX, l); err != nil {
			t.Fatal(err)
		}
		x, err := excelize.OpenReader(&buf)
		if err != nil {
			t.Fatal(err)
		}
		if sheets := x.GetSheetList(); !slices.Equal(sheets, []string{"Tabelle quality", "Tabelle breaches", "Tabelle deflections"}) {
			t.Errorf("sheets %v", sheets)
		}
		rows, err := x.GetRows("Tabelle quality")
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 3 || rows[0][0] != "col:group" {
			t.Fatalf("xlsx rows %q", rows)
		}
		ci := slices.Index(rows[0], "col:compliance")
		found := false
		for _, row := range rows[1:] {
			if row[0] == "Netz & WLAN::VPN" {
				found = true
				cell, _ := excelize.CoordinatesToCellName(ci+1, slices.IndexFunc(rows, func(r []string) bool { return r[0] == row[0] })+1)
				if typ, _ := x.GetCellType("Tabelle quality", cell); typ != excelize.CellTypeUnset && typ != excelize.CellTypeNumber {
					t.Errorf("compliance cell %s is of type %v, not a number", cell, typ)
				}
				if v, _ := x.GetCellValue("Tabelle quality", cell); v != "50" {
					t.Errorf("compliance %q, want 50", v)
				}
			}
		}
		if !found {
			t.Errorf("no VPN row in %q", rows)
		}
		buf.Reset()
		if err := desk.WriteReport(&buf, rep, desk.FormatPDF, l); err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(buf.Bytes(), []byte("%PDF-")) {
			t.Errorf("not a PDF: %q", buf.Bytes()[:min(buf.Len(), 20)])
		}
	})
}

// An admin allows a role reports in the roles' form: its agent then gets
// reports (over the queues it reads), and loses them when unticked.
func TestRoleAllowsReports(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		s := newAdminSetup(t, db)
		ctx := t.Context()
		req := desk.ReportRequest{Kind: desk.ReportVolume, From: time.Now(), To: time.Now()}
		if _, err := s.d.Report(ctx, s.agent, req); !errors.Is(err, desk.ErrForbidden) {
			t.Fatalf("1st level before: %v", err)
		}
		v, err := s.d.AdminObject(ctx, s.admin, "roles", s.firstLevel.ID)
		if err != nil {
			t.Fatal(err)
		}
		if v.Get("reports") != "false" {
			t.Errorf("the form shows reports %q", v.Get("reports"))
		}
		v["reports"] = []string{"true"}
		if _, err := s.d.AdminSave(ctx, s.admin, "roles", s.firstLevel.ID, v); err != nil {
			t.Fatal(err)
		}
		if _, err := s.d.Report(ctx, s.agent, req); err != nil {
			t.Errorf("1st level with reports: %v", err)
		}
		v["reports"] = []string{"false"}
		if _, err := s.d.AdminSave(ctx, s.admin, "roles", s.firstLevel.ID, v); err != nil {
			t.Fatal(err)
		}
		if _, err := s.d.Report(ctx, s.agent, req); !errors.Is(err, desk.ErrForbidden) {
			t.Errorf("1st level after: %v", err)
		}
	})
}

// A schedule's definition is checked field by field before Temporal is
// asked; an agent without reports may not schedule any.
func TestReportScheduleChecksInput(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		r := seedReports(t, db)
		ctx := t.Context()
		bad := desk.ReportScheduleRequest{Name: " ", Kind: "all", GroupBy: "mood", Granularity: desk.Day, PeriodDays: 0,
			Format: "doc", Cron: "every day", Recipients: []int64{r.f.Agent.ID, 99999}}
		_, err := r.d.SaveReportSchedule(ctx, r.admin, bad)
		if got := fieldsOf(t, err); !slices.Equal(got, []string{"cron", "format", "group", "kind", "name", "period_days", "recipients"}) {
			t.Errorf("fields %v", got)
		}
		for _, name := range []string{"Monat\x00", "Monat\xff", strings.Repeat("x", 201)} {
			good := desk.ReportScheduleRequest{Name: name, Kind: desk.ReportVolume, GroupBy: models.DimService, Granularity: desk.Month,
				PeriodDays: 30, Format: desk.FormatCSV, Cron: "0 7 1 * *", Recipients: []int64{r.admin.ID}}
			if _, err := r.d.SaveReportSchedule(ctx, r.admin, good); !slices.Equal(fieldsOf(t, err), []string{"name"}) {
				t.Errorf("schedule name %q: %v, want a field error on name", name, err)
			}
		}
		if _, err := r.d.SaveReportSchedule(ctx, r.noReports, bad); !errors.Is(err, desk.ErrForbidden) {
			t.Errorf("without reports: %v", err)
		}
		if _, _, err := r.d.ReportSchedules(ctx, r.noReports); !errors.Is(err, desk.ErrForbidden) {
			t.Errorf("list without reports: %v", err)
		}
		if err := r.d.DeleteReportSchedule(ctx, r.admin, 12345); !errors.Is(err, desk.ErrNotFound) {
			t.Errorf("delete of none: %v", err)
		}
	})
}
