package mailin

import (
	"bytes"
	"net/url"
	"strconv"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// HTMLToText turns an HTML mail into text an agent can read: block
// elements break lines, list items get a dash, links keep their target as
// "text (url)", script, style and title are dropped, entities are decoded.
//
// It runs the tokenizer rather than html.Parse: mail HTML is often broken,
// the tokenizer never builds a tree (memory stays proportional to the
// output), and nothing here needs the tree the parser would repair.
func HTMLToText(src []byte) string {
	z := html.NewTokenizer(bytes.NewReader(src))
	w := &textWriter{atLineStart: true}
	var skip atom.Atom // inside script/style/title until its end tag
	var links []link
	var lists []list
	pre := 0
	cell := false
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return w.finish()
		case html.TextToken:
			if skip != 0 {
				continue
			}
			w.text(string(z.Text()), pre > 0)
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			a := atom.Lookup(name)
			attrs := map[string]string{}
			for hasAttr {
				var k, v []byte
				k, v, hasAttr = z.TagAttr()
				if key := string(k); key == "href" || key == "alt" {
					attrs[key] = string(v)
				}
			}
			selfClosing := tt == html.SelfClosingTagToken
			switch a {
			case atom.Script, atom.Style, atom.Title, atom.Noscript, atom.Template, atom.Iframe, atom.Object:
				if !selfClosing {
					skip = a
				}
			case atom.Br:
				w.newline()
			case atom.P, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
				w.paragraph()
			case atom.Div, atom.Table, atom.Section, atom.Article, atom.Header, atom.Footer, atom.Nav,
				atom.Aside, atom.Address, atom.Form, atom.Fieldset, atom.Figure, atom.Figcaption, atom.Main,
				atom.Center, atom.Caption, atom.Dl, atom.Dt, atom.Dd:
				w.block()
			case atom.Tr:
				w.block()
				cell = false
			case atom.Td, atom.Th:
				if cell {
					w.raw("\t")
				}
				cell = true
			case atom.Ul, atom.Ol:
				w.block()
				lists = append(lists, list{ordered: a == atom.Ol})
			case atom.Li:
				w.block()
				marker := "- "
				if len(lists) > 0 {
					l := &lists[len(lists)-1]
					l.n++
					if l.ordered {
						marker = strconv.Itoa(l.n) + ". "
					}
					marker = strings.Repeat("  ", min(len(lists)-1, maxIndent)) + marker
				}
				w.raw(marker)
			case atom.Blockquote:
				w.block()
				w.quote++
			case atom.Pre:
				w.block()
				pre++
			case atom.Hr:
				w.block()
				w.raw("----")
				w.newline()
			case atom.Img:
				if alt := strings.TrimSpace(attrs["alt"]); alt != "" {
					w.text("["+alt+"]", false)
				}
			case atom.A:
				if !selfClosing {
					links = append(links, link{href: safeLink(attrs["href"]), start: w.b.Len()})
				}
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			a := atom.Lookup(name)
			if skip != 0 {
				if a == skip {
					skip = 0
				}
				continue
			}
			switch a {
			case atom.P, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
				w.paragraph()
			case atom.Div, atom.Table, atom.Section, atom.Article, atom.Header, atom.Footer, atom.Nav,
				atom.Aside, atom.Address, atom.Form, atom.Fieldset, atom.Figure, atom.Figcaption, atom.Main,
				atom.Center, atom.Caption, atom.Dl, atom.Dt, atom.Dd, atom.Tr, atom.Li:
				w.block()
			case atom.Ul, atom.Ol:
				w.block()
				if len(lists) > 0 {
					lists = lists[:len(lists)-1]
				}
			case atom.Blockquote:
				w.block()
				if w.quote > 0 {
					w.quote--
				}
			case atom.Pre:
				w.block()
				if pre > 0 {
					pre--
				}
			case atom.A:
				if len(links) == 0 {
					continue
				}
				l := links[len(links)-1]
				links = links[:len(links)-1]
				if l.href == "" || l.start > w.b.Len() {
					continue
				}
				text := strings.TrimSpace(w.b.String()[l.start:])
				shown := strings.TrimPrefix(l.href, "mailto:")
				if text == "" || text == l.href || text == shown || strings.TrimSuffix(l.href, "/") == text {
					continue
				}
				w.text(" ("+shown+")", false)
			}
		}
	}
}

type link struct {
	href  string
	start int
}

type list struct {
	ordered bool
	n       int
}

// safeLink keeps only targets an agent may follow by copying them:
// web, mail and ftp addresses. javascript:, data: and relative links say
// nothing useful.
func safeLink(href string) string {
	href = strings.TrimSpace(href)
	u, err := url.Parse(href)
	if err != nil {
		return ""
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https", "ftp", "mailto":
		return CleanLine(href)
	}
	return ""
}

// textWriter collects text with HTML's whitespace rules: runs of space
// collapse outside <pre>, block boundaries become single line breaks,
// paragraphs blank lines, and quoted lines get "> ".
type textWriter struct {
	b            strings.Builder
	atLineStart  bool
	pendingSpace bool
	newlines     int // line breaks at the end of b
	quote        int
}

// maxIndent caps list indentation and quote markers: deeper nesting adds
// nothing readable, and without a cap a few bytes of nested tags would
// turn into kilobytes of prefix on every line.
const maxIndent = 8

func (w *textWriter) startLine() {
	if w.atLineStart {
		w.b.WriteString(strings.Repeat("> ", min(w.quote, maxIndent)))
		w.atLineStart = false
	}
}

func (w *textWriter) raw(s string) {
	w.startLine()
	w.b.WriteString(s)
	w.newlines = 0
	w.pendingSpace = false
}

func (w *textWriter) text(s string, pre bool) {
	s = strings.ReplaceAll(s, "\u00a0", " ")
	if pre {
		lines := strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
		for i, l := range lines {
			if i > 0 {
				w.newline()
			}
			if l != "" {
				w.raw(l)
			}
		}
		return
	}
	if s == "" {
		return
	}
	leading := isHTMLSpace(s[0])
	trailing := isHTMLSpace(s[len(s)-1])
	words := strings.Fields(s)
	if len(words) == 0 {
		if !w.atLineStart && w.newlines == 0 {
			w.pendingSpace = true
		}
		return
	}
	if (leading || w.pendingSpace) && !w.atLineStart && w.newlines == 0 {
		w.b.WriteByte(' ')
	}
	w.raw(strings.Join(words, " "))
	w.pendingSpace = trailing
}

func isHTMLSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'
}

func (w *textWriter) newline() {
	if w.quote > 0 && w.atLineStart {
		w.b.WriteString(strings.TrimSpace(strings.Repeat("> ", min(w.quote, maxIndent))))
	}
	w.b.WriteByte('\n')
	w.atLineStart = true
	w.pendingSpace = false
	w.newlines++
}

// block ends the current line, if any.
func (w *textWriter) block() {
	if w.b.Len() > 0 && w.newlines == 0 {
		w.newline()
	}
	w.pendingSpace = false
}

// paragraph leaves one blank line.
func (w *textWriter) paragraph() {
	w.block()
	if w.b.Len() > 0 && w.newlines < 2 {
		w.newline()
	}
}

func (w *textWriter) finish() string {
	lines := strings.Split(w.b.String(), "\n")
	out := make([]string, 0, len(lines))
	blank := 0
	for _, l := range lines {
		l = strings.TrimRight(l, " \t")
		if strings.Trim(l, "> ") == "" {
			blank++
			if blank > 1 {
				continue
			}
			l = strings.TrimRight(l, " ")
		} else {
			blank = 0
		}
		out = append(out, l)
	}
	return strings.Trim(strings.Join(out, "\n"), "\n")
}
