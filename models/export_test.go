package models

import "testing"

// SetRecentArticles makes PostgreSQL searches read only the newest n
// articles row by row until the test ends, so that a test's few articles
// reach past them.
func SetRecentArticles(t testing.TB, n int64) {
	old := pgRecentArticles
	pgRecentArticles = n
	t.Cleanup(func() { pgRecentArticles = old })
}
