package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"gorm.io/gorm"

	"github.com/kiz-ulm/kizdesk/models"
	"github.com/kiz-ulm/kizdesk/ticket"
)

// RetentionEvery is how often the retention schedule runs: policies count
// in days, so hourly is soon enough, and a run that finds nothing due
// costs one query.
const RetentionEvery = time.Hour

// ensureRetentionSchedule creates the deployment's retention schedule in
// Temporal (shown in the UI under Schedules) unless it exists. A run still
// going when the next is due makes that one skip.
func ensureRetentionSchedule(ctx context.Context, c client.Client) error {
	_, err := c.ScheduleClient().Create(ctx, client.ScheduleOptions{
		ID:   ticket.RetentionScheduleID,
		Spec: client.ScheduleSpec{Intervals: []client.ScheduleIntervalSpec{{Every: RetentionEvery}}},
		Action: &client.ScheduleWorkflowAction{
			ID: ticket.RetentionWorkflowID, Workflow: ticket.WorkflowRetention, TaskQueue: ticket.TaskQueue,
			Args: []any{ticket.RetentionInput{}},
		},
		Overlap: enumspb.SCHEDULE_OVERLAP_POLICY_SKIP,
		Note:    "kizdesk: archives and anonymises closed tickets by the tenants' retention policies",
	})
	var exists *serviceerror.AlreadyExists
	if err != nil && !errors.Is(err, temporal.ErrScheduleAlreadyRunning) && !errors.As(err, &exists) {
		return fmt.Errorf("create the retention schedule: %w", err)
	}
	return nil
}

// runRetention is `kizdesk retention --dry-run`: it lists what retention
// would archive and anonymise now (or at --at), and changes nothing; the
// schedule does the work.
func runRetention(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var dryRun bool
	var at string
	v, err := parseSettingsWith("retention",
		"Lists the closed tickets the tenants' retention policies say are due now: to archive (hidden from\n"+
			"lists and search) or to anonymise (personal data removed). The Temporal schedule "+ticket.RetentionScheduleID+"\n"+
			"does the work, hourly; this command only lists.",
		args, stderr, func(fs *flag.FlagSet) {
			fs.BoolVar(&dryRun, "dry-run", false, "list what is due (required: the command changes nothing)")
			fs.StringVar(&at, "at", "", "measure the policies at this moment (RFC 3339) instead of now")
		})
	if err != nil {
		return err
	}
	if !dryRun {
		return errors.New("retention: only --dry-run is offered here; the schedule " + ticket.RetentionScheduleID + " archives and anonymises")
	}
	now := time.Now()
	if at != "" {
		if now, err = time.Parse(time.RFC3339, at); err != nil {
			return fmt.Errorf("retention: --at: %w", err)
		}
	}
	log, err := newLogger(v.get("KIZDESK_LOG_LEVEL"), stderr)
	if err != nil {
		return err
	}
	db, err := openProductionDB(ctx, v, log)
	if err != nil {
		return err
	}
	defer models.Close(db)
	return printDue(ctx, db, now, stdout)
}

func printDue(ctx context.Context, db *gorm.DB, now time.Time, stdout io.Writer) error {
	var after int64
	n := map[models.RetentionAction]int{}
	for {
		due, err := models.DueForRetention(ctx, db, 0, now, after, 500)
		if err != nil {
			return fmt.Errorf("retention: %w", err)
		}
		for _, d := range due {
			fmt.Fprintf(stdout, "%s\t%s\ttenant %d\tclosed %s\t%s\n", d.Action, d.Number, d.TenantID, d.ClosedAt.UTC().Format(time.RFC3339), d.Mode)
			n[d.Action]++
			after = d.TicketID
		}
		if len(due) < 500 {
			break
		}
	}
	fmt.Fprintf(stdout, "retention (dry run) at %s: %d to archive, %d to anonymise\n", now.UTC().Format(time.RFC3339),
		n[models.ActionArchive], n[models.ActionAnonymise])
	return nil
}
