package calendar

import (
	"slices"
	"strings"
	"testing"
	"time"
)

var berlin = mustLoad("Europe/Berlin")

func mustLoad(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return l
}

// at reads "2026-03-10 09:00" as wall-clock time in Europe/Berlin.
func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, berlin)
	if err != nil {
		panic(err)
	}
	return t
}

func mustWeek(s string) [7][]Span {
	w, err := ParseWeek(s)
	if err != nil {
		panic(err)
	}
	return w
}

// office is the 1st-level desk: Mon–Fri 08:00–18:00 in Ulm, without Baden-Württemberg's holidays.
func office(t testing.TB) Calendar {
	t.Helper()
	holidays, err := GermanHolidays("BW", 2025, 2036)
	if err != nil {
		t.Fatal(err)
	}
	c := Calendar{Name: "office", Location: "Europe/Berlin", Week: mustWeek("mon-fri 08:00-18:00"), Holidays: holidays}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	return c
}

func TestAddOffice(t *testing.T) {
	c := office(t)
	tests := []struct {
		name  string
		start string
		d     time.Duration
		want  string
	}{
		{"within a day", "2026-03-10 09:00", 2 * time.Hour, "2026-03-10 11:00"},
		{"up to closing", "2026-03-10 17:00", time.Hour, "2026-03-10 18:00"},
		{"evening into next morning", "2026-03-10 17:00", 2 * time.Hour, "2026-03-11 09:00"},
		{"friday into monday", "2026-03-13 16:00", 4 * time.Hour, "2026-03-16 10:00"},
		{"start before opening", "2026-03-10 06:00", time.Hour, "2026-03-10 09:00"},
		{"start after closing", "2026-03-10 20:00", time.Hour, "2026-03-11 09:00"},
		{"start on a sunday", "2026-03-15 12:00", time.Hour, "2026-03-16 09:00"},
		{"25 working hours", "2026-03-09 08:00", 25 * time.Hour, "2026-03-11 13:00"},
		{"a minute over closing", "2026-03-10 17:59", 2 * time.Minute, "2026-03-11 08:01"},
		{"24 december works, christmas does not", "2026-12-24 17:00", 2 * time.Hour, "2026-12-28 09:00"},
		{"easter: karfreitag to ostermontag", "2026-04-02 17:00", 2 * time.Hour, "2026-04-07 09:00"},
		{"fronleichnam", "2026-06-03 17:00", 2 * time.Hour, "2026-06-05 09:00"},
		{"new year", "2026-12-31 17:30", time.Hour, "2027-01-04 08:30"},
		{"weekend with spring DST change", "2026-03-27 16:00", 4 * time.Hour, "2026-03-30 10:00"},
		{"weekend with autumn DST change", "2026-10-23 16:00", 4 * time.Hour, "2026-10-26 10:00"},
		{"30 working days", "2026-03-02 08:00", 300 * time.Hour, "2026-04-14 18:00"},
		{"zero inside working time", "2026-03-10 09:30", 0, "2026-03-10 09:30"},
		{"zero at closing", "2026-03-13 18:00", 0, "2026-03-16 08:00"},
		{"zero on a holiday", "2026-12-25 10:00", 0, "2026-12-28 08:00"},
		{"negative counts as zero", "2026-03-10 20:00", -time.Hour, "2026-03-11 08:00"},
	}
	for _, tt := range tests {
		if got, want := c.Add(at(tt.start), tt.d), at(tt.want); !got.Equal(want) {
			t.Errorf("%s: Add(%s, %v) = %v, want %v", tt.name, tt.start, tt.d, got, want)
		}
	}
}

// On the days the clocks change, working time is real time: 23 or 25 hours for 24x7, still 10
// for 08:00–18:00, and wall-clock hours that do not exist or happen twice count 0 or 2 times.
func TestDST(t *testing.T) {
	allDay := AllDay("24x7")
	daily := Calendar{Name: "daily", Location: "Europe/Berlin", Week: mustWeek("mon-sun 08:00-18:00")}
	night := Calendar{Name: "night", Location: "Europe/Berlin", Week: mustWeek("sun 01:00-04:00")}
	gapHour := Calendar{Name: "gap", Location: "Europe/Berlin", Week: mustWeek("sun 02:00-03:00")}
	utc := func(s string) time.Time {
		t, err := time.Parse("2006-01-02 15:04", s)
		if err != nil {
			panic(err)
		}
		return t
	}
	add := []struct {
		name  string
		c     Calendar
		start time.Time
		d     time.Duration
		want  time.Time
	}{
		{"24x7 over spring change", allDay, at("2026-03-28 12:00"), 24 * time.Hour, at("2026-03-29 13:00")},
		{"24x7 over autumn change", allDay, at("2026-10-24 12:00"), 24 * time.Hour, at("2026-10-25 11:00")},
		{"24x7 into the skipped hour", allDay, at("2026-03-29 01:00"), time.Hour, utc("2026-03-29 01:00")},
		{"24x7 first 02:30 of autumn", allDay, at("2026-10-25 00:00"), 150 * time.Minute, utc("2026-10-25 00:30")},
		{"24x7 second 02:30 of autumn", allDay, at("2026-10-25 00:00"), 210 * time.Minute, utc("2026-10-25 01:30")},
		{"08-18 on spring change day", daily, at("2026-03-29 08:00"), 10 * time.Hour, at("2026-03-29 18:00")},
		{"08-18 on autumn change day", daily, at("2026-10-25 08:00"), 10 * time.Hour, at("2026-10-25 18:00")},
		{"08-18 across spring change", daily, at("2026-03-28 17:00"), 2 * time.Hour, utc("2026-03-29 07:00")},
		{"08-18 across autumn change", daily, at("2026-10-24 17:00"), 2 * time.Hour, utc("2026-10-25 08:00")},
		{"span over skipped hour", night, at("2026-03-29 00:00"), 90 * time.Minute, utc("2026-03-29 01:30")},
		{"span over doubled hour", night, at("2026-10-25 00:00"), 3 * time.Hour, utc("2026-10-25 02:00")},
		{"skipped span: next sunday", gapHour, at("2026-03-29 00:00"), 30 * time.Minute, at("2026-04-05 02:30")},
		{"doubled span: second half", gapHour, at("2026-10-25 00:00"), 90 * time.Minute, utc("2026-10-25 01:30")},
	}
	for _, tt := range add {
		if got := tt.c.Add(tt.start, tt.d); !got.Equal(tt.want) {
			t.Errorf("%s: Add(%v, %v) = %v, want %v", tt.name, tt.start, tt.d, got, tt.want)
		}
	}
	between := []struct {
		c        Calendar
		from, to time.Time
		want     time.Duration
	}{
		{allDay, at("2026-03-29 00:00"), at("2026-03-30 00:00"), 23 * time.Hour},
		{allDay, at("2026-10-25 00:00"), at("2026-10-26 00:00"), 25 * time.Hour},
		{allDay, at("2026-03-10 00:00"), at("2026-03-11 00:00"), 24 * time.Hour},
		{daily, at("2026-03-29 00:00"), at("2026-03-30 00:00"), 10 * time.Hour},
		{daily, at("2026-10-25 00:00"), at("2026-10-26 00:00"), 10 * time.Hour},
		{night, at("2026-03-29 00:00"), at("2026-03-30 00:00"), 2 * time.Hour},
		{night, at("2026-10-25 00:00"), at("2026-10-26 00:00"), 4 * time.Hour},
		{night, at("2026-03-22 00:00"), at("2026-03-23 00:00"), 3 * time.Hour},
		{gapHour, at("2026-03-29 00:00"), at("2026-03-30 00:00"), 0},
		{gapHour, at("2026-10-25 00:00"), at("2026-10-26 00:00"), 2 * time.Hour},
	}
	for _, tt := range between {
		if got := tt.c.Between(tt.from, tt.to); got != tt.want {
			t.Errorf("%s: Between(%v, %v) = %v, want %v", tt.c.Name, tt.from, tt.to, got, tt.want)
		}
	}
	if !allDay.Working(utc("2026-10-25 00:30")) || !allDay.Working(utc("2026-10-25 01:30")) {
		t.Error("24x7: the doubled 02:30 is not working time both times")
	}
	if gapHour.Working(utc("2026-03-29 01:00")) {
		t.Error("span 02:00-03:00: 03:00 on the spring change day is working time")
	}
}

func TestAllDayRunsThroughMidnight(t *testing.T) {
	c := AllDay("24x7")
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if c.Location != "Europe/Berlin" {
		t.Errorf("AllDay location = %q, want Europe/Berlin", c.Location)
	}
	tests := []struct {
		start string
		d     time.Duration
		want  string
	}{
		{"2026-03-14 23:00", 2 * time.Hour, "2026-03-15 01:00"}, // saturday into sunday
		{"2026-03-15 23:00", 2 * time.Hour, "2026-03-16 01:00"}, // sunday into monday
		{"2026-12-31 23:59", time.Minute, "2027-01-01 00:00"},
		{"2026-03-10 00:00", 7 * 24 * time.Hour, "2026-03-17 00:00"},
	}
	for _, tt := range tests {
		if got, want := c.Add(at(tt.start), tt.d), at(tt.want); !got.Equal(want) {
			t.Errorf("Add(%s, %v) = %v, want %v", tt.start, tt.d, got, want)
		}
	}
	if got := c.NextWorking(at("2026-03-15 00:00")); !got.Equal(at("2026-03-15 00:00")) {
		t.Errorf("NextWorking(sunday midnight) = %v, want itself", got)
	}
}

func TestBetween(t *testing.T) {
	c := office(t)
	tests := []struct {
		from, to string
		want     time.Duration
	}{
		{"2026-03-10 09:00", "2026-03-10 11:30", 150 * time.Minute},
		{"2026-03-13 17:00", "2026-03-16 09:00", 2 * time.Hour},
		{"2026-03-14 10:00", "2026-03-15 10:00", 0},
		{"2026-03-10 06:00", "2026-03-10 20:00", 10 * time.Hour},
		{"2026-03-09 00:00", "2026-03-16 00:00", 50 * time.Hour},
		{"2026-12-23 08:00", "2026-12-29 08:00", 30 * time.Hour},
		{"2026-03-30 00:00", "2026-04-13 00:00", 80 * time.Hour}, // Easter: two days off
		{"2026-03-10 11:00", "2026-03-10 09:00", 0},
		{"2026-03-10 11:00", "2026-03-10 11:00", 0},
	}
	for _, tt := range tests {
		if got := c.Between(at(tt.from), at(tt.to)); got != tt.want {
			t.Errorf("Between(%s, %s) = %v, want %v", tt.from, tt.to, got, tt.want)
		}
	}
}

// Between undoes Add: a deadline computed with Add is exactly d of working time away.
func TestBetweenInvertsAdd(t *testing.T) {
	calendars := []Calendar{
		office(t),
		AllDay("24x7"),
		{Name: "split", Location: "Europe/Berlin", Week: mustWeek("mon-fri 07:30-12:00, 13:00-16:45; sat 09:00-12:00; sun 01:00-04:00")},
		{Name: "new york", Location: "America/New_York", Week: mustWeek("mon-fri 09:00-17:00")},
	}
	starts := []time.Time{
		at("2026-03-10 09:00"), at("2026-03-10 12:34"), at("2026-03-10 19:00"), at("2026-03-14 10:00"),
		at("2026-03-27 17:59"), at("2026-03-29 01:30"), at("2026-10-25 02:30"), at("2026-12-24 16:00"),
		at("2026-04-02 08:00"), time.Date(2026, 3, 8, 6, 59, 59, 999, time.UTC),
	}
	durations := []time.Duration{0, time.Nanosecond, time.Minute, time.Hour, 10 * time.Hour, 25 * time.Hour,
		30 * 10 * time.Hour, 17*time.Hour + 3*time.Second, 1000 * time.Hour}
	for _, c := range calendars {
		for _, s := range starts {
			for _, d := range durations {
				end := c.Add(s, d)
				if got := c.Between(s, end); got != d {
					t.Errorf("%s: Between(%v, Add(%v, %v) = %v) = %v", c.Name, s, s, d, end, got)
				}
				if d > 0 && !c.Working(end.Add(-time.Nanosecond)) {
					t.Errorf("%s: Add(%v, %v) = %v, not the end of working time", c.Name, s, d, end)
				}
			}
		}
	}
}

func TestResultLocation(t *testing.T) {
	c := office(t)
	newYork := mustLoad("America/New_York")
	for _, start := range []time.Time{
		time.Date(2026, 3, 10, 8, 0, 0, 0, time.UTC),
		time.Date(2026, 3, 10, 8, 0, 0, 0, berlin),
		time.Date(2026, 3, 10, 8, 0, 0, 0, newYork),
	} {
		for _, got := range []time.Time{c.Add(start, time.Hour), c.Add(start, 0), c.NextWorking(start), c.Add(start, 1000*time.Hour)} {
			if got.Location() != start.Location() {
				t.Errorf("result %v for start %v is in %v, want %v", got, start, got.Location(), start.Location())
			}
		}
	}
	// 07:00 UTC is 08:00 in Berlin: one working hour later is 09:00 in Berlin, 08:00 UTC.
	if got, want := c.Add(time.Date(2026, 3, 10, 7, 0, 0, 0, time.UTC), time.Hour), time.Date(2026, 3, 10, 8, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("Add in UTC = %v, want %v", got, want)
	}
}

func TestWorkingAndNextWorking(t *testing.T) {
	c := office(t)
	tests := []struct {
		t       string
		working bool
		next    string
	}{
		{"2026-03-10 07:59", false, "2026-03-10 08:00"},
		{"2026-03-10 08:00", true, "2026-03-10 08:00"},
		{"2026-03-10 12:00", true, "2026-03-10 12:00"},
		{"2026-03-10 17:59", true, "2026-03-10 17:59"},
		{"2026-03-10 18:00", false, "2026-03-11 08:00"},
		{"2026-03-13 18:00", false, "2026-03-16 08:00"},
		{"2026-03-15 12:00", false, "2026-03-16 08:00"},
		{"2026-04-03 10:00", false, "2026-04-07 08:00"}, // Karfreitag
		{"2026-04-06 10:00", false, "2026-04-07 08:00"}, // Ostermontag
		{"2026-12-24 10:00", true, "2026-12-24 10:00"},
		{"2026-12-25 10:00", false, "2026-12-28 08:00"},
		{"2026-12-26 10:00", false, "2026-12-28 08:00"},
	}
	for _, tt := range tests {
		if got := c.Working(at(tt.t)); got != tt.working {
			t.Errorf("Working(%s) = %v, want %v", tt.t, got, tt.working)
		}
		if got, want := c.NextWorking(at(tt.t)), at(tt.next); !got.Equal(want) {
			t.Errorf("NextWorking(%s) = %v, want %v", tt.t, got, want)
		}
	}
}

// Unsorted holidays still count: the sorted copy is only an optimisation.
func TestUnsortedHolidays(t *testing.T) {
	c := Calendar{Name: "x", Location: "Europe/Berlin", Week: mustWeek("mon-fri 08:00-18:00"),
		Holidays: []string{"2026-12-31", "2026-03-11", "2026-01-01"}}
	if got, want := c.Add(at("2026-03-10 17:00"), 2*time.Hour), at("2026-03-12 09:00"); !got.Equal(want) {
		t.Errorf("Add over an unsorted holiday = %v, want %v", got, want)
	}
}

// Calendars that fail Validate still give an answer, and soon.
func TestInvalidCalendarsTerminate(t *testing.T) {
	start := at("2026-03-10 09:00")
	bound := at("2036-03-10 00:00") // SearchDays dates after 2026-03-10
	empty := Calendar{Name: "empty", Location: "Europe/Berlin"}
	if got := empty.Add(start, time.Hour); !got.Equal(bound) {
		t.Errorf("Add on an empty week = %v, want the bound %v", got, bound)
	}
	if got := empty.NextWorking(start); !got.Equal(bound) {
		t.Errorf("NextWorking on an empty week = %v, want the bound %v", got, bound)
	}
	if got := AllDay("24x7").Add(start, 1<<62); !got.Equal(bound) {
		t.Errorf("Add of 146 years = %v, want the bound %v", got, bound)
	}
	if got, want := AllDay("24x7").Between(start, time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)), AllDay("24x7").Between(start, bound); got != want {
		t.Errorf("Between until 9999 = %v, want %v (capped at SearchDays)", got, want)
	}
	mars := Calendar{Name: "mars", Location: "Mars/Olympus_Mons", Week: mustWeek("mon-sun 08:00-18:00")}
	if got, want := mars.Add(time.Date(2026, 3, 10, 7, 0, 0, 0, time.UTC), time.Hour), time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("unknown zone: Add = %v, want %v (as in UTC)", got, want)
	}
}

func TestValidate(t *testing.T) {
	week := mustWeek("mon-fri 08:00-18:00")
	with := func(change func(*Calendar)) Calendar {
		c := Calendar{Name: "desk", Location: "Europe/Berlin", Week: week, Holidays: []string{"2026-12-25"}}
		change(&c)
		return c
	}
	tests := []struct {
		name string
		c    Calendar
		want string // part of the error; "" for none
	}{
		{"valid", with(func(c *Calendar) {}), ""},
		{"utc", with(func(c *Calendar) { c.Location = "" }), ""},
		{"all day", AllDay("24x7"), ""},
		{"adjacent spans", with(func(c *Calendar) { c.Week[1] = []Span{{480, 720}, {720, 1080}} }), ""},
		{"unknown zone", with(func(c *Calendar) { c.Location = "Europe/Ulm" }), `unknown time zone "Europe/Ulm"`},
		{"machine zone", with(func(c *Calendar) { c.Location = "Local" }), `"Local" depends on the machine`},
		{"span after midnight", with(func(c *Calendar) { c.Week[6] = []Span{{1200, 1500}} }), "sat: span 20:00-25:00 is outside 00:00-24:00"},
		{"negative span", with(func(c *Calendar) { c.Week[6] = []Span{{-60, 60}} }), "sat: span -01:00-01:00 is outside"},
		{"empty span", with(func(c *Calendar) { c.Week[2] = []Span{{600, 600}} }), "tue: span 10:00-10:00 does not end after it starts"},
		{"backwards span", with(func(c *Calendar) { c.Week[2] = []Span{{720, 600}} }), "tue: span 12:00-10:00 does not end"},
		{"overlap", with(func(c *Calendar) { c.Week[3] = []Span{{480, 720}, {700, 900}} }), "wed: span 11:40-15:00 starts before the previous span 08:00-12:00 ends"},
		{"unsorted", with(func(c *Calendar) { c.Week[3] = []Span{{780, 900}, {480, 720}} }), "wed: span 08:00-12:00 starts before the previous span 13:00-15:00 ends"},
		{"bad holiday", with(func(c *Calendar) { c.Holidays = []string{"2026-12-32"} }), `holiday "2026-12-32" is not a date`},
		{"holiday not padded", with(func(c *Calendar) { c.Holidays = []string{"2026-1-6"} }), `holiday "2026-1-6"`},
		{"german holiday", with(func(c *Calendar) { c.Holidays = []string{"24.12.2026"} }), `holiday "24.12.2026"`},
		{"no working time", with(func(c *Calendar) { c.Week = [7][]Span{} }), "no working time in the whole week"},
	}
	for _, tt := range tests {
		err := tt.c.Validate()
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s: Validate() = %v, want nil", tt.name, err)
		case tt.want != "" && err == nil:
			t.Errorf("%s: Validate() = nil, want an error with %q", tt.name, tt.want)
		case tt.want != "" && !strings.Contains(err.Error(), tt.want):
			t.Errorf("%s: Validate() = %v, want an error with %q", tt.name, err, tt.want)
		case tt.want != "" && !strings.HasPrefix(err.Error(), `calendar "`):
			t.Errorf("%s: Validate() = %v does not name the calendar", tt.name, err)
		}
	}
	// All problems are reported together.
	c := Calendar{Name: "bad", Location: "Nowhere", Holidays: []string{"x"}}
	err := c.Validate()
	for _, want := range []string{"Nowhere", "no working time", `holiday "x"`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate() = %v, want it to mention %q", err, want)
		}
	}
}

func TestParseWeek(t *testing.T) {
	office := [7][]Span{}
	for wd := time.Monday; wd <= time.Friday; wd++ {
		office[wd] = []Span{{480, 1080}}
	}
	var allDay [7][]Span
	for wd := range allDay {
		allDay[wd] = []Span{{0, 1440}}
	}
	withSat := office
	withSat[time.Saturday] = []Span{{540, 720}, {780, 900}}
	mixed := [7][]Span{}
	mixed[time.Monday] = []Span{{480, 720}}
	mixed[time.Tuesday] = []Span{{780, 960}}
	mixed[time.Wednesday] = []Span{{480, 720}, {780, 960}}
	mixed[time.Thursday] = []Span{{780, 960}}
	mixed[time.Friday] = []Span{{480, 720}}
	mixed[time.Sunday] = []Span{{0, 90}}
	good := []struct {
		in   string
		want [7][]Span
	}{
		{"mon-fri 08:00-18:00", office},
		{"mon-fri 08:00-18:00; sat 09:00-12:00, 13:00-15:00", withSat},
		{"  Mon-FRI 8:00 - 18:00 ;sat 13:00-15:00,09:00-12:00;", withSat},
		{"mon,tue,wed,thu,fri 08:00-18:00", office},
		{"mon-sun 00:00-24:00", allDay},
		{"mon,wed,fri 08:00-12:00; tue-thu 13:00-16:00; sun 00:00-01:30", mixed},
		{"", [7][]Span{}},
	}
	for _, tt := range good {
		got, err := ParseWeek(tt.in)
		if err != nil || !equalWeeks(got, tt.want) {
			t.Errorf("ParseWeek(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
	bad := []struct{ in, want string }{
		{"08:00-18:00", "no days before the times"},
		{"mon-fri", `"mon-fri" has no times`},
		{"mo-fr 08:00-18:00", `unknown day "mo"`},
		{"fri-mon 08:00-18:00", `day range "fri-mon" runs backwards`},
		{"mon 08:00", `"08:00" is not a span`},
		{"mon 08:00-25:00", `"25:00" is not a time`},
		{"mon 08:00-24:01", `"24:01" is not a time`},
		{"mon 08:60-09:00", `"08:60" is not a time`},
		{"mon 8-18", `"8" is not a time`},
		{"mon 08:00-+9:00", `"+9:00" is not a time`},
		{"mon 18:00-08:00", "mon: span 18:00-08:00 does not end after it starts"},
		{"mon 24:00-24:00", "mon: span 24:00-24:00 does not end"},
		{"mon-fri 08:00-12:00; wed 11:00-13:00", "wed: span 11:00-13:00 starts before the previous span 08:00-12:00 ends"},
		{"mon-fri 08:00-18:00; sat 09:00-12:00, x", `"sat 09:00-12:00, x"`},
	}
	for _, tt := range bad {
		_, err := ParseWeek(tt.in)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseWeek(%q) error = %v, want one with %q", tt.in, err, tt.want)
		}
	}
}

func TestWeekStringRoundTrips(t *testing.T) {
	tests := []struct{ in, want string }{
		{"mon-fri 08:00-18:00", "mon-fri 08:00-18:00"},
		{"sat 13:00-15:00, 09:00-12:00; mon-fri 08:00-18:00", "mon-fri 08:00-18:00; sat 09:00-12:00, 13:00-15:00"},
		{"mon-sun 00:00-24:00", "mon-sun 00:00-24:00"},
		{"mon,wed,fri 08:00-12:00; tue-thu 13:00-16:00; sun 00:00-01:30", "mon,fri 08:00-12:00; tue,thu 13:00-16:00; wed 08:00-12:00, 13:00-16:00; sun 00:00-01:30"},
		{"mon,tue,thu-sat 07:05-07:06", "mon-tue,thu-sat 07:05-07:06"},
		{"", ""},
	}
	for _, tt := range tests {
		c := Calendar{Week: mustWeek(tt.in)}
		got := c.WeekString()
		if got != tt.want {
			t.Errorf("WeekString of %q = %q, want %q", tt.in, got, tt.want)
		}
		if back, err := ParseWeek(got); err != nil || !equalWeeks(back, c.Week) {
			t.Errorf("ParseWeek(%q) = %v, %v; want %v", got, back, err, c.Week)
		}
	}
}

func equalWeeks(a, b [7][]Span) bool {
	for wd := range a {
		if !slices.Equal(a[wd], b[wd]) {
			return false
		}
	}
	return true
}

func TestEaster(t *testing.T) {
	tests := []struct {
		year int
		want string
	}{
		{1995, "1995-04-16"},
		{2000, "2000-04-23"},
		{2008, "2008-03-23"},
		{2019, "2019-04-21"},
		{2024, "2024-03-31"},
		{2025, "2025-04-20"},
		{2026, "2026-04-05"},
		{2027, "2027-03-28"},
		{2038, "2038-04-25"}, // latest possible date again
		{2285, "2285-03-22"}, // earliest possible date
		{1943, "1943-04-25"}, // latest possible date
	}
	for _, tt := range tests {
		if got := easterSunday(tt.year).Format(time.DateOnly); got != tt.want {
			t.Errorf("easterSunday(%d) = %s, want %s", tt.year, got, tt.want)
		}
	}
}

func TestGermanHolidays(t *testing.T) {
	tests := []struct {
		state    string
		from, to int
		want     []string
	}{
		{"BW", 2026, 2026, []string{
			"2026-01-01", "2026-01-06", "2026-04-03", "2026-04-06", "2026-05-01", "2026-05-14",
			"2026-05-25", "2026-06-04", "2026-10-03", "2026-11-01", "2026-12-25", "2026-12-26",
		}},
		{"", 2026, 2026, []string{
			"2026-01-01", "2026-04-03", "2026-04-06", "2026-05-01", "2026-05-14",
			"2026-05-25", "2026-10-03", "2026-12-25", "2026-12-26",
		}},
		{"bw", 2027, 2027, []string{
			"2027-01-01", "2027-01-06", "2027-03-26", "2027-03-29", "2027-05-01", "2027-05-06",
			"2027-05-17", "2027-05-27", "2027-10-03", "2027-11-01", "2027-12-25", "2027-12-26",
		}},
		// Christi Himmelfahrt fell on 1 May.
		{"", 2008, 2008, []string{
			"2008-01-01", "2008-03-21", "2008-03-24", "2008-05-01", "2008-05-12",
			"2008-10-03", "2008-12-25", "2008-12-26",
		}},
		{"", 2017, 2017, []string{
			"2017-01-01", "2017-04-14", "2017-04-17", "2017-05-01", "2017-05-25",
			"2017-06-05", "2017-10-03", "2017-10-31", "2017-12-25", "2017-12-26",
		}},
	}
	for _, tt := range tests {
		got, err := GermanHolidays(tt.state, tt.from, tt.to)
		if err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("GermanHolidays(%q, %d, %d) = %v, %v; want %v", tt.state, tt.from, tt.to, got, err, tt.want)
		}
	}

	several, err := GermanHolidays("BW", 2025, 2030)
	if err != nil {
		t.Fatal(err)
	}
	if len(several) != 6*12 || !slices.IsSorted(several) || several[0] != "2025-01-01" || several[len(several)-1] != "2030-12-26" {
		t.Errorf("GermanHolidays(BW, 2025, 2030) = %v: want 72 sorted dates from 2025-01-01 to 2030-12-26", several)
	}
	c := Calendar{Name: "bw", Location: "Europe/Berlin", Week: mustWeek("mon-fri 08:00-18:00"), Holidays: several}
	if err := c.Validate(); err != nil {
		t.Errorf("a calendar with GermanHolidays does not validate: %v", err)
	}

	for _, bad := range []struct {
		state    string
		from, to int
		want     string
	}{
		{"BY", 2026, 2026, `unknown state "BY"`},
		{"Baden-Württemberg", 2026, 2026, "unknown state"},
		{"BW", 2027, 2026, "from is after to"},
		{"BW", 1990, 2026, "1995..9999"},
		{"BW", 2026, 10000, "1995..9999"},
	} {
		if _, err := GermanHolidays(bad.state, bad.from, bad.to); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("GermanHolidays(%q, %d, %d) error = %v, want one with %q", bad.state, bad.from, bad.to, err, bad.want)
		}
	}
}

func BenchmarkAdd(b *testing.B) {
	c := office(b)
	start := at("2026-03-10 09:17")
	for b.Loop() {
		c.Add(start, 30*10*time.Hour) // 30 working days
	}
}

func BenchmarkBetween(b *testing.B) {
	c := office(b)
	from, to := at("2026-03-10 09:17"), at("2026-04-21 09:17")
	for b.Loop() {
		c.Between(from, to)
	}
}

// BetweenEach gives what Between gives for each start, in any order, across DST changes,
// holidays and spans longer than SearchDays dates.
func TestBetweenEach(t *testing.T) {
	calendars := []Calendar{
		office(t),
		AllDay("24x7"),
		{Name: "split", Location: "Europe/Berlin", Week: mustWeek("mon-fri 07:30-12:00, 13:00-16:45; sat 09:00-12:00; sun 01:00-04:00")},
		{Name: "new york", Location: "America/New_York", Week: mustWeek("mon-fri 09:00-17:00")},
	}
	to := at("2026-11-27 15:00")
	froms := []time.Time{
		at("2026-11-27 15:00"), at("2026-11-27 16:00"), at("2026-11-27 14:59"), at("2026-03-10 09:00"),
		at("2026-03-29 01:30"), at("2026-10-25 02:30"), at("2026-12-24 16:00"), at("2024-01-01 00:00"),
		at("2026-03-10 09:00"), at("2026-11-21 10:00"), at("2026-11-22 10:00"), // a weekend: the same working time
		to.AddDate(-(SearchDays/365)-1, 0, 0), to.AddDate(0, 0, -SearchDays+2), to.AddDate(0, 0, -SearchDays+1),
		to.AddDate(0, 0, -SearchDays), to.AddDate(0, 0, -SearchDays-1), // where Between stops counting before to
		time.Date(2025, 6, 1, 3, 4, 5, 6, time.UTC),
	}
	for i := range 40 { // every 47 hours and 13 minutes back, at odd times of day
		froms = append(froms, to.Add(-time.Duration(i)*(47*time.Hour+13*time.Minute)))
	}
	for _, c := range calendars {
		got := c.BetweenEach(froms, to)
		for i, from := range froms {
			if want := c.Between(from, to); got[i] != want {
				t.Errorf("%s: BetweenEach: from %v: %v, Between: %v", c.Name, from, got[i], want)
			}
		}
	}
	if got := office(t).BetweenEach(nil, to); len(got) != 0 {
		t.Errorf("BetweenEach of none: %v", got)
	}
}

// BenchmarkBetweenEach is the dashboard's SLA widget: 500 breached targets over three years.
func BenchmarkBetweenEach(b *testing.B) {
	c := office(b)
	to := at("2026-11-27 15:00")
	froms := make([]time.Time, 500)
	for i := range froms {
		froms[i] = to.Add(-time.Duration(i*i) * 6 * time.Minute) // the oldest three years back
	}
	for b.Loop() {
		c.BetweenEach(froms, to)
	}
}
