package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

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
	path := filepath.Join("workflows", "testdata", workflows.ProcessVersion+"-"+name+".json")
	var buf bytes.Buffer
	if err := writeHistory(context.Background(), s.client, s.codec, number, runID, &buf); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("recorded ticket %s in %s", number, path)
}
