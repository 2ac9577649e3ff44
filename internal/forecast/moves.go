package forecast

import (
	"fmt"
	"math"

	"github.com/lstmfc/lstmfc/internal/window"
)

// SkillThreshold is the t statistic a network's one-step forecasts of its
// validation span must exceed (see Moves.SkillT) for its forecasts to be
// used. Not the textbook 2: daily moves have heavy tails and calm and wild
// spells, which make an ordinary least-squares t overstate its case, and
// over 78 fits to series without skill (stock indices, stocks, random
// walks) 6 passed 2, 8% against the 2.3% a t distribution promises, and 2
// passed 2.5; fits to series with skill passed 2.5 in 31 of 37. The
// backtests behind it are in the README's horizons section.
const SkillThreshold = 2.5

// Moves is what a fit learned on its validation span about the network's
// forecasts, applied to every forecast it reports (see Model.adjust). A
// price series' moves are close to unpredictable; a network that forecasts
// them anyway adds its errors to the last price's, and over several steps
// its small average move compounds into a drift the series need not have.
type Moves struct {
	// SkillT is the t statistic of the slope of the least-squares line
	// through the validation span's actual one-step moves against the
	// network's forecasts of them, each less its mean: how clearly the
	// forecasts tell which way and how far the price goes next. At or below
	// SkillThreshold (or NaN, with too few values to say) the model has
	// shown no skill and every forecast is the last known price.
	SkillT float64
	// Drift[k] is the mean move (see window.Encoding.Move) the network
	// forecast k+1 steps ahead from the validation origins. It is taken out
	// of every forecast of that step: what is left is what the network
	// reads in the window, not a trend it learned from the training span.
	// Past the last step it grows in proportion to the step.
	Drift []float64
}

// Skilled reports whether the network's forecasts are used: whether its
// one-step forecasts of the validation span passed SkillThreshold.
func (mv *Moves) Skilled() bool { return mv.SkillT > SkillThreshold }

// drift returns the drift taken out of a forecast k+1 steps ahead.
func (mv *Moves) drift(k int) float64 {
	n := len(mv.Drift)
	if k < n {
		return mv.Drift[k]
	}
	return mv.Drift[n-1] * float64(k+1) / float64(n)
}

// adjust returns the forecast m reports for the network's forecast raw,
// k+1 steps past the last known price last: raw itself for a model without
// Moves (one from elsewhere, or trained with Config.RawForecasts), last for
// one without skill, and otherwise raw with the step's drift taken out.
func (m *Model) adjust(last, raw float64, k int) float64 {
	mv := m.Moves
	switch {
	case mv == nil:
		return raw
	case !mv.Skilled():
		return last
	}
	return m.Enc.Moved(last, m.Enc.Move(last, raw)-mv.drift(k))
}

// fitMoves measures Moves from paths, the network's own forecasts from the
// origins lo, lo+1, … of prices (see Model.paths), over the validation
// origins [lo, hi).
func fitMoves(enc window.Encoding, prices []float64, paths [][]float64, lo, hi int) *Moves {
	n := hi - lo
	mv := &Moves{Drift: make([]float64, len(paths))}
	for k, p := range paths {
		var sum float64
		for i := range n {
			sum += enc.Move(prices[lo+i-1], p[i])
		}
		mv.Drift[k] = sum / float64(n)
	}
	forecast, actual := make([]float64, n), make([]float64, n)
	for i := range n {
		last := prices[lo+i-1]
		forecast[i], actual[i] = enc.Move(last, paths[0][i]), enc.Move(last, prices[lo+i])
	}
	mv.SkillT = slopeT(forecast, actual)
	return mv
}

// slopeT returns the t statistic of the slope of the least-squares line
// through (x[i], y[i]), intercept included: the slope over its standard
// error. It is 0 when x is constant, as such forecasts know nothing, and NaN
// with fewer than 3 points.
func slopeT(x, y []float64) float64 {
	n := len(x)
	if n < 3 {
		return math.NaN()
	}
	var mx, my float64
	for i := range x {
		mx += x[i]
		my += y[i]
	}
	mx, my = mx/float64(n), my/float64(n)
	var sxx, sxy, syy float64
	for i := range x {
		dx, dy := x[i]-mx, y[i]-my
		sxx += dx * dx
		sxy += dx * dy
		syy += dy * dy
	}
	if sxx == 0 {
		return 0
	}
	slope := sxy / sxx
	rss := max(0, syy-slope*sxy) // the residual sum of squares
	if rss == 0 {
		return math.Inf(int(math.Copysign(1, slope)))
	}
	return slope / math.Sqrt(rss/float64(n-2)/sxx)
}

// Note says, in a sentence for the user, what mv means for the forecasts
// when the model has no skill; "" when it has, or when mv is nil.
func (mv *Moves) Note() string {
	if mv == nil || mv.Skilled() {
		return ""
	}
	return fmt.Sprintf("no skill: on the validation span the network's one-step forecasts did not track the moves (t = %.3g, at most %g), so every forecast is the last known price; train or backtest with --raw-forecasts for the network's own",
		mv.SkillT, SkillThreshold)
}
