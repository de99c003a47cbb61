package devtemporal

import (
	"database/sql"
	"fmt"
	"io/fs"
	"path/filepath"
	"regexp"
	"testing"

	"go.temporal.io/server/schema"
	_ "modernc.org/sqlite"
)

// BenchmarkVisibilityUpsert: what one visibility write costs the embedded
// server on SQLite — a quarter of the CPU of a create or of a close
// (BenchmarkCreateTicketSequential, BenchmarkTimerLateness profiled). Each
// op is the statement Temporal's SQLite plugin runs for a ticket whose
// search attributes changed (an INSERT … ON CONFLICT DO UPDATE of every
// column, not prepared, as sqlx sends it), against Temporal's own
// visibility schema with its 58 indexes, and with fewer, to show what the
// indexes cost: every one is rewritten on each upsert, since each ends in
// the close time and most read the search attributes' JSON.
//
//	go test ./devtemporal/ -run '^$' -bench VisibilityUpsert -benchtime 2000x
func BenchmarkVisibilityUpsert(b *testing.B) {
	for _, c := range []struct {
		name string
		drop *regexp.Regexp
	}{
		{"temporal-schema", nil},
		{"without-unused-slots", regexp.MustCompile(`^by_(bool|double)_0|^by_int_0[23]|^by_keyword_(09|10)`)},
		{"only-status-and-ids", regexp.MustCompile(`^by_(bool|double|int|keyword|datetime|temporal|batcher|history|execution|state|task|parent|root)`)},
	} {
		b.Run(c.name, func(b *testing.B) {
			db, indexes := visibilityDB(b, c.drop)
			upsert := `INSERT INTO executions_visibility (namespace_id, run_id, workflow_type_name, workflow_id, start_time,
 execution_time, status, close_time, history_length, history_size_bytes, execution_duration, state_transition_count,
 memo, encoding, task_queue, search_attributes, parent_workflow_id, parent_run_id, root_workflow_id, root_run_id, _version)
 VALUES (?, ?, 'Ticket', ?, ?, ?, 1, NULL, ?, 1000, NULL, ?, x'00', 'proto3', 'kizdesk-tickets', ?, NULL, NULL, ?, ?, 0)
 ON CONFLICT (namespace_id, run_id) DO UPDATE SET workflow_type_name = excluded.workflow_type_name,
 workflow_id = excluded.workflow_id, start_time = excluded.start_time, execution_time = excluded.execution_time,
 status = excluded.status, close_time = excluded.close_time, history_length = excluded.history_length,
 history_size_bytes = excluded.history_size_bytes, execution_duration = excluded.execution_duration,
 state_transition_count = excluded.state_transition_count, memo = excluded.memo, encoding = excluded.encoding,
 task_queue = excluded.task_queue, search_attributes = excluded.search_attributes,
 parent_workflow_id = excluded.parent_workflow_id, parent_run_id = excluded.parent_run_id,
 root_workflow_id = excluded.root_workflow_id, root_run_id = excluded.root_run_id, _version = excluded._version`
			const rows = 1000 // tickets already there, each changed in turn
			now := "2026-12-01 10:00:00.000+00:00"
			write := func(i, change int) {
				n := i % rows
				attrs := fmt.Sprintf(`{"Keyword01":"2026120110%06d","Keyword02":"state %d","Keyword03":"Helpdesk",`+
					`"Keyword04":"first","Keyword05":"3 normal","Keyword06":"E-Mail","Keyword07":"Incident","Int01":1,`+
					`"Datetime01":"2026-12-01T10:00:00Z","Datetime02":"2026-12-02T10:00:00Z"}`, n, change)
				id := fmt.Sprint("ticket-", n)
				run := fmt.Sprint("run-", n)
				if _, err := db.Exec(upsert, "kizdesk", run, id, now, now, 10+change, 5+change, attrs, id, run); err != nil {
					b.Fatal(err)
				}
			}
			for i := range rows {
				write(i, 0)
			}
			b.ResetTimer()
			for i := range b.N {
				write(i, 1+i/rows)
			}
			b.ReportMetric(float64(indexes), "indexes")
		})
	}
}

// visibilityDB is a SQLite file with Temporal's visibility schema, set up
// as devtemporal sets it up (WAL, synchronous=normal), without the indexes
// drop matches, and how many indexes it kept.
func visibilityDB(b *testing.B, drop *regexp.Regexp) (*sql.DB, int) {
	b.Helper()
	ddl, err := fs.ReadFile(schema.Assets(), "sqlite/v3/visibility/schema.sql")
	if err != nil {
		b.Fatal(err)
	}
	db, err := sql.Open("sqlite", "file:"+filepath.Join(b.TempDir(), "v.db")+
		"?_pragma=journal_mode(wal)&_pragma=synchronous(normal)")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = db.Close() })
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(string(ddl)); err != nil {
		b.Fatal(err)
	}
	rows, err := db.Query("SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")
	if err != nil {
		b.Fatal(err)
	}
	var names []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			b.Fatal(err)
		}
		names = append(names, name)
	}
	if err := rows.Close(); err != nil {
		b.Fatal(err)
	}
	kept := 0
	for _, name := range names {
		if drop == nil || !drop.MatchString(name) {
			kept++
			continue
		}
		if _, err := db.Exec("DROP INDEX " + name); err != nil {
			b.Fatal(err)
		}
	}
	return db, kept
}
