package forecast

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestReadHolidays(t *testing.T) {
	got, err := ReadHolidays(strings.NewReader("# NYSE 2024\n2024-12-25\n\n  2025-01-01  \n"), "h.txt")
	want := []time.Time{day("2024-12-25"), day("2025-01-01")}
	if err != nil || !slices.EqualFunc(got, want, time.Time.Equal) {
		t.Errorf("got %v, %v; want %v", got, err, want)
	}
	if _, err := ReadHolidays(strings.NewReader("2024-12-25\n25/12/2024\n"), "h.txt"); err == nil || err.Error() != `h.txt:2: "25/12/2024" is not a date as YYYY-MM-DD` {
		t.Errorf("a bad line: %v", err)
	}
}

// TestSkipHolidays: a business-day forecast from Monday 2024-12-23 skips
// Christmas (Wednesday) and the weekend; an every-day one skips only
// Christmas; an undated table is left alone.
func TestSkipHolidays(t *testing.T) {
	holidays := []time.Time{day("2024-12-25"), day("2024-12-26")}
	table := func(dates []time.Time, horizon int) *Table {
		n := len(dates)
		tb := &Table{Dates: slices.Clone(dates), Split: make([]Span, n+horizon)}
		for i := range n {
			tb.Split[i] = SpanData
		}
		for i := n; i < n+horizon; i++ {
			tb.Split[i] = SpanForecast
		}
		c, _ := CalendarOf(dates)
		tb.Dates = append(tb.Dates, c.Next(dates[n-1], horizon)...)
		return tb
	}
	business := table(days("2024-12-17", "2024-12-18", "2024-12-19", "2024-12-20", "2024-12-23"), 4)
	business.SkipHolidays(holidays)
	if want := days("2024-12-24", "2024-12-27", "2024-12-30", "2024-12-31"); !slices.EqualFunc(business.Dates[5:], want, time.Time.Equal) {
		t.Errorf("business days: %v, want %v", business.Dates[5:], want)
	}
	daily := table(days("2024-12-20", "2024-12-21", "2024-12-22", "2024-12-23"), 3)
	daily.SkipHolidays(holidays)
	if want := days("2024-12-24", "2024-12-27", "2024-12-28"); !slices.EqualFunc(daily.Dates[4:], want, time.Time.Equal) {
		t.Errorf("every day: %v, want %v", daily.Dates[4:], want)
	}
	undated := &Table{Split: []Span{SpanData, SpanForecast}}
	undated.SkipHolidays(holidays)
	if undated.Dates != nil {
		t.Errorf("an undated table got dates %v", undated.Dates)
	}
}
