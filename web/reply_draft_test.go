package web

import (
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/ticket"
)

// textareaRE finds a textarea's content by its id.
func textarea(t *testing.T, page, id string) string {
	t.Helper()
	m := regexp.MustCompile(`<textarea id="` + id + `"[^>]*>\n?([^<]*)</textarea>`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no textarea %s in\n%s", id, page)
	}
	return m[1]
}

// TestZoomOffersWritingAids: the reply and note forms offer the standard
// responses of the ticket (their names and texts escaped), a new reply
// starts with the signature, and the insert script is loaded.
func TestZoomOffersWritingAids(t *testing.T) {
	b := newBrowser(t, Options{})
	b.login()
	res := b.get("/agent/tickets/" + testNumber)
	wantStatus(t, res, http.StatusOK)
	wantContains(t, res.body,
		`<select id="reply-response" name="response">`, `<select id="note-response" name="response">`,
		`<option value="21" data-text="Hello Carl Customer,`+"\n"+`thanks for ticket `+testNumber+`.">Helpdesk</option>`,
		`<option value="22" data-text="&lt;/textarea&gt;&lt;script&gt;alert(1)&lt;/script&gt;">Printer &lt;b&gt;jams&lt;/b&gt;</option>`,
		`formaction="/agent/tickets/`+testNumber+`/draft" formnovalidate name="draft" value="reply" data-insert="reply-body"`,
		`name="draft" value="note" data-insert="note-body"`,
		`<script src="/static/writing.js?v=`)
	if strings.Contains(res.body, "<script>alert") || strings.Contains(res.body, "<b>jams") {
		t.Error("a response's text or name is not escaped")
	}
	if got := textarea(t, res.body, "reply-body"); got != "\n\n-- \nAnna Agent\nHelpdesk &lt;kiz&gt;" {
		t.Errorf("a new reply starts with %q, want the signature", got)
	}
	if got := textarea(t, res.body, "note-body"); got != "" {
		t.Errorf("a new note starts with %q, want nothing", got)
	}
	js := b.get("/static/writing.js")
	wantStatus(t, js, http.StatusOK)
	wantContains(t, js.body, "setRangeText", "data-insert")

	// Without aids, no select and no script.
	b.desk.errs["WritingAids"] = nil
	saved := fakeWriting
	fakeWriting = desk.Writing{}
	t.Cleanup(func() { fakeWriting = saved })
	res = b.get("/agent/tickets/" + testNumber)
	if strings.Contains(res.body, `name="response"`) || strings.Contains(res.body, "writing.js") {
		t.Error("the zoom offers standard responses where there are none")
	}
	if got := textarea(t, res.body, "reply-body"); got != "" {
		t.Errorf("a reply without a signature starts with %q", got)
	}

	// A desk failure is the error page, not a zoom without aids.
	b.desk.errs["WritingAids"] = desk.ErrUnavailable
	wantStatus(t, b.get("/agent/tickets/"+testNumber), http.StatusServiceUnavailable)
}

// TestDraftInsertsWithoutJavaScript: "Insert" posts the form and the zoom
// comes back with everything typed kept and the response added before the
// signature; nothing is sent. A choice that is not offered comes back as
// the form's problem, the text kept.
func TestDraftInsertsWithoutJavaScript(t *testing.T) {
	b := newBrowser(t, Options{})
	b.login()
	page := b.get("/agent/tickets/" + testNumber).body
	csrf := hidden(t, csrfRE, page)
	typed := "Dear Carl,\r\nsee below.\r\n\r\n-- \r\nAnna Agent"
	reply := url.Values{"csrf_token": {csrf}, "request_key": {"key-1"}, "draft": {"reply"}, "response": {"21"},
		"subject": {"About <your> printer"}, "body": {typed}, "next_state": {"pending reminder"}, "next_until": {"2030-01-02T09:00"}}
	res := b.post("/agent/tickets/"+testNumber+"/draft", reply)
	wantStatus(t, res, http.StatusOK)
	want := "Dear Carl,\nsee below.\n\nHello Carl Customer,\nthanks for ticket " + testNumber + ".\n\n-- \nAnna Agent"
	if got := textarea(t, res.body, "reply-body"); got != want {
		t.Errorf("reply after insert:\n%q\nwant\n%q", got, want)
	}
	wantContains(t, res.body, `<details class="card action" id="reply" open>`, `value="About &lt;your&gt; printer"`,
		`<input type="hidden" name="request_key" value="key-1">`, `<option value="pending reminder" selected>`,
		`value="2030-01-02T09:00"`, `Standard response &#34;Helpdesk&#34; inserted.`)
	if n := b.desk.called("Reply"); n != 0 {
		t.Errorf("inserting sent the reply (%d calls)", n)
	}

	// The hostile text goes into the textarea escaped, not into the page.
	reply.Set("response", "22")
	reply.Set("body", "")
	res = b.post("/agent/tickets/"+testNumber+"/draft", reply)
	wantStatus(t, res, http.StatusOK)
	if got := textarea(t, res.body, "reply-body"); got != "&lt;/textarea&gt;&lt;script&gt;alert(1)&lt;/script&gt;" {
		t.Errorf("hostile response in the textarea: %q", got)
	}
	if strings.Contains(res.body, "<script>alert") {
		t.Error("a response's text reached the page unescaped")
	}

	// The note form gets its own insert, its kind kept.
	note := url.Values{"csrf_token": {csrf}, "request_key": {"key-2"}, "draft": {"note"}, "response": {"21"},
		"kind": {"phone note"}, "body": {"Called."}, "next_state": {""}, "next_until": {""}}
	res = b.post("/agent/tickets/"+testNumber+"/draft", note)
	wantStatus(t, res, http.StatusOK)
	if got := textarea(t, res.body, "note-body"); got != "Called.\n\nHello Carl Customer,\nthanks for ticket "+testNumber+"." {
		t.Errorf("note after insert: %q", got)
	}
	wantContains(t, res.body, `<option value="phone note" selected>`)
	if got := textarea(t, res.body, "reply-body"); !strings.HasPrefix(got, "\n\n-- \n") {
		t.Errorf("the reply form, not sent, lost its signature: %q", got)
	}

	// A response not offered: the form comes back with the text as typed.
	for _, bad := range []url.Values{{"response": {"99"}}, {"response": {"x"}}, {"draft": {"mail"}}} {
		f := url.Values{}
		for k, v := range reply {
			f[k] = v
		}
		f.Set("body", "Mine.")
		for k, v := range bad {
			f[k] = v
		}
		res = b.follow(b.post("/agent/tickets/"+testNumber+"/draft", f))
		wantStatus(t, res, http.StatusUnprocessableEntity)
		wantContains(t, res.body, "Please correct the marked fields.", `<p class="field-error">`)
		if got := textarea(t, res.body, "reply-body"); got != "Mine." {
			t.Errorf("%v: the typed text came back as %q", bad, got)
		}
	}

	// A ticket the agent cannot read has no drafts either.
	res = b.post("/agent/tickets/2026112799999999/draft", reply)
	wantStatus(t, res, http.StatusNotFound)
	b.desk.errs["WritingAids"] = errors.New("database gone")
	wantStatus(t, b.post("/agent/tickets/"+testNumber+"/draft", reply), http.StatusInternalServerError)
}

// TestReplyFormNextState: the reply form's next state and its time reach
// desk.Reply, the time read in the desk's zone.
func TestReplyFormNextState(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, Options{Location: berlin})
	b.login()
	page := b.get("/agent/tickets/" + testNumber).body
	wantContains(t, page, `<select id="reply-next-state" name="next_state">`, `<option value="pending reminder">`,
		`<option value="pending auto close&#43;">`, `<option value="closed unsuccessful">`)
	res := b.post("/agent/tickets/"+testNumber+"/replies", url.Values{"csrf_token": {hidden(t, csrfRE, page)}, "request_key": {"k"},
		"subject": {"s"}, "body": {"Please try again."}, "next_state": {"pending reminder"}, "next_until": {"2030-01-02T09:00"}})
	wantStatus(t, res, http.StatusSeeOther)
	rs := b.desk.requests["Reply"]
	if len(rs) != 1 {
		t.Fatalf("desk.Reply got %d calls", len(rs))
	}
	r := rs[0].(desk.ReplyRequest)
	if r.NextState != string(ticket.StatePendingReminder) || !r.NextUntil.Equal(time.Date(2030, 1, 2, 9, 0, 0, 0, berlin)) || r.Body != "Please try again." {
		t.Errorf("desk.Reply got %+v", r)
	}
}
