package mailpoll

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
)

var stored = []string{`$kizdeskstored`, `\seen`}

func newPoller(t *testing.T, cfg Config, h Handler) *Poller {
	t.Helper()
	p, err := New(cfg, h)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func pollOnce(t *testing.T, p *Poller) Stats {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	st, err := p.PollOnce(ctx)
	if err != nil {
		t.Fatalf("PollOnce: %v", err)
	}
	return st
}

// Three waiting messages reach the handler in UID order with the
// recipient, are marked afterwards, and are not taken a second time.
func TestPollOnceDeliversInOrderAndMarks(t *testing.T) {
	for _, tc := range []struct {
		name string
		mode Mode
		caps []imap.Cap
	}{
		{"tls", ModeTLS, nil},
		{"starttls", ModeSTARTTLS, nil},
		{"plain", ModePlain, nil},
		{"IMAP4rev2", ModeTLS, []imap.Cap{imap.CapIMAP4rev2, imap.CapIMAP4rev1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var opts []serverOpt
			if tc.caps != nil {
				opts = append(opts, withCaps(tc.caps...))
			}
			s := newTestServer(t, tc.mode, opts...)
			for i := 1; i <= 3; i++ {
				s.appendMail("INBOX", i)
			}
			// Fetching alone must not mark anything: check while the
			// handler holds the first message.
			rec := newRecorder()
			var during map[uint32][]string
			rec.fail = func(d Delivery) error {
				if d.UID == 1 {
					during = s.flags("INBOX")
				}
				return nil
			}
			p := newPoller(t, s.config(), rec)
			if st := pollOnce(t, p); st != (Stats{Delivered: 3}) {
				t.Fatalf("stats %+v, want 3 delivered", st)
			}
			if during == nil {
				t.Error("flags were not read during delivery")
			} else if len(during[1]) != 0 {
				t.Errorf("UID 1 had flags %v while the desk was storing it", during[1])
			}
			if got, want := rec.ids(), []string{"<m1@example.org>", "<m2@example.org>", "<m3@example.org>"}; !slices.Equal(got, want) {
				t.Errorf("delivered %v, want %v", got, want)
			}
			for i, d := range rec.got {
				if d.Recipient != testRcpt || d.Mailbox != "INBOX" || d.UID != uint32(i+1) {
					t.Errorf("delivery %d: recipient %q mailbox %q UID %d", i, d.Recipient, d.Mailbox, d.UID)
				}
				if string(d.Raw) != string(testMail(i+1)) {
					t.Errorf("delivery %d: raw differs from the stored message", i)
				}
			}
			for uid, fl := range s.flags("INBOX") {
				if !slices.Equal(fl, stored) {
					t.Errorf("UID %d flags %v, want %v", uid, fl, stored)
				}
			}
			if st := pollOnce(t, p); st != (Stats{}) {
				t.Errorf("second poll: %+v, want nothing", st)
			}
			if len(rec.ids()) != 3 {
				t.Errorf("second poll delivered again: %v", rec.ids())
			}
		})
	}
}

// With MoveTo, stored mail ends up in the target, the source empties:
// with MOVE (IMAP4rev2) and with the COPY/STORE/EXPUNGE fallback.
func TestMoveTo(t *testing.T) {
	for _, tc := range []struct {
		name string
		caps []imap.Cap
	}{
		{"MOVE", []imap.Cap{imap.CapIMAP4rev1, imap.CapMove, imap.CapUIDPlus}},
		{"COPY fallback", []imap.Cap{imap.CapIMAP4rev1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newTestServer(t, ModeTLS, withCaps(tc.caps...))
			if err := s.user.Create("Processed", nil); err != nil {
				t.Fatal(err)
			}
			for i := 1; i <= 3; i++ {
				s.appendMail("INBOX", i)
			}
			rec := newRecorder()
			cfg := s.config()
			cfg.MoveTo = "Processed"
			p := newPoller(t, cfg, rec)
			if st := pollOnce(t, p); st.Delivered != 3 {
				t.Fatalf("stats %+v", st)
			}
			if src := s.flags("INBOX"); len(src) != 0 {
				t.Errorf("INBOX still holds %v", src)
			}
			dst := s.flags("Processed")
			if len(dst) != 3 {
				t.Fatalf("Processed holds %d messages, want 3", len(dst))
			}
			for uid, fl := range dst {
				if !slices.Equal(fl, stored) {
					t.Errorf("moved UID %d flags %v, want %v", uid, fl, stored)
				}
			}
			if st := pollOnce(t, p); st != (Stats{}) {
				t.Errorf("second poll: %+v", st)
			}
		})
	}
}

// A move that fails leaves the message where it was, flagged (it is
// stored), and a later round completes the move once the target exists,
// without delivering again. Without MOVE this needs the COPY to have
// worked before \Deleted and EXPUNGE are sent.
func TestMoveRetriedWithoutRedelivery(t *testing.T) {
	for _, tc := range []struct {
		name string
		caps []imap.Cap
	}{
		{"MOVE", []imap.Cap{imap.CapIMAP4rev1, imap.CapMove, imap.CapUIDPlus}},
		{"COPY fallback", []imap.Cap{imap.CapIMAP4rev1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newTestServer(t, ModeTLS, withCaps(tc.caps...))
			s.appendMail("INBOX", 1)
			rec := newRecorder()
			cfg := s.config()
			cfg.MoveTo = "Processed"
			p := newPoller(t, cfg, rec)
			if _, err := p.PollOnce(context.Background()); err == nil || !strings.Contains(err.Error(), "Processed") {
				t.Fatalf("PollOnce with missing target: %v", err)
			}
			if fl, ok := s.flags("INBOX")[1]; !ok || !slices.Equal(fl, stored) {
				t.Fatalf("after the failed move: present %v, flags %v, want %v", ok, fl, stored)
			}
			if err := s.user.Create("Processed", nil); err != nil {
				t.Fatal(err)
			}
			pollOnce(t, p)
			if len(s.flags("INBOX")) != 0 || len(s.flags("Processed")) != 1 {
				t.Errorf("not moved: INBOX %v Processed %v", s.flags("INBOX"), s.flags("Processed"))
			}
			if len(rec.ids()) != 1 {
				t.Errorf("delivered %v, want once", rec.ids())
			}
		})
	}
}

// Mail a person already read (\Seen) but the desk never stored is still
// taken; mail marked \Deleted is not.
func TestSeenButNotStoredIsTaken(t *testing.T) {
	s := newTestServer(t, ModeTLS)
	s.appendMail("INBOX", 1, imap.FlagSeen)
	s.appendMail("INBOX", 2, imap.FlagDeleted)
	rec := newRecorder()
	p := newPoller(t, s.config(), rec)
	if st := pollOnce(t, p); st.Delivered != 1 {
		t.Fatalf("stats %+v", st)
	}
	if got := rec.ids(); !slices.Equal(got, []string{"<m1@example.org>"}) {
		t.Errorf("delivered %v", got)
	}
}

// A handler error on the second message: the first is marked, the second
// and third are untouched, and the next round takes them in order.
func TestHandlerErrorKeepsOrder(t *testing.T) {
	s := newTestServer(t, ModeTLS)
	for i := 1; i <= 3; i++ {
		s.appendMail("INBOX", i)
	}
	rec := newRecorder()
	down := errors.New("database down")
	rec.fail = func(d Delivery) error {
		if d.UID == 2 {
			return down
		}
		return nil
	}
	var logs syncBuffer
	cfg := s.config()
	cfg.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	p := newPoller(t, cfg, rec)
	st, err := p.PollOnce(context.Background())
	var de *DeliverError
	if !errors.As(err, &de) || de.UID != 2 || !errors.Is(err, down) {
		t.Fatalf("PollOnce error %v, want DeliverError for UID 2", err)
	}
	if st.Delivered != 1 {
		t.Errorf("stats %+v", st)
	}
	if !strings.Contains(logs.String(), "UID 2") {
		t.Errorf("log does not name UID 2:\n%s", logs.String())
	}
	fl := s.flags("INBOX")
	if !slices.Equal(fl[1], stored) || len(fl[2]) != 0 || len(fl[3]) != 0 {
		t.Errorf("flags after failure %v", fl)
	}

	rec.setFail(nil)
	if st := pollOnce(t, p); st.Delivered != 2 {
		t.Errorf("second round %+v", st)
	}
	if got, want := rec.ids(), []string{"<m1@example.org>", "<m2@example.org>", "<m3@example.org>"}; !slices.Equal(got, want) {
		t.Errorf("delivered %v, want %v", got, want)
	}
}

// noKeywords is a session whose mailboxes keep only system flags.
type noKeywords struct{ imapserver.Session }

func (s noKeywords) Select(name string, o *imap.SelectOptions) (*imap.SelectData, error) {
	d, err := s.Session.Select(name, o)
	if err == nil {
		d.PermanentFlags = []imap.Flag{imap.FlagSeen, imap.FlagDeleted}
	}
	return d, err
}

// Without keywords the poller takes unseen mail, marks it \Seen, and says
// so in the log once.
func TestFallbackToSeenWithoutKeywords(t *testing.T) {
	s := newTestServer(t, ModeTLS, withSession(func(sess imapserver.Session) imapserver.Session { return noKeywords{sess} }))
	s.appendMail("INBOX", 1)
	s.appendMail("INBOX", 2, imap.FlagSeen)
	var logs syncBuffer
	cfg := s.config()
	cfg.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	rec := newRecorder()
	p := newPoller(t, cfg, rec)
	pollOnce(t, p)
	pollOnce(t, p)
	if got := rec.ids(); !slices.Equal(got, []string{"<m1@example.org>"}) {
		t.Errorf("delivered %v", got)
	}
	if fl := s.flags("INBOX")[1]; !slices.Equal(fl, []string{`\seen`}) {
		t.Errorf("flags %v, want only \\Seen", fl)
	}
	if n := strings.Count(logs.String(), "no keywords"); n != 1 {
		t.Errorf("fallback logged %d times, want once:\n%s", n, logs.String())
	}
}

// Larger than MaxMessageSize is still handed on; over twice that is left
// unmarked and counted as skipped, without blocking later mail.
func TestSizeLimit(t *testing.T) {
	s := newTestServer(t, ModeTLS)
	small := int64(len(testMail(1)))
	s.appendMail("INBOX", 1)
	huge := append(testMail(2), strings.Repeat("x", int(2*small))...)
	s.appendRaw("INBOX", huge)
	s.appendMail("INBOX", 3)
	rec := newRecorder()
	cfg := s.config()
	cfg.MaxMessageSize = small - 1 // every mail is "large", the second is over the cap
	p := newPoller(t, cfg, rec)
	if st := pollOnce(t, p); st != (Stats{Delivered: 2, Skipped: 1}) {
		t.Errorf("stats %+v", st)
	}
	if got := rec.ids(); !slices.Equal(got, []string{"<m1@example.org>", "<m3@example.org>"}) {
		t.Errorf("delivered %v", got)
	}
	if fl := s.flags("INBOX")[2]; len(fl) != 0 {
		t.Errorf("skipped message was marked: %v", fl)
	}
}
