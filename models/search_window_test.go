package models

import (
	"math"
	"testing"
)

// TestSearchWindows: a window that held too few matches grows by what it
// held, within bounds, and the last one takes everything.
func TestSearchWindows(t *testing.T) {
	for _, c := range []struct{ window, found, n, want int64 }{
		{10000, 0, 500, 1000000}, // nothing found: a hundred times
		{10000, 30, 500, 320000}, // 31 of 501: about twice 16 times
		{10000, 400, 500, 20000}, // nearly enough: at least twice
		{10000, 500, 500, 20000}, // n matched, one more wanted
		{math.MaxInt64 / 3, 0, 500, math.MaxInt64},
	} {
		if got := grow(c.window, c.found, c.n); got != c.want {
			t.Errorf("grow(%d, %d, %d) = %d, want %d", c.window, c.found, c.n, got, c.want)
		}
	}
	for _, c := range []struct{ last, window, want int64 }{
		{4919715, 10000, 4909715},
		{1000001, 1000000, 0}, // one row older than the window: all
		{1000000, 900000, 100000},
		{1000000, 950000, 0},
		{50, 10000, 0},
	} {
		if got := cutBelow(c.last, c.window); got != c.want {
			t.Errorf("cutBelow(%d, %d) = %d, want %d", c.last, c.window, got, c.want)
		}
	}
}
