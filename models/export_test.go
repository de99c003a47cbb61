package models

import "testing"

// SetRecentArticles makes PostgreSQL searches look at the newest n
// articles and tickets first until the test ends, so that a test's few
// rows need the windows to grow.
func SetRecentArticles(t testing.TB, n int64) {
	old := pgSearchWindow
	pgSearchWindow = n
	t.Cleanup(func() { pgSearchWindow = old })
}
