package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"gorm.io/gorm"

	"github.com/kiz-ulm/kizdesk/models"
	"github.com/kiz-ulm/kizdesk/ticket"
	"github.com/kiz-ulm/kizdesk/workflows"
)

// The cross-check with Temporal: each ticket workflow keeps, in its view,
// the last history entry (Seq) and that entry's hash as the projection
// returned it (ChainHead). Temporal's history is outside the database, so
// for as long as Temporal retains a ticket's workflow, the database must
// agree with it.

const (
	// auditQueries is how many workflows are queried at once.
	auditQueries = 8
	// auditQueryTimeout bounds one query; a closed workflow is answered
	// only by a worker replaying it.
	auditQueryTimeout = 30 * time.Second
	// auditRechecks is how often a finding is checked again, auditRecheckPause
	// apart, before it is reported: a ticket changed while it was queried
	// has its entry counted before the projection returned its hash.
	auditRechecks     = 3
	auditRecheckPause = time.Second
)

// temporalCheck is what crossCheckTemporal found.
type temporalCheck struct {
	Workflows  int // ticket workflows listed
	Findings   []models.AnchorFinding
	Unanswered []string // workflows that could not be queried, with why
}

// crossCheckTemporal lists every ticket workflow Temporal keeps (open and
// closed), queries each for its view and compares it with the database.
func crossCheckTemporal(ctx context.Context, tc client.Client, db *gorm.DB, namespace string) (temporalCheck, error) {
	var x temporalCheck
	numbers, err := ticketWorkflows(ctx, tc, namespace)
	if err != nil {
		return x, err
	}
	x.Workflows = len(numbers)
	anchors, unanswered := queryTickets(ctx, tc, numbers)
	x.Unanswered = unanswered
	for range auditRechecks {
		x.Findings, err = models.CheckAnchors(ctx, db, anchors)
		if err != nil || len(x.Findings) == 0 {
			return x, err
		}
		// Ask again about the tickets that differ, in case they were
		// changing when asked; one that does not answer now keeps its
		// first answer.
		select {
		case <-ctx.Done():
			return x, ctx.Err()
		case <-time.After(auditRecheckPause):
		}
		byNumber := map[string]models.Anchor{}
		for _, a := range anchors {
			byNumber[a.Number] = a
		}
		var again []string
		for _, f := range x.Findings {
			if !slices.Contains(again, f.Anchor.Number) {
				again = append(again, f.Anchor.Number)
			}
		}
		fresh, _ := queryTickets(ctx, tc, again)
		for _, a := range fresh {
			byNumber[a.Number] = a
		}
		anchors = anchors[:0]
		for _, n := range again {
			if a, ok := byNumber[n]; ok {
				anchors = append(anchors, a)
			}
		}
	}
	x.Findings, err = models.CheckAnchors(ctx, db, anchors)
	return x, err
}

// ticketWorkflows lists the numbers of the ticket workflows in the
// namespace, open and closed, each once (a ticket that continued as new
// has a closed run and an open one).
func ticketWorkflows(ctx context.Context, tc client.Client, namespace string) ([]string, error) {
	var numbers []string
	seen := map[string]bool{}
	req := &workflowservice.ListWorkflowExecutionsRequest{
		Namespace: namespace,
		Query:     workflows.SearchTicketNumber.GetName() + " IS NOT NULL",
	}
	for {
		resp, err := tc.ListWorkflow(ctx, req)
		if err != nil {
			return nil, fmt.Errorf("list ticket workflows: %w", err)
		}
		for _, e := range resp.GetExecutions() {
			number := strings.TrimPrefix(e.GetExecution().GetWorkflowId(), ticket.WorkflowID(""))
			if p := e.GetSearchAttributes().GetIndexedFields()[workflows.SearchTicketNumber.GetName()]; p != nil {
				var s string
				if converter.GetDefaultDataConverter().FromPayload(p, &s) == nil && s != "" {
					number = s
				}
			}
			if !seen[number] {
				seen[number] = true
				numbers = append(numbers, number)
			}
		}
		req.NextPageToken = resp.GetNextPageToken()
		if len(req.NextPageToken) == 0 {
			slices.Sort(numbers)
			return numbers, nil
		}
	}
}

// queryTickets asks each ticket's workflow (its latest run) for its view,
// auditQueries at a time, and turns the answers into anchors. A workflow
// that recorded no history entry yet gives none.
func queryTickets(ctx context.Context, tc client.Client, numbers []string) (anchors []models.Anchor, unanswered []string) {
	type answer struct {
		anchor *models.Anchor
		err    error
	}
	answers := make([]answer, len(numbers))
	sem := make(chan struct{}, auditQueries)
	var wg sync.WaitGroup
	for i, n := range numbers {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			qctx, cancel := context.WithTimeout(ctx, auditQueryTimeout)
			defer cancel()
			var v ticket.View
			res, err := tc.QueryWorkflow(qctx, ticket.WorkflowID(n), "", ticket.QueryTicket)
			if err == nil {
				err = res.Get(&v)
			}
			switch {
			case err != nil:
				answers[i].err = err
			case v.Seq > 0:
				answers[i].anchor = &models.Anchor{TenantID: v.TenantID, Number: n, Seq: v.Seq, Head: v.ChainHead,
					Source: "workflow " + ticket.WorkflowID(n)}
			}
		})
	}
	wg.Wait()
	for i, a := range answers {
		switch {
		case a.err != nil:
			unanswered = append(unanswered, fmt.Sprintf("ticket %s: workflow %s could not be queried: %v",
				numbers[i], ticket.WorkflowID(numbers[i]), a.err))
		case a.anchor != nil:
			anchors = append(anchors, *a.anchor)
		}
	}
	return anchors, unanswered
}
