package models

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// AuditReport is what VerifyHistory found.
type AuditReport struct {
	Tickets int           // tickets checked
	Entries int           // history entries checked
	Broken  []BrokenChain // one per ticket whose chain is broken, in ticket order
	// Anonymised lists the anonymisations found in the chains, in ticket
	// order: what an auditor needs to follow the entries whose content
	// changed by design.
	Anonymised []AnonymisedTicket
}

// AnonymisedTicket is one Anonymised entry of a ticket's chain.
type AnonymisedTicket struct {
	Number  string
	Seq     int // the Anonymised entry
	At      time.Time
	Reason  string
	Mode    string
	Entries []int // the entries (seqs) it rewrote
	Files   int   // article files it removed
}

func (a AnonymisedTicket) String() string {
	return fmt.Sprintf("ticket %s: anonymised %s (%s, %s) by entry %d: %s rewritten %v, %d %s removed",
		a.Number, a.At.UTC().Format(time.RFC3339), a.Reason, a.Mode, a.Seq, plural(len(a.Entries), "entry", "entries"), a.Entries,
		a.Files, plural(a.Files, "file", "files"))
}

// Intact tells whether every chain checked out.
func (r AuditReport) Intact() bool { return len(r.Broken) == 0 }

// BrokenChain names the first broken entry of one ticket's history.
type BrokenChain struct {
	TicketID int64
	TenantID int64
	Number   string // the ticket's number; empty if the ticket row itself is gone
	Seq      int    // the first broken entry's sequence number
	EntryID  int64  // its row; 0 when the entry is missing
	Reason   string
}

func (b BrokenChain) String() string {
	ticket := "ticket " + b.Number
	if b.Number == "" {
		ticket = fmt.Sprintf("ticket id %d", b.TicketID)
	}
	entry := fmt.Sprintf("entry %d", b.Seq)
	if b.EntryID != 0 {
		entry += fmt.Sprintf(" (id %d)", b.EntryID)
	}
	return ticket + ": " + entry + ": " + b.Reason
}

// auditBatch is how many rows VerifyHistory reads at a time.
const auditBatch = 200

// VerifyHistory walks every ticket's history chain, of all tenants, and
// checks it against what was written: sequence numbers run 1..n without
// gaps, each entry links to the hash of the one before, each hash matches
// the entry's content and article as stored now under the key of the ring
// it names, and the chain ends where the ticket row says it does (a deleted
// tail shows up there, unless the ticket row was lowered too: CheckAnchors
// finds that). Articles that no history entry added are reported too: they
// are not covered by any hash. An entry without a key ID (the unkeyed
// SHA-256 of before) is reported: anyone could have computed its hash.
//
// It reads in bounded batches, all in one transaction that only reads (on
// PostgreSQL a repeatable-read snapshot), so that a desk working meanwhile
// does not look like tampering.
func VerifyHistory(ctx context.Context, db *gorm.DB, keys AuditKeys) (AuditReport, error) {
	var report AuditReport
	if len(keys) == 0 {
		return report, errors.New("verify history: no audit key")
	}
	var opts []*sql.TxOptions
	if db.Dialector.Name() == "postgres" {
		// One snapshot for the whole walk. (SQLite's read transaction is one.)
		opts = append(opts, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	}
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		strays, err := strayArticles(tx)
		if err != nil {
			return err
		}
		tickets := &ticketCursor{tx: tx}
		entries := &historyCursor{tx: tx}
		for {
			t, err := tickets.next()
			if err != nil {
				return err
			}
			// Entries of tickets before this one have no ticket row.
			if err := orphans(entries, t, &report); err != nil {
				return err
			}
			if t == nil {
				return nil
			}
			c := chain{ticket: *t, keys: keys}
			if t.AnonymisedAt != nil {
				if c.anon, err = anonymisations(tx, t, &report); err != nil {
					return err
				}
			}
			for {
				e, art, err := entries.peek()
				if err != nil {
					return err
				}
				if e == nil || e.TicketID != t.ID {
					break
				}
				report.Entries++
				c.add(e, art)
				entries.advance()
			}
			c.finish(strays[t.ID])
			report.Tickets++
			if c.broken != nil {
				report.Broken = append(report.Broken, *c.broken)
			}
		}
	}, opts...)
	if err != nil {
		return report, fmt.Errorf("verify history: %w", err)
	}
	return report, nil
}

// orphans reports history entries before ticket t (or all left, when t is
// nil) that belong to no ticket row: their ticket was deleted.
func orphans(entries *historyCursor, t *auditTicket, report *AuditReport) error {
	for {
		e, _, err := entries.peek()
		if err != nil {
			return err
		}
		if e == nil || (t != nil && e.TicketID >= t.ID) {
			return nil
		}
		n := len(report.Broken)
		if n == 0 || report.Broken[n-1].TicketID != e.TicketID {
			report.Broken = append(report.Broken, BrokenChain{TicketID: e.TicketID, Seq: e.Seq, EntryID: e.ID,
				Reason: "the ticket row is missing"})
		}
		report.Entries++
		entries.advance()
	}
}

// chain checks one ticket's entries as they come, in seq order, and keeps
// the first break.
type chain struct {
	ticket   auditTicket
	keys     AuditKeys
	n        int    // entries seen
	last     int    // seq of the last entry seen
	prevHash string // its hash
	afterEnd int64  // id of entry ticket.LastSeq+1, if there is one
	broken   *BrokenChain
	// anon holds, by seq, what the ticket's Anonymised entries recorded
	// about the entries they rewrote (the latest for each).
	anon map[int]anonRecord
}

// anonRecord is what an Anonymised entry (at Seq, under key KeyID)
// recorded about one entry it rewrote.
type anonRecord struct {
	AnonymisedEntry
	BySeq int
	KeyID string
}

// anonymisations reads the Anonymised entries of an anonymised ticket.
// What they say is only taken as far as they are themselves intact: each
// is checked as a link of the chain when the walk reaches it.
func anonymisations(tx *gorm.DB, t *auditTicket, report *AuditReport) (map[int]anonRecord, error) {
	var es []HistoryEntry
	if err := tx.Where("ticket_id = ? AND event = ?", t.ID, EventAnonymised).Order("seq, id").Find(&es).Error; err != nil {
		return nil, fmt.Errorf("read anonymisations of ticket %s: %w", t.Number, err)
	}
	out := map[int]anonRecord{}
	for _, e := range es {
		var a Anonymisation
		if err := json.Unmarshal([]byte(e.NewValue), &a); err != nil {
			// The entry's own hash check reports the change.
			continue
		}
		seen := AnonymisedTicket{Number: t.Number, Seq: e.Seq, At: e.CreatedAt, Reason: a.Reason, Mode: a.Mode}
		for _, x := range a.Entries {
			if x.Seq < e.Seq { // an anonymisation covers only what came before it
				out[x.Seq] = anonRecord{AnonymisedEntry: x, BySeq: e.Seq, KeyID: e.KeyID}
				seen.Entries = append(seen.Entries, x.Seq)
				seen.Files += x.Files
			}
		}
		report.Anonymised = append(report.Anonymised, seen)
	}
	return out, nil
}

func (c *chain) add(e *HistoryEntry, art *Article) {
	first := c.n == 0
	prevSeq, prevHash := c.last, c.prevHash
	c.n++
	c.last, c.prevHash = e.Seq, e.Hash
	if e.Seq == c.ticket.LastSeq+1 && c.afterEnd == 0 {
		c.afterEnd = e.ID
	}
	if c.broken != nil {
		return
	}
	switch {
	case first && e.Seq < 1:
		c.fail(e.Seq, e.ID, fmt.Sprintf("history starts at entry %d, not 1", e.Seq))
	case !first && e.Seq == prevSeq:
		c.fail(e.Seq, e.ID, fmt.Sprintf("entry %d appears twice", e.Seq))
	case first && e.Seq > 1:
		c.fail(1, 0, fmt.Sprintf("entry 1 missing (history starts at entry %d)", e.Seq))
	case e.Seq > prevSeq+1:
		c.fail(prevSeq+1, 0, fmt.Sprintf("entry %d missing (entry %d follows entry %d)", prevSeq+1, e.Seq, prevSeq))
	case first && e.PrevHash != "":
		c.fail(e.Seq, e.ID, fmt.Sprintf("previous-hash link broken: the first entry records a hash before it (%s)", short(e.PrevHash)))
	case e.PrevHash != prevHash:
		c.fail(e.Seq, e.ID, fmt.Sprintf("previous-hash link broken: it records %s as the hash before it, but entry %d's hash is %s",
			short(e.PrevHash), prevSeq, short(prevHash)))
	case e.ArticleID != nil && art == nil:
		c.fail(e.Seq, e.ID, fmt.Sprintf("its article (id %d) is missing", *e.ArticleID))
	case art != nil && (art.TicketID != e.TicketID || art.Seq != e.Seq):
		c.fail(e.Seq, e.ID, fmt.Sprintf("its article (id %d) belongs to entry %d of ticket id %d", art.ID, art.Seq, art.TicketID))
	case e.KeyID == "":
		c.fail(e.Seq, e.ID, "not keyed: its hash names no audit key, so anyone could have computed it "+
			"(written before history hashes were keyed, or re-hashed without the key)")
	case c.anon[e.Seq].BySeq != 0:
		// Rewritten by an anonymisation: the row keeps its hash, which
		// still links the chain, and the content must match what the
		// Anonymised entry recorded for it.
		rec := c.anon[e.Seq]
		key, ok := c.keys.ByID(rec.KeyID)
		switch {
		case !ok:
			c.fail(e.Seq, e.ID, fmt.Sprintf("anonymised by entry %d under audit key %s, which is not in the key ring", rec.BySeq, rec.KeyID))
		case rec.Old != e.Hash:
			c.fail(e.Seq, e.ID, fmt.Sprintf("hash changed: entry %d recorded %s as its hash when anonymising it, the row has %s",
				rec.BySeq, short(rec.Old), short(e.Hash)))
		case HistoryHash(key, *e, art) != rec.New:
			c.fail(e.Seq, e.ID, fmt.Sprintf("content changed after anonymisation: it does not match what entry %d recorded (%s)",
				rec.BySeq, short(rec.New)))
		}
	default:
		key, ok := c.keys.ByID(e.KeyID)
		if !ok {
			c.fail(e.Seq, e.ID, fmt.Sprintf("hashed with audit key %s, which is not in the key ring", e.KeyID))
		} else if want := HistoryHash(key, *e, art); want != e.Hash {
			c.fail(e.Seq, e.ID, fmt.Sprintf("content changed: stored hash %s does not match the entry and article as stored (%s under key %s)",
				short(e.Hash), short(want), key.ID))
		}
	}
}

// finish checks the chain's end against the ticket row, and takes the
// ticket's first article that no entry added (stray, zero if none) into
// account.
func (c *chain) finish(stray auditStray) {
	if c.broken == nil && c.last != c.ticket.LastSeq {
		switch {
		case c.n == 0:
			c.fail(1, 0, fmt.Sprintf("the ticket has no history but says it ends at %d", c.ticket.LastSeq))
		case c.last < c.ticket.LastSeq:
			c.fail(c.last+1, 0, fmt.Sprintf("history ends at %d but the ticket says %d", c.last, c.ticket.LastSeq))
		default:
			c.fail(c.ticket.LastSeq+1, c.afterEnd, fmt.Sprintf("history goes on to %d but the ticket says it ends at %d", c.last, c.ticket.LastSeq))
		}
	}
	if stray.TicketID != 0 && (c.broken == nil || stray.Seq < c.broken.Seq) {
		c.broken = nil
		c.fail(stray.Seq, 0, fmt.Sprintf("an article with seq %d that no history entry added", stray.Seq))
	}
}

func (c *chain) fail(seq int, id int64, reason string) {
	if c.broken == nil {
		c.broken = &BrokenChain{TicketID: c.ticket.ID, TenantID: c.ticket.TenantID, Number: c.ticket.Number,
			Seq: seq, EntryID: id, Reason: reason}
	}
}

func short(hash string) string {
	if hash == "" {
		return "none"
	}
	if len(hash) > 12 {
		return hash[:12] + "…"
	}
	return hash
}

type auditTicket struct {
	ID           int64
	TenantID     int64
	Number       string
	LastSeq      int
	AnonymisedAt *time.Time
}

// ticketCursor reads the tickets in id order, a batch at a time.
type ticketCursor struct {
	tx   *gorm.DB
	buf  []auditTicket
	pos  int
	done bool
}

func (c *ticketCursor) next() (*auditTicket, error) {
	if c.pos == len(c.buf) {
		if c.done {
			return nil, nil
		}
		q := c.tx.Model(&Ticket{}).Select("id, tenant_id, number, last_seq, anonymised_at").Order("id").Limit(auditBatch)
		if len(c.buf) > 0 {
			q = q.Where("id > ?", c.buf[len(c.buf)-1].ID)
		}
		var batch []auditTicket
		if err := q.Scan(&batch).Error; err != nil {
			return nil, fmt.Errorf("read tickets: %w", err)
		}
		c.done = len(batch) < auditBatch
		if len(batch) == 0 {
			return nil, nil
		}
		c.buf, c.pos = batch, 0
	}
	c.pos++
	return &c.buf[c.pos-1], nil
}

// historyCursor reads all history entries in (ticket_id, seq) order, a
// batch at a time, with the articles they added.
type historyCursor struct {
	tx       *gorm.DB
	buf      []HistoryEntry
	articles map[int64]*Article
	pos      int
	done     bool
}

// peek returns the next entry and its article without moving on; nil at the end.
func (c *historyCursor) peek() (*HistoryEntry, *Article, error) {
	if c.pos == len(c.buf) {
		if c.done {
			return nil, nil, nil
		}
		// Keyed on (ticket_id, seq, id) rather than an offset: each batch is
		// an index range scan, and duplicates of a seq are not skipped.
		q := c.tx.Order("ticket_id, seq, id").Limit(auditBatch)
		if len(c.buf) > 0 {
			l := c.buf[len(c.buf)-1]
			q = q.Where("ticket_id > ? OR (ticket_id = ? AND (seq > ? OR (seq = ? AND id > ?)))",
				l.TicketID, l.TicketID, l.Seq, l.Seq, l.ID)
		}
		var batch []HistoryEntry
		if err := q.Find(&batch).Error; err != nil {
			return nil, nil, fmt.Errorf("read history: %w", err)
		}
		c.done = len(batch) < auditBatch
		if len(batch) == 0 {
			return nil, nil, nil
		}
		var ids []int64
		for _, e := range batch {
			if e.ArticleID != nil {
				ids = append(ids, *e.ArticleID)
			}
		}
		c.articles = make(map[int64]*Article, len(ids))
		if len(ids) > 0 {
			var arts []Article
			if err := c.tx.Where("id IN ?", ids).Find(&arts).Error; err != nil {
				return nil, nil, fmt.Errorf("read articles: %w", err)
			}
			if err := LoadArticleFiles(c.tx, arts); err != nil {
				return nil, nil, err
			}
			for i := range arts {
				c.articles[arts[i].ID] = &arts[i]
			}
		}
		c.buf, c.pos = batch, 0
	}
	e := &c.buf[c.pos]
	if e.ArticleID == nil {
		return e, nil, nil
	}
	return e, c.articles[*e.ArticleID], nil
}

func (c *historyCursor) advance() { c.pos++ }

// auditStray is a ticket's first article that no history entry added.
type auditStray struct {
	TicketID int64
	Seq      int
}

// strayArticles finds, per ticket, the first article no history entry
// refers to. The projection writes an article only with its entry, so on an
// intact database there are none, and the map stays empty.
func strayArticles(tx *gorm.DB) (map[int64]auditStray, error) {
	var rows []auditStray
	err := tx.Raw(`SELECT a.ticket_id AS ticket_id, MIN(a.seq) AS seq
		FROM articles a LEFT JOIN ticket_history h ON h.article_id = a.id
		WHERE h.id IS NULL GROUP BY a.ticket_id`).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("find articles outside the history: %w", err)
	}
	out := make(map[int64]auditStray, len(rows))
	for _, r := range rows {
		out[r.TicketID] = r
	}
	return out, nil
}
