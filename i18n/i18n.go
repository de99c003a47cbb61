// Package i18n holds kizdesk's message catalogues, German and English, and
// renders coded messages (ticket.Problem) and interface texts in a
// reader's language. It uses go-i18n (CLDR plural rules, templates with
// named parameters) over YAML catalogues embedded in the binary.
package i18n

import (
	"embed"
	"fmt"
	"io/fs"
	"strings"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"go.yaml.in/yaml/v3"
	"golang.org/x/text/language"

	"github.com/kiz-ulm/kizdesk/ticket"
)

//go:embed locales/*.yaml
var locales embed.FS

// Languages are the languages kizdesk speaks, the default first.
var Languages = []string{"de", "en"}

// Catalog is the parsed message catalogues; parse once, share everywhere.
type Catalog struct {
	bundle *goi18n.Bundle
}

// New parses the embedded catalogues.
func New() (*Catalog, error) {
	b := goi18n.NewBundle(language.German)
	b.RegisterUnmarshalFunc("yaml", yaml.Unmarshal)
	// Every file locales/[name.]<lang>.yaml adds to <lang>'s catalogue, so
	// each part of kizdesk keeps its texts in a file of its own.
	files, err := fs.Glob(locales, "locales/*.yaml")
	if err != nil {
		return nil, fmt.Errorf("i18n: %w", err)
	}
	for _, f := range files {
		if _, err := b.LoadMessageFileFS(locales, f); err != nil {
			return nil, fmt.Errorf("i18n: catalogue %s: %w", f, err)
		}
	}
	return &Catalog{bundle: b}, nil
}

// Localizer renders texts in one reader's language.
type Localizer struct {
	lang string
	loc  *goi18n.Localizer
}

// For returns a localizer for the first of prefs that kizdesk speaks: a
// saved preference, then the browser's Accept-Language header; German
// otherwise, as the kiz works in German.
func (c *Catalog) For(prefs ...string) *Localizer {
	lang := Pick(prefs...)
	return &Localizer{lang: lang, loc: goi18n.NewLocalizer(c.bundle, lang)}
}

// Pick returns the language of prefs (tags or Accept-Language values) that
// kizdesk speaks; "de" when none matches.
func Pick(prefs ...string) string {
	var tags []language.Tag
	for _, p := range prefs {
		if t, _, err := language.ParseAcceptLanguage(p); err == nil {
			tags = append(tags, t...)
		}
	}
	supported := []language.Tag{language.German, language.English}
	_, i, conf := language.NewMatcher(supported).Match(tags...)
	if conf == language.No {
		return Languages[0]
	}
	return []string{"de", "en"}[i]
}

// Lang is the localizer's language, "de" or "en".
func (l *Localizer) Lang() string { return l.lang }

// Text renders the catalogue's text id with named parameters given as
// name, value pairs. A missing text shows its id, so a gap is visible
// (and the catalogue test fails on it before anyone sees it).
func (l *Localizer) Text(id string, nameValues ...any) string {
	data := map[string]any{}
	for i := 0; i+1 < len(nameValues); i += 2 {
		data[fmt.Sprint(nameValues[i])] = nameValues[i+1]
	}
	s, err := l.loc.Localize(&goi18n.LocalizeConfig{MessageID: id, TemplateData: data})
	if err != nil || s == "" {
		return id
	}
	return s
}

// Has tells whether the catalogue has text id.
func (l *Localizer) Has(id string) bool {
	_, err := l.loc.Localize(&goi18n.LocalizeConfig{MessageID: id})
	return err == nil
}

// Problem renders a coded message. Parameters that name a state, an action
// or a field are translated too.
func (l *Localizer) Problem(p ticket.Problem) string {
	data := map[string]any{}
	for k, v := range p.Args {
		switch k {
		case "State", "Next":
			data[k] = l.State(v)
		case "Action":
			data[k] = l.Action(v)
		default:
			data[k] = v
		}
	}
	s, err := l.loc.Localize(&goi18n.LocalizeConfig{MessageID: string(p.Code), TemplateData: data})
	if err != nil || s == "" {
		return p.Error()
	}
	return s
}

// State names a ticket state in the reader's language.
func (l *Localizer) State(s string) string { return l.named("state.", s) }

// Action names an action in the reader's language.
func (l *Localizer) Action(a string) string { return l.named("action.", a) }

// named looks up prefix+key; unknown keys show as they are.
func (l *Localizer) named(prefix, key string) string {
	id := prefix + KeyOf(key)
	if s, err := l.loc.Localize(&goi18n.LocalizeConfig{MessageID: id}); err == nil && s != "" {
		return s
	}
	return key
}

// KeyOf turns a state, action, level or kind name into a catalogue key:
// "pending auto close+" is "pending_auto_close_plus", "add-note" "add_note".
func KeyOf(name string) string {
	switch {
	case strings.HasSuffix(name, "+"):
		name = strings.TrimSuffix(name, "+") + " plus"
	case strings.HasSuffix(name, "-"):
		name = strings.TrimSuffix(name, "-") + " minus"
	}
	return strings.NewReplacer(" ", "_", "-", "_").Replace(name)
}
