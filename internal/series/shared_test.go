package series

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// sharedData is the team's folder of real price files, relative to this
// package.
const sharedData = "../../../shared/data"

// TestLoadSharedData loads every real file in the shared data folder. The
// expected figures were read off the files with awk, not with this package.
func TestLoadSharedData(t *testing.T) {
	if _, err := os.Stat(sharedData); err != nil {
		t.Skipf("shared data folder %s not found (it lives outside the repository): %v", sharedData, err)
	}
	tests := []struct {
		file       string
		column     string
		n          int
		dropped    int
		first      string
		firstValue float64
		last       string
		lastValue  float64
	}{
		{"YHOO.csv", "Adj Close", 4965, 0, "1996-04-12", 1.375, "2015-12-31", 33.259998},
		{"sp500-2000.csv", "adjclose", 5105, 0, "2000-01-03", 1455.219971, "2020-04-17", 2874.560059},
		{"vix-daily.csv", "CLOSE", 9235, 0, "1990-01-02", 17.24, "2026-07-23", 18.7},
		{"fred_sp500.csv", "SP500", 2514, 95, "2016-02-12", 1864.78, "2026-02-11", 6941.47},
		{"tesla-stock-price.csv", "close", 756, 0, "2015-10-15", 221.31, "2018-10-15", 259.59},
		{"natural-gas-daily.csv", "Close", 7436, 1, "1997-01-07", 3.82, "2026-08-18", 2.82},
	}
	files, err := filepath.Glob(filepath.Join(sharedData, "*.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != len(tests) {
		t.Errorf("%d CSV files in %s, the table covers %d", len(files), sharedData, len(tests))
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			s, err := LoadFile(context.Background(), filepath.Join(sharedData, tt.file), Options{})
			if err != nil {
				t.Fatal(err)
			}
			if s.Column != tt.column {
				t.Errorf("column %q, want %q", s.Column, tt.column)
			}
			if len(s.Values) != tt.n || len(s.Dates) != tt.n {
				t.Fatalf("%d values and %d dates, want %d", len(s.Values), len(s.Dates), tt.n)
			}
			if s.Dropped != tt.dropped {
				t.Errorf("dropped %d, want %d", s.Dropped, tt.dropped)
			}
			day := func(i int) string { return s.Dates[i].Format(time.DateOnly) }
			if day(0) != tt.first || s.Values[0] != tt.firstValue {
				t.Errorf("first %s %v, want %s %v", day(0), s.Values[0], tt.first, tt.firstValue)
			}
			if day(tt.n-1) != tt.last || s.Values[tt.n-1] != tt.lastValue {
				t.Errorf("last %s %v, want %s %v", day(tt.n-1), s.Values[tt.n-1], tt.last, tt.lastValue)
			}
			for _, n := range s.Notes {
				t.Log(n)
			}
		})
	}
}
