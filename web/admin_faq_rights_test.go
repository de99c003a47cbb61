package web

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/ticket"
)

// TestAdminFAQRights: the admin index links the page; it shows every
// role's rights and the rules ticked, escaped, in German and English; a
// save reaches the desk as role → permissions and service IDs; bad box
// values and a refusal come back marked; the desk's refusal is a 403.
func TestAdminFAQRights(t *testing.T) {
	for _, c := range []struct{ lang, title, perm string }{
		{"de", "FAQ-Rechte und Freigabe", "Veröffentlichen, freigeben, zurückziehen"},
		{"en", "FAQ rights and approval", "Publish, approve, withdraw"},
	} {
		b := adminBrowser(t, c.lang)
		wantContains(t, b.get("/admin").body, `<a href="/admin/faq-rights">`+c.title+`</a>`)
		page := b.get("/admin/faq-rights")
		wantStatus(t, page, http.StatusOK)
		wantContains(t, page.body, "<h1>"+c.title+"</h1>", c.perm, "1st level &lt;Helpdesk&gt;",
			`name="perm" value="2:edit" aria-label="1st level &lt;Helpdesk&gt;: `, `value="2:edit" aria-label`,
			`name="approval" value="11" checked`, `name="approval" value="12">`, `name="approval" value="0">`)
		if !wantChecked(page.body, `value="2:edit"`) || wantChecked(page.body, `value="2:publish"`) {
			t.Errorf("%s: the boxes do not show the saved rights", c.lang)
		}
	}

	b := adminBrowser(t, "en")
	csrf := hidden(t, csrfRE, b.get("/admin/faq-rights").body)
	saved := b.post("/admin/faq-rights", url.Values{"csrf_token": {csrf}, "perm": {"2:edit", "2:publish", "1:edit"}, "approval": {"0", "12"}})
	if saved.status != http.StatusSeeOther || saved.header.Get("Location") != "/admin/faq-rights" {
		t.Fatalf("saving: %d to %q", saved.status, saved.header.Get("Location"))
	}
	wantContains(t, b.follow(saved).body, "FAQ rights and approval rules saved.")
	saves := *b.desk.faqSaves()
	if len(saves) != 1 || !slices.Equal(saves[0].Perms[2], []string{"edit", "publish"}) || !slices.Equal(saves[0].Perms[1], []string{"edit"}) ||
		!slices.Equal(saves[0].Approval, []int64{0, 12}) {
		t.Errorf("the desk got %+v", saves)
	}

	bad := b.post("/admin/faq-rights", url.Values{"csrf_token": {csrf}, "perm": {"x:edit"}, "approval": {"12"}})
	back := b.follow(bad)
	wantStatus(t, back, http.StatusUnprocessableEntity)
	wantContains(t, back.body, "Please correct the marked fields.", `name="approval" value="12" checked`)
	if len(*b.desk.faqSaves()) != 1 {
		t.Error("a bad form reached the desk")
	}
	b.desk.errs["SaveFAQSettings"] = desk.FieldErrors{"approval": ticket.P(ticket.FieldUnknown)}
	refused := b.follow(b.post("/admin/faq-rights", url.Values{"csrf_token": {csrf}, "approval": {"12"}}))
	wantStatus(t, refused, http.StatusUnprocessableEntity)

	// The desk refuses agents who are no admins: the page says so.
	agent := newBrowser(t, Options{})
	acsrf := agent.login()
	agent.desk.errs["FAQSettings"], agent.desk.errs["SaveFAQSettings"] = desk.ErrForbidden, desk.ErrForbidden
	wantStatus(t, agent.get("/admin/faq-rights"), http.StatusForbidden)
	wantStatus(t, agent.post("/admin/faq-rights", url.Values{"csrf_token": {acsrf}, "approval": {"0"}}), http.StatusForbidden)
}

// wantChecked tells whether the input with attr in body is checked.
func wantChecked(body, attr string) bool {
	i := strings.Index(body, attr)
	if i < 0 {
		return false
	}
	end := strings.IndexByte(body[i:], '>')
	return end >= 0 && strings.HasSuffix(body[i:i+end], " checked")
}
