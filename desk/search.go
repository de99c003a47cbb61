package desk

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/kiz-ulm/kizdesk/models"
	"github.com/kiz-ulm/kizdesk/ticket"
)

// Limits of a search: a page of results, the pages one may leaf through
// (deep offsets cost the database more than anybody reads), the length of
// the words typed and of a saved search.
const (
	SearchPageSize      = 50
	MaxSearchPage       = 200
	MaxSearchLength     = 500
	MaxSavedSearchQuery = 2000
)

// SearchCandidates bounds the work of a search with words: of the texts
// that match, only the newest SearchCandidates articles and as many
// titles are ranked. A word in one of seven articles matched 72,000 of
// 500,000, and reading and ranking them all took up to a second; a rare
// word is still found wherever it is.
const SearchCandidates = 500

// SearchRequest is a search as an agent asks it; empty fields filter
// nothing. Dates are days (2006-01-02) in Loc, both included.
type SearchRequest struct {
	Text                                            string
	State                                           string
	Level                                           string
	QueueID, ServiceID, TypeID, PriorityID, OwnerID int64
	Customer                                        string
	CreatedFrom, CreatedTo                          string
	// Archived: find tickets retention archived too (the archive filter).
	Archived bool
	Loc      *time.Location
	// Page counts from 1.
	Page int
}

// Filtered tells whether any field but the text and the page is set.
func (r SearchRequest) Filtered() bool {
	return r.State != "" || r.Level != "" || r.QueueID != 0 || r.ServiceID != 0 || r.TypeID != 0 ||
		r.PriorityID != 0 || r.OwnerID != 0 || r.Customer != "" || r.CreatedFrom != "" || r.CreatedTo != "" || r.Archived
}

// SearchResult is a page of tickets found, with what the search form
// offers and the agent's saved searches.
type SearchResult struct {
	// Jump is the ticket number the words are exactly, when the agent may
	// read that ticket and set no filter: the ticket itself is the answer.
	Jump string
	// Searched: words or filters were given, and Hits are their page.
	Searched bool
	// Ranked: there were words; the best match comes first.
	Ranked bool
	// Capped is, when more texts matched the words than were ranked,
	// how many were (SearchCandidates): the hits are the best of the
	// newest. 0: every match was ranked.
	Capped int
	Hits   []SearchHit
	Page   int
	More   bool
	// Choices for the form: what the agent may filter by.
	Queues     []models.Queue
	Services   []models.Service
	Types      []models.TicketType
	Priorities []models.Priority
	Agents     []models.Agent
	States     []ticket.State
	Levels     []models.Level
	Saved      []models.SavedSearch
}

// SearchHit is a ticket found with its snippet.
type SearchHit struct {
	models.TicketRow
	Rank    float64
	Snippet []SnippetPart
}

// SnippetPart is a piece of a snippet: Hit marks the words that matched.
// Both are plain text; the page escapes them like any other.
type SnippetPart struct {
	Text string
	Hit  bool
}

// Search finds the tickets of the queues p may read by words in their
// titles and articles and by their fields.
func (d *Desk) Search(ctx context.Context, p Principal, req SearchRequest) (SearchResult, error) {
	var out SearchResult
	if err := mustBeAgent(p); err != nil {
		return out, err
	}
	a, err := d.access(ctx, p)
	if err != nil {
		return out, err
	}
	p.Access = a
	if err := d.searchChoices(ctx, p, &out); err != nil {
		return out, err
	}
	fe := FieldErrors{}
	checkOptional(fe, "q", req.Text, ticket.Line, MaxSearchLength)
	checkOptional(fe, "customer", req.Customer, ticket.Line, ticket.MaxTitleLength)
	if req.State != "" && !slices.Contains(out.States, ticket.State(req.State)) {
		fe["state"] = ticket.P(ticket.FieldChoose)
	}
	if req.Level != "" && !slices.Contains(out.Levels, models.Level(req.Level)) {
		fe["level"] = ticket.P(ticket.FieldChoose)
	}
	known := func(field string, id int64, ok bool) {
		if id != 0 && !ok {
			fe[field] = ticket.P(ticket.FieldUnknown)
		}
	}
	known("queue_id", req.QueueID, slices.ContainsFunc(out.Queues, func(q models.Queue) bool { return q.ID == req.QueueID }))
	known("service_id", req.ServiceID, slices.ContainsFunc(out.Services, func(s models.Service) bool { return s.ID == req.ServiceID }))
	known("type_id", req.TypeID, slices.ContainsFunc(out.Types, func(t models.TicketType) bool { return t.ID == req.TypeID }))
	known("priority_id", req.PriorityID, slices.ContainsFunc(out.Priorities, func(x models.Priority) bool { return x.ID == req.PriorityID }))
	known("owner_id", req.OwnerID, slices.ContainsFunc(out.Agents, func(x models.Agent) bool { return x.ID == req.OwnerID }))
	loc := req.Loc
	if loc == nil {
		loc = time.UTC
	}
	from := searchDay(fe, "created_from", req.CreatedFrom, loc)
	to := searchDay(fe, "created_to", req.CreatedTo, loc)
	if !to.IsZero() {
		to = to.AddDate(0, 0, 1) // the whole last day
	}
	if !from.IsZero() && !to.IsZero() && !from.Before(to) {
		fe["created_to"] = ticket.P(ticket.FieldBadTime)
	}
	out.Page = req.Page
	if out.Page < 1 {
		out.Page = 1
	}
	if out.Page > MaxSearchPage {
		fe["page"] = ticket.P(ticket.FieldBadNumber)
	}
	if len(fe) > 0 {
		return out, fe
	}
	text := strings.TrimSpace(req.Text)
	if text == "" && !req.Filtered() {
		return out, nil
	}
	if !req.Filtered() && isTicketNumber(text) {
		if _, err := d.readable(ctx, p, text); err == nil {
			out.Jump = text
			return out, nil
		}
	}
	q := models.SearchQuery{
		TenantID: p.TenantID, Text: text, State: req.State, Level: req.Level,
		QueueID: req.QueueID, ServiceID: req.ServiceID, TypeID: req.TypeID, PriorityID: req.PriorityID, OwnerID: req.OwnerID,
		CustomerLogin: strings.TrimSpace(req.Customer), CreatedFrom: from, CreatedBefore: to, Archived: req.Archived,
		Offset: (out.Page - 1) * SearchPageSize, Limit: SearchPageSize + 1, Candidates: SearchCandidates,
	}
	for _, queue := range out.Queues {
		q.Queues = append(q.Queues, queue.ID)
	}
	hits, capped, err := models.SearchTickets(ctx, d.db, q)
	if err != nil {
		return out, err
	}
	out.Searched, out.Ranked = true, text != ""
	if capped {
		out.Capped = SearchCandidates
	}
	if len(hits) > SearchPageSize {
		hits, out.More = hits[:SearchPageSize], true
	}
	for _, h := range hits {
		out.Hits = append(out.Hits, SearchHit{TicketRow: h.TicketRow, Rank: h.Rank, Snippet: snippetParts(h.Snippet)})
	}
	return out, nil
}

// searchChoices fills what the search form offers: the queues p may read
// (no others may even be named) and the tenant's classifications.
func (d *Desk) searchChoices(ctx context.Context, p Principal, out *SearchResult) error {
	var err error
	if out.Queues, err = d.queuesWith(ctx, p, ticket.PermRO); err != nil {
		return err
	}
	if out.Services, err = models.Services(ctx, d.db, p.TenantID); err != nil {
		return err
	}
	if out.Types, err = models.TicketTypes(ctx, d.db); err != nil {
		return err
	}
	if out.Priorities, err = models.Priorities(ctx, d.db); err != nil {
		return err
	}
	if out.Agents, err = models.AgentsOfTenant(ctx, d.db, p.TenantID); err != nil {
		return err
	}
	if out.Saved, err = models.SavedSearches(ctx, d.db, p.ID); err != nil {
		return err
	}
	out.States = ticket.AllStates()
	out.Levels = []models.Level{models.LevelFirst, models.LevelSecond, models.LevelTeam}
	return nil
}

// searchDay reads a day of the search form; "" is no bound.
func searchDay(fe FieldErrors, field, v string, loc *time.Location) time.Time {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}
	}
	t, err := time.ParseInLocation("2006-01-02", v, loc)
	if err != nil || t.Year() < 1970 || t.Year() > 9999 {
		fe[field] = ticket.P(ticket.FieldBadTime)
		return time.Time{}
	}
	return t
}

// isTicketNumber tells whether s may be a ticket number: digits only.
func isTicketNumber(s string) bool {
	return s != "" && len(s) <= 64 && strings.Trim(s, "0123456789") == ""
}

// snippetParts splits a snippet at its marks. A mark without its partner
// (a cut fragment) ends or starts a hit; nothing in it is HTML.
func snippetParts(s string) []SnippetPart {
	var parts []SnippetPart
	hit := false
	for s != "" {
		i := strings.IndexAny(s, models.MarkStart+models.MarkEnd)
		if i < 0 {
			i = len(s)
		}
		if i > 0 {
			parts = append(parts, SnippetPart{Text: s[:i], Hit: hit})
		}
		if i == len(s) {
			break
		}
		hit = s[i:i+1] == models.MarkStart
		s = s[i+1:]
	}
	return parts
}

// SaveSearch keeps the search (its form's fields as a URL query string)
// under name for p; the same name again replaces it.
func (d *Desk) SaveSearch(ctx context.Context, p Principal, name, query string) error {
	if err := mustBeAgent(p); err != nil {
		return err
	}
	fe := FieldErrors{}
	checkText(fe, "name", name, ticket.Line, 100)
	if pr, bad := ticket.CheckText(query, ticket.Line, MaxSavedSearchQuery); bad {
		fe["query"] = pr
	}
	if len(fe) > 0 {
		return fe
	}
	name = strings.TrimSpace(name)
	return models.SaveSearch(ctx, d.db, models.SavedSearch{AgentID: p.ID, Name: name, Query: query, CreatedAt: d.now()})
}

// DeleteSavedSearch removes one of p's saved searches; another agent's is
// not found.
func (d *Desk) DeleteSavedSearch(ctx context.Context, p Principal, id int64) error {
	if err := mustBeAgent(p); err != nil {
		return err
	}
	return models.DeleteSavedSearch(ctx, d.db, p.ID, id)
}
