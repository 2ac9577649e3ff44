package forecast

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/lstmfc/lstmfc/internal/metrics"
)

// forecastRecord is one forecast as the slow calibrator sees it: made from
// origin for step step+1, so its target is prices[origin+step].
type forecastRecord struct {
	origin, step int
	pred, vol    float64
	issued       bool // a band was issued with it; otherwise it only calibrates
}

// slowOnlineRadii is the oracle of calibrator, written from the definition
// rather than kept up to date: the radius of an issued forecast from origin t
// at step k is the conformal quantile, at level 1 - aim, of the residuals of
// step k of every forecast whose target is a value before t, where aim is
// 1 - level plus (1 - level)/(10·√(k+1)) (adaptStep, written out again here
// so that the oracle does not share it) times the sum, over those forecasts that were
// issued with a band, of (1 - level) minus 1 for a miss. The sum does not
// depend on the order the residuals arrived in. recs are in order of origin;
// it returns radii[j][i] in price units for recs[j] at levels[i], NaN when
// not issued or not sized.
func slowOnlineRadii(prices []float64, recs []forecastRecord, levels []float64) [][]float64 {
	radii := make([][]float64, len(recs))
	for j, r := range recs {
		radii[j] = nanSlice(len(levels))
		if !r.issued {
			continue
		}
		for i, l := range levels {
			var scores []float64
			aim := 1 - l
			for q, p := range recs[:j] {
				if p.step != r.step || p.origin+p.step >= r.origin {
					continue
				}
				res := math.Abs(prices[p.origin+p.step] - p.pred)
				switch {
				case res == 0:
					scores = append(scores, 0)
				case p.vol > 0:
					scores = append(scores, res/p.vol)
				default:
					scores = append(scores, math.Inf(1))
				}
				if p.issued && !math.IsNaN(radii[q][i]) {
					miss := 0.0
					if res > radii[q][i] {
						miss = 1
					}
					aim += (1 - l) / (10 * math.Sqrt(float64(p.step+1))) * (1 - l - miss)
				}
			}
			if len(scores) < metrics.ConformalMinSamples(l) {
				continue
			}
			slices.Sort(scores)
			var rad float64
			switch level := 1 - aim; {
			case level <= 0:
				rad = 0
			case level >= 1:
				rad = scores[len(scores)-1]
			default:
				rad = metrics.ConformalQuantileSorted(scores, level)
				if math.IsInf(rad, 1) {
					rad = scores[len(scores)-1]
				}
			}
			if !math.IsInf(rad, 1) {
				radii[j][i] = rad * r.vol
			}
		}
	}
	return radii
}

// TestCalibratorAgainstSlow walks random forecasts of several steps, the
// first origins calibrating only, through the calibrator and checks every
// radius it issues against the oracle, on a series whose volatility jumps so
// that the aims move.
func TestCalibratorAgainstSlow(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	const n, lo, from, steps = 260, 20, 120, 3
	prices := make([]float64, n)
	prices[0] = 100
	for i := 1; i < n; i++ {
		sd := 1.0
		if i > 180 {
			sd = 3 // wilder than anything the calibration saw
		}
		prices[i] = prices[i-1] + sd*rng.NormFloat64()
	}
	vol := volatilities(prices)
	levels := []float64{0.5, 0.8, 0.95}
	paths := make([][]float64, steps)
	var recs []forecastRecord
	for i := range n - lo {
		o := lo + i
		for k := range steps {
			p := prices[o-1] + 0.3*rng.NormFloat64()
			paths[k] = append(paths[k], p)
			recs = append(recs, forecastRecord{origin: o, step: k, pred: p, vol: vol[o], issued: o >= from})
		}
	}
	c := newCalibrator(levels, steps)
	issued := c.walk(prices, vol, paths, lo, from)
	if len(issued) != n-from {
		t.Fatalf("%d origins issued, want %d", len(issued), n-from)
	}
	want := slowOnlineRadii(prices, recs, levels)
	moved := false
	for j, r := range recs {
		if !r.issued {
			continue
		}
		for i := range levels {
			got := issued[r.origin-from][i][r.step]
			if !same(got, want[j][i]) && !near(got, want[j][i]) {
				t.Fatalf("origin %d step %d level %v: radius %v, want %v", r.origin, r.step+1, levels[i], got, want[j][i])
			}
		}
	}
	for i := range levels {
		for k := range steps {
			moved = moved || c.aim[i][k] != 1-levels[i]
		}
	}
	if !moved {
		t.Error("no aim moved: the test does not exercise the adaptation")
	}
}

// TestCalibratorAdapts: residuals that triple in size halfway leave a
// static conformal radius, sized on the calm half, covering far too little
// of the wild half; the calibrator's bands cover within the bound adaptive
// conformal inference promises, (1+γ)/(γT) over T forecasts.
func TestCalibratorAdapts(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	const n, from = 4000, 1000
	prices := make([]float64, n)
	pred := make([]float64, n-1)
	for i := range pred {
		sd := 1.0
		if i >= 2000 {
			sd = 3
		}
		prices[i+1] = sd * rng.NormFloat64() // pred 0: the residual is the value
	}
	vol := make([]float64, n+1)
	for i := range vol {
		vol[i] = 1 // unscaled, so nothing but the calibration can follow the change
	}
	const level = 0.8
	c := newCalibrator([]float64{level}, 1)
	issued := c.walk(prices, vol, [][]float64{pred}, 1, from)
	static := metrics.ConformalQuantile(prices[1:from], level)
	in, inStatic, T := 0, 0, 0
	for i, r := range issued {
		target := from + i
		if target >= n {
			break
		}
		T++
		if math.Abs(prices[target]) <= r[0][0] {
			in++
		}
		if math.Abs(prices[target]) <= static {
			inStatic++
		}
	}
	bound := (1 + adaptStep(level, 0)) / (adaptStep(level, 0) * float64(T))
	if cov := float64(in) / float64(T); math.Abs(cov-level) > bound {
		t.Errorf("adaptive coverage %.4f over %d forecasts, want within %.4f of %v", cov, T, bound, level)
	}
	if cov := float64(inStatic) / float64(T); level-cov < 0.1 {
		t.Errorf("the static radius covers %.4f; the test's shift is too mild to tell", cov)
	}
}

// TestCalibratorStaticUntilIssued: with nothing issued the calibrator is
// split conformal on what it learned, and a forecast's residual joins only
// once its target is a known value.
func TestCalibratorStaticUntilIssued(t *testing.T) {
	prices := []float64{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}
	vol := make([]float64, len(prices)+1)
	for i := range vol {
		vol[i] = 1
	}
	// Forecasts of prices[o] from origins 1..10, off by o.
	pred := make([]float64, 10)
	for i := range pred {
		pred[i] = 2 * float64(i+1)
	}
	c := newCalibrator([]float64{0.5}, 1)
	c.walk(prices, vol, [][]float64{pred}, 1, math.MaxInt)
	// At origin 10 the targets before it, origins 1..9, are known: 1..9.
	if got := c.scores[0]; !slices.Equal(got, []float64{1, 2, 3, 4, 5, 6, 7, 8, 9}) {
		t.Errorf("scores %v after the last origin, want 1..9: the forecast of value 10 is not known yet", got)
	}
	c.learn(prices, len(prices))
	iv, notes := c.intervals()
	if want := []Interval{ivl(0.5, 6)}; !sameIntervals(iv, want) || notes != nil { // ⌈11·0.5⌉ = 6th of 1..10
		t.Errorf("intervals %v, notes %q; want %v", iv, notes, want)
	}
}

// TestCalibratorEdges: a band whose residual equals its radius covers (as
// a bound lo <= actual <= hi does) and raises the aim; a step sized with
// exactly the fewest residuals its level needs has a radius, one fewer has
// none; an aim below 0 asks for every residual (the largest), above 1 for
// none (0); and a later step with fewer forecasts (its targets past the
// end) learns only those it has.
func TestCalibratorEdges(t *testing.T) {
	unit := func(n int) []float64 {
		v := make([]float64, n)
		for i := range v {
			v[i] = 1
		}
		return v
	}
	// Residuals 1, 2, 3 known; the next forecast misses by exactly 2, the
	// median's radius ⌈4·0.5⌉ = 2nd of them.
	prices := []float64{0, 1, 2, 3, 2}
	c := newCalibrator([]float64{0.5}, 1)
	c.walk(prices, unit(6), [][]float64{{0, 0, 0, 0}}, 1, 4)
	c.learn(prices, len(prices))
	if want := 0.5 + adaptStep(0.5, 0)*0.5; !near(c.aim[0][0], want) {
		t.Errorf("after a residual equal to its radius: aim %v, want %v (a hit)", c.aim[0][0], want)
	}
	need := metrics.ConformalMinSamples(0.8)
	c = newCalibrator([]float64{0.8}, 1)
	c.scores[0] = unit(need - 1)
	if r := c.radius(0, 0); !math.IsNaN(r) {
		t.Errorf("%d residuals for 80%%: radius %v, want none", need-1, r)
	}
	if iv, notes := c.intervals(); iv != nil || len(notes) != 1 {
		t.Errorf("%d residuals for 80%%: intervals %v, notes %q; want none and a note", need-1, iv, notes)
	}
	c.scores[0] = append(c.scores[0], 5)
	if r := c.radius(0, 0); r != 5 {
		t.Errorf("%d residuals for 80%%: radius %v, want 5, the largest", need, r)
	}
	if iv, notes := c.intervals(); len(iv) != 1 || iv[0].Radius != 5 || notes != nil {
		t.Errorf("%d residuals for 80%%: intervals %v, notes %q; want radius 5", need, iv, notes)
	}
	c.scores[0] = []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	for _, tc := range []struct{ aim, want float64 }{{-0.1, 10}, {0, 10}, {1, 0}, {1.2, 0}, {0.2, 9}} {
		c.aim[0][0] = tc.aim
		if r := c.radius(0, 0); r != tc.want {
			t.Errorf("aim %v: radius %v, want %v", tc.aim, r, tc.want)
		}
	}
	// Two steps, the second's last forecast cut off: 4 and 3 residuals.
	c = newCalibrator([]float64{0.5}, 2)
	c.walk([]float64{0, 1, 2, 3, 4, 5}, unit(7), [][]float64{{0, 0, 0, 0}, {0, 0, 0}}, 1, math.MaxInt)
	c.learn([]float64{0, 1, 2, 3, 4, 5}, 6)
	if len(c.scores[0]) != 4 || len(c.scores[1]) != 3 {
		t.Errorf("scores %v, want 4 of step 1 and 3 of step 2", c.scores)
	}
}

// TestIssuedPathsOverflow: a forecast that overflows at any step, the
// first included, is refused naming its origin and step.
func TestIssuedPathsOverflow(t *testing.T) {
	for k, want := range []string{"the forecast from value 7 overflows at step 1 (+Inf)", "the forecast from value 7 overflows at step 2 (NaN)"} {
		steps := [][]float64{{1, 2}, {3, 4}}
		steps[k][1] = []float64{math.Inf(1), math.NaN()}[k]
		is := issuedPaths{from: 6, steps: steps}
		if _, err := is.paths(2, []float64{0.8}); err == nil || err.Error() != want {
			t.Errorf("error %v, want %q", err, want)
		}
	}
	is := issuedPaths{from: 6, steps: [][]float64{{1, 2}, {3, 4}}}
	p, err := is.paths(2, []float64{0.8})
	if err != nil || len(p) != 2 || p[1].Origin != 7 || p[1].Pred[1] != 4 || !math.IsNaN(p[1].Lo[0][1]) {
		t.Errorf("paths %+v, error %v; want two, unsized", p, err)
	}
}
