package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/temporalproto"

	"github.com/kiz-ulm/kizdesk/workflows"
)

// recordHistory writes the ticket's workflow history to
// workflows/testdata/<process version>-<name>.json when KIZDESK_RECORD_HISTORIES=1, so the
// replay test in package workflows checks every later change of the
// workflow code against tickets that ran with this one:
//
//	KIZDESK_RECORD_HISTORIES=1 go test -run 'TestEndToEnd/sqlite|TestPendingAutoCloseOnTime|TestLifecycleOnTheServer|TestContinueAsNewOnTheServer' .
func recordHistory(t *testing.T, s *testStack, number, name string) {
	t.Helper()
	recordRun(t, s, number, "", name)
}

// recordRun records one run of a ticket's workflow ("" = the latest).
func recordRun(t *testing.T, s *testStack, number, runID, name string) {
	t.Helper()
	if os.Getenv("KIZDESK_RECORD_HISTORIES") != "1" {
		return
	}
	ctx := context.Background()
	hist := &historypb.History{}
	it := s.client.GetWorkflowHistory(ctx, workflows.WorkflowID(number), runID, false, 0)
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			t.Fatalf("read history of %s: %v", number, err)
		}
		hist.Events = append(hist.Events, ev)
	}
	b, err := temporalproto.CustomJSONMarshalOptions{Indent: "  "}.Marshal(hist)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("workflows", "testdata", workflows.ProcessVersion+"-"+name+".json")
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("recorded %d events of ticket %s in %s", len(hist.Events), number, path)
}
