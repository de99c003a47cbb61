package models

import (
	"cmp"
	"context"
	"crypto/hmac"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"
)

// A checkpoint is a signed list of every ticket's chain head, written to a
// directory outside the database (KIZDESK_AUDIT_DIR). The database only
// grows, so a ticket in a checkpoint must still exist later, reach at least
// the checkpointed entry and have the same hash there: CheckAnchors tells
// where it does not. Checkpoints are signed with the audit key (HMAC), the
// same secret that keys the chain: whoever holds it can forge the chain
// already, so a second signing key would add a secret to guard without
// raising the bar, and verifying the chain needs the key anyway.
//
// The file is JSON: the checkpoint itself, kept byte for byte as signed,
// the ID of the key and the HMAC over those bytes.

// CheckpointTicket is one ticket's chain head in a checkpoint.
type CheckpointTicket struct {
	TenantID int64  `json:"tenant"`
	Number   string `json:"number"`
	Seq      int    `json:"seq"`  // the ticket's last history entry
	Head     string `json:"head"` // its hash; "" if the entry was missing when the checkpoint was written
}

// Checkpoint is every ticket's chain head at one moment.
type Checkpoint struct {
	Written time.Time          `json:"written"`
	Tickets []CheckpointTicket `json:"tickets"`
}

// checkpointFile is a checkpoint as stored.
type checkpointFile struct {
	Format     string          `json:"format"`
	KeyID      string          `json:"key_id"`
	MAC        string          `json:"mac"`
	Checkpoint json.RawMessage `json:"checkpoint"`
}

const (
	checkpointFormat = "kizdesk-audit-checkpoint/1"
	checkpointLabel  = "kizdesk checkpoint v1"
	checkpointPrefix = "checkpoint-"
	checkpointSuffix = ".json"
	// checkpointTime makes file names that sort in time order.
	checkpointTime = "20060102T150405.000000000Z"
)

// ChainHeads reads every ticket's tenant, number, last entry and that
// entry's hash, in one read-only snapshot.
func ChainHeads(ctx context.Context, db *gorm.DB) ([]CheckpointTicket, error) {
	var out []CheckpointTicket
	var opts []*sql.TxOptions
	if db.Dialector.Name() == "postgres" {
		opts = append(opts, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	}
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var after int64
		for {
			var batch []struct {
				ID       int64
				TenantID int64
				Number   string
				LastSeq  int
				Hash     *string
			}
			err := tx.Raw(`SELECT t.id AS id, t.tenant_id AS tenant_id, t.number AS number, t.last_seq AS last_seq, h.hash AS hash
				FROM tickets t LEFT JOIN ticket_history h ON h.ticket_id = t.id AND h.seq = t.last_seq
				WHERE t.id > ? AND t.last_seq > 0 ORDER BY t.id LIMIT ?`, after, auditBatch).Scan(&batch).Error
			if err != nil {
				return fmt.Errorf("read chain heads: %w", err)
			}
			for _, r := range batch {
				t := CheckpointTicket{TenantID: r.TenantID, Number: r.Number, Seq: r.LastSeq}
				if r.Hash != nil {
					t.Head = *r.Hash
				}
				out = append(out, t)
				after = r.ID
			}
			if len(batch) < auditBatch {
				return nil
			}
		}
	}, opts...)
	return out, err
}

// SignCheckpoint encodes cp as a checkpoint file signed with key.
func SignCheckpoint(cp Checkpoint, key AuditKey) ([]byte, error) {
	if key.ID == "" {
		return nil, errors.New("sign checkpoint: no audit key")
	}
	body, err := json.Marshal(cp)
	if err != nil {
		return nil, fmt.Errorf("sign checkpoint: %w", err)
	}
	// Compact, like body: indenting would change the signed bytes.
	return json.Marshal(checkpointFile{Format: checkpointFormat, KeyID: key.ID,
		MAC: key.sum(checkpointLabel, body), Checkpoint: body})
}

// OpenCheckpoint checks a checkpoint file's signature with the ring and
// decodes it. The error says why a file does not pass.
func OpenCheckpoint(data []byte, keys AuditKeys) (Checkpoint, error) {
	var f checkpointFile
	if err := json.Unmarshal(data, &f); err != nil || f.Format != checkpointFormat {
		return Checkpoint{}, errors.New("not a kizdesk checkpoint")
	}
	key, ok := keys.ByID(f.KeyID)
	if !ok {
		return Checkpoint{}, fmt.Errorf("signed with audit key %q, which is not in the key ring", f.KeyID)
	}
	// json.RawMessage keeps the bytes as they are in the file.
	if !hmac.Equal([]byte(key.sum(checkpointLabel, f.Checkpoint)), []byte(f.MAC)) {
		return Checkpoint{}, errors.New("its signature does not match its content: forged or changed")
	}
	var cp Checkpoint
	if err := json.Unmarshal(f.Checkpoint, &cp); err != nil {
		return Checkpoint{}, fmt.Errorf("signed, but unreadable: %w", err)
	}
	return cp, nil
}

// CheckpointWritten tells what WriteCheckpoint wrote.
type CheckpointWritten struct {
	Path    string
	Tickets int
	// Carried are tickets taken over from the previous checkpoint because
	// the database has them no more, shorter, with another hash at the
	// same entry or under another tenant: a checkpoint never forgets what an earlier one recorded,
	// so the evidence outlives the files that are pruned.
	Carried []string
	Pruned  int // older checkpoint files removed
}

// WriteCheckpoint writes a checkpoint of the database's chain heads to
// dir, signed with the ring's current key, and keeps the newest keep
// checkpoint files. A ticket of the newest valid checkpoint that the
// database lacks now, has with fewer entries, with another hash at the
// same entry or under another tenant is carried over as it was.
func WriteCheckpoint(ctx context.Context, db *gorm.DB, dir string, keys AuditKeys, keep int, now time.Time) (CheckpointWritten, error) {
	var w CheckpointWritten
	if keep < 1 {
		return w, fmt.Errorf("write checkpoint: keep %d files? at least 1", keep)
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return w, fmt.Errorf("write checkpoint: %w", err)
	}
	heads, err := ChainHeads(ctx, db)
	if err != nil {
		return w, fmt.Errorf("write checkpoint: %w", err)
	}
	files, err := checkpointFiles(dir)
	if err != nil {
		return w, fmt.Errorf("write checkpoint: %w", err)
	}
	if prev, ok := newestValid(dir, files, keys); ok {
		have := make(map[string]int, len(heads))
		for i, h := range heads {
			have[h.Number] = i
		}
		for _, p := range prev.Tickets {
			i, ok := have[p.Number]
			switch {
			case !ok:
				heads = append(heads, p)
			case heads[i].Seq < p.Seq || (heads[i].Seq == p.Seq && heads[i].Head != p.Head) || heads[i].TenantID != p.TenantID:
				heads[i] = p
			default:
				continue
			}
			w.Carried = append(w.Carried, p.Number)
		}
	}
	slices.SortFunc(heads, func(a, b CheckpointTicket) int {
		return cmp.Or(cmp.Compare(a.TenantID, b.TenantID), cmp.Compare(a.Number, b.Number))
	})
	data, err := SignCheckpoint(Checkpoint{Written: now.UTC(), Tickets: heads}, keys.Current())
	if err != nil {
		return w, err
	}
	name := checkpointPrefix + now.UTC().Format(checkpointTime) + checkpointSuffix
	w.Path, w.Tickets = filepath.Join(dir, name), len(heads)
	if err := writeFileAtomic(dir, name, data); err != nil {
		return w, fmt.Errorf("write checkpoint: %w", err)
	}
	files = append(files, name)
	slices.Sort(files)
	for _, old := range files[:max(0, len(files)-keep)] {
		if err := os.Remove(filepath.Join(dir, old)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return w, fmt.Errorf("prune checkpoints: %w", err)
		}
		w.Pruned++
	}
	return w, nil
}

// newestValid is the newest checkpoint in dir whose signature holds.
func newestValid(dir string, files []string, keys AuditKeys) (Checkpoint, bool) {
	for _, name := range slices.Backward(files) {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			continue
		}
		if cp, err := OpenCheckpoint(data, keys); err == nil {
			return cp, true
		}
	}
	return Checkpoint{}, false
}

// writeFileAtomic writes dir/name by way of a temporary file, so that a
// reader never sees half a checkpoint.
func writeFileAtomic(dir, name string, data []byte) error {
	tmp, err := os.CreateTemp(dir, "."+name+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // after the rename: nothing left to remove
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o640); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), filepath.Join(dir, name))
}

// checkpointFiles lists the checkpoint files in dir, oldest first.
func checkpointFiles(dir string) ([]string, error) {
	des, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, de := range des {
		if n := de.Name(); de.Type().IsRegular() && strings.HasPrefix(n, checkpointPrefix) && strings.HasSuffix(n, checkpointSuffix) {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	return names, nil
}

// LastCheckpoint is when the newest checkpoint in dir was written, by its
// file name; zero if there is none (or no dir).
func LastCheckpoint(dir string) time.Time {
	files, err := checkpointFiles(dir)
	if err != nil || len(files) == 0 {
		return time.Time{}
	}
	n := files[len(files)-1]
	t, err := time.Parse(checkpointTime, strings.TrimSuffix(strings.TrimPrefix(n, checkpointPrefix), checkpointSuffix))
	if err != nil {
		return time.Time{}
	}
	return t
}

// Checkpoints is what ReadCheckpoints found in a directory.
type Checkpoints struct {
	Files   int      // checkpoint files read
	Anchors []Anchor // from the files whose signature holds; the same record in several files once, named by the newest
	Bad     []BadCheckpoint
}

// BadCheckpoint is a checkpoint file that does not pass its check: it was
// forged or changed (or its key left the ring).
type BadCheckpoint struct {
	Path   string
	Reason string
}

func (b BadCheckpoint) String() string { return "checkpoint " + b.Path + ": tampered: " + b.Reason }

// ReadCheckpoints reads every checkpoint file in dir, newest first, and
// turns the tickets of those whose signature holds into anchors.
func ReadCheckpoints(dir string, keys AuditKeys) (Checkpoints, error) {
	var out Checkpoints
	files, err := checkpointFiles(dir)
	if err != nil {
		return out, fmt.Errorf("read checkpoints: %w", err)
	}
	seen := map[CheckpointTicket]bool{}
	for _, name := range slices.Backward(files) {
		path := filepath.Join(dir, name)
		data, err := os.ReadFile(path)
		if err != nil {
			return out, fmt.Errorf("read checkpoints: %w", err)
		}
		out.Files++
		cp, err := OpenCheckpoint(data, keys)
		if err != nil {
			out.Bad = append(out.Bad, BadCheckpoint{Path: path, Reason: err.Error()})
			continue
		}
		for _, t := range cp.Tickets {
			if seen[t] {
				continue
			}
			seen[t] = true
			out.Anchors = append(out.Anchors, Anchor{TenantID: t.TenantID, Number: t.Number, Seq: t.Seq, Head: t.Head,
				Source: name})
		}
	}
	slices.Reverse(out.Bad)
	return out, nil
}
