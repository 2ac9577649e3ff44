package window

import "fmt"

// Windows is a view of a model-space series as samples, made by
// Encoding.Windows: sample i predicts the i-th target index of its range
// (see Target). Samples are read from the series on demand, so no window is
// copied until Sample writes it into the caller's buffer.
type Windows struct {
	z []float64
	// in, when not nil, holds f inputs per value of z, row-major, and the
	// input windows are its rows rather than z itself (see Inputs).
	in       []float64
	f        int
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
// lookback values (one feature per time step, oldest first), or lookback
// rows of inputs for samples made by Ahead.Inputs, and returns the sample's
// target. It panics when i is out of range or x has the wrong length.
func (w *Windows) Sample(i int, x []float64) float64 {
	w.checkIndex(i)
	f := max(w.f, 1)
	if len(x) != w.lookback*f {
		want := fmt.Sprintf("lookback %d", w.lookback)
		if w.in != nil {
			want += fmt.Sprintf(" × %d inputs", f)
		}
		panic(fmt.Sprintf("window: sample buffer holds %d values, want %s", len(x), want))
	}
	t := w.lo + i
	if w.in != nil {
		// Inputs are features scaled on their own; only the target is
		// taken relative to the last price.
		copy(x, w.in[(t-w.lookback)*f:t*f])
		if w.relative {
			return w.z[t] - w.z[t-1]
		}
		return w.z[t]
	}
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

// Inputs returns samples with w's targets whose input windows are rows of
// in, f inputs for every value of the series, row-major, instead of the
// series itself: the input of the sample whose target is value t is rows
// t−lookback to t−1, oldest first, so row r must hold only what is known
// at value r. Sample's x then holds lookback×f values. It panics when f < 1
// or in does not hold f inputs for every value of the series.
func (w *Windows) Inputs(in []float64, f int) *Windows {
	if f < 1 || len(in) != len(w.z)*f {
		panic(fmt.Sprintf("window: %d inputs are not %d rows of %d", len(in), len(w.z), f))
	}
	c := *w
	c.in, c.f = in, f
	return &c
}

// checkIndex panics when i is not a sample index of w.
func (w *Windows) checkIndex(i int) {
	if i < 0 || i >= w.Len() {
		panic(fmt.Sprintf("window: sample %d out of range [0,%d)", i, w.Len()))
	}
}

// Ahead is a view of a model-space series as samples of Horizon targets
// each, made by Encoding.Ahead, for a model that predicts several steps at
// once (a direct multi-step model). Sample i has the input window of
// Windows's sample i and, as output k (k = 0 for the step right after the
// window), the target of the value k steps later:
//
//   - Price: the scaled price z[t+k].
//   - Delta: the cumulative change z[t+k] − z[t−1] from the last input
//     value, in units of the typical training step.
//   - Return: the cumulative scaled log return z[t] + … + z[t+k], the log
//     of p[t+k]/p[t−1] in units of the typical training return.
//
// Cumulative changes from the last known price, rather than each step's own
// change, keep one output's error from adding to the next: every output
// turns into a price through Encoding.Next from the same last known price.
// With Horizon 1 a sample is exactly Windows's.
type Ahead struct {
	w       *Windows
	horizon int
	target  Target
}

// Ahead returns the samples of z for the target indices t in [lo, hi) with
// horizon targets each, t to t+horizon−1, so every target must lie in z:
// the last windows of a span, whose targets would run past its end, are not
// samples. It panics when a window or target would reach outside z or
// horizon is below 1.
func (e Encoding) Ahead(z []float64, lookback, horizon, lo, hi int) *Ahead {
	if horizon < 1 || hi > len(z)-horizon+1 {
		panic(fmt.Sprintf("window: targets [%d,%d) of %d steps do not fit a series of %d values", lo, hi, horizon, len(z)))
	}
	return &Ahead{w: e.Windows(z, lookback, lo, hi), horizon: horizon, target: e.Target}
}

// Inputs returns samples with a's targets whose input windows are rows of
// in, as Windows.Inputs.
func (a *Ahead) Inputs(in []float64, f int) *Ahead {
	return &Ahead{w: a.w.Inputs(in, f), horizon: a.horizon, target: a.target}
}

// Len returns the number of samples.
func (a *Ahead) Len() int { return a.w.Len() }

// Target returns the value index that output 0 of sample i predicts;
// output k predicts index Target(i)+k.
func (a *Ahead) Target(i int) int { return a.w.Target(i) }

// Sample writes the input window of sample i into x, which must hold
// exactly lookback values (lookback rows of inputs after Inputs), and its
// Horizon targets into y, which must hold
// exactly that many. It panics when i is out of range or a buffer has the
// wrong length.
func (a *Ahead) Sample(i int, x, y []float64) {
	if len(y) != a.horizon {
		panic(fmt.Sprintf("window: target buffer holds %d values, want horizon %d", len(y), a.horizon))
	}
	y[0] = a.w.Sample(i, x)
	z, t := a.w.z, a.w.Target(i)
	for k := 1; k < a.horizon; k++ {
		switch a.target {
		case Return:
			y[k] = y[k-1] + z[t+k]
		case Delta:
			y[k] = z[t+k] - z[t-1]
		default:
			y[k] = z[t+k]
		}
	}
}
