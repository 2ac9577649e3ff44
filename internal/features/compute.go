package features

import (
	"fmt"
	"math"
	"time"

	"github.com/lstmfc/lstmfc/internal/series"
)

// Matrix holds the model inputs of a file: Rows rows of F = len(Names)
// values, row-major, row t computed from the file up to day t.
type Matrix struct {
	Features string      // the Set, as Set.String writes it
	Names    []string    // the inputs, as Set.Inputs
	Dates    []time.Time // the table's dates, one per row; nil without a date column
	Rows     int
	Data     []float64 // Data[t*F+j] is input j of row t; NaN where it is not defined
}

// Width returns F, the number of inputs per row.
func (m *Matrix) Width() int { return len(m.Names) }

// Row returns row t, a view of Data.
func (m *Matrix) Row(t int) []float64 {
	f := m.Width()
	return m.Data[t*f : (t+1)*f : (t+1)*f]
}

// Check returns an error, one line naming the feature and the columns the
// file has, when tab lacks a column or the dates that a feature of s needs.
// A model's saved Set checked against a new file gives the refusal.
func (s Set) Check(tab *series.Table) error {
	for _, name := range s.names {
		var need []string
		switch name {
		case "return":
		case "range":
			need = []string{"high", "low"}
		case "gap":
			need = []string{"open", "close"}
		case "logvolume", "volchange":
			need = []string{"volume"}
		case "dow", "month":
			if tab.Dates == nil {
				return fmt.Errorf("features: %q needs dates, but %s has no date column", name, tab.Source)
			}
		default:
			if tab.Lookup(name) == nil {
				return fmt.Errorf("features: %q is neither a built-in feature (%s) nor a numeric column of %s, whose columns are %s",
					name, builtinList(), tab.Source, tab.ColumnList())
			}
		}
		for _, c := range need {
			if tab.Lookup(c) == nil {
				return fmt.Errorf("features: %q needs a %s column, but the numeric columns of %s are %s", name, c, tab.Source, tab.ColumnList())
			}
		}
	}
	return nil
}

// Compute returns the inputs of every row of tab. It makes one pass over
// the rows per feature and allocates only the Matrix. It returns an error
// when tab lacks what a feature needs (see Check), and when a price that a
// log is taken of is zero or negative or a volume is negative, naming the
// feature and the day.
func (s Set) Compute(tab *series.Table) (*Matrix, error) {
	if len(s.names) == 0 {
		return nil, fmt.Errorf("features: empty feature set; use Parse")
	}
	if err := s.Check(tab); err != nil {
		return nil, err
	}
	n, f := tab.Len(), s.Width()
	m := &Matrix{Features: s.String(), Names: s.Inputs(), Dates: tab.Dates, Rows: n, Data: make([]float64, n*f)}
	j := 0
	for _, name := range s.names {
		if err := fill(name, tab, m.Data[j:], f); err != nil {
			return nil, err
		}
		j += max(builtinWidth(name), 1)
	}
	return m, nil
}

// fill writes feature name of every row of tab into out[t*f] (and
// out[t*f+1] for the two-input calendar features).
func fill(name string, tab *series.Table, out []float64, f int) error {
	n := tab.Len()
	switch name {
	case "return":
		p := tab.Values
		return logRatios(name, tab, out, f, 1, func(i int) float64 { return p[i] }, func(i int) float64 { return p[i-1] })
	case "range":
		high, low := tab.Lookup("high"), tab.Lookup("low")
		// A day's high below its low is no range: the log ratio would
		// be a negative width the network would learn from.
		for i := range n {
			if high[i] < low[i] {
				return fmt.Errorf("features: %q on %s: high %g below low %g; the high and low columns are swapped or damaged", name, where(tab, i), high[i], low[i])
			}
		}
		return logRatios(name, tab, out, f, 0, func(i int) float64 { return high[i] }, func(i int) float64 { return low[i] })
	case "gap":
		open, close := tab.Lookup("open"), tab.Lookup("close")
		adj := tab.Lookup("adjclose")
		if adj == nil {
			return logRatios(name, tab, out, f, 1, func(i int) float64 { return open[i] }, func(i int) float64 { return close[i-1] })
		}
		// open·(adj/close) over the previous close·(adj/close), which is
		// the previous adj.
		return logRatios(name, tab, out, f, 1, func(i int) float64 { return open[i] * adj[i] / close[i] }, func(i int) float64 { return adj[i-1] })
	case "logvolume", "volchange":
		vol := tab.Lookup("volume")
		for i := range n {
			v := vol[i]
			if v < 0 || math.IsInf(v, 0) {
				return fmt.Errorf("features: %q: volume %g on %s; want a count of zero or more", name, v, where(tab, i))
			}
			out[i*f] = math.Log1p(v)
			if name == "volchange" {
				out[i*f] = math.NaN()
				if i > 0 {
					out[i*f] = math.Log1p(v) - math.Log1p(vol[i-1])
				}
			}
		}
	case "dow", "month":
		for i, d := range tab.Dates {
			out[i*f], out[i*f+1] = calendar(name, d)
		}
	default:
		c := tab.Lookup(name)
		for i := range n {
			out[i*f] = c[i]
		}
	}
	return nil
}

// calendar returns the sine and cosine of the position of date d in the
// week (name "dow") or the year ("month").
func calendar(name string, d time.Time) (sin, cos float64) {
	x := float64(d.Weekday()) / 7
	if name == "month" {
		x = float64(d.Month()-1) / 12
	}
	return math.Sincos(2 * math.Pi * x)
}

// logRatios writes log(num(i)/den(i)) into out[i*f] for every row i from
// lag on, NaN where either is NaN (a column before its first value). A
// feature whose den reads the day before has lag 1 and is NaN on row 0. A
// zero or negative value is an error.
func logRatios(name string, tab *series.Table, out []float64, f, lag int, num, den func(int) float64) error {
	for i := range min(lag, tab.Len()) {
		out[i*f] = math.NaN()
	}
	for i := lag; i < tab.Len(); i++ {
		a, b := num(i), den(i)
		switch {
		case math.IsNaN(a) || math.IsNaN(b):
			out[i*f] = math.NaN()
		case a > 0 && b > 0 && !math.IsInf(a, 0) && !math.IsInf(b, 0):
			out[i*f] = math.Log(a / b)
		default:
			return fmt.Errorf("features: %q on %s: cannot take the log of %g/%g; prices must be positive", name, where(tab, i), a, b)
		}
	}
	return nil
}

// where names row i for a message: its date, else its position.
func where(tab *series.Table, i int) string {
	if tab.Dates == nil {
		return fmt.Sprintf("row %d", i+1)
	}
	return tab.Dates[i].Format(time.DateOnly)
}
