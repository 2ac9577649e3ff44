package metrics

import "testing"

func TestBaselines(t *testing.T) {
	v := []float64{1, 3, 2, 6}
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"Naive(v, 4)", Naive(v, 4), 6},
		{"Naive(v, 1)", Naive(v, 1), 1},
		{"Drift(v, 4)", Drift(v, 4), 6 + 5.0/3},
		{"Drift(v, 3)", Drift(v, 3), 2 + 1.0/2},
		{"Drift(v, 1)", Drift(v, 1), 1},
		{"MovingAverage(v, 4, 2)", MovingAverage(v, 4, 2), 4},
		{"MovingAverage(v, 3, 3)", MovingAverage(v, 3, 3), 2},
		{"MovingAverage(v, 2, 5)", MovingAverage(v, 2, 5), 2},
		// One value is the naive forecast; t = len(v) forecasts past the end.
		{"MovingAverage(v, 4, 1)", MovingAverage(v, 4, 1), 6},
		{"MovingAverage(v, 1, 1)", MovingAverage(v, 1, 1), 1},
		// Three steps past 6: 6 + 3·(6-1)/3.
		{"DriftAhead(v, 4, 3)", DriftAhead(v, 4, 3), 11},
		{"DriftAhead(v, 3, 2)", DriftAhead(v, 3, 2), 2 + 2*1.0/2},
		{"DriftAhead(v, 1, 5)", DriftAhead(v, 1, 5), 1},
		// Period 2 from v[:4] = 1 3 2 6: steps 1, 3, 5 repeat v[2] = 2
		// (the same phase), steps 2, 4 repeat v[3] = 6.
		{"SeasonalNaive(v, 4, 1, 2)", SeasonalNaive(v, 4, 1, 2), 2},
		{"SeasonalNaive(v, 4, 2, 2)", SeasonalNaive(v, 4, 2, 2), 6},
		{"SeasonalNaive(v, 4, 5, 2)", SeasonalNaive(v, 4, 5, 2), 2},
		{"SeasonalNaive(v, 4, 4, 2)", SeasonalNaive(v, 4, 4, 2), 6},
		// Period 3 from v[:3]: step 1 is v[0], step 3 is v[2], step 4 is v[0].
		{"SeasonalNaive(v, 3, 1, 3)", SeasonalNaive(v, 3, 1, 3), 1},
		{"SeasonalNaive(v, 3, 3, 3)", SeasonalNaive(v, 3, 3, 3), 2},
		{"SeasonalNaive(v, 3, 4, 3)", SeasonalNaive(v, 3, 4, 3), 1},
		// Period 1 is the naive forecast.
		{"SeasonalNaive(v, 4, 7, 1)", SeasonalNaive(v, 4, 7, 1), 6},
	} {
		if !same(c.got, c.want) {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
}

// TestBaselinesOnlyLookBack checks that a forecast of values[t] does not
// change with values[t] and after.
func TestBaselinesOnlyLookBack(t *testing.T) {
	v := []float64{4, 1, 5, 9, 2, 6}
	w := []float64{4, 1, 5, 900, -20, 60}
	const t3 = 3
	if Naive(v, t3) != Naive(w, t3) || Drift(v, t3) != Drift(w, t3) || MovingAverage(v, t3, 2) != MovingAverage(w, t3, 2) ||
		DriftAhead(v, t3, 3) != DriftAhead(w, t3, 3) || SeasonalNaive(v, t3, 4, 2) != SeasonalNaive(w, t3, 4, 2) {
		t.Error("a baseline forecast of value 3 depends on value 3 or later")
	}
}

// TestBaselinePanics checks the panic message, not just that there is a
// panic: an index out of range would panic too, with another message.
func TestBaselinePanics(t *testing.T) {
	v := []float64{1, 2, 3}
	for _, c := range []struct {
		name string
		f    func()
		want string
	}{
		{"Naive at 0", func() { Naive(v, 0) }, "metrics: forecast of value 0 from 3 values"},
		{"Drift past the end", func() { Drift(v, 4) }, "metrics: forecast of value 4 from 3 values"},
		{"MovingAverage of nothing", func() { MovingAverage(nil, 0, 1) }, "metrics: forecast of value 0 from 0 values"},
		{"MovingAverage k=0", func() { MovingAverage(v, 2, 0) }, "metrics: moving average of 0 values"},
		{"DriftAhead 0 steps", func() { DriftAhead(v, 2, 0) }, "metrics: forecast 0 steps ahead"},
		{"SeasonalNaive 0 steps", func() { SeasonalNaive(v, 3, 0, 2) }, "metrics: forecast 0 steps ahead"},
		{"SeasonalNaive short", func() { SeasonalNaive(v, 2, 1, 3) }, "metrics: seasonal naive forecast of period 3 from 2 values"},
		{"SeasonalNaive period 0", func() { SeasonalNaive(v, 2, 1, 0) }, "metrics: seasonal naive forecast of period 0 from 2 values"},
		{"SeasonalNaive past the end", func() { SeasonalNaive(v, 4, 1, 1) }, "metrics: forecast of value 4 from 3 values"},
	} {
		if got := panicValue(c.f); got != c.want {
			t.Errorf("%s: panic %v, want %q", c.name, got, c.want)
		}
	}
}

// panicValue returns the value f panics with, or nil when it returns.
func panicValue(f func()) (v any) {
	defer func() { v = recover() }()
	f()
	return nil
}
