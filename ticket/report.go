package ticket

import (
	"fmt"
	"time"
)

// WorkflowReportMail mails a scheduled report to its recipients:
// ReportMailInput in. A Temporal Schedule (ReportScheduleID) starts it.
const WorkflowReportMail = "ReportMail"

// ActivityMailReport renders a scheduled report for each recipient, with
// that agent's permissions, and stores a mail with it for each:
// ReportMailInput in, ReportMailResult out.
const ActivityMailReport = "MailReport"

// ReportMailInput names the scheduled report; At is the run's time (the
// workflow sets it): the report covers the whole days before it.
type ReportMailInput struct {
	ScheduleID int64
	At         time.Time
}

// ReportMailResult lists the mails written and the recipients who got
// none, since their permissions allow no reports.
type ReportMailResult struct {
	MailIDs []int64
	Skipped []int64
}

// ReportScheduleID is the ID of the Temporal Schedule of a scheduled
// report, as the Temporal UI lists it.
func ReportScheduleID(id int64) string { return fmt.Sprintf("report-%d", id) }
