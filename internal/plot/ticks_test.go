package plot

import (
	"slices"
	"testing"
	"time"

	"gonum.org/v1/plot/vg"
)

func TestDateTicks(t *testing.T) {
	// Labels 6 points per character on an axis 8 inches long.
	ticker := dateTicks{
		loc:        time.UTC,
		length:     8 * vg.Inch,
		labelWidth: func(s string) vg.Length { return vg.Points(6 * float64(len(s))) },
	}
	start := time.Date(1996, time.April, 12, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name   string
		end    time.Time
		layout string
		// on reports whether a labelled tick falls where the step says.
		on func(time.Time) bool
	}{
		{"20 years", start.AddDate(20, 0, 0), "2006", func(at time.Time) bool { return at.YearDay() == 1 && at.Year()%2 == 0 }},
		{"10 months", start.AddDate(0, 10, 0), "2006-01", func(at time.Time) bool { return at.Day() == 1 }},
		{"12 days", start.AddDate(0, 0, 12), "2006-01-02", func(at time.Time) bool { return at.Hour() == 0 }},
		{"3 weeks", start.AddDate(0, 0, 21), "2006-01-02", func(at time.Time) bool { return at.Weekday() == time.Monday }},
	} {
		lo, hi := float64(start.Unix()), float64(tc.end.Unix())
		labelled := 0
		for _, tick := range ticker.Ticks(lo, hi) {
			if tick.Value < lo || tick.Value > hi {
				t.Errorf("%s: tick at %v outside the axis", tc.name, tick.Value)
			}
			if tick.IsMinor() {
				continue
			}
			labelled++
			at := time.Unix(int64(tick.Value), 0).UTC()
			if tick.Label != at.Format(tc.layout) || !tc.on(at) {
				t.Errorf("%s: tick %q at %s, want labels like %q on the step", tc.name, tick.Label, at, tc.layout)
			}
		}
		width := vg.Length(labelled) * 2 * ticker.labelWidth(tc.layout)
		if labelled < 2 || width > ticker.length {
			t.Errorf("%s: %d labels, want at least 2 fitting the axis", tc.name, labelled)
		}
	}
}

func TestNumberTicks(t *testing.T) {
	rows := numberTicks{
		length:    8 * vg.Inch,
		labelSize: func(s string) vg.Length { return vg.Points(6 * float64(len(s))) },
		spacing:   2,
		least:     1,
	}
	prices := rows
	prices.least = 0
	for _, tc := range []struct {
		ticker   numberTicks
		min, max float64
		labels   []string
	}{
		{rows, 1, 7, []string{"1", "2", "3", "4", "5", "6", "7"}},
		{rows, 1, 200, []string{"20", "40", "60", "80", "100", "120", "140", "160", "180", "200"}},
		{rows, 1, 7438, []string{"1000", "2000", "3000", "4000", "5000", "6000", "7000"}},
		{prices, 0.01, 0.075, []string{"0.01", "0.02", "0.03", "0.04", "0.05", "0.06", "0.07"}},
		{prices, -3.7, 2.2, []string{"-3.5", "-3.0", "-2.5", "-2.0", "-1.5", "-1.0", "-0.5", "0.0", "0.5", "1.0", "1.5", "2.0"}},
	} {
		var labels []string
		for _, tick := range tc.ticker.Ticks(tc.min, tc.max) {
			if tick.Value < tc.min || tick.Value > tc.max {
				t.Errorf("[%g, %g]: tick at %g outside the axis", tc.min, tc.max, tick.Value)
			}
			if !tick.IsMinor() {
				labels = append(labels, tick.Label)
			}
		}
		if !slices.Equal(labels, tc.labels) {
			t.Errorf("[%g, %g]: labels %q, want %q", tc.min, tc.max, labels, tc.labels)
		}
	}
}
