package web

import (
	"fmt"
	"html/template"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/kiz-ulm/kizdesk/i18n"
)

// texts is the reader's language as pages use it: the catalogue's texts
// (ui.*.yaml), the names of states, levels and the other words of the
// process, and times in the reader's zone (an agent's own, else the
// desk's) written as the reader is used to.
// Every page reaches it as .L (layout.L), so the templates are parsed once
// and still speak each reader's language.
type texts struct {
	*i18n.Localizer
	// loc is the reader's zone; desk is the desk's, in which reports count
	// their days.
	loc, desk *time.Location
}

// texts returns the request's reader's language (see localizer) and zone
// (see zone).
func (s *server) texts(c *gin.Context) texts {
	return texts{Localizer: s.localizer(c), loc: s.zone(c), desk: s.loc}
}

// timeLayouts are how pages show times, by language: minutes are precise
// enough for agents (seconds are in the API and the history's hash chain).
var timeLayouts = map[string]string{
	"de": "02.01.2006 15:04",
	"en": "2006-01-02 15:04",
}

// T renders the catalogue's text id with parameters as name, value pairs.
// A text missing from the catalogue shows its id, which the page tests
// catch.
func (t texts) T(id string, nameValues ...any) string { return t.Text(id, nameValues...) }

// Link renders text id whose parameter name is a link to the local path
// href, labelled label: the sentence around the link is the catalogue's,
// so each language puts the link where its word order wants it.
func (t texts) Link(id, name, href, label string) template.HTML {
	const mark = "\u2063link\u2063" // never in a catalogue text
	s := template.HTMLEscapeString(t.Text(id, name, mark))
	a := template.HTMLEscapeString(label)
	if localPath(href) == href {
		a = `<a href="` + template.HTMLEscapeString(href) + `">` + a + `</a>`
	}
	return template.HTML(strings.Replace(s, mark, a, 1))
}

// State names a ticket state (the OTRS names; German as OTRS has them).
func (t texts) State(v any) string { return t.Localizer.State(fmt.Sprint(v)) }

// Level names a support level.
func (t texts) Level(v any) string { return t.word("ui.level.", v) }

// Role names an agent's role.
func (t texts) Role(v any) string { return t.word("ui.role.", v) }

// Kind names an article kind.
func (t texts) Kind(v any) string { return t.word("ui.kind.", v) }

// Actor names a kind of principal (agent, customer, system, integration).
func (t texts) Actor(v any) string { return t.word("ui.actor.", v) }

// Priority and Type name the OTRS default priorities and ticket types in
// the reader's language; names an admin gave show as they are.
func (t texts) Priority(v any) string { return t.word("ui.priority.", v) }
func (t texts) Type(v any) string     { return t.word("ui.type.", v) }

// word looks up prefix + the name's key; a name without a text shows as
// it is (a queue's level is one of three, but a priority may be anything
// an admin typed).
func (t texts) word(prefix string, v any) string {
	name := fmt.Sprint(v)
	id := prefix + i18n.KeyOf(strings.ToLower(name))
	if t.Has(id) {
		return t.Text(id)
	}
	return name
}

// Time shows a time.Time or *time.Time in the reader's zone; zero and nil
// are "—".
func (t texts) Time(v any) (string, error) {
	at, ok, err := timeOf(v)
	if err != nil || !ok {
		return "—", err
	}
	return at.In(t.loc).Format(timeLayouts[t.Lang()]), nil
}

// Bytes shows a file's size: bytes, KB or MB (powers of 1024, one
// decimal), with the reader's decimal separator.
func (t texts) Bytes(n int64) string {
	var v string
	switch {
	case n < 1024:
		return t.T("writing.size.bytes", "N", n)
	case n < 1024*1024:
		v = strconv.FormatFloat(float64(n)/1024, 'f', 1, 64) + " KB"
	default:
		v = strconv.FormatFloat(float64(n)/(1024*1024), 'f', 1, 64) + " MB"
	}
	if t.Lang() == "de" {
		v = strings.Replace(v, ".", ",", 1)
	}
	return v
}

// Zone names the reader's time zone, for labels of time fields.
func (t texts) Zone() string { return t.loc.String() }

// DeskZone names the desk's time zone: reports count days in it, whoever
// reads them, so that everyone's figures agree.
func (t texts) DeskZone() string { return t.desk.String() }

// Age is a ticket's age as a queue view shows it: short and coarse.
func (t texts) Age(at time.Time) string {
	d := time.Since(at)
	switch {
	case d < time.Minute:
		return t.T("ui.age.now")
	case d < time.Hour:
		return t.T("ui.age.minutes", "N", int(d/time.Minute))
	case d < 48*time.Hour:
		return t.T("ui.age.hours", "N", int(d/time.Hour))
	default:
		return t.T("ui.age.days", "N", int(d/(24*time.Hour)))
	}
}

// part hands a part template (templates/parts) its data together with the
// reader's language: {{template "article" ($.L.With .)}}, and inside the
// part .L and .V.
type part struct {
	L texts
	V any
}

// With wraps v for a part template.
func (t texts) With(v any) part { return part{L: t, V: v} }
