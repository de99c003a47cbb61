package activities

import (
	"context"
	"errors"
	"fmt"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/kiz-ulm/kizdesk/models"
	"github.com/kiz-ulm/kizdesk/ticket"
)

// TemporalService is the part of the Temporal client retention needs: a
// Temporal client is one.
type TemporalService interface {
	WorkflowService() workflowservice.WorkflowServiceClient
	UpdateWorkflow(ctx context.Context, opts client.UpdateWorkflowOptions) (client.WorkflowUpdateHandle, error)
}

// RetentionBatch archives or anonymises the next batch of due tickets (or,
// for an erasure request, of the customer's tickets). Each ticket's change
// is one transaction that does nothing the second time, so a retried
// batch is harmless. Anonymising deletes the ticket's workflows and those
// of its mails and notifications in Temporal first, every run of them,
// so no payload of theirs can be read there any more. A ticket whose
// workflow still runs (its follow-up window is open) has the window ended
// first, by the workflow itself, so that only it writes the ticket's
// history until it completes: the policy, not the queue's window, says
// when a closed ticket goes.
func (a *Activities) RetentionBatch(ctx context.Context, in ticket.RetentionBatchInput) (ticket.RetentionBatchResult, error) {
	var res ticket.RetentionBatchResult
	if a.Temporal == nil {
		return res, errors.New("retention: no Temporal client")
	}
	namespace := activity.GetInfo(ctx).WorkflowNamespace
	due, err := a.dueBatch(ctx, in)
	if err != nil {
		return res, err
	}
	res.LastID, res.More = in.AfterID, len(due) == in.Limit
	actor := models.RetentionActor{Kind: string(ticket.ActorSystem), Name: "retention"}
	reason := models.ReasonRetention
	if in.Erase != nil {
		actor = models.RetentionActor{Kind: string(ticket.ActorAgent), ID: in.Erase.AdminID, Name: in.Erase.AdminName}
		reason = models.ReasonErasure
	}
	for _, d := range due {
		activity.RecordHeartbeat(ctx, d.TicketID)
		switch d.Action {
		case models.ActionArchive:
			ended, err := a.endFollowUp(ctx, namespace, d.Number)
			if err != nil {
				return res, err
			}
			if !ended {
				res.Skipped++
				break
			}
			done, err := models.ArchiveTicket(ctx, a.DB, a.AuditKey, d.TicketID, actor, in.At)
			if err != nil {
				return res, err
			}
			if done {
				res.Archived++
			}
		case models.ActionAnonymise:
			// The schedule ends a follow-up window still open first, as
			// for archiving; an erasure request does not wait for the
			// workflow: deleting it ends the window.
			if in.Erase == nil {
				ended, err := a.endFollowUp(ctx, namespace, d.Number)
				if err != nil {
					return res, err
				}
				if !ended {
					res.Skipped++
					break
				}
			}
			if err := a.deleteTicketWorkflows(ctx, namespace, d); err != nil {
				return res, err
			}
			r, err := models.AnonymiseTicket(ctx, a.DB, a.AuditKey, models.AnonymiseInput{TicketID: d.TicketID, Mode: d.Mode,
				Reason: reason, Actor: actor, Now: in.At})
			if err != nil {
				return res, err
			}
			if r.Done {
				res.Anonymised++
			}
		}
		res.LastID = d.TicketID
	}
	if in.Erase != nil && !res.More {
		// The desk refused the request while the customer had an open
		// ticket; one opened since stays theirs, and so does the row.
		open, err := models.OpenTicketsOf(ctx, a.DB, in.Erase.TenantID, in.Erase.CustomerID)
		if err != nil {
			return res, err
		}
		if len(open) > 0 {
			return res, temporal.NewNonRetryableApplicationError(
				fmt.Sprintf("customer %d has an open ticket (%s): the customer record is kept", in.Erase.CustomerID, open[0].Number),
				"ErasureOpenTicket", nil)
		}
		if err := models.PseudonymiseCustomer(ctx, a.DB, in.Erase.TenantID, in.Erase.CustomerID); err != nil {
			return res, err
		}
	}
	return res, nil
}

func (a *Activities) dueBatch(ctx context.Context, in ticket.RetentionBatchInput) ([]models.RetentionDue, error) {
	if in.Erase != nil {
		return models.CustomerTicketsToErase(ctx, a.DB, in.Erase.TenantID, in.Erase.CustomerID, in.AfterID, in.Limit)
	}
	return models.DueForRetention(ctx, a.DB, in.TenantID, in.At, in.AfterID, in.Limit)
}

// endFollowUpWait bounds how long retention waits for a ticket's workflow
// to complete once its follow-up window was ended.
const endFollowUpWait = 30 * time.Second

// endFollowUp makes sure the ticket's workflow has ended: if it still runs
// (a closed ticket in its follow-up window), it is asked to end the window
// and waited for. false: it goes on (the ticket was reopened meanwhile, or
// it did not end in time); the next run looks again.
func (a *Activities) endFollowUp(ctx context.Context, namespace, number string) (bool, error) {
	id := ticket.WorkflowID(number)
	running, err := a.workflowRunning(ctx, namespace, id)
	if err != nil || !running {
		return !running, err
	}
	h, err := a.Temporal.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID: id, UpdateName: string(ticket.ActionEndFollowUp), WaitForStage: client.WorkflowUpdateStageCompleted,
		Args: []any{ticket.EndFollowUpInput{Request: ticket.Request{Actor: ticket.Actor{Kind: ticket.ActorSystem, Name: "retention"}},
			Reason: "retention"}},
	})
	if err == nil {
		err = h.Get(ctx, nil)
	}
	var refused *temporal.ApplicationError
	if errors.As(err, &refused) {
		return false, nil // not closed any more, or ending already
	}
	if err != nil {
		return false, fmt.Errorf("end the follow-up window of %s: %w", number, err)
	}
	deadline := time.Now().Add(endFollowUpWait)
	for time.Now().Before(deadline) {
		activity.RecordHeartbeat(ctx, number)
		if running, err = a.workflowRunning(ctx, namespace, id); err != nil || !running {
			return !running, err
		}
		select {
		case <-ctx.Done():
			return false, ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
	return false, nil
}

func (a *Activities) workflowRunning(ctx context.Context, namespace, id string) (bool, error) {
	d, err := a.Temporal.WorkflowService().DescribeWorkflowExecution(ctx, &workflowservice.DescribeWorkflowExecutionRequest{
		Namespace: namespace, Execution: &commonpb.WorkflowExecution{WorkflowId: id}})
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("describe workflow %s: %w", id, err)
	}
	return d.GetWorkflowExecutionInfo().GetStatus() == enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING, nil
}

// deleteTicketWorkflows deletes every run of the ticket's workflow and of
// the workflows of its mails and notifications.
func (a *Activities) deleteTicketWorkflows(ctx context.Context, namespace string, d models.RetentionDue) error {
	ids := []string{ticket.WorkflowID(d.Number)}
	var mails, notes []int64
	if err := a.DB.WithContext(ctx).Model(&models.MailMessage{}).Where("tenant_id = ? AND ticket_number = ? AND direction = ?",
		d.TenantID, d.Number, models.MailOut).Pluck("id", &mails).Error; err != nil {
		return fmt.Errorf("ticket %s: read its mails: %w", d.Number, err)
	}
	if err := a.DB.WithContext(ctx).Model(&models.Notification{}).Where("ticket_id = ?", d.TicketID).Pluck("id", &notes).Error; err != nil {
		return fmt.Errorf("ticket %s: read its notifications: %w", d.Number, err)
	}
	for _, id := range mails {
		ids = append(ids, ticket.MailWorkflowID(id))
	}
	for _, id := range notes {
		ids = append(ids, ticket.NotifyWorkflowID(id))
	}
	for _, id := range ids {
		if err := DeleteWorkflowRuns(ctx, a.Temporal.WorkflowService(), namespace, id); err != nil {
			return fmt.Errorf("ticket %s: %w", d.Number, err)
		}
	}
	return nil
}

// DeleteWorkflowRuns deletes every run of a workflow ID that Temporal
// still holds, running ones included (they are terminated first by the
// server). Deletion is asynchronous on the server's side: a closed run
// goes once its close tasks are acknowledged (within about a minute on a
// cluster with the default ack intervals, seconds in devtemporal); a run
// already gone is no error.
func DeleteWorkflowRuns(ctx context.Context, svc workflowservice.WorkflowServiceClient, namespace, id string) error {
	runs := map[string]bool{"": true} // "": the current run, in case visibility lags
	var token []byte
	for {
		list, err := svc.ListWorkflowExecutions(ctx, &workflowservice.ListWorkflowExecutionsRequest{
			Namespace: namespace, Query: fmt.Sprintf("WorkflowId = '%s'", id), NextPageToken: token})
		if err != nil {
			return fmt.Errorf("list runs of workflow %s: %w", id, err)
		}
		for _, e := range list.GetExecutions() {
			runs[e.GetExecution().GetRunId()] = true
		}
		if token = list.GetNextPageToken(); len(token) == 0 {
			break
		}
	}
	for run := range runs {
		_, err := svc.DeleteWorkflowExecution(ctx, &workflowservice.DeleteWorkflowExecutionRequest{
			Namespace: namespace, WorkflowExecution: &commonpb.WorkflowExecution{WorkflowId: id, RunId: run}})
		var nf *serviceerror.NotFound
		if err != nil && !errors.As(err, &nf) {
			return fmt.Errorf("delete workflow %s run %q: %w", id, run, err)
		}
	}
	return nil
}
