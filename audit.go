package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/kiz-ulm/kizdesk/models"
)

// kizdesk audit verify checks the revision-safe ticket history: every
// ticket's hash chain against the entries and articles as stored now.

const auditUsage = `usage: kizdesk audit <subcommand> [flags]

subcommands:
  verify    check every ticket's history chain (all tenants) against what is
            stored now; exits non-zero naming the first broken entry of each
            broken ticket

Run "kizdesk audit verify --help" for its settings.
`

func runAudit(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, auditUsage)
		return errors.New("audit: a subcommand is required: verify")
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stderr, auditUsage)
		return flag.ErrHelp
	case "verify":
		return runAuditVerify(ctx, args[1:], stdout, stderr)
	}
	fmt.Fprint(stderr, auditUsage)
	return fmt.Errorf("audit: unknown subcommand %q (want verify)", args[0])
}

func runAuditVerify(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	v, err := parseSettings("audit verify",
		"Checks every ticket's hash-chained history, of all tenants: entries numbered 1..n without gaps, each\n"+
			"linked to the one before, each hash matching the entry and its article as stored now, and the chain\n"+
			"ending where the ticket says. Exits non-zero and names the first broken entry of each broken ticket.",
		args, stderr)
	if err != nil {
		return err
	}
	log, err := newLogger(v.get("KIZDESK_LOG_LEVEL"), stderr)
	if err != nil {
		return err
	}
	db, err := openProductionDB(ctx, v, log)
	if err != nil {
		return err
	}
	defer models.Close(db)
	r, err := models.VerifyHistory(ctx, db)
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	if r.Intact() {
		fmt.Fprintf(stdout, "audit: %s, %s, every chain intact\n", count(r.Tickets, "ticket"), count(r.Entries, "history entry"))
		return nil
	}
	for _, b := range r.Broken {
		fmt.Fprintln(stdout, b)
	}
	what := "have broken history chains"
	if len(r.Broken) == 1 {
		what = "has a broken history chain"
	}
	return fmt.Errorf("audit: %d of %s %s (%s checked)", len(r.Broken), count(r.Tickets, "ticket"), what, count(r.Entries, "history entry"))
}

func count(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	if strings.HasSuffix(what, "y") {
		return fmt.Sprintf("%d %sies", n, strings.TrimSuffix(what, "y"))
	}
	return fmt.Sprintf("%d %ss", n, what)
}
