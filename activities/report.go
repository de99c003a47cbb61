package activities

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/kiz-ulm/kizdesk/i18n"
	"github.com/kiz-ulm/kizdesk/mailin"
	"github.com/kiz-ulm/kizdesk/mailout"
	"github.com/kiz-ulm/kizdesk/models"
	"github.com/kiz-ulm/kizdesk/outbox"
	"github.com/kiz-ulm/kizdesk/ticket"
)

// ReportRenderer renders a scheduled report for one agent with that
// agent's permissions (the desk does): a file's name, type and bytes.
type ReportRenderer interface {
	RenderScheduledReport(ctx context.Context, scheduleID, agentID int64, at time.Time, l *i18n.Localizer) (name, contentType string, data []byte, err error)
	// Forbidden tells whether err says the agent may see no reports;
	// Gone whether the schedule no longer exists.
	Forbidden(err error) bool
	Gone(err error) bool
}

// MailReport renders a scheduled report for each of its recipients, each
// with the recipient's permissions and in its language, stores a mail
// with the report attached for each in the outbox and starts their
// delivery. Run again for the same time, it finds the mails it wrote. A
// recipient whose roles allow no reports gets none.
func (a *Activities) MailReport(ctx context.Context, in ticket.ReportMailInput) (ticket.ReportMailResult, error) {
	var res ticket.ReportMailResult
	if a.Mail == nil || a.Reports == nil {
		return res, temporal.NewNonRetryableApplicationError("mail is off", "MailOff", nil)
	}
	row, err := models.ReportScheduleByID(ctx, a.DB, in.ScheduleID)
	if errors.Is(err, models.ErrNotFound) {
		return res, nil // deleted meanwhile: nothing to send
	}
	if err != nil {
		return res, err
	}
	for _, id := range row.RecipientIDs() {
		ag, err := models.AgentByID(ctx, a.DB, id)
		if errors.Is(err, models.ErrNotFound) {
			res.Skipped = append(res.Skipped, id)
			continue
		}
		if err != nil {
			return res, err
		}
		l := a.Mail.Texts.For(ag.Language)
		name, typ, data, err := a.Reports.RenderScheduledReport(ctx, row.ID, ag.ID, in.At, l)
		switch {
		case a.Reports.Gone(err):
			return ticket.ReportMailResult{}, nil
		case a.Reports.Forbidden(err):
			res.Skipped = append(res.Skipped, id)
			continue
		case err != nil:
			return res, err
		}
		args := []any{"Name", row.Name, "File", name}
		mid, err := a.Mail.Write(ctx, a.DB, outbox.Mail{
			TenantID: row.TenantID, Kind: models.OutReport,
			Key: fmt.Sprintf("report%d-%d-%d", row.ID, in.At.Unix(), ag.ID), To: mailin.Address{Name: ag.Name, Email: ag.Email},
			Subject: l.Text("ui.report.mail.subject", args...), Text: l.Text("ui.report.mail.body", args...),
			At: in.At, Auto: true, AgentID: ag.ID,
			Attachments: []mailout.Attachment{{Filename: name, ContentType: typ, Data: data}},
		})
		if err != nil {
			return res, err
		}
		if mid != 0 {
			res.MailIDs = append(res.MailIDs, mid)
		}
	}
	return res, a.Mail.Deliver(ctx, a.Mail.Starter, res.MailIDs...)
}
