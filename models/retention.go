package models

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// RetentionPolicy is a tenant's retention of closed tickets: periods after
// closing in the policy's Unit (days as a rule); 0 means never. A tenant
// without a row keeps everything.
type RetentionPolicy struct {
	ID             int64
	TenantID       int64
	ArchiveAfter   int
	AnonymiseAfter int
	// AnonymiseMode is AnonymisePseudonymise (personal data replaced,
	// the rest of the text kept) or AnonymiseDelete (article texts
	// removed altogether).
	AnonymiseMode string `gorm:"default:pseudonymise"`
	// PortalRead is the reading window: how long customers see a
	// closed ticket in the portal.
	PortalRead int    `gorm:"default:90"`
	Unit       string `gorm:"column:period_unit;default:days"`
	CreatedAt  time.Time
}

// The units a policy's periods may be in.
const (
	UnitDays    = "days"
	UnitHours   = "hours"
	UnitMinutes = "minutes"
)

// PeriodUnits are the units a policy may choose.
var PeriodUnits = []string{UnitDays, UnitHours, UnitMinutes}

// Period is n of the policy's unit.
func (p RetentionPolicy) Period(n int) time.Duration { return period(n, p.Unit) }

func period(n int, unit string) time.Duration {
	switch unit {
	case UnitHours:
		return time.Duration(n) * time.Hour
	case UnitMinutes:
		return time.Duration(n) * time.Minute
	}
	return time.Duration(n) * 24 * time.Hour
}

// DefaultPortalRead is the reading window of a tenant without a
// policy.
const DefaultPortalRead = 90

// AnonymiseModes are the modes a policy may choose.
var AnonymiseModes = []string{AnonymisePseudonymise, AnonymiseDelete}

// How a ticket is anonymised.
const (
	AnonymisePseudonymise = "pseudonymise"
	AnonymiseDelete       = "delete"
)

// History events retention writes. They are appended by the retention
// activity, not by the ticket workflow: retention only touches tickets
// whose workflow has ended or is deleted on the way.
const (
	EventArchived   = "Archived"
	EventAnonymised = "Anonymised"
)

// RetentionPolicyOf returns a tenant's policy; the zero policy (keep
// everything) when it has none.
func RetentionPolicyOf(ctx context.Context, db *gorm.DB, tenantID int64) (RetentionPolicy, error) {
	var ps []RetentionPolicy
	if err := db.WithContext(ctx).Where("tenant_id = ?", tenantID).Limit(1).Find(&ps).Error; err != nil {
		return RetentionPolicy{}, fmt.Errorf("retention policy of tenant %d: %w", tenantID, err)
	}
	if len(ps) == 0 {
		return RetentionPolicy{TenantID: tenantID, AnonymiseMode: AnonymisePseudonymise, PortalRead: DefaultPortalRead, Unit: UnitDays}, nil
	}
	return ps[0], nil
}

// ReadingWindow is how long the tenant's customers see a closed ticket in
// the portal.
func ReadingWindow(ctx context.Context, db *gorm.DB, tenantID int64) (time.Duration, error) {
	p, err := RetentionPolicyOf(ctx, db, tenantID)
	if err != nil {
		return 0, err
	}
	return p.Period(p.PortalRead), nil
}

// RetentionAction is what retention does to a ticket.
type RetentionAction string

const (
	ActionArchive   RetentionAction = "archive"
	ActionAnonymise RetentionAction = "anonymise"
)

// RetentionDue is a ticket retention is due to act on.
type RetentionDue struct {
	TicketID int64
	TenantID int64
	Number   string
	Title    string
	ClosedAt time.Time
	Action   RetentionAction
	Mode     string // for ActionAnonymise
}

// DueForRetention lists up to limit closed tickets, of all tenants (or
// one, tenantID ≠ 0), with ids above afterID, that their tenant's policy
// wants archived or anonymised at now, in id order. A ticket due for both
// is listed once, for anonymisation (which archives too).
func DueForRetention(ctx context.Context, db *gorm.DB, tenantID int64, now time.Time, afterID int64, limit int) ([]RetentionDue, error) {
	var rows []struct {
		ID             int64
		TenantID       int64
		Number         string
		Title          string
		ClosedAt       time.Time
		ArchivedAt     *time.Time
		ArchiveAfter   int
		AnonymiseAfter int
		AnonymiseMode  string
		PeriodUnit     string
	}
	q := db.WithContext(ctx).Table("tickets t").
		Select("t.id, t.tenant_id, t.number, t.title, t.closed_at, t.archived_at, p.archive_after, p.anonymise_after, p.anonymise_mode, p.period_unit").
		Joins("JOIN retention_policies p ON p.tenant_id = t.tenant_id").
		Where("t.closed_at IS NOT NULL AND t.anonymised_at IS NULL AND t.id > ?", afterID).
		Where("(p.archive_after > 0 AND t.archived_at IS NULL) OR p.anonymise_after > 0").
		Where("t.state IN ?", ClosedStates)
	if tenantID != 0 {
		q = q.Where("t.tenant_id = ?", tenantID)
	}
	// The day counts differ per tenant, so the cut-off is checked here;
	// the index on (closed_at, id) keeps the scan to closed tickets.
	var out []RetentionDue
	for len(out) < limit {
		rows = rows[:0]
		if err := q.Session(&gorm.Session{}).Where("t.id > ?", afterID).Order("t.id").Limit(500).Scan(&rows).Error; err != nil {
			return nil, fmt.Errorf("find tickets due for retention: %w", err)
		}
		for _, r := range rows {
			afterID = r.ID
			d := RetentionDue{TicketID: r.ID, TenantID: r.TenantID, Number: r.Number, Title: r.Title, ClosedAt: r.ClosedAt, Mode: r.AnonymiseMode}
			switch {
			case r.AnonymiseAfter > 0 && !now.Before(r.ClosedAt.Add(period(r.AnonymiseAfter, r.PeriodUnit))):
				d.Action = ActionAnonymise
			case r.ArchiveAfter > 0 && r.ArchivedAt == nil && !now.Before(r.ClosedAt.Add(period(r.ArchiveAfter, r.PeriodUnit))):
				d.Action = ActionArchive
			default:
				continue
			}
			out = append(out, d)
			if len(out) == limit {
				break
			}
		}
		if len(rows) < 500 {
			break
		}
	}
	return out, nil
}

// ClosedStates are the states retention counts as closed; merged tickets
// are closed into another one and go with it.
var ClosedStates = []string{"closed successful", "closed unsuccessful", "merged"}

// RetentionActor is who a retention entry names.
type RetentionActor struct {
	Kind string // "system" for the schedule, "agent" for an admin's erasure request
	ID   int64
	Name string
}

// ArchiveTicket marks a closed ticket archived at now, with a history
// entry. It does nothing to a ticket archived already.
func ArchiveTicket(ctx context.Context, db *gorm.DB, key AuditKey, ticketID int64, actor RetentionActor, now time.Time) (bool, error) {
	if key.ID == "" {
		return false, errors.New("archive ticket: no audit key")
	}
	done := false
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		t, err := lockTicket(tx, ticketID)
		if err != nil {
			return err
		}
		if t.ArchivedAt != nil {
			return nil
		}
		if _, err := appendRetentionEntry(tx, key, t, HistoryEntry{Event: EventArchived, Field: "Archived", NewValue: "archived"}, actor, now); err != nil {
			return err
		}
		done = true
		return tx.Model(&Ticket{}).Where("id = ?", t.ID).Updates(map[string]any{"archived_at": now.UTC()}).Error
	})
	if err != nil {
		return false, fmt.Errorf("archive ticket %d: %w", ticketID, err)
	}
	return done, nil
}

func lockTicket(tx *gorm.DB, id int64) (Ticket, error) {
	var t Ticket
	q := tx
	if tx.Dialector.Name() == "postgres" {
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	if err := q.Where("id = ?", id).Take(&t).Error; err != nil {
		return t, notFound(err, fmt.Sprintf("ticket %d", id))
	}
	return t, nil
}

// appendRetentionEntry appends an entry to the ticket's chain, after its
// last one, and moves the ticket's LastSeq on.
func appendRetentionEntry(tx *gorm.DB, key AuditKey, t Ticket, h HistoryEntry, actor RetentionActor, now time.Time) (HistoryEntry, error) {
	var last []HistoryEntry
	if err := tx.Where("ticket_id = ?", t.ID).Order("seq DESC").Limit(1).Find(&last).Error; err != nil {
		return h, fmt.Errorf("read last history entry: %w", err)
	}
	if len(last) == 0 || last[0].Seq != t.LastSeq {
		return h, fmt.Errorf("ticket %s: its history does not end at entry %d", t.Number, t.LastSeq)
	}
	h.TicketID, h.Seq, h.PrevHash, h.KeyID = t.ID, t.LastSeq+1, last[0].Hash, key.ID
	h.ActorKind, h.ActorID, h.ActorName = actor.Kind, actor.ID, actor.Name
	h.CreatedAt = now.UTC().Truncate(time.Microsecond)
	h.Hash = HistoryHash(key, h, nil)
	if err := tx.Create(&h).Error; err != nil {
		return h, fmt.Errorf("insert history: %w", err)
	}
	if err := tx.Model(&Ticket{}).Where("id = ?", t.ID).Update("last_seq", h.Seq).Error; err != nil {
		return h, fmt.Errorf("move the ticket's history on: %w", err)
	}
	return h, nil
}

// Anonymisation is what the Anonymised entry of a ticket records, as JSON
// in its NewValue: for every entry whose content (or article) it changed,
// the entry's hash (which stays in the row and the chain) and the hash of
// the content as it is now, under the entry's own audit key. The entry is
// hashed into the chain like any other, so an auditor can check that an
// anonymised entry was there before (its old hash links the chain) and
// that nothing changed after (its content still has the new hash).
type Anonymisation struct {
	Reason  string            `json:"reason"` // "retention" or "erasure request"
	Mode    string            `json:"mode"`
	Entries []AnonymisedEntry `json:"entries"`
}

// AnonymisedEntry is one entry an anonymisation changed.
type AnonymisedEntry struct {
	Seq int    `json:"seq"`
	Old string `json:"old"` // the entry's hash, as before
	New string `json:"new"` // HistoryHash of the entry and article as anonymised
	// Files counts the files the entry's article had, which were removed
	// with their content (their names may be personal data): the old
	// hash covered them, the new one covers the article without them.
	Files int `json:"files,omitempty"`
}

// Reasons for an anonymisation.
const (
	ReasonRetention = "retention"
	ReasonErasure   = "erasure request"
)

// AnonymiseInput says which ticket to anonymise how.
type AnonymiseInput struct {
	TicketID int64
	Mode     string
	Reason   string
	Actor    RetentionActor
	Now      time.Time
}

// AnonymiseResult says what an anonymisation changed.
type AnonymiseResult struct {
	Done     bool // false: the ticket was anonymised already
	Entries  int  // history entries and articles rewritten
	Mails    int  // mail rows emptied
	Files    int  // attachment contents deleted
	Customer int64
}

var mailAddress = regexp.MustCompile(`(?i)[a-z0-9._%+\-]+@[a-z0-9.\-]+\.[a-z]{2,}`)

// AnonymiseTicket removes the personal data of a closed ticket in one
// transaction: the customer's name, login, e-mail and phone and every mail
// address in its title, history entries and articles are replaced by a
// pseudonym (mode AnonymisePseudonymise), or the articles' texts removed
// (AnonymiseDelete); the ticket is linked to the tenant's anonymous
// customer; its mails' raw messages, senders and subjects are emptied and
// attachments no other mail carries deleted. A signed Anonymised entry
// records what changed (see Anonymisation). The search index follows
// (generated columns, FTS triggers). A ticket anonymised already is left
// as it is.
func AnonymiseTicket(ctx context.Context, db *gorm.DB, key AuditKey, in AnonymiseInput) (AnonymiseResult, error) {
	var res AnonymiseResult
	if key.ID == "" {
		return res, errors.New("anonymise ticket: no audit key")
	}
	if in.Mode != AnonymisePseudonymise && in.Mode != AnonymiseDelete {
		return res, fmt.Errorf("anonymise ticket: no such mode %q", in.Mode)
	}
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		t, err := lockTicket(tx, in.TicketID)
		if err != nil {
			return err
		}
		if t.AnonymisedAt != nil {
			return nil
		}
		res.Customer = t.CustomerID
		var cust Customer
		if err := tx.Where("id = ?", t.CustomerID).Take(&cust).Error; err != nil {
			return fmt.Errorf("read the ticket's customer: %w", err)
		}
		var mails []MailMessage
		if err := tx.Select("id, sender").Where("tenant_id = ? AND ticket_number = ?", t.TenantID, t.Number).Find(&mails).Error; err != nil {
			return fmt.Errorf("read the ticket's mails: %w", err)
		}
		scrub := newScrubber(cust, mails)
		var entries []HistoryEntry
		if err := tx.Where("ticket_id = ?", t.ID).Order("seq").Find(&entries).Error; err != nil {
			return fmt.Errorf("read history: %w", err)
		}
		var arts []Article
		if err := tx.Where("ticket_id = ?", t.ID).Find(&arts).Error; err != nil {
			return fmt.Errorf("read articles: %w", err)
		}
		if err := LoadArticleFiles(tx, arts); err != nil {
			return err
		}
		artByID := make(map[int64]*Article, len(arts))
		for i := range arts {
			artByID[arts[i].ID] = &arts[i]
		}
		// Work out every change first: the Anonymised entry that records
		// them has to be in place before the rows may change.
		rec := Anonymisation{Reason: in.Reason, Mode: in.Mode}
		type change struct {
			e   HistoryEntry
			art *Article
		}
		var changes []change
		for _, e := range entries {
			ne := e
			if e.ActorKind == "customer" && e.ActorID == cust.ID {
				ne.ActorName = scrub.pseudonym
			} else {
				ne.ActorName = scrub.text(e.ActorName)
			}
			ne.OldValue, ne.NewValue = scrub.text(e.OldValue), scrub.text(e.NewValue)
			var old, na *Article
			if e.ArticleID != nil {
				old = artByID[*e.ArticleID]
			}
			if old != nil {
				a := *old
				if a.Author == e.ActorName {
					a.Author = ne.ActorName
				} else {
					a.Author = scrub.text(a.Author)
				}
				if in.Mode == AnonymiseDelete {
					a.Subject, a.Body = "", ""
				} else {
					a.Subject, a.Body = scrub.text(a.Subject), scrub.text(a.Body)
				}
				// Files go in either mode: names and contents are
				// beyond what a scrubber can clean.
				a.Files = nil
				na = &a
			}
			if ne == e && (old == nil || sameArticle(*na, *old)) {
				continue
			}
			ae := AnonymisedEntry{Seq: e.Seq, Old: e.Hash, New: HistoryHash(key, ne, na)}
			if old != nil {
				ae.Files = len(old.Files)
			}
			rec.Entries = append(rec.Entries, ae)
			changes = append(changes, change{ne, na})
		}
		value, err := json.Marshal(rec)
		if err != nil {
			return err
		}
		if _, err := appendRetentionEntry(tx, key, t, HistoryEntry{Event: EventAnonymised, Field: in.Mode, NewValue: string(value)}, in.Actor, in.Now); err != nil {
			return err
		}
		for _, c := range changes {
			err := tx.Model(&HistoryEntry{}).Where("id = ?", c.e.ID).
				Updates(map[string]any{"actor_name": c.e.ActorName, "old_value": c.e.OldValue, "new_value": c.e.NewValue}).Error
			if err != nil {
				return fmt.Errorf("anonymise history entry %d: %w", c.e.Seq, err)
			}
			if c.art != nil {
				err := tx.Model(&Article{}).Where("id = ?", c.art.ID).
					Updates(map[string]any{"author": c.art.Author, "subject": c.art.Subject, "body": c.art.Body}).Error
				if err != nil {
					return fmt.Errorf("anonymise article %d: %w", c.art.Seq, err)
				}
			}
		}
		res.Entries = len(changes)
		anon, err := anonymousCustomer(tx, t.TenantID)
		if err != nil {
			return err
		}
		now := in.Now.UTC()
		err = tx.Model(&Ticket{}).Where("id = ?", t.ID).Updates(map[string]any{
			"title": scrub.text(t.Title), "customer_id": anon, "anonymised_at": now,
			"archived_at": gorm.Expr("COALESCE(archived_at, ?)", now)}).Error
		if err != nil {
			return fmt.Errorf("unlink the customer: %w", err)
		}
		var mailShas []string
		res.Mails, mailShas, err = emptyMails(tx, mails)
		if err != nil {
			return err
		}
		fileShas, err := removeArticleFiles(tx, arts)
		if err != nil {
			return err
		}
		res.Files, err = deleteUnusedAttachments(tx, append(mailShas, fileShas...))
		if err != nil {
			return err
		}
		res.Done = true
		return nil
	})
	if err != nil {
		return res, fmt.Errorf("anonymise ticket %d: %w", in.TicketID, err)
	}
	return res, nil
}

// AnonymousLogin is the login of a tenant's anonymous customer, whom
// anonymised tickets belong to.
const AnonymousLogin = "anonymous"

func anonymousCustomer(tx *gorm.DB, tenantID int64) (int64, error) {
	var cs []Customer
	if err := tx.Where("tenant_id = ? AND login = ?", tenantID, AnonymousLogin).Limit(1).Find(&cs).Error; err != nil {
		return 0, fmt.Errorf("find the anonymous customer: %w", err)
	}
	if len(cs) == 1 {
		return cs[0].ID, nil
	}
	c := Customer{TenantID: tenantID, Login: AnonymousLogin, Name: "—", Source: SourceExternal, CreatedAt: time.Now().UTC()}
	if err := tx.Create(&c).Error; err != nil {
		return 0, fmt.Errorf("make the anonymous customer: %w", err)
	}
	// GORM writes the column default for a zero bool; this one is inactive.
	return c.ID, tx.Model(&Customer{}).Where("id = ?", c.ID).Update("active", false).Error
}

// emptyMails empties the ticket's mail rows and removes their attachment
// rows; it returns the attachments' sums.
func emptyMails(tx *gorm.DB, mails []MailMessage) (int, []string, error) {
	if len(mails) == 0 {
		return 0, nil, nil
	}
	ids := make([]int64, len(mails))
	for i, m := range mails {
		ids[i] = m.ID
	}
	var shas []string
	if err := tx.Model(&MailAttachment{}).Where("mail_id IN ?", ids).Distinct().Pluck("sha256", &shas).Error; err != nil {
		return 0, nil, fmt.Errorf("read the mails' attachments: %w", err)
	}
	if err := tx.Where("mail_id IN ?", ids).Delete(&MailAttachment{}).Error; err != nil {
		return 0, nil, fmt.Errorf("remove the mails' attachments: %w", err)
	}
	err := tx.Model(&MailMessage{}).Where("id IN ?", ids).Updates(map[string]any{
		"raw": []byte{}, "sender": "", "subject": "", "recipients": "", "last_error": ""}).Error
	if err != nil {
		return 0, nil, fmt.Errorf("empty the mails: %w", err)
	}
	return len(mails), shas, nil
}

// removeArticleFiles removes the file rows of the articles and returns
// their sums.
func removeArticleFiles(tx *gorm.DB, arts []Article) ([]string, error) {
	var shas []string
	var artIDs []int64
	for _, a := range arts {
		if len(a.Files) > 0 {
			artIDs = append(artIDs, a.ID)
		}
		for _, f := range a.Files {
			shas = append(shas, f.SHA256)
		}
	}
	if len(artIDs) == 0 {
		return nil, nil
	}
	if err := tx.Where("article_id IN ?", artIDs).Delete(&ArticleFile{}).Error; err != nil {
		return nil, fmt.Errorf("remove the articles' files: %w", err)
	}
	return shas, nil
}

// deleteUnusedAttachments deletes the contents of the sums that nothing
// refers to any more: no mail, no article (of a ticket not anonymised:
// an anonymised one has none left) and no FAQ entry. It returns how many
// it deleted.
func deleteUnusedAttachments(tx *gorm.DB, shas []string) (int, error) {
	files, seen := 0, map[string]bool{}
	for _, sha := range shas {
		if seen[sha] {
			continue
		}
		seen[sha] = true
		r := tx.Where("sha256 = ?", sha).
			Where("NOT EXISTS (SELECT 1 FROM mail_attachments m WHERE m.sha256 = attachments.sha256)").
			Where("NOT EXISTS (SELECT 1 FROM article_files f WHERE f.sha256 = attachments.sha256)").
			Where("NOT EXISTS (SELECT 1 FROM faq_attachments q WHERE q.sha256 = attachments.sha256)").
			Delete(&Attachment{})
		if r.Error != nil {
			return 0, fmt.Errorf("delete attachment: %w", r.Error)
		}
		files += int(r.RowsAffected)
	}
	return files, nil
}

// sameArticle compares two articles, their files by content.
func sameArticle(a, b Article) bool {
	if len(a.Files) != len(b.Files) {
		return false
	}
	for i := range a.Files {
		if a.Files[i] != b.Files[i] {
			return false
		}
	}
	a.Files, b.Files = nil, nil
	return reflect.DeepEqual(a, b)
}

// scrubber replaces a customer's personal data in texts.
type scrubber struct {
	pseudonym string
	words     []string // longest first, so a mail address goes before the login in it
}

func newScrubber(c Customer, mails []MailMessage) scrubber {
	s := scrubber{pseudonym: fmt.Sprintf("[anonymised customer %d]", c.ID)}
	seen := map[string]bool{}
	add := func(w string) {
		w = strings.TrimSpace(w)
		// Very short values (a one-letter name) would rewrite ordinary
		// words; mail addresses go by the pattern anyway.
		if len([]rune(w)) >= 3 && !seen[strings.ToLower(w)] {
			seen[strings.ToLower(w)] = true
			s.words = append(s.words, w)
		}
	}
	add(c.Name)
	add(c.Login)
	add(c.Email)
	add(c.Phone)
	for _, part := range strings.Fields(c.Name) {
		add(part)
	}
	for _, m := range mails {
		add(m.Sender)
	}
	sort.SliceStable(s.words, func(i, j int) bool { return len(s.words[i]) > len(s.words[j]) })
	return s
}

func (s scrubber) text(t string) string {
	if t == "" {
		return t
	}
	t = mailAddress.ReplaceAllString(t, "[e-mail removed]")
	for _, w := range s.words {
		t = replaceFold(t, w, s.pseudonym)
	}
	return t
}

// replaceFold replaces every occurrence of old in s, ignoring case.
func replaceFold(s, old, repl string) string {
	re := regexp.MustCompile(`(?i)` + regexp.QuoteMeta(old))
	return re.ReplaceAllLiteralString(s, repl)
}

// CustomerTicketsToErase lists up to limit of a customer's closed
// tickets, ids above afterID, that an erasure request anonymises: all not
// anonymised yet (the desk refuses the request while one is open).
func CustomerTicketsToErase(ctx context.Context, db *gorm.DB, tenantID, customerID, afterID int64, limit int) ([]RetentionDue, error) {
	var ts []Ticket
	err := db.WithContext(ctx).Select("id, tenant_id, number, title, closed_at").
		Where("tenant_id = ? AND customer_id = ? AND anonymised_at IS NULL AND id > ?", tenantID, customerID, afterID).
		Where("state IN ?", ClosedStates).
		Order("id").Limit(limit).Find(&ts).Error
	if err != nil {
		return nil, fmt.Errorf("tickets of customer %d: %w", customerID, err)
	}
	out := make([]RetentionDue, len(ts))
	for i, t := range ts {
		out[i] = RetentionDue{TicketID: t.ID, TenantID: t.TenantID, Number: t.Number, Title: t.Title,
			Action: ActionAnonymise, Mode: AnonymisePseudonymise}
		if t.ClosedAt != nil {
			out[i].ClosedAt = *t.ClosedAt
		}
	}
	return out, nil
}

// OpenTicketsOf lists the customer's tickets not in a closed state.
func OpenTicketsOf(ctx context.Context, db *gorm.DB, tenantID, customerID int64) ([]Ticket, error) {
	var ts []Ticket
	err := db.WithContext(ctx).Where("tenant_id = ? AND customer_id = ? AND state NOT IN ?", tenantID, customerID, ClosedStates).
		Order("id").Find(&ts).Error
	return ts, wrap(err, "open tickets of the customer")
}

// ErasureCandidates finds the tenant's customers whose login, name or
// mail contains query, inactive and external ones too (a mail sender
// may ask to be forgotten), but not the anonymous customer nor one
// erased already.
func ErasureCandidates(ctx context.Context, db *gorm.DB, tenantID int64, query string, limit int) ([]Customer, error) {
	like := "%" + strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(strings.ToLower(query)) + "%"
	var cs []Customer
	err := db.WithContext(ctx).Where("tenant_id = ? AND login <> ? AND login NOT LIKE 'erased-%'", tenantID, AnonymousLogin).
		Where(`LOWER(login) LIKE ? ESCAPE '\' OR LOWER(name) LIKE ? ESCAPE '\' OR LOWER(email) LIKE ? ESCAPE '\'`, like, like, like).
		Order("name, login").Limit(limit).Find(&cs).Error
	return cs, wrap(err, "find customers to erase")
}

// IsErased tells whether c is the anonymous customer or was erased.
func (c Customer) IsErased() bool {
	return c.Login == AnonymousLogin || strings.HasPrefix(c.Login, "erased-")
}

// PseudonymiseCustomer replaces the customer row's personal data by a
// pseudonym and deactivates it; the row stays, so that nothing refers to
// a customer that is gone. The FAQ deflections the customer left lose
// the customer and the text typed: reports count them still.
func PseudonymiseCustomer(ctx context.Context, db *gorm.DB, tenantID, customerID int64) error {
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		r := tx.Model(&Customer{}).Where("tenant_id = ? AND id = ?", tenantID, customerID).Updates(map[string]any{
			"login": fmt.Sprintf("erased-%d", customerID), "name": fmt.Sprintf("[erased customer %d]", customerID),
			"email": "", "phone": "", "department": "", "company_id": nil, "active": false})
		if r.Error != nil {
			return r.Error
		}
		if r.RowsAffected == 0 {
			return fmt.Errorf("customer %d: %w", customerID, ErrNotFound)
		}
		return tx.Model(&FAQDeflection{}).Where("tenant_id = ? AND customer_id = ?", tenantID, customerID).
			Updates(map[string]any{"customer_id": nil, "text": ""}).Error
	})
	return wrap(err, "pseudonymise customer")
}
