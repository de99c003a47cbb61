package web

import (
	"context"
	"fmt"
	"math"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/models"
	"github.com/kiz-ulm/kizdesk/ticket"
)

// faqDesk is what the knowledge base's pages (faq_*.go) need from the desk.
type faqDesk interface {
	Visitor(ctx context.Context) (desk.Principal, error)
	FAQList(ctx context.Context, p desk.Principal, req desk.FAQListRequest) ([]desk.FAQListItem, error)
	FAQ(ctx context.Context, p desk.Principal, id int64) (desk.FAQDetail, error)
	CreateFAQ(ctx context.Context, p desk.Principal, f desk.FAQForm) (int64, error)
	UpdateFAQ(ctx context.Context, p desk.Principal, id int64, f desk.FAQForm) error
	FAQAct(ctx context.Context, p desk.Principal, id int64, action string, version int) error
	DiffFAQ(ctx context.Context, p desk.Principal, id int64, from, to int) (desk.FAQDiff, error)
	FAQFromTicket(ctx context.Context, p desk.Principal, number string, seq int, lang string) (desk.FAQForm, error)
	TicketFAQs(ctx context.Context, p desk.Principal, number string) ([]models.FAQEntry, error)
	FAQFileData(ctx context.Context, p desk.Principal, id int64, seq int) (desk.FAQFile, error)
	FormChoices(ctx context.Context, a desk.Principal) (desk.FormChoices, error)
}

// faqTexts are the catalogue keys of the tiers, states, actions and
// fields the pages name.
var faqTexts = map[string]string{
	string(models.FAQInternal): "ui.faq.vis.internal", string(models.FAQCustomer): "ui.faq.vis.customer",
	string(models.FAQPublic): "ui.faq.vis.public",
	string(models.FAQDraft):  "ui.faq.state.draft", string(models.FAQAwaiting): "ui.faq.state.awaiting",
	string(models.FAQPublished): "ui.faq.state.published", string(models.FAQWithdrawn): "ui.faq.state.withdrawn",
	desk.FAQSubmit: "ui.faq.act.submit", desk.FAQApprove: "ui.faq.act.approve", desk.FAQReject: "ui.faq.act.reject",
	desk.FAQPublish: "ui.faq.act.publish", desk.FAQWithdraw: "ui.faq.act.withdraw", desk.FAQRedraft: "ui.faq.act.redraft",
	"visibility": "ui.faq.visibility", "service_id": "ui.faq.category",
	"title_de": "ui.faq.title_de", "question_de": "ui.faq.question_de", "answer_de": "ui.faq.answer_de",
	"title_en": "ui.faq.title_en", "question_en": "ui.faq.question_en", "answer_en": "ui.faq.answer_en",
	"created": "ui.faq.created", "edited": "ui.faq.edited",
}

// faqKeys gives templates the keys of faqTexts.
type faqKeys struct{}

// Key is the catalogue key of a tier, state, action or field.
func (faqKeys) Key(v any) (string, error) {
	k, ok := faqTexts[fmt.Sprint(v)]
	if !ok {
		return "", fmt.Errorf("no FAQ text for %q", v)
	}
	return k, nil
}

// Tiers, States are what the forms offer.
func (faqKeys) Tiers() []models.FAQVisibility { return models.FAQVisibilities }
func (faqKeys) States() []models.FAQState     { return models.FAQStates }

// Prev is the version before v.
func (faqKeys) Prev(v int) int { return v - 1 }

// Text is the entry's title, question and answer in the reader's language.
func (faqKeys) Text(e models.FAQEntry, lang string) [3]string {
	t, q, a := e.In(lang)
	return [3]string{t, q, a}
}

// Href is an entry's stable public address: its ID, which no new version
// changes, and its title as a readable slug.
func (faqKeys) Href(e models.FAQEntry, lang string) string {
	t, _, _ := e.In(lang)
	return faqHref(e.ID, t)
}

var slugRE = regexp.MustCompile(`[^a-z0-9]+`)

func faqHref(id int64, title string) string {
	s := strings.NewReplacer("ä", "ae", "ö", "oe", "ü", "ue", "ß", "ss").Replace(strings.ToLower(title))
	s = strings.Trim(slugRE.ReplaceAllString(s, "-"), "-")
	if len(s) > 60 {
		s = strings.TrimRight(s[:60], "-")
	}
	if s == "" {
		return fmt.Sprintf("/faq/%d", id)
	}
	return fmt.Sprintf("/faq/%d-%s", id, url.PathEscape(s))
}

// faqID reads an entry's ID from a path parameter: "12" or "12-slug".
func faqID(c *gin.Context) (int64, error) {
	raw := c.Param("id")
	if i := strings.IndexByte(raw, '-'); i > 0 {
		raw = raw[:i]
	}
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id <= 0 {
		return 0, fmt.Errorf("FAQ entry %q: %w", c.Param("id"), desk.ErrNotFound)
	}
	return id, nil
}

// faqMultiLine are the form's fields that may hold line breaks.
var faqMultiLine = map[string]bool{"question_de": true, "answer_de": true, "question_en": true, "answer_en": true}

// faqFormProblems are the posted fields with bytes no field may hold.
func faqFormProblems(c *gin.Context) desk.FieldErrors {
	fe := desk.FieldErrors{}
	for k, vs := range c.Request.PostForm {
		kind := ticket.Line
		if faqMultiLine[k] {
			kind = ticket.Lines
		}
		for _, v := range vs {
			if p, bad := ticket.CheckText(v, kind, math.MaxInt); bad {
				fe[k] = p
			}
		}
	}
	return fe
}

// faqReader is who reads the public pages: the request's customer once
// the portal logs one in, else a visitor of the desk's tenant.
func (s *server) faqReader(c *gin.Context) (desk.Principal, error) {
	if p := principalOf(c); p.Kind == ticket.ActorCustomer {
		return p, nil
	}
	return s.desk.Visitor(c.Request.Context())
}
