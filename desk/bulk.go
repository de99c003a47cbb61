package desk

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/kiz-ulm/kizdesk/ticket"
)

// Bulk actions: one action on several tickets, as OTRS's bulk screen
// does. Each ticket still gets its own Update, checked by its own
// workflow and with the agent's permissions on its own queue; one
// refused does not stop the others.

// Bulk actions.
const (
	BulkAssign   = "assign"
	BulkLock     = "lock"
	BulkUnlock   = "unlock"
	BulkMove     = "move"
	BulkPriority = "priority"
	BulkPending  = "pending"
	BulkClose    = "close"
	BulkMerge    = "merge"
)

// BulkActions lists them in the order the queue view offers them.
var BulkActions = []string{BulkAssign, BulkLock, BulkUnlock, BulkMove, BulkPriority, BulkPending, BulkClose, BulkMerge}

// MaxBulk bounds the tickets of one bulk action: a page of a queue.
const MaxBulk = 100

// BulkRequest is one action on the tickets Numbers. RequestKey makes the
// whole request idempotent: each ticket's action is keyed by it and the
// ticket's number. The fields the action needs: OwnerID (assign),
// QueueID (move), PriorityID (priority), State and Until (pending, close),
// Into (merge: the ticket the others are merged into; the first selected
// when empty).
type BulkRequest struct {
	RequestKey string
	Numbers    []string
	Action     string
	OwnerID    int64
	QueueID    int64
	PriorityID int64
	State      string
	Until      time.Time
	Into       string
}

// BulkResult is what became of one ticket: Err nil when the action was
// done, else why not (a refusal, field problems, not found).
type BulkResult struct {
	Number string
	Err    error
}

// bulkWorkers bounds how many tickets are worked at once: each is a round
// trip to its workflow, and a page of them should not crowd out the
// other agents.
const bulkWorkers = 4

// Bulk does one action on each ticket and reports each ticket's outcome,
// in the order given. The request itself is refused (FieldErrors) only
// when it is malformed: no tickets, too many, an unknown action, or a
// field the action needs missing.
func (d *Desk) Bulk(ctx context.Context, p Principal, req BulkRequest) ([]BulkResult, error) {
	if err := mustBeAgent(p); err != nil {
		return nil, err
	}
	fe := FieldErrors{}
	var numbers []string
	for _, n := range req.Numbers {
		if n = strings.TrimSpace(n); n != "" && !slices.Contains(numbers, n) {
			numbers = append(numbers, n)
		}
	}
	switch {
	case len(numbers) == 0:
		fe["number"] = ticket.P(ticket.FieldRequired)
	case len(numbers) > MaxBulk:
		fe["number"] = ticket.P(FieldRange, "Min", "1", "Max", strconv.Itoa(MaxBulk))
	}
	if !slices.Contains(BulkActions, req.Action) {
		fe["action"] = ticket.P(ticket.FieldChoose)
	}
	need := map[string]struct {
		field string
		ok    bool
	}{
		BulkAssign:   {"owner_id", req.OwnerID != 0},
		BulkMove:     {"queue_id", req.QueueID != 0},
		BulkPriority: {"priority_id", req.PriorityID != 0},
		BulkPending:  {"state", ticket.State(req.State).Pending()},
		BulkClose:    {"state", ticket.State(req.State).Closed()},
	}
	if n, ok := need[req.Action]; ok && !n.ok {
		fe[n.field] = ticket.P(ticket.FieldChoose)
	}
	checkKey(fe, "request_key", strings.TrimSpace(req.RequestKey))
	into := strings.TrimSpace(req.Into)
	if req.Action == BulkMerge {
		if into == "" && len(numbers) > 0 {
			into = numbers[0]
		}
		if len(numbers) < 2 && !(len(numbers) == 1 && into != numbers[0]) {
			fe["into"] = ticket.P(ticket.FieldChoose)
		}
	}
	if len(fe) > 0 {
		return nil, fe
	}
	out := make([]BulkResult, len(numbers))
	work := make(chan int)
	var wg sync.WaitGroup
	for range min(bulkWorkers, len(numbers)) {
		wg.Go(func() {
			for i := range work {
				out[i] = BulkResult{Number: numbers[i], Err: d.bulkOne(ctx, p, req, into, numbers[i])}
			}
		})
	}
	for i := range numbers {
		if req.Action == BulkMerge && numbers[i] == into {
			out[i] = BulkResult{Number: into} // the one the others go into
			continue
		}
		work <- i
	}
	close(work)
	wg.Wait()
	return out, nil
}

// bulkOne does the action on one ticket, with the agent's own action
// (and its checks) as if done on the ticket's page.
func (d *Desk) bulkOne(ctx context.Context, p Principal, req BulkRequest, into, number string) error {
	key := req.RequestKey + ":" + number
	var err error
	switch req.Action {
	case BulkAssign:
		// The responsible agent stays as it is.
		t, rerr := d.readable(ctx, p, number)
		if rerr != nil {
			return rerr
		}
		resp := int64(0)
		if t.ResponsibleID != nil {
			resp = *t.ResponsibleID
		}
		_, err = d.Assign(ctx, p, number, AssignRequest{RequestKey: key, OwnerID: req.OwnerID, ResponsibleID: resp})
	case BulkLock, BulkUnlock:
		_, err = d.Lock(ctx, p, number, LockRequest{RequestKey: key, Locked: req.Action == BulkLock})
	case BulkMove:
		_, err = d.Move(ctx, p, number, MoveRequest{RequestKey: key, QueueID: req.QueueID})
	case BulkPriority:
		t, rerr := d.readable(ctx, p, number)
		if rerr != nil {
			return rerr
		}
		svc := int64(0)
		if t.ServiceID != nil {
			svc = *t.ServiceID
		}
		_, err = d.Classify(ctx, p, number, ClassifyRequest{RequestKey: key, ServiceID: svc, TypeID: t.TypeID, PriorityID: req.PriorityID})
	case BulkPending:
		_, err = d.SetPending(ctx, p, number, PendingRequest{RequestKey: key, State: req.State, Until: req.Until})
	case BulkClose:
		_, err = d.Close(ctx, p, number, CloseRequest{RequestKey: key, State: req.State})
	case BulkMerge:
		_, err = d.Merge(ctx, p, number, MergeRequest{RequestKey: key, Into: into})
	}
	return err
}
