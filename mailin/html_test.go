package mailin

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestHTMLToText(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"<p>a</p><p>b</p>", "a\n\nb"},
		{"a<br>b<br/>c", "a\nb\nc"},
		{"<div>a</div><div>b</div>", "a\nb"},
		{"  viel    Platz\n\tda  ", "viel Platz da"},
		{"<pre>  x\n    y</pre>", "  x\n    y"},
		{"<ol><li>eins</li><li>zwei</li></ol>", "1. eins\n2. zwei"},
		{"<ul><li>a<ul><li>b</li></ul></li></ul>", "- a\n  - b"},
		{`<a href="https://kiz.uni-ulm.de/">https://kiz.uni-ulm.de/</a>`, "https://kiz.uni-ulm.de/"},
		{`<a href="https://kiz.uni-ulm.de/">https://kiz.uni-ulm.de</a>`, "https://kiz.uni-ulm.de"},
		{`<a href="https://x.de/a">Formular</a>.`, "Formular (https://x.de/a)."},
		{`<a href="data:text/html,evil">Bild</a>`, "Bild"},
		{`<a href="/relativ">Seite</a>`, "Seite"},
		{`<a href="https://x.de"><img src="a.png"></a>`, ""},
		{"<style>x{}</style><script>y()</script><title>T</title>Text", "Text"},
		{"<script>unclosed", ""},
		{"&lt;b&gt; &amp;amp; &euro; &#8364; &#x20AC; &auml;", "<b> &amp; € € € ä"},
		{"<p>Hallo<!-- Kommentar --> Welt</p>", "Hallo Welt"},
		{"<blockquote><blockquote>tief</blockquote>flach</blockquote>", "> > tief\n> flach"},
		{"<table><tr><td>a</td><td>b</td></tr><tr><td>c</td><td>d</td></tr></table>", "a\tb\nc\td"},
		{"<p>unclosed <b>bold <i>both", "unclosed bold both"},
		{"", ""},
	} {
		if got := HTMLToText([]byte(c.in)); got != c.want {
			t.Errorf("HTMLToText(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// TestHTMLToTextBounded: nesting must not multiply output, whatever the
// sender nests.
func TestHTMLToTextBounded(t *testing.T) {
	for _, in := range []string{
		strings.Repeat("<ul>", 10000) + strings.Repeat("<li>x", 10000),
		strings.Repeat("<blockquote>", 10000) + strings.Repeat("<br>", 10000),
		strings.Repeat("<a href=\"https://x.de/"+strings.Repeat("y", 100)+"\">", 10000),
	} {
		out := HTMLToText([]byte(in))
		if len(out) > 5*len(in) {
			t.Errorf("%d bytes of HTML gave %d bytes of text", len(in), len(out))
		}
	}
}

func FuzzHTMLToText(f *testing.F) {
	for _, s := range []string{"<p>a</p>", "<a href='https://x.de'>x</a>", "<ul><li>a<ol><li>b", "<blockquote>q<br>", "<pre> x </pre>", "&auml;&#0;&#xD800;"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		out := HTMLToText(in)
		if utf8.Valid(in) && !utf8.ValidString(out) {
			t.Fatalf("HTMLToText(%q) = %q is not UTF-8", in, out)
		}
		if len(out) > 20*len(in)+64 {
			t.Fatalf("%d bytes of HTML gave %d bytes of text", len(in), len(out))
		}
	})
}
