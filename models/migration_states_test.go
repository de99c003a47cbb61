package models_test

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/kiz-ulm/kizdesk/ticket"
)

// TestPartialIndexesKnowTheOpenStates: the partial indexes of migration
// 00022 hold the tickets in the open states as their SQL spells them out;
// a state added to ticket.OpenStates without a migration that rebuilds
// them would leave its tickets out of the indexes, and the dashboard's
// queries would no longer use them.
func TestPartialIndexesKnowTheOpenStates(t *testing.T) {
	sql, err := os.ReadFile("migrations/postgres/00022_dashboard_indexes.sql")
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, s := range ticket.OpenStates() {
		want = append(want, string(s))
	}
	slices.Sort(want)
	lists := regexp.MustCompile(`state IN \(([^)]*)\)`).FindAllStringSubmatch(string(sql), -1)
	if len(lists) != 5 {
		t.Fatalf("found %d state lists in 00022, want 5", len(lists))
	}
	for _, l := range lists {
		var got []string
		for _, s := range strings.Split(l[1], ",") {
			got = append(got, strings.Trim(strings.TrimSpace(s), "'"))
		}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("00022 lists the open states %v, ticket.OpenStates is %v", got, want)
		}
	}
}
