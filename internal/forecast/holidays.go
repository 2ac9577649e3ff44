package forecast

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// MaxHolidays bounds a holiday list: a century of an exchange's closures
// is about a thousand dates.
const MaxHolidays = 100_000

// ReadHolidays reads a holiday list: one date a line, as YYYY-MM-DD, with
// blank lines and lines starting with # ignored, so that an exchange's
// published closures can be pasted in. name labels errors, which give the
// line.
func ReadHolidays(r io.Reader, name string) ([]time.Time, error) {
	var days []time.Time
	sc := bufio.NewScanner(r)
	for line := 1; sc.Scan(); line++ {
		s := strings.TrimSpace(sc.Text())
		if s == "" || strings.HasPrefix(s, "#") {
			continue
		}
		d, err := time.Parse(time.DateOnly, s)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %q is not a date as YYYY-MM-DD", name, line, s)
		}
		if len(days) == MaxHolidays {
			return nil, fmt.Errorf("%s: more than %d holidays", name, MaxHolidays)
		}
		days = append(days, d)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return days, nil
}

// SkipHolidays dates t's forecast rows past holidays: each takes the next
// date of its series' calendar (see CalendarOf) that is not a holiday. An
// undated table, or one without forecast rows, is left as it is.
func (t *Table) SkipHolidays(holidays []time.Time) {
	first := slices.Index(t.Split, SpanForecast)
	if t.Dates == nil || first < 1 || len(holidays) == 0 {
		return
	}
	c, _ := CalendarOf(t.Dates[:first])
	copy(t.Dates[first:], openDays(c, t.Dates[first-1], len(t.Dates)-first, holidays))
}

// openDays returns the n dates of calendar c after last that are not
// holidays; with none, c.Next's.
func openDays(c Calendar, last time.Time, n int, holidays []time.Time) []time.Time {
	if len(holidays) == 0 {
		return c.Next(last, n)
	}
	closed := make(map[int]bool, len(holidays))
	for _, h := range holidays {
		closed[dayNumber(h)] = true
	}
	days := make([]time.Time, n)
	for i := range days {
		next := c.Next(last, 1)[0]
		for closed[dayNumber(next)] {
			next = c.Next(next, 1)[0]
		}
		days[i], last = next, next
	}
	return days
}
