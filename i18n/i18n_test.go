package i18n

import (
	"io/fs"
	"slices"
	"sort"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/kiz-ulm/kizdesk/ticket"
)

func keys(t *testing.T, lang string) []string {
	t.Helper()
	files, err := fs.Glob(locales, "locales/*"+lang+".yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no %s catalogue: %v", lang, err)
	}
	m := map[string]string{}
	for _, f := range files {
		b, err := fs.ReadFile(locales, f)
		if err != nil {
			t.Fatal(err)
		}
		var part map[string]string
		if err := yaml.Unmarshal(b, &part); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for k, v := range part {
			if _, dup := m[k]; dup {
				t.Errorf("%s: %q is in two %s files", f, k, lang)
			}
			m[k] = v
		}
	}
	out := make([]string, 0, len(m))
	for k, v := range m {
		if v == "" {
			t.Errorf("%s: %s is empty", lang, k)
		}
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// TestEveryCodeInBothLanguages fails on a code without its German and
// English text, and on a text that exists in one catalogue only.
func TestEveryCodeInBothLanguages(t *testing.T) {
	de, en := keys(t, "de"), keys(t, "en")
	for _, k := range de {
		if !slices.Contains(en, k) {
			t.Errorf("%q has a German text but no English one", k)
		}
	}
	for _, k := range en {
		if !slices.Contains(de, k) {
			t.Errorf("%q has an English text but no German one", k)
		}
	}
	for _, c := range ticket.AllCodes() {
		for lang, ks := range map[string][]string{"de": de, "en": en} {
			if !slices.Contains(ks, string(c)) {
				t.Errorf("code %q has no %s text", c, lang)
			}
		}
	}
	for _, s := range ticket.AllStates() {
		if !slices.Contains(de, "state."+KeyOf(string(s))) {
			t.Errorf("state %q has no name", s)
		}
	}
}

func TestRendering(t *testing.T) {
	c, err := New()
	if err != nil {
		t.Fatal(err)
	}
	p := ticket.P(ticket.RefusedState, "State", string(ticket.StateClosedSuccessful), "Action", "add-note")
	if got, want := c.For("de").Problem(p), "Ein Ticket im Status „erfolgreich geschlossen“ kann nicht mit „Notiz hinzufügen“ geändert werden."; got != want {
		t.Errorf("de: %q, want %q", got, want)
	}
	if got, want := c.For("en").Problem(p), "A ticket in state “closed successful” cannot be changed by “add note”."; got != want {
		t.Errorf("en: %q, want %q", got, want)
	}
	if got := c.For("en").Problem(ticket.P(ticket.FieldTooLong, "Max", "200")); got != "Too long (at most 200 bytes)." {
		t.Errorf("parameters: %q", got)
	}
	for _, c := range []struct {
		prefs []string
		want  string
	}{
		{nil, "de"}, {[]string{"en-US,en;q=0.9"}, "en"}, {[]string{"fr-FR, de;q=0.5"}, "de"},
		{[]string{"", "en"}, "en"}, {[]string{"en", "de"}, "en"}, {[]string{"xx-garbage;;"}, "de"},
	} {
		if got := Pick(c.prefs...); got != c.want {
			t.Errorf("Pick(%q) = %s, want %s", c.prefs, got, c.want)
		}
	}
}
