package dbtest

import (
	"context"
	"database/sql"
	"io"
	"net"
	"net/url"
	"sync"
	"testing"
)

// Outage takes a database away from the code under test and gives it back:
// for PostgreSQL a TCP proxy in front of the server that drops every
// connection and refuses new ones; for SQLite another connection holding
// the write lock, so every write fails with "database is locked" after the
// busy timeout. Only loopback addresses are used.
type Outage interface {
	Begin()
	End()
}

// Proxy forwards 127.0.0.1 connections to a PostgreSQL server until Begin
// cuts them.
type Proxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	down   bool
	conns  map[net.Conn]bool
}

// NewProxy starts a proxy to the host:port of databaseURL and returns it
// with the URL to use instead. It stops when the test ends.
func NewProxy(t testing.TB, databaseURL string) (*Proxy, string) {
	t.Helper()
	u, err := url.Parse(databaseURL)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &Proxy{ln: ln, target: u.Host, conns: map[net.Conn]bool{}}
	t.Cleanup(func() { ln.Close(); p.Begin() })
	go p.serve()
	u.Host = ln.Addr().String()
	return p, u.String()
}

func (p *Proxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		down := p.down
		if !down {
			p.conns[c] = true
		}
		p.mu.Unlock()
		if down {
			c.Close()
			continue
		}
		go p.pipe(c)
	}
}

func (p *Proxy) pipe(c net.Conn) {
	s, err := net.Dial("tcp", p.target)
	if err != nil {
		c.Close()
		return
	}
	p.mu.Lock()
	p.conns[s] = true
	p.mu.Unlock()
	go func() { _, _ = io.Copy(s, c); s.Close() }()
	_, _ = io.Copy(c, s)
	c.Close()
}

// Begin drops every connection and refuses new ones.
func (p *Proxy) Begin() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = true
	for c := range p.conns {
		c.Close()
	}
	p.conns = map[net.Conn]bool{}
}

// End lets connections through again.
func (p *Proxy) End() {
	p.mu.Lock()
	p.down = false
	p.mu.Unlock()
}

// Lock holds SQLite's write lock on a database file while the outage lasts.
type Lock struct {
	t    testing.TB
	db   *sql.DB
	conn *sql.Conn
}

// NewLock returns an outage for the SQLite database in file.
func NewLock(t testing.TB, file string) *Lock {
	db, err := sql.Open("sqlite", file)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return &Lock{t: t, db: db}
}

// Begin takes the write lock.
func (l *Lock) Begin() {
	ctx := context.Background()
	c, err := l.db.Conn(ctx)
	if err != nil {
		l.t.Fatal(err)
	}
	if _, err := c.ExecContext(ctx, "BEGIN EXCLUSIVE"); err != nil {
		l.t.Fatal(err)
	}
	l.conn = c
}

// End gives the lock back.
func (l *Lock) End() {
	if l.conn == nil {
		return
	}
	ctx := context.Background()
	if _, err := l.conn.ExecContext(ctx, "ROLLBACK"); err != nil {
		l.t.Error(err)
	}
	l.conn.Close()
	l.conn = nil
}
