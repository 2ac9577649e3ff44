package series

import (
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// FuzzLoad checks that Load never panics and that whatever it accepts is a
// clean series: one date per value (or no dates), dates strictly rising,
// values finite, and counts that add up.
func FuzzLoad(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte, column string, ffill bool) {
		opt := Options{Column: column}
		if ffill {
			opt.Fill = "ffill"
		}
		s, err := Load(strings.NewReader(string(data)), "fuzz.csv", opt)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error spans lines: %q", err)
			}
			return
		}
		if len(s.Values) == 0 {
			t.Fatal("no values and no error")
		}
		if s.Dates != nil && len(s.Dates) != len(s.Values) {
			t.Fatalf("%d dates for %d values", len(s.Dates), len(s.Values))
		}
		for i := 1; i < len(s.Dates); i++ {
			if !s.Dates[i].After(s.Dates[i-1]) {
				t.Fatalf("date %d, %v, is not after %v", i, s.Dates[i], s.Dates[i-1])
			}
		}
		nonPositive := 0
		for i, v := range s.Values {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("value %d is %v", i, v)
			}
			if v <= 0 {
				nonPositive++
			}
		}
		if nonPositive != s.NonPositive {
			t.Errorf("NonPositive %d, counted %d", s.NonPositive, nonPositive)
		}
		if !ffill && s.Filled != 0 {
			t.Errorf("filled %d values without ffill", s.Filled)
		}
	})
}

// addSeeds adds the test files and a few quirks as fuzz seeds.
func addSeeds(f *testing.F) {
	files, err := filepath.Glob("testdata/*.*")
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, "", false)
	}
	for _, s := range []string{
		"Date,Close\n2020-01-02,1\n2020-01-03,\n2020-01-06,2\n",
		"Date;Close\n02.01.2020;1.234,5\n03.01.2020;1,234\n",
		"Date\tAdj Close\n01/02/2020\t1\n01/03/2020\t2\n",
		"\"date\",\"close\"\r\n\"11:34\",\"1\"\r\n\"2018/10/15\",\"2\"\r\n",
		"x\n1\n2\n",
		"Date,Close\n1/2/2020,1\n1/3/2020,2\n",
	} {
		f.Add([]byte(s), "", false)
		f.Add([]byte(s), "close", true)
	}
}

// FuzzLoadTable checks that LoadTable never panics, that its target is
// Load's series whenever it accepts a file, and that every other column is
// one finite value per date after its first value.
func FuzzLoadTable(f *testing.F) {
	addSeeds(f)
	f.Add([]byte("Date,Open,Close,Volume\n01/02/2020,1,2,\n02/02/2020,,4,5\n13/02/2020,5,null,6\n"), "", false)
	f.Fuzz(func(t *testing.T, data []byte, column string, ffill bool) {
		opt := Options{Column: column}
		if ffill {
			opt.Fill = "ffill"
		}
		tab, err := LoadTable(strings.NewReader(string(data)), "fuzz.csv", opt)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error spans lines: %q", err)
			}
			return
		}
		s, err := Load(strings.NewReader(string(data)), "fuzz.csv", opt)
		if err != nil {
			t.Fatalf("LoadTable reads what Load refuses: %v", err)
		}
		if !slices.Equal(tab.Values, s.Values) || !slices.EqualFunc(tab.Dates, s.Dates, time.Time.Equal) {
			t.Fatal("LoadTable's target differs from Load's series")
		}
		if len(tab.Names) != len(tab.Columns) || len(tab.Headers) != len(tab.Columns) || len(tab.Carried) != len(tab.Columns) {
			t.Fatalf("%d names, %d headers, %d carried for %d columns", len(tab.Names), len(tab.Headers), len(tab.Carried), len(tab.Columns))
		}
		for j, c := range tab.Columns {
			if len(c) != len(s.Values) {
				t.Fatalf("column %d has %d values for %d rows", j, len(c), len(s.Values))
			}
			for i, v := range c {
				if math.IsInf(v, 0) || i > 0 && math.IsNaN(v) && !math.IsNaN(c[i-1]) {
					t.Fatalf("column %d row %d is %v after %v", j, i, v, c[max(i-1, 0)])
				}
			}
		}
	})
}
