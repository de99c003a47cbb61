package web

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/kiz-ulm/kizdesk/desk"
)

// suggestionsPart is what the faq_suggestions part shows: the entries that
// match what the customer typed, each with a "this solved it" button that
// posts the new-request form, as typed, to portalFAQSolved.
type suggestionsPart struct {
	Asked       bool // the customer asked (or typed enough) for suggestions
	Text        string
	Suggestions []desk.FAQSuggestion
}

// faqSuggestionsPage is the part alone, for portal.js to put into the
// new-request form while the customer types.
type faqSuggestionsPage struct {
	portalLayout
	Part suggestionsPart
}

// portalFAQSuggestions answers GET /portal/faq-suggestions?q=…: the
// matching customer and public FAQ entries as an HTML fragment.
func (s *server) portalFAQSuggestions(c *gin.Context) {
	text := strings.TrimSpace(c.Query("q"))
	part, err := s.suggest(c, text)
	if err != nil {
		s.fail(c, err)
		return
	}
	page := &faqSuggestionsPage{Part: part}
	s.renderIn(c, http.StatusOK, "portal_faq_suggestions", "fragment", page)
}

// portalTicketSuggest is the new-request form's "search the FAQ first"
// button, for browsers without JavaScript: the same form again, as typed,
// with the suggestions. Nothing is stored.
func (s *server) portalTicketSuggest(c *gin.Context) {
	f := postedPortalTicket(c, desk.FieldErrors{})
	if s.portalFormRefused(c, &f) {
		return
	}
	part, err := s.suggest(c, f.Title+"\n"+f.Body)
	if err != nil {
		s.fail(c, err)
		return
	}
	part.Asked = true
	s.showPortalNewWith(c, http.StatusOK, f, nil, "", part)
}

// suggest asks the knowledge base for entries matching text, in the
// reader's language; too little text asks for nothing.
func (s *server) suggest(c *gin.Context, text string) (suggestionsPart, error) {
	// The desk cuts what it reads to desk.MaxSuggestText.
	part := suggestionsPart{Text: cleanText(text)}
	if len([]rune(strings.TrimSpace(part.Text))) < 3 {
		return part, nil
	}
	part.Asked = true
	found, err := s.desk.SuggestFAQ(c.Request.Context(), principalOf(c), part.Text, s.texts(c).Lang())
	if err != nil {
		return part, fmt.Errorf("FAQ suggestions: %w", err)
	}
	part.Suggestions = found
	return part, nil
}

// portalFormRefused shows the new-request form again, fields marked (422),
// when what was posted has bytes no text may have; it tells whether it did.
func (s *server) portalFormRefused(c *gin.Context, f *portalTicketForm) bool {
	fe := formTextProblems(c)
	if len(fe) == 0 {
		return false
	}
	p := s.problemFor(c, fe)
	f.Title, f.Body, f.Urgency, f.RequestKey = cleanText(f.Title), cleanText(f.Body), cleanText(f.Urgency), cleanText(f.RequestKey)
	s.showPortalNew(c, p.Status, *f, p.FieldTexts, p.Message)
	return true
}
