package features

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/lstmfc/lstmfc/internal/series"
)

// Scaling is the z-score of each input, (x - Mean)/Std, fitted on the
// training rows only. It is a plain value to store in a model file with the
// feature list, and re-applied to the Matrix of a new file.
type Scaling struct {
	Features string    // the Set, as Set.String writes it; Parse reads it back
	Names    []string  // the inputs, as Set.Inputs
	Mean     []float64 // one per input
	Std      []float64 // one per input, population standard deviation
}

// FitScaling returns the Scaling of m fitted on rows [lo, hi), the training
// prefix, skipping the values that are not defined (NaN). It returns an
// error naming the input when fewer than two of its training values are
// defined or they are all equal, as a volume of zero throughout is.
func FitScaling(m *Matrix, lo, hi int) (Scaling, error) {
	if lo < 0 || hi > m.Rows {
		return Scaling{}, fmt.Errorf("features: training rows [%d,%d) of a matrix of %d rows", lo, hi, m.Rows)
	}
	f := m.Width()
	sc := Scaling{Features: m.Features, Names: slices.Clone(m.Names), Mean: make([]float64, f), Std: make([]float64, f)}
	for j, name := range m.Names {
		// Two passes, for the accuracy of the spread around the mean.
		var sum float64
		n := 0
		for t := lo; t < hi; t++ {
			if v := m.Data[t*f+j]; !math.IsNaN(v) {
				sum += v
				n++
			}
		}
		if n < 2 {
			return Scaling{}, fmt.Errorf("features: input %q has %d defined value(s) in the training rows; want at least two", name, n)
		}
		mean := sum / float64(n)
		var ss float64
		for t := lo; t < hi; t++ {
			if v := m.Data[t*f+j]; !math.IsNaN(v) {
				ss += (v - mean) * (v - mean)
			}
		}
		std := math.Sqrt(ss / float64(n))
		if !(std > 0) || math.IsInf(std, 0) {
			return Scaling{}, fmt.Errorf("features: input %q is constant (%g) over the training rows and cannot be scaled; leave it out", name, mean)
		}
		sc.Mean[j], sc.Std[j] = mean, std
	}
	return sc, nil
}

// Apply scales m in place, writing 0, the scaled mean, where a value is not
// defined. It returns an error when m's inputs are not those s was fitted
// on.
func (s Scaling) Apply(m *Matrix) error {
	if m.Features != s.Features || !slices.Equal(m.Names, s.Names) || len(s.Mean) != len(s.Names) || len(s.Std) != len(s.Names) {
		return fmt.Errorf("features: the scaling is of inputs %q, the matrix has %q", s.Names, m.Names)
	}
	f := m.Width()
	for t := range m.Rows {
		row := m.Data[t*f : (t+1)*f]
		for j, v := range row {
			if math.IsNaN(v) {
				row[j] = 0
				continue
			}
			row[j] = (v - s.Mean[j]) / s.Std[j]
			if math.IsInf(row[j], 0) {
				return fmt.Errorf("features: input %s of row %d, %v, scales to %v: a value far outside those the scaling was fitted on", s.Names[j], t+1, v, row[j])
			}
		}
	}
	return nil
}

// Transform computes the scaled inputs of a new file with the feature list
// and scaling of a saved model. A file that lacks a column the list needs is
// refused with Check's one-line error.
func (s Scaling) Transform(tab *series.Table) (*Matrix, error) {
	set, err := Parse(s.Features)
	if err != nil {
		return nil, err
	}
	m, err := set.Compute(tab)
	if err != nil {
		return nil, err
	}
	if err := s.Apply(m); err != nil {
		return nil, err
	}
	return m, nil
}

// Next returns the scaled inputs of a day past the end of a file, for a
// forecast that runs on its own forecasts: the return input from the
// forecast price p over the price before it, prev; dow and month from the
// day's date when it is known (not the zero time); every other input, a
// column the model does not forecast, held at its scaled value on the day
// before, last. A return that cannot be taken (a price <= 0) is 0, the
// scaled mean, as an undefined value is in Apply.
func (s Scaling) Next(last []float64, prev, p float64, date time.Time) []float64 {
	row := slices.Clone(last)
	for j, name := range s.Names {
		var v float64
		switch base, part, _ := strings.Cut(name, "_"); {
		case name == "return":
			v = math.Log(p / prev)
			if !(prev > 0 && p > 0) || math.IsInf(v, 0) {
				row[j] = 0
				continue
			}
		case (base == "dow" || base == "month") && !date.IsZero():
			sin, cos := calendar(base, date)
			v = sin
			if part == "cos" {
				v = cos
			}
		default:
			continue
		}
		row[j] = (v - s.Mean[j]) / s.Std[j]
	}
	return row
}
