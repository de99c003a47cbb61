package desk

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/kiz-ulm/kizdesk/models"
	"github.com/kiz-ulm/kizdesk/ticket"
)

// ReportKind names a report.
type ReportKind string

// The reports there are.
const (
	ReportVolume   ReportKind = "volume"   // created, closed, backlog per period
	ReportQuality  ReportKind = "quality"  // response and solution times, SLA compliance
	ReportWorkload ReportKind = "workload" // open and handled per agent and team
)

// ReportKinds lists the reports in the order pages offer them.
var ReportKinds = []ReportKind{ReportVolume, ReportQuality, ReportWorkload}

// Granularity is the length of a volume report's periods.
type Granularity string

// The periods a volume report counts in.
const (
	Day   Granularity = "day"
	Week  Granularity = "week"
	Month Granularity = "month"
)

// Granularities lists them in the order pages offer them.
var Granularities = []Granularity{Day, Week, Month}

// ReportRequest asks for a report over the days From to To (both whole
// days in the desk's time zone, To included).
type ReportRequest struct {
	Kind        ReportKind
	From, To    time.Time
	Granularity Granularity
	GroupBy     models.ReportDim
	// Sort names a column the rows are sorted by; Desc reverses it.
	Sort string
	Desc bool
	// Metric is what the volume report's chart shows: "created",
	// "closed" or "backlog" (default).
	Metric string
}

// ReportColumn is a column of a report table: ID names it (the
// catalogue's report.col.<ID>), Numeric columns hold numbers.
type ReportColumn struct {
	ID      string
	Numeric bool
}

// ReportCell is one value: Text as shown and exported; Value for numeric
// columns (Empty when there is none, e.g. no median without tickets).
type ReportCell struct {
	Text  string
	Value float64
	Empty bool
}

// ReportTable is one table of a report.
type ReportTable struct {
	ID      string
	Columns []ReportColumn
	Rows    [][]ReportCell
}

// ChartKind is how a report's chart draws.
type ChartKind string

// The charts.
const (
	ChartBar  ChartKind = "bar"
	ChartLine ChartKind = "line"
	ChartArea ChartKind = "area" // stacked
)

// ReportChart is what a report's chart shows: one value per X label in
// each series.
type ReportChart struct {
	Kind   ChartKind
	Metric string // the column the values are of
	X      []string
	Series []ChartSeries
}

// ChartSeries is one line, area or bar colour.
type ChartSeries struct {
	Name   string
	Values []float64
}

// Report is a report as every skin shows it: tables, a chart, and for
// the quality report the figures that have no table of their own.
type Report struct {
	Request ReportRequest
	Tables  []ReportTable
	Chart   ReportChart
	// DeflectionsRecorded: the quality report counts the tickets the FAQ
	// spared (a customer's "this solved it"), per service.
	DeflectionsRecorded bool
}

// VolumeMetrics are what the volume report's chart may show.
var VolumeMetrics = []string{"backlog", "created", "closed"}

// MaxReportDays bounds a report's period: ten years of days.
const MaxReportDays = 3660

// ValidateReport checks a request and fills in its defaults.
func ValidateReport(r *ReportRequest) error {
	fe := FieldErrors{}
	if r.Kind == "" {
		r.Kind = ReportVolume
	}
	if !slices.Contains(ReportKinds, r.Kind) {
		fe["kind"] = ticket.P(ticket.FieldChoose, "Field", "kind")
	}
	if r.Granularity == "" {
		r.Granularity = Month
	}
	if !slices.Contains(Granularities, r.Granularity) {
		fe["granularity"] = ticket.P(ticket.FieldChoose, "Field", "granularity")
	}
	if r.GroupBy == "" {
		r.GroupBy = models.DimService
		if r.Kind == ReportWorkload {
			r.GroupBy = models.DimAgent
		}
	}
	if r.Metric == "" {
		r.Metric = "backlog"
	}
	if !slices.Contains(VolumeMetrics, r.Metric) {
		fe["metric"] = ticket.P(ticket.FieldChoose, "Field", "metric")
	}
	if !r.GroupBy.Valid() {
		fe["group"] = ticket.P(ticket.FieldChoose, "Field", "group")
	}
	if r.From.IsZero() {
		fe["from"] = ticket.P(ticket.FieldRequired, "Field", "from")
	}
	if r.To.IsZero() {
		fe["to"] = ticket.P(ticket.FieldRequired, "Field", "to")
	}
	if !r.From.IsZero() && !r.To.IsZero() {
		if r.To.Before(r.From) {
			fe["to"] = ticket.P(ticket.FieldBadTime, "Field", "to")
		} else if r.To.Sub(r.From) > MaxReportDays*24*time.Hour {
			fe["to"] = ticket.P(ticket.FieldTooFar, "Field", "to", "Days", strconv.Itoa(MaxReportDays))
		}
	}
	if len(fe) > 0 {
		return fe
	}
	return nil
}

// reportScope is what p may report on: agents with a role that allows
// reports, over the queues they read; admins over their tenant. Everyone
// else is refused.
func (d *Desk) reportScope(ctx context.Context, p Principal) (models.ReportScope, error) {
	if err := mustBeAgent(p); err != nil {
		return models.ReportScope{}, err
	}
	a, err := d.access(ctx, p)
	if err != nil {
		return models.ReportScope{}, err
	}
	// Every report stays in the agent's tenant, the operator's admins'
	// too: tenants are kept apart in reports as everywhere.
	s := models.ReportScope{TenantID: p.TenantID}
	switch {
	case a.Admin:
		return s, nil
	case !a.Reports:
		return s, ErrForbidden
	}
	s.Queues = []int64{}
	for q := range a.queues {
		if a.Sees(q) {
			s.Queues = append(s.Queues, q)
		}
	}
	slices.Sort(s.Queues)
	return s, nil
}

// MayReport tells whether p may see reports at all (the menu asks).
func (d *Desk) MayReport(ctx context.Context, p Principal) bool {
	_, err := d.reportScope(ctx, p)
	return err == nil
}

// Report makes a report for p over what p may read.
func (d *Desk) Report(ctx context.Context, p Principal, req ReportRequest) (Report, error) {
	if err := ValidateReport(&req); err != nil {
		return Report{}, err
	}
	scope, err := d.reportScope(ctx, p)
	if err != nil {
		return Report{}, err
	}
	b := reportBuilder{d: d, scope: scope, req: req, loc: d.opts.Location}
	b.names, err = models.ReportNamesOf(ctx, d.db)
	if err != nil {
		return Report{}, err
	}
	b.from = time.Date(req.From.Year(), req.From.Month(), req.From.Day(), 0, 0, 0, 0, b.loc)
	b.to = time.Date(req.To.Year(), req.To.Month(), req.To.Day()+1, 0, 0, 0, 0, b.loc)
	var r Report
	switch req.Kind {
	case ReportVolume:
		r, err = b.volume(ctx)
	case ReportQuality:
		r, err = b.quality(ctx)
	case ReportWorkload:
		r, err = b.workload(ctx)
	}
	if err != nil {
		return Report{}, fmt.Errorf("%s report: %w", req.Kind, err)
	}
	r.Request = req
	for i := range r.Tables {
		sortTable(&r.Tables[i], req.Sort, req.Desc)
	}
	return r, nil
}

type reportBuilder struct {
	d        *Desk
	scope    models.ReportScope
	req      ReportRequest
	loc      *time.Location
	names    models.ReportNames
	from, to time.Time
}

// label is the name of a group key.
func (b *reportBuilder) label(dim models.ReportDim, key string) string {
	id, _ := strconv.ParseInt(key, 10, 64)
	var m map[int64]string
	switch dim {
	case models.DimNone:
		return "–"
	case models.DimService:
		m = b.names.Services
	case models.DimQueue:
		m = b.names.Queues
	case models.DimType:
		m = b.names.Types
	case models.DimPriority:
		m = b.names.Priorities
	case models.DimTenant:
		m = b.names.Tenants
	case models.DimAgent:
		m = b.names.Agents
	default:
		if key == "" {
			return "–"
		}
		return key
	}
	if n, ok := m[id]; ok {
		return n
	}
	return "–"
}

// periodStart is the start of the period t falls in.
func periodStart(t time.Time, g Granularity, loc *time.Location) time.Time {
	t = t.In(loc)
	switch g {
	case Week:
		day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc)
		back := (int(day.Weekday()) + 6) % 7 // Monday starts the week
		return day.AddDate(0, 0, -back)
	case Month:
		return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, loc)
	}
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc)
}

func nextPeriod(t time.Time, g Granularity) time.Time {
	switch g {
	case Week:
		return t.AddDate(0, 0, 7)
	case Month:
		return t.AddDate(0, 1, 0)
	}
	return t.AddDate(0, 0, 1)
}

// periodLabel names a period: 2026-03-29, 2026-W13, 2026-03.
func periodLabel(t time.Time, g Granularity) string {
	switch g {
	case Week:
		y, w := t.ISOWeek()
		return fmt.Sprintf("%d-W%02d", y, w)
	case Month:
		return t.Format("2006-01")
	}
	return t.Format("2006-01-02")
}

func num(v int64) ReportCell { return ReportCell{Text: strconv.FormatInt(v, 10), Value: float64(v)} }

func decimal(v float64) ReportCell {
	return ReportCell{Text: strconv.FormatFloat(v, 'f', 2, 64), Value: v}
}

// hours is a working time in seconds as hours.
func hours(secs *int64) ReportCell {
	if secs == nil {
		return ReportCell{Empty: true}
	}
	return decimal(float64(*secs) / 3600)
}

// percent is part of whole in percent; empty without a whole.
func percent(part, whole int64) ReportCell {
	if whole == 0 {
		return ReportCell{Empty: true}
	}
	return ReportCell{Text: strconv.FormatFloat(float64(part)*100/float64(whole), 'f', 1, 64), Value: float64(part) * 100 / float64(whole)}
}

func cell(s string) ReportCell { return ReportCell{Text: s} }

// volume counts created and closed tickets per period and group, and the
// backlog (open tickets) at each period's end.
func (b *reportBuilder) volume(ctx context.Context) (Report, error) {
	dim := b.req.GroupBy
	created, err := models.ReportHours(ctx, b.d.db, b.scope, dim, "created_at", b.from, b.to)
	if err != nil {
		return Report{}, err
	}
	closed, err := models.ReportHours(ctx, b.d.db, b.scope, dim, "closed_at", b.from, b.to)
	if err != nil {
		return Report{}, err
	}
	open, err := models.ReportOpenAt(ctx, b.d.db, b.scope, dim, b.from)
	if err != nil {
		return Report{}, err
	}
	var periods []time.Time
	index := map[time.Time]int{}
	for p := periodStart(b.from, b.req.Granularity, b.loc); p.Before(b.to); p = nextPeriod(p, b.req.Granularity) {
		index[p] = len(periods)
		periods = append(periods, p)
	}
	type counts struct{ created, closed []int64 }
	groups := map[string]*counts{}
	group := func(k string) *counts {
		if groups[k] == nil {
			groups[k] = &counts{make([]int64, len(periods)), make([]int64, len(periods))}
		}
		return groups[k]
	}
	for _, h := range created {
		group(h.Key).created[index[periodStart(h.Hour, b.req.Granularity, b.loc)]] += h.N
	}
	for _, h := range closed {
		group(h.Key).closed[index[periodStart(h.Hour, b.req.Granularity, b.loc)]] += h.N
	}
	for k := range open {
		group(k)
	}
	keys := make([]string, 0, len(groups))
	for k := range groups {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return b.label(dim, keys[i]) < b.label(dim, keys[j]) })
	t := ReportTable{ID: "volume", Columns: []ReportColumn{{ID: "period"}, {ID: "group"},
		{ID: "created", Numeric: true}, {ID: "closed", Numeric: true}, {ID: "backlog", Numeric: true}}}
	chart := ReportChart{Kind: ChartArea, Metric: b.req.Metric}
	if b.req.Metric != "backlog" {
		chart.Kind = ChartBar
	}
	for _, p := range periods {
		chart.X = append(chart.X, periodLabel(p, b.req.Granularity))
	}
	for _, k := range keys {
		c := groups[k]
		name := b.label(dim, k)
		backlog := open[k]
		s := ChartSeries{Name: name}
		for i, p := range periods {
			backlog += c.created[i] - c.closed[i]
			t.Rows = append(t.Rows, []ReportCell{cell(periodLabel(p, b.req.Granularity)), cell(name),
				num(c.created[i]), num(c.closed[i]), num(backlog)})
			switch b.req.Metric {
			case "created":
				s.Values = append(s.Values, float64(c.created[i]))
			case "closed":
				s.Values = append(s.Values, float64(c.closed[i]))
			default:
				s.Values = append(s.Values, float64(backlog))
			}
		}
		chart.Series = append(chart.Series, s)
	}
	return Report{Tables: []ReportTable{t}, Chart: chart}, nil
}

// quality reads response and solution times, SLA compliance, breaches,
// escalations, reopens and time spent of the tickets created in the
// period, per group.
func (b *reportBuilder) quality(ctx context.Context) (Report, error) {
	dim := b.req.GroupBy
	rows, err := models.ReportQuality(ctx, b.d.db, b.scope, dim, b.from, b.to)
	if err != nil {
		return Report{}, err
	}
	escalations, err := models.ReportEvents(ctx, b.d.db, b.scope, dim, "escalations", b.from, b.to)
	if err != nil {
		return Report{}, err
	}
	reopens, err := models.ReportEvents(ctx, b.d.db, b.scope, dim, "reopens", b.from, b.to)
	if err != nil {
		return Report{}, err
	}
	closedIn, err := models.ClosedIn(ctx, b.d.db, b.scope, dim, b.from, b.to)
	if err != nil {
		return Report{}, err
	}
	breaches, err := models.ReportBreaches(ctx, b.d.db, b.scope, b.from, b.to)
	if err != nil {
		return Report{}, err
	}
	t := ReportTable{ID: "quality", Columns: []ReportColumn{{ID: "group"}, {ID: "tickets", Numeric: true},
		{ID: "first_response_median", Numeric: true}, {ID: "first_response_p90", Numeric: true},
		{ID: "solution_median", Numeric: true}, {ID: "solution_p90", Numeric: true},
		{ID: "with_sla", Numeric: true}, {ID: "sla_met", Numeric: true}, {ID: "compliance", Numeric: true},
		{ID: "breached", Numeric: true}, {ID: "escalated", Numeric: true},
		{ID: "reopened", Numeric: true}, {ID: "reopen_rate", Numeric: true}, {ID: "time_spent", Numeric: true}}}
	chart := ReportChart{Kind: ChartBar, Metric: "compliance", X: nil, Series: []ChartSeries{{Name: "compliance"}}}
	for _, r := range rows {
		name := b.label(dim, r.Key)
		compliance := percent(r.Met, r.WithSLA)
		t.Rows = append(t.Rows, []ReportCell{cell(name), num(r.Tickets),
			hours(r.FirstResponseP50), hours(r.FirstResponseP90), hours(r.SolutionP50), hours(r.SolutionP90),
			num(r.WithSLA), num(r.Met), compliance, num(r.Breached), num(escalations[r.Key]),
			num(reopens[r.Key]), percent(reopens[r.Key], closedIn[r.Key]), decimal(float64(r.TimeSpentMinutes) / 60)})
		chart.X = append(chart.X, name)
		chart.Series[0].Values = append(chart.Series[0].Values, compliance.Value)
	}
	bt := ReportTable{ID: "breaches", Columns: []ReportColumn{{ID: "number"}, {ID: "title"}, {ID: "sla"},
		{ID: "service"}, {ID: "queue"}, {ID: "created_at"}, {ID: "breached_clocks"}}}
	for _, x := range breaches {
		var clocks []string
		if x.FirstResponseBreached {
			clocks = append(clocks, ticket.ClockFirstResponse)
		}
		if x.SolutionBreached {
			clocks = append(clocks, ticket.ClockSolution)
		}
		service := "–"
		if x.ServiceID != nil {
			service = b.label(models.DimService, strconv.FormatInt(*x.ServiceID, 10))
		}
		bt.Rows = append(bt.Rows, []ReportCell{cell(x.Number), cell(x.Title), cell(x.SLAName), cell(service),
			cell(b.label(models.DimQueue, strconv.FormatInt(x.QueueID, 10))),
			cell(x.CreatedAt.In(b.loc).Format("2006-01-02 15:04")), cell(strings.Join(clocks, ", "))})
	}
	deflected, err := models.ReportDeflections(ctx, b.d.db, b.scope.TenantID, b.from, b.to)
	if err != nil {
		return Report{}, err
	}
	dt := ReportTable{ID: "deflections", Columns: []ReportColumn{{ID: string(models.DimService)}, {ID: "deflected", Numeric: true}}}
	for _, x := range deflected {
		service := "–"
		if x.ServiceID != 0 {
			service = b.label(models.DimService, strconv.FormatInt(x.ServiceID, 10))
		}
		dt.Rows = append(dt.Rows, []ReportCell{cell(service), num(x.Count)})
	}
	return Report{Tables: []ReportTable{t, bt, dt}, Chart: chart, DeflectionsRecorded: true}, nil
}

// workload counts open and handled tickets per agent (owner) and per
// team (queue).
func (b *reportBuilder) workload(ctx context.Context) (Report, error) {
	r := Report{}
	chart := ReportChart{Kind: ChartBar, Metric: "open", Series: []ChartSeries{{Name: "open"}, {Name: "handled"}}}
	for _, dim := range []models.ReportDim{models.DimAgent, models.DimQueue} {
		rows, err := models.ReportWorkload(ctx, b.d.db, b.scope, dim, b.from, b.to)
		if err != nil {
			return r, err
		}
		id := "agents"
		if dim == models.DimQueue {
			id = "teams"
		}
		t := ReportTable{ID: id, Columns: []ReportColumn{{ID: string(dim)}, {ID: "open", Numeric: true}, {ID: "handled", Numeric: true}}}
		for _, w := range rows {
			name := b.label(dim, w.Key)
			t.Rows = append(t.Rows, []ReportCell{cell(name), num(w.Open), num(w.Handled)})
			if dim == b.req.GroupBy || (b.req.GroupBy != models.DimQueue && dim == models.DimAgent) {
				chart.X = append(chart.X, name)
				chart.Series[0].Values = append(chart.Series[0].Values, float64(w.Open))
				chart.Series[1].Values = append(chart.Series[1].Values, float64(w.Handled))
			}
		}
		r.Tables = append(r.Tables, t)
	}
	r.Chart = chart
	return r, nil
}

// sortTable sorts rows by the named column (numbers as numbers, empty
// last); an unknown column leaves the order as it is.
func sortTable(t *ReportTable, col string, desc bool) {
	i := slices.IndexFunc(t.Columns, func(c ReportColumn) bool { return c.ID == col })
	if i < 0 {
		return
	}
	numeric := t.Columns[i].Numeric
	sort.SliceStable(t.Rows, func(a, b int) bool {
		x, y := t.Rows[a][i], t.Rows[b][i]
		if x.Empty != y.Empty {
			return y.Empty
		}
		if numeric {
			if desc {
				return x.Value > y.Value
			}
			return x.Value < y.Value
		}
		if desc {
			return x.Text > y.Text
		}
		return x.Text < y.Text
	})
}

// MayReport tells whether the access lets its agent see reports: a role
// that allows them, or admin.
func (a *Access) MayReport() bool { return a != nil && (a.Admin || a.Reports) }
