package desk_test

import (
	"errors"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"
	"gorm.io/gorm"

	"github.com/kiz-ulm/kizdesk/dbtest"
	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/i18n"
	"github.com/kiz-ulm/kizdesk/mailin"
	"github.com/kiz-ulm/kizdesk/models"
	"github.com/kiz-ulm/kizdesk/outbox"
	"github.com/kiz-ulm/kizdesk/ticket"
)

// The portal's reads and logins against a real database: who sees which
// ticket, which articles, and for how long. Creating, answering and
// closing through the workflows is in the root package (portal_e2e_test.go).

// portalWorld is a tenant with two customers of one company, a third
// customer outside it, and tickets of each in the states that matter.
type portalWorld struct {
	d                   *desk.Desk
	f                   dbtest.Fixture
	now                 *time.Time
	mine                models.Customer // f.Customer, with a portal password
	colleague, stranger models.Customer
	company             models.CustomerCompany
	// Tickets by what they are.
	open, recent, old, colleagues, strangers models.Ticket
}

const portalPassword = "portal password"

func newPortalWorld(t *testing.T, db *gorm.DB) *portalWorld {
	t.Helper()
	hash, _ := bcrypt.GenerateFromPassword([]byte(portalPassword), bcrypt.MinCost)
	agentHash, _ := bcrypt.GenerateFromPassword([]byte("secret password"), bcrypt.MinCost)
	w := &portalWorld{f: dbtest.Seed(t, db, string(agentHash))}
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	w.now = &now
	w.d = desk.New(db, nil, desk.Options{Now: func() time.Time { return *w.now }})
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	w.company = models.CustomerCompany{TenantID: w.f.Tenant.ID, Name: "Institut für Optik", Active: true}
	must(db.Create(&w.company).Error)
	w.mine = w.f.Customer
	must(db.Model(&models.Customer{}).Where("id = ?", w.mine.ID).
		Updates(map[string]any{"password_hash": string(hash), "company_id": w.company.ID}).Error)
	w.colleague = models.Customer{TenantID: w.f.Tenant.ID, Login: "kollegin", Name: "Kollegin", CompanyID: &w.company.ID, Active: true}
	w.stranger = models.Customer{TenantID: w.f.Tenant.ID, Login: "fremd", Name: "Fremd", Active: true, PasswordHash: string(hash)}
	must(db.Create(&w.colleague).Error)
	must(db.Create(&w.stranger).Error)
	seq := 0
	ticketOf := func(c models.Customer, title string, state ticket.State, closedDaysAgo int) models.Ticket {
		seq++
		tk := models.Ticket{TenantID: w.f.Tenant.ID, Number: "202612011000" + string(rune('0'+seq/10)) + string(rune('0'+seq%10)) + "01",
			Title: title, State: string(state), Level: models.LevelFirst, QueueID: w.f.Queue.ID, TypeID: w.f.Type.ID,
			PriorityID: w.f.Priority.ID, CustomerID: c.ID, Channel: "portal", CreatedAt: now.AddDate(0, -6, 0), UpdatedAt: now}
		if state.Closed() {
			at := now.AddDate(0, 0, -closedDaysAgo)
			tk.ClosedAt = &at
		}
		must(db.Create(&tk).Error)
		for i, a := range []models.Article{
			{Kind: string(ticket.ArticleCustomer), CustomerVisible: true, Author: c.Name, Subject: title, Body: "Bitte helfen."},
			{Kind: string(ticket.ArticleInternalNote), CustomerVisible: false, Author: "Agent", Body: "INTERNAL: Kunde nervt."},
			{Kind: string(ticket.ArticleReply), CustomerVisible: true, Author: "Agent", Body: "Bitte neu starten."},
		} {
			a.TicketID, a.Seq, a.CreatedAt = tk.ID, i+1, now
			must(db.Create(&a).Error)
		}
		return tk
	}
	w.open = ticketOf(w.mine, "Drucker offen", ticket.StateOpen, 0)
	w.recent = ticketOf(w.mine, "Drucker vor 10 Tagen gelöst", ticket.StateClosedSuccessful, 10)
	w.old = ticketOf(w.mine, "Drucker vor 100 Tagen gelöst", ticket.StateClosedSuccessful, 100)
	w.colleagues = ticketOf(w.colleague, "Beamer der Kollegin", ticket.StatePendingReminder, 0)
	w.strangers = ticketOf(w.stranger, "Fremdes Ticket", ticket.StateOpen, 0)
	return w
}

func portalNumbers(rows []models.TicketRow) []string {
	var out []string
	for _, r := range rows {
		out = append(out, r.Number)
	}
	return out
}

func TestPortalLoginAndSessions(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		w := newPortalWorld(t, db)
		ctx := t.Context()
		s, err := w.d.PortalLogin(ctx, desk.LoginRequest{Login: w.mine.Login, Password: portalPassword, Client: "192.0.2.1"})
		if err != nil || s.Customer.ID != w.mine.ID {
			t.Fatalf("right password: %+v, %v", s, err)
		}
		if c, err := w.d.SessionCustomer(ctx, s.Token); err != nil || c.ID != w.mine.ID {
			t.Fatalf("session: %+v, %v", c, err)
		}
		// A customer's session is no agent's, an agent's no customer's.
		if _, err := w.d.SessionAgent(ctx, s.Token); !errors.Is(err, desk.ErrNotFound) {
			t.Errorf("a customer's token as an agent's: %v", err)
		}
		as, err := w.d.Login(ctx, desk.LoginRequest{Login: w.f.Agent.Login, Password: "secret password"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.d.SessionCustomer(ctx, as.Token); !errors.Is(err, desk.ErrNotFound) {
			t.Errorf("an agent's token as a customer's: %v", err)
		}
		// Agents, unknown logins, wrong passwords, customers without a
		// password: one error.
		for _, c := range [][2]string{{w.f.Agent.Login, "secret password"}, {w.mine.Login, "wrong"}, {"nobody", portalPassword},
			{w.colleague.Login, ""}, {w.colleague.Login, portalPassword}} {
			if _, err := w.d.PortalLogin(ctx, desk.LoginRequest{Login: c[0], Password: c[1], Client: "192.0.2.2"}); !errors.Is(err, desk.ErrBadLogin) {
				t.Errorf("portal login %q/%q: %v, want ErrBadLogin", c[0], c[1], err)
			}
		}
		// The session lasts a working day.
		*w.now = w.now.Add(13 * time.Hour)
		if _, err := w.d.SessionCustomer(ctx, s.Token); !errors.Is(err, desk.ErrNotFound) {
			t.Errorf("a session of yesterday: %v", err)
		}
		s, err = w.d.PortalLogin(ctx, desk.LoginRequest{Login: w.mine.Login, Password: portalPassword, Previous: s.Token})
		if err != nil {
			t.Fatal(err)
		}
		if err := w.d.PortalLogout(ctx, s.Token); err != nil {
			t.Fatal(err)
		}
		if _, err := w.d.SessionCustomer(ctx, s.Token); !errors.Is(err, desk.ErrNotFound) {
			t.Errorf("a session after logout: %v", err)
		}
		// A deactivated customer cannot log in, and their sessions end.
		s, _ = w.d.PortalLogin(ctx, desk.LoginRequest{Login: w.mine.Login, Password: portalPassword})
		db.Model(&models.Customer{}).Where("id = ?", w.mine.ID).Update("active", false)
		if _, err := w.d.PortalLogin(ctx, desk.LoginRequest{Login: w.mine.Login, Password: portalPassword}); !errors.Is(err, desk.ErrBadLogin) {
			t.Errorf("a deactivated customer logged in: %v", err)
		}
		if _, err := w.d.SessionCustomer(ctx, s.Token); !errors.Is(err, desk.ErrNotFound) {
			t.Errorf("a deactivated customer's session: %v", err)
		}
		// Guessing is throttled as for agents.
		var throttled *desk.ThrottledError
		for i := 0; i < 6; i++ {
			_, err = w.d.PortalLogin(ctx, desk.LoginRequest{Login: w.stranger.Login, Password: "guess", Client: "198.51.100.7"})
		}
		if !errors.As(err, &throttled) {
			t.Errorf("the sixth wrong password in a row: %v, want throttled", err)
		}
	})
}

func TestPortalSeesOwnTicketsOnly(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		w := newPortalWorld(t, db)
		ctx := t.Context()
		me := desk.CustomerPrincipal(w.mine)
		list, err := w.d.PortalTickets(ctx, me)
		if err != nil {
			t.Fatal(err)
		}
		if got := portalNumbers(list.Open); len(got) != 1 || got[0] != w.open.Number {
			t.Errorf("open: %v, want only %s", got, w.open.Number)
		}
		// The closed ticket of 100 days ago is past the 90-day window.
		if got := portalNumbers(list.Closed); len(got) != 1 || got[0] != w.recent.Number {
			t.Errorf("closed: %v, want only %s", got, w.recent.Number)
		}
		if list.Company || list.ReadingDays != 90 {
			t.Errorf("list: company %v, reading days %d", list.Company, list.ReadingDays)
		}
		d, err := w.d.PortalTicket(ctx, me, w.open.Number)
		if err != nil {
			t.Fatal(err)
		}
		if len(d.Articles) != 2 || !d.Own {
			t.Errorf("articles: %+v, own %v; want the customer's message and the reply", d.Articles, d.Own)
		}
		for _, a := range d.Articles {
			if !a.CustomerVisible || a.Kind == string(ticket.ArticleInternalNote) || a.Body == "INTERNAL: Kunde nervt." {
				t.Errorf("the portal shows an internal article: %+v", a)
			}
		}
		for name, number := range map[string]string{"a stranger's": w.strangers.Number, "a colleague's": w.colleagues.Number,
			"an old closed": w.old.Number, "an unknown": "2026120199999901"} {
			if _, err := w.d.PortalTicket(ctx, me, number); !errors.Is(err, desk.ErrNotFound) {
				t.Errorf("%s ticket: %v, want not found", name, err)
			}
			if _, err := w.d.PortalReply(ctx, me, number, desk.PortalReplyRequest{Body: "x"}); !errors.Is(err, desk.ErrNotFound) {
				t.Errorf("replying to %s ticket: %v, want not found", name, err)
			}
			if _, err := w.d.PortalClose(ctx, me, number, desk.PortalCloseRequest{}); !errors.Is(err, desk.ErrNotFound) {
				t.Errorf("closing %s ticket: %v, want not found", name, err)
			}
		}
		// Agents and integrations have no portal.
		if _, err := w.d.PortalTickets(ctx, desk.AgentPrincipal(w.f.Agent)); !errors.Is(err, desk.ErrForbidden) {
			t.Errorf("an agent's portal list: %v, want forbidden", err)
		}
		if _, err := w.d.PortalTicket(ctx, desk.AgentPrincipal(w.f.Agent), w.open.Number); !errors.Is(err, desk.ErrForbidden) {
			t.Errorf("an agent's portal ticket: %v, want forbidden", err)
		}
	})
}

func TestPortalReadingWindow(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		w := newPortalWorld(t, db)
		ctx := t.Context()
		me := desk.CustomerPrincipal(w.mine)
		d, err := w.d.PortalTicket(ctx, me, w.recent.Number)
		if err != nil {
			t.Fatal(err)
		}
		if want := w.recent.ClosedAt.AddDate(0, 0, 90); !d.ReadableUntil.Equal(want) {
			t.Errorf("readable until %s, want %s", d.ReadableUntil, want)
		}
		// 80 days on, the ticket closed 10 days ago is exactly 90 days old:
		// still readable; a second later it is gone.
		*w.now = w.now.AddDate(0, 0, 80)
		if _, err := w.d.PortalTicket(ctx, me, w.recent.Number); err != nil {
			t.Errorf("on its last day: %v", err)
		}
		*w.now = w.now.Add(time.Second)
		if _, err := w.d.PortalTicket(ctx, me, w.recent.Number); !errors.Is(err, desk.ErrNotFound) {
			t.Errorf("after the window: %v, want not found", err)
		}
		list, err := w.d.PortalTickets(ctx, me)
		if err != nil || len(list.Closed) != 0 || len(list.Open) != 1 {
			t.Errorf("after the window: closed %v, open %v, %v", portalNumbers(list.Closed), portalNumbers(list.Open), err)
		}
		// The open ticket stays, however old. The tenant's admin widens the
		// window: the old tickets come back.
		if err := db.Create(&models.RetentionPolicy{TenantID: w.f.Tenant.ID, PortalRead: 365, AnonymiseMode: models.AnonymisePseudonymise}).Error; err != nil {
			t.Fatal(err)
		}
		list, err = w.d.PortalTickets(ctx, me)
		if err != nil || len(list.Closed) != 2 || list.ReadingDays != 365 {
			t.Errorf("a year's window: closed %v, days %d, %v", portalNumbers(list.Closed), list.ReadingDays, err)
		}
	})
}

func TestPortalCompanyView(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		w := newPortalWorld(t, db)
		ctx := t.Context()
		if err := db.Model(&models.Customer{}).Where("id = ?", w.mine.ID).Update("company_view", true).Error; err != nil {
			t.Fatal(err)
		}
		me := desk.CustomerPrincipal(w.mine)
		list, err := w.d.PortalTickets(ctx, me)
		if err != nil {
			t.Fatal(err)
		}
		got := portalNumbers(list.Open)
		if !list.Company || len(got) != 2 {
			t.Fatalf("company view: open %v, company %v; want mine and the colleague's", got, list.Company)
		}
		for _, n := range got {
			if n == w.strangers.Number {
				t.Errorf("the company view shows a stranger's ticket")
			}
		}
		d, err := w.d.PortalTicket(ctx, me, w.colleagues.Number)
		if err != nil || d.Own {
			t.Fatalf("the colleague's ticket: own %v, %v; want readable, not own", d.Own, err)
		}
		for _, a := range d.Articles {
			if !a.CustomerVisible {
				t.Errorf("the company view shows an internal article: %+v", a)
			}
		}
		// Readable, not answerable: the colleague speaks for themselves.
		if _, err := w.d.PortalReply(ctx, me, w.colleagues.Number, desk.PortalReplyRequest{Body: "x"}); !errors.Is(err, desk.ErrForbidden) {
			t.Errorf("replying to the colleague's ticket: %v, want forbidden", err)
		}
		if _, err := w.d.PortalClose(ctx, me, w.colleagues.Number, desk.PortalCloseRequest{}); !errors.Is(err, desk.ErrForbidden) {
			t.Errorf("closing the colleague's ticket: %v, want forbidden", err)
		}
		// Without the flag, the colleague's ticket is gone again.
		db.Model(&models.Customer{}).Where("id = ?", w.mine.ID).Update("company_view", false)
		if _, err := w.d.PortalTicket(ctx, me, w.colleagues.Number); !errors.Is(err, desk.ErrNotFound) {
			t.Errorf("the colleague's ticket without company view: %v", err)
		}
	})
}

func TestPortalChoicesAndCreateChecks(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		w := newPortalWorld(t, db)
		ctx := t.Context()
		me := desk.CustomerPrincipal(w.mine)
		ch, err := w.d.PortalChoices(ctx, me, "en")
		if err != nil || len(ch.Services) != 0 {
			t.Fatalf("no service has a portal description yet: %+v, %v", ch.Services, err)
		}
		if _, err := w.d.PortalCreate(ctx, me, desk.PortalCreateRequest{ServiceID: w.f.Service.ID, TypeID: w.f.Type.ID,
			Urgency: desk.UrgencyNormal, Title: "t", Body: "b"}); !hasField(err, "service_id") {
			t.Errorf("a service not offered: %v, want a field error on service_id", err)
		}
		db.Model(&models.Service{}).Where("id = ?", w.f.Service.ID).
			Updates(map[string]any{"portal_description_de": "Drucken", "portal_description_en": "Printing"})
		for lang, want := range map[string]string{"de": "Drucken", "en": "Printing"} {
			ch, err := w.d.PortalChoices(ctx, me, lang)
			if err != nil || len(ch.Services) != 1 || ch.Services[0].Description != want || len(ch.Urgencies) != 3 {
				t.Errorf("%s choices: %+v, %v", lang, ch, err)
			}
		}
		// What the form lacks is said before the desk asks Temporal (this
		// desk has no Temporal client at all).
		_, err = w.d.PortalCreate(ctx, me, desk.PortalCreateRequest{ServiceID: w.f.Service.ID, Urgency: "very", Title: "", Body: "b\x00"})
		for _, field := range []string{"urgency", "title", "body", "type_id"} {
			if !hasField(err, field) {
				t.Errorf("field %s not refused: %v", field, err)
			}
		}
		if _, err := w.d.PortalCreate(ctx, desk.AgentPrincipal(w.f.Agent), desk.PortalCreateRequest{}); !errors.Is(err, desk.ErrForbidden) {
			t.Errorf("an agent creating through the portal: %v", err)
		}
	})
}

func hasField(err error, field string) bool {
	var fe desk.FieldErrors
	if !errors.As(err, &fe) {
		return false
	}
	_, ok := fe[field]
	return ok
}

func TestPortalPasswordReset(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		w := newPortalWorld(t, db)
		ctx := t.Context()
		cat, err := i18n.New()
		if err != nil {
			t.Fatal(err)
		}
		d := desk.New(db, nil, desk.Options{Now: func() time.Time { return *w.now }, MailOut: &outbox.Config{
			From: mailin.Address{Email: "helpdesk@kiz.example"}, Domain: "kiz.example", BaseURL: "https://desk.example/", Texts: cat}})
		db.Model(&models.Customer{}).Where("id = ?", w.mine.ID).Updates(map[string]any{"email": "mine@uni-ulm.example", "language": "en"})
		db.Model(&models.Customer{}).Where("id = ?", w.colleague.ID).Updates(map[string]any{"email": "kollegin@uni-ulm.example", "source": models.SourceLDAP})
		linkRE := regexp.MustCompile(`https://desk\.example/portal/password-reset/([A-Z2-7]{26})`)
		links := func() []string {
			t.Helper()
			var ms []models.MailMessage
			if err := db.Where("kind = ?", models.OutPasswordReset).Order("id").Find(&ms).Error; err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, m := range ms {
				raw := strings.ReplaceAll(string(m.Raw), "=\r\n", "")
				if m.Recipients != "mine@uni-ulm.example" {
					t.Errorf("a reset link went to %s", m.Recipients)
				}
				if match := linkRE.FindStringSubmatch(raw); match != nil {
					out = append(out, match[1])
				}
			}
			return out
		}
		// Unknown logins, kiz accounts and customers without an address
		// get nothing; the answer is the same.
		for _, login := range []string{"nobody", w.colleague.Login, w.stranger.Login} {
			if err := d.RequestPasswordReset(ctx, login, "192.0.2.9"); err != nil {
				t.Errorf("reset for %s: %v", login, err)
			}
		}
		if got := links(); len(got) != 0 {
			t.Fatalf("links sent: %v", got)
		}
		if err := d.RequestPasswordReset(ctx, w.mine.Login, "192.0.2.9"); err != nil {
			t.Fatal(err)
		}
		got := links()
		if len(got) != 1 {
			t.Fatalf("links sent: %v, want one", got)
		}
		token := got[0]
		if err := d.CheckPasswordReset(ctx, token); err != nil {
			t.Fatalf("a fresh link: %v", err)
		}
		s, err := d.PortalLogin(ctx, desk.LoginRequest{Login: w.mine.Login, Password: portalPassword})
		if err != nil {
			t.Fatal(err)
		}
		if err := d.ResetPassword(ctx, token, "short"); !hasField(err, "password") {
			t.Errorf("a short password: %v", err)
		}
		if err := d.ResetPassword(ctx, token, "a brand new password"); err != nil {
			t.Fatalf("reset: %v", err)
		}
		if _, err := d.SessionCustomer(ctx, s.Token); !errors.Is(err, desk.ErrNotFound) {
			t.Errorf("a session from before the reset: %v", err)
		}
		if _, err := d.PortalLogin(ctx, desk.LoginRequest{Login: w.mine.Login, Password: "a brand new password"}); err != nil {
			t.Errorf("the new password: %v", err)
		}
		if _, err := d.PortalLogin(ctx, desk.LoginRequest{Login: w.mine.Login, Password: portalPassword}); !errors.Is(err, desk.ErrBadLogin) {
			t.Errorf("the old password: %v", err)
		}
		if err := d.ResetPassword(ctx, token, "yet another password"); !errors.Is(err, desk.ErrNotFound) {
			t.Errorf("a used link: %v, want not found", err)
		}
		// A link works for an hour.
		if err := d.RequestPasswordReset(ctx, w.mine.Login, "192.0.2.9"); err != nil {
			t.Fatal(err)
		}
		got = links()
		*w.now = w.now.Add(61 * time.Minute)
		if err := d.ResetPassword(ctx, got[len(got)-1], "too late a password"); !errors.Is(err, desk.ErrNotFound) {
			t.Errorf("a link of an hour ago: %v, want not found", err)
		}
	})
}

// TestPortalAdminSettings: an admin gives a local customer a portal
// password and the company view, a service its portal descriptions, the
// tenant its reading window — and the portal follows.
func TestPortalAdminSettings(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		w := newPortalWorld(t, db)
		ctx := t.Context()
		dbtest.Grant(t, db, w.f.Agent, models.AdminRole)
		admin := desk.AgentPrincipal(w.f.Agent)
		id := func(v int64) []string { return []string{strconv.FormatInt(v, 10)} }
		if _, err := w.d.AdminSave(ctx, admin, "customers", w.stranger.ID, desk.AdminValues{"login": {w.stranger.Login}, "name": {"Fremd"},
			"company_id": id(w.company.ID), "company_view": {"true"}, "active": {"true"}, "password": {"short"}}); !hasField(err, "password") {
			t.Errorf("a short portal password: %v", err)
		}
		if _, err := w.d.AdminSave(ctx, admin, "customers", w.stranger.ID, desk.AdminValues{"login": {w.stranger.Login}, "name": {"Fremd"},
			"company_id": id(w.company.ID), "company_view": {"true"}, "active": {"true"}, "password": {"a portal password"}}); err != nil {
			t.Fatal(err)
		}
		s, err := w.d.PortalLogin(ctx, desk.LoginRequest{Login: w.stranger.Login, Password: "a portal password"})
		if err != nil {
			t.Fatalf("the password the admin set: %v", err)
		}
		list, err := w.d.PortalTickets(ctx, desk.CustomerPrincipal(s.Customer))
		if err != nil || !list.Company || len(list.Open) != 3 {
			t.Errorf("the company view the admin set: %d open, company %v, %v", len(list.Open), list.Company, err)
		}
		// Saving without a password keeps it.
		if _, err := w.d.AdminSave(ctx, admin, "customers", w.stranger.ID, desk.AdminValues{"login": {w.stranger.Login}, "name": {"Fremd"},
			"active": {"true"}}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.d.PortalLogin(ctx, desk.LoginRequest{Login: w.stranger.Login, Password: "a portal password"}); err != nil {
			t.Errorf("the password after a save without one: %v", err)
		}
		if _, err := w.d.AdminSave(ctx, admin, "services", w.f.Service.ID, desk.AdminValues{"name": {w.f.Service.Name},
			"queue_id": id(w.f.Queue.ID), "portal_description_de": {"Drucken im Büro"}, "active": {"true"}}); err != nil {
			t.Fatal(err)
		}
		ch, err := w.d.PortalChoices(ctx, desk.CustomerPrincipal(w.mine), "en")
		if err != nil || len(ch.Services) != 1 || ch.Services[0].Description != "Drucken im Büro" {
			t.Errorf("the service the admin described (German only, read in English): %+v, %v", ch.Services, err)
		}
		// The reading window is the tenant's retention policy's.
		if _, err := w.d.AdminSave(ctx, admin, "retention-policies", 0, desk.AdminValues{"portal_read": {"5"},
			"archive_after": {"0"}, "anonymise_after": {"0"}, "anonymise_mode": {models.AnonymisePseudonymise}}); err != nil {
			t.Fatal(err)
		}
		if list, err := w.d.PortalTickets(ctx, desk.CustomerPrincipal(w.mine)); err != nil || list.ReadingDays != 5 || len(list.Closed) != 0 {
			t.Errorf("a 5-day window: %d days, closed %v, %v", list.ReadingDays, portalNumbers(list.Closed), err)
		}
	})
}
