package desk_test

import (
	"errors"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"
	"gorm.io/gorm"

	"github.com/kiz-ulm/kizdesk/dbtest"
	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/models"
)

// clock is a settable clock for the desk's logins and sessions.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func newClockedDesk(t *testing.T, db *gorm.DB) (*desk.Desk, dbtest.Fixture, *clock) {
	hash, _ := bcrypt.GenerateFromPassword([]byte("secret password"), bcrypt.MinCost)
	f := dbtest.Seed(t, db, string(hash))
	clk := &clock{now: time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)}
	return desk.New(db, nil, desk.Options{Now: clk.Now}), f, clk
}

func login(t *testing.T, d *desk.Desk, login, password, client string) (desk.Session, error) {
	t.Helper()
	return d.Login(t.Context(), desk.LoginRequest{Login: login, Password: password, Client: client})
}

func wantThrottled(t *testing.T, err error, minutes int) {
	t.Helper()
	var th *desk.ThrottledError
	if !errors.As(err, &th) {
		t.Fatalf("got %v, want a ThrottledError", err)
	}
	if th.Minutes() != minutes {
		t.Errorf("wait %d minutes, want %d", th.Minutes(), minutes)
	}
}

func TestLoginThrottle(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		d, f, clk := newClockedDesk(t, db)
		hash, _ := bcrypt.GenerateFromPassword([]byte("other password"), bcrypt.MinCost)
		other := models.Agent{TenantID: f.Tenant.ID, Login: "other", Name: "Other Agent", Email: "o@example.org",
			PasswordHash: string(hash), Active: true}
		if err := models.CreateAgent(t.Context(), db, &other); err != nil {
			t.Fatal(err)
		}

		// Five wrong passwords, a minute apart; the sixth attempt is
		// refused even with the right password, from anywhere.
		for i := range 5 {
			if _, err := login(t, d, f.Agent.Login, "guess", "192.0.2.1"); !errors.Is(err, desk.ErrBadLogin) {
				t.Fatalf("attempt %d: %v, want ErrBadLogin", i+1, err)
			}
			clk.add(time.Minute)
		}
		_, err := login(t, d, f.Agent.Login, "secret password", "192.0.2.1")
		wantThrottled(t, err, 10) // the first guess (at 0) leaves the 15-minute window at 15; it is 5
		_, err = login(t, d, " "+f.Agent.Login+" ", "secret password", "198.51.100.7")
		wantThrottled(t, err, 10)

		// An unknown login is treated the same: same error, same wait.
		for range 5 {
			if _, err := login(t, d, "nobody", "guess", "192.0.2.1"); !errors.Is(err, desk.ErrBadLogin) {
				t.Fatalf("unknown login: %v, want ErrBadLogin", err)
			}
		}
		_, err = login(t, d, "nobody", "guess", "192.0.2.1")
		wantThrottled(t, err, 15)

		// Another account from another address still logs in.
		if s, err := login(t, d, "other", "other password", "198.51.100.9"); err != nil || s.Agent.ID != other.ID {
			t.Fatalf("another agent from another address: %+v, %v", s, err)
		}

		// Once the window has passed, the right password works again.
		clk.add(15 * time.Minute)
		if s, err := login(t, d, f.Agent.Login, "secret password", "192.0.2.1"); err != nil || s.Agent.ID != f.Agent.ID {
			t.Fatalf("after the window: %+v, %v", s, err)
		}
		// A success forgets the account's failures: four more guesses
		// and the right password still gets in.
		for range 4 {
			login(t, d, f.Agent.Login, "guess", "198.51.100.7")
		}
		if _, err := login(t, d, f.Agent.Login, "secret password", "198.51.100.7"); err != nil {
			t.Fatalf("after a success and four guesses: %v", err)
		}
	})
}

func TestLoginThrottlePerClient(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		d, f, clk := newClockedDesk(t, db)
		// Twenty logins, one guess each, from one address: under the limit
		// per login, at the limit per address.
		for i := range 20 {
			if _, err := login(t, d, "user"+string(rune('a'+i)), "guess", "2001:db8:1:2::5"); !errors.Is(err, desk.ErrBadLogin) {
				t.Fatalf("guess %d: %v", i, err)
			}
		}
		// The same /64 is the same client; another /64 is not.
		_, err := login(t, d, f.Agent.Login, "secret password", "2001:db8:1:2::77")
		wantThrottled(t, err, 15)
		if _, err := login(t, d, f.Agent.Login, "secret password", "2001:db8:1:3::5"); err != nil {
			t.Fatalf("from another network: %v", err)
		}
		clk.add(15 * time.Minute)
		if _, err := login(t, d, f.Agent.Login, "secret password", "2001:db8:1:2::77"); err != nil {
			t.Fatalf("after the window: %v", err)
		}
	})
}

// TestLoginAttemptsAtOnce: guesses sent at the same moment cannot all slip
// under the limit, because each is recorded before it is judged.
func TestLoginAttemptsAtOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		d, f, _ := newClockedDesk(t, db)
		var wg sync.WaitGroup
		var mu sync.Mutex
		tried := 0
		for range 12 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := d.Login(t.Context(), desk.LoginRequest{Login: f.Agent.Login, Password: "guess", Client: "192.0.2.1"})
				if errors.Is(err, desk.ErrBadLogin) {
					mu.Lock()
					tried++
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if tried > 5 {
			t.Errorf("%d passwords were tried at once, want at most 5", tried)
		}
	})
}

func TestLoginRefusesBadBytesWithoutTheDatabase(t *testing.T) {
	db := dbtest.Open(t, "sqlite")
	d, _, _ := newClockedDesk(t, db)
	if err := models.Close(db); err != nil {
		t.Fatal(err)
	}
	for _, l := range []string{"anna\x00", "\xffanna", "an\x1bna", "an\nna", string(make([]byte, 300)), "  "} {
		if _, err := login(t, d, l, "secret password", "192.0.2.1"); !errors.Is(err, desk.ErrBadLogin) {
			t.Errorf("login %q: %v, want ErrBadLogin without asking the (closed) database", l, err)
		}
	}
}

func TestSessions(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		d, f, clk := newClockedDesk(t, db)
		ctx := t.Context()
		s1, err := login(t, d, f.Agent.Login, "secret password", "192.0.2.1")
		if err != nil {
			t.Fatal(err)
		}
		if a, err := d.SessionAgent(ctx, s1.Token); err != nil || a.ID != f.Agent.ID {
			t.Fatalf("session agent: %+v, %v", a, err)
		}
		var rows []models.WebSession
		db.Find(&rows)
		if len(rows) != 1 || rows[0].ID == s1.Token {
			t.Fatalf("sessions %+v: want one, stored by the token's hash", rows)
		}

		// A new login in the same browser replaces the session.
		s2, err := d.Login(ctx, desk.LoginRequest{Login: f.Agent.Login, Password: "secret password", Previous: s1.Token})
		if err != nil {
			t.Fatal(err)
		}
		if s2.Token == s1.Token {
			t.Fatal("a login kept the session token")
		}
		if _, err := d.SessionAgent(ctx, s1.Token); !errors.Is(err, desk.ErrNotFound) {
			t.Errorf("the replaced session: %v, want ErrNotFound", err)
		}

		// Logout ends it; forms kept for it go with it.
		if err := d.SaveFormState(ctx, s2.Token, "ticket:1", []byte(`{"x":1}`)); err != nil {
			t.Fatal(err)
		}
		if err := d.Logout(ctx, s2.Token); err != nil {
			t.Fatal(err)
		}
		if _, err := d.SessionAgent(ctx, s2.Token); !errors.Is(err, desk.ErrNotFound) {
			t.Errorf("after logout: %v, want ErrNotFound", err)
		}
		var n int64
		db.Model(&models.WebFormState{}).Count(&n)
		if n != 0 {
			t.Errorf("%d form states outlived the logout", n)
		}

		// Deactivation ends every session of the agent, for good.
		s3, _ := login(t, d, f.Agent.Login, "secret password", "192.0.2.1")
		s4, _ := login(t, d, f.Agent.Login, "secret password", "198.51.100.7")
		if err := models.SetAgentActive(ctx, db, f.Agent.ID, false, clk.Now()); err != nil {
			t.Fatal(err)
		}
		for _, s := range []desk.Session{s3, s4} {
			if _, err := d.SessionAgent(ctx, s.Token); !errors.Is(err, desk.ErrNotFound) {
				t.Errorf("session of a deactivated agent: %v, want ErrNotFound", err)
			}
		}
		if err := models.SetAgentActive(ctx, db, f.Agent.ID, true, clk.Now()); err != nil {
			t.Fatal(err)
		}
		if _, err := d.SessionAgent(ctx, s3.Token); !errors.Is(err, desk.ErrNotFound) {
			t.Errorf("reactivation revived an old session: %v", err)
		}

		// A session lasts a working day.
		s5, _ := login(t, d, f.Agent.Login, "secret password", "192.0.2.1")
		clk.add(11 * time.Hour)
		if _, err := d.SessionAgent(ctx, s5.Token); err != nil {
			t.Errorf("after 11 hours: %v", err)
		}
		clk.add(time.Hour + time.Second)
		if _, err := d.SessionAgent(ctx, s5.Token); !errors.Is(err, desk.ErrNotFound) {
			t.Errorf("after 12 hours: %v, want ErrNotFound", err)
		}

		for _, bad := range []string{"", "not a token", "AAAAAAAAAAAAAAAAAAAAAAAAA\x00"} {
			if _, err := d.SessionAgent(ctx, bad); !errors.Is(err, desk.ErrNotFound) {
				t.Errorf("token %q: %v", bad, err)
			}
		}
	})
}

func TestFormStates(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		d, f, clk := newClockedDesk(t, db)
		ctx := t.Context()
		s, err := login(t, d, f.Agent.Login, "secret password", "192.0.2.1")
		if err != nil {
			t.Fatal(err)
		}
		big := make([]byte, 200_000)
		for i := range big {
			big[i] = 'a' + byte(i%26)
		}
		if err := d.SaveFormState(ctx, s.Token, "ticket:1", big); err != nil {
			t.Fatal(err)
		}
		if err := d.SaveFormState(ctx, s.Token, "ticket:2", []byte("two")); err != nil {
			t.Fatal(err)
		}
		if got, err := d.TakeFormState(ctx, s.Token, "ticket:1"); err != nil || string(got) != string(big) {
			t.Fatalf("take: %d bytes, %v", len(got), err)
		}
		if got, err := d.TakeFormState(ctx, s.Token, "ticket:1"); err != nil || got != nil {
			t.Fatalf("second take: %q, %v; want nothing", got, err)
		}
		// Saving again replaces; an old form is not shown any more.
		d.SaveFormState(ctx, s.Token, "ticket:2", []byte("two again"))
		clk.add(16 * time.Minute)
		if got, err := d.TakeFormState(ctx, s.Token, "ticket:2"); err != nil || got != nil {
			t.Fatalf("a form a quarter of an hour old: %q, %v; want nothing", got, err)
		}
		// A session keeps at most 20 forms.
		for i := range 25 {
			clk.add(time.Second)
			d.SaveFormState(ctx, s.Token, "ticket:"+string(rune('a'+i)), []byte("x"))
		}
		var n int64
		db.Model(&models.WebFormState{}).Count(&n)
		if n != 20 {
			t.Errorf("%d forms kept, want 20", n)
		}
		if got, _ := d.TakeFormState(ctx, s.Token, "ticket:y"); string(got) != "x" {
			t.Errorf("the newest form was dropped")
		}
	})
}
