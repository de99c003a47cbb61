package desk

import (
	"context"
	"strings"
	"text/template"
	"text/template/parse"

	"github.com/kiz-ulm/kizdesk/models"
)

// Writing is what helps an agent write on a ticket: the standard responses
// of the ticket's queue and the queue's signature, in the agent's language
// and with the ticket's values filled in, ready to be put into a text.
type Writing struct {
	Responses []StandardText
	// Signature ends a new reply; "" when the queue has none.
	Signature string
}

// StandardText is one standard response, filled in for a ticket.
type StandardText struct {
	ID   int64
	Name string
	Text string
}

// Response returns the standard response with the given ID.
func (w Writing) Response(id int64) (StandardText, bool) {
	for _, r := range w.Responses {
		if r.ID == id {
			return r, true
		}
	}
	return StandardText{}, false
}

// WritingAids returns the standard responses and the signature for agent p
// writing on ticket number, in lang ("de", "en"; a text missing in it is
// taken in the other language). Only an agent who may read the ticket gets
// them: for anyone else the ticket does not exist.
func (d *Desk) WritingAids(ctx context.Context, p Principal, number, lang string) (Writing, error) {
	var w Writing
	if err := mustBeAgent(p); err != nil {
		return w, err
	}
	t, err := d.readable(ctx, p, number)
	if err != nil {
		return w, err
	}
	values := map[string]string{"Customer": t.CustomerName, "Number": t.Number, "Title": t.Title,
		"Agent": p.Name, "Queue": t.QueueName}
	rs, err := models.QueueResponses(ctx, d.db, p.TenantID, t.QueueID)
	if err != nil {
		return w, wrapf(err, "writing aids for ticket %s", number)
	}
	for _, r := range rs {
		w.Responses = append(w.Responses, StandardText{ID: r.ID, Name: r.Name, Text: fillPlain(inLanguage(lang, r.BodyDE, r.BodyEN), values)})
	}
	s, found, err := models.QueueSignature(ctx, d.db, p.TenantID, t.QueueID)
	if err != nil {
		return w, wrapf(err, "writing aids for ticket %s", number)
	}
	if found {
		w.Signature = fillPlain(inLanguage(lang, s.BodyDE, s.BodyEN), values)
	}
	return w, nil
}

// inLanguage picks an admin's text in lang, else the one in the other
// language: a response written only in German is still offered to an
// agent reading English.
func inLanguage(lang, de, en string) string {
	first, second := en, de
	if lang == "de" {
		first, second = de, en
	}
	if strings.TrimSpace(first) != "" {
		return first
	}
	return second
}

// fillPlain puts values into an admin's text ({{.Customer}}, {{.Number}},
// {{.Title}}, {{.Agent}}, {{.Queue}}; an unknown name is empty). Texts are
// plain strings, and templates can do more than name values — call
// functions, loop a billion times — so a text with anything but text and
// single names, or one that does not parse, is taken as written: never
// an error, never run.
func fillPlain(text string, values map[string]string) string {
	if !strings.Contains(text, "{{") {
		return text
	}
	tpl, err := template.New("text").Option("missingkey=zero").Parse(text)
	if err != nil || tpl.Tree == nil || !onlyNames(tpl.Tree.Root) {
		return text
	}
	var b strings.Builder
	if err := tpl.Execute(&b, values); err != nil {
		return text
	}
	return b.String()
}

// onlyNames tells whether a parsed template is text and {{.Name}} actions
// only.
func onlyNames(root *parse.ListNode) bool {
	for _, n := range root.Nodes {
		switch n := n.(type) {
		case *parse.TextNode:
		case *parse.ActionNode:
			p := n.Pipe
			if p == nil || len(p.Decl) > 0 || p.IsAssign || len(p.Cmds) != 1 || len(p.Cmds[0].Args) != 1 {
				return false
			}
			f, ok := p.Cmds[0].Args[0].(*parse.FieldNode)
			if !ok || len(f.Ident) != 1 {
				return false
			}
		default:
			return false
		}
	}
	return true
}
