package desk

import "testing"

func TestTruncateKeepsCharactersWhole(t *testing.T) {
	for _, c := range []struct {
		in   string
		n    int
		want string
	}{{"Störung", 3, "St"}, {"Störung", 4, "Stö"}, {"kurz", 10, "kurz"}, {"äö", 1, ""}} {
		if got := truncate(c.in, c.n); got != c.want {
			t.Errorf("truncate(%q, %d) = %q, want %q", c.in, c.n, got, c.want)
		}
	}
}
