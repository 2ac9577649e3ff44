package forecast

import (
	"fmt"
	"math"
	"slices"

	"github.com/lstmfc/lstmfc/internal/metrics"
)

// adaptStep returns the step size γ of adaptive conformal inference (Gibbs
// and Candès, "Adaptive conformal inference under distribution shift",
// 2021) for a band of level at step k+1 ahead: each time a forecast's
// target arrives, the miscoverage its level aims at moves by γ·(nominal
// miscoverage − 1 if the band missed, else 0), so that a run of misses
// widens the next bands and a run of hits narrows them. Over T forecasts
// of a step the fraction missed is then within (1+γ)/(γT) of nominal
// whatever the series does.
//
// γ is a tenth of the level's miscoverage at step 1, 0.02 for an 80% band
// and 0.005 for 95%, and falls as 1/√(k+1). In proportion to the
// miscoverage, so that a few misses in a row do not drive a 95% band's aim
// below zero, to the widest residual, as 0.02 did 3% of the time; falling
// with the step, as the forecasts of far steps from neighbouring origins
// overlap and miss together, and a full step at each of a cluster of misses
// held the aim there for a hundred origins after. The backtests over the
// shared files that chose it are in the README's horizons section.
func adaptStep(level float64, k int) float64 { return (1 - level) / 10 / math.Sqrt(float64(k+1)) }

// calibrator sizes the intervals of every step ahead online, as forecasts
// are made in time order: a forecast's radius at step k comes from the
// residuals at step k of every earlier forecast whose target is already
// known when it is made (the validation span's first, then each forecast's
// own as its target arrives), each in units of the volatility at its
// origin (see volatilities), taken at the level adaptive conformal
// inference aims at (see adaptStep). Nothing later than the origin is read:
// a residual joins when its target is a known value.
type calibrator struct {
	levels []float64
	// scores[k] are the known residuals of step k+1, sorted.
	scores [][]float64
	// aim[i][k] is the miscoverage levels[i] aims at for step k+1, 1 -
	// levels[i] until a band has missed or hit.
	aim [][]float64
	// pending[k] are the forecasts of step k+1 whose target is not known
	// yet, in order of target (of origin, as they are made).
	pending [][]pendingForecast
}

// pendingForecast is a forecast waiting for its target.
type pendingForecast struct {
	target    int     // index of the value forecast
	pred, vol float64 // the forecast, and the volatility at its origin
	// radii are the radii issued with the forecast, one per level in price
	// units (NaN where a level was not sized yet); nil when none was.
	radii []float64
}

// newCalibrator returns a calibrator of steps steps ahead at levels, with
// no residual known.
func newCalibrator(levels []float64, steps int) *calibrator {
	c := &calibrator{levels: slices.Clone(levels), scores: make([][]float64, steps),
		aim: make([][]float64, len(levels)), pending: make([][]pendingForecast, steps)}
	for i, l := range levels {
		c.aim[i] = make([]float64, steps)
		for k := range c.aim[i] {
			c.aim[i][k] = 1 - l
		}
	}
	return c
}

// walk makes the forecasts paths (see Model.paths: paths[k][i] forecasts
// prices[lo+i+k] from the values before lo+i) in order of origin: before
// each origin t it learns every residual whose target is a value before t.
// It returns the radii issued with the forecasts from origin from on,
// issued[t-from][i][k] for levels[i] at step k+1 (see add); the forecasts
// before from only calibrate, as a validation span's do. vol is
// volatilities(prices), or of a longer series with the same start.
func (c *calibrator) walk(prices, vol []float64, paths [][]float64, lo, from int) [][][]float64 {
	var issued [][][]float64
	pred := make([]float64, 0, len(paths))
	for i := range paths[0] {
		t := lo + i
		c.learn(prices, t)
		pred = pred[:0]
		for _, p := range paths {
			if i < len(p) {
				pred = append(pred, p[i])
			}
		}
		if r := c.add(t, pred, vol[t], t >= from); t >= from {
			issued = append(issued, r)
		}
	}
	return issued
}

// add records the forecasts pred[k] of prices[origin+k], made from the
// values before origin, where the volatility was vol. With band it returns
// the radii issued with them, radii[i][k] for levels[i] at step k+1 in
// price units, NaN where a level cannot be sized yet; else nil.
func (c *calibrator) add(origin int, pred []float64, vol float64, band bool) [][]float64 {
	var radii [][]float64
	if band {
		radii = make([][]float64, len(c.levels))
		for i := range radii {
			radii[i] = make([]float64, len(pred))
			for k := range pred {
				if r := c.radius(i, k); !math.IsInf(r, 1) { // an endless band is no band
					radii[i][k] = r * vol
				} else {
					radii[i][k] = math.NaN()
				}
			}
		}
	}
	for k, p := range pred {
		f := pendingForecast{target: origin + k, pred: p, vol: vol}
		if band {
			f.radii = make([]float64, len(c.levels))
			for i := range f.radii {
				f.radii[i] = radii[i][k]
			}
		}
		c.pending[k] = append(c.pending[k], f)
	}
	return radii
}

// learn adds the residual of every pending forecast whose target is a
// value before known, prices[:known] being the values known, and moves the
// aim of each level whose band was issued with it: down after a miss, up
// after a hit.
func (c *calibrator) learn(prices []float64, known int) {
	for k, queue := range c.pending {
		n := 0
		for ; n < len(queue) && queue[n].target < known; n++ {
			f := queue[n]
			r := math.Abs(prices[f.target] - f.pred)
			c.scores[k] = insertSorted(c.scores[k], score(r, f.vol))
			for i, radius := range f.radii {
				if math.IsNaN(radius) {
					continue
				}
				var missed float64
				if r > radius {
					missed = 1
				}
				c.aim[i][k] += adaptStep(c.levels[i], k) * (1 - c.levels[i] - missed)
			}
		}
		c.pending[k] = slices.Delete(queue, 0, n)
	}
}

// score is a residual r in units of the volatility vol at its origin; a
// move after a perfectly flat spell is +Inf, as no multiple of a zero
// volatility covers it.
func score(r, vol float64) float64 {
	switch {
	case r == 0:
		return 0
	case vol > 0:
		return r / vol
	default:
		return math.Inf(1)
	}
}

// insertSorted inserts v into the sorted s.
func insertSorted(s []float64, v float64) []float64 {
	i, _ := slices.BinarySearch(s, v)
	return slices.Insert(s, i, v)
}

// radius returns the radius of levels[i] at step k+1, in units of
// volatility: the conformal quantile of the step's known residuals at the
// level aimed at, the largest of them when the aim asks for more than they
// can promise, and 0 when it asks for none. It is NaN while there are
// fewer residuals than the nominal level needs, and +Inf when the quantile
// is a move after a flat spell.
func (c *calibrator) radius(i, k int) float64 {
	s := c.scores[k]
	if len(s) < metrics.ConformalMinSamples(c.levels[i]) {
		return math.NaN()
	}
	switch level := 1 - c.aim[i][k]; {
	case level <= 0:
		return 0
	case level >= 1:
		return s[len(s)-1]
	default:
		if r := metrics.ConformalQuantileSorted(s, level); !math.IsInf(r, 1) {
			return r
		}
		return s[len(s)-1]
	}
}

// intervals returns the radii of every step at each level as they stand,
// leaving out with a note a level that needs more residuals than some step
// has or whose radius at some step is infinite (a move after a perfectly
// flat spell), rather than drawing an endless band.
func (c *calibrator) intervals() ([]Interval, []string) {
	n := len(c.scores[len(c.scores)-1]) // the step with the fewest residuals
	var ivs []Interval
	var notes []string
	for i, l := range c.levels {
		if need := metrics.ConformalMinSamples(l); n < need {
			notes = append(notes, fmt.Sprintf("no %s%% interval: it needs at least %d validation values, got %d; hold out more values for validation or ask for a lower level",
				levelKey(l), need, n))
			continue
		}
		radii := make([]float64, len(c.scores))
		for k := range radii {
			radii[k] = c.radius(i, k)
		}
		if slices.ContainsFunc(radii, func(r float64) bool { return math.IsInf(r, 1) }) {
			notes = append(notes, fmt.Sprintf("no %s%% interval: validation values moved after perfectly flat spells, which no multiple of a zero volatility covers",
				levelKey(l)))
			continue
		}
		ivs = append(ivs, Interval{Level: l, Radius: radii[0], Radii: radii})
	}
	return ivs, notes
}

// issuedPaths are forecasts from consecutive origins with the radii issued
// with them online.
type issuedPaths struct {
	from   int         // the first origin
	levels []float64   // the calibrator's, in the order of each radii[i]
	steps  [][]float64 // steps[k][t-from] forecasts prices[t+k] (see Model.paths)
	radii  [][][]float64
}

// radius returns the radius issued at level with the forecast of step k+1
// from origin t, NaN when it was not sized.
func (is *issuedPaths) radius(t int, level float64, k int) float64 {
	i := slices.Index(is.levels, level) // no levels, no radii: a fit without validation
	if i < 0 {
		return math.NaN()
	}
	return is.radii[t-is.from][i][k]
}

// paths returns the first horizon steps of each forecast with the bands
// issued with it at levels; a forecast that overflows is refused.
func (is *issuedPaths) paths(horizon int, levels []float64) ([]Path, error) {
	paths := make([]Path, len(is.steps[0]))
	for i := range paths {
		o := is.from + i
		p := Path{Origin: o, Pred: make([]float64, horizon)}
		for k := range p.Pred {
			p.Pred[k] = is.steps[k][i]
		}
		if k := slices.IndexFunc(p.Pred, isNotFinite); k >= 0 {
			return nil, fmt.Errorf("the forecast from value %d overflows at step %d (%v)", o, k+1, p.Pred[k])
		}
		for _, l := range levels {
			lo, hi := make([]float64, horizon), make([]float64, horizon)
			for k, v := range p.Pred {
				r := is.radius(o, l, k)
				lo[k], hi[k] = v-r, v+r
			}
			p.Lo, p.Hi = append(p.Lo, lo), append(p.Hi, hi)
		}
		paths[i] = p
	}
	return paths, nil
}
