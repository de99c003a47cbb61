package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/kiz-ulm/kizdesk/codec"
	"github.com/kiz-ulm/kizdesk/ticket"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/temporalproto"
	"go.temporal.io/sdk/client"
)

const historySummary = `kizdesk history <number> [flags]

Writes the workflow history of ticket <number> (its latest run) as JSON to stdout, in the
form the replay test in workflows/ reads. Save it under workflows/testdata/ to check changes of
the ticket process against a ticket from the running system:

  kizdesk history 2026112710000017 > workflows/testdata/v2-prod-2026112710000017.json`

// runHistory exports a ticket's workflow history for the replay test.
func runHistory(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		if _, err := parseSettings("history", historySummary, args, stderr); err != nil {
			return err
		}
		return errors.New("history: name the ticket: kizdesk history <number> [flags]")
	}
	number := args[0]
	v, err := parseSettings("history", historySummary, args[1:], stderr)
	if err != nil {
		return err
	}
	log, err := newLogger(v.get("KIZDESK_LOG_LEVEL"), stderr)
	if err != nil {
		return err
	}
	pc, err := payloadCodec(v)
	if err != nil {
		return err
	}
	tc, err := dialTemporal(ctx, v, pc, log)
	if err != nil {
		return err
	}
	defer tc.Close()
	return writeHistory(ctx, tc, pc, number, "", stdout)
}

// writeHistory writes one run ("" = the latest) of a ticket's workflow
// history as JSON, its payloads moved from the installation's key ring
// (pc) to the public replay test key: the replay test can read it without
// the installation's keys, which must never leave it.
func writeHistory(ctx context.Context, tc client.Client, pc *codec.Codec, number, runID string, w io.Writer) error {
	hist := &historypb.History{}
	it := tc.GetWorkflowHistory(ctx, ticket.WorkflowID(number), runID, false, 0)
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			return fmt.Errorf("read history of ticket %s: %w", number, err)
		}
		hist.Events = append(hist.Events, ev)
	}
	if err := codec.Recode(ctx, hist, pc, codec.ReplayTest()); err != nil {
		return fmt.Errorf("history of ticket %s: %w", number, err)
	}
	b, err := temporalproto.CustomJSONMarshalOptions{Indent: "  "}.Marshal(hist)
	if err != nil {
		return fmt.Errorf("encode history of ticket %s: %w", number, err)
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}
