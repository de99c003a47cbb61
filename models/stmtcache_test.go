package models

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"
)

// notesDB is a SQLite database of its own with a table of notes.
func notesDB(t *testing.T) *gorm.DB {
	t.Helper()
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = Close(db) })
	if err := db.Exec("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)").Error; err != nil {
		t.Fatal(err)
	}
	return db
}

// TestStmtCacheInTransactions: a statement first run inside a transaction
// is prepared on the database once that transaction ends, and later
// transactions use it instead of preparing it again (what gorm's own
// PrepareStmt did for every projection).
func TestStmtCacheInTransactions(t *testing.T) {
	db := notesDB(t)
	cache := db.ConnPool.(*stmtCache)
	insert := "INSERT INTO notes (body) VALUES (?)"
	for i := range 3 {
		err := db.Transaction(func(tx *gorm.DB) error {
			if s, _ := cache.cached(insert); (s != nil) != (i > 0) {
				t.Errorf("transaction %d: statement cached before it = %v, want %v", i, s != nil, i > 0)
			}
			return tx.Exec(insert, "text").Error
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	var n int64
	if err := db.Raw("SELECT count(*) FROM notes").Scan(&n).Error; err != nil || n != 3 {
		t.Fatalf("count = %d, %v; want 3", n, err)
	}
	// A rolled-back transaction's work is gone, and the statement stays.
	_ = db.Transaction(func(tx *gorm.DB) error {
		if err := tx.Exec(insert, "gone").Error; err != nil {
			return err
		}
		return sql.ErrNoRows
	})
	if err := db.Raw("SELECT count(*) FROM notes").Scan(&n).Error; err != nil || n != 3 {
		t.Fatalf("after rollback count = %d, %v; want 3", n, err)
	}
	// A statement the database refuses reports its error, in and out of a
	// transaction, and is not cached.
	bad := "INSERT INTO nowhere (body) VALUES (?)"
	if err := db.Exec(bad, "x").Error; err == nil || !strings.Contains(err.Error(), "nowhere") {
		t.Errorf("bad statement: %v", err)
	}
	err := db.Transaction(func(tx *gorm.DB) error { return tx.Exec(bad, "x").Error })
	if err == nil || !strings.Contains(err.Error(), "nowhere") {
		t.Errorf("bad statement in a transaction: %v", err)
	}
	if s, _ := cache.cached(bad); s != nil {
		t.Error("a refused statement was cached")
	}
}

// TestStmtCacheWhileATransactionHoldsTheConnection: SQLite has one
// connection; a statement prepared outside while a transaction holds it
// waits for the transaction instead of deadlocking with it.
func TestStmtCacheWhileATransactionHoldsTheConnection(t *testing.T) {
	db := notesDB(t)
	inTx, outside := make(chan struct{}), make(chan error, 1)
	done := make(chan error, 1)
	go func() {
		done <- db.Transaction(func(tx *gorm.DB) error {
			if err := tx.Exec("INSERT INTO notes (body) VALUES (?)", "in").Error; err != nil {
				return err
			}
			close(inTx)
			time.Sleep(100 * time.Millisecond) // the other statement waits meanwhile
			return tx.Exec("UPDATE notes SET body = ? WHERE body = ?", "in2", "in").Error
		})
	}()
	<-inTx
	go func() { outside <- db.Exec("INSERT INTO notes (body) VALUES (?) ", "out").Error }()
	for _, ch := range []chan error{done, outside} {
		select {
		case err := <-ch:
			if err != nil {
				t.Fatal(err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("deadlock: a statement waited 10 s for the transaction's connection")
		}
	}
	var bodies []string
	if err := db.Raw("SELECT body FROM notes ORDER BY id").Scan(&bodies).Error; err != nil {
		t.Fatal(err)
	}
	if strings.Join(bodies, ",") != "in2,out" {
		t.Errorf("bodies = %v, want in2,out", bodies)
	}
}

// TestStmtCacheFull: past its size the cache runs statements unprepared.
func TestStmtCacheFull(t *testing.T) {
	db := notesDB(t)
	cache := db.ConnPool.(*stmtCache)
	cache.max = 2
	for _, q := range []string{"SELECT 1", "SELECT 2", "SELECT 3", "SELECT 4"} {
		var n int
		if err := db.Raw(q).Scan(&n).Error; err != nil || n == 0 {
			t.Fatalf("%s: %d, %v", q, n, err)
		}
	}
	if len(cache.stmts) != 2 {
		t.Errorf("%d statements cached, want 2", len(cache.stmts))
	}
}
