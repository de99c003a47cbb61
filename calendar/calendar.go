// Package calendar counts working time. A ticket's SLA clocks (first response, update, solution)
// and its escalation from 1st to 2nd level run only while its service is worked on, so their
// deadlines are sums of working time on the service's business calendar, not of wall-clock time.
//
// The package is used from Temporal workflow code and is therefore deterministic: it never reads
// the clock, starts goroutines, iterates maps in an order that matters or does I/O beyond loading
// a time zone. Zones come from time.LoadLocation, which prefers the system's zoneinfo and falls
// back to the tzdata embedded here; workers that replay each other's histories should run with
// the same zoneinfo (or ZONEINFO pointing at the same file) so a changed DST rule cannot move a
// deadline between runs.
//
// # Working time and wall clocks
//
// A moment is working time when the wall clock in the calendar's zone shows a date that is not a
// holiday and a time of day inside one of that weekday's spans. Working time is then measured as
// real elapsed time. Consequences on DST change days:
//
//   - A 24x7 day has 23 or 25 hours; a span 08:00–18:00 on such a day still has 10 hours.
//   - A wall-clock time that does not exist (02:00–03:00 on the spring change in Europe/Berlin)
//     is never working time: a span 02:00–03:00 has no working time that day, a span 01:00–04:00
//     has two hours.
//   - A wall-clock time that happens twice (02:00–03:00 on the autumn change) is working time both
//     times: a span 02:00–03:00 has two hours that day, a span 01:00–04:00 four hours.
//
// Spans that end at 24:00 and start at 00:00 the next day count as one stretch, so a 24x7
// calendar runs without a break at midnight. Dates are walked one at a time in order; this
// assumes a zone's clock never jumps back from after midnight to the previous date, which holds
// for Europe/Berlin and every zone that changes its clocks at night rather than at midnight.
package calendar

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // so a calendar's zone loads on machines without zoneinfo
)

// Span is one stretch of working time on a day, in minutes after local midnight; End may be 1440.
type Span struct{ Start, End int }

// String shows the span the way ParseWeek reads it, e.g. "08:00-18:00".
func (s Span) String() string { return clock(s.Start) + "-" + clock(s.End) }

// Calendar says when a service is worked on: working spans per weekday in the calendar's time
// zone, minus public holidays.
//
// Only calendars that pass Validate give meaningful results. The methods still never fail or
// loop without end on other calendars: a Location that cannot be loaded is treated as UTC, and
// every search stops after SearchDays calendar days.
type Calendar struct {
	Name     string
	Location string    // IANA zone, e.g. "Europe/Berlin"; "" means UTC
	Week     [7][]Span // indexed by time.Weekday (0 = Sunday)
	Holidays []string  // dates "2026-12-24" in Location: no working time that whole day; any order
}

// SearchDays bounds every search through the calendar (about ten years of dates). A deadline
// that lies further out is not a deadline anyone waits for, and the bound keeps a calendar
// without working time from looping forever.
const SearchDays = 3653

const minutesPerDay = 24 * 60

// AllDay is the calendar of services that run around the clock. Its zone is Europe/Berlin rather
// than UTC so that its days, and any holidays someone adds, are the days people in Ulm see.
func AllDay(name string) Calendar {
	c := Calendar{Name: name, Location: "Europe/Berlin"}
	for wd := range c.Week {
		c.Week[wd] = []Span{{0, minutesPerDay}}
	}
	return c
}

// Validate reports everything that would make the calendar's deadlines wrong, all at once, so an
// admin can fix a calendar in one go.
func (c Calendar) Validate() error {
	var errs []error
	fail := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("calendar %q: %s", c.Name, fmt.Sprintf(format, args...)))
	}
	if _, err := location(c.Location); err != nil {
		fail("%v", err)
	}
	working := false
	for wd, spans := range c.Week {
		if err := checkSpans(spans); err != nil {
			fail("%s: %v", dayNames[wd], err)
		}
		working = working || len(spans) > 0
	}
	if !working {
		fail("no working time in the whole week")
	}
	for _, h := range c.Holidays {
		if _, err := time.Parse(time.DateOnly, h); err != nil {
			fail("holiday %q is not a date like 2026-12-24", h)
		}
	}
	return errors.Join(errs...)
}

// checkSpans is shared by Validate and ParseWeek so that both accept exactly the same days.
func checkSpans(spans []Span) error {
	for i, s := range spans {
		switch {
		case s.Start < 0 || s.End > minutesPerDay:
			return fmt.Errorf("span %v is outside 00:00-24:00", s)
		case s.Start >= s.End:
			return fmt.Errorf("span %v does not end after it starts", s)
		case i > 0 && s.Start < spans[i-1].End:
			return fmt.Errorf("span %v starts before the previous span %v ends (spans must be sorted and must not overlap)", s, spans[i-1])
		}
	}
	return nil
}

// Add returns the moment at which d of working time has passed after start: the deadline of an
// SLA clock started at start.
//
// When d runs out exactly at the end of a span, Add returns that end (Friday 17:00 plus one hour
// is Friday 18:00, not Monday 08:00), because that is when the time really ran out. For d <= 0
// Add returns NextWorking(start) — start itself inside working time, else the start of the next
// span — since a clock started outside working hours starts when work does; negative durations
// count as 0.
//
// The result is in start's Location. If d is not used up within SearchDays dates, Add returns
// local midnight after the last date searched: a far-future bound instead of an endless loop.
func (c Calendar) Add(start time.Time, d time.Duration) time.Time {
	if d <= 0 {
		return c.NextWorking(start)
	}
	w := c.worktime()
	first := w.dayOf(start)
	for day := first; day < first+SearchDays; day++ {
		for _, iv := range w.intervals(day) {
			if !iv.end.After(start) {
				continue
			}
			from := later(iv.start, start)
			if left := iv.end.Sub(from); d > left {
				d -= left
				continue
			}
			return from.Add(d).In(start.Location())
		}
	}
	return w.midnight(first + SearchDays).In(start.Location())
}

// Between returns the working time in [from, to), 0 when to <= from: how much of an SLA clock a
// ticket has used. Only the first SearchDays dates from from on are counted.
func (c Calendar) Between(from, to time.Time) time.Duration {
	w := c.worktime()
	return w.between(from, to)
}

// BetweenEach returns Between(from, to) for each of froms, in their order. It walks the dates
// from the earliest of froms to to once, not once for each: the dashboard asks how long ago
// hundreds of SLA targets passed, some of them years back, and each Between walks every date
// since its target.
//
// Working time is a set of instants, so the working time in [a, c) is that in [a, b) plus that
// in [b, c): sorted latest first, each from adds the stretch up to the previous one. A from
// whose span to to is longer than SearchDays dates, where Between stops counting early, is
// measured on its own.
func (c Calendar) BetweenEach(froms []time.Time, to time.Time) []time.Duration {
	out := make([]time.Duration, len(froms))
	w := c.worktime()
	last := w.dayOf(to)
	chained := make([]int, 0, len(froms))
	for i, from := range froms {
		switch {
		case !to.After(from):
		case last-w.dayOf(from) >= SearchDays:
			out[i] = w.between(from, to)
		default:
			chained = append(chained, i)
		}
	}
	slices.SortFunc(chained, func(a, b int) int { return froms[b].Compare(froms[a]) })
	sum, prev := time.Duration(0), to
	for _, i := range chained {
		sum += w.between(froms[i], prev)
		out[i], prev = sum, froms[i]
	}
	return out
}

func (w *worktime) between(from, to time.Time) time.Duration {
	if !to.After(from) {
		return 0
	}
	first := w.dayOf(from)
	last := min(w.dayOf(to), first+SearchDays-1)
	var sum time.Duration
	for day := first; day <= last; day++ {
		for _, iv := range w.intervals(day) {
			if s, e := later(iv.start, from), earlier(iv.end, to); s.Before(e) {
				sum += e.Sub(s)
			}
		}
	}
	return sum
}

// Working reports whether t is inside working time, e.g. whether a reminder may go out now.
func (c Calendar) Working(t time.Time) bool {
	w := c.worktime()
	for _, iv := range w.intervals(w.dayOf(t)) {
		if !t.Before(iv.start) && t.Before(iv.end) {
			return true
		}
	}
	return false
}

// NextWorking returns t itself if it is working time, else the start of the next span: when a
// clock started at t begins to run. The result is in t's Location; if there is no working time
// within SearchDays dates it is local midnight after the last date searched.
func (c Calendar) NextWorking(t time.Time) time.Time {
	w := c.worktime()
	first := w.dayOf(t)
	for day := first; day < first+SearchDays; day++ {
		for _, iv := range w.intervals(day) {
			if !iv.end.After(t) {
				continue
			}
			if iv.start.After(t) {
				return iv.start.In(t.Location())
			}
			return t
		}
	}
	return w.midnight(first + SearchDays).In(t.Location())
}

// locations caches loaded zones: loading one reads and parses zoneinfo, and the same name always
// gives the same zone.
var locations sync.Map // zone name → *time.Location

func location(name string) (*time.Location, error) {
	switch name {
	case "", "UTC":
		return time.UTC, nil
	case "Local":
		// The machine's zone would make deadlines depend on which worker computes them.
		return nil, errors.New(`time zone "Local" depends on the machine; name a zone such as "Europe/Berlin"`)
	}
	if l, ok := locations.Load(name); ok {
		return l.(*time.Location), nil
	}
	l, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("unknown time zone %q", name)
	}
	locations.Store(name, l)
	return l, nil
}

// day is a date of the calendar's zone, counted in days since 1970-01-01.
type day int64

func civilDay(y int, m time.Month, d int) day {
	return day(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

func (d day) weekday() time.Weekday { return time.Weekday((int64(d)%7 + 7 + 4) % 7) } // 1970-01-01 was a Thursday

// key writes the date the way Calendar.Holidays does, "2026-12-24", without the cost of
// time.Format: it runs for every working day Add walks. ok is false for years that cannot be
// written with four digits, which therefore have no holidays.
func (d day) key() (key string, ok bool) {
	y, m, dd := time.Unix(int64(d)*86400, 0).UTC().Date()
	if y < 0 || y > 9999 {
		return "", false
	}
	var b [10]byte
	two := func(at, n int) { b[at], b[at+1] = byte('0'+n/10), byte('0'+n%10) }
	two(0, y/100)
	two(2, y%100)
	b[4] = '-'
	two(5, int(m))
	b[7] = '-'
	two(8, dd)
	return string(b[:]), true
}

// interval is a stretch of working time as instants.
type interval struct{ start, end time.Time }

// worktime is a calendar prepared for one call: zone loaded, holidays sorted for binary search.
type worktime struct {
	week     [7][]Span
	loc      *time.Location
	holidays []string
	buf      [4]interval // backs the result of intervals, so walking days does not allocate
}

func (c Calendar) worktime() worktime {
	w := worktime{week: c.Week, loc: time.UTC, holidays: c.Holidays}
	if l, err := location(c.Location); err == nil {
		w.loc = l
	}
	// "2026-12-24" sorts like the dates it names; the holidays from GermanHolidays are sorted already.
	if !slices.IsSorted(w.holidays) {
		w.holidays = slices.Sorted(slices.Values(w.holidays))
	}
	return w
}

func (w *worktime) dayOf(t time.Time) day { return civilDay(t.In(w.loc).Date()) }

func (w *worktime) midnight(d day) time.Time {
	y, m, dd := time.Unix(int64(d)*86400, 0).UTC().Date()
	return time.Date(y, m, dd, 0, 0, 0, 0, w.loc)
}

func (w *worktime) holiday(d day) bool {
	if len(w.holidays) == 0 {
		return false
	}
	key, ok := d.key()
	if !ok {
		return false
	}
	_, found := slices.BinarySearch(w.holidays, key)
	return found
}

// intervals returns the working time of date d as instants, in time order. The result is only
// valid until the next call.
//
// Within one stretch of constant UTC offset the wall clock reads instant+offset, so wall time m
// minutes after midnight of d is the instant midnight(d, UTC) + m − offset. Every span is mapped
// that way for each offset in force around d and cut to the stretch in which that offset holds;
// this yields the gap and doubled-hour behaviour described in the package comment.
func (w *worktime) intervals(d day) []interval {
	spans := w.week[d.weekday()]
	if len(spans) == 0 || w.holiday(d) {
		return nil
	}
	const margin = 24 * 60 * 60 // no zone is a day or more away from UTC
	midnight := int64(d) * 86400
	hi := time.Unix(midnight+86400+margin, 0)
	out := w.buf[:0]
	for t := time.Unix(midnight-margin, 0).In(w.loc); t.Before(hi); {
		_, offset := t.Zone()
		_, next := t.ZoneBounds()
		if next.IsZero() || !next.After(t) || next.After(hi) {
			next = hi
		}
		base := time.Unix(midnight-int64(offset), 0)
		for _, s := range spans {
			iv := interval{
				start: later(base.Add(time.Duration(s.Start)*time.Minute), t),
				end:   earlier(base.Add(time.Duration(s.End)*time.Minute), next),
			}
			if iv.start.Before(iv.end) {
				out = append(out, iv)
			}
		}
		t = next
	}
	return out
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// dayNames is indexed by time.Weekday; weekOrder is the order in which admins read a week.
var (
	dayNames  = [7]string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}
	weekOrder = [7]time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday}
)

// ParseWeek reads a week the way admins write opening hours:
//
//	mon-fri 08:00-18:00; sat 09:00-12:00, 13:00-15:00
//	mon-sun 00:00-24:00
//	mon,wed,fri 08:00-12:00; tue-thu 13:00-16:00
//
// Groups are separated by ";"; each names days (three-letter English names, ranges running
// mon..sun, lists separated by ",") and then times hh:mm-hh:mm separated by ",". A day named in
// several groups gets all their spans; spans are sorted and must not overlap. Days not named have
// no working time; "" is a week without any, which Validate rejects.
func ParseWeek(s string) ([7][]Span, error) {
	var week [7][]Span
	for _, group := range strings.Split(s, ";") {
		group = strings.TrimSpace(group)
		if group == "" {
			continue
		}
		i := strings.IndexAny(group, "0123456789")
		if i < 0 {
			return [7][]Span{}, fmt.Errorf("week %q: %q has no times (want e.g. \"mon-fri 08:00-18:00\")", s, group)
		}
		days, err := parseDays(group[:i])
		if err != nil {
			return [7][]Span{}, fmt.Errorf("week %q: %q: %v", s, group, err)
		}
		spans, err := parseSpans(group[i:])
		if err != nil {
			return [7][]Span{}, fmt.Errorf("week %q: %q: %v", s, group, err)
		}
		for _, wd := range days {
			week[wd] = append(week[wd], spans...)
		}
	}
	for wd := range week {
		slices.SortFunc(week[wd], func(a, b Span) int {
			if a.Start != b.Start {
				return a.Start - b.Start
			}
			return a.End - b.End
		})
		if err := checkSpans(week[wd]); err != nil {
			return [7][]Span{}, fmt.Errorf("week %q: %s: %v", s, dayNames[wd], err)
		}
	}
	return week, nil
}

func parseDays(s string) ([]time.Weekday, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, errors.New("no days before the times")
	}
	var days []time.Weekday
	for _, item := range strings.Split(s, ",") {
		item = strings.TrimSpace(item)
		a, b, isRange := strings.Cut(item, "-")
		from, err := weekPos(a)
		if err != nil {
			return nil, err
		}
		to := from
		if isRange {
			if to, err = weekPos(b); err != nil {
				return nil, err
			}
			if to < from {
				return nil, fmt.Errorf("day range %q runs backwards (a week runs mon..sun)", item)
			}
		}
		for p := from; p <= to; p++ {
			days = append(days, weekOrder[p])
		}
	}
	return days, nil
}

// weekPos returns the position of a day name in weekOrder.
func weekPos(name string) (int, error) {
	name = strings.ToLower(strings.TrimSpace(name))
	for p, wd := range weekOrder {
		if dayNames[wd] == name {
			return p, nil
		}
	}
	return 0, fmt.Errorf("unknown day %q (want mon, tue, wed, thu, fri, sat or sun)", name)
}

func parseSpans(s string) ([]Span, error) {
	var spans []Span
	for _, item := range strings.Split(s, ",") {
		item = strings.TrimSpace(item)
		a, b, ok := strings.Cut(item, "-")
		if !ok {
			return nil, fmt.Errorf("%q is not a span like 08:00-18:00", item)
		}
		start, err := parseClock(a)
		if err != nil {
			return nil, err
		}
		end, err := parseClock(b)
		if err != nil {
			return nil, err
		}
		spans = append(spans, Span{start, end})
	}
	return spans, nil
}

func parseClock(s string) (int, error) {
	s = strings.TrimSpace(s)
	hh, mm, _ := strings.Cut(s, ":")
	h, m := number(hh), number(mm)
	if len(hh) > 2 || len(mm) != 2 || h < 0 || m < 0 || m > 59 || h*60+m > minutesPerDay {
		return 0, fmt.Errorf("%q is not a time between 00:00 and 24:00", s)
	}
	return h*60 + m, nil
}

// number returns the value of a string of decimal digits, or -1 for anything else (signs too).
func number(s string) int {
	if s == "" {
		return -1
	}
	n := 0
	for _, r := range s {
		if r < '0' || r > '9' {
			return -1
		}
		n = n*10 + int(r-'0')
	}
	return n
}

// clock writes minutes after midnight as hh:mm; values outside the day stay readable in errors.
func clock(m int) string {
	if m < 0 {
		return "-" + clock(-m)
	}
	return fmt.Sprintf("%02d:%02d", m/60, m%60)
}

// WeekString shows the calendar's week to an admin in the form ParseWeek reads, with days that
// have the same spans named together: "mon-fri 08:00-18:00; sat 09:00-12:00, 13:00-15:00".
// ParseWeek(c.WeekString()) gives back c.Week for every calendar that passes Validate.
func (c Calendar) WeekString() string {
	var groups []string
	var done [7]bool
	for p, wd := range weekOrder {
		if done[p] || len(c.Week[wd]) == 0 {
			continue
		}
		var same []int // positions in weekOrder
		for q := p; q < len(weekOrder); q++ {
			if !done[q] && slices.Equal(c.Week[weekOrder[q]], c.Week[wd]) {
				same = append(same, q)
				done[q] = true
			}
		}
		spans := make([]string, len(c.Week[wd]))
		for i, s := range c.Week[wd] {
			spans[i] = s.String()
		}
		groups = append(groups, formatDays(same)+" "+strings.Join(spans, ", "))
	}
	return strings.Join(groups, "; ")
}

// formatDays writes positions in weekOrder as ranges of consecutive days: "mon-wed,fri".
func formatDays(positions []int) string {
	var items []string
	for i := 0; i < len(positions); {
		j := i
		for j+1 < len(positions) && positions[j+1] == positions[j]+1 {
			j++
		}
		item := dayNames[weekOrder[positions[i]]]
		if j > i {
			item += "-" + dayNames[weekOrder[positions[j]]]
		}
		items = append(items, item)
		i = j + 1
	}
	return strings.Join(items, ",")
}
