// Package window turns a price series into leak-free training windows for a
// sequence model and turns the model's outputs back into prices.
//
// The series is split in date order into training, validation and test
// spans. Everything that is fitted (the scaler, the model) sees training
// values only; a validation or test target is predicted from the lookback
// values just before it, which are past values and so no leak.
package window

import (
	"fmt"
	"math"
)

// Split is a chronological split of N values into training [0, TrainEnd),
// validation [TrainEnd, ValEnd) and test [ValEnd, N) spans, for windows of
// Lookback values.
type Split struct{ N, Lookback, TrainEnd, ValEnd int }

// Chronological splits n values in date order: the last testFrac of them are
// the test span, the valFrac before those the validation span and the rest
// the training span. Each span's size is its fraction of n rounded to the
// nearest integer, so fractions such as 0.7 that floating point cannot hold
// exactly still give the sizes a person would expect.
//
// Training targets are the indices [Lookback, TrainEnd), so training windows
// use training values only; the scaler and the model never see a validation
// or test value. Validation and test targets use the lookback values before
// them as inputs, which may lie in an earlier span: that is the past, not a
// leak.
//
// With valFrac = testFrac = 0 every window is a training window, as in the
// Keras tutorial. Chronological returns an error when lookback is below 1, a
// fraction is negative or not a number, the fractions leave no training
// share, a positive fraction rounds to an empty span, or the training span
// has fewer than lookback+2 values (two training windows).
func Chronological(n, lookback int, valFrac, testFrac float64) (Split, error) {
	if lookback < 1 {
		return Split{}, fmt.Errorf("window: lookback must be at least 1, got %d", lookback)
	}
	for _, f := range []struct {
		name string
		frac float64
	}{{"validation", valFrac}, {"test", testFrac}} {
		if !(f.frac >= 0) {
			return Split{}, fmt.Errorf("window: %s fraction must be at least 0, got %v", f.name, f.frac)
		}
	}
	if valFrac+testFrac >= 1 {
		return Split{}, fmt.Errorf("window: validation and test fractions %v and %v add up to %v; they must leave a training share (sum below 1)",
			valFrac, testFrac, valFrac+testFrac)
	}
	nVal := int(math.Round(float64(n) * valFrac))
	nTest := int(math.Round(float64(n) * testFrac))
	if valFrac > 0 && nVal == 0 {
		return Split{}, fmt.Errorf("window: a validation fraction of %v of %d rows leaves no validation values", valFrac, n)
	}
	if testFrac > 0 && nTest == 0 {
		return Split{}, fmt.Errorf("window: a test fraction of %v of %d rows leaves no test values", testFrac, n)
	}
	nTrain := n - nVal - nTest
	if nTrain < lookback+2 {
		return Split{}, fmt.Errorf("window: need at least %d training values for lookback %d, got %d (%d rows, %.4g%% train)",
			lookback+2, lookback, max(nTrain, 0), n, 100*(1-valFrac-testFrac))
	}
	return Split{N: n, Lookback: lookback, TrainEnd: nTrain, ValEnd: nTrain + nVal}, nil
}

// Span returns "train", "validation" or "test": the span that value index t
// lies in. It panics when t is outside [0, N).
func (s Split) Span(t int) string {
	switch {
	case t < 0 || t >= s.N:
		panic(fmt.Sprintf("window: value index %d out of range [0,%d)", t, s.N))
	case t < s.TrainEnd:
		return "train"
	case t < s.ValEnd:
		return "validation"
	default:
		return "test"
	}
}

// Train returns the range [lo, hi) of training target indices. The first
// target has Lookback values before it to form its window.
func (s Split) Train() (lo, hi int) { return s.Lookback, s.TrainEnd }

// Validation returns the range [lo, hi) of validation target indices; it is
// empty when the split has no validation span.
func (s Split) Validation() (lo, hi int) { return s.TrainEnd, s.ValEnd }

// Test returns the range [lo, hi) of test target indices; it is empty when
// the split has no test span.
func (s Split) Test() (lo, hi int) { return s.ValEnd, s.N }
