package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"gorm.io/gorm"

	"github.com/kiz-ulm/kizdesk/models"
)

// kizdesk audit verify checks the revision-safe ticket history: every
// ticket's keyed hash chain against the entries and articles as stored
// now, and the database against the anchors kept outside it — the signed
// checkpoints in KIZDESK_AUDIT_DIR and, with --temporal, the ticket
// workflows. kizdesk audit checkpoint writes a checkpoint.

const auditUsage = `usage: kizdesk audit <subcommand> [flags]

subcommands:
  verify      check every ticket's keyed history chain (all tenants) against
              what is stored now, and the database against the checkpoints
              in KIZDESK_AUDIT_DIR (and, with --temporal, the ticket
              workflows); exits non-zero naming each ticket and what was done
              to it
  checkpoint  write a signed checkpoint of every ticket's chain head to
              KIZDESK_AUDIT_DIR

Run "kizdesk audit <subcommand> --help" for its settings.
`

func runAudit(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, auditUsage)
		return errors.New("audit: a subcommand is required: verify or checkpoint")
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stderr, auditUsage)
		return flag.ErrHelp
	case "verify":
		return runAuditVerify(ctx, args[1:], stdout, stderr)
	case "checkpoint":
		return runAuditCheckpoint(ctx, args[1:], stdout, stderr)
	}
	fmt.Fprint(stderr, auditUsage)
	return fmt.Errorf("audit: unknown subcommand %q (want verify or checkpoint)", args[0])
}

func runAuditVerify(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var withTemporal bool
	v, err := parseSettingsWith("audit verify",
		"Checks every ticket's history, of all tenants: entries numbered 1..n without gaps, each linked to\n"+
			"the one before, each hash (HMAC with a key of the audit key ring) matching the entry and its article\n"+
			"as stored now, and the chain ending where the ticket says. Then checks the database against every\n"+
			"checkpoint in KIZDESK_AUDIT_DIR and, with --temporal, against the ticket workflows in Temporal: a\n"+
			"ticket they record must still exist (else: deleted), reach the recorded entry (else: tail cut) and\n"+
			"have the recorded hash there (else: rewritten). Exits non-zero naming each ticket and what was found.",
		args, stderr, func(fs *flag.FlagSet) {
			fs.BoolVar(&withTemporal, "temporal", false, "also compare with the ticket workflows Temporal still keeps "+
				"(closed ones are queried through a worker: one must run)")
		})
	if err != nil {
		return err
	}
	log, err := newLogger(v.get("KIZDESK_LOG_LEVEL"), stderr)
	if err != nil {
		return err
	}
	keys, err := requireAuditKeys(v)
	if err != nil {
		return err
	}
	db, err := openProductionDB(ctx, v, log)
	if err != nil {
		return err
	}
	defer models.Close(db)

	var problems []string
	r, err := models.VerifyHistory(ctx, db, keys)
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	for _, b := range r.Broken {
		fmt.Fprintln(stdout, b)
	}
	for _, a := range r.Anonymised {
		fmt.Fprintln(stdout, a)
	}
	if r.Intact() {
		fmt.Fprintf(stdout, "audit: %s, %s, every chain intact\n", count(r.Tickets, "ticket"), count(r.Entries, "history entry"))
	} else {
		what := "have broken history chains"
		if len(r.Broken) == 1 {
			what = "has a broken history chain"
		}
		problems = append(problems, fmt.Sprintf("%d of %s %s (%s checked)", len(r.Broken), count(r.Tickets, "ticket"), what,
			count(r.Entries, "history entry")))
	}

	if dir := v.get("KIZDESK_AUDIT_DIR"); dir == "" {
		fmt.Fprintln(stdout, "audit: no checkpoints to compare with (KIZDESK_AUDIT_DIR is not set): a cut tail or a deleted ticket would go unseen")
	} else {
		cps, err := models.ReadCheckpoints(dir, keys)
		if err != nil {
			return fmt.Errorf("audit: %w", err)
		}
		findings, err := models.CheckAnchors(ctx, db, cps.Anchors)
		if err != nil {
			return fmt.Errorf("audit: %w", err)
		}
		for _, b := range cps.Bad {
			fmt.Fprintln(stdout, b)
		}
		for _, f := range findings {
			fmt.Fprintln(stdout, f)
		}
		switch {
		case cps.Files == 0:
			fmt.Fprintf(stdout, "audit: no checkpoints in %s yet (kizdesk audit checkpoint writes one)\n", dir)
		case len(cps.Bad) == 0 && len(findings) == 0:
			fmt.Fprintf(stdout, "audit: %s in %s, every ticket as they record it\n", count(cps.Files, "checkpoint"), dir)
		}
		if n := len(cps.Bad); n > 0 {
			problems = append(problems, fmt.Sprintf("%d of %s tampered", n, count(cps.Files, "checkpoint")))
		}
		if n := len(findings); n > 0 {
			problems = append(problems, count(n, "finding")+" against the checkpoints")
		}
	}

	if withTemporal {
		// Queries answer in encrypted payloads: the audit needs the key ring.
		pc, err := payloadCodec(v)
		if err != nil {
			return err
		}
		tc, err := dialTemporal(ctx, v, pc, log)
		if err != nil {
			return err
		}
		defer tc.Close()
		x, err := crossCheckTemporal(ctx, tc, db, v.get("KIZDESK_TEMPORAL_NAMESPACE"))
		if err != nil {
			return fmt.Errorf("audit: %w", err)
		}
		for _, f := range x.Findings {
			fmt.Fprintln(stdout, f)
		}
		for _, u := range x.Unanswered {
			fmt.Fprintln(stdout, u)
		}
		if len(x.Findings) == 0 && len(x.Unanswered) == 0 {
			fmt.Fprintf(stdout, "audit: %s in Temporal, every ticket as its workflow records it\n", count(x.Workflows, "ticket workflow"))
		}
		if n := len(x.Findings); n > 0 {
			problems = append(problems, count(n, "finding")+" against the ticket workflows")
		}
		if n := len(x.Unanswered); n > 0 {
			problems = append(problems, fmt.Sprintf("%d of %s could not be queried (does a worker run?)", n, count(x.Workflows, "ticket workflow")))
		}
	}
	if len(problems) > 0 {
		return errors.New("audit: " + strings.Join(problems, "; "))
	}
	return nil
}

func runAuditCheckpoint(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	v, err := parseSettings("audit checkpoint",
		"Writes a checkpoint to KIZDESK_AUDIT_DIR: every ticket's tenant, number, last history entry and its\n"+
			"hash, signed with the current audit key. kizdesk audit verify checks the database against it later.\n"+
			"Tickets an older checkpoint recorded but the database lacks (or has shorter) are carried over, and\n"+
			"only the newest KIZDESK_AUDIT_CHECKPOINT_KEEP files are kept.",
		args, stderr)
	if err != nil {
		return err
	}
	log, err := newLogger(v.get("KIZDESK_LOG_LEVEL"), stderr)
	if err != nil {
		return err
	}
	keys, err := requireAuditKeys(v)
	if err != nil {
		return err
	}
	dir := v.get("KIZDESK_AUDIT_DIR")
	if dir == "" {
		return errors.New("KIZDESK_AUDIT_DIR is required: the directory for checkpoints, on other storage than the database")
	}
	keep, err := parseKeep(v.get("KIZDESK_AUDIT_CHECKPOINT_KEEP"))
	if err != nil {
		return err
	}
	db, err := openProductionDB(ctx, v, log)
	if err != nil {
		return err
	}
	defer models.Close(db)
	w, err := models.WriteCheckpoint(ctx, db, dir, keys, keep, time.Now())
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	fmt.Fprintf(stdout, "audit: checkpoint of %s written to %s\n", count(w.Tickets, "ticket"), w.Path)
	if len(w.Carried) > 0 {
		fmt.Fprintf(stdout, "audit: carried over from the previous checkpoint, as the database lacks them or has them shorter or changed: %s\n",
			strings.Join(w.Carried, ", "))
	}
	return nil
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

// --- configuration ---

const auditKeyHelp = "at least 32 random bytes, base64, e.g. from `openssl rand -base64 32`"

// auditKeys reads the audit key ring from KIZDESK_AUDIT_KEY_FILE or
// KIZDESK_AUDIT_KEY; none if neither is set.
func auditKeys(v values) (models.AuditKeys, error) {
	file, inline := v.get("KIZDESK_AUDIT_KEY_FILE"), v.get("KIZDESK_AUDIT_KEY")
	switch {
	case file != "" && inline != "":
		return nil, errors.New("set KIZDESK_AUDIT_KEY_FILE or KIZDESK_AUDIT_KEY, not both")
	case file != "":
		b, err := os.ReadFile(file)
		if err != nil {
			return nil, fmt.Errorf("KIZDESK_AUDIT_KEY_FILE: %w", err)
		}
		keys, err := models.ParseAuditKeys(string(b))
		if err != nil {
			return nil, fmt.Errorf("KIZDESK_AUDIT_KEY_FILE %s: %w (%s)", file, err, auditKeyHelp)
		}
		return keys, nil
	case inline != "":
		keys, err := models.ParseAuditKeys(inline)
		if err != nil {
			return nil, fmt.Errorf("KIZDESK_AUDIT_KEY: %w (%s)", err, auditKeyHelp)
		}
		return keys, nil
	}
	return nil, nil
}

// requireAuditKeys is auditKeys for the commands that cannot do without.
func requireAuditKeys(v values) (models.AuditKeys, error) {
	keys, err := auditKeys(v)
	if err == nil && len(keys) == 0 {
		err = errors.New("KIZDESK_AUDIT_KEY_FILE or KIZDESK_AUDIT_KEY is required: the secret that keys every history hash " +
			"and checkpoint (" + auditKeyHelp + "); keep it where the database's administrators cannot read it")
	}
	return keys, err
}

// devAuditKeys keeps dev's audit key in a file of the data directory, made
// on first start, so that the history written before a restart still
// verifies.
func devAuditKeys(path string) (models.AuditKeys, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		secret := make([]byte, 32)
		rand.Read(secret)
		b = []byte(base64.StdEncoding.EncodeToString(secret) + "\n")
		err = os.WriteFile(path, b, 0o600)
	}
	if err != nil {
		return nil, fmt.Errorf("dev audit key: %w", err)
	}
	keys, err := models.ParseAuditKeys(string(b))
	if err != nil {
		return nil, fmt.Errorf("dev audit key %s: %w", path, err)
	}
	return keys, nil
}

// checkpointConfig is how a long-running process writes checkpoints.
type checkpointConfig struct {
	Dir      string // "" = none
	Interval time.Duration
	Keep     int
}

// checkpointSettings reads KIZDESK_AUDIT_DIR and the checkpoint interval
// and count.
func checkpointSettings(v values) (checkpointConfig, error) {
	c := checkpointConfig{Dir: v.get("KIZDESK_AUDIT_DIR")}
	d, err := time.ParseDuration(v.get("KIZDESK_AUDIT_CHECKPOINT_INTERVAL"))
	if err != nil || d < time.Minute {
		return c, fmt.Errorf("KIZDESK_AUDIT_CHECKPOINT_INTERVAL: %q is not a duration of a minute or more (e.g. 1h)", v.get("KIZDESK_AUDIT_CHECKPOINT_INTERVAL"))
	}
	c.Interval = d
	c.Keep, err = parseKeep(v.get("KIZDESK_AUDIT_CHECKPOINT_KEEP"))
	return c, err
}

func parseKeep(s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return 0, fmt.Errorf("KIZDESK_AUDIT_CHECKPOINT_KEEP: %q is not a number of files, 1 or more", s)
	}
	return n, nil
}

// startCheckpoints writes a checkpoint whenever the newest in the
// directory is an interval old, until stop is called. Copies of the worker
// that share the directory so write about one per interval between them,
// and a restart does not add one. Nothing happens without a directory.
func startCheckpoints(db *gorm.DB, keys models.AuditKeys, c checkpointConfig, log *slog.Logger) (stop func()) {
	if c.Dir == "" {
		return func() {}
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			last := models.LastCheckpoint(c.Dir)
			if last.After(time.Now()) {
				// Named for a time to come: not ours, and no reason to wait.
				last = time.Time{}
			}
			wait := min(c.Interval, c.Interval-time.Since(last))
			if wait <= 0 {
				w, err := models.WriteCheckpoint(ctx, db, c.Dir, keys, c.Keep, time.Now())
				switch {
				case ctx.Err() != nil:
					return
				case err != nil:
					log.Error("audit checkpoint not written; trying again in a minute", "err", err)
					wait = min(c.Interval, time.Minute)
				default:
					log.Info("audit checkpoint written", "path", w.Path, "tickets", w.Tickets, "pruned", w.Pruned)
					wait = c.Interval
				}
				if len(w.Carried) > 0 {
					log.Error("tickets of the previous audit checkpoint are missing from the database, or shorter or changed there: "+
						"carried over as recorded; run kizdesk audit verify", "tickets", strings.Join(w.Carried, ","))
				}
			}
			select {
			case <-ctx.Done():
				return
			case <-time.After(wait):
			}
		}
	})
	return func() { cancel(); wg.Wait() }
}
