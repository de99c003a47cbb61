package desk

import (
	"testing"
	"time"

	"github.com/kiz-ulm/kizdesk/calendar"
)

// TestCalendarRun: the zoom's count-down runs to the end of the working
// stretch it is in, stands through free time until work starts again,
// and never runs past the due time.
func TestCalendarRun(t *testing.T) {
	week, err := calendar.ParseWeek("Mon-Fri 08:00-12:00,13:00-17:00")
	if err != nil {
		t.Fatal(err)
	}
	cal := calendar.Calendar{Name: "kiz", Location: "Europe/Berlin", Week: week}
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	at := func(d, h, m int) time.Time { return time.Date(2026, 11, d, h, m, 0, 0, berlin) } // 2026-11-27 is a Friday
	far := at(30, 17, 0)
	for _, tc := range []struct {
		name     string
		now, due time.Time
		running  bool
		until    time.Time
	}{
		{"morning", at(27, 10, 30), far, true, at(27, 12, 0)},
		{"lunch", at(27, 12, 15), far, false, at(27, 13, 0)},
		{"afternoon", at(27, 16, 59), far, true, at(27, 17, 0)},
		{"weekend, within a day", at(28, 9, 0), far, false, at(29, 9, 0)},
		{"due first", at(27, 9, 0), at(27, 9, 40), true, at(27, 9, 40)},
	} {
		got := calendarRun(cal, tc.now, tc.due)
		if got.Running != tc.running || got.Until.Sub(tc.until).Abs() > time.Second {
			t.Errorf("%s: running=%v until %v, want running=%v until %v", tc.name, got.Running, got.Until.In(berlin), tc.running, tc.until)
		}
	}
}
