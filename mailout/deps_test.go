package mailout

import (
	"os/exec"
	"strings"
	"testing"
)

// TestPureLibrary keeps mailout callable from the workflow's activities and
// from tests without a database, Temporal or the rest of kizdesk; mailin is
// the one sibling it may use.
func TestPureLibrary(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	forbids := []string{"gorm.io/", "github.com/jackc/", "modernc.org/sqlite", "go.temporal.io/", "github.com/kiz-ulm/kizdesk/"}
	for _, dep := range strings.Fields(string(out)) {
		if dep == "github.com/kiz-ulm/kizdesk/mailout" || dep == "github.com/kiz-ulm/kizdesk/mailin" {
			continue
		}
		for _, f := range forbids {
			if strings.HasPrefix(dep, f) {
				t.Errorf("mailout links %s", dep)
			}
		}
	}
}
