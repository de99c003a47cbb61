package web

import (
	"context"
	"slices"

	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/ticket"
)

// SetQueueColumns checks as the desk does and keeps the choice for
// QueueView.
func (f *fakeDesk) SetQueueColumns(_ context.Context, _ desk.Principal, cols []string) error {
	args := make([]any, len(cols))
	for i, c := range cols {
		args[i] = c
	}
	f.record("SetQueueColumns", args...)
	if len(cols) == 0 {
		return desk.FieldErrors{"columns": ticket.P(ticket.FieldRequired)}
	}
	for _, c := range cols {
		if !slices.Contains(desk.QueueColumns, c) {
			return desk.FieldErrors{"columns": ticket.P(ticket.FieldChoose)}
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.queueColumns = slices.Clone(cols)
	return nil
}

func (f *fakeDesk) columns() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.queueColumns == nil {
		return desk.DefaultQueueColumns
	}
	return f.queueColumns
}
