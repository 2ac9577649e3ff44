package features

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lstmfc/lstmfc/internal/series"
)

func TestParse(t *testing.T) {
	tests := []struct {
		list, set string
		inputs    []string
		err       string
	}{
		{list: "", set: "return", inputs: []string{"return"}},
		{list: " ", set: "return", inputs: []string{"return"}},
		{list: "range, gap ,dow", set: "return,range,gap,dow", inputs: []string{"return", "range", "gap", "dow_sin", "dow_cos"}},
		{list: "month,Return,Adj Close", set: "return,month,adjclose", inputs: []string{"return", "month_sin", "month_cos", "adjclose"}},
		{list: "LOG_VOLUME", set: "return,logvolume", inputs: []string{"return", "logvolume"}},
		{list: strings.Repeat("v", MaxNameLen), set: "return," + strings.Repeat("v", MaxNameLen), inputs: []string{"return", strings.Repeat("v", MaxNameLen)}},
		{list: "range,,gap", err: `item 2 of "range,,gap" is empty`},
		{list: "range,Range", err: `"range" and "Range" name the same feature`},
		{list: "open,\x01", err: "item 2 of \"open,\\x01\" holds a control character"},
		{list: strings.Repeat("a,", MaxFeatures) + "a", err: "more than the 64"},
		{list: "range," + strings.Repeat("x", MaxNameLen+1), err: "item 2 is 257 bytes long"},
	}
	for _, tt := range tests {
		s, err := Parse(tt.list)
		if tt.err != "" {
			// An error quotes a bounded part of the list, not all of it.
			if err == nil || !strings.Contains(err.Error(), tt.err) || len(err.Error()) > 2*MaxNameLen {
				t.Errorf("Parse(%q): %v, want an error with %q", tt.list, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.list, err)
			continue
		}
		if s.String() != tt.set || !slices.Equal(s.Inputs(), tt.inputs) || s.Width() != len(tt.inputs) {
			t.Errorf("Parse(%q) = %q, inputs %q width %d; want %q, %q", tt.list, s, s.Inputs(), s.Width(), tt.set, tt.inputs)
		}
	}
}

// TestParseMax parses the longest list.
func TestParseMax(t *testing.T) {
	names := make([]string, MaxFeatures)
	for i := range names {
		names[i] = fmt.Sprintf("c%d", i)
	}
	names[MaxFeatures/2] = "return"
	s, err := Parse(strings.Join(names, ","))
	if err != nil || s.Width() != MaxFeatures {
		t.Errorf("%d names: width %d, %v", MaxFeatures, s.Width(), err)
	}
	if _, err := Parse(strings.Join(append(names, "c99"), ",")); err == nil {
		t.Errorf("%d names accepted", MaxFeatures+1)
	}
}

// TestComputeUnadjusted checks the gap of a file without Adj Close, and
// the NaN of a column before its first value.
func TestComputeUnadjusted(t *testing.T) {
	const csv = "Date,Open,High,Low,Close\n2024-01-05,10,11,,10\n2024-01-08,12,13,11,12\n2024-01-09,11,,10,11\n"
	tab, err := series.LoadTable(strings.NewReader(csv), "p.csv", series.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s, _ := Parse("gap,range")
	m, err := s.Compute(tab)
	if err != nil {
		t.Fatal(err)
	}
	ln := math.Log
	want := []float64{
		// return, gap, range (the missing high of the last day carried)
		math.NaN(), math.NaN(), math.NaN(),
		ln(12. / 10), ln(12. / 10), ln(13. / 11),
		ln(11. / 12), ln(11. / 12), ln(13. / 10),
	}
	if !slices.EqualFunc(m.Data, want, func(a, b float64) bool { return a == b || math.IsNaN(a) && math.IsNaN(b) }) {
		t.Errorf("inputs %v, want %v", m.Data, want)
	}
}

// TestCompute checks every feature on three days of a file whose Adj Close
// ratio changes, against the formulas written out by hand.
func TestCompute(t *testing.T) {
	const csv = `Date,Open,High,Low,Close,Adj Close,Volume
2024-01-05,10,11,9,10,5,0
2024-01-08,12,13,11,12,6,100
2024-02-06,11,12,10,11,11,50
`
	tab, err := series.LoadTable(strings.NewReader(csv), "p.csv", series.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s, err := Parse("range,gap,logvolume,volchange,dow,month,volume")
	if err != nil {
		t.Fatal(err)
	}
	m, err := s.Compute(tab)
	if err != nil {
		t.Fatal(err)
	}
	nan, ln := math.NaN(), math.Log
	sin := func(x float64) float64 { return math.Sin(2 * math.Pi * x) }
	cos := func(x float64) float64 { return math.Cos(2 * math.Pi * x) }
	want := [][]float64{
		// return, range, gap, logvolume, volchange, dow (Fri, Mon, Tue), month (Jan, Jan, Feb), volume
		{nan, ln(11. / 9), nan, 0, nan, sin(5. / 7), cos(5. / 7), 0, 1, 0},
		// gap: open 12 at an adj/close ratio of 1/2 is 6, over the previous adj close 5
		{ln(6. / 5), ln(13. / 11), ln(6. / 5), ln(101), ln(101), sin(1. / 7), cos(1. / 7), 0, 1, 100},
		{ln(11. / 6), ln(12. / 10), ln(11. / 6), ln(51), ln(51. / 101), sin(2. / 7), cos(2. / 7), sin(1. / 12), cos(1. / 12), 50},
	}
	if m.Rows != 3 || m.Width() != 10 || len(m.Data) != 30 {
		t.Fatalf("%d rows of %d inputs in %d values, want 3 of 10", m.Rows, m.Width(), len(m.Data))
	}
	for r, w := range want {
		for j := range w {
			got := m.Row(r)[j]
			if !(got == w[j] || math.IsNaN(got) && math.IsNaN(w[j]) || math.Abs(got-w[j]) <= 1e-12*math.Abs(w[j])) {
				t.Errorf("row %d input %s = %v, want %v", r, m.Names[j], got, w[j])
			}
		}
	}
}

// TestComputeErrors checks the one-line refusals.
func TestComputeErrors(t *testing.T) {
	tests := []struct{ csv, list, want string }{
		{"DATE,OPEN,HIGH,LOW,CLOSE\n1990-01-02,1,2,1,2\n", "range,logvolume",
			`features: "logvolume" needs a volume column, but the numeric columns of p.csv are "OPEN", "HIGH", "LOW", "CLOSE"`},
		{"Date,Close\n2020-01-02,1\n", "rnage",
			`features: "rnage" is neither a built-in feature (return, range, gap, logvolume, volchange, dow, month) nor a numeric column of p.csv, whose columns are "Close"`},
		{"Close,Volume\n1,2\n3,4\n", "volume,dow", `features: "dow" needs dates, but p.csv has no date column`},
		{"Date,Close\n2020-01-02,1\n2020-01-03,0\n", "", `features: "return" on 2020-01-03: cannot take the log of 0/1; prices must be positive`},
		{"Close,Volume\n1,2\n0,4\n", "volume", `features: "return" on row 2: cannot take the log of 0/1; prices must be positive`},
		{"Date,Close,Volume\n2020-01-02,1,5\n2020-01-03,1,-1\n", "logvolume", `features: "logvolume": volume -1 on 2020-01-03; want a count of zero or more`},
		{"Date,High,Low,Close\n2020-01-02,2,1,1.5\n2020-01-03,1,2,1.5\n", "range", `features: "range" on 2020-01-03: high 1 below low 2; the high and low columns are swapped or damaged`},
	}
	for _, tt := range tests {
		tab, err := series.LoadTable(strings.NewReader(tt.csv), "p.csv", series.Options{})
		if err != nil {
			t.Fatal(err)
		}
		s, err := Parse(tt.list)
		if err != nil {
			t.Fatal(err)
		}
		_, err = s.Compute(tab)
		if err == nil || err.Error() != tt.want {
			t.Errorf("%q: %v\nwant %s", tt.list, err, tt.want)
		}
	}
	if _, err := (Set{}).Compute(&series.Table{}); err == nil {
		t.Error("the zero Set computed")
	}
}

// randomTable returns an n-day OHLCV table of a geometric random walk, with
// its date column.
func randomTable(n int, rng *rand.Rand) *series.Table {
	names := []string{"open", "high", "low", "close", "adjclose", "volume"}
	cols := make([][]float64, len(names))
	for j := range cols {
		cols[j] = make([]float64, n)
	}
	dates := make([]time.Time, n)
	d, p := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), 100.0
	for i := range n {
		d = d.AddDate(0, 0, 1+rng.IntN(3))
		dates[i] = d
		open := p * math.Exp(0.01*rng.NormFloat64())
		p *= math.Exp(0.02 * rng.NormFloat64())
		hi, lo := max(open, p)*(1+0.01*rng.Float64()), min(open, p)*(1-0.01*rng.Float64())
		ratio := 1 - 0.1*float64(i)/float64(n)
		for j, v := range []float64{open, hi, lo, p, p * ratio, float64(rng.IntN(1000))} {
			cols[j][i] = v
		}
	}
	return &series.Table{
		Series:  series.Series{Source: "random", Column: "adjclose", Dates: dates, Values: cols[4]},
		Names:   names,
		Headers: names,
		Columns: cols,
	}
}

// perturbAfter changes every value and date of tab after row t0, keeping the
// dates in order and the prices positive; the dates move by at least shift
// days.
func perturbAfter(tab *series.Table, t0, shift int, rng *rand.Rand) {
	for i := t0 + 1; i < tab.Len(); i++ {
		tab.Dates[i] = tab.Dates[i].AddDate(0, 0, shift+1+rng.IntN(5)+i-t0)
		for _, c := range tab.Columns {
			c[i] *= 1 + rng.Float64()
		}
		// Keep the day a possible one, its high above its low.
		if high, low := tab.Lookup("high"), tab.Lookup("low"); high[i] < low[i] {
			high[i], low[i] = low[i], high[i]
		}
	}
}

func sameRows(a, b *Matrix, rows int) bool {
	f := a.Width()
	return slices.EqualFunc(a.Data[:rows*f], b.Data[:rows*f], func(x, y float64) bool {
		return x == y || math.IsNaN(x) && math.IsNaN(y)
	})
}

// TestNoLookAhead changes every value after day t0 and checks that no input
// up to t0 changes, before or after scaling fitted on a prefix that ends by
// t0, while a change on day t0 itself does show.
func TestNoLookAhead(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	s, err := Parse("range,gap,logvolume,volchange,dow,month,volume,open")
	if err != nil {
		t.Fatal(err)
	}
	const n = 60
	for trial := range 200 {
		seed := rng.Uint64()
		t0 := rng.IntN(n - 1)
		base := randomTable(n, rand.New(rand.NewPCG(seed, 0)))
		changed := randomTable(n, rand.New(rand.NewPCG(seed, 0)))
		perturbAfter(changed, t0, 0, rng)
		mb, err := s.Compute(base)
		if err != nil {
			t.Fatal(err)
		}
		mc, err := s.Compute(changed)
		if err != nil {
			t.Fatal(err)
		}
		if !sameRows(mb, mc, t0+1) {
			t.Fatalf("trial %d: changing rows after %d changed a row up to it", trial, t0)
		}
		if sameRows(mb, mc, n) {
			t.Fatalf("trial %d: changing rows after %d changed nothing", trial, t0)
		}
		if hi := t0 + 1; hi >= 2 {
			sb, err := FitScaling(mb, 0, hi)
			if err != nil {
				continue // a short prefix may hold a constant input
			}
			sc, err := FitScaling(mc, 0, hi)
			if err != nil || !slices.Equal(sb.Mean, sc.Mean) || !slices.Equal(sb.Std, sc.Std) {
				t.Fatalf("trial %d: the scaling of rows [0,%d) changed: %v", trial, hi, err)
			}
		}
	}
	// Changing day t0 changes row t0; its date moves to another weekday
	// and month.
	base, changed := randomTable(n, rand.New(rand.NewPCG(7, 0))), randomTable(n, rand.New(rand.NewPCG(7, 0)))
	perturbAfter(changed, n/2-1, 45, rng)
	mb, _ := s.Compute(base)
	mc, _ := s.Compute(changed)
	for j, name := range mb.Names {
		if mb.Row(n / 2)[j] == mc.Row(n / 2)[j] {
			t.Errorf("input %s of day %d ignores that day", name, n/2)
		}
	}
}

func TestScaling(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	tab := randomTable(500, rng)
	s, _ := Parse("range,gap,volchange,dow")
	m, err := s.Compute(tab)
	if err != nil {
		t.Fatal(err)
	}
	sc, err := FitScaling(m, 0, 300)
	if err != nil {
		t.Fatal(err)
	}
	if err := sc.Apply(m); err != nil {
		t.Fatal(err)
	}
	f := m.Width()
	for j, name := range m.Names {
		var sum, ss float64
		n := 0
		for r := range 300 {
			v := m.Data[r*f+j]
			if math.IsNaN(v) {
				t.Fatalf("input %s row %d is NaN after scaling", name, r)
			}
			sum += v
			ss += v * v
			n++
		}
		// Row 0 of a lagged input is 0 and not part of the fit.
		if mean := sum / float64(n); math.Abs(mean) > 1e-12 {
			t.Errorf("input %s: training mean %g after scaling, want 0", name, mean)
		}
		if rms := math.Sqrt(ss / float64(n)); math.Abs(rms-1) > 0.01 {
			t.Errorf("input %s: training spread %g after scaling, want about 1", name, rms)
		}
	}
	if m.Row(0)[0] != 0 || m.Row(0)[2] != 0 {
		t.Errorf("undefined first-row inputs scale to %v, want 0", m.Row(0))
	}
	// The same scaling on a new file through the stored value, as a model
	// file holds it.
	stored, err := json.Marshal(sc)
	if err != nil {
		t.Fatal(err)
	}
	var loaded Scaling
	if err := json.Unmarshal(stored, &loaded); err != nil {
		t.Fatal(err)
	}
	fresh, err := loaded.Transform(tab)
	if err != nil || !slices.Equal(fresh.Data, m.Data) {
		t.Errorf("Transform differs from Compute then Apply: %v", err)
	}
	other, _ := Parse("range")
	om, _ := other.Compute(tab)
	if err := sc.Apply(om); err == nil {
		t.Error("a scaling applied to other inputs")
	}
}

func TestScalingErrors(t *testing.T) {
	tab, err := series.LoadTable(strings.NewReader("Date,Close,Volume\n2020-01-02,1,0\n2020-01-03,2,0\n2020-01-06,3,0\n"), "p.csv", series.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s, _ := Parse("logvolume")
	m, err := s.Compute(tab)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := FitScaling(m, 0, 3); err == nil || !strings.Contains(err.Error(), `input "logvolume" is constant (0)`) {
		t.Errorf("constant volume: %v", err)
	}
	if _, err := FitScaling(m, 0, 2); err == nil || !strings.Contains(err.Error(), `input "return" has 1 defined value(s)`) {
		t.Errorf("one return: %v", err)
	}
	for _, rows := range [][2]int{{2, 5}, {-1, 2}, {2, 1}} {
		if _, err := FitScaling(m, rows[0], rows[1]); err == nil {
			t.Errorf("training rows %v of 3 accepted", rows)
		}
	}
	// A model's list refused on a file without the column, in one line.
	vix, err := series.LoadTable(strings.NewReader("Date,Open,High,Low,Close\n2020-01-02,1,2,1,2\n2020-01-03,1,2,1,2\n"), "vix.csv", series.Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = Scaling{Features: "return,logvolume"}.Transform(vix)
	if err == nil || strings.Contains(err.Error(), "\n") || !strings.Contains(err.Error(), "volume") {
		t.Errorf("a file without volume: %v", err)
	}
	// A value that scales past the largest float is refused, not fed on.
	wide := &Matrix{Features: "return", Names: []string{"return"}, Rows: 2, Data: []float64{0, 1e300}}
	err = Scaling{Features: "return", Names: []string{"return"}, Mean: []float64{0}, Std: []float64{1e-10}}.Apply(wide)
	if err == nil || !strings.Contains(err.Error(), "input return of row 2") {
		t.Errorf("an input scaled to infinity: %v", err)
	}
}

// sharedData is the team's folder of real price files.
const sharedData = "../../../shared/data"

// TestSharedFiles computes and scales features on each OHLCV layout of the
// shared data, with the features each file's columns allow.
func TestSharedFiles(t *testing.T) {
	if _, err := os.Stat(sharedData); err != nil {
		t.Skipf("shared data folder %s not found: %v", sharedData, err)
	}
	tests := []struct{ file, list string }{
		{"YHOO.csv", "range,gap,logvolume,volchange,dow,month"},
		{"sp500-2000.csv", "range,gap,logvolume,volchange,dow,month"},
		{"vix-daily.csv", "range,gap,dow,month,high"},
		{"tesla-stock-price.csv", "range,gap,volchange,dow"},
		{"fred_sp500.csv", "dow,month"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			tab, err := series.LoadTableFile(context.Background(), filepath.Join(sharedData, tt.file), series.Options{})
			if err != nil {
				t.Fatal(err)
			}
			s, err := Parse(tt.list)
			if err != nil {
				t.Fatal(err)
			}
			m, err := s.Compute(tab)
			if err != nil {
				t.Fatal(err)
			}
			f := m.Width()
			for i, v := range m.Data {
				if math.IsNaN(v) && i >= f || math.IsInf(v, 0) {
					t.Fatalf("input %s of row %d is %v", m.Names[i%f], i/f, v)
				}
			}
			sc, err := FitScaling(m, 0, m.Rows*7/10)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: %v mean %.3g std %.3g", tt.file, sc.Names, sc.Mean, sc.Std)
		})
	}
}

// BenchmarkCompute computes nine inputs of ten thousand and a hundred
// thousand days; the time per row stays the same, and -benchmem shows the
// allocations, which do not grow with the days.
func BenchmarkCompute(b *testing.B) {
	s, _ := Parse("range,gap,logvolume,volchange,dow,month")
	for _, n := range []int{10_000, 100_000} {
		b.Run(fmt.Sprintf("days=%d", n), func(b *testing.B) {
			tab := randomTable(n, rand.New(rand.NewPCG(5, 6)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := s.Compute(tab); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/row")
		})
	}
}

// TestComputeAllocs checks that Compute allocates the same number of times
// for a hundred days as for ten thousand: nothing per row beyond the Matrix.
func TestComputeAllocs(t *testing.T) {
	s, _ := Parse("range,gap,logvolume,volchange,dow,month,volume")
	allocs := func(n int) float64 {
		tab := randomTable(n, rand.New(rand.NewPCG(8, 9)))
		return testing.AllocsPerRun(20, func() {
			if _, err := s.Compute(tab); err != nil {
				t.Fatal(err)
			}
		})
	}
	small, large := allocs(100), allocs(10_000)
	if small != large || small > 20 {
		t.Errorf("%v allocations for 100 days, %v for 10,000; want the same few", small, large)
	}
	t.Logf("%v allocations per Compute", small)
}

// TestScalingNext: a day past the file takes its return from the forecast
// and the price before it, its calendar from its date, and holds every
// other input; a return of a price <= 0 is 0, the scaled mean.
func TestScalingNext(t *testing.T) {
	sc := Scaling{
		Features: "return,range,dow",
		Names:    []string{"return", "range", "dow_sin", "dow_cos"},
		Mean:     []float64{0.01, 1, 0.5, -0.5},
		Std:      []float64{2, 3, 4, 5},
	}
	last := []float64{7, 8, 9, 10}
	date := time.Date(2024, 3, 7, 0, 0, 0, 0, time.UTC) // a Thursday
	sin, cos := math.Sincos(2 * math.Pi * 4 / 7)
	got := sc.Next(last, 100, 110, date)
	want := []float64{(math.Log(1.1) - 0.01) / 2, 8, (sin - 0.5) / 4, (cos + 0.5) / 5}
	for j := range want {
		if math.Abs(got[j]-want[j]) > 1e-12 {
			t.Errorf("input %s = %v, want %v", sc.Names[j], got[j], want[j])
		}
	}
	if !slices.Equal(last, []float64{7, 8, 9, 10}) {
		t.Errorf("Next changed the row before: %v", last)
	}
	if got := sc.Next(last, 100, -1, time.Time{}); got[0] != 0 || got[2] != 9 || got[3] != 10 {
		t.Errorf("a negative forecast, no date: %v, want return 0 and the calendar held", got)
	}
}
