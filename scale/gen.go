// Package scale fills a PostgreSQL database with a service desk's worth
// of years — a million tickets, their articles and history — for
// measuring the queries agents wait for. The rows are written with COPY,
// straight into the read model: no ticket gets a Temporal workflow, so a
// generated database serves reads and benchmarks, not work on its tickets.
package scale

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/kiz-ulm/kizdesk/models"
	"github.com/kiz-ulm/kizdesk/ticket"
)

// GeneratedKeyID is the audit key ID every generated history entry names.
// Generated entries carry no keyed hash (their chain would need the
// installation's audit key, and no workflow anchors it), so `kizdesk audit
// verify` reports every generated ticket as hashed with an unknown key.
const GeneratedKeyID = "gen-tickets"

// ZoomTitle is the title of the one ticket with ZoomArticles articles.
const ZoomTitle = "Scale: one ticket with many articles"

// ErrNeedsPostgres: the generator writes with COPY, which SQLite lacks.
var ErrNeedsPostgres = errors.New("gen-tickets needs PostgreSQL (KIZDESK_DATABASE_URL=postgres://…): it loads with COPY; SQLite is not supported")

// Options say how much to generate; zero values take the defaults.
type Options struct {
	Tickets      int     // default 1,000,000
	OpenShare    float64 // share of tickets still open; default 0.10
	Articles     float64 // articles per ticket on average; default 5
	ZoomArticles int     // articles of one extra open ticket; default 500, negative: none
	Customers    int     // the tenant's customers at least; default 30,000
	Years        float64 // how far back tickets were created; default 3
	SystemID     string  // inside ticket numbers; default "10"
	Location     *time.Location
	Now          time.Time // the newest ticket's time; default now
	Seed         uint64    // the same seed makes the same tickets
	Batch        int       // tickets per COPY transaction; default 20,000
	Log          *slog.Logger
}

func (o *Options) defaults() {
	if o.Tickets == 0 {
		o.Tickets = 1_000_000
	}
	if o.OpenShare == 0 {
		o.OpenShare = 0.10
	}
	if o.Articles == 0 {
		o.Articles = 5
	}
	if o.ZoomArticles == 0 {
		o.ZoomArticles = 500
	}
	if o.Customers == 0 {
		o.Customers = 30_000
	}
	if o.Years == 0 {
		o.Years = 3
	}
	if o.SystemID == "" {
		o.SystemID = "10"
	}
	if o.Location == nil {
		o.Location = time.UTC
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	if o.Batch == 0 {
		o.Batch = 20_000
	}
	if o.Log == nil {
		o.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
}

// Result is what was written.
type Result struct {
	Tickets, Open, Articles, History int64
	ZoomTicket                       string
	// RowChecks tells whether PostgreSQL checked each row's foreign keys
	// (the connection could not switch them off: not a superuser).
	RowChecks bool
	Took      time.Duration
}

// Rows is every row written.
func (r Result) Rows() int64 { return r.Tickets + r.Articles + r.History }

// Generate migrates the database at url, makes sure tenant kiz has a
// catalogue (the demo's, widened) and adds tickets. Nobody else may write
// tickets while it runs: it hands out IDs and numbers itself.
func Generate(ctx context.Context, url string, o Options) (Result, error) {
	var res Result
	o.defaults()
	if !models.IsPostgres(url) {
		return res, ErrNeedsPostgres
	}
	if o.OpenShare < 0 || o.OpenShare > 1 || o.Tickets < 0 || o.Articles < 1 {
		return res, fmt.Errorf("gen-tickets: want tickets ≥ 0, open share in [0, 1], articles ≥ 1")
	}
	begin := time.Now()
	db, err := models.Open(ctx, url)
	if err != nil {
		return res, err
	}
	defer models.Close(db)
	if err := models.Migrate(ctx, db, o.Log); err != nil {
		return res, err
	}
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return res, fmt.Errorf("connect for COPY: %w", err)
	}
	defer conn.Close(context.Background())
	cat, err := ensureCatalogue(ctx, db, conn, o.Customers)
	if err != nil {
		return res, err
	}
	// Every generated row refers to rows that exist by construction;
	// checking 12 million foreign keys one by one would double the load
	// time. Only a superuser may switch the checks off; others wait.
	if _, err := conn.Exec(ctx, "SET session_replication_role = replica"); err != nil {
		res.RowChecks = true
		o.Log.Warn("foreign keys are checked row by row (not a superuser): the load takes longer", "err", err)
	}
	g, err := newGen(ctx, conn, cat, o)
	if err != nil {
		return res, err
	}
	batches := make(chan *batch, 1)
	genCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		defer close(batches)
		for done := 0; done < o.Tickets; done += o.Batch {
			b := g.batch(done, min(o.Batch, o.Tickets-done))
			if done+o.Batch >= o.Tickets && o.ZoomArticles > 0 {
				res.ZoomTicket = g.zoom(b)
			}
			select {
			case batches <- b:
			case <-genCtx.Done():
				return
			}
		}
		if o.Tickets == 0 && o.ZoomArticles > 0 {
			b := &batch{}
			res.ZoomTicket = g.zoom(b)
			batches <- b
		}
	}()
	last := time.Now()
	for b := range batches {
		if err := b.copy(ctx, conn); err != nil {
			return res, err
		}
		res.Tickets += int64(len(b.tickets))
		res.Articles += int64(len(b.articles))
		res.History += int64(len(b.history))
		res.Open += int64(b.open)
		if time.Since(last) > 10*time.Second {
			last = time.Now()
			o.Log.Info("loading", "tickets", res.Tickets, "articles", res.Articles, "history", res.History,
				"rows/s", int(float64(res.Rows())/time.Since(begin).Seconds()))
		}
	}
	if err := g.finish(ctx, conn); err != nil {
		return res, err
	}
	res.Took = time.Since(begin)
	return res, nil
}

// batch is the rows of one COPY transaction.
type batch struct {
	tickets, articles, history [][]any
	open                       int
}

var (
	ticketColumns = []string{"id", "tenant_id", "number", "title", "state", "level", "queue_id", "service_id", "type_id",
		"priority_id", "owner_id", "customer_id", "channel", "last_seq", "created_at", "updated_at", "closed_at",
		"responsible_id", "locked", "pending_until", "reminder_due", "merged_into", "sla_name", "first_response_due",
		"update_due", "solution_due", "escalation_due", "first_response_at", "first_response_seconds", "solution_seconds",
		"first_response_breached", "update_breached", "solution_breached", "escalated_at", "time_spent_minutes"}
	articleColumns = []string{"id", "ticket_id", "seq", "kind", "customer_visible", "author", "subject", "body", "created_at"}
	historyColumns = []string{"id", "ticket_id", "seq", "event", "actor_kind", "actor_id", "actor_name", "actor_via",
		"field", "old_value", "new_value", "article_id", "created_at", "prev_hash", "hash", "key_id"}
)

func (b *batch) copy(ctx context.Context, conn *pgx.Conn) error {
	tx, err := conn.Begin(ctx)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback(context.Background())
	for _, t := range []struct {
		table string
		cols  []string
		rows  [][]any
	}{{"tickets", ticketColumns, b.tickets}, {"articles", articleColumns, b.articles}, {"ticket_history", historyColumns, b.history}} {
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{t.table}, t.cols, pgx.CopyFromRows(t.rows)); err != nil {
			return fmt.Errorf("copy %s: %w", t.table, err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// gen makes the rows; it runs on one goroutine.
type gen struct {
	o                             Options
	cat                           catalogue
	r                             *rand.Rand
	ticketID, articleID, historID int64
	counters                      map[string]int64 // the last number handed out per day
	touched                       map[string]bool
	recent                        []string // numbers a merged ticket may go into
	from, span                    time.Duration
	start                         time.Time
	meanWeight                    float64
}

// Open tickets are mostly recent: the chance to be open falls with age
// (time constant openTau) down to a floor, scaled so that OpenShare of
// all tickets are open.
const (
	openTau   = 120 * 24 * time.Hour
	openFloor = 0.12
)

func newGen(ctx context.Context, conn *pgx.Conn, cat catalogue, o Options) (*gen, error) {
	g := &gen{o: o, cat: cat, r: rand.New(rand.NewPCG(o.Seed, 0x6b697a)), counters: map[string]int64{}, touched: map[string]bool{}}
	for table, p := range map[string]*int64{"tickets": &g.ticketID, "articles": &g.articleID, "ticket_history": &g.historID} {
		if err := conn.QueryRow(ctx, "SELECT COALESCE(max(id), 0) FROM "+table).Scan(p); err != nil {
			return nil, fmt.Errorf("highest id of %s: %w", table, err)
		}
	}
	rows, err := conn.Query(ctx, "SELECT day, value FROM ticket_counters")
	if err != nil {
		return nil, fmt.Errorf("ticket counters: %w", err)
	}
	for rows.Next() {
		var day string
		var v int64
		if err := rows.Scan(&day, &v); err != nil {
			return nil, err
		}
		g.counters[day] = v
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	g.span = time.Duration(o.Years * 365 * 24 * float64(time.Hour))
	g.start = o.Now.Add(-g.span)
	T, tau := g.span.Hours(), openTau.Hours()
	g.meanWeight = tau/T*(1-math.Exp(-T/tau)) + openFloor
	return g, nil
}

func (g *gen) batch(done, n int) *batch {
	b := &batch{
		tickets:  make([][]any, 0, n),
		articles: make([][]any, 0, int(float64(n)*g.o.Articles)+16),
		history:  make([][]any, 0, int(float64(n)*(g.o.Articles+2))+16),
	}
	for i := done; i < done+n; i++ {
		created := g.start.Add(time.Duration((float64(i) + g.r.Float64()) / float64(g.o.Tickets) * float64(g.span)))
		g.add(b, created, "", 0, false)
	}
	return b
}

// zoom adds the ticket with ZoomArticles articles: open, in the Helpdesk
// queue, two months old.
func (g *gen) zoom(b *batch) string {
	return g.add(b, g.o.Now.Add(-60*24*time.Hour), ticket.StateOpen, g.o.ZoomArticles, true)
}

var (
	openStates   = []weighted[ticket.State]{{ticket.StateNew, 20}, {ticket.StateOpen, 45}, {ticket.StatePendingReminder, 20}, {ticket.StatePendingAutoClose, 10}, {ticket.StatePendingAutoCloseNo, 5}}
	closedStates = []weighted[ticket.State]{{ticket.StateClosedSuccessful, 85}, {ticket.StateClosedUnsuccessful, 10}, {ticket.StateMerged, 5}}
	// priority ranks 1..5
	priorityShare = []weighted[int]{{0, 5}, {1, 12}, {2, 60}, {3, 18}, {4, 5}}
	channels      = []weighted[string]{{"phone", 45}, {"email", 40}, {"web", 15}}
)

type weighted[T any] struct {
	v T
	w int
}

func choose[T any](r *rand.Rand, ws []weighted[T]) T {
	total := 0
	for _, w := range ws {
		total += w.w
	}
	n := r.IntN(total)
	for _, w := range ws {
		if n < w.w {
			return w.v
		}
		n -= w.w
	}
	return ws[len(ws)-1].v
}

func ptr[T any](v T) *T { return &v }

// add makes one ticket with its articles and history; state "" and
// articles 0 draw them at random. The zoom ticket sits in the Helpdesk
// queue and was touched an hour ago.
func (g *gen) add(b *batch, created time.Time, state ticket.State, articles int, zoom bool) string {
	r, cat, now := g.r, g.cat, g.o.Now
	created = created.UTC().Truncate(time.Microsecond)
	age := now.Sub(created)
	if state == "" {
		pOpen := g.o.OpenShare * (math.Exp(-age.Hours()/openTau.Hours()) + openFloor) / g.meanWeight
		if r.Float64() < pOpen {
			state = choose(r, openStates)
		} else {
			state = choose(r, closedStates)
		}
	}
	open := state.Open()
	if open {
		b.open++
	}
	if articles == 0 {
		articles = 1
		if state != ticket.StateNew {
			// 1 + binomial: mean Articles, rarely more than twice that.
			n := int(math.Round(2 * (g.o.Articles - 1)))
			for range n {
				if r.IntN(2) == 0 {
					articles++
				}
			}
		}
	}

	g.ticketID++
	id := g.ticketID
	day := created.In(g.o.Location).Format("20060102")
	g.counters[day]++
	g.touched[day] = true
	number := models.TicketNumber(day, g.o.SystemID, g.counters[day])

	svc := pick(r, cat.services)
	queue := cat.helpdesk
	if r.IntN(100) >= 55 {
		queue = cat.queues[svc.Second]
	}
	if zoom {
		queue = cat.helpdesk
	}
	level := queue.Level
	crew := cat.firstLevel
	if queue.ID != cat.helpdesk.ID {
		crew = cat.byQueue[queue.ID]
	}
	var owner *person
	if state != ticket.StateNew {
		o := pick(r, crew)
		owner = &o
	}
	customer := pick(r, cat.customers)
	channel := choose(r, channels)
	title := pick(r, titles)
	if zoom {
		title = ZoomTitle
	}

	// The ticket's life: closed tickets took hours to weeks, open ones
	// were last touched within their age and at most two weeks ago.
	var updated time.Time
	var closedAt *time.Time
	if open {
		updated = created.Add(time.Duration(r.Float64() * float64(min(age, 14*24*time.Hour))))
	} else {
		took := time.Duration(r.ExpFloat64() * float64(3*24*time.Hour))
		updated = created.Add(min(took, age))
		closedAt = &updated
	}
	if zoom {
		updated = now.Add(-time.Hour).UTC()
	}
	updated = updated.UTC().Truncate(time.Microsecond)

	// History: creation, the first message, the owner, then the articles,
	// then whatever brought the ticket to its state.
	seq := 0
	var prevHash string
	at := func(k, of int) time.Time {
		return created.Add(time.Duration(float64(updated.Sub(created)) * float64(k) / float64(of+1))).Truncate(time.Microsecond)
	}
	steps := articles + 4
	step := 0
	hist := func(event string, actorKind ticket.ActorKind, actor person, field, old, new string, articleID *int64, when time.Time) {
		seq++
		g.historID++
		hash := fmt.Sprintf("%s:%d:%d", GeneratedKeyID, id, seq)
		b.history = append(b.history, []any{g.historID, id, int32(seq), event, string(actorKind), actor.ID, actor.Name, "",
			field, old, new, articleID, when, prevHash, hash, GeneratedKeyID})
		prevHash = hash
	}
	article := func(kind ticket.ArticleKind, event string, actorKind ticket.ActorKind, actor person, subject, text string) {
		step++
		when := at(step, steps)
		g.articleID++
		b.articles = append(b.articles, []any{g.articleID, id, int32(seq + 1), string(kind), kind.CustomerVisible(),
			actor.Name, subject, text, when})
		hist(event, actorKind, actor, "", "", "", ptr(g.articleID), when)
	}
	cust := person{customer.ID, customer.Name}
	creator := cust
	creatorKind := ticket.ActorCustomer
	if channel == "phone" {
		creator, creatorKind = pick(r, cat.firstLevel), ticket.ActorAgent
	}
	hist(ticket.EventNewTicket, creatorKind, creator, "State", "", string(ticket.StateNew), nil, created)
	if channel == "phone" {
		article(ticket.ArticlePhoneNote, ticket.EventPhoneCall, ticket.ActorAgent, creator, title, body(r, "Anruf von "+cust.Name))
	} else {
		article(ticket.ArticleCustomer, ticket.EventFollowUp, ticket.ActorCustomer, cust, title, body(r, "Hallo"))
	}
	if owner != nil {
		step++
		hist(ticket.EventOwnerUpdate, ticket.ActorAgent, *owner, "Owner", "", owner.Name, nil, at(step, steps))
	}
	var firstResponse *time.Time
	for k := 1; k < articles; k++ {
		agent := creator
		if owner != nil {
			agent = *owner
		}
		switch {
		case k%3 == 1:
			article(ticket.ArticleReply, ticket.EventSendAnswer, ticket.ActorAgent, agent, "Re: "+title, body(r, "Guten Tag "+cust.Name))
			if firstResponse == nil {
				firstResponse = ptr(at(step, steps))
			}
		case k%3 == 2:
			article(ticket.ArticleCustomer, ticket.EventFollowUp, ticket.ActorCustomer, cust, "Re: "+title, body(r, "Hallo"))
		default:
			article(ticket.ArticleInternalNote, ticket.EventAddNote, ticket.ActorAgent, agent, "Notiz", body(r, "Intern"))
		}
	}
	actor := creator
	if owner != nil {
		actor = *owner
	}
	var escalatedAt *time.Time
	if level != models.LevelFirst {
		step++
		when := at(step, steps)
		escalatedAt = &when
		hist(ticket.EventEscalation, ticket.ActorAgent, actor, "Level", string(models.LevelFirst), string(level), nil, when)
		hist(ticket.EventMove, ticket.ActorAgent, actor, "Queue", cat.helpdesk.Name, queue.Name, nil, when)
	}
	var pendingUntil, reminderDue *time.Time
	mergedInto := ""
	switch {
	case state == ticket.StateNew:
	case state == ticket.StateOpen:
		hist(ticket.EventStateUpdate, ticket.ActorAgent, actor, "State", string(ticket.StateNew), string(state), nil, updated)
	case state.Pending():
		// Reminders fall due from a week ago to two weeks ahead, so the
		// reminders list has a backlog; auto closes lie ahead.
		until := now.Add(time.Duration((r.Float64()*21 - 7) * float64(24*time.Hour)))
		if state != ticket.StatePendingReminder {
			until = now.Add(time.Duration((1 + r.Float64()*13) * float64(24*time.Hour)))
		}
		until = until.UTC().Truncate(time.Hour)
		pendingUntil = &until
		if state == ticket.StatePendingReminder {
			reminderDue = &until
		}
		hist(ticket.EventPendingTime, ticket.ActorAgent, actor, "PendingUntil", "", until.Format(time.RFC3339), nil, updated)
		hist(ticket.EventStateUpdate, ticket.ActorAgent, actor, "State", string(ticket.StateOpen), string(state), nil, updated)
	case state == ticket.StateMerged && len(g.recent) > 0:
		mergedInto = g.recent[r.IntN(len(g.recent))]
		hist(ticket.EventMerged, ticket.ActorAgent, actor, "MergedInto", "", mergedInto, nil, updated)
		hist(ticket.EventStateUpdate, ticket.ActorAgent, actor, "State", string(ticket.StateOpen), string(state), nil, updated)
	default:
		if state == ticket.StateMerged {
			state = ticket.StateClosedSuccessful
		}
		hist(ticket.EventStateUpdate, ticket.ActorAgent, actor, "State", string(ticket.StateOpen), string(state), nil, updated)
	}
	if len(g.recent) < 5000 {
		g.recent = append(g.recent, number)
	} else {
		g.recent[r.IntN(len(g.recent))] = number
	}

	// SLA "kiz Standard": first response within 4 h, solution within
	// three days (wall clock here; the workflow counts working time).
	frDue := created.Add(4 * time.Hour)
	solDue := created.Add(3 * 24 * time.Hour)
	var updateDue, escalationDue *time.Time
	var frSeconds, solSeconds *int64
	if open {
		updateDue = ptr(updated.Add(8 * time.Hour))
		if level == models.LevelFirst {
			escalationDue = ptr(created.Add(4 * time.Hour))
		}
	}
	if firstResponse != nil {
		frSeconds = ptr(int64(firstResponse.Sub(created) / time.Second))
	}
	if closedAt != nil {
		solSeconds = ptr(int64(closedAt.Sub(created) / time.Second))
	}
	frBreached := firstResponse != nil && firstResponse.After(frDue)
	solBreached := (closedAt != nil && closedAt.After(solDue)) || (open && now.After(solDue) && !state.Pending())
	var ownerID *int64
	if owner != nil {
		ownerID = &owner.ID
	}
	var responsibleID *int64
	if owner != nil && r.IntN(10) == 0 {
		responsibleID = ptr(pick(r, crew).ID)
	}
	timeSpent := 0
	if state != ticket.StateNew {
		timeSpent = 5 * r.IntN(articles+1)
	}
	b.tickets = append(b.tickets, []any{id, cat.tenant.ID, number, title, string(state), string(level), queue.ID, svc.ID,
		cat.types[r.IntN(len(cat.types))], cat.priorities[choose(r, priorityShare)], ownerID, customer.ID, channel,
		int32(seq), created, updated, closedAt, responsibleID, open && owner != nil && r.IntN(3) == 0, pendingUntil,
		reminderDue, mergedInto, "kiz Standard", frDue, updateDue, solDue, escalationDue, firstResponse, frSeconds,
		solSeconds, frBreached, open && updateDue != nil && now.After(*updateDue) && !state.Pending(), solBreached,
		escalatedAt, int32(timeSpent)})
	return number
}

// finish moves the sequences and the day counters past what was handed
// out, so tickets made afterwards through the desk do not collide, and
// refreshes the planner's statistics and the visibility map (without it
// no index-only scan pays off until autovacuum comes by).
func (g *gen) finish(ctx context.Context, conn *pgx.Conn) error {
	for table, id := range map[string]int64{"tickets": g.ticketID, "articles": g.articleID, "ticket_history": g.historID} {
		if id == 0 {
			continue
		}
		if _, err := conn.Exec(ctx, "SELECT setval(pg_get_serial_sequence($1, 'id'), $2)", table, id); err != nil {
			return fmt.Errorf("sequence of %s: %w", table, err)
		}
	}
	var days []string
	var values []int64
	for day := range g.touched {
		days = append(days, day)
		values = append(values, g.counters[day])
	}
	_, err := conn.Exec(ctx, `INSERT INTO ticket_counters (day, value) SELECT * FROM unnest($1::text[], $2::bigint[])
		ON CONFLICT (day) DO UPDATE SET value = GREATEST(ticket_counters.value, EXCLUDED.value)`, days, values)
	if err != nil {
		return fmt.Errorf("ticket counters: %w", err)
	}
	for _, stmt := range []string{"VACUUM (ANALYZE) tickets", "VACUUM (ANALYZE) customers", "ANALYZE articles", "ANALYZE ticket_history"} {
		if _, err := conn.Exec(ctx, stmt); err != nil {
			return fmt.Errorf("%s: %w", stmt, err)
		}
	}
	return nil
}
