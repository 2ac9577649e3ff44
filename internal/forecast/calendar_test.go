package forecast

import (
	"bytes"
	"math"
	"slices"
	"strings"
	"testing"
	"time"
)

func day(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

func days(ss ...string) []time.Time {
	out := make([]time.Time, len(ss))
	for i, s := range ss {
		out[i] = day(s)
	}
	return out
}

// sameFloats compares with NaN equal to NaN, bit for bit otherwise.
func sameFloats(a, b []float64) bool {
	return slices.EqualFunc(a, b, func(x, y float64) bool { return x == y || math.IsNaN(x) && math.IsNaN(y) })
}

func sampleTable(dated bool) *Table {
	nan := math.NaN()
	t := &Table{
		First:     7,
		Actual:    []float64{10, 11.5, 12.25, nan, nan},
		Predicted: []float64{nan, 11.25, 12.125, 12.5, 12.75},
		Split:     []Span{SpanTrain, SpanValidation, SpanTest, SpanForecast, SpanForecast},
		Bands: []TableBand{
			{Level: 0.8, Lo: []float64{nan, 11, 11.75, 12, 12.1}, Hi: []float64{nan, 11.5, 12.5, 13, 13.4}},
			{Level: 0.975, Lo: []float64{nan, 10.5, 11.5, 11.5, 11.25}, Hi: []float64{nan, 12, 12.75, 13.5, 14.25}},
		},
	}
	if dated {
		t.Dates = days("2024-05-30", "2024-05-31", "2024-06-03", "2024-06-04", "2024-06-05")
	}
	return t
}

func sameTable(t *testing.T, name string, got, want *Table) {
	t.Helper()
	if !slices.EqualFunc(got.Dates, want.Dates, time.Time.Equal) || (got.Dates == nil) != (want.Dates == nil) {
		t.Errorf("%s: dates %v, want %v", name, got.Dates, want.Dates)
	}
	if want.Dates == nil && got.First != want.First {
		t.Errorf("%s: first row %d, want %d", name, got.First, want.First)
	}
	if !sameFloats(got.Actual, want.Actual) || !sameFloats(got.Predicted, want.Predicted) || !slices.Equal(got.Split, want.Split) {
		t.Errorf("%s: rows %v %v %v, want %v %v %v", name, got.Actual, got.Predicted, got.Split, want.Actual, want.Predicted, want.Split)
	}
	if len(got.Bands) != len(want.Bands) {
		t.Fatalf("%s: %d bands, want %d", name, len(got.Bands), len(want.Bands))
	}
	for k, b := range want.Bands {
		g := got.Bands[k]
		if g.Level != b.Level || !sameFloats(g.Lo, b.Lo) || !sameFloats(g.Hi, b.Hi) {
			t.Errorf("%s: band %d = %+v, want %+v", name, k, g, b)
		}
	}
}

// TestReadTableRoundTrips writes tables as JSON and CSV and reads them back
// with ReadTable, which tells the two apart.
func TestReadTableRoundTrips(t *testing.T) {
	for _, dated := range []bool{true, false} {
		want := sampleTable(dated)
		for _, f := range []struct {
			name  string
			write func(*Table, *bytes.Buffer) error
		}{
			{"json", func(t *Table, b *bytes.Buffer) error { return t.WriteJSON(b) }},
			{"csv", func(t *Table, b *bytes.Buffer) error { return t.WriteCSV(b) }},
		} {
			var b bytes.Buffer
			if err := f.write(want, &b); err != nil {
				t.Fatal(err)
			}
			got, err := ReadTable(strings.NewReader("\n  "+b.String()), "p."+f.name)
			if err != nil {
				t.Fatalf("%s (dated %v): %v", f.name, dated, err)
			}
			sameTable(t, f.name, got, want)
		}
	}
}

func TestReadJSONErrors(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`[]`, "no rows"},
		{`{"date": 1}`, "not a predictions JSON array"},
		{`[{"date":"1","actual":1,"predicted":null,"split":"data","intervals":{"lo80":1,"hi80":2}},{"date":"2","actual":1,"predicted":1,"split":"data"}]`, "row 2: no lo80 and hi80"},
		{`[{"date":"1","actual":1,"predicted":null,"split":"data","intervals":{"loX":1,"hiX":2}}]`, `interval "loX"`},
	} {
		_, err := ReadTable(strings.NewReader(tc.in), "p.json")
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "p.json: ") {
			t.Errorf("ReadTable(%s) = %v, want an error naming p.json and %q", tc.in, err, tc.want)
		}
	}
}

func TestFuture(t *testing.T) {
	tb := sampleTable(true)
	f := tb.Future()
	want := &Table{Dates: tb.Dates[3:], First: 10, Actual: tb.Actual[3:], Predicted: tb.Predicted[3:], Split: tb.Split[3:]}
	for _, b := range tb.Bands {
		want.Bands = append(want.Bands, TableBand{Level: b.Level, Lo: b.Lo[3:], Hi: b.Hi[3:]})
	}
	sameTable(t, "Future", f, want)
	if f.First != 10 {
		t.Errorf("Future().First = %d, want 10", f.First)
	}
	none := &Table{Actual: []float64{1, 2}, Predicted: []float64{1, 2}, Split: []Span{SpanData, SpanData}}
	if n := none.Future().Len(); n != 0 {
		t.Errorf("Future of a table with no forecast has %d rows", n)
	}
}

// datesFrom returns n dates from start, stepping by step days, skipping the
// weekends when business is set.
func datesFrom(start string, n, step int, business bool) []time.Time {
	d := day(start)
	var out []time.Time
	for len(out) < n {
		if wd := d.Weekday(); !business || wd != time.Saturday && wd != time.Sunday {
			out = append(out, d)
		}
		d = d.AddDate(0, 0, step)
	}
	return out
}

func TestCalendarOf(t *testing.T) {
	holidays := datesFrom("2024-01-01", 60, 1, true)
	holidays = slices.Delete(holidays, 10, 11) // a Monday holiday: Friday to Tuesday
	gappy := days("2024-01-01", "2024-01-02", "2024-01-10", "2024-01-11", "2024-01-12", "2024-01-25", "2024-01-26", "2024-01-29", "2024-02-20")
	for _, tc := range []struct {
		name  string
		dates []time.Time
		want  Calendar
		warn  string
	}{
		{"business days", datesFrom("2024-01-01", 30, 1, true), BusinessDays, ""},
		{"with a holiday", holidays, BusinessDays, ""},
		{"every day", datesFrom("2024-01-01", 30, 1, false), EveryDay, ""},
		{"weekly", datesFrom("2024-01-05", 20, 7, false), Weekly, ""},
		{"month ends", days("2024-01-31", "2024-02-29", "2024-03-31", "2024-04-30", "2024-05-31"), Monthly, ""},
		{"quarterly", datesFrom("2024-01-01", 10, 91, false), BusinessDays, "usually step by 91 days"},
		{"gappy business days", gappy, BusinessDays, "3 of the 8 steps between dates are irregular"},
		{"one date", days("2024-01-06"), BusinessDays, ""},
	} {
		c, warn := CalendarOf(tc.dates)
		if c != tc.want || (tc.warn == "") != (warn == "") || !strings.Contains(warn, tc.warn) {
			t.Errorf("%s: CalendarOf = %v, %q; want %v, %q", tc.name, c, warn, tc.want, tc.warn)
		}
	}
}

func TestCalendarNext(t *testing.T) {
	for _, tc := range []struct {
		c    Calendar
		last string
		want []time.Time
	}{
		{BusinessDays, "2024-05-30", days("2024-05-31", "2024-06-03", "2024-06-04")},
		{EveryDay, "2024-05-30", days("2024-05-31", "2024-06-01", "2024-06-02")},
		{Weekly, "2024-05-30", days("2024-06-06", "2024-06-13", "2024-06-20")},
		{Monthly, "2024-01-31", days("2024-02-29", "2024-03-31", "2024-04-30")},
		{Monthly, "2024-01-30", days("2024-02-29", "2024-03-30", "2024-04-30")},
		{Monthly, "2023-11-15", days("2023-12-15", "2024-01-15", "2024-02-15")},
	} {
		if got := tc.c.Next(day(tc.last), 3); !slices.EqualFunc(got, tc.want, time.Time.Equal) {
			t.Errorf("%v after %s = %v, want %v", tc.c, tc.last, got, tc.want)
		}
	}
}
