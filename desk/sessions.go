package desk

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/kiz-ulm/kizdesk/models"
	"github.com/kiz-ulm/kizdesk/ticket"
)

// Logins and web sessions. A browser's session is a random token in its
// cookie; the desk keeps a record of each logged-in session (by the
// token's hash), so a logout, a new login or the agent's deactivation ends
// it for good, whatever copies of the cookie exist. Failed logins are
// counted in the database, per login and per client address, so every web
// copy refuses the same guesses.

// LoginThrottle bounds password guessing: after PerLogin failed attempts
// on one login, or PerClient from one client address, within Window, more
// attempts are refused until the oldest of them leaves the window.
type LoginThrottle struct {
	PerLogin  int
	PerClient int
	Window    time.Duration
}

// DefaultLoginThrottle is used for the zero LoginThrottle.
var DefaultLoginThrottle = LoginThrottle{PerLogin: 5, PerClient: 20, Window: 15 * time.Minute}

const (
	// maxLoginLength bounds the login field; longer is no login.
	maxLoginLength = 200
	// maxPasswordLength bounds the password field; bcrypt reads 72 bytes.
	maxPasswordLength = 1024
	// cleanupBatch is how many stale rows one write deletes by the way.
	cleanupBatch = 100
	// formStateTTL is how long a form handed back after a refusal waits
	// for the page that shows it; formStatesPerSession bounds how many.
	formStateTTL         = 15 * time.Minute
	formStatesPerSession = 20
	// touchEvery: a session's last_seen_at is written at most this often.
	touchEvery = time.Minute
)

// ThrottledError: too many failed logins; Wait is how long until the next
// attempt is taken. It says nothing about whether the login exists.
type ThrottledError struct{ Wait time.Duration }

func (e *ThrottledError) Error() string {
	return fmt.Sprintf("too many failed logins, wait %s", e.Wait.Round(time.Second))
}

// Minutes is Wait in whole minutes, rounded up: what the agent is told.
func (e *ThrottledError) Minutes() int {
	m := int((e.Wait + time.Minute - 1) / time.Minute)
	return max(m, 1)
}

// LoginRequest is a login attempt. Client is the address it comes from;
// Previous is the session token the browser had before, which the login
// replaces (and revokes, if it was a logged-in session).
type LoginRequest struct {
	Login    string
	Password string
	Client   string
	Previous string
}

// Session is a logged-in agent's web session: Token goes into the
// browser's cookie and nowhere else.
type Session struct {
	Token string
	Agent models.Agent
}

// dummyHash is compared against when a login does not exist, so that a
// wrong login takes as long as a wrong password.
var dummyHash, _ = bcrypt.GenerateFromPassword([]byte("kizdesk timing guard"), bcrypt.DefaultCost)

// Login checks an agent's password and starts a new session. Unknown
// logins and wrong passwords are one error, ErrBadLogin; a login with
// bytes no login has (invalid UTF-8, control characters, too long) is
// ErrBadLogin too, without asking the database. Past the throttle's
// limits the attempt is refused with ThrottledError before the password is
// looked at, whether it is right or not and whether the login exists.
func (d *Desk) Login(ctx context.Context, req LoginRequest) (Session, error) {
	login := strings.TrimSpace(req.Login)
	if _, bad := ticket.CheckText(login, ticket.Line, maxLoginLength); bad || login == "" || len(req.Password) > maxPasswordLength {
		return Session{}, ErrBadLogin
	}
	now, th := d.now(), d.opts.LoginThrottle
	key, client := loginKey(login), clientKey(req.Client)
	// The attempt is recorded before it is judged, so that attempts sent
	// at the same moment cannot all slip under the limit.
	id, err := models.RecordLoginAttempt(ctx, d.db, key, client, now, now.Add(-th.Window), cleanupBatch)
	if err != nil {
		return Session{}, wrapf(err, "login")
	}
	wait, err := d.throttled(ctx, key, client, id, now)
	if err != nil {
		return Session{}, wrapf(err, "login")
	}
	if wait > 0 {
		// A refused attempt tried nothing: it does not prolong the wait.
		if err := models.ForgetLoginAttempt(ctx, d.db, id); err != nil {
			return Session{}, wrapf(err, "login")
		}
		return Session{}, &ThrottledError{Wait: wait}
	}
	a, err := d.checkPassword(ctx, login, req.Password)
	if err != nil {
		return Session{}, err
	}
	if err := models.ForgetLoginAttemptsOf(ctx, d.db, key); err != nil {
		return Session{}, wrapf(err, "login %s", login)
	}
	token := NewSessionToken()
	previous := req.Previous
	if !validToken(previous) {
		previous = ""
	}
	if err := models.StartWebSession(ctx, d.db, token, previous, a.ID, now, now.Add(-d.opts.SessionLifetime), cleanupBatch); err != nil {
		return Session{}, wrapf(err, "login %s", login)
	}
	return Session{Token: token, Agent: a}, nil
}

// checkPassword returns the agent whose password this is. Local agents
// (the break-glass admin among them) are checked here and never in the
// directory; agents from the directory, and logins nobody has used yet,
// in the directory, when there is one. A deactivated agent cannot log in
// either way.
func (d *Desk) checkPassword(ctx context.Context, login, password string) (models.Agent, error) {
	a, err := models.AgentRecordByLogin(ctx, d.db, login)
	known := err == nil
	if err != nil && !errors.Is(err, models.ErrNotFound) {
		return a, wrapf(err, "login %s", login)
	}
	if known && a.Active {
		// An agent of a tenant an admin switched off is switched off too.
		var t models.Tenant
		if err := d.db.WithContext(ctx).Take(&t, a.TenantID).Error; err != nil {
			return a, wrapf(err, "login %s", login)
		}
		a.Active = t.Active
	}
	if d.opts.Directory != nil && (!known || a.Source == models.SourceLDAP) {
		if known && !a.Active {
			return models.Agent{}, ErrBadLogin
		}
		var existing *models.Agent
		if known {
			existing = &a
		}
		return d.directoryLogin(ctx, existing, login, password)
	}
	if !known || !a.Active || a.Source == models.SourceLDAP {
		_ = bcrypt.CompareHashAndPassword(dummyHash, []byte(password))
		return models.Agent{}, ErrBadLogin
	}
	if bcrypt.CompareHashAndPassword([]byte(a.PasswordHash), []byte(password)) != nil {
		return models.Agent{}, ErrBadLogin
	}
	return a, nil
}

// throttled returns how long attempts on key or from client must wait;
// 0 if this one (numbered self) may go ahead.
func (d *Desk) throttled(ctx context.Context, key, client string, self int64, now time.Time) (time.Duration, error) {
	th := d.opts.LoginThrottle
	since := now.Add(-th.Window)
	var wait time.Duration
	for _, lim := range []struct {
		column, value string
		max           int
	}{{"login_key", key, th.PerLogin}, {"client", client, th.PerClient}} {
		if lim.value == "" {
			continue
		}
		// The others' attempts, newest first: with max of them in the
		// window this one is one too many, until the max-th newest leaves.
		times, err := models.LoginAttemptTimes(ctx, d.db, lim.column, lim.value, since, self, lim.max)
		if err != nil {
			return 0, err
		}
		if len(times) >= lim.max {
			wait = max(wait, times[lim.max-1].Add(th.Window).Sub(now))
		}
	}
	return wait, nil
}

// loginKey is what the attempts on a login are counted by: a hash, so the
// table does not keep what people typed (sometimes their password).
func loginKey(login string) string {
	sum := sha256.Sum256([]byte(strings.ToLower(login)))
	return hex.EncodeToString(sum[:])
}

// clientKey is what the attempts from an address are counted by: the
// address, or for IPv6 its /64, which one client usually has whole.
func clientKey(addr string) string {
	a, err := netip.ParseAddr(strings.TrimSpace(addr))
	if err != nil {
		_, bad := ticket.CheckText(addr, ticket.Line, 64)
		if bad {
			return "invalid"
		}
		return addr
	}
	a = a.Unmap()
	if a.Is6() {
		p, _ := a.Prefix(64)
		return p.String()
	}
	return a.String()
}

// NewSessionToken returns a fresh random session token.
func NewSessionToken() string { return rand.Text() }

// validToken tells whether s looks like a session token (rand.Text: 26
// characters of base32), so anything else is refused without a query.
func validToken(s string) bool {
	if len(s) != 26 {
		return false
	}
	for _, r := range s {
		if (r < 'A' || r > 'Z') && (r < '2' || r > '7') {
			return false
		}
	}
	return true
}

// SessionAgent returns the agent of a live session: known, not revoked,
// not older than the session lifetime, and its agent still active.
// ErrNotFound otherwise.
func (d *Desk) SessionAgent(ctx context.Context, token string) (models.Agent, error) {
	if !validToken(token) {
		return models.Agent{}, fmt.Errorf("web session: %w", ErrNotFound)
	}
	now := d.now()
	a, seen, err := models.WebSessionAgent(ctx, d.db, token, now.Add(-d.opts.SessionLifetime))
	if err != nil {
		return models.Agent{}, err
	}
	if now.Sub(seen) >= touchEvery {
		if err := models.TouchWebSession(ctx, d.db, token, now); err != nil {
			return models.Agent{}, err
		}
	}
	return a, nil
}

// Logout ends the session of token for good.
func (d *Desk) Logout(ctx context.Context, token string) error {
	if !validToken(token) {
		return nil
	}
	return models.RevokeWebSession(ctx, d.db, token, d.now())
}

// SaveFormState keeps a form the web hands back after a refusal, under
// key, for the session of token, until TakeFormState takes it (or a
// quarter of an hour has passed).
func (d *Desk) SaveFormState(ctx context.Context, token, key string, data []byte) error {
	if !validToken(token) {
		return fmt.Errorf("form state: web session: %w", ErrNotFound)
	}
	now := d.now()
	return models.SaveFormState(ctx, d.db, token, key, data, now, now.Add(-formStateTTL), formStatesPerSession, cleanupBatch)
}

// TakeFormState returns the form kept under key for the session of token,
// once; nil if there is none.
func (d *Desk) TakeFormState(ctx context.Context, token, key string) ([]byte, error) {
	if !validToken(token) {
		return nil, nil
	}
	return models.TakeFormState(ctx, d.db, token, key, d.now().Add(-formStateTTL))
}
