package desk

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/kiz-ulm/kizdesk/models"
	"github.com/kiz-ulm/kizdesk/ticket"
	"github.com/kiz-ulm/kizdesk/workflows"
)

// send is how every agent action reaches a ticket: it refuses principals
// that may not act, collects the input's problems (nothing is sent if
// there are any), fills in who acts and the request's fingerprint, and
// sends the action as an Update that returns once the change is in the
// database.
func (d *Desk) send(ctx context.Context, p Principal, number string, act ticket.Action, key string, fe FieldErrors, in ticket.Input) (ticket.View, error) {
	return d.sendFiles(ctx, p, number, act, key, fe, in, nil)
}

// sendFiles is send for an article with files: their content is stored
// once the request passed every check, right before the workflow is asked.
func (d *Desk) sendFiles(ctx context.Context, p Principal, number string, act ticket.Action, key string, fe FieldErrors, in ticket.Input, ups []Upload) (ticket.View, error) {
	if err := mustBeAgent(p); err != nil {
		return ticket.View{}, err
	}
	// Whether the agent may do this comes first: a ticket it cannot see
	// answers "not found" whatever the form held.
	t, err := d.readable(ctx, p, number)
	if err != nil {
		return ticket.View{}, err
	}
	if err := d.need(ctx, p, t.QueueID, t.QueueName, workflows.NeededPerm(act, in, viewOfRow(t))); err != nil {
		return ticket.View{}, err
	}
	key = strings.TrimSpace(key)
	checkKey(fe, "request_key", key)
	if len(fe) > 0 {
		return ticket.View{}, fe
	}
	if t.State == string(ticket.StateMerged) {
		// Its workflow may have ended: say where the ticket went, here.
		return ticket.View{}, refused(ticket.RefusedMerged, "Into", t.MergedInto, "Action", string(act))
	}
	g, err := d.grant(ctx, p, t, act)
	if err != nil {
		return ticket.View{}, err
	}
	if err := d.storeUploads(ctx, ups); err != nil {
		return ticket.View{}, err
	}
	return d.update(ctx, number, act, withRequest(in, p, key, act, g))
}

// withRequest returns in with its Request filled in. Every input embeds
// ticket.Request; setting it here, in one place, spares each action from
// repeating it. The fingerprint covers the action, who acts and what they
// asked, so the same key with other content can be told apart.
func withRequest(in ticket.Input, p Principal, key string, act ticket.Action, g *ticket.Grant) any {
	v := reflect.New(reflect.TypeOf(in)).Elem()
	v.Set(reflect.ValueOf(in))
	body, _ := json.Marshal(v.Interface()) // plain structs: cannot fail
	sum := sha256.Sum256(fmt.Appendf(nil, "%s\x00%s\x00%d\x00%s", act, p.Kind, p.ID, body))
	v.FieldByName("Request").Set(reflect.ValueOf(ticket.Request{
		Actor: p.Actor(), Key: key, Print: hex.EncodeToString(sum[:16]), Grant: g,
	}))
	return v.Interface()
}

// readable returns the ticket if p may see it; ErrNotFound otherwise, so
// nobody learns that a ticket they may not see exists.
func (d *Desk) readable(ctx context.Context, p Principal, number string) (models.TicketRow, error) {
	if p, bad := ticket.CheckText(number, ticket.Line, 64); bad || number == "" {
		return models.TicketRow{}, fmt.Errorf("ticket number %v: %w", p, ErrNotFound)
	}
	t, err := models.TicketByNumber(ctx, d.db, p.TenantID, number)
	if err != nil {
		return t, err
	}
	a, err := d.access(ctx, p)
	if err != nil {
		return t, err
	}
	if !mayRead(p, a, t) {
		return models.TicketRow{}, fmt.Errorf("ticket %s for %s %d: %w", number, p.Kind, p.ID, ErrNotFound)
	}
	return t, nil
}

// checkKey checks a request or message key: an empty key is fine (no
// deduplication); a bad one is the field's problem.
func checkKey(fe FieldErrors, field, key string) error {
	checkOptional(fe, field, key, ticket.Line, ticket.MaxKeyLength)
	if len(fe) > 0 {
		return fe
	}
	return nil
}

// update sends one Update to a ticket's workflow and waits until the
// workflow has projected it. Updates with the same request key and content
// are one update to Temporal: the second gets the first one's answer.
func (d *Desk) update(ctx context.Context, number string, act ticket.Action, arg any) (ticket.View, error) {
	var v ticket.View
	req := arg.(ticket.Input).Req()
	ctx, cancel := context.WithTimeout(ctx, d.opts.Patience)
	defer cancel()
	// Every update has an ID, so sending it again below is one update.
	updateID := NewRequestKey()
	if req.Key != "" {
		updateID = string(act) + ":" + req.Key + ":" + req.Print
	}
	var err error
	for {
		var h client.WorkflowUpdateHandle
		h, err = d.tc.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
			WorkflowID:   ticket.WorkflowID(number),
			UpdateID:     updateID,
			UpdateName:   string(act),
			Args:         []any{arg},
			WaitForStage: client.WorkflowUpdateStageCompleted,
		})
		if err == nil {
			err = h.Get(ctx, &v)
		}
		if err == nil {
			return v, nil
		}
		if !sendAgain(err) || ctx.Err() != nil {
			break
		}
		// The update was not carried out; the ticket's next workflow task
		// (or its next run) takes it.
		select {
		case <-ctx.Done():
		case <-time.After(50 * time.Millisecond):
		}
	}
	if outOfPatience(ctx, err) {
		return v, fmt.Errorf("%s on ticket %s: %w", act, number, ErrUnavailable)
	}
	if problem, ok := refusal(err); ok {
		return v, problemError(problem)
	}
	var notFound *serviceerror.NotFound
	if errors.As(err, &notFound) {
		return v, refused(ticket.RefusedGone)
	}
	return v, wrapf(err, "%s on ticket %s", act, number)
}

// sendAgain tells whether an update failed without being carried out and
// may simply be sent again: the run was ending (RefusedBusy), its workflow
// task failed (the server does that
// when a signal arrives while a run ends), the server aborted it, or the
// run it reached continued as new before taking it.
func sendAgain(err error) bool {
	if p, ok := refusal(err); ok {
		return p.Code == ticket.RefusedBusy
	}
	var notReady *serviceerror.WorkflowNotReady
	var unavailable *serviceerror.Unavailable
	var notFound *serviceerror.NotFound
	switch {
	case errors.As(err, &notReady), errors.As(err, &unavailable):
		return true
	case errors.As(err, &notFound):
		return strings.Contains(notFound.Error(), "aborted by closing workflow")
	}
	return false
}

// refusal reads the process's coded refusal out of an Update's error.
func refusal(err error) (ticket.Problem, bool) {
	var appErr *temporal.ApplicationError
	if !errors.As(err, &appErr) || !strings.Contains(appErr.Type(), ".") {
		return ticket.Problem{}, false
	}
	p := ticket.Problem{Code: ticket.Code(appErr.Type())}
	if appErr.HasDetails() {
		_ = appErr.Details(&p.Args) // without parameters the code still reads
	}
	return p, true
}

// problemError turns a refusal into the desk's error: problems with a
// field (and a reused request key) are the caller's input to correct, the
// rest are the process's final word.
func problemError(p ticket.Problem) error {
	switch {
	case p.Code == ticket.RefusedKeyReused:
		return FieldErrors{"request_key": p}
	case strings.HasPrefix(string(p.Code), "field."):
		field := p.Args["Field"]
		if field == "" {
			field = "input"
		}
		delete(p.Args, "Field")
		return FieldErrors{field: p}
	}
	return &RejectedError{Problem: p}
}

// outOfPatience tells whether an Update ended because the desk's patience ran
// out. The server cuts the stream at the deadline it was sent, which can be a
// moment before the client's own timer marks ctx done, so the SDK's timeout
// error counts as well as ctx's.
func outOfPatience(ctx context.Context, err error) bool {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return true
	}
	var timeout *client.WorkflowUpdateServiceTimeoutOrCanceledError
	var deadline *serviceerror.DeadlineExceeded
	return errors.As(err, &timeout) || errors.As(err, &deadline)
}
