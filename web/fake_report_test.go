package web

import (
	"context"
	"fmt"
	"sync"

	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/models"
	"github.com/kiz-ulm/kizdesk/ticket"
)

// The fake desk's reports: a small fixed report in the shape the real
// desk makes (desk tests check the figures against a real database), and
// scheduled reports kept beside the fake. Who may see reports is the
// desk's business; the fake refuses only what errs says.

type fakeReportState struct {
	mu        sync.Mutex
	schedules []models.ReportSchedule
	saved     []desk.ReportScheduleRequest
	asked     []desk.ReportRequest
}

var fakeReportStates sync.Map // *fakeDesk → *fakeReportState

func (f *fakeDesk) reportState() *fakeReportState {
	v, _ := fakeReportStates.LoadOrStore(f, &fakeReportState{})
	return v.(*fakeReportState)
}

func (f *fakeDesk) Report(_ context.Context, _ desk.Principal, req desk.ReportRequest) (desk.Report, error) {
	f.record("Report", req)
	if err := f.errs["Report"]; err != nil {
		return desk.Report{}, err
	}
	if err := desk.ValidateReport(&req); err != nil {
		return desk.Report{}, err
	}
	st := f.reportState()
	st.mu.Lock()
	st.asked = append(st.asked, req)
	st.mu.Unlock()
	n := func(v float64, s string) desk.ReportCell { return desk.ReportCell{Text: s, Value: v} }
	t := desk.ReportTable{ID: "volume", Columns: []desk.ReportColumn{{ID: "period"}, {ID: "group"},
		{ID: "created", Numeric: true}, {ID: "closed", Numeric: true}, {ID: "backlog", Numeric: true}},
		Rows: [][]desk.ReportCell{
			{{Text: "2026-01"}, {Text: "Printing & <Scan>"}, n(3, "3"), n(1, "1"), n(2, "2")},
			{{Text: "2026-02"}, {Text: "Printing & <Scan>"}, n(1, "1"), n(2, "2"), n(1, "1")},
		}}
	return desk.Report{Request: req, Tables: []desk.ReportTable{t}, Chart: desk.ReportChart{Kind: desk.ChartArea, Metric: "backlog",
		X: []string{"2026-01", "2026-02"}, Series: []desk.ChartSeries{{Name: "Printing & <Scan>", Values: []float64{2, 1}}}}}, nil
}

func (f *fakeDesk) ReportSchedules(_ context.Context, _ desk.Principal) ([]models.ReportSchedule, []models.Agent, error) {
	f.record("ReportSchedules")
	if err := f.errs["ReportSchedules"]; err != nil {
		return nil, nil, err
	}
	st := f.reportState()
	st.mu.Lock()
	defer st.mu.Unlock()
	var agents []models.Agent
	for _, a := range f.agents {
		agents = append(agents, a)
	}
	return append([]models.ReportSchedule(nil), st.schedules...), agents, nil
}

func (f *fakeDesk) SaveReportSchedule(_ context.Context, p desk.Principal, req desk.ReportScheduleRequest) (int64, error) {
	f.record("SaveReportSchedule", req)
	if err := f.errs["SaveReportSchedule"]; err != nil {
		return 0, err
	}
	st := f.reportState()
	st.mu.Lock()
	defer st.mu.Unlock()
	st.saved = append(st.saved, req)
	// The one check of the desk's the web tests lean on.
	if req.PeriodDays < 1 {
		return 0, desk.FieldErrors{"period_days": ticket.P(ticket.FieldBadNumber, "Field", "period_days")}
	}
	row := models.ReportSchedule{ID: int64(len(st.schedules) + 1), TenantID: p.TenantID, AgentID: p.ID, Name: req.Name,
		Kind: string(req.Kind), GroupBy: string(req.GroupBy), Granularity: string(req.Granularity), PeriodDays: req.PeriodDays,
		Format: string(req.Format), Cron: req.Cron}
	for i, id := range req.Recipients {
		if i > 0 {
			row.Recipients += " "
		}
		row.Recipients += fmt.Sprint(id)
	}
	st.schedules = append(st.schedules, row)
	return row.ID, nil
}

func (f *fakeDesk) DeleteReportSchedule(_ context.Context, _ desk.Principal, id int64) error {
	f.record("DeleteReportSchedule", id)
	if err := f.errs["DeleteReportSchedule"]; err != nil {
		return err
	}
	st := f.reportState()
	st.mu.Lock()
	defer st.mu.Unlock()
	for i, s := range st.schedules {
		if s.ID == id {
			st.schedules = append(st.schedules[:i], st.schedules[i+1:]...)
			return nil
		}
	}
	return fmt.Errorf("report schedule %d: %w", id, desk.ErrNotFound)
}
