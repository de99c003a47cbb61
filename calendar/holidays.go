package calendar

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// holiday finds the date of one public holiday in a year.
type holiday func(year int) time.Time

func fixed(m time.Month, d int) holiday {
	return func(year int) time.Time { return time.Date(year, m, d, 0, 0, 0, 0, time.UTC) }
}

func afterEaster(days int) holiday {
	return func(year int) time.Time { return easterSunday(year).AddDate(0, 0, days) }
}

var nationwide = []holiday{
	fixed(time.January, 1),   // Neujahr
	afterEaster(-2),          // Karfreitag
	afterEaster(1),           // Ostermontag
	fixed(time.May, 1),       // Tag der Arbeit
	afterEaster(39),          // Christi Himmelfahrt
	afterEaster(50),          // Pfingstmontag
	fixed(time.October, 3),   // Tag der Deutschen Einheit
	fixed(time.December, 25), // 1. Weihnachtstag
	fixed(time.December, 26), // 2. Weihnachtstag
}

// stateHolidays are the holidays a state has on top of the nationwide ones.
var stateHolidays = map[string][]holiday{
	"": nil,
	"BW": {
		fixed(time.January, 6),  // Heilige Drei Könige
		afterEaster(60),         // Fronleichnam
		fixed(time.November, 1), // Allerheiligen
	},
}

// GermanHolidays returns the public holidays of the years from..to (inclusive) as sorted dates
// "2026-12-24", ready for Calendar.Holidays, so nobody has to type in Easter dates. state "" gives
// the nationwide holidays, "BW" adds those of Baden-Württemberg (where Ulm is); other states are
// an error rather than a silently incomplete list.
//
// The rules are those in force since 1995, when the Buß- und Bettag was dropped, plus the
// one-off nationwide Reformationstag on 2017-10-31; earlier years are an error. A date that is two
// holidays at once (Christi Himmelfahrt on 1 May 2008) appears once.
func GermanHolidays(state string, from, to int) ([]string, error) {
	extra, ok := stateHolidays[strings.ToUpper(strings.TrimSpace(state))]
	if !ok {
		return nil, fmt.Errorf("unknown state %q (known: \"\" for the nationwide holidays, \"BW\")", state)
	}
	switch {
	case from < 1995 || to > 9999:
		return nil, fmt.Errorf("years %d..%d: holidays are known for 1995..9999 only", from, to)
	case from > to:
		return nil, fmt.Errorf("years %d..%d: from is after to", from, to)
	}
	var dates []string
	for year := from; year <= to; year++ {
		for _, h := range slices.Concat(nationwide, extra) {
			dates = append(dates, h(year).Format(time.DateOnly))
		}
		if year == 2017 {
			dates = append(dates, "2017-10-31") // Reformationstag, 500 years of the Reformation
		}
	}
	slices.Sort(dates)
	return slices.Compact(dates), nil
}

// easterSunday uses the anonymous Gregorian algorithm (Meeus/Jones/Butcher).
func easterSunday(year int) time.Time {
	a := year % 19
	b, c := year/100, year%100
	d, e := b/4, b%4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := (19*a + b - d - g + 15) % 30
	i, k := c/4, c%4
	l := (32 + 2*e + 2*i - h - k) % 7
	m := (a + 11*h + 22*l) / 451
	month := (h + l - 7*m + 114) / 31
	day := (h+l-7*m+114)%31 + 1
	return time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC)
}
