package desk

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/kiz-ulm/kizdesk/models"
	"github.com/kiz-ulm/kizdesk/ticket"
)

// Codes of the knowledge base's refusals; their texts are in
// i18n/locales/faq.*.yaml.
const (
	// FAQRefusedOwnApproval: the agent who wrote a version cannot approve it.
	FAQRefusedOwnApproval ticket.Code = "refused.faq_own_approval"
	// FAQRefusedAction: the entry's state does not allow the action (State, Action).
	FAQRefusedAction ticket.Code = "refused.faq_action"
	// FAQRefusedChanged: someone else saved or moved the entry meanwhile.
	FAQRefusedChanged ticket.Code = "refused.faq_changed"
	// FAQNeedsLanguage: an entry needs a title and an answer in at least one language.
	FAQNeedsLanguage ticket.Code = "field.faq_language"
)

// FAQCodes lists the codes above, for the catalogue test.
func FAQCodes() []ticket.Code {
	return []ticket.Code{FAQRefusedOwnApproval, FAQRefusedAction, FAQRefusedChanged, FAQNeedsLanguage}
}

// FAQ actions that move an entry between states.
const (
	FAQSubmit   = "submit"   // draft → awaiting approval (where approval is needed)
	FAQApprove  = "approve"  // awaiting approval → published, by another agent
	FAQReject   = "reject"   // awaiting approval → draft
	FAQPublish  = "publish"  // draft → published (where no approval is needed)
	FAQWithdraw = "withdraw" // published → withdrawn
	FAQRedraft  = "redraft"  // withdrawn → draft
)

// FAQActions lists the actions.
var FAQActions = []string{FAQSubmit, FAQApprove, FAQReject, FAQPublish, FAQWithdraw, FAQRedraft}

// faqMoves: the state an action starts from and the one it leads to.
var faqMoves = map[string][2]models.FAQState{
	FAQSubmit:   {models.FAQDraft, models.FAQAwaiting},
	FAQApprove:  {models.FAQAwaiting, models.FAQPublished},
	FAQReject:   {models.FAQAwaiting, models.FAQDraft},
	FAQPublish:  {models.FAQDraft, models.FAQPublished},
	FAQWithdraw: {models.FAQPublished, models.FAQWithdrawn},
	FAQRedraft:  {models.FAQWithdrawn, models.FAQDraft},
}

// Limits of an entry's texts: a title is a ticket title, question and
// answer may be as long as an article.
const (
	MaxFAQTitle = ticket.MaxTitleLength
	MaxFAQText  = ticket.MaxArticleLength
	// MaxSuggestText bounds what a customer typed that suggestions and
	// deflections read; longer text is cut, not refused (it is a form
	// being typed, not a request).
	MaxSuggestText = 2000
	faqSuggestions = 5
	faqPageSize    = 100
)

// FAQTiers are the visibilities p may read: agents every tier, a
// customer the customer and public ones, anybody else (a visitor, an
// integration) only the public one. Internal entries never reach anyone
// but agents.
func FAQTiers(p Principal) []models.FAQVisibility {
	switch p.Kind {
	case ticket.ActorAgent:
		return []models.FAQVisibility{models.FAQInternal, models.FAQCustomer, models.FAQPublic}
	case ticket.ActorCustomer:
		return []models.FAQVisibility{models.FAQCustomer, models.FAQPublic}
	}
	return []models.FAQVisibility{models.FAQPublic}
}

// mayReadFAQ tells whether p may read entry e: its tenant, its tier, and
// for anyone but agents only when published.
func mayReadFAQ(p Principal, e models.FAQEntry) bool {
	if e.TenantID != p.TenantID || !slices.Contains(FAQTiers(p), e.Visibility) {
		return false
	}
	return p.IsAgent() || e.State == models.FAQPublished
}

// Visitor is who reads the public pages without logging in: nobody, in
// the tenant that runs the desk (the directory's tenant, else the
// operator tenant).
func (d *Desk) Visitor(ctx context.Context) (Principal, error) {
	t, err := models.TenantBySlug(ctx, d.db, d.opts.DirectoryTenant)
	if errors.Is(err, models.ErrNotFound) {
		err = d.db.WithContext(ctx).Where("operator AND active").Order("id").Take(&t).Error
		if err != nil {
			return Principal{}, fmt.Errorf("visitor's tenant: %w", models.ErrNotFound)
		}
	}
	if err != nil {
		return Principal{}, err
	}
	return Principal{TenantID: t.ID, Name: "visitor"}, nil
}

// FAQRights is what an agent may do with FAQ entries: edit (write and
// change drafts) and publish (approve, publish, withdraw). Admins may do
// both.
type FAQRights struct{ Edit, Publish bool }

func (d *Desk) faqRights(ctx context.Context, p Principal) (FAQRights, error) {
	if !p.IsAgent() {
		return FAQRights{}, nil
	}
	a, err := d.access(ctx, p)
	if err != nil {
		return FAQRights{}, err
	}
	if a.Admin {
		return FAQRights{Edit: true, Publish: true}, nil
	}
	perms, err := models.FAQPerms(ctx, d.db, p.TenantID, p.ID)
	if err != nil {
		return FAQRights{}, err
	}
	return FAQRights{Edit: slices.Contains(perms, models.FAQPermEdit), Publish: slices.Contains(perms, models.FAQPermPublish)}, nil
}

// needsApproval tells whether publishing in the category needs a second
// agent: a rule for the tenant, the service, or a service above it
// ("A" above "A::B").
func (d *Desk) needsApproval(ctx context.Context, tenantID int64, serviceID *int64) (bool, error) {
	rules, err := models.FAQApprovalRules(ctx, d.db, tenantID)
	if err != nil || len(rules) == 0 {
		return false, err
	}
	if slices.Contains(rules, 0) {
		return true, nil
	}
	if serviceID == nil {
		return false, nil
	}
	services, err := models.Services(ctx, d.db, tenantID)
	if err != nil {
		return false, err
	}
	names := map[int64]string{}
	for _, s := range services {
		names[s.ID] = s.Name
	}
	own := names[*serviceID]
	for _, r := range rules {
		if n, ok := names[r]; ok && (own == n || strings.HasPrefix(own, n+"::")) {
			return true, nil
		}
	}
	return false, nil
}

// FAQForm is an entry as an agent writes it. Ticket, if set, is the
// number of a ticket the entry is linked with (FAQ from ticket); Base is
// the version the agent edited (0 for a new entry).
type FAQForm struct {
	ServiceID  int64
	Visibility string
	models.FAQText
	Ticket string
	Base   int
}

func (d *Desk) checkFAQForm(ctx context.Context, p Principal, f *FAQForm) error {
	fe := FieldErrors{}
	for _, t := range []struct {
		field string
		s     *string
		kind  ticket.TextKind
		max   int
	}{
		{"title_de", &f.TitleDE, ticket.Line, MaxFAQTitle}, {"title_en", &f.TitleEN, ticket.Line, MaxFAQTitle},
		{"question_de", &f.QuestionDE, ticket.Lines, MaxFAQText}, {"question_en", &f.QuestionEN, ticket.Lines, MaxFAQText},
		{"answer_de", &f.AnswerDE, ticket.Lines, MaxFAQText}, {"answer_en", &f.AnswerEN, ticket.Lines, MaxFAQText},
	} {
		if t.kind == ticket.Line {
			*t.s = ticket.CleanLine(*t.s)
		}
		checkOptional(fe, t.field, *t.s, t.kind, t.max)
	}
	filled := func(title, answer string) bool {
		return strings.TrimSpace(title) != "" && strings.TrimSpace(answer) != ""
	}
	if !filled(f.TitleDE, f.AnswerDE) && !filled(f.TitleEN, f.AnswerEN) {
		for _, field := range []string{"title_de", "answer_de"} {
			if _, bad := fe[field]; !bad {
				fe[field] = ticket.P(FAQNeedsLanguage)
			}
		}
	}
	if !slices.Contains(models.FAQVisibilities, models.FAQVisibility(f.Visibility)) {
		fe["visibility"] = ticket.P(ticket.FieldChoose)
	}
	if f.ServiceID != 0 {
		if _, err := models.ServiceByID(ctx, d.db, p.TenantID, f.ServiceID); errors.Is(err, models.ErrNotFound) {
			fe["service_id"] = ticket.P(ticket.FieldUnknown)
		} else if err != nil {
			return err
		}
	}
	f.Ticket = strings.TrimSpace(f.Ticket)
	if f.Ticket != "" {
		if _, err := d.readable(ctx, p, f.Ticket); errors.Is(err, ErrNotFound) {
			fe["ticket"] = ticket.P(ticket.FieldUnknown)
		} else if err != nil {
			return err
		}
	}
	if len(fe) > 0 {
		return fe
	}
	return nil
}

// CreateFAQ writes a new entry as a draft (its version 1), linked with
// the form's ticket if any, and returns its ID.
func (d *Desk) CreateFAQ(ctx context.Context, p Principal, f FAQForm) (int64, error) {
	if err := mustBeAgent(p); err != nil {
		return 0, err
	}
	r, err := d.faqRights(ctx, p)
	if err != nil {
		return 0, err
	}
	if !r.Edit {
		return 0, refused(ticket.RefusedForbidden)
	}
	if err := d.checkFAQForm(ctx, p, &f); err != nil {
		return 0, err
	}
	now := d.now().UTC()
	e := models.FAQEntry{TenantID: p.TenantID, Visibility: models.FAQVisibility(f.Visibility), State: models.FAQDraft, Version: 1,
		FAQText: f.FAQText, AuthorID: p.ID, EditorID: p.ID, CreatedAt: now, UpdatedAt: now}
	if f.ServiceID != 0 {
		e.ServiceID = &f.ServiceID
	}
	if err := models.SaveFAQ(ctx, d.db, &e, d.faqVersion(p, e, "created"), 0); err != nil {
		return 0, err
	}
	if err := d.linkFAQTicket(ctx, p, e.ID, f.Ticket); err != nil {
		return e.ID, err
	}
	return e.ID, nil
}

func (d *Desk) faqVersion(p Principal, e models.FAQEntry, action string) models.FAQVersion {
	return models.FAQVersion{Version: e.Version, AgentID: p.ID, AgentName: p.Name, Action: action, ServiceID: e.ServiceID,
		Visibility: e.Visibility, FAQText: e.FAQText, CreatedAt: e.UpdatedAt}
}

func (d *Desk) linkFAQTicket(ctx context.Context, p Principal, faqID int64, number string) error {
	if number == "" {
		return nil
	}
	t, err := d.readable(ctx, p, number)
	if err != nil {
		return err
	}
	return models.LinkFAQTicket(ctx, d.db, faqID, t.ID, d.now())
}

// UpdateFAQ saves the form as the entry's next version. A published
// entry stays published unless its category needs approval: then the
// change waits for a second agent, and the entry is off the public pages
// until approved.
func (d *Desk) UpdateFAQ(ctx context.Context, p Principal, id int64, f FAQForm) error {
	if err := mustBeAgent(p); err != nil {
		return err
	}
	r, err := d.faqRights(ctx, p)
	if err != nil {
		return err
	}
	e, err := models.FAQByID(ctx, d.db, p.TenantID, id)
	if err != nil {
		return err
	}
	if !r.Edit {
		return refused(ticket.RefusedForbidden)
	}
	if err := d.checkFAQForm(ctx, p, &f); err != nil {
		return err
	}
	e.Visibility, e.FAQText, e.EditorID = models.FAQVisibility(f.Visibility), f.FAQText, p.ID
	e.ServiceID = nil
	if f.ServiceID != 0 {
		e.ServiceID = &f.ServiceID
	}
	e.Version++
	e.UpdatedAt = d.now().UTC()
	if e.State == models.FAQPublished || e.State == models.FAQAwaiting {
		need, err := d.needsApproval(ctx, p.TenantID, e.ServiceID)
		if err != nil {
			return err
		}
		if need {
			e.State, e.ApprovedBy = models.FAQAwaiting, nil
		}
	}
	if err := models.SaveFAQ(ctx, d.db, &e, d.faqVersion(p, e, "edited"), f.Base); err != nil {
		if errors.Is(err, models.ErrFAQChanged) {
			return refused(FAQRefusedChanged)
		}
		return err
	}
	return d.linkFAQTicket(ctx, p, e.ID, f.Ticket)
}

// FAQAct moves entry id by action; version is the one the agent saw, so
// an approval always approves the text the approver read.
func (d *Desk) FAQAct(ctx context.Context, p Principal, id int64, action string, version int) error {
	if err := mustBeAgent(p); err != nil {
		return err
	}
	move, ok := faqMoves[action]
	if !ok {
		return FieldErrors{"action": ticket.P(ticket.FieldChoose)}
	}
	r, err := d.faqRights(ctx, p)
	if err != nil {
		return err
	}
	e, err := models.FAQByID(ctx, d.db, p.TenantID, id)
	if err != nil {
		return err
	}
	switch action {
	case FAQSubmit, FAQRedraft:
		if !r.Edit {
			return refused(ticket.RefusedForbidden)
		}
	default:
		if !r.Publish {
			return refused(ticket.RefusedForbidden)
		}
	}
	if e.State != move[0] {
		return refused(FAQRefusedAction, "State", string(e.State), "Action", action)
	}
	if version != e.Version {
		return refused(FAQRefusedChanged)
	}
	need, err := d.needsApproval(ctx, p.TenantID, e.ServiceID)
	if err != nil {
		return err
	}
	switch {
	case action == FAQSubmit && !need, action == FAQPublish && need:
		return refused(FAQRefusedAction, "State", string(e.State), "Action", action)
	case action == FAQApprove && e.EditorID == p.ID:
		return refused(FAQRefusedOwnApproval)
	}
	from := e.State
	e.State, e.UpdatedAt = move[1], d.now().UTC()
	if e.State == models.FAQPublished {
		now := e.UpdatedAt
		e.PublishedAt = &now
		if action == FAQApprove {
			e.ApprovedBy = &p.ID
		}
	}
	if err := models.SetFAQState(ctx, d.db, e, from); err != nil {
		if errors.Is(err, models.ErrFAQChanged) {
			return refused(FAQRefusedChanged)
		}
		return err
	}
	return nil
}

// FAQDetail is an entry as its page shows it. Agents get its versions,
// linked tickets and what they may do; others only the entry and files.
type FAQDetail struct {
	Entry       models.FAQEntry
	Service     string
	Attachments []models.FAQAttachment
	Versions    []models.FAQVersion
	Tickets     []models.TicketRow
	// Actions are the state actions p may take now.
	Actions []string
	Rights  FAQRights
	// NeedsApproval: publishing needs a second agent.
	NeedsApproval bool
	Authors       map[int64]string
}

// FAQ returns entry id as p may read it; one p may not read is not found.
func (d *Desk) FAQ(ctx context.Context, p Principal, id int64) (FAQDetail, error) {
	var out FAQDetail
	e, err := models.FAQByID(ctx, d.db, p.TenantID, id)
	if err != nil {
		return out, err
	}
	if !mayReadFAQ(p, e) {
		return out, fmt.Errorf("FAQ entry %d for %s: %w", id, p.Kind, ErrNotFound)
	}
	out.Entry = e
	if e.ServiceID != nil {
		if s, err := models.ServiceByID(ctx, d.db, p.TenantID, *e.ServiceID); err == nil {
			out.Service = s.Name
		}
	}
	if out.Attachments, err = models.FAQAttachments(ctx, d.db, id); err != nil {
		return out, err
	}
	if !p.IsAgent() {
		return out, nil
	}
	if out.Versions, err = models.FAQVersions(ctx, d.db, id); err != nil {
		return out, err
	}
	tickets, err := models.FAQTickets(ctx, d.db, p.TenantID, id)
	if err != nil {
		return out, err
	}
	a, err := d.access(ctx, p)
	if err != nil {
		return out, err
	}
	for _, t := range tickets {
		if a.Sees(t.QueueID) {
			out.Tickets = append(out.Tickets, t)
		}
	}
	if out.Rights, err = d.faqRights(ctx, p); err != nil {
		return out, err
	}
	if out.NeedsApproval, err = d.needsApproval(ctx, p.TenantID, e.ServiceID); err != nil {
		return out, err
	}
	for _, act := range FAQActions {
		move := faqMoves[act]
		if move[0] != e.State {
			continue
		}
		editAct := act == FAQSubmit || act == FAQRedraft
		switch {
		case editAct && !out.Rights.Edit, !editAct && !out.Rights.Publish:
		case act == FAQSubmit && !out.NeedsApproval, act == FAQPublish && out.NeedsApproval:
		case act == FAQApprove && e.EditorID == p.ID:
		default:
			out.Actions = append(out.Actions, act)
		}
	}
	return out, nil
}

// FAQListRequest asks for entries: words (ranked) or the newest; State
// filters agents' lists; Lang is the snippets' language.
type FAQListRequest struct {
	Text, State, Lang string
	ServiceID         int64
}

// FAQListItem is an entry in a list, with its snippet when searched.
type FAQListItem struct {
	models.FAQEntry
	Snippet []SnippetPart
}

// FAQList lists the entries p may read: for agents in every state (or
// the one asked for), for others the published ones.
func (d *Desk) FAQList(ctx context.Context, p Principal, req FAQListRequest) ([]FAQListItem, error) {
	fe := FieldErrors{}
	checkOptional(fe, "q", req.Text, ticket.Line, MaxSearchLength)
	q := models.FAQListQuery{TenantID: p.TenantID, Visibilities: FAQTiers(p), ServiceID: req.ServiceID, Limit: faqPageSize}
	switch {
	case !p.IsAgent():
		q.States = []models.FAQState{models.FAQPublished}
	case req.State != "" && !slices.Contains(models.FAQStates, models.FAQState(req.State)):
		fe["state"] = ticket.P(ticket.FieldChoose)
	case req.State != "":
		q.States = []models.FAQState{models.FAQState(req.State)}
	}
	if len(fe) > 0 {
		return nil, fe
	}
	var out []FAQListItem
	if strings.TrimSpace(req.Text) == "" {
		es, err := models.FAQList(ctx, d.db, q)
		for _, e := range es {
			out = append(out, FAQListItem{FAQEntry: e})
		}
		return out, err
	}
	hits, err := models.SearchFAQ(ctx, d.db, q, req.Text, req.Lang)
	for _, h := range hits {
		out = append(out, FAQListItem{FAQEntry: h.FAQEntry, Snippet: snippetParts(h.Snippet)})
	}
	return out, err
}

// FAQSuggestion is a published entry matching what a customer types.
type FAQSuggestion struct {
	ID      int64
	Title   string
	Snippet []SnippetPart
	Rank    float64
	// ServiceID is the entry's category, if any.
	ServiceID int64
}

// SuggestFAQ returns the published entries visible to p (a customer:
// customer and public tiers; nobody: public; an agent: all three) that
// match text best, best first, titled in lang.
func (d *Desk) SuggestFAQ(ctx context.Context, p Principal, text string, lang string) ([]FAQSuggestion, error) {
	text = suggestText(text)
	q := models.FAQListQuery{TenantID: p.TenantID, Visibilities: FAQTiers(p), States: []models.FAQState{models.FAQPublished}, Limit: faqSuggestions}
	// Long text is many words, all of which must match; a customer's
	// sentence is better read as any of its words.
	hits, err := models.SearchFAQ(ctx, d.db, q, anyWord(text), lang)
	if err != nil {
		return nil, err
	}
	out := make([]FAQSuggestion, 0, len(hits))
	for _, h := range hits {
		title, _, _ := h.In(lang)
		s := FAQSuggestion{ID: h.ID, Title: title, Snippet: snippetParts(h.Snippet), Rank: h.Rank}
		if h.ServiceID != nil {
			s.ServiceID = *h.ServiceID
		}
		out = append(out, s)
	}
	return out, nil
}

// suggestText is what a customer typed as far as suggestions read it:
// valid UTF-8 without control characters, at most MaxSuggestText bytes.
func suggestText(s string) string {
	s = strings.ToValidUTF8(s, " ")
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
	if len(s) > MaxSuggestText {
		s = strings.ToValidUTF8(s[:MaxSuggestText], "")
	}
	return s
}

// anyWord joins the words of text with "or", leaving out the ones too
// short to say anything, so a sentence finds entries matching some of it
// (the best matching most of it ranked first).
func anyWord(text string) string {
	var words []string
	for _, w := range strings.FieldsFunc(text, func(r rune) bool {
		return !(r == '-' || r == '_' || r == '.' || r >= '0' && r <= '9' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r > 0x7f)
	}) {
		w = strings.Trim(w, "-_.")
		if len([]rune(w)) >= 3 && !slices.Contains(words, w) {
			words = append(words, `"`+w+`"`)
		}
		if len(words) == 30 {
			break
		}
	}
	return strings.Join(words, " or ")
}

// RecordDeflection keeps that entry faqID answered what p typed, so no
// ticket was opened: time, tenant, the customer if p is one, the entry,
// its service. The entry must be one p may read.
func (d *Desk) RecordDeflection(ctx context.Context, p Principal, faqID int64, text string) error {
	e, err := models.FAQByID(ctx, d.db, p.TenantID, faqID)
	if err != nil {
		return err
	}
	if !mayReadFAQ(p, e) || e.State != models.FAQPublished {
		return fmt.Errorf("FAQ entry %d for %s: %w", faqID, p.Kind, ErrNotFound)
	}
	row := models.FAQDeflection{TenantID: p.TenantID, FAQID: faqID, ServiceID: e.ServiceID, Text: suggestText(text), CreatedAt: d.now()}
	if p.Kind == ticket.ActorCustomer {
		id := p.ID
		row.CustomerID = &id
	}
	return models.RecordFAQDeflection(ctx, d.db, &row)
}

// FAQFromTicket is the new-entry form prefilled from a ticket: its title,
// its first customer article as the question, and article seq (0: the
// last reply) as the answer, linked with the ticket. The text goes into
// the language fields the agent writes in (lang).
func (d *Desk) FAQFromTicket(ctx context.Context, p Principal, number string, seq int, lang string) (FAQForm, error) {
	var f FAQForm
	if err := mustBeAgent(p); err != nil {
		return f, err
	}
	t, err := d.readable(ctx, p, number)
	if err != nil {
		return f, err
	}
	arts, err := models.Articles(ctx, d.db, t.ID)
	if err != nil {
		return f, err
	}
	var question, answer string
	for _, a := range arts {
		if question == "" && (a.Kind == string(ticket.ArticleCustomer) || a.Kind == string(ticket.ArticlePhoneNote) && a.Seq == arts[0].Seq) {
			question = a.Body
		}
		if seq == 0 && a.Kind == string(ticket.ArticleReply) || seq != 0 && a.Seq == seq {
			answer = a.Body
		}
	}
	if question == "" && len(arts) > 0 {
		question = arts[0].Body
	}
	f = FAQForm{Visibility: string(models.FAQInternal), Ticket: t.Number}
	if t.ServiceID != nil {
		f.ServiceID = *t.ServiceID
	}
	if lang == "en" {
		f.TitleEN, f.QuestionEN, f.AnswerEN = t.Title, question, answer
	} else {
		f.TitleDE, f.QuestionDE, f.AnswerDE = t.Title, question, answer
	}
	return f, nil
}

// TicketFAQs returns the entries linked with a ticket p may read.
func (d *Desk) TicketFAQs(ctx context.Context, p Principal, number string) ([]models.FAQEntry, error) {
	if err := mustBeAgent(p); err != nil {
		return nil, err
	}
	t, err := d.readable(ctx, p, number)
	if err != nil {
		return nil, err
	}
	return models.TicketFAQs(ctx, d.db, p.TenantID, t.ID)
}

// FAQFile is a file of an entry with its content.
type FAQFile struct {
	models.FAQAttachment
	Data []byte
}

// MaxFAQFile bounds a file of an entry.
const MaxFAQFile = 10 << 20

// AddFAQFile attaches a file to entry id; its content is stored once
// however many entries and mails carry it.
func (d *Desk) AddFAQFile(ctx context.Context, p Principal, id int64, f models.AttachmentFile) error {
	if err := mustBeAgent(p); err != nil {
		return err
	}
	r, err := d.faqRights(ctx, p)
	if err != nil {
		return err
	}
	if _, err := models.FAQByID(ctx, d.db, p.TenantID, id); err != nil {
		return err
	}
	if !r.Edit {
		return refused(ticket.RefusedForbidden)
	}
	fe := FieldErrors{}
	f.Filename = ticket.CleanLine(f.Filename)
	checkText(fe, "file", f.Filename, ticket.Line, ticket.MaxTitleLength)
	if len(f.Data) == 0 {
		fe["file"] = ticket.P(ticket.FieldRequired)
	} else if len(f.Data) > MaxFAQFile {
		fe["file"] = ticket.P(ticket.FieldTooLong, "Max", fmt.Sprint(MaxFAQFile))
	}
	if len(fe) > 0 {
		return fe
	}
	if f.ContentType == "" {
		f.ContentType = "application/octet-stream"
	}
	_, err = models.AddFAQAttachment(ctx, d.db, id, f, d.now())
	return err
}

// FAQFileData returns file seq of entry id, for whoever may read the entry.
func (d *Desk) FAQFileData(ctx context.Context, p Principal, id int64, seq int) (FAQFile, error) {
	e, err := models.FAQByID(ctx, d.db, p.TenantID, id)
	if err != nil {
		return FAQFile{}, err
	}
	if !mayReadFAQ(p, e) {
		return FAQFile{}, fmt.Errorf("FAQ entry %d for %s: %w", id, p.Kind, ErrNotFound)
	}
	row, data, err := models.FAQAttachmentData(ctx, d.db, id, seq)
	return FAQFile{FAQAttachment: row, Data: data}, err
}
