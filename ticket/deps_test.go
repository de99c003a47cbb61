package ticket_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDeterministicCoreLinksNoDatabase keeps the layering DESIGN.md draws:
// the payload package and the workflows link no database code, so a schema
// change cannot reach a running ticket's history and workflow code cannot
// touch the database behind Temporal's back.
func TestDeterministicCoreLinksNoDatabase(t *testing.T) {
	const module = "github.com/kiz-ulm/kizdesk/"
	cases := []struct {
		pkg     string
		mayUse  []string // kizdesk packages it may link
		forbids []string // import path prefixes it must not link
	}{
		{"ticket", []string{"calendar"}, []string{"gorm.io/", "github.com/jackc/", "modernc.org/sqlite", "github.com/lib/pq", "github.com/kiz-ulm/kizdesk/models"}},
		{"workflows", []string{"calendar", "ticket"}, []string{"gorm.io/", "github.com/jackc/", "modernc.org/sqlite", "github.com/lib/pq", "github.com/kiz-ulm/kizdesk/models"}},
	}
	for _, c := range cases {
		out, err := exec.Command("go", "list", "-deps", module+c.pkg).Output()
		if err != nil {
			t.Fatalf("go list -deps %s: %v", c.pkg, err)
		}
		for _, dep := range strings.Fields(string(out)) {
			if rest, ok := strings.CutPrefix(dep, module); ok && rest != c.pkg {
				allowed := false
				for _, m := range c.mayUse {
					allowed = allowed || rest == m
				}
				if !allowed {
					t.Errorf("%s links kizdesk package %s", c.pkg, rest)
				}
			}
			for _, f := range c.forbids {
				if strings.HasPrefix(dep, f) {
					t.Errorf("%s links %s", c.pkg, dep)
				}
			}
		}
	}
}
