// Command kizdesk is the kiz service desk: one binary for every role.
//
//	kizdesk dev      everything in one process, with an embedded Temporal
//	kizdesk web      the web interface and API (production; scale out)
//	kizdesk worker   the ticket workflows and activities (production; scale out)
//	kizdesk migrate  bring the database schema up to date
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	_ "time/tzdata" // the desk's time zone must load on minimal images too
)

const usage = `kizdesk — the kiz service desk

usage: kizdesk <command> [flags]

commands:
  dev       run everything in one process: embedded Temporal server and UI,
            database (SQLite unless KIZDESK_DATABASE_URL is set), demo data,
            worker and web server
  web       serve the agent interface and the JSON API
  worker    run the ticket workflows and their activities
  migrate   bring the database schema up to date
  add-agent add an agent (e.g. the first admin of a new installation)
  add-token print a new API token for an agent
  audit     check the keyed, hash-chained ticket history against the
            database and its anchors: kizdesk audit verify [--temporal];
            write a signed checkpoint: kizdesk audit checkpoint
  history   export a ticket's workflow history for the replay test: kizdesk history <number>
  temporal-dev
            run only the embedded Temporal server and UI, for web and worker
            as processes of their own on one machine
  healthcheck <url>
            GET the URL, exit 0 on 2xx, else 1: the probe for images
            without a shell (e.g. http://localhost:8080/readyz)
  gen-tickets
            fill a PostgreSQL database with generated tickets (1,000,000 by
            default, with COPY) for performance work; no workflows

Run "kizdesk <command> --help" for the command's settings.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "kizdesk:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(stdout, usage)
		return nil
	}
	cmds := map[string]struct {
		summary string
		run     func(context.Context, values, *slog.Logger, io.Writer) error
	}{
		"dev":     {"Runs all of kizdesk in one process, with an embedded Temporal server and UI.", runDev},
		"web":     {"Serves the agent interface and the JSON API against an external Temporal and PostgreSQL.", runWeb},
		"worker":  {"Runs the ticket workflows and their activities against an external Temporal and PostgreSQL.", runWorker},
		"migrate": {"Applies the database migrations that have not run yet, then exits.", runMigrate},
		"temporal-dev": {"Runs only the embedded Temporal server and UI (SQLite, or PostgreSQL with KIZDESK_TEMPORAL_DATABASE_URL), " +
			"for running migrate, worker and web as processes of their own on one machine.", runTemporalDev},
	}
	admin := map[string]func(context.Context, values, *slog.Logger, io.Writer, []string, io.Reader) error{
		"add-agent": runAddAgent,
		"add-token": runAddToken,
	}
	switch args[0] {
	case "audit":
		return runAudit(ctx, args[1:], stdout, stderr)
	case "history":
		return runHistory(ctx, args[1:], stdout, stderr)
	case "healthcheck":
		return runHealthcheck(ctx, args[1:], stdout, stderr)
	case "retention":
		return runRetention(ctx, args[1:], stdout, stderr)
	case "gen-tickets":
		return runGenTickets(ctx, args[1:], stdout, stderr)
	}
	if fn, ok := admin[args[0]]; ok {
		vals := envSettings(args[0])
		log, err := newLogger(vals.get("KIZDESK_LOG_LEVEL"), stderr)
		if err != nil {
			return err
		}
		return fn(ctx, vals, log, stdout, args[1:], stdin)
	}
	cmd, ok := cmds[args[0]]
	if !ok {
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("unknown command %q", args[0])
	}
	vals, err := parseSettings(args[0], cmd.summary, args[1:], stderr)
	if err != nil {
		return err
	}
	log, err := newLogger(vals.get("KIZDESK_LOG_LEVEL"), stderr)
	if err != nil {
		return err
	}
	if addr := vals.get("KIZDESK_PPROF_ADDR"); addr != "" {
		stop, err := startProfiling(addr, log)
		if err != nil {
			return err
		}
		defer stop()
	}
	return cmd.run(ctx, vals, log, stdout)
}

func newLogger(level string, w io.Writer) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(strings.ToUpper(level))); err != nil {
		return nil, fmt.Errorf("KIZDESK_LOG_LEVEL: %q is not debug, info, warn or error", level)
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l})), nil
}
