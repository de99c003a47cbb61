package desk_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/kiz-ulm/kizdesk/dbtest"
	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/models"
	"github.com/kiz-ulm/kizdesk/ticket"
)

// faqWorld: the fixture's 1st-level agent may edit FAQ entries, a second
// agent (also 1st level) may edit and publish, an admin may do anything,
// a third agent may do nothing with them.
type faqWorld struct {
	d                        *desk.Desk
	f                        dbtest.Fixture
	author, second, nobody   desk.Principal
	admin, customer, visitor desk.Principal
}

func newFAQWorld(t *testing.T, db *gorm.DB) faqWorld {
	t.Helper()
	d, f := newDesk(t, db)
	ctx := t.Context()
	w := faqWorld{d: d, f: f, author: desk.AgentPrincipal(f.Agent), customer: desk.CustomerPrincipal(f.Customer)}
	role, err := models.RoleByName(ctx, db, f.Tenant.ID, "1st level")
	if err != nil {
		t.Fatal(err)
	}
	editors := models.Role{TenantID: f.Tenant.ID, Name: "FAQ-Redaktion", Active: true}
	if err := db.Create(&editors).Error; err != nil {
		t.Fatal(err)
	}
	for _, perm := range []string{models.FAQPermEdit, models.FAQPermPublish} {
		if err := models.GrantFAQPerm(ctx, db, editors.ID, perm); err != nil {
			t.Fatal(err)
		}
	}
	if err := models.GrantFAQPerm(ctx, db, role.ID, models.FAQPermEdit); err != nil {
		t.Fatal(err)
	}
	agent := func(login, role string) desk.Principal {
		a := models.Agent{TenantID: f.Tenant.ID, Login: login, Name: login, Active: true}
		if err := db.Create(&a).Error; err != nil {
			t.Fatal(err)
		}
		if role != "" {
			dbtest.Grant(t, db, a, role)
		}
		return desk.AgentPrincipal(a)
	}
	w.second = agent("zweite", "FAQ-Redaktion")
	dbtest.Grant(t, db, models.Agent{ID: w.second.ID, TenantID: f.Tenant.ID, Login: "zweite"}, "1st level")
	w.admin = agent("chefin", models.AdminRole)
	w.nobody = agent("gast", "")
	if w.visitor, err = d.Visitor(ctx); err != nil {
		t.Fatal(err)
	}
	return w
}

func (w faqWorld) entry(t *testing.T, vis models.FAQVisibility, de, en string) int64 {
	t.Helper()
	id, err := w.d.CreateFAQ(t.Context(), w.author, desk.FAQForm{Visibility: string(vis), ServiceID: w.f.Service.ID,
		FAQText: models.FAQText{TitleDE: de, QuestionDE: de + "?", AnswerDE: "Antwort: " + de, TitleEN: en, QuestionEN: en + "?", AnswerEN: "Answer: " + en}})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.d.FAQAct(t.Context(), w.second, id, desk.FAQPublish, 1); err != nil {
		t.Fatal(err)
	}
	return id
}

func faqTitles(items []desk.FAQListItem) []string {
	var out []string
	for _, it := range items {
		out = append(out, it.TitleDE)
	}
	return out
}

// TestFAQTiers: who reads which tier, and drafts only agents.
func TestFAQTiers(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		w := newFAQWorld(t, db)
		ctx := t.Context()
		internal := w.entry(t, models.FAQInternal, "VPN-Konzentrator neu starten", "Restart the VPN concentrator")
		customer := w.entry(t, models.FAQCustomer, "VPN-Zugang für Beschäftigte", "VPN access for staff")
		public := w.entry(t, models.FAQPublic, "VPN einrichten", "Setting up the VPN")
		draft, err := w.d.CreateFAQ(ctx, w.author, desk.FAQForm{Visibility: "public", FAQText: models.FAQText{TitleDE: "VPN Entwurf", AnswerDE: "noch nicht"}})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			name string
			p    desk.Principal
			want []int64
		}{
			{"agent", w.author, []int64{internal, customer, public, draft}},
			{"customer", w.customer, []int64{customer, public}},
			{"visitor", w.visitor, []int64{public}},
		} {
			items, err := w.d.FAQList(ctx, c.p, desk.FAQListRequest{Text: "VPN", Lang: "de"})
			if err != nil {
				t.Fatal(err)
			}
			var got []int64
			for _, it := range items {
				got = append(got, it.ID)
			}
			slices.Sort(got)
			if !slices.Equal(got, c.want) {
				t.Errorf("%s finds %v (%v), want %v", c.name, got, faqTitles(items), c.want)
			}
			for _, id := range []int64{internal, customer, public, draft} {
				_, err := w.d.FAQ(ctx, c.p, id)
				if slices.Contains(c.want, id) != (err == nil) {
					t.Errorf("%s opening entry %d: %v", c.name, id, err)
				}
			}
			sugg, err := w.d.SuggestFAQ(ctx, c.p, "Mein VPN geht nicht", "de")
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range sugg {
				if s.ID == draft || !slices.Contains(c.want, s.ID) {
					t.Errorf("%s is suggested entry %d %q", c.name, s.ID, s.Title)
				}
			}
		}
		if _, err := w.d.FAQ(ctx, desk.Principal{TenantID: w.f.Tenant.ID + 1000}, public); !errors.Is(err, desk.ErrNotFound) {
			t.Errorf("another tenant's visitor: %v", err)
		}
	})
}

// TestFAQStatesAndApproval: rights, the way to published, and approval by
// a second agent only.
func TestFAQStatesAndApproval(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		w := newFAQWorld(t, db)
		ctx := t.Context()
		form := desk.FAQForm{Visibility: "public", ServiceID: w.f.Service.ID, FAQText: models.FAQText{TitleDE: "Passwort vergessen", AnswerDE: "Im IDM zurücksetzen."}}
		if _, err := w.d.CreateFAQ(ctx, w.nobody, form); !isRefused(err, ticket.RefusedForbidden) {
			t.Errorf("an agent without the FAQ permission writes: %v", err)
		}
		if _, err := w.d.CreateFAQ(ctx, w.customer, form); !errors.Is(err, desk.ErrForbidden) {
			t.Errorf("a customer writes: %v", err)
		}
		bad := form
		bad.TitleDE, bad.Visibility = "", "geheim"
		if _, err := w.d.CreateFAQ(ctx, w.author, bad); !slices.Equal(fieldsOf(t, err), []string{"answer_de", "title_de", "visibility"}) {
			t.Errorf("bad form: %v", err)
		}
		// Approval for the service's category ("Netz & WLAN" above "Netz & WLAN::VPN").
		parent := models.Service{TenantID: w.f.Tenant.ID, Name: "Netz & WLAN", QueueID: w.f.Queue.ID}
		if err := db.Create(&parent).Error; err != nil {
			t.Fatal(err)
		}
		if err := models.RequireFAQApproval(ctx, db, w.f.Tenant.ID, parent.ID); err != nil {
			t.Fatal(err)
		}
		id, err := w.d.CreateFAQ(ctx, w.second, form)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.d.FAQAct(ctx, w.second, id, desk.FAQPublish, 1); !isRefused(err, desk.FAQRefusedAction) {
			t.Errorf("publishing without approval: %v", err)
		}
		if err := w.d.FAQAct(ctx, w.second, id, desk.FAQSubmit, 1); err != nil {
			t.Fatal(err)
		}
		if err := w.d.FAQAct(ctx, w.second, id, desk.FAQApprove, 1); !isRefused(err, desk.FAQRefusedOwnApproval) {
			t.Errorf("approving one's own entry: %v", err)
		}
		if err := w.d.FAQAct(ctx, w.author, id, desk.FAQApprove, 1); !isRefused(err, ticket.RefusedForbidden) {
			t.Errorf("approving without the publish permission: %v", err)
		}
		if _, err := w.d.FAQ(ctx, w.visitor, id); !errors.Is(err, desk.ErrNotFound) {
			t.Errorf("awaiting approval, public: %v", err)
		}
		if err := w.d.FAQAct(ctx, w.admin, id, desk.FAQApprove, 1); err != nil {
			t.Fatal(err)
		}
		got, err := w.d.FAQ(ctx, w.visitor, id)
		if err != nil || got.Entry.State != models.FAQPublished || got.Entry.ApprovedBy == nil || *got.Entry.ApprovedBy != w.admin.ID {
			t.Fatalf("approved entry: %+v, %v", got.Entry, err)
		}
		// An edit of a published entry in this category waits for approval again.
		form.Base = 1
		form.AnswerDE = "Im IDM unter „Passwort ändern“ zurücksetzen."
		if err := w.d.UpdateFAQ(ctx, w.author, id, form); err != nil {
			t.Fatal(err)
		}
		if err := w.d.UpdateFAQ(ctx, w.author, id, form); !isRefused(err, desk.FAQRefusedChanged) {
			t.Errorf("a save on an old version: %v", err)
		}
		det, err := w.d.FAQ(ctx, w.author, id)
		if err != nil || det.Entry.State != models.FAQAwaiting || det.Entry.Version != 2 || slices.Contains(det.Actions, desk.FAQApprove) {
			t.Fatalf("after the edit: %+v actions %v, %v", det.Entry, det.Actions, err)
		}
		if err := w.d.FAQAct(ctx, w.second, id, desk.FAQApprove, 1); !isRefused(err, desk.FAQRefusedChanged) {
			t.Errorf("approving a version not read: %v", err)
		}
		if err := w.d.FAQAct(ctx, w.second, id, desk.FAQApprove, 2); err != nil {
			t.Fatal(err)
		}
		if err := w.d.FAQAct(ctx, w.second, id, desk.FAQWithdraw, 2); err != nil {
			t.Fatal(err)
		}
		if _, err := w.d.FAQ(ctx, w.customer, id); !errors.Is(err, desk.ErrNotFound) {
			t.Errorf("withdrawn entry for a customer: %v", err)
		}
	})
}

// TestFAQVersionsAndDiff: every save is a version with who and when; the
// diff says what changed, line by line.
func TestFAQVersionsAndDiff(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		w := newFAQWorld(t, db)
		ctx := t.Context()
		form := desk.FAQForm{Visibility: "customer", FAQText: models.FAQText{TitleDE: "Outlook-Profil neu anlegen",
			AnswerDE: "Outlook schließen.\nSystemsteuerung öffnen.\nNeues Profil anlegen."}}
		id, err := w.d.CreateFAQ(ctx, w.author, form)
		if err != nil {
			t.Fatal(err)
		}
		form.Base = 1
		form.AnswerDE = "Outlook schließen.\nMail (Microsoft Outlook) in der Systemsteuerung öffnen.\nNeues Profil anlegen."
		if err := w.d.UpdateFAQ(ctx, w.second, id, form); err != nil {
			t.Fatal(err)
		}
		det, err := w.d.FAQ(ctx, w.author, id)
		if err != nil || len(det.Versions) != 2 || det.Versions[0].AgentName != "zweite" || det.Versions[1].AgentID != w.author.ID {
			t.Fatalf("versions: %+v, %v", det.Versions, err)
		}
		diff, err := w.d.DiffFAQ(ctx, w.author, id, 1, 2)
		if err != nil {
			t.Fatal(err)
		}
		var answer desk.FieldDiff
		for _, f := range diff.Fields {
			if f.Field == "answer_de" {
				answer = f
			} else if f.Changed {
				t.Errorf("field %s changed", f.Field)
			}
		}
		want := []desk.DiffLine{{Op: " ", Text: "Outlook schließen."}, {Op: "-", Text: "Systemsteuerung öffnen."},
			{Op: "+", Text: "Mail (Microsoft Outlook) in der Systemsteuerung öffnen."}, {Op: " ", Text: "Neues Profil anlegen."}}
		if !answer.Changed || !slices.Equal(answer.Lines, want) {
			t.Errorf("answer diff: %+v", answer)
		}
		if _, err := w.d.DiffFAQ(ctx, w.author, id, 1, 3); !errors.Is(err, desk.ErrNotFound) {
			t.Errorf("a version that does not exist: %v", err)
		}
		if _, err := w.d.DiffFAQ(ctx, w.customer, id, 1, 2); !errors.Is(err, desk.ErrForbidden) {
			t.Errorf("a customer asking for the diff: %v", err)
		}
	})
}

// TestFAQSearchRanking: in both languages, on both databases, the entry
// whose title holds the words comes first; stems find inflections.
func TestFAQSearchRanking(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		w := newFAQWorld(t, db)
		ctx := t.Context()
		title := w.entry(t, models.FAQPublic, "Drucker installieren", "Installing printers")
		w.entry(t, models.FAQPublic, "Netzlaufwerk verbinden", "Connecting network drives")
		body, err := w.d.CreateFAQ(ctx, w.author, desk.FAQForm{Visibility: "public", FAQText: models.FAQText{
			TitleDE: "Scannen am Kopierer", AnswerDE: "Der Kopierer ist auch ein Drucker; wählen Sie Scannen.",
			TitleEN: "Scanning at the copier", AnswerEN: "The copier is a printer too; choose scan."}})
		if err != nil {
			t.Fatal(err)
		}
		if err := w.d.FAQAct(ctx, w.second, body, desk.FAQPublish, 1); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct{ q, lang string }{{"Drucker", "de"}, {"printers", "en"}, {"printer", "en"}} {
			items, err := w.d.FAQList(ctx, w.visitor, desk.FAQListRequest{Text: c.q, Lang: c.lang})
			if err != nil {
				t.Fatal(err)
			}
			if len(items) != 2 || items[0].ID != title || items[1].ID != body {
				t.Errorf("%q: %v, want the title's entry, then the answer's", c.q, faqTitles(items))
				continue
			}
			var hit bool
			for _, part := range items[1].Snippet {
				hit = hit || part.Hit && strings.Contains(strings.ToLower(part.Text), strings.ToLower(c.q[:5]))
			}
			if !hit {
				t.Errorf("%q: snippet %+v marks no match", c.q, items[1].Snippet)
			}
		}
		sugg, err := w.d.SuggestFAQ(ctx, w.customer, "Mein Drucker druckt nicht mehr \x00", "en")
		if err != nil || len(sugg) == 0 || sugg[0].ID != title || sugg[0].Title != "Installing printers" {
			t.Errorf("suggestions: %+v, %v", sugg, err)
		}
	})
}

// TestFAQDeflection: a "this solved it" is recorded with its entry,
// customer and service; an entry the principal may not read is not.
func TestFAQDeflection(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		w := newFAQWorld(t, db)
		ctx := t.Context()
		pub := w.entry(t, models.FAQCustomer, "WLAN eduroam", "eduroam wifi")
		internal := w.entry(t, models.FAQInternal, "Controller", "Controller")
		if err := w.d.RecordDeflection(ctx, w.customer, pub, "eduroam geht nicht"); err != nil {
			t.Fatal(err)
		}
		if err := w.d.RecordDeflection(ctx, w.visitor, pub, "x"); !errors.Is(err, desk.ErrNotFound) {
			t.Errorf("a visitor deflected by a customer entry: %v", err)
		}
		if err := w.d.RecordDeflection(ctx, w.customer, internal, "x"); !errors.Is(err, desk.ErrNotFound) {
			t.Errorf("a customer deflected by an internal entry: %v", err)
		}
		var rows []models.FAQDeflection
		if err := db.Find(&rows).Error; err != nil {
			t.Fatal(err)
		}
		if len(rows) != 1 || rows[0].FAQID != pub || rows[0].CustomerID == nil || *rows[0].CustomerID != w.f.Customer.ID ||
			rows[0].ServiceID == nil || *rows[0].ServiceID != w.f.Service.ID || rows[0].Text != "eduroam geht nicht" || rows[0].TenantID != w.f.Tenant.ID {
			t.Fatalf("deflections: %+v", rows)
		}
		n, err := models.CountFAQDeflections(ctx, db, w.f.Tenant.ID, time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
		if err != nil || n != 1 {
			t.Errorf("counted %d, %v", n, err)
		}
	})
}

// TestFAQFromTicketAndFiles: the form from a ticket, the link on both
// sides, and a file stored once.
func TestFAQFromTicketAndFiles(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		w := newFAQWorld(t, db)
		ctx := t.Context()
		var tk models.Ticket
		if err := db.Where("number = ?", "1").Take(&tk).Error; err != nil {
			t.Fatal(err)
		}
		for i, a := range []models.Article{{Kind: string(ticket.ArticleCustomer), Body: "Outlook startet nicht."},
			{Kind: string(ticket.ArticleInternalNote), Body: "intern"}, {Kind: string(ticket.ArticleReply), Body: "Profil neu anlegen."}} {
			a.TicketID, a.Seq, a.Author, a.CreatedAt = tk.ID, i+1, "x", time.Now()
			if err := db.Create(&a).Error; err != nil {
				t.Fatal(err)
			}
		}
		f, err := w.d.FAQFromTicket(ctx, w.author, "1", 0, "de")
		if err != nil || f.TitleDE != "t" || f.QuestionDE != "Outlook startet nicht." || f.AnswerDE != "Profil neu anlegen." || f.Ticket != "1" {
			t.Fatalf("form from ticket: %+v, %v", f, err)
		}
		id, err := w.d.CreateFAQ(ctx, w.author, f)
		if err != nil {
			t.Fatal(err)
		}
		linked, err := w.d.TicketFAQs(ctx, w.author, "1")
		if err != nil || len(linked) != 1 || linked[0].ID != id {
			t.Errorf("the ticket's entries: %+v, %v", linked, err)
		}
		det, _ := w.d.FAQ(ctx, w.author, id)
		if len(det.Tickets) != 1 || det.Tickets[0].Number != "1" {
			t.Errorf("the entry's tickets: %+v", det.Tickets)
		}
		file := models.AttachmentFile{Filename: "anleitung.pdf", ContentType: "application/pdf", Data: []byte("%PDF-1.4 Anleitung")}
		for range 2 {
			if err := w.d.AddFAQFile(ctx, w.author, id, file); err != nil {
				t.Fatal(err)
			}
		}
		var n int64
		db.Model(&models.Attachment{}).Count(&n)
		if n != 1 {
			t.Errorf("%d contents stored for one file attached twice", n)
		}
		got, err := w.d.FAQFileData(ctx, w.author, id, 2)
		if err != nil || string(got.Data) != string(file.Data) || got.Filename != "anleitung.pdf" {
			t.Errorf("file: %+v, %v", got.FAQAttachment, err)
		}
		if _, err := w.d.FAQFileData(ctx, w.visitor, id, 1); !errors.Is(err, desk.ErrNotFound) {
			t.Errorf("an internal draft's file for a visitor: %v", err)
		}
	})
}

func isRefused(err error, code ticket.Code) bool {
	var r *desk.RejectedError
	return errors.As(err, &r) && r.Problem.Code == code
}
