package mailpoll

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// StoredFlag is the keyword set on a message once the desk has stored it.
// Selection goes by this keyword rather than by \Seen because people read
// the same mailbox with their mail clients.
const StoredFlag imap.Flag = "$KizdeskStored"

const (
	dialTimeout = 30 * time.Second
	// byeTimeout bounds waiting for the server on the way out (DONE,
	// LOGOUT), so a hung server cannot hold up a shutdown.
	byeTimeout = 5 * time.Second
)

// Delivery is one mail taken from the mailbox.
type Delivery struct {
	Raw       []byte // the message exactly as stored on the server
	Recipient string // Config.Recipient
	Mailbox   string // the mailbox it was taken from
	UID       uint32 // its UID there, for logs
}

// Handler stores mail. Deliver must return nil only once the mail is stored
// durably: the message is marked (or moved) right after, and is not offered
// again. It may see a message twice (see the package documentation) and
// must deduplicate, by Message-ID.
type Handler interface {
	Deliver(ctx context.Context, d Delivery) error
}

// HandlerFunc adapts a function to Handler.
type HandlerFunc func(ctx context.Context, d Delivery) error

func (f HandlerFunc) Deliver(ctx context.Context, d Delivery) error { return f(ctx, d) }

// Stats counts what one PollOnce did.
type Stats struct {
	Delivered int // stored by the handler and marked
	Skipped   int // left unmarked on the server: over twice MaxMessageSize
}

// DeliverError is a round's result when the handler did not store a
// message: it stays unmarked and is offered again next round.
type DeliverError struct {
	UID uint32
	Err error
}

func (e *DeliverError) Error() string {
	return fmt.Sprintf("mailpoll: desk did not store UID %d (left on the server for the next round): %v", e.UID, e.Err)
}

func (e *DeliverError) Unwrap() error { return e.Err }

// LoginError is a refused login; it names the user, never the password.
type LoginError struct {
	Username string
	Err      error
}

func (e *LoginError) Error() string {
	return fmt.Sprintf("mailpoll: IMAP login as %q refused: %v", e.Username, e.Err)
}

func (e *LoginError) Unwrap() error { return e.Err }

var errConnLost = errors.New("mailpoll: connection to the IMAP server lost")

// Poller takes mail from one IMAP mailbox and hands it to a Handler.
type Poller struct {
	cfg Config
	h   Handler
	log *slog.Logger

	backoff0   time.Duration // first reconnect delay; shorter in tests
	noIdle     bool          // tests: behave as if the server had no IDLE
	warnedSeen atomic.Bool
}

// New checks cfg and returns a Poller; nothing is connected yet.
func New(cfg Config, h Handler) (*Poller, error) {
	if h == nil {
		return nil, errors.New("mailpoll: handler is nil")
	}
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	return &Poller{
		cfg:      cfg,
		h:        h,
		backoff0: min(firstBackoff, cfg.MaxBackoff),
		log:      cfg.Logger.With("imap", cfg.Addr, "user", cfg.Username, "mailbox", cfg.Mailbox),
	}, nil
}

// Run polls until ctx is done, then logs out and returns nil. Lost
// connections, refused logins and handler errors are logged and retried
// with a backoff from 1 s doubling to MaxBackoff, back to 1 s after a
// round that went through.
func (p *Poller) Run(ctx context.Context) error {
	delay := p.backoff0
	for {
		var st Stats
		p.session(ctx, &st, true, func() { delay = p.backoff0 })
		if ctx.Err() != nil {
			p.log.Info("IMAP poller stopped")
			return nil
		}
		p.log.Info("IMAP poller reconnecting", "in", delay)
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			p.log.Info("IMAP poller stopped")
			return nil
		case <-t.C:
		}
		delay = min(delay*2, p.cfg.MaxBackoff)
	}
}

// PollOnce connects, hands on everything waiting and logs out. The Stats
// count what was done also when an error stopped the round.
func (p *Poller) PollOnce(ctx context.Context) (Stats, error) {
	var st Stats
	err := p.session(ctx, &st, false, func() {})
	return st, err
}

// session runs rounds on one connection: one, or (loop) until an error or
// ctx ends it, waiting for new mail in between. It logs its error, if any.
func (p *Poller) session(ctx context.Context, st *Stats, loop bool, roundOK func()) (err error) {
	defer func() {
		var le *LoginError
		switch {
		case err == nil || ctx.Err() != nil:
		case errors.As(err, &le):
			p.log.Error("IMAP login refused: check the mailbox user and password", "err", err)
		default:
			p.log.Error("IMAP poll failed", "err", err)
		}
	}()
	c, wake, keywords, err := p.connect(ctx)
	if err != nil {
		return err
	}
	defer p.logout(c)
	for {
		if err := p.round(ctx, c, keywords, st); err != nil {
			return err
		}
		roundOK()
		if !loop {
			return nil
		}
		if err := p.wait(ctx, c, wake); err != nil {
			return err
		}
	}
}

// connect dials, secures, logs in and selects the mailbox. keywords says
// whether the mailbox keeps StoredFlag; without, \Seen has to do.
func (p *Poller) connect(ctx context.Context) (c *imapclient.Client, wake <-chan struct{}, keywords bool, err error) {
	host, _, _ := net.SplitHostPort(p.cfg.Addr)
	tlsCfg := new(tls.Config)
	if p.cfg.TLSConfig != nil {
		tlsCfg = p.cfg.TLSConfig.Clone()
	}
	if tlsCfg.ServerName == "" {
		tlsCfg.ServerName = host
	}

	// EXISTS during IDLE means new mail; the handler must not block the
	// client, so it only leaves a note.
	wakeCh := make(chan struct{}, 1)
	opts := &imapclient.Options{
		UnilateralDataHandler: &imapclient.UnilateralDataHandler{
			Mailbox: func(d *imapclient.UnilateralDataMailbox) {
				if d.NumMessages != nil {
					select {
					case wakeCh <- struct{}{}:
					default:
					}
				}
			},
		},
	}

	d := net.Dialer{Timeout: dialTimeout}
	conn, err := d.DialContext(ctx, "tcp", p.cfg.Addr)
	if err != nil {
		return nil, nil, false, fmt.Errorf("mailpoll: connecting: %w", err)
	}
	// Until the mailbox is selected every step waits on the server;
	// closing the connection is what makes them give up when ctx ends.
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()

	switch p.cfg.TLS {
	case ModeTLS:
		if tlsCfg.NextProtos == nil {
			tlsCfg.NextProtos = []string{"imap"}
		}
		tc := tls.Client(conn, tlsCfg)
		if err := tc.HandshakeContext(ctx); err != nil {
			conn.Close()
			return nil, nil, false, fmt.Errorf("mailpoll: TLS handshake: %w", err)
		}
		c = imapclient.New(tc, opts)
	case ModeSTARTTLS:
		opts.TLSConfig = tlsCfg
		if c, err = imapclient.NewStartTLS(conn, opts); err != nil {
			conn.Close()
			return nil, nil, false, fmt.Errorf("mailpoll: STARTTLS: %w", err)
		}
	default:
		c = imapclient.New(conn, opts)
	}
	fail := func(e error) (*imapclient.Client, <-chan struct{}, bool, error) {
		c.Close()
		if ctx.Err() != nil {
			return nil, nil, false, ctx.Err()
		}
		return nil, nil, false, e
	}
	if err := c.WaitGreeting(); err != nil {
		return fail(fmt.Errorf("mailpoll: greeting: %w", err))
	}
	if err := c.Login(p.cfg.Username, p.cfg.Password).Wait(); err != nil {
		var ie *imap.Error
		if errors.As(err, &ie) {
			return fail(&LoginError{Username: p.cfg.Username, Err: err})
		}
		return fail(fmt.Errorf("mailpoll: login: %w", err))
	}
	sel, err := c.Select(p.cfg.Mailbox, nil).Wait()
	if err != nil {
		return fail(fmt.Errorf("mailpoll: selecting mailbox %q: %w", p.cfg.Mailbox, err))
	}
	if !stop() {
		return fail(ctx.Err())
	}

	keywords = keywordsAllowed(sel.PermanentFlags)
	if !keywords && !p.warnedSeen.Swap(true) {
		p.log.Warn("IMAP mailbox keeps no keywords: falling back to taking unseen mail and marking it \\Seen; mail someone reads in a mail client before the desk polls is not taken")
	}
	return c, wakeCh, keywords, nil
}

// keywordsAllowed: a missing PERMANENTFLAGS means all flags can be
// stored (RFC 9051 7.1); otherwise \* or the keyword itself must be listed.
func keywordsAllowed(perm []imap.Flag) bool {
	if perm == nil {
		return true
	}
	for _, f := range perm {
		if f == imap.FlagWildcard || strings.EqualFold(string(f), string(StoredFlag)) {
			return true
		}
	}
	return false
}

// round hands on every waiting message in UID order and marks each once
// the handler has stored it. A handler error ends the round there, so
// mail is never stored out of order.
func (p *Poller) round(ctx context.Context, c *imapclient.Client, keywords bool, st *Stats) error {
	if keywords && p.cfg.MoveTo != "" {
		if err := p.moveLeftovers(c); err != nil {
			return err
		}
	}
	crit := &imap.SearchCriteria{NotFlag: []imap.Flag{StoredFlag, imap.FlagDeleted}}
	if !keywords {
		crit.NotFlag = []imap.Flag{imap.FlagSeen, imap.FlagDeleted}
	}
	data, err := c.UIDSearch(crit, nil).Wait()
	if err != nil {
		return fmt.Errorf("mailpoll: searching for new mail: %w", err)
	}
	uids := data.AllUIDs()
	if len(uids) == 0 {
		return nil
	}
	slices.Sort(uids)

	sizes := make(map[imap.UID]int64, len(uids))
	msgs, err := c.Fetch(imap.UIDSetNum(uids...), &imap.FetchOptions{UID: true, RFC822Size: true}).Collect()
	if err != nil {
		return fmt.Errorf("mailpoll: fetching sizes: %w", err)
	}
	for _, m := range msgs {
		sizes[m.UID] = m.RFC822Size
	}

	hardCap := 2 * p.cfg.MaxMessageSize
	delivered := 0
	defer func() {
		if delivered > 0 {
			p.log.Info("IMAP mail handed to the desk", "count", delivered)
		}
	}()
	for _, uid := range uids {
		if err := ctx.Err(); err != nil {
			return err
		}
		size, ok := sizes[uid]
		if !ok {
			continue // expunged meanwhile by another client
		}
		if size > hardCap {
			p.log.Error("IMAP message too large to take: left unmarked on the server", "uid", uint32(uid), "size", size, "limit", hardCap)
			st.Skipped++
			continue
		}
		raw, err := fetchRaw(c, uid, hardCap)
		if err != nil {
			return err
		}
		if raw == nil {
			continue // expunged meanwhile
		}
		if err := p.h.Deliver(ctx, Delivery{Raw: raw, Recipient: p.cfg.Recipient, Mailbox: p.cfg.Mailbox, UID: uint32(uid)}); err != nil {
			return &DeliverError{UID: uint32(uid), Err: err}
		}
		// The desk has it now. Should marking fail, it is offered again
		// and the desk's deduplication by Message-ID absorbs it.
		if err := p.mark(c, uid, keywords); err != nil {
			return fmt.Errorf("mailpoll: marking UID %d as stored (it will be offered again): %w", uid, err)
		}
		st.Delivered++
		delivered++
	}
	return nil
}

// fetchRaw fetches one message with BODY.PEEK[], which leaves \Seen
// alone: only storing the mail may mark it. nil means it is gone.
func fetchRaw(c *imapclient.Client, uid imap.UID, limit int64) ([]byte, error) {
	cmd := c.Fetch(imap.UIDSetNum(uid), &imap.FetchOptions{
		UID:         true,
		BodySection: []*imap.FetchItemBodySection{{Peek: true}},
	})
	defer cmd.Close()
	var raw []byte
	for msg := cmd.Next(); msg != nil; msg = cmd.Next() {
		for item := msg.Next(); item != nil; item = msg.Next() {
			bs, ok := item.(imapclient.FetchItemDataBodySection)
			if !ok || bs.Literal == nil {
				continue
			}
			b, err := io.ReadAll(io.LimitReader(bs.Literal, limit+1))
			if err != nil {
				return nil, fmt.Errorf("mailpoll: fetching UID %d: %w", uid, err)
			}
			if int64(len(b)) > limit {
				return nil, fmt.Errorf("mailpoll: UID %d is larger than its RFC822.SIZE said and over %d bytes", uid, limit)
			}
			raw = b
		}
	}
	if err := cmd.Close(); err != nil {
		return nil, fmt.Errorf("mailpoll: fetching UID %d: %w", uid, err)
	}
	return raw, nil
}

// mark records that the desk stored a message. The keyword goes on first
// even when moving: if the move fails, the message is not offered again,
// and moveLeftovers retries the move.
func (p *Poller) mark(c *imapclient.Client, uid imap.UID, keywords bool) error {
	flags := []imap.Flag{StoredFlag, imap.FlagSeen}
	if !keywords {
		flags = []imap.Flag{imap.FlagSeen}
	}
	set := imap.UIDSetNum(uid)
	if err := c.Store(set, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: flags}, nil).Close(); err != nil {
		return err
	}
	if p.cfg.MoveTo == "" {
		return nil
	}
	if err := p.move(c, set); err != nil {
		return fmt.Errorf("moving to %q: %w", p.cfg.MoveTo, err)
	}
	return nil
}

// move moves messages to MoveTo: MOVE when offered, else COPY, then
// \Deleted and EXPUNGE once the copy is there. (imapclient's own fallback
// sends all three without waiting, so a failed COPY, say to a mailbox that
// does not exist, would still delete the message.) Without UIDPLUS the
// EXPUNGE is a plain one and also removes other messages someone marked
// \Deleted.
func (p *Poller) move(c *imapclient.Client, set imap.UIDSet) error {
	if c.Caps().Has(imap.CapMove) {
		_, err := c.Move(set, p.cfg.MoveTo).Wait()
		return err
	}
	if _, err := c.Copy(set, p.cfg.MoveTo).Wait(); err != nil {
		return err
	}
	if err := c.Store(set, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagDeleted}}, nil).Close(); err != nil {
		return err
	}
	if c.Caps().Has(imap.CapUIDPlus) {
		return c.UIDExpunge(set).Close()
	}
	return c.Expunge().Close()
}

// moveLeftovers moves messages stored earlier whose move failed. Only with
// keywords: in \Seen mode a seen message may just have been read by a
// person and was never stored.
func (p *Poller) moveLeftovers(c *imapclient.Client) error {
	data, err := c.UIDSearch(&imap.SearchCriteria{Flag: []imap.Flag{StoredFlag}, NotFlag: []imap.Flag{imap.FlagDeleted}}, nil).Wait()
	if err != nil {
		return fmt.Errorf("mailpoll: searching for stored mail not yet moved: %w", err)
	}
	uids := data.AllUIDs()
	if len(uids) == 0 {
		return nil
	}
	p.log.Info("IMAP moving mail stored earlier", "count", len(uids), "to", p.cfg.MoveTo)
	if err := p.move(c, imap.UIDSetNum(uids...)); err != nil {
		return fmt.Errorf("mailpoll: moving stored mail to %q: %w", p.cfg.MoveTo, err)
	}
	return nil
}

// wait returns when there may be new mail: on EXISTS during IDLE, after
// IdleRefresh, or after Interval when the server has no IDLE.
func (p *Poller) wait(ctx context.Context, c *imapclient.Client, wake <-chan struct{}) error {
	if p.noIdle || !c.Caps().Has(imap.CapIdle) {
		t := time.NewTimer(p.cfg.Interval)
		defer t.Stop()
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-c.Closed():
			return errConnLost
		case <-t.C:
			return nil
		}
	}
	idle, err := c.Idle()
	if err != nil {
		return fmt.Errorf("mailpoll: IDLE: %w", err)
	}
	t := time.NewTimer(p.cfg.IdleRefresh)
	defer t.Stop()
	var cause error
	select {
	case <-ctx.Done():
		cause = ctx.Err()
	case <-c.Closed():
		cause = errConnLost
	case <-wake:
	case <-t.C:
	}
	err = within(byeTimeout, func() error {
		if err := idle.Close(); err != nil {
			return err
		}
		return idle.Wait()
	})
	if cause != nil {
		return cause
	}
	if err != nil {
		return fmt.Errorf("mailpoll: ending IDLE: %w", err)
	}
	return nil
}

// logout says goodbye when the server still listens, then closes.
func (p *Poller) logout(c *imapclient.Client) {
	select {
	case <-c.Closed():
	default:
		if err := within(byeTimeout, func() error { return c.Logout().Wait() }); err != nil {
			p.log.Debug("IMAP logout", "err", err)
		}
	}
	c.Close()
}

// within runs f, giving up on it after d; the caller then closes the
// connection, which ends f.
func within(d time.Duration, f func() error) error {
	done := make(chan error, 1)
	go func() { done <- f() }()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case err := <-done:
		return err
	case <-t.C:
		return errors.New("mailpoll: the IMAP server did not answer in time")
	}
}
