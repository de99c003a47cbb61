package web

import (
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/kiz-ulm/kizdesk/desk"
)

// TestReportPage: the reports page in both languages with its form, its
// chart as inline SVG, the table with sort links, escaped names and the
// export links; a bad date comes back marked (422) without asking the desk.
func TestReportPage(t *testing.T) {
	for lang, want := range map[string][]string{
		"en": {"Ticket volume", "Open at end", "<svg", "Printing &amp; &lt;Scan&gt;", "format=xlsx", "Reports by mail"},
		"de": {"Ticketaufkommen", "Offen am Ende", "<svg", "Printing &amp; &lt;Scan&gt;", "format=pdf", "Berichte per Mail"},
	} {
		b := newBrowser(t, Options{})
		b.acceptLanguage = lang
		b.login()
		res := b.get("/agent/reports?kind=volume&from=2026-01-01&to=2026-02-28&granularity=month&group=service")
		wantStatus(t, res, http.StatusOK)
		wantContains(t, res.body, want...)
		// The fake's anna has no role that allows reports: the menu
		// does not offer them (the desk decides the page itself).
		if strings.Contains(res.body, `<a href="/agent/reports">`) {
			t.Errorf("%s: the menu offers reports to an agent without the permission", lang)
		}
		if strings.Contains(res.body, "<Scan>") {
			t.Errorf("%s: a name is not escaped", lang)
		}
		// The sort links keep the report and sort by their column.
		if !strings.Contains(res.body, `href="/agent/reports?from=2026-01-01&amp;granularity=month&amp;group=service&amp;kind=volume&amp;sort=created&amp;to=2026-02-28"`) {
			t.Errorf("%s: no sort link for created", lang)
		}
		svg := regexp.MustCompile(`(?s)<svg.*</svg>`).FindString(res.body)
		if err := xml.Unmarshal([]byte(svg), new(struct{})); err != nil {
			t.Errorf("%s: the chart is not well-formed: %v", lang, err)
		}
	}
	b := newBrowser(t, Options{})
	b.login()
	calls := len(requestsOfReport(b.desk))
	res := b.get("/agent/reports?from=2026-13-01&to=2026-02-28")
	wantStatus(t, res, http.StatusUnprocessableEntity)
	wantContains(t, res.body, "Please correct the marked fields.")
	if len(requestsOfReport(b.desk)) != calls {
		t.Error("a bad date reached the desk")
	}
	// The chart draws as asked: lines, or a bad choice marked.
	res = b.get("/agent/reports?from=2026-01-01&to=2026-02-28&chart=line")
	wantStatus(t, res, http.StatusOK)
	wantContains(t, res.body, "<polyline")
	wantStatus(t, b.get("/agent/reports?from=2026-01-01&to=2026-02-28&chart=pie"), http.StatusUnprocessableEntity)
	// The desk's refusal (no reports permission) is a 403.
	b.desk.errs["Report"] = desk.ErrForbidden
	wantStatus(t, b.get("/agent/reports"), http.StatusForbidden)
	wantStatus(t, b.get("/agent/reports/export?format=csv"), http.StatusForbidden)
}

func requestsOfReport(f *fakeDesk) []desk.ReportRequest {
	st := f.reportState()
	st.mu.Lock()
	defer st.mu.Unlock()
	return append([]desk.ReportRequest(nil), st.asked...)
}

// TestReportExports: CSV and XLSX read back with their readers hold every
// row, the SVG is well-formed, PDF is a PDF.
func TestReportExports(t *testing.T) {
	b := newBrowser(t, Options{})
	b.login()
	q := "/agent/reports/export?kind=volume&from=2026-01-01&to=2026-02-28&granularity=month&group=service&format="
	res := b.get(q + "csv")
	wantStatus(t, res, http.StatusOK)
	if ct := res.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
		t.Errorf("csv content type %q", ct)
	}
	recs, err := csv.NewReader(strings.NewReader(res.body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 3 || recs[0][0] != "Period" || recs[0][1] != "Service" || recs[1][1] != "Printing & <Scan>" || recs[2][4] != "1" {
		t.Errorf("csv %q", recs)
	}
	res = b.get(q + "xlsx")
	wantStatus(t, res, http.StatusOK)
	x, err := excelize.OpenReader(strings.NewReader(res.body))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := x.GetRows("Volume")
	if err != nil || len(rows) != 3 || rows[1][2] != "3" {
		t.Errorf("xlsx rows %q, %v", rows, err)
	}
	res = b.get(q + "svg")
	wantStatus(t, res, http.StatusOK)
	d := xml.NewDecoder(strings.NewReader(res.body))
	for {
		if _, err := d.Token(); err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("svg: %v", err)
		}
	}
	res = b.get(q + "pdf")
	wantStatus(t, res, http.StatusOK)
	if !strings.HasPrefix(res.body, "%PDF-") || res.header.Get("Content-Type") != "application/pdf" {
		t.Errorf("pdf: %q %q", res.header.Get("Content-Type"), res.body[:min(len(res.body), 10)])
	}
	wantStatus(t, b.get(q+"doc"), http.StatusUnprocessableEntity)
}

// TestAPIReport: the report as JSON (numbers as numbers) and CSV with
// the token's principal.
func TestAPIReport(t *testing.T) {
	b := newBrowser(t, Options{})
	res := b.api(http.MethodGet, "/api/v1/reports/volume?from=2026-01-01&to=2026-02-28&group=service", testToken, "")
	wantStatus(t, res, http.StatusOK)
	var out struct {
		Kind   string
		Group  string
		Tables []struct {
			ID      string
			Columns []string
			Rows    []map[string]any
		}
	}
	if err := json.Unmarshal([]byte(res.body), &out); err != nil {
		t.Fatal(err)
	}
	if out.Kind != "volume" || out.Group != "service" || len(out.Tables) != 1 || len(out.Tables[0].Rows) != 2 ||
		out.Tables[0].Rows[0]["created"] != 3.0 || out.Tables[0].Rows[0]["group"] != "Printing & <Scan>" {
		t.Errorf("json %s", res.body)
	}
	res = b.api(http.MethodGet, "/api/v1/reports/volume?from=2026-01-01&to=2026-02-28&group=service&format=csv", testToken, "")
	wantStatus(t, res, http.StatusOK)
	if !strings.HasPrefix(res.body, "period,service,created,closed,backlog\n") {
		t.Errorf("csv %q", res.body)
	}
	wantStatus(t, b.api(http.MethodGet, "/api/v1/reports/everything?from=2026-01-01&to=2026-02-28", testToken, ""), http.StatusUnprocessableEntity)
	wantStatus(t, b.api(http.MethodGet, "/api/v1/reports/volume", "", ""), http.StatusUnauthorized)
	b.desk.errs["Report"] = desk.ErrForbidden
	wantStatus(t, b.api(http.MethodGet, "/api/v1/reports/volume", testToken, ""), http.StatusForbidden)
}

// TestReportSchedule: a schedule is saved with the report shown and its
// recipients, shown in the list, deleted; bad fields come back marked.
func TestReportSchedule(t *testing.T) {
	b := newBrowser(t, Options{})
	csrf := b.login()
	form := url.Values{"csrf_token": {csrf}, "name": {"Monthly by service"}, "kind": {"volume"}, "group": {"service"},
		"granularity": {"month"}, "period_days": {"31"}, "format": {"xlsx"}, "cron": {"0 7 1 * *"}, "recipients": {"7"}}
	page := b.follow(b.post("/agent/reports/schedules", form))
	wantContains(t, page.body, "Monthly by service", "0 7 1 * *", "Anna Agent", "is mailed on schedule now")
	st := b.desk.reportState()
	if len(st.saved) != 1 || st.saved[0].PeriodDays != 31 || st.saved[0].Format != desk.FormatXLSX || st.saved[0].Recipients[0] != 7 {
		t.Errorf("saved %+v", st.saved)
	}
	form.Set("period_days", "many")
	res := b.follow(b.post("/agent/reports/schedules", form))
	wantStatus(t, res, http.StatusUnprocessableEntity)
	wantContains(t, res.body, "Please correct the marked fields.", `value="many"`, `value="7" checked`)
	if len(st.saved) != 2 || st.saved[1].PeriodDays != -1 {
		t.Errorf("the desk was asked %+v", st.saved)
	}
	page = b.follow(b.post("/agent/reports/schedules/1/delete", url.Values{"csrf_token": {csrf}}))
	wantContains(t, page.body, "The scheduled report was deleted.", "No report is mailed on a schedule.")
	b.desk.errs["DeleteReportSchedule"] = errors.New("boom")
	wantStatus(t, b.post("/agent/reports/schedules/1/delete", url.Values{"csrf_token": {csrf}}), http.StatusInternalServerError)
}
