package mailin

import (
	"os/exec"
	"strings"
	"testing"
)

// TestPureLibrary keeps mailin what the gateway needs it to be: code that
// reads bytes and touches neither the database, the network nor the rest of
// kizdesk, so every gateway (IMAP, LMTP, a replay tool) can call it.
func TestPureLibrary(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	forbids := []string{"gorm.io/", "github.com/jackc/", "modernc.org/sqlite", "go.temporal.io/",
		"net/http", "net/smtp", "github.com/kiz-ulm/kizdesk/"}
	for _, dep := range strings.Fields(string(out)) {
		if dep == "github.com/kiz-ulm/kizdesk/mailin" {
			continue
		}
		for _, f := range forbids {
			if strings.HasPrefix(dep, f) {
				t.Errorf("mailin links %s", dep)
			}
		}
	}
}
