package workflows

import (
	"io"
	"log/slog"
	"path/filepath"
	"testing"

	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"

	"github.com/kiz-ulm/kizdesk/codec"
)

// TestReplay replays every recorded ticket history in testdata/ against the
// current workflow code. A change to Ticket that would break a ticket
// already in flight fails here; guard such a change with
// workflow.GetVersion. Record new histories (README: "How to change the
// ITIL process") with
//
//	KIZDESK_RECORD_HISTORIES=1 go test -run 'TestEndToEnd/sqlite|TestPendingAutoCloseOnTime|TestLifecycleOnTheServer|TestContinueAsNewOnTheServer' .
func TestReplay(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no recorded histories in testdata/")
	}
	logger := log.NewStructuredLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))
	// The histories' payloads are encrypted with the public replay test
	// key (histories_test.go).
	c := codec.ReplayTest()
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			r, err := worker.NewWorkflowReplayerWithOptions(worker.WorkflowReplayerOptions{
				DataConverter: c.DataConverter(), FailureConverter: c.FailureConverter(),
			})
			if err != nil {
				t.Fatal(err)
			}
			r.RegisterWorkflow(Ticket)
			if err := r.ReplayWorkflowHistoryFromJSONFile(logger, f); err != nil {
				t.Errorf("replay %s: %v", f, err)
			}
		})
	}
}
