package models

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// SearchQuery is one search over a tenant's tickets: words and field
// filters; zero values filter nothing.
type SearchQuery struct {
	TenantID int64
	// Queues are the queues whose tickets may be found: the ones the
	// agent may read. None: nothing is found.
	Queues []int64
	// Text is what the agent typed: words, "phrases", -excluded, or.
	// Empty: a filtered list, newest first.
	Text                                            string
	State                                           string
	Level                                           string
	QueueID, ServiceID, TypeID, PriorityID, OwnerID int64
	CustomerLogin                                   string
	// CreatedFrom and CreatedBefore bound the creation time: from
	// inclusive, before exclusive.
	CreatedFrom, CreatedBefore time.Time
	// Archived: also find tickets retention archived (the archive
	// filter); by default they are left out.
	Archived      bool
	Offset, Limit int
}

// SearchHit is a ticket found, how well it matched (higher is better; 0
// without text) and a snippet of where: the text with each match between
// MarkStart and MarkEnd. The snippet is plain text from tickets and mail,
// never HTML.
type SearchHit struct {
	TicketRow
	Rank    float64
	Snippet string
}

// The marks around the matches in a snippet: control characters, which
// ticket text does not hold (the desk refuses them in titles and
// articles, and the query removes any from the text it marks).
const (
	MarkStart = "\x01"
	MarkEnd   = "\x02"
)

// SearchTickets returns the page of tickets matching q: ranked when there
// is text, newest first otherwise. Words are matched per text — the title
// or one article — so all words (and none excluded) must be in the same
// one. Only tickets in q.Queues are looked at,
// so a ticket the agent may not read is neither found nor counted.
func SearchTickets(ctx context.Context, db *gorm.DB, q SearchQuery) ([]SearchHit, error) {
	if len(q.Queues) == 0 || q.Limit <= 0 {
		return nil, nil
	}
	where, args := searchFilters(q)
	var hits []SearchHit
	var err error
	switch {
	case strings.TrimSpace(q.Text) == "":
		page := db.Table("tickets").Select("tickets.id").Where(where, args...).
			Order("tickets.created_at DESC, tickets.id DESC").Limit(q.Limit).Offset(q.Offset)
		err = pageRows(ctx, db, page).Order("tickets.created_at DESC, tickets.id DESC").Scan(&hits).Error
	case db.Dialector.Name() == "postgres":
		hits, err = searchPostgres(ctx, db, q, where, args)
	default:
		hits, err = searchSQLite(ctx, db, q, where, args)
	}
	return hits, wrap(err, "search tickets")
}

// searchFilters is the WHERE clause on tickets of q's filters.
func searchFilters(q SearchQuery) (string, []any) {
	w := []string{"tickets.tenant_id = ?", "tickets.queue_id IN ?"}
	args := []any{q.TenantID, q.Queues}
	add := func(cond string, v any) {
		w = append(w, cond)
		args = append(args, v)
	}
	if q.State != "" {
		add("tickets.state = ?", q.State)
	}
	if q.Level != "" {
		add("tickets.level = ?", q.Level)
	}
	if q.QueueID != 0 {
		add("tickets.queue_id = ?", q.QueueID)
	}
	if q.ServiceID != 0 {
		add("tickets.service_id = ?", q.ServiceID)
	}
	if q.TypeID != 0 {
		add("tickets.type_id = ?", q.TypeID)
	}
	if q.PriorityID != 0 {
		add("tickets.priority_id = ?", q.PriorityID)
	}
	if q.OwnerID != 0 {
		add("tickets.owner_id = ?", q.OwnerID)
	}
	if q.CustomerLogin != "" {
		w = append(w, "tickets.customer_id IN (SELECT id FROM customers WHERE tenant_id = ? AND login = ?)")
		args = append(args, q.TenantID, q.CustomerLogin)
	}
	if !q.CreatedFrom.IsZero() {
		add("tickets.created_at >= ?", q.CreatedFrom.UTC())
	}
	if !q.CreatedBefore.IsZero() {
		add("tickets.created_at < ?", q.CreatedBefore.UTC())
	}
	if !q.Archived {
		w = append(w, "tickets.archived_at IS NULL")
	}
	return strings.Join(w, " AND "), args
}

// pgVector is a text's document in both languages' configurations, as the
// GIN indexes of migration 00014 hold it; the query must use the same
// expressions for the indexes to be used.
const (
	pgArticleDE = `a.search_de` // stored: migration 00014
	pgArticleEN = `a.search_en`
	pgTitleDE   = `to_tsvector('german', t.title)`
	pgTitleEN   = `to_tsvector('english', t.title)`
)

// pgHeadline marks the matches of the search's query in text, in the
// configuration whose query matches it; marks already in the text are
// removed first, so every mark is one PostgreSQL set.
func pgHeadline(text string) string {
	clean := fmt.Sprintf("translate(%s, chr(1) || chr(2), '')", text)
	opts := `'StartSel=' || chr(1) || ', StopSel=' || chr(2) || ', MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter=" … "'`
	return fmt.Sprintf(`CASE WHEN to_tsvector('german', %[1]s) @@ q.de THEN ts_headline('german', %[1]s, q.de, %[2]s)
		ELSE ts_headline('english', %[1]s, q.en, %[2]s) END`, clean, opts)
}

// searchPostgres ranks the tickets whose title or one of whose articles
// matches the text in German or in English (websearch_to_tsquery takes
// any input without a syntax error); a title counts twice. Snippets are
// made for the page only.
func searchPostgres(ctx context.Context, db *gorm.DB, q SearchQuery, where string, args []any) ([]SearchHit, error) {
	sql := `WITH q AS (SELECT websearch_to_tsquery('german', ?) AS de, websearch_to_tsquery('english', ?) AS en),
hits AS (
	SELECT a.ticket_id, a.id AS article_id, GREATEST(ts_rank(` + pgArticleDE + `, q.de), ts_rank(` + pgArticleEN + `, q.en)) AS rank
	FROM articles a, q WHERE ` + pgArticleDE + ` @@ q.de OR ` + pgArticleEN + ` @@ q.en
	UNION ALL
	SELECT t.id, 0, 2 * GREATEST(ts_rank(` + pgTitleDE + `, q.de), ts_rank(` + pgTitleEN + `, q.en))
	FROM tickets t, q WHERE ` + pgTitleDE + ` @@ q.de OR ` + pgTitleEN + ` @@ q.en
),
best AS (SELECT DISTINCT ON (ticket_id) ticket_id, article_id, rank FROM hits ORDER BY ticket_id, rank DESC, article_id),
page AS (
	SELECT tickets.id, best.article_id, best.rank FROM best JOIN tickets ON tickets.id = best.ticket_id
	WHERE ` + where + `
	ORDER BY best.rank DESC, tickets.created_at DESC, tickets.id DESC LIMIT ? OFFSET ?
)
SELECT ` + ticketRowColumns + `, page.rank,
	CASE WHEN page.article_id = 0 THEN ` + pgHeadline("tickets.title") + `
	ELSE (SELECT ` + pgHeadline("a.subject || ' ' || a.body") + ` FROM articles a WHERE a.id = page.article_id) END AS snippet
FROM page JOIN tickets ON tickets.id = page.id, q
ORDER BY page.rank DESC, tickets.created_at DESC, tickets.id DESC`
	all := append([]any{q.Text, q.Text}, args...)
	all = append(all, q.Limit, q.Offset)
	var hits []SearchHit
	err := db.WithContext(ctx).Raw(sql, all...).Scan(&hits).Error
	return hits, err
}

// searchSQLite ranks by bm25 over the FTS5 tables of migration 00014; a
// title counts twice. The user's words go in as quoted strings, so no
// input is FTS5 syntax.
func searchSQLite(ctx context.Context, db *gorm.DB, q SearchQuery, where string, args []any) ([]SearchHit, error) {
	match := FTS5Query(q.Text)
	if match == "" {
		return nil, nil
	}
	sql := `WITH hits AS (
	SELECT articles.ticket_id AS ticket_id, bm25(articles_fts) AS score,
		snippet(articles_fts, -1, char(1), char(2), '…', 16) AS snip
	FROM articles_fts JOIN articles ON articles.id = articles_fts.rowid WHERE articles_fts MATCH ?
	UNION ALL
	SELECT tickets_fts.rowid, 2 * bm25(tickets_fts), snippet(tickets_fts, -1, char(1), char(2), '…', 16)
	FROM tickets_fts WHERE tickets_fts MATCH ?
),
best AS (SELECT ticket_id, MIN(score) AS score, snip FROM hits GROUP BY ticket_id),
page AS (
	SELECT tickets.id, -best.score AS rank, best.snip FROM best JOIN tickets ON tickets.id = best.ticket_id
	WHERE ` + where + `
	ORDER BY best.score, tickets.created_at DESC, tickets.id DESC LIMIT ? OFFSET ?
)
SELECT ` + ticketRowColumns + `, page.rank, page.snip AS snippet
FROM page JOIN tickets ON tickets.id = page.id
ORDER BY page.rank DESC, tickets.created_at DESC, tickets.id DESC`
	all := append([]any{match, match}, args...)
	all = append(all, q.Limit, q.Offset)
	var hits []SearchHit
	err := db.WithContext(ctx).Raw(sql, all...).Scan(&hits).Error
	return hits, err
}

// FTS5Query turns what an agent typed into an FTS5 query with the meaning
// websearch_to_tsquery gives it on PostgreSQL: words and "quoted phrases"
// must all occur, "or" between two of them lets either do, a leading "-"
// excludes. Every word goes in as a quoted string, so nothing typed is
// FTS5 syntax; words without a letter or digit are dropped. "" when
// nothing searchable is left.
func FTS5Query(text string) string {
	type term struct {
		s   string
		neg bool
	}
	var terms []term
	var orNext []bool // orNext[i]: terms[i] is joined to terms[i-1] by or
	pendingOr := false
	rs := []rune(text)
	for i := 0; i < len(rs); {
		if unicode.IsSpace(rs[i]) {
			i++
			continue
		}
		neg := false
		if rs[i] == '-' {
			neg = true
			i++
		}
		var word string
		if i < len(rs) && rs[i] == '"' {
			j := i + 1
			for j < len(rs) && rs[j] != '"' {
				j++
			}
			word = string(rs[i+1 : min(j, len(rs))])
			i = j + 1
		} else {
			j := i
			for j < len(rs) && !unicode.IsSpace(rs[j]) && rs[j] != '"' {
				j++
			}
			word = string(rs[i:j])
			i = j
			if !neg && strings.EqualFold(word, "or") && len(terms) > 0 {
				pendingOr = true
				continue
			}
		}
		if !strings.ContainsFunc(word, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) {
			continue
		}
		terms = append(terms, term{`"` + strings.ReplaceAll(word, `"`, `""`) + `"`, neg})
		orNext = append(orNext, pendingOr && !neg)
		pendingOr = false
	}
	var groups [][]string // ANDed groups of ORed words
	var negs []string
	for i, t := range terms {
		switch {
		case t.neg:
			negs = append(negs, t.s)
		case orNext[i] && len(groups) > 0:
			groups[len(groups)-1] = append(groups[len(groups)-1], t.s)
		default:
			groups = append(groups, []string{t.s})
		}
	}
	if len(groups) == 0 {
		return ""
	}
	parts := make([]string, len(groups))
	for i, g := range groups {
		parts[i] = "(" + strings.Join(g, " OR ") + ")"
	}
	out := strings.Join(parts, " AND ")
	if len(negs) > 0 {
		out = "(" + out + ") NOT (" + strings.Join(negs, " OR ") + ")"
	}
	return out
}

// SavedSearch is a search an agent keeps under a name: Query is the
// search form's fields as a URL query string.
type SavedSearch struct {
	ID        int64
	AgentID   int64
	Name      string
	Query     string
	CreatedAt time.Time
}

// SavedSearches lists the agent's saved searches by name.
func SavedSearches(ctx context.Context, db *gorm.DB, agentID int64) ([]SavedSearch, error) {
	var ss []SavedSearch
	err := db.WithContext(ctx).Where("agent_id = ?", agentID).Order("name, id").Find(&ss).Error
	return ss, wrap(err, "saved searches")
}

// SaveSearch keeps a search under name for the agent; a search saved
// under the same name before is replaced.
func SaveSearch(ctx context.Context, db *gorm.DB, s SavedSearch) error {
	err := db.WithContext(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "agent_id"}, {Name: "name"}},
		DoUpdates: clause.AssignmentColumns([]string{"query", "created_at"}),
	}).Create(&s).Error
	return wrap(err, "save search "+s.Name)
}

// DeleteSavedSearch removes the agent's saved search id; another agent's
// is not found.
func DeleteSavedSearch(ctx context.Context, db *gorm.DB, agentID, id int64) error {
	res := db.WithContext(ctx).Where("id = ? AND agent_id = ?", id, agentID).Delete(&SavedSearch{})
	if res.Error != nil {
		return fmt.Errorf("delete saved search %d: %w", id, res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("saved search %d: %w", id, ErrNotFound)
	}
	return nil
}
