package web

import (
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/ticket"
)

// searchForm is the search as typed, for showing it again and for the
// query strings of the next page and of saving it.
type searchForm struct {
	Q, State, Level, Customer, From, To             string
	QueueID, ServiceID, TypeID, PriorityID, OwnerID string
	// Archived is "1" to find archived tickets too (the archive filter).
	Archived string
	Fields   map[string]string `json:"-"`
}

// searchParams are the query parameters of a search, in form order.
var searchParams = []string{"q", "state", "level", "queue_id", "service_id", "type_id", "priority_id", "owner_id", "customer", "from", "to", "archived"}

func (f *searchForm) field(name string) *string {
	return map[string]*string{"q": &f.Q, "state": &f.State, "level": &f.Level, "queue_id": &f.QueueID,
		"service_id": &f.ServiceID, "type_id": &f.TypeID, "priority_id": &f.PriorityID, "owner_id": &f.OwnerID,
		"customer": &f.Customer, "from": &f.From, "to": &f.To, "archived": &f.Archived}[name]
}

// Query is the search as a URL query string without the page: what a
// saved search keeps and the pages link to.
func (f *searchForm) Query() string {
	v := url.Values{}
	for _, name := range searchParams {
		if s := *f.field(name); s != "" {
			v.Set(name, s)
		}
	}
	return v.Encode()
}

type searchPage struct {
	layout
	Form   searchForm
	Result desk.SearchResult
	// SaveName is the name field of the save form as refused.
	SaveName string
	// Prev and Next link the pages around this one ("": none); Saved
	// are the agent's saved searches with their links.
	Prev, Next string
	Saved      []savedLink
}

// savedLink is a saved search as the page links it.
type savedLink struct {
	ID         int64
	Name, Href string
}

// searchHref is the search page for query (a saved search's or the
// form's) and page (0: the first).
func searchHref(query string, page int) string {
	v, _ := url.ParseQuery(query)
	if page > 1 {
		v.Set("page", strconv.Itoa(page))
	}
	if len(v) == 0 {
		return "/agent/search"
	}
	return "/agent/search?" + v.Encode()
}

// searchFormKey is what a refused save form is kept under.
func searchFormKey(agentID int64) string { return fmt.Sprintf("search:%d", agentID) }

// searchShow is GET /agent/search: the form, and the tickets found when
// words or filters were given. The quick search in the header sends only
// q: a ticket number the agent may read opens that ticket.
func (s *server) searchShow(c *gin.Context) {
	ctx, p := c.Request.Context(), principalOf(c)
	page := &searchPage{}
	for _, name := range searchParams {
		*page.Form.field(name) = strings.TrimSpace(c.Query(name))
	}
	fe := desk.FieldErrors{}
	req := desk.SearchRequest{Text: page.Form.Q, State: page.Form.State, Level: page.Form.Level, Customer: page.Form.Customer,
		CreatedFrom: page.Form.From, CreatedTo: page.Form.To, Loc: s.zone(c)}
	switch page.Form.Archived {
	case "":
	case "1":
		req.Archived = true
	default:
		fe["archived"] = ticket.P(ticket.FieldChoose)
	}
	ids := map[string]*int64{"queue_id": &req.QueueID, "service_id": &req.ServiceID, "type_id": &req.TypeID,
		"priority_id": &req.PriorityID, "owner_id": &req.OwnerID}
	for name, to := range ids {
		if v := *page.Form.field(name); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 0 {
				fe[name] = ticket.P(ticket.FieldBadNumber)
				n = 0
			}
			*to = n
		}
	}
	if v := c.Query("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			fe["page"] = ticket.P(ticket.FieldBadNumber)
			n = 1
		}
		req.Page = n
	}
	var saved struct{ Name string }
	pr, kept, err := s.handedBack(c, searchFormKey(p.ID), &saved)
	if err != nil {
		s.fail(c, err)
		return
	}
	status := http.StatusOK
	if kept {
		status, page.Error, page.SaveName = pr.Status, pr.Message, saved.Name
		page.Form.Fields = pr.FieldTexts
	}
	res, err := s.desk.Search(ctx, p, req)
	if len(fe) > 0 {
		// The desk's problems and the ones of numbers it never saw.
		var dfe desk.FieldErrors
		if errors.As(err, &dfe) {
			maps.Copy(fe, dfe)
		}
		if err == nil || dfe != nil {
			err = fe
		}
	}
	if err != nil {
		pr := s.problemFor(c, fmt.Errorf("search: %w", err))
		if pr.Status != http.StatusUnprocessableEntity {
			s.writeProblem(c, pr)
			return
		}
		// The form comes back with its fields marked and no results.
		status, page.Error, page.Form.Fields = pr.Status, pr.Message, pr.FieldTexts
		res.Hits, res.Searched, res.More = nil, false, false
	}
	if res.Jump != "" {
		s.redirect(c, "/agent/tickets/"+url.PathEscape(res.Jump))
		return
	}
	page.Result = res
	if res.Page > 1 {
		page.Prev = searchHref(page.Form.Query(), res.Page-1)
	}
	if res.More {
		page.Next = searchHref(page.Form.Query(), res.Page+1)
	}
	for _, sv := range res.Saved {
		page.Saved = append(page.Saved, savedLink{ID: sv.ID, Name: sv.Name, Href: searchHref(sv.Query, 0)})
	}
	s.render(c, status, "search", page)
}
