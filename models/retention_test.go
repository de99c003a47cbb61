package models_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"sort"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/kiz-ulm/kizdesk/activities"
	"github.com/kiz-ulm/kizdesk/dbtest"
	"github.com/kiz-ulm/kizdesk/models"
	"github.com/kiz-ulm/kizdesk/ticket"
)

// personal is what the fixture's customer leaves in a ticket; none of it
// may remain once the ticket is anonymised.
var personal = []string{"Mustermann", "mmuster", "m@example.org", "max.private@web.de", "0731 50-12345"}

// retentionTicket projects a closed ticket of the fixture's customer with
// their data in the title, entries, articles and a mail with an
// attachment, plus a second (open) ticket whose mail shares the
// attachment.
func retentionTicket(t *testing.T, db *gorm.DB, keys models.AuditKeys) (dbtest.Fixture, int64, time.Time) {
	t.Helper()
	ctx := context.Background()
	f := dbtest.Seed(t, db, "x")
	must(t, db.Model(&models.Customer{}).Where("id = ?", f.Customer.ID).Update("phone", "0731 50-12345").Error)
	// Article files: one only this ticket has, one the open ticket's
	// article has too, one an FAQ entry has too.
	sums, err := models.StoreAttachmentData(ctx, db, [][]byte{[]byte("Lebenslauf Max Mustermann"), []byte("vpn.log"), []byte("anleitung.pdf")})
	must(t, err)
	artOwn, artShared, artFAQ := sums[0], sums[1], sums[2]
	faq := models.FAQEntry{TenantID: f.Tenant.ID, Visibility: models.FAQPublic, State: models.FAQPublished, Version: 1,
		AuthorID: f.Agent.ID, EditorID: f.Agent.ID, CreatedAt: time.Now(), UpdatedAt: time.Now()}
	must(t, db.Create(&faq).Error)
	must(t, db.Create(&models.FAQAttachment{FAQID: faq.ID, Seq: 1, SHA256: artFAQ, Filename: "anleitung.pdf", ContentType: "application/pdf", CreatedAt: time.Now()}).Error)
	file := func(sum, name string) ticket.File {
		return ticket.File{SHA256: sum, Name: name, Type: "application/octet-stream", Size: 7}
	}
	acts := &activities.Activities{DB: db, AuditKey: keys.Current()}
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	cust := ticket.Actor{Kind: "customer", ID: f.Customer.ID, Name: f.Customer.Name}
	agent := ticket.Actor{Kind: "agent", ID: f.Agent.ID, Name: f.Agent.Name}
	snap := func(number, title, state string) ticket.Snapshot {
		return ticket.Snapshot{Number: number, TenantID: f.Tenant.ID, Title: title, State: state, Level: "1st level",
			QueueID: f.Queue.ID, TypeID: f.Type.ID, PriorityID: f.Priority.ID, CustomerID: f.Customer.ID, Channel: "email",
			CreatedAt: at, UpdatedAt: at}
	}
	s := snap("2026030210000011", "VPN für Max Mustermann", "closed successful")
	s.ClosedAt = at.Add(time.Hour)
	res, err := acts.ProjectTicket(ctx, ticket.ProjectTicketInput{Ticket: s, Events: []ticket.HistoryEvent{
		{Seq: 1, At: at, Event: "NewTicket", Actor: cust, Field: "State", New: "new",
			Article: &ticket.Article{Kind: "email", CustomerVisible: true, Subject: "VPN geht nicht (m@example.org)",
				Body:  "Hallo, hier Max Mustermann, privat max.private@web.de, Tel. 0731 50-12345. Der Tunnel bricht ab.",
				Files: []ticket.File{file(artOwn, "Lebenslauf Mustermann.pdf"), file(artShared, "vpn.log"), file(artFAQ, "anleitung.pdf")}}},
		{Seq: 2, At: at.Add(time.Minute), Event: "SendAnswer", Actor: agent,
			Article: &ticket.Article{Kind: "email", CustomerVisible: true, Subject: "Re: VPN", Body: "Sehr geehrter Herr Mustermann, das Zertifikat ist erneuert."}},
		{Seq: 3, At: at.Add(time.Hour), Event: "StateUpdate", Actor: agent, Field: "State", Old: "open", New: "closed successful"},
	}})
	must(t, err)
	other := snap("2026030210000029", "Drucker", "open")
	_, err = acts.ProjectTicket(ctx, ticket.ProjectTicketInput{Ticket: other, Events: []ticket.HistoryEvent{
		{Seq: 1, At: at, Event: "NewTicket", Actor: agent, Field: "State", New: "new",
			Article: &ticket.Article{Kind: "note", Subject: "Drucker", Body: "Toner leer.", Files: []ticket.File{file(artShared, "vpn.log")}}}}})
	must(t, err)
	shared := models.Attachment{SHA256: "shared", Size: 3, Data: []byte("pdf"), CreatedAt: at}
	own := models.Attachment{SHA256: "own", Size: 12, Data: []byte("Mustermann's"), CreatedAt: at}
	must(t, db.Create(&shared).Error)
	must(t, db.Create(&own).Error)
	for i, number := range []string{s.Number, other.Number} {
		m := models.MailMessage{TenantID: f.Tenant.ID, Direction: models.MailIn, MessageKey: number, TicketNumber: number,
			Outcome: models.MailNewTicket, Sender: "m@example.org", Subject: "VPN", Raw: []byte("From: Max Mustermann <m@example.org>\r\n\r\nHallo"), CreatedAt: at}
		must(t, db.Create(&m).Error)
		must(t, db.Create(&models.MailAttachment{MailID: m.ID, Seq: 1, SHA256: "shared", Filename: "a.pdf", ContentType: "application/pdf"}).Error)
		if i == 0 {
			must(t, db.Create(&models.MailAttachment{MailID: m.ID, Seq: 2, SHA256: "own", Filename: "b.txt", ContentType: "text/plain"}).Error)
		}
	}
	return f, res.TicketID, at.Add(time.Hour)
}

// leaks returns where, in the ticket's rows, a personal string is left.
func leaks(t *testing.T, db *gorm.DB, ticketID int64, number string) []string {
	t.Helper()
	var out []string
	var texts []string
	var tk models.Ticket
	must(t, db.Where("id = ?", ticketID).Take(&tk).Error)
	texts = append(texts, "title: "+tk.Title)
	var c models.Customer
	must(t, db.Where("id = ?", tk.CustomerID).Take(&c).Error)
	texts = append(texts, "customer: "+c.Login+" "+c.Name+" "+c.Email+" "+c.Phone)
	var es []models.HistoryEntry
	must(t, db.Where("ticket_id = ?", ticketID).Find(&es).Error)
	for _, e := range es {
		texts = append(texts, "entry: "+e.ActorName+" "+e.OldValue+" "+e.NewValue)
	}
	var as []models.Article
	must(t, db.Where("ticket_id = ?", ticketID).Find(&as).Error)
	for _, a := range as {
		texts = append(texts, "article: "+a.Author+" "+a.Subject+" "+a.Body)
	}
	var fs []models.ArticleFile
	must(t, db.Where("article_id IN (SELECT id FROM articles WHERE ticket_id = ?)", ticketID).Find(&fs).Error)
	for _, f := range fs {
		texts = append(texts, "article file: "+f.Filename)
	}
	var ms []models.MailMessage
	must(t, db.Where("ticket_number = ?", number).Find(&ms).Error)
	for _, m := range ms {
		texts = append(texts, "mail: "+m.Sender+" "+m.Subject+" "+string(m.Raw))
	}
	for _, text := range texts {
		for _, p := range personal {
			if strings.Contains(strings.ToLower(text), strings.ToLower(p)) {
				out = append(out, p+" in "+text)
			}
		}
	}
	return out
}

func TestRetentionArchiveAndAnonymise(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		keys := dbtest.AuditKeys(t)
		f, id, closed := retentionTicket(t, db, keys)
		number := "2026030210000011"
		if l := leaks(t, db, id, number); len(l) == 0 {
			t.Fatal("the fixture holds no personal data: the test could not fail")
		}
		must(t, db.Create(&models.RetentionPolicy{TenantID: f.Tenant.ID, ArchiveAfter: 30, AnonymiseAfter: 90, AnonymiseMode: models.AnonymisePseudonymise}).Error)

		due := func(at time.Time) []models.RetentionDue {
			t.Helper()
			d, err := models.DueForRetention(ctx, db, 0, at, 0, 100)
			must(t, err)
			return d
		}
		if d := due(closed.Add(29 * 24 * time.Hour)); len(d) != 0 {
			t.Fatalf("due after 29 days: %+v", d)
		}
		d := due(closed.Add(30 * 24 * time.Hour))
		if len(d) != 1 || d[0].Number != number || d[0].Action != models.ActionArchive {
			t.Fatalf("due after 30 days: %+v, want %s to archive", d, number)
		}
		sys := models.RetentionActor{Kind: "system", Name: "retention"}
		archived, err := models.ArchiveTicket(ctx, db, keys.Current(), id, sys, closed.Add(30*24*time.Hour))
		must(t, err)
		again, err := models.ArchiveTicket(ctx, db, keys.Current(), id, sys, closed.Add(31*24*time.Hour))
		must(t, err)
		if !archived || again {
			t.Fatalf("archived %v, again %v: want once", archived, again)
		}
		if d := due(closed.Add(60 * 24 * time.Hour)); len(d) != 0 {
			t.Fatalf("due again after archiving: %+v", d)
		}
		// Archived: out of the default search, found with the archive filter.
		q := models.SearchQuery{TenantID: f.Tenant.ID, Queues: []int64{f.Queue.ID}, Text: "Tunnel", Limit: 10}
		if hits, _, err := models.SearchTickets(ctx, db, q); err != nil || len(hits) != 0 {
			t.Fatalf("default search finds the archived ticket: %v %v", hits, err)
		}
		q.Archived = true
		if hits, _, err := models.SearchTickets(ctx, db, q); err != nil || len(hits) != 1 {
			t.Fatalf("archive filter: %d hits, %v; want the ticket", len(hits), err)
		}

		d = due(closed.Add(90 * 24 * time.Hour))
		if len(d) != 1 || d[0].Action != models.ActionAnonymise {
			t.Fatalf("due after 90 days: %+v, want anonymise", d)
		}
		res, err := models.AnonymiseTicket(ctx, db, keys.Current(), models.AnonymiseInput{TicketID: id, Mode: d[0].Mode,
			Reason: models.ReasonRetention, Actor: sys, Now: closed.Add(90 * 24 * time.Hour)})
		must(t, err)
		if !res.Done || res.Entries != 2 || res.Mails != 1 || res.Files != 2 {
			t.Fatalf("anonymised: %+v; want the entries, one mail, its own attachment and the article's own file", res)
		}
		if l := leaks(t, db, id, number); len(l) != 0 {
			t.Errorf("personal data left: %q", l)
		}
		var files []string
		must(t, db.Model(&models.Attachment{}).Order("sha256").Pluck("sha256", &files).Error)
		want := []string{"shared", sha("vpn.log"), sha("anleitung.pdf")}
		sort.Strings(want)
		if strings.Join(files, ",") != strings.Join(want, ",") {
			t.Errorf("attachments left: %v; want only the ones the open ticket's mail and article and the FAQ entry share", files)
		}
		// The search index followed the rewrite.
		q.Text = "Mustermann"
		if hits, _, err := models.SearchTickets(ctx, db, q); err != nil || len(hits) != 0 {
			t.Errorf("search finds the anonymised customer: %d hits, %v", len(hits), err)
		}
		q.Text = "Zertifikat"
		if hits, _, err := models.SearchTickets(ctx, db, q); err != nil || len(hits) != 1 {
			t.Errorf("search for kept text: %d hits, %v; want the ticket", len(hits), err)
		}
		again2, err := models.AnonymiseTicket(ctx, db, keys.Current(), models.AnonymiseInput{TicketID: id, Mode: models.AnonymisePseudonymise,
			Reason: models.ReasonRetention, Actor: sys, Now: closed.Add(91 * 24 * time.Hour)})
		must(t, err)
		if again2.Done {
			t.Error("anonymised twice")
		}

		r, err := models.VerifyHistory(ctx, db, keys)
		must(t, err)
		if !r.Intact() {
			t.Fatalf("history broken after anonymising: %v", r.Broken)
		}
		if len(r.Anonymised) != 1 || r.Anonymised[0].Number != number || len(r.Anonymised[0].Entries) != 2 ||
			r.Anonymised[0].Reason != models.ReasonRetention || r.Anonymised[0].Files != 3 {
			t.Fatalf("verify reports anonymisations %+v", r.Anonymised)
		}
		t.Log(r.Anonymised[0])

		// A file put back behind the anonymisation's back is found: the
		// recorded hash covers the article without its files.
		var art models.Article
		must(t, db.Where("ticket_id = ? AND seq = 1", id).Take(&art).Error)
		must(t, db.Create(&models.ArticleFile{ArticleID: art.ID, Seq: 1, SHA256: sha("vpn.log"), Filename: "vpn.log", ContentType: "text/plain", Size: 7}).Error)
		if r, err := models.VerifyHistory(ctx, db, keys); err != nil || r.Intact() {
			t.Fatalf("a file added to an anonymised article went unseen: %v %v", r.Broken, err)
		}
		must(t, db.Where("article_id = ?", art.ID).Delete(&models.ArticleFile{}).Error)

		// Rewriting anything else of the history is still refused.
		if err := db.Exec("UPDATE articles SET body = 'x' WHERE ticket_id <> ?", id).Error; err == nil ||
			!strings.Contains(err.Error(), appendOnly) {
			t.Errorf("update of a non-anonymised article: %v", err)
		}
		if err := db.Exec("UPDATE ticket_history SET event = 'x' WHERE ticket_id = ? AND seq = 1", id).Error; err == nil ||
			!strings.Contains(err.Error(), appendOnly) {
			t.Errorf("update of an anonymised entry's event: %v", err)
		}

		// Tampering with an anonymised article after the fact is found.
		must(t, db.Exec("UPDATE articles SET body = body || ' forged' WHERE ticket_id = ? AND seq = 2", id).Error)
		r, err = models.VerifyHistory(ctx, db, keys)
		must(t, err)
		if len(r.Broken) != 1 || r.Broken[0].Seq != 2 || !strings.Contains(r.Broken[0].Reason, "after anonymisation") {
			t.Fatalf("tampered anonymised article: %v", r.Broken)
		}
	})
}

func sha(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func TestRetentionDeleteMode(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		keys := dbtest.AuditKeys(t)
		_, id, closed := retentionTicket(t, db, keys)
		res, err := models.AnonymiseTicket(ctx, db, keys.Current(), models.AnonymiseInput{TicketID: id, Mode: models.AnonymiseDelete,
			Reason: models.ReasonErasure, Actor: models.RetentionActor{Kind: "agent", ID: 1, Name: "Admin"}, Now: closed.Add(time.Hour)})
		must(t, err)
		if !res.Done {
			t.Fatal("not done")
		}
		var as []models.Article
		must(t, db.Where("ticket_id = ?", id).Find(&as).Error)
		for _, a := range as {
			if a.Subject != "" || a.Body != "" {
				t.Errorf("article %d kept its text in delete mode: %q %q", a.Seq, a.Subject, a.Body)
			}
		}
		if l := leaks(t, db, id, "2026030210000011"); len(l) != 0 {
			t.Errorf("personal data left: %q", l)
		}
		r, err := models.VerifyHistory(ctx, db, keys)
		must(t, err)
		if !r.Intact() {
			t.Fatalf("history broken: %v", r.Broken)
		}
		// Forging the Anonymised entry's record is found too.
		behindTheBack(t, db, "UPDATE ticket_history SET new_value = replace(new_value, 'erasure', 'retention') WHERE ticket_id = ? AND event = 'Anonymised'", id)
		r, err = models.VerifyHistory(ctx, db, keys)
		must(t, err)
		if r.Intact() {
			t.Fatal("a forged anonymisation record went unseen")
		}
	})
}

func TestPseudonymiseCustomerClearsDeflections(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		f := dbtest.Seed(t, db, "x")
		faq := models.FAQEntry{TenantID: f.Tenant.ID, Visibility: models.FAQPublic, State: models.FAQPublished, Version: 1,
			AuthorID: f.Agent.ID, EditorID: f.Agent.ID, CreatedAt: time.Now(), UpdatedAt: time.Now()}
		must(t, db.Create(&faq).Error)
		cid := f.Customer.ID
		must(t, models.RecordFAQDeflection(ctx, db, &models.FAQDeflection{TenantID: f.Tenant.ID, FAQID: faq.ID, CustomerID: &cid,
			Text: "Max Mustermann: Outlook startet nicht"}))
		must(t, models.PseudonymiseCustomer(ctx, db, f.Tenant.ID, cid))
		var ds []models.FAQDeflection
		must(t, db.Find(&ds).Error)
		if len(ds) != 1 || ds[0].CustomerID != nil || ds[0].Text != "" {
			t.Fatalf("deflections after erasure: %+v; want one, without customer and text", ds)
		}
		var c models.Customer
		must(t, db.Where("id = ?", cid).Take(&c).Error)
		if strings.Contains(c.Name+c.Login+c.Email, "Muster") || c.Active {
			t.Fatalf("customer after erasure: %+v", c)
		}
		if err := models.PseudonymiseCustomer(ctx, db, f.Tenant.ID+1000, cid); err == nil {
			t.Fatal("erased a customer of another tenant")
		}
	})
}

// TestRetentionPeriodUnits: a policy's periods count in its unit — days,
// hours or minutes — for what is due and for the reading window.
func TestRetentionPeriodUnits(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		keys := dbtest.AuditKeys(t)
		f, _, closed := retentionTicket(t, db, keys)
		p := models.RetentionPolicy{TenantID: f.Tenant.ID, ArchiveAfter: 5, AnonymiseAfter: 30, PortalRead: 2,
			AnonymiseMode: models.AnonymisePseudonymise, Unit: models.UnitMinutes}
		must(t, db.Create(&p).Error)
		for _, c := range []struct {
			after time.Duration
			want  models.RetentionAction
		}{{4 * time.Minute, ""}, {5 * time.Minute, models.ActionArchive}, {30 * time.Minute, models.ActionAnonymise}} {
			d, err := models.DueForRetention(ctx, db, f.Tenant.ID, closed.Add(c.after), 0, 10)
			must(t, err)
			got := models.RetentionAction("")
			if len(d) > 0 {
				got = d[0].Action
			}
			if len(d) > 1 || got != c.want {
				t.Errorf("%s after closing: %+v, want %q", c.after, d, c.want)
			}
		}
		if w, err := models.ReadingWindow(ctx, db, f.Tenant.ID); err != nil || w != 2*time.Minute {
			t.Errorf("reading window: %s, %v, want 2m", w, err)
		}
		must(t, db.Model(&p).Update("period_unit", models.UnitHours).Error)
		if d, err := models.DueForRetention(ctx, db, f.Tenant.ID, closed.Add(4*time.Hour), 0, 10); err != nil || len(d) != 0 {
			t.Errorf("4 hours after closing, in hours: %+v, %v", d, err)
		}
		if w, _ := models.ReadingWindow(ctx, db, f.Tenant.ID); w != 2*time.Hour {
			t.Errorf("reading window in hours: %s", w)
		}
	})
}
