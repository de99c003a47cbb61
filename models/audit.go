package models

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// MinAuditKeyLen is the shortest audit key accepted, in bytes.
const MinAuditKeyLen = 32

// AuditKey is a secret that history hashes and checkpoints are keyed with.
// It lives outside the database (a file or the environment), so whoever
// can rewrite the tables cannot compute a valid hash for what they wrote.
type AuditKey struct {
	// ID names the key in every entry and checkpoint it hashed. It is
	// derived from the secret (an HMAC of a fixed text), so it reveals
	// nothing of it and two different keys never share an ID.
	ID     string
	secret []byte
}

// NewAuditKey makes a key of secret, which must be at least MinAuditKeyLen
// random bytes.
func NewAuditKey(secret []byte) (AuditKey, error) {
	if len(secret) < MinAuditKeyLen {
		return AuditKey{}, fmt.Errorf("an audit key must be at least %d bytes, this one has %d", MinAuditKeyLen, len(secret))
	}
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("kizdesk audit key id"))
	return AuditKey{ID: hex.EncodeToString(m.Sum(nil))[:16], secret: secret}, nil
}

// sum is the HMAC-SHA256 of label and msg under the key, hex-encoded. The
// label keeps an entry's hash from ever passing for a checkpoint's and the
// other way round.
func (k AuditKey) sum(label string, msg []byte) string {
	m := hmac.New(sha256.New, k.secret)
	m.Write([]byte(label))
	m.Write([]byte{0})
	m.Write(msg)
	return hex.EncodeToString(m.Sum(nil))
}

// AuditKeys is a key ring: the first key is the current one, which writes;
// every key verifies, so entries and checkpoints written under an older key
// still check out after a rotation.
type AuditKeys []AuditKey

// Current is the key new entries and checkpoints are written with; the
// zero key if the ring is empty.
func (r AuditKeys) Current() AuditKey {
	if len(r) == 0 {
		return AuditKey{}
	}
	return r[0]
}

// ByID finds a key of the ring.
func (r AuditKeys) ByID(id string) (AuditKey, bool) {
	for _, k := range r {
		if k.ID == id {
			return k, true
		}
	}
	return AuditKey{}, false
}

// ParseAuditKeys reads a key ring: base64-encoded keys (the standard
// alphabet, as `openssl rand -base64 32` prints them; padding may be left
// off) separated by white space, newlines or commas,
// the current key first. A '#' starts a comment that runs to the end of
// the line. Each key must decode to at least MinAuditKeyLen bytes.
func ParseAuditKeys(text string) (AuditKeys, error) {
	var ring AuditKeys
	for _, line := range strings.Split(text, "\n") {
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		for _, field := range strings.FieldsFunc(line, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\r' }) {
			secret, err := decodeBase64(field)
			if err != nil {
				return nil, fmt.Errorf("key %d is not base64", len(ring)+1)
			}
			k, err := NewAuditKey(secret)
			if err != nil {
				return nil, fmt.Errorf("key %d: %w", len(ring)+1, err)
			}
			if _, dup := ring.ByID(k.ID); dup {
				return nil, fmt.Errorf("key %d appears twice", len(ring)+1)
			}
			ring = append(ring, k)
		}
	}
	if len(ring) == 0 {
		return nil, errors.New("no key in it")
	}
	return ring, nil
}

func decodeBase64(s string) ([]byte, error) {
	var err error
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding} {
		var b []byte
		if b, err = enc.DecodeString(s); err == nil {
			return b, nil
		}
	}
	return nil, err
}

// HistoryHash is the HMAC-SHA256, under key, of a history entry's content,
// the article it added (if any), the previous entry's hash and the key's
// ID. The ticket and sequence are part of it, so an entry cannot be moved
// to another place either. Without the key nobody can compute it: whoever
// rewrites an entry and the hashes after it in the database alone is found
// by VerifyHistory.
func HistoryHash(key AuditKey, h HistoryEntry, a *Article) string {
	content := struct {
		TicketID  int64
		Seq       int
		Event     string
		ActorKind string
		ActorID   int64
		ActorName string
		ActorVia  string `json:",omitempty"`
		Field     string
		Old       string
		New       string
		At        string
		PrevHash  string
		KeyID     string
		Article   *articleContent `json:",omitempty"`
	}{h.TicketID, h.Seq, h.Event, h.ActorKind, h.ActorID, h.ActorName, h.ActorVia, h.Field, h.OldValue, h.NewValue,
		h.CreatedAt.UTC().Format(time.RFC3339Nano), h.PrevHash, key.ID, nil}
	if a != nil {
		content.Article = &articleContent{Kind: a.Kind, CustomerVisible: a.CustomerVisible, Author: a.Author, Subject: a.Subject,
			Body: a.Body, TimeMinutes: a.TimeMinutes}
		for _, f := range a.Files {
			content.Article.Files = append(content.Article.Files, fileContent{f.Seq, f.SHA256, f.Filename, f.ContentType, f.Size})
		}
	}
	b, _ := json.Marshal(content) // plain strings and numbers: cannot fail
	return key.sum("kizdesk history entry v2", b)
}

// articleContent is what the hash covers of an article. Fields added
// later are omitted while empty, so entries written before them hash as
// they did.
type articleContent struct {
	Kind            string
	CustomerVisible bool
	Author          string
	Subject         string
	Body            string
	TimeMinutes     int           `json:",omitzero"`
	Files           []fileContent `json:",omitempty"`
}

type fileContent struct {
	Seq         int
	SHA256      string
	Filename    string
	ContentType string
	Size        int64
}
