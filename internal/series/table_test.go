package series

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// sameFloats reports whether a and b hold the same values, NaN matching NaN.
func sameFloats(a, b []float64) bool {
	return slices.EqualFunc(a, b, func(x, y float64) bool {
		return x == y || math.IsNaN(x) && math.IsNaN(y)
	})
}

// TestLoadTableNulls loads a file with missing cells in some columns only:
// a missing target drops (or fills) its row, another missing cell carries
// the value before it, and a text column is left out.
func TestLoadTableNulls(t *testing.T) {
	nan := math.NaN()
	tests := []struct {
		fill    string
		dates   []time.Time
		columns [][]float64 // open, high, low, close, volume
		dropped int
	}{
		{"drop", days("2024-01-02", "2024-01-03", "2024-01-05"), [][]float64{
			{nan, 10.6, 11}, {11, 11.5, 12.5}, {9, 10, 11}, {10.5, 11, 12}, {100, 100, 300}}, 1},
		{"ffill", days("2024-01-02", "2024-01-03", "2024-01-04", "2024-01-05"), [][]float64{
			{nan, 10.6, 11, 11}, {11, 11.5, 12, 12.5}, {9, 10, 10, 11}, {10.5, 11, 11, 12}, {100, 100, 300, 300}}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.fill, func(t *testing.T) {
			tab, err := LoadTableFile(context.Background(), filepath.Join("testdata", "ohlcv_nulls.csv"), Options{Fill: tt.fill})
			if err != nil {
				t.Fatal(err)
			}
			if want := []string{"open", "high", "low", "close", "volume"}; !slices.Equal(tab.Names, want) {
				t.Fatalf("names %q, want %q", tab.Names, want)
			}
			if !slices.EqualFunc(tab.Dates, tt.dates, time.Time.Equal) {
				t.Errorf("dates %v, want %v", tab.Dates, tt.dates)
			}
			for j, want := range tt.columns {
				if !sameFloats(tab.Columns[j], want) {
					t.Errorf("column %s %v, want %v", tab.Names[j], tab.Columns[j], want)
				}
			}
			if !sameFloats(tab.Lookup("CLOSE"), tab.Values) || tab.Lookup("adj close") != nil {
				t.Errorf("Lookup: close %v (values %v), adj close %v", tab.Lookup("CLOSE"), tab.Values, tab.Lookup("adj close"))
			}
			if want := []int{1, 0, 1, 0, 2}; !slices.Equal(tab.Carried, want) {
				t.Errorf("carried %v, want %v", tab.Carried, want)
			}
			if tab.Dropped != tt.dropped {
				t.Errorf("dropped %d, want %d", tab.Dropped, tt.dropped)
			}
			if !slices.ContainsFunc(tab.Notes, func(n string) bool { return strings.Contains(n, `carried 2 missing value(s) of column "Volume"`) }) {
				t.Errorf("no note on the carried volumes in %q", tab.Notes)
			}
		})
	}
}

// TestLoadTableMatchesLoad checks that LoadTable's target column is Load's
// series, value for value and note for note, on every file both read.
func TestLoadTableMatchesLoad(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "*"))
	if err != nil {
		t.Fatal(err)
	}
	shared, _ := filepath.Glob(filepath.Join(sharedData, "*.csv"))
	files = append(files, shared...)
	read := 0
	for _, f := range files {
		for _, opt := range []Options{{}, {Fill: "ffill"}} {
			s, err := LoadFile(context.Background(), f, opt)
			if err != nil {
				continue
			}
			read++
			tab, err := LoadTableFile(context.Background(), f, opt)
			if err != nil {
				t.Errorf("%s: Load reads it, LoadTable: %v", f, err)
				continue
			}
			if !slices.EqualFunc(tab.Dates, s.Dates, time.Time.Equal) || !slices.Equal(tab.Values, s.Values) ||
				tab.Lookup(s.Column) == nil || !slices.Equal(tab.Lookup(s.Column), s.Values) ||
				tab.Dropped != s.Dropped || tab.Filled != s.Filled || tab.NonPositive != s.NonPositive ||
				len(tab.Notes) < len(s.Notes) || !slices.Equal(tab.Notes[:len(s.Notes)], s.Notes) {
				t.Errorf("%s %+v: LoadTable's series differs from Load's", f, opt)
			}
			for j, c := range tab.Columns {
				if len(c) != len(s.Values) {
					t.Errorf("%s: column %s has %d values for %d dates", f, tab.Names[j], len(c), len(s.Values))
				}
			}
		}
	}
	if read < 20 {
		t.Errorf("only %d loads to compare", read)
	}
}

// TestLoadTableShared loads each OHLCV layout of the shared data folder and
// checks the first and last row of every column against values read off
// the files with awk.
func TestLoadTableShared(t *testing.T) {
	if _, err := os.Stat(sharedData); err != nil {
		t.Skipf("shared data folder %s not found (it lives outside the repository): %v", sharedData, err)
	}
	tests := []struct {
		file        string
		names       []string
		first, last []float64
	}{
		{"YHOO.csv", []string{"open", "high", "low", "close", "adjclose", "volume"},
			[]float64{1.052083, 1.791667, 1.020833, 1.375, 1.375, 408720000},
			[]float64{33.220001, 33.689999, 33.18, 33.259998, 33.259998, 7423300}},
		{"sp500-2000.csv", []string{"open", "high", "low", "close", "adjclose", "volume"},
			[]float64{1469.25, 1478, 1438.359985, 1455.219971, 1455.219971, 931800000},
			[]float64{2842.429932, 2879.219971, 2830.879883, 2874.560059, 2874.560059, 5792140000}},
		{"vix-daily.csv", []string{"open", "high", "low", "close"},
			[]float64{17.24, 17.24, 17.24, 17.24}, []float64{17.67, 20.31, 17.32, 18.7}},
		// Newest first, with an intraday first row that is dropped.
		{"tesla-stock-price.csv", []string{"close", "volume", "open", "high", "low"},
			[]float64{221.31, 2835920, 216.43, 221.73, 213.7}, []float64{259.59, 6189026, 259.06, 263.28, 254.5367}},
		{"fred_sp500.csv", []string{"sp500"}, []float64{1864.78}, []float64{6941.47}},
		{"natural-gas-daily.csv", []string{"close"}, []float64{3.82}, []float64{2.82}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			tab, err := LoadTableFile(context.Background(), filepath.Join(sharedData, tt.file), Options{})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(tab.Names, tt.names) {
				t.Fatalf("names %q, want %q", tab.Names, tt.names)
			}
			n := tab.Len()
			for j, c := range tab.Columns {
				if c[0] != tt.first[j] || c[n-1] != tt.last[j] {
					t.Errorf("column %s: first %v last %v, want %v and %v", tab.Names[j], c[0], c[n-1], tt.first[j], tt.last[j])
				}
				if slices.ContainsFunc(c, math.IsNaN) {
					t.Errorf("column %s holds NaN", tab.Names[j])
				}
			}
		})
	}
}

// TestLoadTableDayOrder reads the other columns of rows held back until the
// day/month order of their dates is known.
func TestLoadTableDayOrder(t *testing.T) {
	const csv = "Date,Open,Close\n01/02/2020,1,2\n02/02/2020,3,4\n13/02/2020,5,6\n"
	tab, err := LoadTable(strings.NewReader(csv), "prices.csv", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if want := days("2020-02-01", "2020-02-02", "2020-02-13"); !slices.EqualFunc(tab.Dates, want, time.Time.Equal) {
		t.Errorf("dates %v, want %v", tab.Dates, want)
	}
	if open := tab.Lookup("open"); !slices.Equal(open, []float64{1, 3, 5}) {
		t.Errorf("open %v, want [1 3 5]", open)
	}
}

// TestLoadTableErrors checks files that Load reads but LoadTable refuses,
// as it reads columns Load skips.
func TestLoadTableErrors(t *testing.T) {
	tests := []struct{ csv, want string }{
		{"Date,Open,Close\n2020-01-02,1,2\n2020-01-03,x,3\n", `prices.csv:3:2: column "Open": "x" is not a number`},
		{"Date,Open,open,Close\n2020-01-02,1,1,2\n", `prices.csv:1: columns 2 and 3 are both named "Open"`},
	}
	for _, tt := range tests {
		if _, err := Load(strings.NewReader(tt.csv), "prices.csv", Options{}); err != nil {
			t.Errorf("Load: %v", err)
		}
		_, err := LoadTable(strings.NewReader(tt.csv), "prices.csv", Options{})
		if err == nil || err.Error() != tt.want {
			t.Errorf("LoadTable: %v, want %s", err, tt.want)
		}
	}
	if _, err := LoadTable(strings.NewReader("Date,Close\n2020-01-02,1\n"), "x", Options{Fill: "zero"}); err == nil {
		t.Error("unknown fill accepted")
	}
}
