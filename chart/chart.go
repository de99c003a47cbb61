// Package chart draws small charts as SVG on the server: bars, lines and
// stacked areas, for report pages, their print view and PDF. No script,
// no CDN: the page embeds the SVG as it is.
package chart

import (
	"bytes"
	"fmt"
	"html"
	"math"
	"strconv"
)

// Kind is how a chart draws its series.
type Kind string

// The charts.
const (
	Bar  Kind = "bar"  // grouped bars, one colour per series
	Line Kind = "line" // one line per series
	Area Kind = "area" // series stacked on each other
)

// Series is one named row of values, one per label.
type Series struct {
	Name   string
	Values []float64
}

// Chart is what to draw.
type Chart struct {
	Kind   Kind
	Title  string
	Labels []string
	Series []Series
	// Width and Height in pixels; 0: 720 × 320.
	Width, Height int
}

// palette: colours told apart also in greyscale print.
var palette = []string{"#1f5f99", "#e07b00", "#2e8b57", "#b22222", "#6a5acd", "#8b6914", "#008b8b", "#c71585", "#556b2f", "#708090"}

const (
	left, right, top, bottom = 56.0, 16.0, 28.0, 64.0
)

// SVG renders the chart as a standalone SVG document.
func (c Chart) SVG() []byte {
	w, h := float64(c.Width), float64(c.Height)
	if w == 0 {
		w = 720
	}
	if h == 0 {
		h = 320
	}
	legendRows := (len(c.Series) + 3) / 4
	plotW, plotH := w-left-right, h-top-bottom-float64(legendRows)*16
	maxV := c.max()
	var b bytes.Buffer
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 %s %s" width="%s" height="%s" role="img" aria-label="%s">`,
		f(w), f(h), f(w), f(h), esc(c.Title))
	fmt.Fprintf(&b, `<title>%s</title>`, esc(c.Title))
	fmt.Fprintf(&b, `<text x="%s" y="18" font-size="14" font-family="sans-serif">%s</text>`, f(left), esc(c.Title))
	// Axes and grid with five steps.
	for i := 0; i <= 5; i++ {
		v := maxV * float64(i) / 5
		y := top + plotH - plotH*float64(i)/5
		fmt.Fprintf(&b, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="#ddd"/>`, f(left), f(y), f(left+plotW), f(y))
		fmt.Fprintf(&b, `<text x="%s" y="%s" font-size="10" font-family="sans-serif" text-anchor="end">%s</text>`, f(left-4), f(y+3), esc(tick(v)))
	}
	n := len(c.Labels)
	step := plotW / math.Max(1, float64(n))
	every := int(math.Ceil(float64(n) / 24)) // at most 24 labels
	for i, l := range c.Labels {
		if i%max(every, 1) != 0 {
			continue
		}
		x := left + step*float64(i) + step/2
		fmt.Fprintf(&b, `<text x="%s" y="%s" font-size="10" font-family="sans-serif" text-anchor="end" transform="rotate(-40 %s %s)">%s</text>`,
			f(x), f(top+plotH+14), f(x), f(top+plotH+14), esc(l))
	}
	y := func(v float64) float64 { return top + plotH - plotH*v/maxV }
	switch c.Kind {
	case Line:
		for si, s := range c.Series {
			var pts bytes.Buffer
			for i, v := range s.Values {
				fmt.Fprintf(&pts, "%s,%s ", f(left+step*float64(i)+step/2), f(y(v)))
			}
			fmt.Fprintf(&b, `<polyline fill="none" stroke="%s" stroke-width="2" points="%s"><title>%s</title></polyline>`, color(si), bytes.TrimSpace(pts.Bytes()), esc(s.Name))
		}
	case Area:
		base := make([]float64, n)
		for si, s := range c.Series {
			var pts bytes.Buffer
			top := make([]float64, n)
			for i := range n {
				top[i] = base[i] + value(s.Values, i)
				fmt.Fprintf(&pts, "%s,%s ", f(left+step*float64(i)+step/2), f(y(top[i])))
			}
			for i := n - 1; i >= 0; i-- {
				fmt.Fprintf(&pts, "%s,%s ", f(left+step*float64(i)+step/2), f(y(base[i])))
			}
			fmt.Fprintf(&b, `<polygon fill="%s" fill-opacity="0.8" stroke="%s" points="%s"><title>%s</title></polygon>`, color(si), color(si), bytes.TrimSpace(pts.Bytes()), esc(s.Name))
			base = top
		}
	default:
		k := math.Max(1, float64(len(c.Series)))
		bw := step * 0.8 / k
		for si, s := range c.Series {
			for i := range n {
				v := value(s.Values, i)
				x := left + step*float64(i) + step*0.1 + bw*float64(si)
				fmt.Fprintf(&b, `<rect x="%s" y="%s" width="%s" height="%s" fill="%s"><title>%s: %s</title></rect>`,
					f(x), f(y(v)), f(math.Max(bw, 0.5)), f(top+plotH-y(v)), color(si), esc(s.Name), esc(tick(v)))
			}
		}
	}
	fmt.Fprintf(&b, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="#333"/>`, f(left), f(top+plotH), f(left+plotW), f(top+plotH))
	for si, s := range c.Series {
		lx := left + float64(si%4)*(plotW/4)
		ly := h - float64(legendRows-si/4)*16 + 4
		fmt.Fprintf(&b, `<rect x="%s" y="%s" width="10" height="10" fill="%s"/>`, f(lx), f(ly-9), color(si))
		fmt.Fprintf(&b, `<text x="%s" y="%s" font-size="11" font-family="sans-serif">%s</text>`, f(lx+14), f(ly), esc(s.Name))
	}
	b.WriteString(`</svg>`)
	return b.Bytes()
}

// max is the top of the value axis: the largest value (or stack), at
// least 1, rounded up to a readable step.
func (c Chart) max() float64 {
	m := 0.0
	if c.Kind == Area {
		for i := range c.Labels {
			sum := 0.0
			for _, s := range c.Series {
				sum += value(s.Values, i)
			}
			m = math.Max(m, sum)
		}
	} else {
		for _, s := range c.Series {
			for _, v := range s.Values {
				m = math.Max(m, v)
			}
		}
	}
	if m <= 0 {
		return 1
	}
	mag := math.Pow(10, math.Floor(math.Log10(m)))
	for _, k := range []float64{1, 2, 2.5, 5, 10} {
		if k*mag >= m {
			return k * mag
		}
	}
	return 10 * mag
}

func value(vs []float64, i int) float64 {
	if i < len(vs) && !math.IsNaN(vs[i]) && vs[i] > 0 {
		return vs[i]
	}
	return 0
}

func color(i int) string { return palette[i%len(palette)] }

func f(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }

func tick(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

func esc(s string) string { return html.EscapeString(s) }
