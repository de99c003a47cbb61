package web

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/models"
)

// The fake desk's knowledge base: three published entries, one per tier
// (1 internal, 2 customer, 3 public), read by desk.FAQTiers' rule; the
// real rules are tested in package desk. Its state lives beside the fake,
// as the Outbox's does.

type fakeFAQState struct {
	mu      sync.Mutex
	entries map[int64]models.FAQEntry
	forms   []desk.FAQForm
	acts    []string
}

var fakeFAQStates sync.Map // *fakeDesk → *fakeFAQState

func (f *fakeDesk) faqState() *fakeFAQState {
	entry := func(id int64, vis models.FAQVisibility, de, en string) models.FAQEntry {
		return models.FAQEntry{ID: id, TenantID: 1, Visibility: vis, State: models.FAQPublished, Version: 1, AuthorID: 7, EditorID: 7,
			FAQText: models.FAQText{TitleDE: de, AnswerDE: "Antwort " + de, TitleEN: en, AnswerEN: "Answer " + en}}
	}
	v, _ := fakeFAQStates.LoadOrStore(f, &fakeFAQState{entries: map[int64]models.FAQEntry{
		1: entry(1, models.FAQInternal, "Interner Exchange-Neustart", "Internal Exchange restart"),
		2: entry(2, models.FAQCustomer, "Kunden-VPN", "Customer VPN"),
		3: entry(3, models.FAQPublic, "Outlook-Profil <neu>", "Outlook profile <new>"),
	}})
	return v.(*fakeFAQState)
}

func (f *fakeDesk) Visitor(context.Context) (desk.Principal, error) {
	f.record("Visitor")
	return desk.Principal{TenantID: 1, Name: "visitor"}, nil
}

func (f *fakeDesk) fakeFAQReadable(p desk.Principal, e models.FAQEntry) bool {
	return slices.Contains(desk.FAQTiers(p), e.Visibility) && (p.IsAgent() || e.State == models.FAQPublished)
}

func (f *fakeDesk) FAQList(_ context.Context, p desk.Principal, req desk.FAQListRequest) ([]desk.FAQListItem, error) {
	f.record("FAQList", req.Text, req.State)
	if err := f.errs["FAQList"]; err != nil {
		return nil, err
	}
	st := f.faqState()
	st.mu.Lock()
	defer st.mu.Unlock()
	var out []desk.FAQListItem
	for id := int64(1); id <= int64(len(st.entries)); id++ {
		if e := st.entries[id]; f.fakeFAQReadable(p, e) {
			out = append(out, desk.FAQListItem{FAQEntry: e})
		}
	}
	return out, nil
}

func (f *fakeDesk) FAQ(_ context.Context, p desk.Principal, id int64) (desk.FAQDetail, error) {
	f.record("FAQ")
	st := f.faqState()
	st.mu.Lock()
	defer st.mu.Unlock()
	e, ok := st.entries[id]
	if !ok || !f.fakeFAQReadable(p, e) {
		return desk.FAQDetail{}, fmt.Errorf("fake FAQ %d: %w", id, desk.ErrNotFound)
	}
	d := desk.FAQDetail{Entry: e}
	if p.IsAgent() {
		d.Rights = desk.FAQRights{Edit: true, Publish: true}
		d.Actions = []string{desk.FAQWithdraw}
		d.Versions = []models.FAQVersion{{FAQID: id, Version: 1, AgentID: 7, AgentName: "Anna Agent", Action: "created", Visibility: e.Visibility, FAQText: e.FAQText}}
	}
	return d, nil
}

func (f *fakeDesk) CreateFAQ(_ context.Context, p desk.Principal, form desk.FAQForm) (int64, error) {
	f.record("CreateFAQ", form)
	if err := f.errs["CreateFAQ"]; err != nil {
		return 0, err
	}
	st := f.faqState()
	st.mu.Lock()
	defer st.mu.Unlock()
	st.forms = append(st.forms, form)
	id := int64(len(st.entries) + 1)
	st.entries[id] = models.FAQEntry{ID: id, TenantID: 1, Visibility: models.FAQVisibility(form.Visibility), State: models.FAQDraft,
		Version: 1, FAQText: form.FAQText, AuthorID: p.ID, EditorID: p.ID}
	return id, nil
}

func (f *fakeDesk) UpdateFAQ(_ context.Context, p desk.Principal, id int64, form desk.FAQForm) error {
	f.record("UpdateFAQ", form)
	if err := f.errs["UpdateFAQ"]; err != nil {
		return err
	}
	st := f.faqState()
	st.mu.Lock()
	defer st.mu.Unlock()
	st.forms = append(st.forms, form)
	e, ok := st.entries[id]
	if !ok {
		return desk.ErrNotFound
	}
	e.FAQText, e.Version = form.FAQText, e.Version+1
	st.entries[id] = e
	return nil
}

func (f *fakeDesk) FAQAct(_ context.Context, _ desk.Principal, id int64, action string, version int) error {
	f.record("FAQAct", action)
	if err := f.errs["FAQAct"]; err != nil {
		return err
	}
	st := f.faqState()
	st.mu.Lock()
	defer st.mu.Unlock()
	st.acts = append(st.acts, fmt.Sprintf("%d %s %d", id, action, version))
	return nil
}

func (f *fakeDesk) DiffFAQ(_ context.Context, _ desk.Principal, id int64, from, to int) (desk.FAQDiff, error) {
	f.record("DiffFAQ")
	return desk.FAQDiff{From: models.FAQVersion{Version: from}, To: models.FAQVersion{Version: to},
		Fields: []desk.FieldDiff{desk.DiffText("answer_de", "alt\ngleich", "neu\ngleich")}}, nil
}

func (f *fakeDesk) FAQFromTicket(_ context.Context, _ desk.Principal, number string, _ int, _ string) (desk.FAQForm, error) {
	f.record("FAQFromTicket", number)
	if number != testNumber {
		return desk.FAQForm{}, desk.ErrNotFound
	}
	return desk.FAQForm{Visibility: "internal", Ticket: number, FAQText: models.FAQText{TitleDE: "Printer <b>jams</b>",
		QuestionDE: "Der Drucker klemmt.", AnswerDE: "Papier richtig einlegen."}}, nil
}

func (f *fakeDesk) TicketFAQs(context.Context, desk.Principal, string) ([]models.FAQEntry, error) {
	f.record("TicketFAQs")
	return nil, nil
}

func (f *fakeDesk) FAQFileData(_ context.Context, p desk.Principal, id int64, seq int) (desk.FAQFile, error) {
	f.record("FAQFileData")
	d, err := f.FAQ(context.Background(), p, id)
	if err != nil || seq != 1 {
		return desk.FAQFile{}, desk.ErrNotFound
	}
	return desk.FAQFile{FAQAttachment: models.FAQAttachment{FAQID: d.Entry.ID, Seq: 1, Filename: "anleitung.html"}, Data: []byte("<script>alert(1)</script>")}, nil
}
