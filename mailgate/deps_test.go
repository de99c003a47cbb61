package mailgate

import (
	"os/exec"
	"strings"
	"testing"
)

// TestPureLibrary keeps the gateway free of the desk: the caller wires it to
// storage through Handler, so it can run (and be tested) without a
// database, Temporal or the rest of kizdesk.
func TestPureLibrary(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	forbids := []string{"gorm.io/", "github.com/jackc/", "modernc.org/sqlite", "go.temporal.io/", "github.com/kiz-ulm/kizdesk/"}
	for _, dep := range strings.Fields(string(out)) {
		if dep == "github.com/kiz-ulm/kizdesk/mailgate" || dep == "github.com/kiz-ulm/kizdesk/mailin" {
			continue
		}
		for _, f := range forbids {
			if strings.HasPrefix(dep, f) {
				t.Errorf("mailgate links %s", dep)
			}
		}
	}
}
