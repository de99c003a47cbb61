package models

import (
	"context"
	"fmt"
	"math"
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
	// Candidates bounds a search with text: only the newest Candidates
	// articles and the newest Candidates titles that match (by ID, of the
	// tickets the filters keep) are ranked; 0: all are.
	Candidates int
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
//
// capped tells that more texts matched than q.Candidates, so that only
// the newest of them were ranked: a word in one of seven articles would
// otherwise have the database read and rank tens of thousands of them
// (up to a second at 500,000 articles) for a page of 50.
func SearchTickets(ctx context.Context, db *gorm.DB, q SearchQuery) (hits []SearchHit, capped bool, err error) {
	if len(q.Queues) == 0 || q.Limit <= 0 {
		return nil, false, nil
	}
	where, args := searchFilters(q)
	switch {
	case strings.TrimSpace(q.Text) == "":
		page := db.Table("tickets").Select("tickets.id").Where(where, args...).
			Order("tickets.created_at DESC, tickets.id DESC").Limit(q.Limit).Offset(q.Offset)
		err = pageRows(ctx, db, page).Order("tickets.created_at DESC, tickets.id DESC").Scan(&hits).Error
	case db.Dialector.Name() == "postgres":
		hits, capped, err = searchPostgres(ctx, db, q, where, args)
	default:
		hits, capped, err = searchSQLite(ctx, db, q, where, args)
	}
	return hits, capped, wrap(err, "search tickets")
}

// searchHit is a row of a search with text: the hit, and whether the
// candidates were capped (the same in every row).
type searchHit struct {
	SearchHit
	Capped bool
}

func searchHits(rows []searchHit) ([]SearchHit, bool) {
	hits := make([]SearchHit, len(rows))
	capped := false
	for i, r := range rows {
		hits[i], capped = r.SearchHit, capped || r.Capped
	}
	return hits, capped
}

// candidates is q.Candidates as a LIMIT: every row when 0 (one less than
// the largest, as the searches ask for one more).
func (q SearchQuery) candidates() int64 {
	if q.Candidates <= 0 {
		return math.MaxInt64 - 1
	}
	return int64(q.Candidates)
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

// The full-text conditions of a search, in both languages'
// configurations, as the GIN indexes of migration 00014 hold them (the
// articles' stored vectors, the titles' expressions): the query must use
// the same expressions for the indexes to be used. Each takes the text
// twice.
const (
	pgMatchArticle = `(a.search_de @@ websearch_to_tsquery('german', ?) OR a.search_en @@ websearch_to_tsquery('english', ?))`
	pgMatchTitle   = `(to_tsvector('german', tickets.title) @@ websearch_to_tsquery('german', ?) OR to_tsvector('english', tickets.title) @@ websearch_to_tsquery('english', ?))`
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
//
// Only the newest q.Candidates matching articles and titles of the
// tickets the filters keep are ranked (pgSearch says how they are found),
// and the plan must fit the word: it is made with the text each time.
func searchPostgres(ctx context.Context, db *gorm.DB, q SearchQuery, where string, args []any) ([]SearchHit, bool, error) {
	var rows []pgSearchRow
	n := q.candidates()
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		// A generic plan, which pgx's prepared statements get after
		// five runs, would not know the word or the window, and choose
		// one way to find the candidates for all. Parallel workers and JIT
		// compilation cost more to start than they save on a search of a
		// few thousand rows (JIT alone took 90 ms).
		if err := tx.Exec(`SELECT set_config('plan_cache_mode', 'force_custom_plan', true),
			set_config('max_parallel_workers_per_gather', '0', true), set_config('jit', 'off', true)`).Error; err != nil {
			return err
		}
		var last struct{ Article, Ticket int64 }
		if err := tx.Raw(`SELECT coalesce((SELECT max(id) FROM articles), 0) AS article,
			coalesce((SELECT max(id) FROM tickets), 0) AS ticket`).Scan(&last).Error; err != nil {
			return err
		}
		// The windows of the newest articles and tickets grow until each
		// holds more matches than are ranked, or everything.
		aWindow, tWindow := pgSearchWindow, pgSearchWindow*pgTitleWindows
		if q.Candidates <= 0 {
			aWindow, tWindow = last.Article, last.Ticket
		}
		for {
			aCut, tCut := cutBelow(last.Article, aWindow), cutBelow(last.Ticket, tWindow)
			// The first window is walked; a wider one only once the
			// word proved rare, so it is looked up in the index.
			sql, all := pgSearch(q, where, args, aCut, tCut, aWindow == pgSearchWindow)
			rows = nil
			if err := tx.Raw(sql, all...).Scan(&rows).Error; err != nil {
				return err
			}
			var articles, titles int64
			if len(rows) > 0 {
				articles, titles = rows[0].Articles, rows[0].Titles
			}
			aDone, tDone := articles > n || aCut == 0, titles > n || tCut == 0
			if aDone && tDone {
				return nil
			}
			if !aDone {
				aWindow = grow(aWindow, articles, n)
			}
			if !tDone {
				tWindow = grow(tWindow, titles, n)
			}
		}
	})
	hits := make([]SearchHit, len(rows))
	capped := false
	for i, r := range rows {
		hits[i], capped = r.SearchHit, r.Articles > n || r.Titles > n
	}
	return hits, capped, err
}

// pgSearchRow is a row of pgSearch: a hit, and how many matching
// articles and titles its windows held (at most one more than ranked).
type pgSearchRow struct {
	SearchHit
	Articles, Titles int64
}

// pgSearchWindow is how many of the newest articles a search looks at
// first, and pgTitleWindows times as many of the newest tickets: their
// titles are looked up in the index, which costs no more for a larger
// window. A variable for the tests.
var pgSearchWindow int64 = 10000

const pgTitleWindows = 5

// cutBelow is the ID above which the newest window of rows up to last
// lie; 0, everything, once the older rest would be small beside the
// window (looking it up too costs little, another round more).
func cutBelow(last, window int64) int64 {
	if cut := last - window; cut > window/10 {
		return cut
	}
	return 0
}

// grow is the next window after one of size window held found matches
// where more than n are wanted: twice as large as the matches so far
// suggest it must be, at least twice and at most a hundred times the last.
func grow(window, found, n int64) int64 {
	factor := min(max(2*(n+1)/(found+1), 2), 100)
	if window > math.MaxInt64/factor {
		return math.MaxInt64
	}
	return window * factor
}

// pgSearch is searchPostgres' query and its arguments: the newest
// q.Candidates (and one more) matching articles with an ID above aCut,
// and as many matching titles of tickets above tCut, of the tickets the
// filters keep, ranked.
//
// Only the newest matches are wanted, and where they lie decides how to
// find them. The full-text indexes give every match of a word at once, in
// no order, and each costs a read from anywhere in the table: 72,000 for
// a word in one of seven articles, 35,000 for one in a hundred at a
// million tickets (0.2-0.9 s). Walking the primary key backwards and
// checking each article stops after the newest matches, but reads a
// hundred rows per match of a word in one of a hundred (a few µs each).
// So the first window is walked (walk): a frequent word fills it within
// a few thousand rows. A wider window comes only when the word proved rare
// there, sized by how many it held (grow), and is looked up in the index
// within the window (the subquery with OFFSET 0 keeps the planner from
// walking it), which reads about twice the matches wanted. Titles are always looked up: walking would compute each title's
// vectors.
func pgSearch(q SearchQuery, where string, args []any, aCut, tCut int64, walk bool) (string, []any) {
	articles := `SELECT a.ticket_id, a.id AS article_id, a.search_de, a.search_en
	FROM articles a JOIN tickets ON tickets.id = a.ticket_id
	WHERE ` + pgMatchArticle + ` AND a.id > ? AND ` + where + `
	ORDER BY a.id DESC LIMIT ?`
	if !walk {
		articles = `SELECT a.ticket_id, a.article_id, a.search_de, a.search_en
	FROM (SELECT a.ticket_id, a.id AS article_id, a.search_de, a.search_en FROM articles a
		WHERE ` + pgMatchArticle + ` AND a.id > ? OFFSET 0) a
	JOIN tickets ON tickets.id = a.ticket_id WHERE ` + where + `
	ORDER BY a.article_id DESC LIMIT ?`
	}
	sql := `WITH q AS (SELECT websearch_to_tsquery('german', ?) AS de, websearch_to_tsquery('english', ?) AS en),
art AS MATERIALIZED (` + articles + `),
ttl AS MATERIALIZED (
	SELECT tickets.id, tickets.title
	FROM (SELECT tickets.id FROM tickets WHERE ` + pgMatchTitle + ` AND tickets.id > ? OFFSET 0) m
	JOIN tickets ON tickets.id = m.id WHERE ` + where + `
	ORDER BY tickets.id DESC LIMIT ?
),
hits AS (
	SELECT art.ticket_id, art.article_id, GREATEST(ts_rank(art.search_de, q.de), ts_rank(art.search_en, q.en)) AS rank
	FROM (SELECT * FROM art ORDER BY article_id DESC LIMIT ?) art, q
	UNION ALL
	SELECT ttl.id, 0, 2 * GREATEST(ts_rank(to_tsvector('german', ttl.title), q.de), ts_rank(to_tsvector('english', ttl.title), q.en))
	FROM (SELECT * FROM ttl ORDER BY id DESC LIMIT ?) ttl, q
),
best AS (SELECT DISTINCT ON (ticket_id) ticket_id, article_id, rank FROM hits ORDER BY ticket_id, rank DESC, article_id),
page AS (
	SELECT tickets.id, best.article_id, best.rank FROM best JOIN tickets ON tickets.id = best.ticket_id
	ORDER BY best.rank DESC, tickets.created_at DESC, tickets.id DESC LIMIT ? OFFSET ?
)
SELECT ` + ticketRowColumns + `, page.rank,
	CASE WHEN page.article_id = 0 THEN ` + pgHeadline("tickets.title") + `
	ELSE (SELECT ` + pgHeadline("a.subject || ' ' || a.body") + ` FROM articles a WHERE a.id = page.article_id) END AS snippet,
	(SELECT count(*) FROM art) AS articles, (SELECT count(*) FROM ttl) AS titles
FROM page JOIN tickets ON tickets.id = page.id, q
ORDER BY page.rank DESC, tickets.created_at DESC, tickets.id DESC`
	// One candidate more than are ranked tells whether there were more.
	n := q.candidates()
	all := []any{q.Text, q.Text, q.Text, q.Text, aCut}
	all = append(append(all, args...), n+1, q.Text, q.Text, tCut)
	all = append(append(all, args...), n+1, n, n, q.Limit, q.Offset)
	return sql, all
}

// searchSQLite ranks by bm25 over the FTS5 tables of migration 00014; a
// title counts twice. The user's words go in as quoted strings, so no
// input is FTS5 syntax. As on PostgreSQL only the newest q.Candidates
// matching articles and titles are ranked: FTS5 gives its matches in
// rowid order, newest first when asked, and stops after them.
func searchSQLite(ctx context.Context, db *gorm.DB, q SearchQuery, where string, args []any) ([]SearchHit, bool, error) {
	match := FTS5Query(q.Text)
	if match == "" {
		return nil, false, nil
	}
	sql := `WITH art AS MATERIALIZED (
	SELECT articles.ticket_id AS ticket_id, articles.id AS article_id, bm25(articles_fts) AS score,
		snippet(articles_fts, -1, char(1), char(2), '…', 16) AS snip
	FROM articles_fts JOIN articles ON articles.id = articles_fts.rowid JOIN tickets ON tickets.id = articles.ticket_id
	WHERE articles_fts MATCH ? AND ` + where + `
	ORDER BY articles_fts.rowid DESC LIMIT ?
),
ttl AS MATERIALIZED (
	SELECT tickets.id AS ticket_id, 2 * bm25(tickets_fts) AS score, snippet(tickets_fts, -1, char(1), char(2), '…', 16) AS snip
	FROM tickets_fts JOIN tickets ON tickets.id = tickets_fts.rowid
	WHERE tickets_fts MATCH ? AND ` + where + `
	ORDER BY tickets_fts.rowid DESC LIMIT ?
),
hits AS (
	SELECT ticket_id, score, snip FROM (SELECT * FROM art ORDER BY article_id DESC LIMIT ?)
	UNION ALL
	SELECT ticket_id, score, snip FROM (SELECT * FROM ttl ORDER BY ticket_id DESC LIMIT ?)
),
best AS (SELECT ticket_id, MIN(score) AS score, snip FROM hits GROUP BY ticket_id),
page AS (
	SELECT tickets.id, -best.score AS rank, best.snip FROM best JOIN tickets ON tickets.id = best.ticket_id
	ORDER BY best.score, tickets.created_at DESC, tickets.id DESC LIMIT ? OFFSET ?
)
SELECT ` + ticketRowColumns + `, page.rank, page.snip AS snippet,
	(SELECT count(*) FROM art) > ? OR (SELECT count(*) FROM ttl) > ? AS capped
FROM page JOIN tickets ON tickets.id = page.id
ORDER BY page.rank DESC, tickets.created_at DESC, tickets.id DESC`
	n := q.candidates()
	all := append([]any{match}, args...)
	all = append(append(append(all, n+1, match), args...), n+1, n, n, q.Limit, q.Offset, n, n)
	var rows []searchHit
	err := db.WithContext(ctx).Raw(sql, all...).Scan(&rows).Error
	hits, capped := searchHits(rows)
	return hits, capped, err
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
