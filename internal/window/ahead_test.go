package window

import (
	"math"
	"slices"
	"testing"

	"gonum.org/v1/gonum/floats/scalar"
)

// multiDataset is the LSTM engine's view of samples of several targets;
// Ahead must satisfy it without this package importing the engine.
type multiDataset interface {
	Len() int
	Sample(i int, x, y []float64)
}

var _ multiDataset = (*Ahead)(nil)

// fitAhead fits target's encoding on the first 5 prices and returns it with
// the samples of every window of prices whose targets lie in the series.
func fitAhead(t *testing.T, target Target, prices []float64, lookback, horizon int) (Encoding, *Ahead) {
	t.Helper()
	e, err := Fit(target, prices[:5])
	if err != nil {
		t.Fatal(err)
	}
	return e, e.Ahead(e.Encode(prices), lookback, horizon, lookback, len(prices)-horizon+1)
}

// TestAheadByHand: every output k of every target turns back, through Next
// from the last input price, into the price k steps after the window, so
// the targets are cumulative from the last known price.
func TestAheadByHand(t *testing.T) {
	prices := []float64{10, 12, 11, 13, 16, 15, 14, 18}
	const lookback, horizon = 3, 3
	for _, target := range targets {
		e, a := fitAhead(t, target, prices, lookback, horizon)
		z := e.Encode(prices)
		if a.Len() != len(prices)-horizon+1-lookback {
			t.Fatalf("%s: %d samples, want %d", target, a.Len(), len(prices)-horizon+1-lookback)
		}
		x, y := make([]float64, lookback), make([]float64, horizon)
		one := e.Windows(z, lookback, lookback, len(prices))
		x1 := make([]float64, lookback)
		for i := range a.Len() {
			a.Sample(i, x, y)
			tt := a.Target(i)
			if y1 := one.Sample(i, x1); y1 != y[0] || !slices.Equal(x, x1) {
				t.Errorf("%s sample %d: output 0 %v and window %v differ from Windows's %v, %v", target, i, y[0], x, y1, x1)
			}
			for k, yk := range y {
				if got := e.Next(prices[tt-1], yk); !scalar.EqualWithinRel(got, prices[tt+k], 1e-12) {
					t.Errorf("%s sample %d output %d: stands for %v, want price %v", target, i, k, got, prices[tt+k])
				}
			}
		}
	}
}

// TestAheadReturnIsCumulative checks the return target against the log
// return over k+1 steps written out.
func TestAheadReturnIsCumulative(t *testing.T) {
	prices := []float64{100, 110, 99, 121, 125}
	e, err := Fit(Return, prices)
	if err != nil {
		t.Fatal(err)
	}
	a := e.Ahead(e.Encode(prices), 1, 3, 2, 3)
	x, y := make([]float64, 1), make([]float64, 3)
	a.Sample(0, x, y)
	for k, want := range []float64{math.Log(99.0 / 110), math.Log(121.0 / 110), math.Log(125.0 / 110)} {
		if !scalar.EqualWithinRel(y[k], want/e.ReturnScale, 1e-12) {
			t.Errorf("output %d = %v, want %v", k, y[k], want/e.ReturnScale)
		}
	}
}

// TestAheadRefusesTargetsPastTheEnd: no sample may have a target outside
// the series (no look-ahead past what exists, no silent truncation).
func TestAheadRefusesTargetsPastTheEnd(t *testing.T) {
	e := Encoding{Target: Price}
	z := make([]float64, 10)
	for _, tc := range []struct{ horizon, hi int }{{3, 9}, {0, 5}, {1, 11}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("horizon %d, hi %d: no panic", tc.horizon, tc.hi)
				}
			}()
			e.Ahead(z, 2, tc.horizon, 2, tc.hi)
		}()
	}
	for _, tc := range []struct{ horizon, hi, want int }{{3, 8, 6}, {1, 10, 8}} {
		if a := e.Ahead(z, 2, tc.horizon, 2, tc.hi); a.Len() != tc.want {
			t.Errorf("horizon %d: %d samples, want %d", tc.horizon, a.Len(), tc.want)
		}
	}
}

// TestInputs: samples made by Inputs read rows t−lookback..t−1 of the
// inputs, oldest first, unchanged (Delta takes only its target relative to
// the last price), and keep the targets of the samples they came from.
func TestInputs(t *testing.T) {
	prices := []float64{10, 12, 11, 13, 16, 15, 14, 18}
	const lookback, horizon, f = 3, 2, 2
	in := make([]float64, len(prices)*f)
	for i := range in {
		in[i] = float64(100*(i/f) + i%f) // row r, input j: 100r + j
	}
	for _, target := range targets {
		_, a := fitAhead(t, target, prices, lookback, horizon)
		b := a.Inputs(in, f)
		x, y := make([]float64, lookback), make([]float64, horizon)
		xb, yb := make([]float64, lookback*f), make([]float64, horizon)
		for i := range a.Len() {
			a.Sample(i, x, y)
			b.Sample(i, xb, yb)
			tt := a.Target(i)
			var want []float64
			for r := tt - lookback; r < tt; r++ {
				want = append(want, float64(100*r), float64(100*r+1))
			}
			if !slices.Equal(xb, want) || !slices.Equal(yb, y) {
				t.Errorf("%s sample %d: %v, %v; want inputs %v and targets %v", target, i, xb, yb, want, y)
			}
		}
	}
	defer func() {
		if recover() == nil {
			t.Error("inputs of the wrong length: no panic")
		}
	}()
	Encoding{Target: Price}.Windows(prices, lookback, lookback, len(prices)).Inputs(in[:len(in)-1], f)
}
