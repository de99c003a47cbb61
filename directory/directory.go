// Package directory looks up and authenticates kiz accounts in LDAP.
//
// The kiz directory holds everyone the service desk deals with: customers
// who open tickets and agents who work them. kizdesk reads it and never
// writes it. Use:
//
//	d, err := directory.New(directory.Config{
//		URLs:   []string{"ldaps://ldap1.example:636", "ldaps://ldap2.example:636"},
//		BindDN: "cn=kizdesk,ou=services,dc=example", BindPassword: "…",
//		BaseDN: "ou=people,dc=example", UserFilter: "(!(employeeType=disabled))",
//		GroupBaseDN: "ou=groups,dc=example",
//	})
//	p, err := d.Authenticate(ctx, login, password) // login form
//	p, err = d.Lookup(ctx, login)                  // who is this agent?
//	ps, err := d.Search(ctx, "müll", 10)           // phone-ticket form
//
// Why it is built this way:
//
//   - A fresh connection per call. Logins and customer look-ups are rare
//     next to ticket traffic, and a pool would have to notice servers that
//     died, rebinds and half-closed TCP connections; a new connection costs
//     one round trip more and is always in a known state.
//   - Search as a service account, then bind as the entry's DN. Users log in
//     with their login name, not a DN; the DN we bind with is the one the
//     server returned, so user input never becomes a DN. Every value that
//     goes into a filter passes ldap.EscapeFilter. Groups are read as the
//     service account again, so what a user may read does not matter.
//   - One error for every failed login (ErrBadLogin): unknown login, wrong
//     password, empty password, disabled account and ambiguous login look the
//     same, so the login form cannot be used to find out who has an account.
//     An empty password is refused before any traffic: LDAP servers treat a
//     simple bind with a DN and no password as an anonymous bind and answer
//     "success" (RFC 4513 5.1.2), which would log anybody in.
//   - Fail-over in the order of Config.URLs. A server that cannot be reached,
//     fails TLS, stays silent or fails an operation (busy, rejects the
//     service account, …) is given up and the next one is asked; a silent
//     server costs one Config.Timeout. A definite answer about the account
//     (no such login, wrong password) is final, since replicas hold the
//     same data and asking on would only double the password guesses.
//   - TLS is verified (CAFile or the system roots, TLS 1.2 at least) and
//     never skipped. Plain ldap:// without StartTLS sends passwords in the
//     clear; it is accepted for loopback and tests, use ldaps:// or StartTLS
//     anywhere else.
//   - UserFilter decides who is a usable account: an entry it excludes
//     cannot log in, is not found by Lookup and is not offered by Search.
package directory

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/go-ldap/ldap/v3"
)

var (
	// ErrBadLogin is every failed login: unknown or excluded account, wrong
	// or empty password, malformed login. Deliberately one error.
	ErrBadLogin = errors.New("directory: unknown login or wrong password")
	// ErrNotFound: Lookup found no usable account with that login.
	ErrNotFound = errors.New("directory: no such account")
	// ErrUnavailable: no server gave an answer. The returned error wraps it
	// together with each server's own error.
	ErrUnavailable = errors.New("directory: no LDAP server available")
)

// Config says where the directory is and how kiz accounts look in it.
type Config struct {
	URLs         []string // ldap://host:389 or ldaps://host:636, tried in order
	StartTLS     bool     // upgrade ldap:// connections with StartTLS; failure to upgrade is a server failure
	CAFile       string   // PEM CA bundle to verify servers; empty: system roots
	ServerName   string   // TLS server name to verify instead of the URL's host
	BindDN       string   // service account for searches; empty: anonymous searches
	BindPassword string
	BaseDN       string // where accounts are, e.g. ou=people,dc=uni-ulm,dc=de
	// UserFilter is ANDed to every account search, e.g.
	// "(&(objectClass=inetOrgPerson)(!(employeeType=disabled)))".
	UserFilter     string
	LoginAttr      string // default uid
	NameAttr       string // default cn
	MailAttr       string // default mail
	PhoneAttr      string // default telephoneNumber
	DepartmentAttr string // default ou
	GroupBaseDN    string // where groups are; empty: Person.Groups stays empty
	// GroupFilter finds an account's groups; {dn} and {login} are replaced
	// by the account's DN and login as the server returned them, escaped.
	GroupFilter   string
	GroupNameAttr string // default cn
	// Timeout bounds, per server, the dial (with TLS handshake) and each
	// LDAP operation. Default 5s.
	Timeout time.Duration
}

// Person is a kiz account as kizdesk needs it.
type Person struct {
	DN         string
	Login      string
	Name       string
	Mail       string
	Phone      string
	Department string
	Groups     []string // group names (GroupNameAttr), sorted
}

// DefaultGroupFilter covers groupOfNames, groupOfUniqueNames and posixGroup.
const DefaultGroupFilter = "(|(member={dn})(uniqueMember={dn})(memberUid={login}))"

const (
	defaultTimeout     = 5 * time.Second
	maxLoginLen        = 256
	defaultSearchLimit = 25
)

// Directory is safe for concurrent use; it holds no connection.
type Directory struct {
	cfg     Config
	servers []server
	attrs   []string
}

type server struct {
	url      string
	startTLS bool        // StartTLS on this (ldap://) server
	tls      *tls.Config // nil for plain ldap:// without StartTLS
}

// New checks cfg and fills in defaults. It does not contact any server, so
// kizdesk starts even while the directory is down.
func New(cfg Config) (*Directory, error) {
	if len(cfg.URLs) == 0 {
		return nil, errors.New("directory: no LDAP URL configured")
	}
	if cfg.BaseDN == "" {
		return nil, errors.New("directory: no base DN configured")
	}
	if _, err := ldap.ParseDN(cfg.BaseDN); err != nil {
		return nil, fmt.Errorf("directory: base DN %q: %w", cfg.BaseDN, err)
	}
	if cfg.GroupBaseDN != "" {
		if _, err := ldap.ParseDN(cfg.GroupBaseDN); err != nil {
			return nil, fmt.Errorf("directory: group base DN %q: %w", cfg.GroupBaseDN, err)
		}
	}
	if cfg.BindDN == "" && cfg.BindPassword != "" {
		return nil, errors.New("directory: bind password set without bind DN")
	}
	if cfg.BindDN != "" && cfg.BindPassword == "" {
		// Would be an anonymous bind that the server reports as success.
		return nil, errors.New("directory: bind DN set without bind password")
	}
	def := func(s *string, v string) {
		if *s == "" {
			*s = v
		}
	}
	def(&cfg.LoginAttr, "uid")
	def(&cfg.NameAttr, "cn")
	def(&cfg.MailAttr, "mail")
	def(&cfg.PhoneAttr, "telephoneNumber")
	def(&cfg.DepartmentAttr, "ou")
	def(&cfg.GroupFilter, DefaultGroupFilter)
	def(&cfg.GroupNameAttr, "cn")
	if cfg.Timeout <= 0 {
		cfg.Timeout = defaultTimeout
	}
	// Compile the filters with sample values now, so a typo in the
	// configuration is reported at start and not as a failed login.
	if cfg.UserFilter != "" {
		if _, err := ldap.CompileFilter(cfg.UserFilter); err != nil {
			return nil, fmt.Errorf("directory: user filter %q: %w", cfg.UserFilter, err)
		}
	}
	if _, err := ldap.CompileFilter(groupFilter(cfg.GroupFilter, "cn=x", "x")); err != nil {
		return nil, fmt.Errorf("directory: group filter %q: %w", cfg.GroupFilter, err)
	}

	var roots *x509.CertPool
	if cfg.CAFile != "" {
		pem, err := os.ReadFile(cfg.CAFile)
		if err != nil {
			return nil, fmt.Errorf("directory: CA file: %w", err)
		}
		roots = x509.NewCertPool()
		if !roots.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("directory: CA file %s: no PEM certificate in it", cfg.CAFile)
		}
	}

	d := &Directory{cfg: cfg}
	for _, raw := range cfg.URLs {
		u, err := url.Parse(raw)
		if err != nil {
			return nil, fmt.Errorf("directory: LDAP URL %q: %w", raw, err)
		}
		s := server{url: raw}
		switch u.Scheme {
		case "ldap":
			s.startTLS = cfg.StartTLS
		case "ldaps":
		default:
			return nil, fmt.Errorf("directory: LDAP URL %q: scheme must be ldap or ldaps", raw)
		}
		if u.Hostname() == "" {
			return nil, fmt.Errorf("directory: LDAP URL %q: no host", raw)
		}
		if u.Scheme == "ldaps" || s.startTLS {
			name := cfg.ServerName
			if name == "" {
				name = u.Hostname()
			}
			s.tls = &tls.Config{MinVersion: tls.VersionTLS12, RootCAs: roots, ServerName: name}
		}
		d.servers = append(d.servers, s)
	}
	d.attrs = []string{cfg.LoginAttr, cfg.NameAttr, cfg.MailAttr, cfg.PhoneAttr, cfg.DepartmentAttr}
	return d, nil
}

// Authenticate checks login and password and returns the account.
// Failures are ErrBadLogin, ErrUnavailable or the context's error.
func (d *Directory) Authenticate(ctx context.Context, login, password string) (Person, error) {
	if !validInput(login) || password == "" {
		return Person{}, ErrBadLogin
	}
	var p Person
	err := d.each(ctx, func(c *ldap.Conn) error {
		entry, err := d.findOne(c, login)
		if err != nil {
			return err
		}
		if entry == nil {
			return ErrBadLogin
		}
		if err := c.Bind(entry.DN, password); err != nil {
			if ldap.IsErrorWithCode(err, ldap.LDAPResultInvalidCredentials) {
				return ErrBadLogin
			}
			return err
		}
		// Back to the service account: what the user may read of the
		// groups is not ours to depend on.
		if err := d.bindService(c); err != nil {
			return err
		}
		p, err = d.person(c, entry)
		return err
	})
	return p, err
}

// Lookup returns the usable account with that login, or ErrNotFound.
func (d *Directory) Lookup(ctx context.Context, login string) (Person, error) {
	if !validInput(login) {
		return Person{}, ErrNotFound
	}
	var p Person
	err := d.each(ctx, func(c *ldap.Conn) error {
		entry, err := d.findOne(c, login)
		if err != nil {
			return err
		}
		if entry == nil {
			return ErrNotFound
		}
		p, err = d.person(c, entry)
		return err
	})
	return p, err
}

// Search finds usable accounts whose login, name or mail contains query,
// at most limit of them (limit <= 0: 25), sorted by name. Groups are not
// read. A query that cannot be a name (empty, control characters, too long)
// finds nothing.
func (d *Directory) Search(ctx context.Context, query string, limit int) ([]Person, error) {
	query = strings.TrimSpace(query)
	if !validInput(query) {
		return nil, nil
	}
	if limit <= 0 {
		limit = defaultSearchLimit
	}
	q := ldap.EscapeFilter(query)
	filter := d.userFilter(fmt.Sprintf("(|(%s=*%s*)(%s=*%s*)(%s=*%s*))",
		d.cfg.LoginAttr, q, d.cfg.NameAttr, q, d.cfg.MailAttr, q))
	var people []Person
	err := d.each(ctx, func(c *ldap.Conn) error {
		res, err := c.Search(ldap.NewSearchRequest(d.cfg.BaseDN, ldap.ScopeWholeSubtree,
			ldap.NeverDerefAliases, limit, d.timeLimit(), false, filter, d.attrs, nil))
		// The server stops at the size limit and says so; the entries
		// it sent are what we asked for.
		if err != nil && !ldap.IsErrorWithCode(err, ldap.LDAPResultSizeLimitExceeded) {
			return err
		}
		people = people[:0]
		for _, e := range res.Entries {
			people = append(people, d.entryPerson(e))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(people) > limit {
		people = people[:limit]
	}
	slices.SortFunc(people, func(a, b Person) int {
		return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name))
	})
	return people, nil
}

// each runs op on a fresh, bound connection to one server after the other
// until one gives an answer. ErrBadLogin and ErrNotFound are answers; any
// other error of op or of the connection moves on to the next server.
func (d *Directory) each(ctx context.Context, op func(*ldap.Conn) error) error {
	var errs []error
	for _, s := range d.servers {
		if err := ctx.Err(); err != nil {
			errs = append(errs, err)
			break
		}
		err := d.try(ctx, s, op)
		if err == nil || isAnswer(err) {
			return err
		}
		errs = append(errs, fmt.Errorf("%s: %w", s.url, err))
	}
	return fmt.Errorf("%w: %w", ErrUnavailable, errors.Join(errs...))
}

func (d *Directory) try(ctx context.Context, s server, op func(*ldap.Conn) error) error {
	timeout := d.cfg.Timeout
	if dl, ok := ctx.Deadline(); ok {
		timeout = min(timeout, time.Until(dl))
		if timeout <= 0 {
			return context.DeadlineExceeded
		}
	}
	opts := []ldap.DialOpt{ldap.DialWithDialer(&net.Dialer{Timeout: timeout})}
	if s.tls != nil {
		opts = append(opts, ldap.DialWithTLSConfig(s.tls))
	}
	c, err := ldap.DialURL(s.url, opts...)
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetTimeout(timeout)
	// Closing the connection fails whatever operation is waiting, which is
	// how a cancelled request stops waiting for a slow server.
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()

	if s.startTLS {
		// go-ldap bounds the StartTLS request but not the handshake after
		// it; a server that answers and then stalls must not hang a login.
		t := time.AfterFunc(timeout, func() { c.Close() })
		err := c.StartTLS(s.tls)
		t.Stop()
		if err != nil {
			return fmt.Errorf("StartTLS: %w", err)
		}
	}
	if d.cfg.BindDN != "" {
		if err := d.bindService(c); err != nil {
			return err
		}
	}
	err = op(c)
	if err != nil && !isAnswer(err) && ctx.Err() != nil {
		// The operation failed because we closed the connection; say why.
		return fmt.Errorf("%w (%v)", ctx.Err(), err)
	}
	return err
}

// isAnswer: the server answered about the account, so asking another
// server would not change the result.
func isAnswer(err error) bool {
	return errors.Is(err, ErrBadLogin) || errors.Is(err, ErrNotFound)
}

func (d *Directory) bindService(c *ldap.Conn) error {
	var err error
	if d.cfg.BindDN == "" {
		err = c.UnauthenticatedBind("")
	} else {
		err = c.Bind(d.cfg.BindDN, d.cfg.BindPassword)
	}
	if err != nil {
		return fmt.Errorf("service bind: %w", err)
	}
	return nil
}

// findOne returns the single usable entry with that login; nil when there
// is none or, since a login must name one person, more than one.
func (d *Directory) findOne(c *ldap.Conn, login string) (*ldap.Entry, error) {
	filter := d.userFilter(fmt.Sprintf("(%s=%s)", d.cfg.LoginAttr, ldap.EscapeFilter(login)))
	res, err := c.Search(ldap.NewSearchRequest(d.cfg.BaseDN, ldap.ScopeWholeSubtree,
		ldap.NeverDerefAliases, 2, d.timeLimit(), false, filter, d.attrs, nil))
	if ldap.IsErrorWithCode(err, ldap.LDAPResultSizeLimitExceeded) {
		return nil, nil
	}
	if ldap.IsErrorWithCode(err, ldap.LDAPResultNoSuchObject) {
		// The base DN itself is missing: a broken replica, not an answer.
		return nil, fmt.Errorf("base DN %q: %w", d.cfg.BaseDN, err)
	}
	if err != nil {
		return nil, err
	}
	if len(res.Entries) != 1 {
		return nil, nil
	}
	return res.Entries[0], nil
}

func (d *Directory) person(c *ldap.Conn, e *ldap.Entry) (Person, error) {
	p := d.entryPerson(e)
	if d.cfg.GroupBaseDN == "" {
		return p, nil
	}
	res, err := c.Search(ldap.NewSearchRequest(d.cfg.GroupBaseDN, ldap.ScopeWholeSubtree,
		ldap.NeverDerefAliases, 0, d.timeLimit(), false,
		groupFilter(d.cfg.GroupFilter, e.DN, p.Login), []string{d.cfg.GroupNameAttr}, nil))
	if err != nil {
		return Person{}, fmt.Errorf("groups: %w", err)
	}
	for _, g := range res.Entries {
		if name := g.GetAttributeValue(d.cfg.GroupNameAttr); name != "" {
			p.Groups = append(p.Groups, name)
		}
	}
	slices.Sort(p.Groups)
	p.Groups = slices.Compact(p.Groups)
	return p, nil
}

func (d *Directory) entryPerson(e *ldap.Entry) Person {
	return Person{
		DN:         e.DN,
		Login:      e.GetAttributeValue(d.cfg.LoginAttr),
		Name:       e.GetAttributeValue(d.cfg.NameAttr),
		Mail:       e.GetAttributeValue(d.cfg.MailAttr),
		Phone:      e.GetAttributeValue(d.cfg.PhoneAttr),
		Department: e.GetAttributeValue(d.cfg.DepartmentAttr),
	}
}

func (d *Directory) userFilter(match string) string {
	if d.cfg.UserFilter == "" {
		return match
	}
	return "(&" + match + d.cfg.UserFilter + ")"
}

// timeLimit is the server-side limit in whole seconds, so that the server
// gives up on a search about when we stop waiting for it.
func (d *Directory) timeLimit() int {
	return max(1, int((d.cfg.Timeout+time.Second-1)/time.Second))
}

func groupFilter(f, dn, login string) string {
	return strings.NewReplacer("{dn}", ldap.EscapeFilter(dn), "{login}", ldap.EscapeFilter(login)).Replace(f)
}

// validInput: what a person can type as a login or a search. Anything
// else is refused before it reaches a server.
func validInput(s string) bool {
	if s == "" || len(s) > maxLoginLen || !utf8.ValidString(s) {
		return false
	}
	return !strings.ContainsFunc(s, unicode.IsControl)
}
