package desk_test

import (
	"errors"
	"slices"
	"testing"

	"gorm.io/gorm"

	"github.com/kiz-ulm/kizdesk/dbtest"
	"github.com/kiz-ulm/kizdesk/desk"
)

// TestQueueColumns: an agent's column choice is kept (in the view's
// order), comes back with every queue view, and only known columns are
// taken; the queue view's new filters are checked before they are used.
func TestQueueColumns(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		d, f := newDesk(t, db)
		ctx := t.Context()
		p := desk.AgentPrincipal(f.Agent)
		pg, err := d.QueueView(ctx, p, f.Queue.ID, desk.QueueViewRequest{})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(pg.Columns, desk.DefaultQueueColumns) || len(pg.Tickets) != 2 {
			t.Errorf("first view: columns %v and %d tickets, want the default columns and 2", pg.Columns, len(pg.Tickets))
		}
		if err := d.SetQueueColumns(ctx, p, []string{"level", "age", "state"}); err != nil {
			t.Fatal(err)
		}
		if pg, err = d.QueueView(ctx, p, f.Queue.ID, desk.QueueViewRequest{}); err != nil || !slices.Equal(pg.Columns, []string{"state", "age", "level"}) {
			t.Errorf("after the choice: %v (%v), want [state age level]", pg.Columns, err)
		}
		for _, bad := range [][]string{nil, {"state", "password"}} {
			if err := d.SetQueueColumns(ctx, p, bad); !slices.Equal(fieldsOf(t, err), []string{"columns"}) {
				t.Errorf("columns %v: %v, want a field error on columns", bad, err)
			}
		}
		if err := d.SetQueueColumns(ctx, desk.CustomerPrincipal(f.Customer), []string{"state"}); !errors.Is(err, desk.ErrForbidden) {
			t.Errorf("a customer chose columns: %v", err)
		}

		pg, err = d.QueueView(ctx, p, f.Queue.ID, desk.QueueViewRequest{Customer: f.Customer.Login, PriorityID: f.Priority.ID, Level: "1st level"})
		if err != nil || len(pg.Tickets) != 2 {
			t.Errorf("filtered by the customer: %d tickets (%v), want 2", len(pg.Tickets), err)
		}
		if pg, err = d.QueueView(ctx, p, f.Queue.ID, desk.QueueViewRequest{Customer: "nobody"}); err != nil || len(pg.Tickets) != 0 {
			t.Errorf("filtered by an unknown customer: %d tickets (%v), want none", len(pg.Tickets), err)
		}
		_, err = d.QueueView(ctx, p, f.Queue.ID, desk.QueueViewRequest{Level: "3rd level", ServiceID: -1, Customer: "a\x00b"})
		if got := fieldsOf(t, err); !slices.Equal(got, []string{"customer", "level", "service_id"}) {
			t.Errorf("bad filters: fields %v, want customer, level and service_id", got)
		}
	})
}
