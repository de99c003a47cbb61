package web

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/kiz-ulm/kizdesk/chart"
	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/models"
	"github.com/kiz-ulm/kizdesk/ticket"
)

// reportPage is the reports page: the form, the report with its chart and
// tables, the exports, and the scheduled reports.
type reportPage struct {
	layout
	Form          reportForm
	Fields        map[string]string
	Report        *desk.Report
	Chart         template.HTML
	Kinds         []desk.ReportKind
	Granularities []desk.Granularity
	Dims          []models.ReportDim
	Formats       []desk.ReportFormat
	Metrics       []string
	ChartKinds    []string
	Schedules     []models.ReportSchedule
	Agents        []models.Agent
	Schedule      scheduleForm
}

// chartKinds are the charts a page may ask for.
var chartKinds = []string{string(chart.Area), string(chart.Bar), string(chart.Line)}

// reportForm is a report's parameters as the query string has them.
type reportForm struct {
	Kind, From, To, Granularity, Group, Sort string
	Desc                                     bool
	// Metric is what the volume chart shows, Chart how it draws
	// ("" the report's own: stacked area of the backlog, else bars).
	Metric, Chart string
}

// Query is the form as a query string, without the order.
func (f reportForm) Query() template.URL {
	v := url.Values{"kind": {f.Kind}, "from": {f.From}, "to": {f.To}, "granularity": {f.Granularity}, "group": {f.Group}}
	if f.Metric != "" {
		v.Set("metric", f.Metric)
	}
	if f.Chart != "" {
		v.Set("chart", f.Chart)
	}
	return template.URL(v.Encode()) // encoded: safe in an href's query
}

// SortQuery is the query string that sorts by col: descending when it is
// already sorted ascending by it.
func (f reportForm) SortQuery(col string) template.URL {
	v, _ := url.ParseQuery(string(f.Query()))
	v.Set("sort", col)
	if f.Sort == col && !f.Desc {
		v.Set("desc", "1")
	}
	return template.URL(v.Encode())
}

// scheduleForm is the form that schedules the report shown.
type scheduleForm struct {
	Name, PeriodDays, Format, Cron string
	Recipients                     map[int64]bool
}

// readReportForm reads a report's parameters from the query string; the
// period defaults to this year up to today, by month and service.
func readReportForm(c *gin.Context, loc *time.Location) (reportForm, desk.ReportRequest, desk.FieldErrors) {
	now := time.Now().In(loc)
	f := reportForm{
		Kind: c.DefaultQuery("kind", string(desk.ReportVolume)), Granularity: c.DefaultQuery("granularity", string(desk.Month)),
		Group: c.Query("group"), From: c.DefaultQuery("from", now.Format("2006")+"-01-01"),
		To: c.DefaultQuery("to", now.Format("2006-01-02")), Sort: c.Query("sort"), Desc: c.Query("desc") == "1",
		Metric: c.Query("metric"), Chart: c.Query("chart"),
	}
	fe := desk.FieldErrors{}
	req := desk.ReportRequest{Kind: desk.ReportKind(f.Kind), Granularity: desk.Granularity(f.Granularity),
		GroupBy: models.ReportDim(f.Group), Sort: f.Sort, Desc: f.Desc, Metric: f.Metric}
	if f.Chart != "" && !slices.Contains(chartKinds, f.Chart) {
		fe["chart"] = ticket.P(ticket.FieldChoose, "Field", "chart")
	}
	var err error
	if req.From, err = time.ParseInLocation("2006-01-02", f.From, loc); err != nil {
		fe["from"] = ticket.P(ticket.FieldBadTime, "Field", "from")
	}
	if req.To, err = time.ParseInLocation("2006-01-02", f.To, loc); err != nil {
		fe["to"] = ticket.P(ticket.FieldBadTime, "Field", "to")
	}
	return f, req, fe
}

// reportShow is GET /agent/reports: the report the query asks for (a
// yearly volume by month and service without one).
func (s *server) reportShow(c *gin.Context) {
	ctx, p := c.Request.Context(), principalOf(c)
	status := http.StatusOK
	sf := scheduleForm{PeriodDays: "30", Format: string(desk.FormatXLSX), Cron: "0 7 1 * *"}
	// A refused schedule form comes back with its problems.
	kept, back, err := s.handedBack(c, reportFormKey(p.ID), &sf)
	if err != nil {
		s.fail(c, err)
		return
	}
	schedules, agents, err := s.desk.ReportSchedules(ctx, p)
	if err != nil {
		s.fail(c, fmt.Errorf("report schedules: %w", err))
		return
	}
	f, req, fe := readReportForm(c, s.loc)
	page := &reportPage{Form: f, Kinds: desk.ReportKinds, Granularities: desk.Granularities, Dims: models.ReportDims,
		Formats: desk.ReportFormats, Metrics: desk.VolumeMetrics, ChartKinds: chartKinds, Schedules: schedules, Agents: agents, Schedule: sf}
	if len(fe) == 0 {
		var rep desk.Report
		if rep, err = s.desk.Report(ctx, p, req); err == nil {
			page.Report = &rep
			f.Group = string(rep.Request.GroupBy)
			page.Form = f
			page.Chart = template.HTML(reportChart(s.texts(c), rep, f.Chart).SVG()) // chart escapes every text it draws
		}
	} else {
		err = fe
	}
	if err != nil {
		pr := s.problemFor(c, fmt.Errorf("report: %w", err))
		if pr.Status != http.StatusUnprocessableEntity {
			s.writeProblem(c, pr)
			return
		}
		page.Fields, page.Error, status = pr.FieldTexts, pr.Message, pr.Status
	}
	if back {
		page.Fields, page.Error, status = kept.FieldTexts, kept.Message, kept.Status
	}
	s.render(c, status, "report_show", page)
}

// reportChart is a report's chart with its texts in the reader's language.
// kind, if set, draws it otherwise.
func reportChart(l texts, r desk.Report, kind string) chart.Chart {
	if kind == "" {
		kind = string(r.Chart.Kind)
	}
	ch := chart.Chart{Kind: chart.Kind(kind), Labels: r.Chart.X,
		Title: l.T("ui.report.kind."+string(r.Request.Kind)) + ": " + l.T("ui.report.col."+r.Chart.Metric)}
	for _, s := range r.Chart.Series {
		name := s.Name
		if r.Request.Kind != desk.ReportVolume {
			name = l.T("ui.report.col." + s.Name)
		}
		ch.Series = append(ch.Series, chart.Series{Name: name, Values: s.Values})
	}
	return ch
}

// ReportColumn names a column of a report table, or the grouping for
// the group column.
func (t texts) ReportColumn(r *desk.Report, id string) string {
	if id == "group" {
		return t.T("ui.report.dim." + string(r.Request.GroupBy))
	}
	return t.T("ui.report.col." + id)
}

// ReportCell is a cell as a page shows it: numbers in the reader's
// notation.
func (t texts) ReportCell(c desk.ReportCell, numeric bool) string {
	if c.Empty {
		return "–"
	}
	if numeric && t.Lang() == "de" {
		return strings.NewReplacer(".", ",").Replace(c.Text)
	}
	return c.Text
}

// ScheduleRecipients names a scheduled report's recipients.
func (p *reportPage) ScheduleRecipients(r models.ReportSchedule) string {
	var names []string
	for _, id := range r.RecipientIDs() {
		for _, a := range p.Agents {
			if a.ID == id {
				names = append(names, a.Name)
			}
		}
	}
	return strings.Join(names, ", ")
}
