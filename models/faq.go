package models

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// FAQVisibility is who may read an FAQ entry: agents only, customers
// logged in (and agents), or anyone.
type FAQVisibility string

const (
	FAQInternal FAQVisibility = "internal"
	FAQCustomer FAQVisibility = "customer"
	FAQPublic   FAQVisibility = "public"
)

// FAQVisibilities lists the tiers, the most restricted first.
var FAQVisibilities = []FAQVisibility{FAQInternal, FAQCustomer, FAQPublic}

// FAQState is where an entry stands on its way to readers.
type FAQState string

const (
	FAQDraft     FAQState = "draft"
	FAQAwaiting  FAQState = "awaiting approval"
	FAQPublished FAQState = "published"
	FAQWithdrawn FAQState = "withdrawn"
)

// FAQStates lists the states in their order.
var FAQStates = []FAQState{FAQDraft, FAQAwaiting, FAQPublished, FAQWithdrawn}

// FAQText is an entry's words in both languages.
type FAQText struct {
	TitleDE    string `gorm:"column:title_de"`
	QuestionDE string `gorm:"column:question_de"`
	AnswerDE   string `gorm:"column:answer_de"`
	TitleEN    string `gorm:"column:title_en"`
	QuestionEN string `gorm:"column:question_en"`
	AnswerEN   string `gorm:"column:answer_en"`
}

// In returns the title, question and answer in lang ("de" or "en"),
// falling back to the other language where this one is empty.
func (t FAQText) In(lang string) (title, question, answer string) {
	pick := func(de, en string) string {
		if lang == "en" && strings.TrimSpace(en) != "" || strings.TrimSpace(de) == "" {
			return en
		}
		return de
	}
	return pick(t.TitleDE, t.TitleEN), pick(t.QuestionDE, t.QuestionEN), pick(t.AnswerDE, t.AnswerEN)
}

// FAQEntry is the current state of an FAQ entry; its ID stays the same
// across versions, so links to it stay valid.
type FAQEntry struct {
	ID          int64
	TenantID    int64
	ServiceID   *int64
	Visibility  FAQVisibility
	State       FAQState
	Version     int
	FAQText     `gorm:"embedded"`
	AuthorID    int64
	EditorID    int64
	ApprovedBy  *int64
	PublishedAt *time.Time
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// FAQVersion is one saved version of an entry: who, when, what.
type FAQVersion struct {
	FAQID      int64 `gorm:"column:faq_id;primaryKey;autoIncrement:false"`
	Version    int   `gorm:"primaryKey;autoIncrement:false"`
	AgentID    int64
	AgentName  string
	Action     string
	ServiceID  *int64
	Visibility FAQVisibility
	FAQText    `gorm:"embedded"`
	CreatedAt  time.Time
}

// FAQTicket links an entry and a ticket.
type FAQTicket struct {
	FAQID     int64 `gorm:"column:faq_id;primaryKey;autoIncrement:false"`
	TicketID  int64 `gorm:"primaryKey;autoIncrement:false"`
	CreatedAt time.Time
}

// FAQAttachment is a file of an entry; the content is in attachments.
type FAQAttachment struct {
	FAQID       int64  `gorm:"column:faq_id;primaryKey;autoIncrement:false"`
	Seq         int    `gorm:"primaryKey;autoIncrement:false"`
	SHA256      string `gorm:"column:sha256"`
	Filename    string
	ContentType string
	CreatedAt   time.Time
}

// FAQDeflection is a ticket that was not opened: the customer found the
// answer in an entry.
type FAQDeflection struct {
	ID         int64
	TenantID   int64
	FAQID      int64 `gorm:"column:faq_id"`
	CustomerID *int64
	ServiceID  *int64
	Text       string
	CreatedAt  time.Time
}

// FAQRolePermission is what a role may do with FAQ entries.
type FAQRolePermission struct {
	RoleID int64  `gorm:"primaryKey;autoIncrement:false"`
	Perm   string `gorm:"primaryKey"`
}

// FAQApprovalRule: publishing in the tenant (ServiceID 0) or in the
// service's category and below needs a second agent's approval.
type FAQApprovalRule struct {
	TenantID  int64 `gorm:"primaryKey;autoIncrement:false"`
	ServiceID int64 `gorm:"primaryKey;autoIncrement:false"`
}

// ErrFAQChanged: the entry changed since the agent read it (another
// save or state change came first); nothing was written.
var ErrFAQChanged = errors.New("the FAQ entry changed meanwhile")

// FAQ permissions of a role.
const (
	FAQPermEdit    = "edit"
	FAQPermPublish = "publish"
)

// FAQPerms returns the FAQ permissions of an agent's active roles.
func FAQPerms(ctx context.Context, db *gorm.DB, tenantID, agentID int64) ([]string, error) {
	var perms []string
	err := db.WithContext(ctx).Raw(`SELECT DISTINCT fp.perm FROM faq_role_permissions fp
JOIN roles r ON r.id = fp.role_id AND r.active AND r.tenant_id = ?
JOIN agent_roles ar ON ar.role_id = r.id AND ar.agent_id = ?
ORDER BY fp.perm`, tenantID, agentID).Scan(&perms).Error
	return perms, wrap(err, fmt.Sprintf("FAQ permissions of agent %d", agentID))
}

// GrantFAQPerm gives a role an FAQ permission; twice is once.
func GrantFAQPerm(ctx context.Context, db *gorm.DB, roleID int64, perm string) error {
	err := db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&FAQRolePermission{RoleID: roleID, Perm: perm}).Error
	return wrap(err, fmt.Sprintf("FAQ permission %s of role %d", perm, roleID))
}

// RequireFAQApproval makes publishing in the tenant (serviceID 0) or a
// category need a second agent's approval.
func RequireFAQApproval(ctx context.Context, db *gorm.DB, tenantID, serviceID int64) error {
	err := db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&FAQApprovalRule{TenantID: tenantID, ServiceID: serviceID}).Error
	return wrap(err, "FAQ approval rule")
}

// FAQApprovalRules returns the tenant's rules' service IDs (0: all).
func FAQApprovalRules(ctx context.Context, db *gorm.DB, tenantID int64) ([]int64, error) {
	var ids []int64
	err := db.WithContext(ctx).Model(&FAQApprovalRule{}).Where("tenant_id = ?", tenantID).Order("service_id").Pluck("service_id", &ids).Error
	return ids, wrap(err, "FAQ approval rules")
}

// FAQByID returns a tenant's entry.
func FAQByID(ctx context.Context, db *gorm.DB, tenantID, id int64) (FAQEntry, error) {
	var e FAQEntry
	err := db.WithContext(ctx).Omit("search_de", "search_en").Where("tenant_id = ? AND id = ?", tenantID, id).Take(&e).Error
	return e, notFound(err, fmt.Sprintf("FAQ entry %d", id))
}

// SaveFAQ stores the entry (new when its ID is 0) and its next version,
// in one transaction; version v.Version must be the entry's. A save whose
// base version is not the current one loses against the other: the
// caller gets ErrFAQChanged.
func SaveFAQ(ctx context.Context, db *gorm.DB, e *FAQEntry, v FAQVersion, base int) error {
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if e.ID == 0 {
			if err := tx.Omit("search_de", "search_en").Create(e).Error; err != nil {
				return err
			}
		} else {
			res := tx.Model(&FAQEntry{}).Where("id = ? AND tenant_id = ? AND version = ?", e.ID, e.TenantID, base).
				Select("service_id", "visibility", "state", "version", "title_de", "question_de", "answer_de",
					"title_en", "question_en", "answer_en", "editor_id", "approved_by", "published_at", "updated_at").
				Updates(e)
			if res.Error != nil {
				return res.Error
			}
			if res.RowsAffected == 0 {
				return fmt.Errorf("FAQ entry %d is no longer at version %d: %w", e.ID, base, ErrFAQChanged)
			}
		}
		v.FAQID = e.ID
		return tx.Create(&v).Error
	})
	return wrap(err, fmt.Sprintf("save FAQ entry %d", e.ID))
}

// SetFAQState changes an entry's state (no new text, no new version).
func SetFAQState(ctx context.Context, db *gorm.DB, e FAQEntry, from FAQState) error {
	res := db.WithContext(ctx).Model(&FAQEntry{}).Where("id = ? AND tenant_id = ? AND state = ? AND version = ?", e.ID, e.TenantID, from, e.Version).
		Select("state", "approved_by", "published_at", "updated_at").Updates(&e)
	if res.Error != nil {
		return wrap(res.Error, fmt.Sprintf("FAQ entry %d state", e.ID))
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("FAQ entry %d changed meanwhile: %w", e.ID, ErrFAQChanged)
	}
	return nil
}

// FAQVersions returns an entry's versions, newest first.
func FAQVersions(ctx context.Context, db *gorm.DB, faqID int64) ([]FAQVersion, error) {
	var vs []FAQVersion
	err := db.WithContext(ctx).Where("faq_id = ?", faqID).Order("version DESC").Find(&vs).Error
	return vs, wrap(err, fmt.Sprintf("versions of FAQ entry %d", faqID))
}

// FAQListQuery selects a tenant's entries.
type FAQListQuery struct {
	TenantID     int64
	Visibilities []FAQVisibility
	// States: none means every state.
	States    []FAQState
	ServiceID int64
	Limit     int
}

// FAQList returns the entries of q, newest change first.
func FAQList(ctx context.Context, db *gorm.DB, q FAQListQuery) ([]FAQEntry, error) {
	var es []FAQEntry
	tx := db.WithContext(ctx).Omit("search_de", "search_en").Where("tenant_id = ? AND visibility IN ?", q.TenantID, q.Visibilities)
	if len(q.States) > 0 {
		tx = tx.Where("state IN ?", q.States)
	}
	if q.ServiceID != 0 {
		tx = tx.Where("service_id = ?", q.ServiceID)
	}
	if q.Limit > 0 {
		tx = tx.Limit(q.Limit)
	}
	err := tx.Order("updated_at DESC, id DESC").Find(&es).Error
	return es, wrap(err, "list FAQ entries")
}

// FAQHit is an entry found by words, how well it matched (higher is
// better) and a snippet with the matches between MarkStart and MarkEnd.
type FAQHit struct {
	FAQEntry
	Rank    float64
	Snippet string
}

// SearchFAQ ranks q's entries matching text in German or English: on
// PostgreSQL by ts_rank over both languages' weighted vectors (title A,
// question B, answer C), on SQLite by bm25 over FTS5 with the titles
// weighing most. lang picks the snippet's language.
func SearchFAQ(ctx context.Context, db *gorm.DB, q FAQListQuery, text, lang string) ([]FAQHit, error) {
	if strings.TrimSpace(text) == "" || len(q.Visibilities) == 0 {
		return nil, nil
	}
	limit := q.Limit
	if limit <= 0 {
		limit = 20
	}
	where := []string{"e.tenant_id = ?", "e.visibility IN ?"}
	args := []any{q.TenantID, q.Visibilities}
	if len(q.States) > 0 {
		where = append(where, "e.state IN ?")
		args = append(args, q.States)
	}
	if q.ServiceID != 0 {
		where = append(where, "e.service_id = ?")
		args = append(args, q.ServiceID)
	}
	cols := `e.id, e.tenant_id, e.service_id, e.visibility, e.state, e.version, e.title_de, e.question_de, e.answer_de,
	e.title_en, e.question_en, e.answer_en, e.author_id, e.editor_id, e.approved_by, e.published_at, e.created_at, e.updated_at`
	var hits []FAQHit
	var err error
	if db.Dialector.Name() == "postgres" {
		answer := "e.question_de || ' ' || e.answer_de"
		if lang == "en" {
			answer = "e.question_en || ' ' || e.answer_en"
		}
		clean := fmt.Sprintf("translate(%s, chr(1) || chr(2), '')", answer)
		opts := `'StartSel=' || chr(1) || ', StopSel=' || chr(2) || ', MaxWords=25, MinWords=10, MaxFragments=1'`
		sql := `WITH q AS (SELECT websearch_to_tsquery('german', ?) AS de, websearch_to_tsquery('english', ?) AS en)
SELECT ` + cols + `, GREATEST(ts_rank(e.search_de, q.de), ts_rank(e.search_en, q.en)) AS rank,
	CASE WHEN to_tsvector('german', ` + clean + `) @@ q.de THEN ts_headline('german', ` + clean + `, q.de, ` + opts + `)
	ELSE ts_headline('english', ` + clean + `, q.en, ` + opts + `) END AS snippet
FROM faq_entries e, q WHERE (e.search_de @@ q.de OR e.search_en @@ q.en) AND ` + strings.Join(where, " AND ") + `
ORDER BY rank DESC, e.id DESC LIMIT ?`
		all := append([]any{text, text}, args...)
		err = db.WithContext(ctx).Raw(sql, append(all, limit)...).Scan(&hits).Error
	} else {
		match := FTS5Query(text)
		if match == "" {
			return nil, nil
		}
		// Columns: title, question, answer in German, then English; the
		// snippet from the reader's language's answer (column 2 or 5).
		col := 2
		if lang == "en" {
			col = 5
		}
		sql := `SELECT ` + cols + `, -bm25(faq_fts, 4, 2, 1, 4, 2, 1) AS rank,
	snippet(faq_fts, ` + fmt.Sprint(col) + `, char(1), char(2), '…', 16) AS snippet
FROM faq_fts JOIN faq_entries e ON e.id = faq_fts.rowid
WHERE faq_fts MATCH ? AND ` + strings.Join(where, " AND ") + `
ORDER BY rank DESC, e.id DESC LIMIT ?`
		all := append([]any{match}, args...)
		err = db.WithContext(ctx).Raw(sql, append(all, limit)...).Scan(&hits).Error
	}
	return hits, wrap(err, "search FAQ entries")
}

// LinkFAQTicket links an entry and a ticket; twice is once.
func LinkFAQTicket(ctx context.Context, db *gorm.DB, faqID, ticketID int64, now time.Time) error {
	err := db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).
		Create(&FAQTicket{FAQID: faqID, TicketID: ticketID, CreatedAt: dbTime(now)}).Error
	return wrap(err, fmt.Sprintf("link FAQ entry %d with ticket %d", faqID, ticketID))
}

// FAQTickets returns the tickets linked with an entry.
func FAQTickets(ctx context.Context, db *gorm.DB, tenantID, faqID int64) ([]TicketRow, error) {
	var rows []TicketRow
	err := db.WithContext(ctx).Table("tickets").Select(ticketRowColumns).
		Joins("JOIN faq_tickets ft ON ft.ticket_id = tickets.id").
		Where("ft.faq_id = ? AND tickets.tenant_id = ?", faqID, tenantID).Order("tickets.id").Scan(&rows).Error
	return rows, wrap(err, fmt.Sprintf("tickets of FAQ entry %d", faqID))
}

// TicketFAQs returns the entries linked with a ticket.
func TicketFAQs(ctx context.Context, db *gorm.DB, tenantID, ticketID int64) ([]FAQEntry, error) {
	var es []FAQEntry
	err := db.WithContext(ctx).Omit("search_de", "search_en").Where("tenant_id = ? AND id IN (?)", tenantID,
		db.Model(&FAQTicket{}).Select("faq_id").Where("ticket_id = ?", ticketID)).Order("id").Find(&es).Error
	return es, wrap(err, fmt.Sprintf("FAQ entries of ticket %d", ticketID))
}

// AddFAQAttachment stores a file's content once and attaches it to the
// entry as its next file.
func AddFAQAttachment(ctx context.Context, db *gorm.DB, faqID int64, f AttachmentFile, now time.Time) (FAQAttachment, error) {
	var row FAQAttachment
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		sum := sha256.Sum256(f.Data)
		a := Attachment{SHA256: hex.EncodeToString(sum[:]), Size: int64(len(f.Data)), Data: f.Data, CreatedAt: dbTime(now)}
		if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&a).Error; err != nil {
			return err
		}
		var last int
		if err := tx.Model(&FAQAttachment{}).Where("faq_id = ?", faqID).Select("COALESCE(MAX(seq), 0)").Scan(&last).Error; err != nil {
			return err
		}
		row = FAQAttachment{FAQID: faqID, Seq: last + 1, SHA256: a.SHA256, Filename: f.Filename, ContentType: f.ContentType, CreatedAt: dbTime(now)}
		return tx.Create(&row).Error
	})
	return row, wrap(err, fmt.Sprintf("attach %q to FAQ entry %d", f.Filename, faqID))
}

// FAQAttachments lists an entry's files without their content.
func FAQAttachments(ctx context.Context, db *gorm.DB, faqID int64) ([]FAQAttachment, error) {
	var as []FAQAttachment
	err := db.WithContext(ctx).Where("faq_id = ?", faqID).Order("seq").Find(&as).Error
	return as, wrap(err, fmt.Sprintf("files of FAQ entry %d", faqID))
}

// FAQAttachmentData returns one file of an entry with its content.
func FAQAttachmentData(ctx context.Context, db *gorm.DB, faqID int64, seq int) (FAQAttachment, []byte, error) {
	var row FAQAttachment
	if err := db.WithContext(ctx).Where("faq_id = ? AND seq = ?", faqID, seq).Take(&row).Error; err != nil {
		return row, nil, notFound(err, fmt.Sprintf("file %d of FAQ entry %d", seq, faqID))
	}
	var a Attachment
	if err := db.WithContext(ctx).Where("sha256 = ?", row.SHA256).Take(&a).Error; err != nil {
		return row, nil, notFound(err, "attachment "+row.SHA256)
	}
	return row, a.Data, nil
}

// RecordFAQDeflection keeps a deflected ticket.
func RecordFAQDeflection(ctx context.Context, db *gorm.DB, d *FAQDeflection) error {
	d.CreatedAt = dbTime(d.CreatedAt)
	return wrap(db.WithContext(ctx).Create(d).Error, fmt.Sprintf("deflection by FAQ entry %d", d.FAQID))
}

// CountFAQDeflections counts a tenant's deflected tickets in [from, to).
func CountFAQDeflections(ctx context.Context, db *gorm.DB, tenantID int64, from, to time.Time) (int64, error) {
	var n int64
	err := db.WithContext(ctx).Model(&FAQDeflection{}).Where("tenant_id = ? AND created_at >= ? AND created_at < ?", tenantID, dbTime(from), dbTime(to)).Count(&n).Error
	return n, wrap(err, "count deflections")
}
