package forecast

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/stat"

	"github.com/lstmfc/lstmfc/internal/metrics"
)

// MovingAverageWindow is how many past values the moving-average baseline
// averages: about one trading month.
const MovingAverageWindow = 20

// Report scores one-step predictions of a span of a series in price units,
// next to the baselines that any forecaster must beat.
type Report struct {
	Rows int `json:"rows"`
	// Model names the network's cell (lstm, gru or rnn); "" is lstm. Its
	// scores are under "lstm" in JSON whatever the cell, as they were
	// before lstmfc had other cells.
	Model         string         `json:"model,omitempty"`
	LSTM          metrics.Scores `json:"lstm"`
	Naive         metrics.Scores `json:"naive"`
	Drift         metrics.Scores `json:"drift"`
	MovingAverage metrics.Scores `json:"moving_average"`
	Lag           Lag            `json:"lag"`
	Verdict       Verdict        `json:"verdict"`
	// Coverage is the fraction of actual values inside each interval,
	// keyed by level in percent ("80", "95").
	Coverage map[string]float64 `json:"coverage,omitempty"`
}

// Lag is the lag diagnostic: the correlation of the predictions with the
// actual values, and with the actual values one step earlier. A model whose
// predictions track yesterday's price better than today's is mostly
// echoing the last value.
type Lag struct {
	Same    float64 `json:"same"`
	Shifted float64 `json:"shifted"`
}

// MarshalJSON writes a correlation that is undefined (a span of one value,
// or predictions that do not vary) as null, since JSON has no NaN.
func (l Lag) MarshalJSON() ([]byte, error) {
	number := func(v float64) *float64 {
		if math.IsNaN(v) {
			return nil
		}
		return &v
	}
	return json.Marshal(struct {
		Same    *float64 `json:"same"`
		Shifted *float64 `json:"shifted"`
	}{number(l.Same), number(l.Shifted)})
}

// Echoes reports whether the predictions follow the previous value more
// closely than the value they predict. A tie is no echo: a flat span's
// perfect forecast correlates equally with both.
func (l Lag) Echoes() bool { return l.Shifted > l.Same }

// Evaluate scores the one-step predictions pred (indexed like prices) over
// target indices [lo, hi), with MASE scaled by the naive forecast's error on
// prices[:trainEnd], and measures how often each band holds the actual value.
func Evaluate(prices, pred []float64, bands []TableBand, lo, hi, trainEnd int) Report {
	n := hi - lo
	prev := prices[lo-1 : hi-1]
	actual := prices[lo:hi]
	p := pred[lo:hi]
	naive, drift, ma := make([]float64, n), make([]float64, n), make([]float64, n)
	for i := range n {
		t := lo + i
		naive[i] = metrics.Naive(prices, t)
		drift[i] = metrics.Drift(prices, t)
		ma[i] = metrics.MovingAverage(prices, t, MovingAverageWindow)
	}
	scale := metrics.NaiveMAE(prices[:trainEnd])
	r := Report{
		Rows:          n,
		LSTM:          metrics.Score(prev, actual, p, scale),
		Naive:         metrics.Score(prev, actual, naive, scale),
		Drift:         metrics.Score(prev, actual, drift, scale),
		MovingAverage: metrics.Score(prev, actual, ma, scale),
	}
	r.Lag.Same, r.Lag.Shifted = stat.Correlation(p, actual, nil), stat.Correlation(p, prev, nil)
	r.Verdict = judge(residuals(actual, p), 1, []candidate{
		{"naive", r.Naive, residuals(actual, naive)},
		{"drift", r.Drift, residuals(actual, drift)},
		{"moving_average", r.MovingAverage, residuals(actual, ma)},
	})
	var c coverage
	for _, b := range bands {
		lv := c.level(b.Level)
		for t := lo; t < hi; t++ {
			lv.add(b.Lo[t], b.Hi[t], prices[t])
		}
	}
	r.Coverage = c.fractions()
	return r
}

// coverage counts, per interval level, how many actual values fell inside
// their interval, of those that had one.
type coverage []*levelCount

// levelCount is the count of one level.
type levelCount struct {
	level      float64
	in, banded int
}

// level returns the count of level, added when new.
func (c *coverage) level(level float64) *levelCount {
	for _, l := range *c {
		if l.level == level {
			return l
		}
	}
	l := &levelCount{level: level}
	*c = append(*c, l)
	return l
}

// add counts actual against the interval [lo, hi]; a NaN bound is no
// interval (a level the model could not size).
func (l *levelCount) add(lo, hi, actual float64) {
	if math.IsNaN(lo) {
		return
	}
	l.banded++
	if lo <= actual && actual <= hi {
		l.in++
	}
}

// fractions returns the fraction covered per level in percent ("80"), nil
// when no value had an interval.
func (c coverage) fractions() map[string]float64 {
	var m map[string]float64
	for _, l := range c {
		if l.banded > 0 {
			if m == nil {
				m = make(map[string]float64, len(c))
			}
			m[levelKey(l.level)] = float64(l.in) / float64(l.banded)
		}
	}
	return m
}

// levelKey names an interval level in percent, "80" or "97.5", rounded so
// that 0.57 is "57" and not 100·0.57 = 56.99999999999999.
func levelKey(level float64) string {
	return strconv.FormatFloat(math.Round(level*1e8)/1e6, 'f', -1, 64)
}

// levelKeys returns the levels of a coverage map in numeric order.
func levelKeys(cov map[string]float64) []string {
	return slices.SortedFunc(maps.Keys(cov), func(a, b string) int {
		x, _ := strconv.ParseFloat(a, 64)
		y, _ := strconv.ParseFloat(b, 64)
		return cmp.Compare(x, y)
	})
}

// ModelName names the network in text: LSTM, GRU or RNN.
func (r Report) ModelName() string { return strings.ToUpper(cmp.Or(r.Model, "lstm")) }

// Outcome is the verdict in one or two words, for a table: "beats" or
// "worse" (than the best baseline, significantly, by RMSE and MASE alike),
// "no difference", "mixed" (significant, but RMSE and MASE disagree), or
// "-" with nothing scored.
func (r Report) Outcome() string { return r.Verdict.outcome(r.LSTM).word() }

// BeatsNaive reports whether the LSTM's RMSE is below the naive forecast's.
func (r Report) BeatsNaive() bool { return r.LSTM.RMSE < r.Naive.RMSE }

// WriteText writes the report as a small table with the plain sentences a
// reader needs: whether the LSTM beats the best baseline, significantly
// and by both RMSE and MASE, and, when it does not, whether it mostly
// echoes the last value.
func (r Report) WriteText(w io.Writer, title string) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %d values scored, in price units\n", title, r.Rows)
	fmt.Fprintf(&b, "  %-15s %12s %12s %9s %9s %8s %11s\n", "model", "RMSE", "MAE", "MAPE %", "sMAPE %", "MASE", "direction")
	row := func(name string, s metrics.Scores) {
		fmt.Fprintf(&b, "  %-15s %12.6g %12.6g %9.3f %9.3f %8.3f %10.1f%%\n", name, s.RMSE, s.MAE, s.MAPE, s.SMAPE, s.MASE, 100*s.DirectionalAccuracy)
	}
	row(strings.ToLower(r.ModelName()), r.LSTM)
	row("naive", r.Naive)
	row("drift", r.Drift)
	row("moving average", r.MovingAverage)
	for _, k := range levelKeys(r.Coverage) {
		fmt.Fprintf(&b, "  %s%% interval covered %.1f%% of actual values\n", k, 100*r.Coverage[k])
	}
	fmt.Fprintln(&b, r.Verdict.sentence(r.ModelName(), r.LSTM))
	// An echo explains a model without skill; one that wins anyway may
	// track the last value simply because prices do. A model that showed no
	// skill on its validation span forecasts the last value itself.
	switch o := r.Verdict.outcome(r.LSTM); {
	case r.LSTM == r.Naive:
		fmt.Fprintln(&b, "Its forecasts are the last price: the network showed no skill on its validation span (--raw-forecasts reports its own).")
	case r.Lag.Echoes() && o != beats && o != unscored:
		fmt.Fprintf(&b, "Its predictions correlate more with the previous value (%.4f) than with the value predicted (%.4f): the model mostly echoes the last price.\n", r.Lag.Shifted, r.Lag.Same)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// SpanReports are a fit's one-step predictions scored on the spans of its
// split; a span that was not held out has none.
type SpanReports struct {
	Validation *Report
	Test       *Report
	// InSample scores the training span, only when neither of the others
	// was held out: it measures fit, not skill.
	InSample *Report
	// Steps scores the test span's forecasts 1 to the fit's horizon steps
	// ahead (at most the span's length), one path from every value of the
	// span, as a multi-step backtest scores a fold; nil for a fit of one
	// step or without a test span. The validation span is not scored so:
	// it picked the best epoch and sized the intervals.
	Steps *Steps
}

// Score predicts prices, the series f was fitted on, one step ahead and
// scores its held-out spans; a fit for more than one step also has its
// test span scored at every step. It stops with ctx's error when ctx is
// cancelled, and fails as Table does on predictions that are not finite or
// values the encoding cannot take.
func (f *Fit) Score(ctx context.Context, prices []float64) (SpanReports, error) {
	var r SpanReports
	// Only the spans reported are predicted: the training span is scored
	// only when there is nothing held out.
	from := f.Lookback
	if lo, _ := f.Split.Validation(); lo < len(prices) {
		from = lo
	}
	tb, err := f.table(ctx, prices, nil, &f.Split, 0, from)
	if err != nil {
		return r, err
	}
	f.onlineBands(tb)
	eval := func(lo, hi int) *Report {
		rep := Evaluate(prices, tb.Predicted, tb.Bands, lo, hi, f.Split.TrainEnd)
		rep.Model = f.Config.Cell
		return &rep
	}
	if lo, hi := f.Split.Validation(); hi > lo {
		r.Validation = eval(lo, hi)
	}
	if lo, hi := f.Split.Test(); hi > lo {
		r.Test = eval(lo, hi)
		// A step whose target lies past the end of every path has no
		// value to score.
		if h := min(f.Config.Horizon, hi-lo); h > 1 && f.test != nil {
			paths, err := f.test.paths(h, f.Config.Levels)
			if err != nil {
				return r, err
			}
			r.Steps = ScoreSteps(prices, paths, f.Config.Levels, h, f.Split.TrainEnd)
		}
	}
	if r.Test == nil && r.Validation == nil {
		r.InSample = eval(f.Split.Train())
	}
	return r, nil
}
