package desk

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/kiz-ulm/kizdesk/i18n"
	"github.com/kiz-ulm/kizdesk/models"
	"github.com/kiz-ulm/kizdesk/ticket"
)

// ReportScheduleRequest is a report definition to mail on a schedule.
type ReportScheduleRequest struct {
	Name        string
	Kind        ReportKind
	GroupBy     models.ReportDim
	Granularity Granularity
	// PeriodDays: each run reports the whole days before it, this many.
	PeriodDays int
	Format     ReportFormat
	// Cron is when it runs, in the desk's time zone: five fields
	// ("0 7 1 * *": the first of every month at 7:00).
	Cron       string
	Recipients []int64
}

var cronField = regexp.MustCompile(`^[0-9A-Za-z*/,\-?]+$`)

// ReportSchedules lists the tenant's scheduled reports, for those who
// may see reports, and the active agents who may receive them.
func (d *Desk) ReportSchedules(ctx context.Context, p Principal) ([]models.ReportSchedule, []models.Agent, error) {
	if _, err := d.reportScope(ctx, p); err != nil {
		return nil, nil, err
	}
	rows, err := models.ReportSchedules(ctx, d.db, p.TenantID)
	if err != nil {
		return nil, nil, err
	}
	agents, err := models.AgentsOfTenant(ctx, d.db, p.TenantID)
	return rows, slices.DeleteFunc(agents, func(a models.Agent) bool { return !a.Active }), err
}

// SaveReportSchedule stores a report definition and creates its Temporal
// Schedule (ticket.ReportScheduleID, visible in the Temporal UI). Every
// recipient must be an active agent of the tenant; each gets the report
// with its own permissions when it runs.
func (d *Desk) SaveReportSchedule(ctx context.Context, p Principal, req ReportScheduleRequest) (int64, error) {
	if _, err := d.reportScope(ctx, p); err != nil {
		return 0, err
	}
	fe := FieldErrors{}
	req.Name = strings.TrimSpace(req.Name)
	// Bad bytes, too long or empty: never into the database or a schedule.
	checkText(fe, "name", req.Name, ticket.Line, 200)
	r := ReportRequest{Kind: req.Kind, GroupBy: req.GroupBy, Granularity: req.Granularity, From: time.Unix(0, 0), To: time.Unix(0, 0)}
	var fields FieldErrors
	if err := ValidateReport(&r); errors.As(err, &fields) {
		for k, v := range fields {
			fe[k] = v
		}
	}
	if req.PeriodDays < 1 || req.PeriodDays > MaxReportDays {
		fe["period_days"] = ticket.P(ticket.FieldBadNumber, "Field", "period_days")
	}
	if !slices.Contains(ReportFormats, req.Format) {
		fe["format"] = ticket.P(ticket.FieldChoose, "Field", "format")
	}
	cron := strings.Fields(req.Cron)
	if len(cron) != 5 || slices.ContainsFunc(cron, func(f string) bool { return !cronField.MatchString(f) }) {
		fe["cron"] = ticket.P(ticket.FieldChoose, "Field", "cron")
	}
	agents, err := models.AgentsOfTenant(ctx, d.db, p.TenantID)
	if err != nil {
		return 0, err
	}
	var ids []string
	for _, id := range req.Recipients {
		if !slices.ContainsFunc(agents, func(a models.Agent) bool { return a.ID == id && a.Active }) {
			fe["recipients"] = ticket.P(ticket.FieldUnknown, "Field", "recipients")
			break
		}
		ids = append(ids, strconv.FormatInt(id, 10))
	}
	if len(req.Recipients) == 0 {
		fe["recipients"] = ticket.P(ticket.FieldRequired, "Field", "recipients")
	}
	if len(fe) > 0 {
		return 0, fe
	}
	if d.tc == nil {
		return 0, fmt.Errorf("schedule report: %w", ErrUnavailable)
	}
	row := models.ReportSchedule{TenantID: p.TenantID, AgentID: p.ID, Name: req.Name, Kind: string(r.Kind),
		GroupBy: string(r.GroupBy), Granularity: string(r.Granularity), PeriodDays: req.PeriodDays,
		Format: string(req.Format), Cron: strings.Join(cron, " "), Recipients: strings.Join(ids, " "), CreatedAt: d.now().UTC()}
	if err := d.db.WithContext(ctx).Create(&row).Error; err != nil {
		return 0, fmt.Errorf("save report schedule: %w", err)
	}
	_, err = d.tc.ScheduleClient().Create(ctx, client.ScheduleOptions{
		ID: ticket.ReportScheduleID(row.ID),
		Spec: client.ScheduleSpec{
			CronExpressions: []string{row.Cron},
			TimeZoneName:    d.opts.Location.String(),
		},
		Action: &client.ScheduleWorkflowAction{
			ID: ticket.ReportScheduleID(row.ID) + "-mail", Workflow: ticket.WorkflowReportMail,
			Args: []any{ticket.ReportMailInput{ScheduleID: row.ID}}, TaskQueue: ticket.TaskQueue,
		},
	})
	if err != nil {
		// No schedule, no definition: nobody waits for mail that never comes.
		if derr := d.db.WithContext(ctx).Delete(&models.ReportSchedule{}, row.ID).Error; derr != nil {
			err = errors.Join(err, derr)
		}
		var invalid *serviceerror.InvalidArgument
		if errors.As(err, &invalid) {
			return 0, FieldErrors{"cron": ticket.P(ticket.FieldChoose, "Field", "cron")}
		}
		return 0, fmt.Errorf("create schedule for report %d: %w", row.ID, err)
	}
	return row.ID, nil
}

// DeleteReportSchedule ends a scheduled report and its Temporal
// Schedule: its maker or an admin of the tenant may.
func (d *Desk) DeleteReportSchedule(ctx context.Context, p Principal, id int64) error {
	if _, err := d.reportScope(ctx, p); err != nil {
		return err
	}
	row, err := models.ReportScheduleByID(ctx, d.db, id)
	if err != nil || row.TenantID != p.TenantID {
		return fmt.Errorf("report schedule %d: %w", id, ErrNotFound)
	}
	if a, err := d.access(ctx, p); err != nil {
		return err
	} else if row.AgentID != p.ID && !a.Admin {
		return ErrForbidden
	}
	if d.tc == nil {
		return fmt.Errorf("delete report schedule: %w", ErrUnavailable)
	}
	err = d.tc.ScheduleClient().GetHandle(ctx, ticket.ReportScheduleID(id)).Delete(ctx)
	var gone *serviceerror.NotFound
	if err != nil && !errors.As(err, &gone) {
		return fmt.Errorf("delete schedule of report %d: %w", id, err)
	}
	if err := d.db.WithContext(ctx).Delete(&models.ReportSchedule{}, id).Error; err != nil {
		return fmt.Errorf("delete report schedule %d: %w", id, err)
	}
	return nil
}

// ErrScheduleGone: the scheduled report was deleted.
var ErrScheduleGone = errors.New("report schedule gone")

// RenderScheduledReport renders a scheduled report for one recipient
// with the recipient's own permissions, in its language l: the whole days
// before at. An agent whose roles allow no reports gets ErrForbidden, and
// no report.
func (d *Desk) RenderScheduledReport(ctx context.Context, scheduleID, agentID int64, at time.Time, l *i18n.Localizer) (name, contentType string, data []byte, err error) {
	row, err := models.ReportScheduleByID(ctx, d.db, scheduleID)
	if errors.Is(err, models.ErrNotFound) {
		return "", "", nil, fmt.Errorf("report %d: %w", scheduleID, ErrScheduleGone)
	}
	if err != nil {
		return "", "", nil, err
	}
	agent, err := models.AgentByID(ctx, d.db, agentID)
	if err != nil {
		return "", "", nil, err
	}
	if agent.TenantID != row.TenantID || !agent.Active {
		return "", "", nil, ErrForbidden
	}
	at = at.In(d.opts.Location)
	to := time.Date(at.Year(), at.Month(), at.Day()-1, 0, 0, 0, 0, d.opts.Location)
	req := ReportRequest{Kind: ReportKind(row.Kind), GroupBy: models.ReportDim(row.GroupBy), Granularity: Granularity(row.Granularity),
		From: to.AddDate(0, 0, 1-row.PeriodDays), To: to}
	rep, err := d.Report(ctx, AgentPrincipal(agent), req)
	if err != nil {
		return "", "", nil, err
	}
	format := ReportFormat(row.Format)
	var buf bytes.Buffer
	if err := WriteReport(&buf, rep, format, ReportLabels(l, rep)); err != nil {
		return "", "", nil, fmt.Errorf("render report %d: %w", scheduleID, err)
	}
	name = fmt.Sprintf("%s-%s-%s.%s", row.Kind, req.From.Format("2006-01-02"), req.To.Format("2006-01-02"), format)
	return name, format.ContentType(), buf.Bytes(), nil
}

// ReportLabels are a report's labels in the language of l.
func ReportLabels(l *i18n.Localizer, r Report) Labels {
	return Labels{
		Title: l.Text("ui.report.kind."+string(r.Request.Kind)) + " " + r.Request.From.Format("2006-01-02") + " – " + r.Request.To.Format("2006-01-02"),
		Column: func(id string) string {
			if id == "group" {
				return l.Text("ui.report.dim." + string(r.Request.GroupBy))
			}
			return l.Text("ui.report.col." + id)
		},
		Table: func(id string) string { return l.Text("ui.report.table." + id) },
	}
}

// ReportColumnIDs are the IDs of every column a report table has, and
// ReportTableIDs of every table (the catalogues name each).
var (
	ReportColumnIDs = []string{"period", "created", "closed", "backlog", "tickets", "first_response_median", "first_response_p90",
		"solution_median", "solution_p90", "with_sla", "sla_met", "compliance", "breached", "escalated", "reopened", "reopen_rate",
		"time_spent", "number", "title", "sla", "service", "queue", "created_at", "breached_clocks", "agent", "open", "handled"}
	ReportTableIDs = []string{"volume", "quality", "breaches", "agents", "teams"}
)

// Forbidden tells whether err refuses reports to the agent (for the
// activity that mails scheduled reports).
func (d *Desk) Forbidden(err error) bool { return errors.Is(err, ErrForbidden) }

// Gone tells whether err says the scheduled report was deleted.
func (d *Desk) Gone(err error) bool { return errors.Is(err, ErrScheduleGone) }
