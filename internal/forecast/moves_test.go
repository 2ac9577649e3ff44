package forecast

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/stat"

	"github.com/lstmfc/lstmfc/internal/window"
)

// TestSlopeT checks the t statistic against gonum's least-squares slope and
// the textbook standard error, sqrt(RSS/(n-2)/Sxx), and its edges.
func TestSlopeT(t *testing.T) {
	x := []float64{0.3, -1.2, 2.5, 0.1, -0.4, 1.7, -2.2, 0.9}
	y := []float64{0.5, -0.7, 1.9, -0.3, 0.2, 1.1, -1.8, 0.1}
	_, slope := stat.LinearRegression(x, y, nil, false)
	mx := stat.Mean(x, nil)
	var sxx, rss float64
	alpha := stat.Mean(y, nil) - slope*mx
	for i := range x {
		sxx += (x[i] - mx) * (x[i] - mx)
		r := y[i] - alpha - slope*x[i]
		rss += r * r
	}
	want := slope / math.Sqrt(rss/float64(len(x)-2)/sxx)
	if got := slopeT(x, y); !near(got, want) || !(got > 2) {
		t.Errorf("slopeT = %v, want %v", got, want)
	}
	if got := slopeT(x, []float64{0.1, 0.4, -0.2, 0.3, -0.5, 0.0, 0.2, -0.1}); math.Abs(got) > 2 {
		t.Errorf("unrelated moves: t = %v, want a small one", got)
	}
	if got := slopeT([]float64{1, 1, 1}, []float64{1, 2, 3}); got != 0 {
		t.Errorf("constant forecasts: t = %v, want 0", got)
	}
	if got := slopeT([]float64{1, 2}, []float64{1, 2}); !math.IsNaN(got) {
		t.Errorf("two points: t = %v, want NaN", got)
	}
	if got := slopeT([]float64{1, 2, 3}, []float64{-2, -4, -6}); !math.IsInf(got, -1) {
		t.Errorf("an exact falling line: t = %v, want -Inf", got)
	}
}

// TestAdjust: no Moves reports the network's forecast; no skill (t at most
// SkillThreshold, or NaN) the last price; skill takes the step's drift out, in log
// returns for target return and in price for delta, and past the last
// measured step a drift growing with the step.
func TestAdjust(t *testing.T) {
	ret := &Model{Enc: window.Encoding{Target: Return}}
	raw := 100 * math.Exp(0.05)
	if got := ret.adjust(100, raw, 0); got != raw {
		t.Errorf("no Moves: %v, want %v", got, raw)
	}
	for _, skill := range []float64{SkillThreshold, 2, 0.5, -3, math.NaN()} {
		ret.Moves = &Moves{SkillT: skill, Drift: []float64{0.01, 0.03}}
		if got := ret.adjust(100, raw, 1); got != 100 {
			t.Errorf("t = %v: %v, want the last price", skill, got)
		}
	}
	ret.Moves = &Moves{SkillT: 2.51, Drift: []float64{0.01, 0.03}}
	for k, move := range []float64{0.04, 0.02, 0.005} { // step 3: drift 0.03·3/2
		if got, want := ret.adjust(100, raw, k), 100*math.Exp(move); !near(got, want) {
			t.Errorf("return step %d: %v, want %v", k+1, got, want)
		}
	}
	delta := &Model{Enc: window.Encoding{Target: Delta}, Moves: &Moves{SkillT: 9, Drift: []float64{-1.5}}}
	if got := delta.adjust(100, 103, 1); !near(got, 106) { // step 2: drift -3
		t.Errorf("delta: %v, want 106", got)
	}
}

// TestFitMovesByHand measures drift and skill from forecasts whose moves
// are known: steps of 1 with a forecast of +2 every time, and a second step
// forecast at +5.
func TestFitMovesByHand(t *testing.T) {
	prices := []float64{10, 11, 12, 14, 13, 15, 16, 18, 17, 19}
	lo, hi := 3, 9
	paths := [][]float64{make([]float64, 7), make([]float64, 7)}
	for i := range paths[0] {
		last := prices[lo+i-1]
		paths[0][i] = last + 2 + 0.5*float64(i%2) // alternating 2 and 2.5
		paths[1][i] = last + 5
	}
	enc := window.Encoding{Target: Delta}
	mv := fitMoves(enc, prices, paths, lo, hi)
	if !near(mv.Drift[0], (2+2.5+2+2.5+2+2.5)/6) || !near(mv.Drift[1], 5) {
		t.Errorf("drift %v, want [2.25 5]: the mean over the validation origins", mv.Drift)
	}
	var x, y []float64
	for i := range hi - lo {
		x = append(x, paths[0][i]-prices[lo+i-1])
		y = append(y, prices[lo+i]-prices[lo+i-1])
	}
	if want := slopeT(x, y); !same(mv.SkillT, want) {
		t.Errorf("skill t %v, want %v", mv.SkillT, want)
	}
}
