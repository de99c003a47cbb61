package models

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"time"
)

// HistoryHash is the SHA-256 over a history entry's content, the article it
// added (if any) and the previous entry's hash. The ticket and sequence are
// part of it, so an entry cannot be moved to another place either.
func HistoryHash(h HistoryEntry, a *Article) string {
	content := struct {
		TicketID  int64
		Seq       int
		Event     string
		ActorKind string
		ActorID   int64
		ActorName string
		Field     string
		Old       string
		New       string
		At        string
		PrevHash  string
		Article   *articleContent `json:",omitempty"`
	}{h.TicketID, h.Seq, h.Event, h.ActorKind, h.ActorID, h.ActorName, h.Field, h.OldValue, h.NewValue,
		h.CreatedAt.UTC().Format(time.RFC3339Nano), h.PrevHash, nil}
	if a != nil {
		content.Article = &articleContent{a.Kind, a.CustomerVisible, a.Author, a.Subject, a.Body}
	}
	b, _ := json.Marshal(content) // plain strings and numbers: cannot fail
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

type articleContent struct {
	Kind            string
	CustomerVisible bool
	Author          string
	Subject         string
	Body            string
}
