package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/kiz-ulm/kizdesk/scale"
)

const genTicketsSummary = `Fills a PostgreSQL database with generated tickets for performance work: migrates it, adds
tenant kiz with the demo's catalogue widened to the kiz's size (queues, services, agents with the
password "demo", customers) where missing, then loads tickets, articles and history with COPY —
dates spread over the last years, most open tickets recent, plus one open ticket with many articles
for the zoom. The tickets have no Temporal workflows: the desk reads them, but actions on them fail.
Their history is not hashed with an audit key (key ID "` + scale.GeneratedKeyID + `"), so
"kizdesk audit verify" reports every one of them. Nobody else may write tickets while it runs.
Not for production databases.`

func runGenTickets(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var o scale.Options
	v, err := parseSettingsWith("gen-tickets", genTicketsSummary, args, stderr, func(fs *flag.FlagSet) {
		fs.IntVar(&o.Tickets, "tickets", 1_000_000, "how many tickets to add (default 1000000)")
		fs.Float64Var(&o.OpenShare, "open-share", 0.10, "share of them still open: new, open, pending (default 0.10)")
		fs.Float64Var(&o.Articles, "articles", 5, "articles per ticket on average; new tickets have one (default 5)")
		fs.IntVar(&o.ZoomArticles, "zoom-articles", 500, "articles of the one extra ticket for the zoom; -1: none (default 500)")
		fs.IntVar(&o.Customers, "customers", 30_000, "customers the tenant has at least (default 30000)")
		fs.Float64Var(&o.Years, "years", 3, "how many years back the tickets go (default 3)")
		fs.Uint64Var(&o.Seed, "seed", 1, "random seed: the same seed makes the same tickets (default 1)")
	})
	if err != nil {
		return err
	}
	log, err := newLogger(v.get("KIZDESK_LOG_LEVEL"), stderr)
	if err != nil {
		return err
	}
	url := v.get("KIZDESK_DATABASE_URL")
	if url == "" {
		return fmt.Errorf("KIZDESK_DATABASE_URL is required: a PostgreSQL URL")
	}
	loc, err := time.LoadLocation(v.get("KIZDESK_TIMEZONE"))
	if err != nil {
		return fmt.Errorf("KIZDESK_TIMEZONE: %w", err)
	}
	o.Location, o.SystemID, o.Log = loc, v.get("KIZDESK_SYSTEM_ID"), log
	if o.Tickets <= 0 || o.OpenShare <= 0 || o.OpenShare > 1 {
		return fmt.Errorf("--tickets must be at least 1 and --open-share in (0, 1]")
	}
	res, err := scale.Generate(ctx, url, o)
	if err != nil {
		return err
	}
	secs := res.Took.Seconds()
	fmt.Fprintf(stdout, "generated %d tickets (%d open), %d articles, %d history entries in %s: %.0f rows/s, %.0f tickets/s\n",
		res.Tickets, res.Open, res.Articles, res.History, res.Took.Round(100*time.Millisecond),
		float64(res.Rows())/secs, float64(res.Tickets)/secs)
	if res.ZoomTicket != "" {
		fmt.Fprintf(stdout, "ticket with %d articles: %s\n", o.ZoomArticles, res.ZoomTicket)
	}
	if res.RowChecks {
		fmt.Fprintln(stdout, "foreign keys were checked row by row (connect as a superuser for a faster load)")
	}
	return nil
}
