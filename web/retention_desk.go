package web

import (
	"context"

	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/models"
)

// retentionDesk is what the retention pages (admin_retention*.go,
// admin_erasure*.go) need from the desk.
type retentionDesk interface {
	RetentionOverview(ctx context.Context, p desk.Principal) (desk.RetentionOverview, error)
	RunRetention(ctx context.Context, p desk.Principal) (desk.RetentionRun, error)
	ErasureCandidates(ctx context.Context, p desk.Principal, query string) ([]models.Customer, error)
	ErasurePreview(ctx context.Context, p desk.Principal, customerID int64) (desk.ErasurePreview, error)
	Erase(ctx context.Context, p desk.Principal, customerID int64, confirmed bool) (desk.RetentionRun, error)
}

// runFlash is what a page says about a retention or erasure run.
func runFlash(l texts, run desk.RetentionRun) string {
	if !run.Done {
		return l.T("ui.retention.flash.running", "ID", run.WorkflowID)
	}
	return l.T("ui.retention.flash.done", "Archived", run.Result.Archived, "Anonymised", run.Result.Anonymised,
		"Skipped", run.Result.Skipped)
}
