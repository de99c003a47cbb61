package models

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"gorm.io/gorm"
)

// An Anchor is what a record outside the database says about one ticket's
// history chain: that the ticket exists, under which tenant, that its
// history reached entry Seq and that entry Seq had hash Head. Checkpoint
// files and the ticket workflows in Temporal are such records. Because the
// database only ever grows, an intact one still agrees with every anchor
// later on: CheckAnchors finds where it does not.
type Anchor struct {
	TenantID int64
	Number   string
	Seq      int
	Head     string // "" if the record has no hash: then only existence and length are checked
	Source   string // where the anchor comes from, for the report: a checkpoint file, a workflow
}

// Tampering is the kind of change CheckAnchors found.
type Tampering string

const (
	// TicketDeleted: the ticket row is gone.
	TicketDeleted Tampering = "deleted"
	// TailCut: the ticket's history ends before the anchored entry.
	TailCut Tampering = "tail cut"
	// Rewritten: the anchored entry has another hash now, is missing
	// inside the chain, or the ticket moved to another tenant.
	Rewritten Tampering = "rewritten"
)

// AnchorFinding is a ticket where the database disagrees with an anchor.
type AnchorFinding struct {
	Kind     Tampering
	Anchor   Anchor // of the anchors that disagree in this way, the one that reaches furthest
	TicketID int64  // the row, 0 when deleted
	TenantID int64  // the ticket's tenant now
	LastSeq  int    // where its history ends now, by the ticket row
	Hash     string // for Rewritten: the entry's hash now, "" if the entry is missing
}

func (f AnchorFinding) String() string {
	a := f.Anchor
	var what string
	switch {
	case f.Kind == TicketDeleted:
		what = fmt.Sprintf("the database has no such ticket, but %s records it (tenant %d) with %d history %s",
			a.Source, a.TenantID, a.Seq, plural(a.Seq, "entry", "entries"))
	case f.Kind == TailCut:
		what = fmt.Sprintf("its history ends at entry %d, but %s records it up to entry %d", f.LastSeq, a.Source, a.Seq)
	case f.TenantID != a.TenantID:
		what = fmt.Sprintf("it belongs to tenant %d, but %s records tenant %d", f.TenantID, a.Source, a.TenantID)
	case f.Hash == "":
		what = fmt.Sprintf("entry %d is missing, but %s records it with hash %s", a.Seq, a.Source, short(a.Head))
	default:
		what = fmt.Sprintf("entry %d has hash %s, but %s records %s", a.Seq, short(f.Hash), a.Source, short(a.Head))
	}
	return fmt.Sprintf("ticket %s: %s: %s", a.Number, f.Kind, what)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// anchorBatch is how many tickets CheckAnchors looks up at a time.
const anchorBatch = 200

// CheckAnchors compares the database with anchors: a ticket that is gone is
// TicketDeleted, one whose history ends before the anchored entry is
// TailCut, and one whose anchored entry has another hash (or is missing,
// or whose tenant changed) is Rewritten. Each ticket is named at most once
// per kind, by the anchor that reaches furthest; the findings come in
// ticket number order. The chain between the anchors is VerifyHistory's
// part.
func CheckAnchors(ctx context.Context, db *gorm.DB, anchors []Anchor) ([]AnchorFinding, error) {
	byNumber := map[string][]Anchor{}
	for _, a := range anchors {
		byNumber[a.Number] = append(byNumber[a.Number], a)
	}
	numbers := make([]string, 0, len(byNumber))
	for n := range byNumber {
		numbers = append(numbers, n)
	}
	slices.Sort(numbers)

	var out []AnchorFinding
	var opts []*sql.TxOptions
	if db.Dialector.Name() == "postgres" {
		opts = append(opts, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	}
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		for len(numbers) > 0 {
			batch := numbers[:min(anchorBatch, len(numbers))]
			numbers = numbers[len(batch):]
			var rows []auditTicket
			if err := tx.Model(&Ticket{}).Select("id, tenant_id, number, last_seq").Where("number IN ?", batch).
				Scan(&rows).Error; err != nil {
				return fmt.Errorf("read tickets: %w", err)
			}
			tickets := map[string]auditTicket{}
			for _, r := range rows {
				tickets[r.Number] = r
			}
			hashes, err := anchoredHashes(tx, batch, tickets, byNumber)
			if err != nil {
				return err
			}
			for _, n := range batch {
				t, ok := tickets[n]
				found := map[Tampering]int{} // kind → index in out
				note := func(k Tampering, f AnchorFinding) {
					f.Kind = k
					if i, seen := found[k]; !seen {
						found[k] = len(out)
						out = append(out, f)
					} else if f.Anchor.Seq > out[i].Anchor.Seq {
						out[i] = f
					}
				}
				for _, a := range byNumber[n] {
					now := AnchorFinding{Anchor: a, TicketID: t.ID, TenantID: t.TenantID, LastSeq: t.LastSeq}
					switch {
					case !ok:
						note(TicketDeleted, AnchorFinding{Anchor: a})
					case t.LastSeq < a.Seq:
						note(TailCut, now)
					case t.TenantID != a.TenantID:
						note(Rewritten, now)
					case a.Head != "":
						hs := hashes[entryAt{t.ID, a.Seq}]
						if !slices.Contains(hs, a.Head) {
							if len(hs) > 0 {
								now.Hash = hs[0]
							}
							note(Rewritten, now)
						}
					}
				}
			}
		}
		return nil
	}, opts...)
	if err != nil {
		return nil, fmt.Errorf("check anchors: %w", err)
	}
	return out, nil
}

type entryAt struct {
	ticketID int64
	seq      int
}

// anchoredHashes reads the hashes of the entries that anchors of the batch
// name, where the ticket reaches them.
func anchoredHashes(tx *gorm.DB, batch []string, tickets map[string]auditTicket, byNumber map[string][]Anchor) (map[entryAt][]string, error) {
	var want []entryAt
	seen := map[entryAt]bool{}
	for _, n := range batch {
		t, ok := tickets[n]
		if !ok {
			continue
		}
		for _, a := range byNumber[n] {
			if e := (entryAt{t.ID, a.Seq}); a.Seq <= t.LastSeq && a.Head != "" && !seen[e] {
				seen[e] = true
				want = append(want, e)
			}
		}
	}
	hashes := map[entryAt][]string{}
	for len(want) > 0 {
		part := want[:min(anchorBatch, len(want))]
		want = want[len(part):]
		// (ticket_id, seq) IN (…) with a list is not SQLite: spelled out.
		cond := strings.Repeat(" OR (ticket_id = ? AND seq = ?)", len(part))[len(" OR "):]
		args := make([]any, 0, 2*len(part))
		for _, p := range part {
			args = append(args, p.ticketID, p.seq)
		}
		var es []struct {
			TicketID int64
			Seq      int
			Hash     string
		}
		if err := tx.Model(&HistoryEntry{}).Select("ticket_id, seq, hash").Where(cond, args...).Scan(&es).Error; err != nil {
			return nil, fmt.Errorf("read history: %w", err)
		}
		for _, e := range es {
			k := entryAt{e.TicketID, e.Seq}
			hashes[k] = append(hashes[k], e.Hash)
		}
	}
	return hashes, nil
}
