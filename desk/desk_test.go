package desk_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"
	"gorm.io/gorm"

	"github.com/kiz-ulm/kizdesk/dbtest"
	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/models"
	"github.com/kiz-ulm/kizdesk/ticket"
)

// These tests cover what the desk decides before it talks to Temporal:
// logins, input checks and tenant separation. The end-to-end tests in the
// repository root cover the way through the workflows.

func newDesk(t *testing.T, db *gorm.DB) (*desk.Desk, dbtest.Fixture) {
	hash, _ := bcrypt.GenerateFromPassword([]byte("secret password"), bcrypt.MinCost)
	f := dbtest.Seed(t, db, string(hash))
	// Tickets in the fixture's queue that the checks of input address:
	// permissions are checked before input, so they must exist.
	for _, number := range []string{"1", "2026112710000013"} {
		row := models.Ticket{TenantID: f.Tenant.ID, Number: number, Title: "t", State: string(ticket.StateOpen), Level: models.LevelFirst,
			QueueID: f.Queue.ID, TypeID: f.Type.ID, PriorityID: f.Priority.ID, CustomerID: f.Customer.ID, Channel: "phone"}
		if err := db.Create(&row).Error; err != nil {
			t.Fatal(err)
		}
	}
	// No Temporal client: every case here must be decided before one is needed.
	return desk.New(db, nil, desk.Options{}), f
}

func TestLogin(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		d, f := newDesk(t, db)
		ctx := t.Context()
		if s, err := d.Login(ctx, desk.LoginRequest{Login: f.Agent.Login, Password: "secret password"}); err != nil || s.Agent.ID != f.Agent.ID {
			t.Fatalf("right password: %+v, %v", s, err)
		}
		for _, c := range [][2]string{{f.Agent.Login, "wrong"}, {"nobody", "secret password"}, {f.Agent.Login, ""}} {
			if _, err := d.Login(ctx, desk.LoginRequest{Login: c[0], Password: c[1]}); !errors.Is(err, desk.ErrBadLogin) {
				t.Errorf("login %q/%q: %v, want ErrBadLogin", c[0], c[1], err)
			}
		}
		db.Model(&models.Agent{}).Where("id = ?", f.Agent.ID).Update("active", false)
		if _, err := d.Login(ctx, desk.LoginRequest{Login: f.Agent.Login, Password: "secret password"}); !errors.Is(err, desk.ErrBadLogin) {
			t.Errorf("a deactivated agent logged in: %v", err)
		}
	})
}

func fieldsOf(t *testing.T, err error) []string {
	t.Helper()
	var fe desk.FieldErrors
	if !errors.As(err, &fe) {
		t.Fatalf("error %v is not FieldErrors", err)
	}
	var names []string
	for k := range fe {
		names = append(names, k)
	}
	slices.Sort(names)
	return names
}

func TestCreateTicketChecksInput(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		d, f := newDesk(t, db)
		ctx := t.Context()
		// Another tenant's catalogue must be invisible to this one's agents.
		other := models.Tenant{Slug: "hist", Name: "historic co-user"}
		db.Create(&other)
		otherQueue := models.Queue{TenantID: other.ID, Name: "Their queue", Level: models.LevelFirst}
		db.Create(&otherQueue)
		otherService := models.Service{TenantID: other.ID, Name: "Their service", QueueID: otherQueue.ID}
		db.Create(&otherService)
		otherCustomer := models.Customer{TenantID: other.ID, Login: "theirs", Name: "Their customer", Email: "t@example.org"}
		db.Create(&otherCustomer)

		valid := desk.CreateTicketRequest{CustomerLogin: f.Customer.Login, Title: "t", Body: "b",
			ServiceID: f.Service.ID, TypeID: f.Type.ID, PriorityID: f.Priority.ID}
		cases := map[string]struct {
			change func(*desk.CreateTicketRequest)
			want   string
		}{
			"nothing":                   {func(r *desk.CreateTicketRequest) { *r = desk.CreateTicketRequest{} }, "body customer priority_id queue_id title type_id"},
			"blank text":                {func(r *desk.CreateTicketRequest) { r.Title, r.Body = "  ", "\n" }, "body title"},
			"unknown customer":          {func(r *desk.CreateTicketRequest) { r.CustomerLogin = "nobody" }, "customer"},
			"other tenant's customer":   {func(r *desk.CreateTicketRequest) { r.CustomerLogin = "theirs" }, "customer"},
			"other tenant's service":    {func(r *desk.CreateTicketRequest) { r.ServiceID = otherService.ID }, "service_id"},
			"other tenant's queue":      {func(r *desk.CreateTicketRequest) { r.ServiceID, r.QueueID = 0, otherQueue.ID }, "queue_id"},
			"neither service nor queue": {func(r *desk.CreateTicketRequest) { r.ServiceID = 0 }, "queue_id"},
			"unknown type":              {func(r *desk.CreateTicketRequest) { r.TypeID = 999 }, "type_id"},
			"title too long":            {func(r *desk.CreateTicketRequest) { r.Title = strings.Repeat("x", desk.MaxTitleLength+1) }, "title"},
			"invalid UTF-8":             {func(r *desk.CreateTicketRequest) { r.Body = "\xff\xfe" }, "body"},
			"request key too long":      {func(r *desk.CreateTicketRequest) { r.RequestKey = strings.Repeat("k", 201) }, "request_key"},
		}
		for name, c := range cases {
			req := valid
			c.change(&req)
			_, err := d.CreateTicket(ctx, desk.AgentPrincipal(f.Agent), req)
			if got := strings.Join(fieldsOf(t, err), " "); got != c.want {
				t.Errorf("%s: fields %q, want %q", name, got, c.want)
			}
		}
		var n int64
		db.Model(&models.Ticket{}).Count(&n)
		var keys int64
		db.Model(&models.TicketRequest{}).Count(&keys)
		if n != 2 || keys != 0 { // the two newDesk made
			t.Errorf("rejected creates left %d tickets and %d request keys behind", n-2, keys)
		}
	})
}

func TestChangesCheckInputAndTenant(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		d, f := newDesk(t, db)
		ctx := t.Context()
		if _, err := d.AddNote(ctx, desk.AgentPrincipal(f.Agent), "2026112710000013", desk.AddNoteRequest{Kind: "e-mail", Body: ""}); strings.Join(fieldsOf(t, err), " ") != "body kind" {
			t.Errorf("bad note: %v", err)
		}
		if _, err := d.Close(ctx, desk.AgentPrincipal(f.Agent), "2026112710000013", desk.CloseRequest{State: "open"}); strings.Join(fieldsOf(t, err), " ") != "state" {
			t.Errorf("close to open: %v", err)
		}
		// A ticket of another tenant is not found, even by number.
		other := models.Tenant{Slug: "hist", Name: "historic co-user"}
		db.Create(&other)
		q := models.Queue{TenantID: other.ID, Name: "Q", Level: models.LevelFirst}
		db.Create(&q)
		c := models.Customer{TenantID: other.ID, Login: "c", Name: "C", Email: "c@example.org"}
		db.Create(&c)
		tk := models.Ticket{TenantID: other.ID, Number: "2026112710000099", Title: "theirs", State: "new", Level: models.LevelFirst,
			QueueID: q.ID, TypeID: f.Type.ID, PriorityID: f.Priority.ID, CustomerID: c.ID, Channel: "phone", LastSeq: 2}
		if err := db.Create(&tk).Error; err != nil {
			t.Fatal(err)
		}
		if _, err := d.Ticket(ctx, desk.AgentPrincipal(f.Agent), tk.Number); !errors.Is(err, desk.ErrNotFound) {
			t.Errorf("reading another tenant's ticket: %v", err)
		}
		if _, err := d.AddNote(ctx, desk.AgentPrincipal(f.Agent), tk.Number, desk.AddNoteRequest{Kind: "internal note", Body: "x"}); !errors.Is(err, desk.ErrNotFound) {
			t.Errorf("noting on another tenant's ticket: %v", err)
		}
		if _, _, err := d.QueueTickets(ctx, desk.AgentPrincipal(f.Agent), q.ID); !errors.Is(err, desk.ErrNotFound) {
			t.Errorf("listing another tenant's queue: %v", err)
		}
		counts, err := d.QueueOverview(ctx, desk.AgentPrincipal(f.Agent))
		if err != nil {
			t.Fatal(err)
		}
		for _, qc := range counts {
			if qc.TenantID != f.Tenant.ID {
				t.Errorf("the overview shows queue %q of another tenant", qc.Name)
			}
		}
	})
}
