package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"go.temporal.io/api/serviceerror"
	workflowpb "go.temporal.io/api/workflow/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"

	"github.com/kiz-ulm/kizdesk/dbtest"
	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/models"
	"github.com/kiz-ulm/kizdesk/ticket"
)

// TestRetentionOnServer runs retention on the real stack: the schedule is
// in Temporal, a closed ticket is archived and then anonymised by the
// Retention workflow (its clock moved on by the run's At instead of
// waiting days), its workflow is gone from Temporal, no page of the API,
// no search and no workflow left there holds the customer's data, and
// `audit verify` stays green and tells what was anonymised.
func TestRetentionOnServer(t *testing.T) {
	for _, kind := range dbtest.Kinds {
		t.Run(kind, func(t *testing.T) { testRetentionOnServer(t, kind) })
	}
}

func testRetentionOnServer(t *testing.T, kind string) {
	s := startTestStack(t, kind)
	ctx := t.Context()
	f := s.fixture
	secrets := []string{f.Customer.Name, f.Customer.Login, f.Customer.Email, "max.private@web.de"}

	if _, err := s.client.ScheduleClient().GetHandle(ctx, ticket.RetentionScheduleID).Describe(ctx); err != nil {
		t.Fatalf("the retention schedule is not in Temporal: %v", err)
	}
	if err := s.db.Create(&models.RetentionPolicy{TenantID: f.Tenant.ID, ArchiveAfter: 1, AnonymiseAfter: 2,
		AnonymiseMode: models.AnonymisePseudonymise}).Error; err != nil {
		t.Fatal(err)
	}
	number := startTicketWith(t, s, "VPN für Max Mustermann", ticket.Terms{}, func(in *ticket.TicketInput) {
		in.Ticket.FollowUpWindow = time.Second
		in.Article.Body = "Max Mustermann (mmuster, privat max.private@web.de) kommt nicht ins VPN."
	})
	// Another customer's open ticket: retention leaves it alone, and the
	// queue and dashboard pages show it while the checks look for the
	// first customer's data.
	other := models.Customer{TenantID: f.Tenant.ID, Login: "ekundin", Name: "Erika Kundin", Email: "erika@example.org", Active: true}
	if err := s.db.Create(&other).Error; err != nil {
		t.Fatal(err)
	}
	agent := desk.AgentPrincipal(f.Agent)
	kv, err := s.desk.CreateTicket(ctx, agent, desk.CreateTicketRequest{CustomerLogin: other.Login, Title: "Drucker im 3. OG", Body: "Text.",
		ServiceID: f.Service.ID, TypeID: f.Type.ID, PriorityID: f.Priority.ID})
	if err != nil {
		t.Fatal(err)
	}
	keep := kv.Number
	phrase := "Rückruf an m@example.org vereinbart."
	secrets = append(secrets, phrase, "Lebenslauf von Max")
	cv := []byte("Lebenslauf von Max Mustermann, geboren 1990")
	if _, err := s.desk.AddNote(ctx, agent, number, desk.AddNoteRequest{Kind: string(ticket.ArticleInternalNote),
		Body: phrase, Files: []desk.Upload{{Name: "lebenslauf-mmuster.txt", Type: "text/plain", Data: cv}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.desk.Close(ctx, agent, number, desk.CloseRequest{State: string(ticket.StateClosedSuccessful)}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 15*time.Second, func() bool { return workflowDone(t, s, number) })

	runAt := func(at time.Time) ticket.RetentionResult {
		t.Helper()
		run, err := s.client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "retention-test-" + at.Format("150405.000"),
			TaskQueue: ticket.TaskQueue}, ticket.WorkflowRetention, ticket.RetentionInput{At: at})
		if err != nil {
			t.Fatal(err)
		}
		var res ticket.RetentionResult
		if err := run.Get(ctx, &res); err != nil {
			t.Fatal(err)
		}
		return res
	}
	apiTicket := func(n string) (int, string) {
		t.Helper()
		req, _ := http.NewRequestWithContext(ctx, "GET", s.srv.URL+"/api/v1/tickets/"+n, nil)
		req.Header.Set("Authorization", "Bearer "+s.token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	search := func(text string, archived bool) int {
		t.Helper()
		hits, _, err := models.SearchTickets(ctx, s.db, models.SearchQuery{TenantID: f.Tenant.ID, Queues: []int64{f.Queue.ID},
			Text: text, Archived: archived, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		return len(hits)
	}
	if _, body := apiTicket(number); !strings.Contains(body, "Mustermann") {
		t.Fatalf("before retention the API shows no customer data, so the leak checks could not fail: %s", body)
	}
	var fileSeq int
	if err := s.db.Raw("SELECT a.seq FROM articles a JOIN article_files f ON f.article_id = a.id JOIN tickets t ON t.id = a.ticket_id WHERE t.number = ?",
		number).Scan(&fileSeq).Error; err != nil || fileSeq == 0 {
		t.Fatalf("the note's file is not in the database: %d %v", fileSeq, err)
	}
	// The agent's pages, as the fixture's agent (an admin) sees them.
	browser := newMatrixClient(t, s.srv.URL, f.Agent.Login, testPassword, "")
	pages := map[string]string{
		"zoom": "/agent/tickets/" + number, "queue": fmt.Sprintf("/agent/queues/%d", f.Queue.ID), "dashboard": "/agent/dashboard",
		"search": "/agent/search?archived=1&q=VPN", "file": fmt.Sprintf("/agent/tickets/%s/articles/%d/files/1", number, fileSeq),
	}
	page := func(path string) (int, string) {
		t.Helper()
		resp, err := browser.c.Get(s.srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := page(pages["zoom"]); code != http.StatusOK || !strings.Contains(body, phrase) || !strings.Contains(body, f.Customer.Name) {
		t.Fatalf("before retention the zoom (%d) shows no customer data, so the page checks could not fail", code)
	}
	if code, body := page(pages["file"]); code != http.StatusOK || body != string(cv) {
		t.Fatalf("before retention the note's file: %d %q", code, body)
	}

	now := time.Now()
	if res := runAt(now.Add(time.Hour)); res.Archived+res.Anonymised != 0 {
		t.Fatalf("retention an hour after closing: %+v", res)
	}
	if res := runAt(now.Add(25 * time.Hour)); res.Archived != 1 || res.Anonymised != 0 {
		t.Fatalf("retention a day after closing: %+v, want one archived", res)
	}
	if search("VPN", false) != 0 || search("VPN", true) != 1 {
		t.Errorf("archived ticket: default search %d, archive filter %d; want 0 and 1", search("VPN", false), search("VPN", true))
	}
	if res := runAt(now.Add(49 * time.Hour)); res.Anonymised != 1 {
		t.Fatalf("retention two days after closing: %+v, want one anonymised", res)
	}

	// Temporal keeps nothing of the ticket. The server deletes a closed
	// run once its close tasks are acknowledged (devtemporal stores the
	// queues' ack levels every second, see there).
	anonymised := time.Now()
	waitFor(t, 30*time.Second, func() bool {
		_, err := s.client.DescribeWorkflowExecution(ctx, ticket.WorkflowID(number), "")
		var nf *serviceerror.NotFound
		return errors.As(err, &nf)
	})
	t.Logf("the ticket's workflow was gone from Temporal %s after the anonymisation", time.Since(anonymised).Round(100*time.Millisecond))
	iter := s.client.GetWorkflowHistory(ctx, ticket.WorkflowID(number), "", false, 0)
	if iter.HasNext() {
		if _, err := iter.Next(); err == nil {
			t.Error("the anonymised ticket's workflow history can still be read")
		}
	}
	// Visibility forgets the run by a task of its own, which may follow
	// the deletion of the run by a moment on a busy machine.
	var list *workflowservice.ListWorkflowExecutionsResponse
	listed := func() bool {
		var err error
		if list, err = s.client.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Namespace: "kizdesk"}); err != nil {
			t.Fatal(err)
		}
		return slices.ContainsFunc(list.GetExecutions(), func(e *workflowpb.WorkflowExecutionInfo) bool {
			return e.GetExecution().GetWorkflowId() == ticket.WorkflowID(number)
		})
	}
	waitFor(t, 30*time.Second, func() bool { return !listed() })
	for _, e := range list.GetExecutions() {
		dump := e.String()
		for _, sec := range secrets {
			if strings.Contains(dump, sec) {
				t.Errorf("a workflow in Temporal (%s) holds %q", e.GetExecution().GetWorkflowId(), sec)
			}
		}
	}

	// Neither the API nor search shows the customer's data.
	code, body := apiTicket(number)
	if code != http.StatusOK {
		t.Fatalf("API on the anonymised ticket: %d %s", code, body)
	}
	for _, sec := range secrets {
		if strings.Contains(body, sec) {
			t.Errorf("the API answer holds %q: %s", sec, body)
		}
		if search(`"`+sec+`"`, true) != 0 {
			t.Errorf("search finds %q", sec)
		}
	}
	if _, body := apiTicket(keep); !strings.Contains(body, other.Name) {
		t.Errorf("the open ticket lost its customer: %s", body)
	}
	// Nor any page.
	for name, path := range pages {
		code, body := page(path)
		switch {
		case name == "file" && code != http.StatusNotFound:
			t.Errorf("the anonymised ticket's file: %d, want 404", code)
		case name != "file" && code != http.StatusOK:
			t.Errorf("%s page %s: %d", name, path, code)
		}
		for _, sec := range secrets {
			if strings.Contains(body, sec) || strings.Contains(body, html.EscapeString(sec)) {
				t.Errorf("the %s page holds %q", name, sec)
			}
		}
		if name == "search" && !strings.Contains(body, number) {
			t.Errorf("the archive filter does not find the anonymised ticket by its kept words")
		}
	}
	// The admin's dry run has nothing left to do, and "run now" runs.
	if code, body := page("/admin/retention"); code != http.StatusOK || !strings.Contains(body, "0 zu archivieren, 0 zu anonymisieren") {
		t.Errorf("the dry run page after the work is done: %d", code)
	}
	resp, err := browser.c.PostForm(s.srv.URL+"/admin/retention/run", url.Values{"csrf_token": {browser.csrf}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Errorf("run now: %d", resp.StatusCode)
	}
	if _, body := page("/admin/retention"); !strings.Contains(body, "Aufbewahrung ausgeführt: 0 archiviert, 0 anonymisiert") {
		t.Errorf("run now does not say what it did")
	}
	var files int64
	if err := s.db.Model(&models.Attachment{}).Where("sha256 = ?", fmt.Sprintf("%x", sha256.Sum256(cv))).Count(&files).Error; err != nil || files != 0 {
		t.Errorf("the note's file content is still stored (%d, %v)", files, err)
	}

	t.Setenv("KIZDESK_LOG_LEVEL", "error")
	t.Setenv("KIZDESK_DATABASE_URL", s.dbURL)
	t.Setenv("KIZDESK_AUDIT_KEY_FILE", s.keyFile)
	t.Setenv("KIZDESK_AUDIT_KEY", "")
	t.Setenv("KIZDESK_AUDIT_DIR", "")
	var out, errw bytes.Buffer
	if err := run(context.Background(), []string{"audit", "verify"}, nil, &out, &errw); err != nil {
		t.Fatalf("audit verify after anonymising: %v\n%s%s", err, out.String(), errw.String())
	}
	if !strings.Contains(out.String(), "ticket "+number+": anonymised") || !strings.Contains(out.String(), "every chain intact") {
		t.Errorf("audit verify does not tell the anonymisation: %s", out.String())
	}
	if !strings.Contains(out.String(), "1 file removed") {
		t.Errorf("audit verify does not tell the file removed: %s", out.String())
	}
	out.Reset()
	if err := run(context.Background(), []string{"retention", "--dry-run", "--at", now.Add(72 * time.Hour).Format(time.RFC3339)}, nil, &out, &errw); err != nil {
		t.Fatalf("retention --dry-run: %v %s", err, errw.String())
	}
	if !strings.Contains(out.String(), "0 to archive, 0 to anonymise") {
		t.Errorf("dry run after the work is done: %s", out.String())
	}

	// Changing an anonymised article afterwards is still found.
	if r := s.db.Exec("UPDATE articles SET body = body || ' (geändert)' WHERE seq = ? AND ticket_id = (SELECT id FROM tickets WHERE number = ?)", fileSeq, number); r.Error != nil || r.RowsAffected != 1 {
		t.Fatalf("tamper: %v, %d rows", r.Error, r.RowsAffected)
	}
	out.Reset()
	if err := run(context.Background(), []string{"audit", "verify"}, nil, &out, &errw); err == nil {
		t.Errorf("audit verify passes a tampered anonymised article: %s", out.String())
	}
}

// TestErasureOnServer files a customer's erasure request through the
// admin pages on the real stack: found by the search, refused with the
// open ticket named while it is open, carried out once it is closed and
// confirmed; then the customer's data is in no page, API answer or
// Temporal workflow, the customer row is pseudonymised, their FAQ
// deflection keeps no text, and audit verify lists the erasure.
func TestErasureOnServer(t *testing.T) {
	for _, kind := range dbtest.Kinds {
		t.Run(kind, func(t *testing.T) { testErasureOnServer(t, kind) })
	}
}

func testErasureOnServer(t *testing.T, kind string) {
	s := startTestStack(t, kind)
	ctx := t.Context()
	f := s.fixture
	agent := desk.AgentPrincipal(f.Agent)
	erika := models.Customer{TenantID: f.Tenant.ID, Login: "ekundin", Name: "Erika Kundin", Email: "erika.kundin@example.org", Active: true}
	if err := s.db.Create(&erika).Error; err != nil {
		t.Fatal(err)
	}
	secrets := []string{erika.Login, erika.Name, erika.Email, "Kundin"}
	newTicket := func(title string) string {
		t.Helper()
		v, err := s.desk.CreateTicket(ctx, agent, desk.CreateTicketRequest{CustomerLogin: erika.Login, Title: title,
			Body: "Bitte an " + erika.Email + " antworten.", ServiceID: f.Service.ID, TypeID: f.Type.ID, PriorityID: f.Priority.ID})
		if err != nil {
			t.Fatal(err)
		}
		return v.Number
	}
	closed, open := newTicket("WLAN im Hörsaal"), newTicket("Passwort vergessen")
	if _, err := s.desk.Close(ctx, agent, closed, desk.CloseRequest{State: string(ticket.StateClosedSuccessful)}); err != nil {
		t.Fatal(err)
	}
	faq := models.FAQEntry{TenantID: f.Tenant.ID, Visibility: models.FAQPublic, State: models.FAQPublished, Version: 1,
		AuthorID: f.Agent.ID, EditorID: f.Agent.ID, CreatedAt: time.Now(), UpdatedAt: time.Now()}
	if err := s.db.Create(&faq).Error; err != nil {
		t.Fatal(err)
	}
	if err := models.RecordFAQDeflection(ctx, s.db, &models.FAQDeflection{TenantID: f.Tenant.ID, FAQID: faq.ID, CustomerID: &erika.ID,
		Text: "Erika Kundin kommt nicht ins WLAN"}); err != nil {
		t.Fatal(err)
	}

	b := newMatrixClient(t, s.srv.URL, f.Agent.Login, testPassword, "")
	get := func(path string) (int, string) {
		t.Helper()
		resp, err := b.c.Get(s.srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	post := func(path string, form url.Values) (int, string) {
		t.Helper()
		form.Set("csrf_token", b.csrf)
		resp, err := b.c.PostForm(s.srv.URL+path, form)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode, resp.Header.Get("Location")
	}
	page := fmt.Sprintf("/admin/erasure/%d", erika.ID)
	if code, body := get("/admin/erasure?q=kundin"); code != http.StatusOK || !strings.Contains(body, `href="`+page+`"`) {
		t.Fatalf("the erasure search does not find the customer: %d", code)
	}
	code, body := get(page)
	if code != http.StatusOK || !strings.Contains(body, open) || strings.Contains(body, `name="confirm"`) {
		t.Fatalf("erasure page with an open ticket: %d; want it named and no confirm form", code)
	}
	// Posted anyway: refused, the open ticket named; nothing changed.
	if code, to := post(page, url.Values{"confirm": {"yes"}}); code != http.StatusSeeOther || to != page {
		t.Fatalf("erasure with an open ticket: %d to %q", code, to)
	}
	if code, body := get(page); code != http.StatusConflict || !strings.Contains(body, open) {
		t.Fatalf("refused erasure: %d, want 409 naming %s", code, open)
	}
	if _, body := get("/agent/tickets/" + closed); !strings.Contains(body, erika.Name) {
		t.Fatal("the refused erasure changed the closed ticket")
	}

	if _, err := s.desk.Close(ctx, agent, open, desk.CloseRequest{State: string(ticket.StateClosedUnsuccessful)}); err != nil {
		t.Fatal(err)
	}
	// Unconfirmed: the form comes back.
	if code, _ := post(page, url.Values{}); code != http.StatusSeeOther {
		t.Fatalf("unconfirmed erasure: %d", code)
	}
	if code, _ := get(page); code != http.StatusUnprocessableEntity {
		t.Fatalf("unconfirmed erasure page: %d, want 422", code)
	}
	if code, to := post(page, url.Values{"confirm": {"yes"}}); code != http.StatusSeeOther || to != "/admin/erasure" {
		t.Fatalf("confirmed erasure: %d to %q", code, to)
	}
	if _, body := get("/admin/erasure"); !strings.Contains(body, "2 anonymisiert") {
		t.Errorf("the erasure's result is not shown: %s", body)
	}

	for _, n := range []string{closed, open} {
		waitFor(t, 30*time.Second, func() bool {
			_, err := s.client.DescribeWorkflowExecution(ctx, ticket.WorkflowID(n), "")
			var nf *serviceerror.NotFound
			return errors.As(err, &nf)
		})
		for _, path := range []string{"/agent/tickets/" + n, "/agent/search?archived=1&q=" + url.QueryEscape("WLAN Passwort")} {
			code, body := get(path)
			if code != http.StatusOK {
				t.Errorf("%s: %d", path, code)
			}
			for _, sec := range secrets {
				if strings.Contains(body, sec) {
					t.Errorf("%s holds %q", path, sec)
				}
			}
		}
	}
	if code, _ := get(page); code != http.StatusNotFound {
		t.Errorf("the erased customer's erasure page: %d, want 404 (nobody left to erase)", code)
	}
	var c models.Customer
	if err := s.db.Where("id = ?", erika.ID).Take(&c).Error; err != nil {
		t.Fatal(err)
	}
	var d models.FAQDeflection
	if err := s.db.Where("faq_id = ?", faq.ID).Take(&d).Error; err != nil {
		t.Fatal(err)
	}
	for _, sec := range secrets {
		if strings.Contains(c.Login+c.Name+c.Email, sec) || strings.Contains(d.Text, sec) || d.CustomerID != nil {
			t.Errorf("customer %+v or deflection %+v keeps %q", c, d, sec)
		}
	}
	list, err := s.client.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Namespace: "kizdesk"})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range list.GetExecutions() {
		for _, sec := range secrets {
			if strings.Contains(e.String(), sec) {
				t.Errorf("a workflow in Temporal (%s) holds %q", e.GetExecution().GetWorkflowId(), sec)
			}
		}
	}

	t.Setenv("KIZDESK_LOG_LEVEL", "error")
	t.Setenv("KIZDESK_DATABASE_URL", s.dbURL)
	t.Setenv("KIZDESK_AUDIT_KEY_FILE", s.keyFile)
	t.Setenv("KIZDESK_AUDIT_KEY", "")
	t.Setenv("KIZDESK_AUDIT_DIR", "")
	var out, errw bytes.Buffer
	if err := run(context.Background(), []string{"audit", "verify"}, nil, &out, &errw); err != nil {
		t.Fatalf("audit verify after the erasure: %v\n%s%s", err, out.String(), errw.String())
	}
	for _, n := range []string{closed, open} {
		if !strings.Contains(out.String(), "ticket "+n+": anonymised") || !strings.Contains(out.String(), "(erasure request, pseudonymise)") {
			t.Errorf("audit verify does not list the erasure of %s: %s", n, out.String())
		}
	}
}
