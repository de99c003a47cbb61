package models

import (
	"context"
	"database/sql"
	"sync"

	"gorm.io/gorm"
)

// stmtCache is the connection pool gorm uses on SQLite: it prepares each
// statement once on the database and uses it inside transactions too.
// modernc's driver parses every statement anew, and gorm's own PrepareStmt
// prepares a statement first seen inside a transaction on that transaction,
// so database/sql closes it at commit and every later transaction prepares
// it again — every statement of every projection (a quarter of its CPU).
// A statement prepared on the database is found again on the transaction's
// connection (SQLite has one), so Tx.StmtContext does not prepare it anew.
type stmtCache struct {
	db    *sql.DB
	max   int // statements kept; lists with IN (…) make one per length
	mu    sync.RWMutex
	stmts map[string]*sql.Stmt
}

func newStmtCache(db *sql.DB, max int) *stmtCache {
	return &stmtCache{db: db, max: max, stmts: map[string]*sql.Stmt{}}
}

// stmt returns the prepared statement for query, or nil when the cache is
// full or preparing failed: the caller then runs the query unprepared, and
// a real error shows there. No lock is held while preparing: preparing
// waits for SQLite's one connection, which a transaction may hold while
// it asks the cache too.
func (c *stmtCache) stmt(ctx context.Context, query string) *sql.Stmt {
	if s, full := c.cached(query); s != nil || full {
		return s
	}
	s, err := c.db.PrepareContext(ctx, query)
	if err != nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if had, ok := c.stmts[query]; ok {
		_ = s.Close()
		return had
	}
	c.stmts[query] = s
	return s
}

// cached returns the statement prepared for query, if any, and whether
// the cache has no room for another.
func (c *stmtCache) cached(query string) (s *sql.Stmt, full bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	s = c.stmts[query]
	return s, len(c.stmts) >= c.max
}

func (c *stmtCache) PrepareContext(ctx context.Context, query string) (*sql.Stmt, error) {
	return c.db.PrepareContext(ctx, query)
}

func (c *stmtCache) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if s := c.stmt(ctx, query); s != nil {
		return s.ExecContext(ctx, args...)
	}
	return c.db.ExecContext(ctx, query, args...)
}

func (c *stmtCache) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if s := c.stmt(ctx, query); s != nil {
		return s.QueryContext(ctx, args...)
	}
	return c.db.QueryContext(ctx, query, args...)
}

func (c *stmtCache) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if s := c.stmt(ctx, query); s != nil {
		return s.QueryRowContext(ctx, args...)
	}
	return c.db.QueryRowContext(ctx, query, args...)
}

// BeginTx starts a transaction whose statements come from the cache.
func (c *stmtCache) BeginTx(ctx context.Context, opts *sql.TxOptions) (gorm.ConnPool, error) {
	tx, err := c.db.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	return &stmtCacheTx{c: c, tx: tx}, nil
}

// GetDBConn lets gorm's DB() reach the pool (health checks, Close).
func (c *stmtCache) GetDBConn() (*sql.DB, error) { return c.db, nil }

// stmtCacheTx runs a transaction's statements prepared when the cache has
// them. A statement it does not have runs unprepared and is prepared on
// the database once the transaction has ended: until then the transaction
// holds SQLite's one connection.
type stmtCacheTx struct {
	c      *stmtCache
	tx     *sql.Tx
	missed []string
}

func (t *stmtCacheTx) stmt(query string) *sql.Stmt {
	s, full := t.c.cached(query)
	if s == nil && !full {
		t.missed = append(t.missed, query)
	}
	return s
}

// prepareMissed prepares what the transaction ran unprepared.
func (t *stmtCacheTx) prepareMissed() {
	for _, q := range t.missed {
		t.c.stmt(context.Background(), q)
	}
	t.missed = nil
}

func (t *stmtCacheTx) PrepareContext(ctx context.Context, query string) (*sql.Stmt, error) {
	return t.tx.PrepareContext(ctx, query)
}

func (t *stmtCacheTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if s := t.stmt(query); s != nil {
		return t.tx.StmtContext(ctx, s).ExecContext(ctx, args...)
	}
	return t.tx.ExecContext(ctx, query, args...)
}

func (t *stmtCacheTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if s := t.stmt(query); s != nil {
		return t.tx.StmtContext(ctx, s).QueryContext(ctx, args...)
	}
	return t.tx.QueryContext(ctx, query, args...)
}

func (t *stmtCacheTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if s := t.stmt(query); s != nil {
		return t.tx.StmtContext(ctx, s).QueryRowContext(ctx, args...)
	}
	return t.tx.QueryRowContext(ctx, query, args...)
}

func (t *stmtCacheTx) StmtContext(ctx context.Context, s *sql.Stmt) *sql.Stmt {
	return t.tx.StmtContext(ctx, s)
}

func (t *stmtCacheTx) Commit() error {
	err := t.tx.Commit()
	t.prepareMissed()
	return err
}

func (t *stmtCacheTx) Rollback() error {
	err := t.tx.Rollback()
	t.prepareMissed()
	return err
}

// GetDBConn is not known inside a transaction; gorm falls back.
func (t *stmtCacheTx) GetDBConn() (*sql.DB, error) { return t.c.db, nil }
