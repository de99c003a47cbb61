package desk

import (
	"context"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"
	"gorm.io/gorm"

	"github.com/kiz-ulm/kizdesk/models"
	"github.com/kiz-ulm/kizdesk/ticket"
)

// adminForm reads an admin form's values, collecting every problem at
// once so the form comes back with all of them marked.
type adminForm struct {
	v  AdminValues
	fe FieldErrors
}

// Lengths of admin fields, in bytes.
const (
	maxName    = 200
	maxLogin   = 100
	maxPhone   = 50
	maxComment = 2000
	maxBody    = 100_000
	// minPassword is the least a password an admin sets must have;
	// bcrypt hashes no more than maxNewPassword bytes.
	minPassword    = 10
	maxNewPassword = 72
)

func (f *adminForm) bad(name string, p ticket.Problem) {
	if _, ok := f.fe[name]; !ok {
		f.fe[name] = p
	}
}

// text reads a one-line text, trimmed.
func (f *adminForm) text(name string, max int, required bool) string {
	s := strings.TrimSpace(f.v.Get(name))
	if p, bad := ticket.CheckText(s, ticket.Line, max); bad {
		f.bad(name, p)
	} else if required && s == "" {
		f.bad(name, ticket.P(ticket.FieldRequired))
	}
	return s
}

// lines reads a multi-line text; line breaks are stored as "\n".
func (f *adminForm) lines(name string, max int) string {
	s := strings.TrimRight(strings.ReplaceAll(f.v.Get(name), "\r\n", "\n"), " \t\n")
	if p, bad := ticket.CheckText(s, ticket.Lines, max); bad {
		f.bad(name, p)
	}
	return s
}

var emailRE = regexp.MustCompile(`^[^@\s]+@[^@\s]+$`)

func (f *adminForm) email(name string, required bool) string {
	s := f.text(name, maxName, required)
	if s != "" && !emailRE.MatchString(s) {
		f.bad(name, ticket.P(FieldBadEmail))
	}
	return s
}

// bool reads a checkbox: checked is "true" (or "on", as browsers send
// for a box without a value); absent is false.
func (f *adminForm) bool(name string) bool {
	switch strings.TrimSpace(f.v.Get(name)) {
	case "true", "on", "1":
		return true
	case "", "false", "0":
		return false
	}
	f.bad(name, ticket.P(ticket.FieldChoose))
	return false
}

// number reads an integer in [min, max]; empty is 0.
func (f *adminForm) number(name string, min, max int) int {
	s := strings.TrimSpace(f.v.Get(name))
	if s == "" {
		s = "0"
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		f.bad(name, ticket.P(ticket.FieldBadNumber))
		return 0
	}
	if n < min || n > max {
		f.bad(name, ticket.P(FieldRange, "Min", strconv.Itoa(min), "Max", strconv.Itoa(max)))
	}
	return n
}

// word reads one of the allowed words; empty is the first.
func (f *adminForm) word(name string, allowed ...string) string {
	s := strings.TrimSpace(f.v.Get(name))
	if s == "" {
		return allowed[0]
	}
	if !slices.Contains(allowed, s) {
		f.bad(name, ticket.P(ticket.FieldChoose))
	}
	return s
}

// password reads a new password: empty is none (kept as it was), else at
// least minPassword characters. It returns the bcrypt hash.
func (f *adminForm) password(name string, required bool) string {
	pw := f.v.Get(name)
	if pw == "" {
		if required {
			f.bad(name, ticket.P(ticket.FieldRequired))
		}
		return ""
	}
	if p, bad := ticket.CheckText(pw, ticket.Line, maxNewPassword); bad {
		f.bad(name, p)
		return ""
	}
	if utf8.RuneCountInString(pw) < minPassword {
		f.bad(name, ticket.P(FieldPasswordShort, "Min", strconv.Itoa(minPassword)))
		return ""
	}
	if len(f.fe) > 0 {
		return "" // no hashing for a form that comes back anyway
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(pw), bcrypt.DefaultCost)
	if err != nil {
		f.bad(name, ticket.P(ticket.FieldTooLong, "Max", strconv.Itoa(maxNewPassword)))
		return ""
	}
	return string(hash)
}

// tenantTables are the tables whose rows belong to a tenant, which an ID
// in a form may name; priorities are global.
var tenantTables = map[string]bool{"auto_responses": true, "groups": true, "roles": true, "queues": true, "services": true,
	"calendars": true, "signatures": true, "customer_companies": true}

// ref reads the ID of a row of table; a row of another tenant is as
// unknown as one that does not exist.
func (f *adminForm) ref(ctx context.Context, tx *gorm.DB, name, table string, tenant int64, required bool) *int64 {
	s := strings.TrimSpace(f.v.Get(name))
	if s == "" {
		if required {
			f.bad(name, ticket.P(ticket.FieldRequired))
		}
		return nil
	}
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		f.bad(name, ticket.P(ticket.FieldChoose))
		return nil
	}
	if !exists(ctx, tx, table, tenant, id) {
		f.bad(name, ticket.P(ticket.FieldUnknown))
		return nil
	}
	return &id
}

// refs reads several IDs of rows of table (checkboxes).
func (f *adminForm) refs(ctx context.Context, tx *gorm.DB, name, table string, tenant int64) []int64 {
	var ids []int64
	for _, s := range f.v[name] {
		id, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err != nil || id <= 0 {
			f.bad(name, ticket.P(ticket.FieldChoose))
			continue
		}
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	var n int64
	q := tx.WithContext(ctx).Table(table).Where("id IN ?", ids)
	if tenantTables[table] {
		q = q.Where("tenant_id = ?", tenant)
	}
	if err := q.Count(&n).Error; err != nil || n != int64(len(ids)) {
		f.bad(name, ticket.P(ticket.FieldUnknown))
		return nil
	}
	slices.Sort(ids)
	return ids
}

// groupPerm is one permission on a group, as the grid's boxes name it:
// "groupID:perm".
type groupPerm struct {
	GroupID int64
	Perm    string
}

// grid reads the checked boxes of a group × permission grid.
func (f *adminForm) grid(ctx context.Context, tx *gorm.DB, name string, tenant int64) []groupPerm {
	var out []groupPerm
	var groups []int64
	for _, s := range f.v[name] {
		g, perm, _ := strings.Cut(strings.TrimSpace(s), ":")
		id, err := strconv.ParseInt(g, 10, 64)
		if err != nil || id <= 0 {
			f.bad(name, ticket.P(ticket.FieldChoose))
			continue
		}
		if !ticket.Perm(perm).Valid() {
			f.bad(name, ticket.P(FieldNotPermission, "Perm", perm))
			continue
		}
		gp := groupPerm{id, perm}
		if !slices.Contains(out, gp) {
			out = append(out, gp)
		}
		if !slices.Contains(groups, id) {
			groups = append(groups, id)
		}
	}
	if len(groups) > 0 {
		var n int64
		err := tx.WithContext(ctx).Model(&models.Group{}).Where("tenant_id = ? AND id IN ?", tenant, groups).Count(&n).Error
		if err != nil || n != int64(len(groups)) {
			f.bad(name, ticket.P(ticket.FieldUnknown))
			return nil
		}
	}
	return out
}

func gridValues(gps []groupPerm) []string {
	out := make([]string, len(gps))
	for i, gp := range gps {
		out[i] = fmt.Sprintf("%d:%s", gp.GroupID, gp.Perm)
	}
	return out
}

// exists tells whether table has row id (in tenant, for a tenant's table).
func exists(ctx context.Context, tx *gorm.DB, table string, tenant, id int64) bool {
	q := tx.WithContext(ctx).Table(table).Where("id = ?", id)
	if tenantTables[table] {
		q = q.Where("tenant_id = ?", tenant)
	}
	var n int64
	return q.Count(&n).Error == nil && n > 0
}

// unique marks field as taken when another row of table (in tenant, for
// a tenant's table) has value in column. Asking first keeps the
// transaction usable: on PostgreSQL a failed insert would end it.
func (f *adminForm) unique(ctx context.Context, tx *gorm.DB, field, table, column, value string, tenant, id int64) error {
	if value == "" || f.fe[field].Code != "" {
		return nil
	}
	q := tx.WithContext(ctx).Table(table).Where(column+" = ? AND id <> ?", value, id)
	if tenantTables[table] || table == "customers" {
		q = q.Where("tenant_id = ?", tenant)
	}
	var n int64
	if err := q.Count(&n).Error; err != nil {
		return err
	}
	if n > 0 {
		f.bad(field, ticket.P(FieldTaken))
	}
	return nil
}

// readChoices reads the options called key for a tenant's forms.
func readChoices(ctx context.Context, db *gorm.DB, tenant int64, key string) ([]AdminChoice, error) {
	words := func(ws ...string) []AdminChoice {
		out := make([]AdminChoice, len(ws))
		for i, w := range ws {
			out[i] = AdminChoice{Value: w, Label: w, Word: true}
		}
		return out
	}
	switch key {
	case "levels":
		return words(string(models.LevelFirst), string(models.LevelSecond), string(models.LevelTeam)), nil
	case "follow_ups":
		return words(models.FollowUpReopen, models.FollowUpReject, models.FollowUpNew), nil
	case "sources":
		return words(models.SourceLocal, models.SourceLDAP), nil
	case "auto_kinds":
		return words(models.AutoNew, models.AutoFollowUp, models.AutoReject), nil
	case "languages":
		return words("de", "en"), nil
	case "anonymise_modes":
		return words(models.AnonymiseModes...), nil
	case "period_units":
		return words(models.PeriodUnits...), nil
	}
	table, ok := map[string]string{"groups": "groups", "roles": "roles", "queues": "queues", "services": "services",
		"calendars": "calendars", "signatures": "signatures", "companies": "customer_companies", "priorities": "priorities"}[key]
	if !ok {
		return nil, fmt.Errorf("no choices %q", key)
	}
	var rows []struct {
		ID   int64
		Name string
	}
	q := db.WithContext(ctx).Table(table).Select("id, name")
	order := "name"
	if tenantTables[table] {
		q = q.Where("tenant_id = ?", tenant)
	} else {
		order = "rank"
	}
	if err := q.Order(order).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]AdminChoice, len(rows))
	for i, r := range rows {
		out[i] = AdminChoice{Value: strconv.FormatInt(r.ID, 10), Label: r.Name}
	}
	return out, nil
}

// store writes a new or changed object (a pointer to a model) with
// every field as the admin chose it. GORM's Create puts a column's default
// in place of a zero value, and reads it back into the object, so an
// inactive queue would come out active: a new row is written once more
// with the values from before the insert.
func store(tx *gorm.DB, obj any, isNew bool) error {
	if isNew {
		v := reflect.ValueOf(obj).Elem()
		chosen := reflect.New(v.Type()).Elem()
		chosen.Set(v)
		if err := tx.Create(obj).Error; err != nil {
			return err
		}
		for _, name := range []string{"ID", "CreatedAt"} {
			if f := chosen.FieldByName(name); f.IsValid() {
				f.Set(v.FieldByName(name))
			}
		}
		v.Set(chosen)
	}
	return tx.Model(obj).Select("*").Omit("id", "created_at").Updates(obj).Error
}

func idString(id int64) string { return strconv.FormatInt(id, 10) }

func optID(id *int64) string {
	if id == nil {
		return ""
	}
	return idString(*id)
}

func boolString(b bool) string { return strconv.FormatBool(b) }

// byID narrows a query to one row unless id is 0.
func byID(q *gorm.DB, column string, id int64) *gorm.DB {
	if id != 0 {
		return q.Where(column+" = ?", id)
	}
	return q
}
