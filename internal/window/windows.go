package window

import "fmt"

// Windows is a view of a model-space series as samples, made by
// Encoding.Windows: sample i predicts the i-th target index of its range
// (see Target). Samples are read from the series on demand, so no window is
// copied until Sample writes it into the caller's buffer.
type Windows struct {
	z        []float64
	lookback int
	lo, hi   int
	relative bool // inputs and target are taken relative to the last input value (Delta)
}

// Len returns the number of samples.
func (w *Windows) Len() int { return w.hi - w.lo }

// Target returns the value index that sample i predicts.
func (w *Windows) Target(i int) int {
	w.checkIndex(i)
	return w.lo + i
}

// Sample writes the input window of sample i into x, which must hold exactly
// lookback values (one feature per time step, oldest first), and returns the
// sample's target. It panics when i is out of range or x has the wrong
// length.
func (w *Windows) Sample(i int, x []float64) float64 {
	w.checkIndex(i)
	if len(x) != w.lookback {
		panic(fmt.Sprintf("window: sample buffer holds %d values, want lookback %d", len(x), w.lookback))
	}
	t := w.lo + i
	copy(x, w.z[t-w.lookback:t])
	if !w.relative {
		return w.z[t]
	}
	last := w.z[t-1]
	for k := range x {
		x[k] -= last
	}
	return w.z[t] - last
}

// checkIndex panics when i is not a sample index of w.
func (w *Windows) checkIndex(i int) {
	if i < 0 || i >= w.Len() {
		panic(fmt.Sprintf("window: sample %d out of range [0,%d)", i, w.Len()))
	}
}
