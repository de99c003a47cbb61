package chart

import (
	"bytes"
	"encoding/xml"
	"io"
	"strings"
	"testing"
)

// Every kind of chart is well-formed XML, whatever the names hold, and
// draws one shape per series (area, line) or per value (bar).
func TestSVGWellFormed(t *testing.T) {
	labels := []string{"2026-01", "2026-02", "<&\"'>"}
	series := []Series{{Name: "E-Mail & Kalender", Values: []float64{1, 2, 3}}, {Name: "<script>", Values: []float64{0, 5}}}
	for kind, want := range map[Kind]struct {
		elem string
		n    int
	}{Bar: {"rect", 6 + 2}, Line: {"polyline", 2}, Area: {"polygon", 2}} {
		svg := Chart{Kind: kind, Title: "Tickets & more", Labels: labels, Series: series}.SVG()
		d := xml.NewDecoder(bytes.NewReader(svg))
		count := 0
		for {
			tok, err := d.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("%s: not well-formed: %v\n%s", kind, err, svg)
			}
			if s, ok := tok.(xml.StartElement); ok && s.Name.Local == want.elem {
				count++
			}
		}
		if count != want.n {
			t.Errorf("%s: %d <%s>, want %d", kind, count, want.elem, want.n)
		}
		if strings.Contains(string(svg), "<script>") {
			t.Errorf("%s: a name was not escaped", kind)
		}
	}
}

// An empty chart is still a chart.
func TestSVGEmpty(t *testing.T) {
	if err := xml.Unmarshal(Chart{Kind: Area}.SVG(), new(struct{})); err != nil {
		t.Fatal(err)
	}
}
