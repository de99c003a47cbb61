package desk

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/kiz-ulm/kizdesk/directory"
	"github.com/kiz-ulm/kizdesk/models"
	"github.com/kiz-ulm/kizdesk/ticket"
)

// Directory is the kiz directory as the desk uses it: it checks kiz
// accounts' passwords and finds customers. *directory.Directory is one.
type Directory interface {
	Authenticate(ctx context.Context, login, password string) (directory.Person, error)
	Lookup(ctx context.Context, login string) (directory.Person, error)
	Search(ctx context.Context, query string, limit int) ([]directory.Person, error)
}

// ErrDirectoryUnavailable: no directory server answered; the login may
// be right, so it is not ErrBadLogin.
var ErrDirectoryUnavailable = errors.New("the kiz directory is unavailable")

// directoryLogin checks a kiz account in the directory and returns its
// agent, made or updated from the directory's entry. Accounts become
// agents only through an LDAP group mapped to a role of the directory's
// tenant (or by an admin making them an LDAP agent by hand); everyone else
// with a kiz account is a customer and has no agent login. Roles from
// groups are set anew at each login; roles an admin gave by hand stay.
func (d *Desk) directoryLogin(ctx context.Context, existing *models.Agent, login, password string) (models.Agent, error) {
	p, err := d.opts.Directory.Authenticate(ctx, login, password)
	switch {
	case errors.Is(err, directory.ErrBadLogin):
		return models.Agent{}, ErrBadLogin
	case errors.Is(err, directory.ErrUnavailable):
		return models.Agent{}, fmt.Errorf("login %s: %w: %w", login, ErrDirectoryUnavailable, err)
	case err != nil:
		return models.Agent{}, wrapf(err, "login %s", login)
	}
	tenant, err := models.TenantBySlug(ctx, d.db, d.opts.DirectoryTenant)
	if err != nil {
		return models.Agent{}, wrapf(err, "the directory's tenant %q", d.opts.DirectoryTenant)
	}
	if !tenant.Active {
		return models.Agent{}, ErrBadLogin // a switched-off tenant has no logins, not even first ones
	}
	roles, err := models.LDAPRoles(ctx, d.db, tenant.ID, p.Groups)
	if err != nil {
		return models.Agent{}, err
	}
	if existing == nil && len(roles) == 0 {
		return models.Agent{}, ErrBadLogin // a customer, not an agent
	}
	a := models.Agent{TenantID: tenant.ID, Login: p.Login, Source: models.SourceLDAP, Active: true}
	if existing != nil {
		a = *existing
	}
	a.Name, a.Email, a.Phone = orElse(p.Name, p.Login), p.Mail, p.Phone
	err = d.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if a.ID == 0 {
			return tx.Create(&a).Error
		}
		return tx.Model(&models.Agent{}).Where("id = ?", a.ID).
			Updates(map[string]any{"name": a.Name, "email": a.Email, "phone": a.Phone}).Error
	})
	if err != nil {
		return models.Agent{}, wrapf(err, "agent %s from the directory", p.Login)
	}
	if _, err := models.SetLDAPRoles(ctx, d.db, a.ID, roles, d.now()); err != nil {
		return models.Agent{}, err
	}
	return a, nil
}

func orElse(s, def string) string {
	if strings.TrimSpace(s) == "" {
		return def
	}
	return s
}

// customerFromDirectory returns the tenant's customer with a kiz login,
// taking it over from the directory the first time it is asked for (the
// phone-ticket form names a kiz account nobody has seen yet).
func (d *Desk) customerFromDirectory(ctx context.Context, tenantID int64, login string) (models.Customer, error) {
	if d.opts.Directory == nil {
		return models.Customer{}, fmt.Errorf("customer %s: %w", login, ErrNotFound)
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	p, err := d.opts.Directory.Lookup(ctx, login)
	switch {
	case errors.Is(err, directory.ErrNotFound):
		return models.Customer{}, fmt.Errorf("customer %s: %w", login, ErrNotFound)
	case err != nil:
		return models.Customer{}, wrapf(err, "customer %s in the directory", login)
	}
	c := models.Customer{TenantID: tenantID, Login: p.Login, Name: orElse(p.Name, p.Login), Email: p.Mail,
		Phone: p.Phone, Department: p.Department, Source: models.SourceLDAP}
	if err := d.db.WithContext(ctx).Where(models.Customer{TenantID: tenantID, Login: p.Login}).FirstOrCreate(&c).Error; err != nil {
		return c, wrapf(err, "customer %s from the directory", p.Login)
	}
	return c, nil
}

// CustomerMatch is one answer of the customer look-up.
type CustomerMatch struct {
	Login, Name, Email, Phone, Department string
	// Directory: found in the kiz directory, not yet a customer here.
	Directory bool
}

// CustomerPageSize is how many customers one page of the look-up shows:
// it is a search box, not a list.
const CustomerPageSize = 25

// CustomerPage is one page of a customer look-up.
type CustomerPage struct {
	Matches []CustomerMatch
	Page    int  // from 0
	More    bool // the tenant has more matches: the next page shows them
	// DirectoryFull: the directory had at least as many matches as it
	// was asked for; more of the name finds the others.
	DirectoryFull bool
}

// FindCustomers looks customers up by part of their login, name or mail,
// a page at a time: the tenant's own, in name order, then — once they run
// out — the kiz accounts the directory finds that are not customers yet.
func (d *Desk) FindCustomers(ctx context.Context, p Principal, query string, page int) (CustomerPage, error) {
	out := CustomerPage{Page: max(page, 0)}
	if err := mustBeAgent(p); err != nil {
		return out, err
	}
	query = strings.TrimSpace(query)
	fe := FieldErrors{}
	checkText(fe, "q", query, 0, 200)
	if page < 0 || page > 1000 {
		fe["page"] = ticket.P(ticket.FieldBadNumber)
	}
	if len(fe) > 0 {
		return out, fe
	}
	local, err := models.FindCustomers(ctx, d.db, p.TenantID, query, CustomerPageSize+1, out.Page*CustomerPageSize)
	if err != nil {
		return out, err
	}
	if len(local) > CustomerPageSize {
		local, out.More = local[:CustomerPageSize], true
	}
	for _, c := range local {
		out.Matches = append(out.Matches, CustomerMatch{Login: c.Login, Name: c.Name, Email: c.Email, Phone: c.Phone, Department: c.Department})
	}
	if d.opts.Directory == nil || out.More || (out.Page > 0 && len(local) == 0) {
		// The directory's people come once, after the last local page.
		return out, nil
	}
	want := CustomerPageSize - len(out.Matches)
	if want == 0 {
		return out, nil
	}
	people, err := d.opts.Directory.Search(ctx, query, want)
	if errors.Is(err, directory.ErrUnavailable) {
		return out, nil // the local customers still help
	}
	if err != nil {
		return out, wrapf(err, "customer look-up")
	}
	out.DirectoryFull = len(people) >= want
	logins := make([]string, len(people))
	for i, pe := range people {
		logins[i] = pe.Login
	}
	known, err := models.CustomerLogins(ctx, d.db, p.TenantID, logins)
	if err != nil {
		return out, err
	}
	for _, pe := range people {
		if !known[strings.ToLower(pe.Login)] {
			out.Matches = append(out.Matches, CustomerMatch{Login: pe.Login, Name: pe.Name, Email: pe.Mail, Phone: pe.Phone, Department: pe.Department, Directory: true})
		}
	}
	return out, nil
}
