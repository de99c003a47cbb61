package models

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"gorm.io/gorm"
)

// NextTicketNumber hands out the next OTRS-style ticket number for the day
// of now: date, system ID, a per-day counter (at least five digits) and a
// check digit, e.g. 2026112710000017. The counter row is incremented in the
// database, so numbers are unique across any number of processes.
func NextTicketNumber(ctx context.Context, db *gorm.DB, now time.Time, systemID string) (string, error) {
	day := now.Format("20060102")
	var n int64
	// One statement, atomic in both databases: no transaction of its own,
	// one round trip per create.
	err := db.WithContext(ctx).Raw(`INSERT INTO ticket_counters (day, value) VALUES (?, 1)
		ON CONFLICT (day) DO UPDATE SET value = ticket_counters.value + 1 RETURNING value`, day).Scan(&n).Error
	if err != nil {
		return "", fmt.Errorf("next ticket number: %w", err)
	}
	return TicketNumber(day, systemID, n), nil
}

// TicketNumber is the number of the n-th ticket of day (YYYYMMDD) on the
// system: for whoever hands out numbers without the counter row, such as
// the bulk generator, which then raises the counter past them.
func TicketNumber(day, systemID string, n int64) string {
	base := fmt.Sprintf("%s%s%05d", day, systemID, n)
	return base + strconv.Itoa(checkDigit(base))
}

// checkDigit is OTRS's DateChecksum digit: digits weighted 1,2,1,2,…,
// summed, and turned into 10 minus the sum modulo 10 (with 10 written as 1).
func checkDigit(digits string) int {
	sum, mult := 0, 1
	for _, r := range digits {
		sum += mult * int(r-'0')
		mult++
		if mult == 3 {
			mult = 1
		}
	}
	c := 10 - sum%10
	if c == 10 {
		c = 1
	}
	return c
}
