package forecast

import (
	"bytes"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestWriteJSONByHand writes a dated table with a band as JSON, written
// out by hand.
func TestWriteJSONByHand(t *testing.T) {
	nan := math.NaN()
	tb := &Table{
		Dates:     []time.Time{time.Date(2024, 5, 2, 0, 0, 0, 0, time.UTC), time.Date(2024, 5, 3, 0, 0, 0, 0, time.UTC)},
		Actual:    []float64{1.5, nan},
		Predicted: []float64{nan, 2},
		Split:     []Span{SpanTest, SpanForecast},
		Bands:     []TableBand{{Level: 0.975, Lo: []float64{nan, 1}, Hi: []float64{nan, 3}}},
	}
	want := `[
  {
    "date": "2024-05-02",
    "actual": 1.5,
    "predicted": null,
    "split": "test",
    "intervals": {
      "hi97.5": null,
      "lo97.5": null
    }
  },
  {
    "date": "2024-05-03",
    "actual": null,
    "predicted": 2,
    "split": "forecast",
    "intervals": {
      "hi97.5": 3,
      "lo97.5": 1
    }
  }
]
`
	var b bytes.Buffer
	if err := tb.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	if b.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", b.String(), want)
	}
	tb.Dates, tb.Bands, tb.First = nil, nil, 7
	b.Reset()
	if err := tb.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	if s := b.String(); !strings.Contains(s, `"date": "7"`) || !strings.Contains(s, `"date": "8"`) || strings.Contains(s, "intervals") {
		t.Errorf("undated, no bands:\n%s", s)
	}
}

// TestReadCSVDated reads a dated table with two bands, and one whose rows
// stop being dates part way, which is then undated.
func TestReadCSVDated(t *testing.T) {
	in := " Date ,ACTUAL,predicted,split,LO80,hi80,lo99.5,hi99.5\n" +
		"2024-01-02,1,,train,,,,\n" +
		"2024-01-03,2,1.5,test, 1 ,2,0,3\n"
	tb, err := ReadCSV(strings.NewReader(in), "p.csv")
	if err != nil {
		t.Fatal(err)
	}
	if tb.Len() != 2 || len(tb.Dates) != 2 || !tb.Dates[1].Equal(time.Date(2024, 1, 3, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("read %d rows, dates %v", tb.Len(), tb.Dates)
	}
	nan := math.NaN()
	if len(tb.Bands) != 2 || tb.Bands[0].Level != 0.8 || tb.Bands[1].Level != 0.995 ||
		!slices.EqualFunc(tb.Bands[0].Lo, []float64{nan, 1}, same) || !slices.EqualFunc(tb.Bands[0].Hi, []float64{nan, 2}, same) ||
		!slices.EqualFunc(tb.Bands[1].Lo, []float64{nan, 0}, same) || !slices.EqualFunc(tb.Bands[1].Hi, []float64{nan, 3}, same) ||
		!slices.EqualFunc(tb.Actual, []float64{1, 2}, same) || !slices.EqualFunc(tb.Predicted, []float64{nan, 1.5}, same) ||
		!slices.Equal(tb.Split, []Span{SpanTrain, SpanTest}) {
		t.Errorf("read %+v", tb)
	}
	tb, err = ReadCSV(strings.NewReader("date,actual,predicted,split\n2024-01-02,1,,train\n3,2,1.5,test\n"), "p.csv")
	if err != nil || tb.Dates != nil || tb.Len() != 2 {
		t.Errorf("mixed dates and positions: %+v, %v; want two undated rows", tb, err)
	}
}

func TestReadCSVBandErrors(t *testing.T) {
	head := "date,actual,predicted,split,"
	for _, tc := range []struct{ in, msg string }{
		{head + "lo80,hi90\n", "p.csv:1:5: expected a loNN,hiNN column pair, got lo80,hi90"},
		{head + "x80,hi80\n", "p.csv:1:5: expected a loNN,hiNN column pair"},
		{head + "lo0,hi0\n", `p.csv:1:5: "lo0" does not name an interval level`},
		{head + "lo100,hi100\n", `p.csv:1:5: "lo100" does not name an interval level`},
		{head + "lo,hi\n", `p.csv:1:5: "lo" does not name an interval level`},
		{head + "lo80,hi80,lo90,hi95\n", "p.csv:1:7: expected a loNN,hiNN column pair"},
		{head + "lo80,hi80\n0,1,2,test,x,3\n", `p.csv:2:5: "x" is not a number`},
		{head + "lo80,hi80\n0,1,2,test,1,y\n", `p.csv:2:6: "y" is not a number`},
		{head + "lo80,hi80\n0,1,Inf,test,1,2\n", `p.csv:2:3: "Inf" is not a number`},
		{head + "lo80,hi80\n0,1,2,test,1\n", "p.csv: record on line 2: wrong number of fields"},
		{"date,actual,split,predicted\n", `p.csv:1:3: header must start with date,actual,predicted,split, got "split"`},
	} {
		_, err := ReadCSV(strings.NewReader(tc.in), "p.csv")
		if err == nil || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%q: error %v, want %q", tc.in, err, tc.msg)
		}
	}
}

// TestTailByHand cuts a dated table with a band and forecast rows.
func TestTailByHand(t *testing.T) {
	nan := math.NaN()
	var dates []time.Time
	for i := range 5 {
		dates = append(dates, time.Date(2024, 2, 1+i, 0, 0, 0, 0, time.UTC))
	}
	tb := &Table{
		Dates:     dates,
		First:     10,
		Actual:    []float64{1, 2, 3, nan, nan},
		Predicted: []float64{nan, 1, 2, 3, 4},
		Split:     []Span{SpanData, SpanData, SpanData, SpanForecast, SpanForecast},
		Bands:     []TableBand{{Level: 0.8, Lo: []float64{nan, 0, 1, 2, 3}, Hi: []float64{nan, 2, 3, 4, 5}}},
	}
	for _, n := range []int{0, -1, 3, 4} {
		if got := tb.Tail(n); got != tb {
			t.Errorf("Tail(%d) is not the whole table", n)
		}
	}
	got := tb.Tail(2)
	if got.First != 11 || got.Len() != 4 || !got.Dates[0].Equal(dates[1]) || got.Actual[0] != 2 || got.Predicted[3] != 4 ||
		got.Split[0] != SpanData || len(got.Bands) != 1 || got.Bands[0].Level != 0.8 || got.Bands[0].Lo[0] != 0 || got.Bands[0].Hi[3] != 5 {
		t.Errorf("Tail(2) = %+v", got)
	}
	if got := tb.Tail(1); got.Len() != 3 || got.First != 12 || got.Actual[0] != 3 {
		t.Errorf("Tail(1) = %+v", got)
	}
	fc := &Table{Actual: []float64{nan}, Predicted: []float64{1}, Split: []Span{SpanForecast}}
	if got := fc.Tail(1); got != fc {
		t.Errorf("Tail of a table of forecast rows only: %+v", got)
	}
}

// failWriter fails every write after the first n bytes.
type failWriter struct{ n int }

func (w *failWriter) Write(p []byte) (int, error) {
	if len(p) > w.n {
		k := w.n
		w.n = 0
		return k, errors.New("disk full")
	}
	w.n -= len(p)
	return len(p), nil
}

// TestWriteCSVDatedAndFailing writes a dated table, then the same to a
// writer that fails at the header, in the rows, and at the end.
func TestWriteCSVDatedAndFailing(t *testing.T) {
	tb := &Table{
		Dates:     []time.Time{time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC), time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)},
		Actual:    []float64{1, math.NaN()},
		Predicted: []float64{0.5, 1e-7},
		Split:     []Span{SpanValidation, SpanForecast},
	}
	var b bytes.Buffer
	if err := tb.WriteCSV(&b); err != nil {
		t.Fatal(err)
	}
	if want := "date,actual,predicted,split\n2024-02-29,1,0.5,validation\n2024-03-01,,1e-07,forecast\n"; b.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", b.String(), want)
	}
	for _, n := range []int{0, 30, b.Len() - 1} {
		if err := tb.WriteCSV(&failWriter{n: n}); err == nil || err.Error() != "disk full" {
			t.Errorf("failing after %d bytes: error %v", n, err)
		}
		if err := tb.WriteJSON(&failWriter{n: n}); err == nil {
			t.Errorf("JSON failing after %d bytes: no error", n)
		}
	}
}

func TestReadCSVMalformedHeader(t *testing.T) {
	_, err := ReadCSV(strings.NewReader("date,\"actual\n"), "p.csv")
	if err == nil || !strings.HasPrefix(err.Error(), "p.csv: ") || !strings.Contains(err.Error(), "quote") {
		t.Errorf("a broken quote in the header: error %v", err)
	}
}

// TestWriteCSVTwoBands writes a table with two intervals: each band has its
// own pair of columns.
func TestWriteCSVTwoBands(t *testing.T) {
	tb := &Table{
		Actual:    []float64{1, 2},
		Predicted: []float64{1.5, 2.5},
		Split:     []Span{SpanData, SpanData},
		Bands: []TableBand{
			{Level: 0.5, Lo: []float64{1.25, 2.25}, Hi: []float64{1.75, 2.75}},
			{Level: 0.9, Lo: []float64{1, 2}, Hi: []float64{2, 3}},
		},
	}
	var b bytes.Buffer
	if err := tb.WriteCSV(&b); err != nil {
		t.Fatal(err)
	}
	if want := "date,actual,predicted,split,lo50,hi50,lo90,hi90\n0,1,1.5,data,1.25,1.75,1,2\n1,2,2.5,data,2.25,2.75,2,3\n"; b.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", b.String(), want)
	}
}
