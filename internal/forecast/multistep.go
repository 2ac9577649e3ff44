package forecast

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"gonum.org/v1/gonum/floats"

	"github.com/lstmfc/lstmfc/internal/metrics"
)

// SeasonalPeriod is the period of the seasonal naive baseline: 5 values, a
// week of business days, so it repeats the same weekday of the last week.
// On a series of every calendar day it is merely another lagged naive
// forecast; it costs nothing either way.
const SeasonalPeriod = 5

// MaxBacktestHorizon is the most steps ahead a multi-step backtest scores:
// about a trading year. Each origin forecasts every step, so the work grows
// with it.
const MaxBacktestHorizon = 250

// Path is the forecast from one origin: Pred[k] forecasts prices[Origin+k],
// k+1 steps past the last value known, prices[Origin-1]. Lo[i] and Hi[i]
// bound it at the backtest's i-th level, NaN where the fold's model could
// not size that level.
type Path struct {
	Origin int
	Pred   []float64
	Lo, Hi [][]float64
}

// Step scores the forecasts made a number of steps ahead, next to the
// baselines forecasting the same values from the same origins with only
// the values known there.
type Step struct {
	// Step is how many steps ahead, from 1; 0 in Steps.Overall, which
	// scores every step together.
	Step          int            `json:"step"`
	Rows          int            `json:"rows"`
	LSTM          metrics.Scores `json:"lstm"`
	Naive         metrics.Scores `json:"naive"`
	Drift         metrics.Scores `json:"drift"`
	SeasonalNaive metrics.Scores `json:"seasonal_naive"`
	// Coverage is the fraction of actual values inside each interval,
	// keyed by level in percent ("80", "95").
	Coverage map[string]float64 `json:"coverage,omitempty"`
	Verdict  Verdict            `json:"verdict"`
}

// Steps is the multi-step part of a backtest: every origin's forecast and
// their scores at each step.
type Steps struct {
	Horizon int       `json:"horizon"`  // steps scored, 1..Horizon
	Origins int       `json:"origins"`  // paths forecast, one from every value of every fold's span
	Levels  []float64 `json:"-"`        // the interval levels, in the order of each path's Lo and Hi
	Paths   []Path    `json:"-"`        // every origin's forecast, in order of origin
	PerStep []Step    `json:"per_step"` // PerStep[k] scores step k+1
	// Overall scores all steps of the origins whose every step is known
	// together; its Diebold–Mariano test compares each origin's mean
	// squared error over the steps, autocorrelated up to Horizon-1 origins
	// apart since consecutive paths overlap.
	Overall Step `json:"overall"`
}

// ScoreSteps scores paths, forecasts of prices up to horizon steps ahead,
// at every step, each step over the origins whose target is in prices. MASE
// is scaled by the naive one-step error on prices[:trainEnd], as in
// Evaluate, so the naive forecast's MASE grows with the step. Each path's
// Lo and Hi hold one slice per level of levels. It panics when an origin
// knows fewer than SeasonalPeriod values.
func ScoreSteps(prices []float64, paths []Path, levels []float64, horizon, trainEnd int) *Steps {
	scale := metrics.NaiveMAE(prices[:trainEnd])
	s := &Steps{Horizon: horizon, Origins: len(paths), Levels: levels, Paths: paths}
	for h := 1; h <= horizon; h++ {
		var c columns
		for _, p := range paths {
			if p.Origin+h-1 < len(prices) {
				c.add(prices, p, h, levels)
			}
		}
		s.PerStep = append(s.PerStep, c.step(h, scale, c.residuals(), h))
	}
	var all columns
	var mse [4][]float64 // per whole path, each forecaster's mean squared error over it
	for _, p := range paths {
		if p.Origin+horizon > len(prices) {
			continue
		}
		var path columns
		for h := 1; h <= horizon; h++ {
			path.add(prices, p, h, levels)
			all.add(prices, p, h, levels)
		}
		for i, e := range path.residuals() {
			mse[i] = append(mse[i], floats.Dot(e, e)/float64(horizon))
		}
	}
	// The test takes errors and squares them: the root of each path's mean
	// squared error makes its loss that mean.
	var rootMSE [4][]float64
	for i, m := range mse {
		rootMSE[i] = make([]float64, len(m))
		for k, v := range m {
			rootMSE[i][k] = math.Sqrt(v)
		}
	}
	s.Overall = all.step(0, scale, rootMSE, horizon)
	return s
}

// columns gathers the targets of one step, or of all, with what each
// forecaster predicted for them.
type columns struct {
	prev, actual []float64
	fc           [4][]float64 // the model's, naive, drift, seasonal naive
	cov          coverage
}

// add appends the target h steps past p's origin, the baselines forecasting
// it from the values known at the origin only.
func (c *columns) add(prices []float64, p Path, h int, levels []float64) {
	o, t := p.Origin, p.Origin+h-1
	known := prices[:o]
	c.prev = append(c.prev, known[o-1])
	c.actual = append(c.actual, prices[t])
	for i, f := range [4]float64{p.Pred[h-1], metrics.Naive(known, o), metrics.DriftAhead(known, o, h), metrics.SeasonalNaive(known, o, h, SeasonalPeriod)} {
		c.fc[i] = append(c.fc[i], f)
	}
	for i, l := range levels {
		c.cov.level(l).add(p.Lo[i][h-1], p.Hi[i][h-1], prices[t])
	}
}

// residuals returns each forecaster's errors.
func (c *columns) residuals() (e [4][]float64) {
	for i, f := range c.fc {
		e[i] = residuals(c.actual, f)
	}
	return e
}

// step scores the columns as step h, with a verdict from a Diebold–Mariano
// test of errs (each forecaster's, as in fc) for dmSteps-step forecasts.
func (c *columns) step(h int, scale float64, errs [4][]float64, dmSteps int) Step {
	score := func(i int) metrics.Scores { return metrics.Score(c.prev, c.actual, c.fc[i], scale) }
	s := Step{Step: h, Rows: len(c.actual), LSTM: score(0), Naive: score(1), Drift: score(2), SeasonalNaive: score(3), Coverage: c.cov.fractions()}
	s.Verdict = judge(errs[0], dmSteps, []candidate{
		{"naive", s.Naive, errs[1]},
		{"drift", s.Drift, errs[2]},
		{"seasonal_naive", s.SeasonalNaive, errs[3]},
	})
	return s
}

// ShownSteps returns the steps a text report shows out of 1..horizon:
// 1, 5, 10 and 20 where they fit, and horizon itself.
func ShownSteps(horizon int) []int {
	var steps []int
	for _, h := range []int{1, 5, 10, 20} {
		if h < horizon {
			steps = append(steps, h)
		}
	}
	return append(steps, horizon)
}

// WriteText writes the scores of ShownSteps and of all steps together as a
// table, then the verdict over all steps in words; model names the network
// (LSTM, GRU or RNN).
func (s *Steps) WriteText(w io.Writer, model string) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Forecasts 1 to %d steps ahead from %d origins, in price units (seasonal naive: the value %d steps before, a business week)\n", s.Horizon, s.Origins, SeasonalPeriod)
	fmt.Fprintf(&b, "  %5s %6s %11s %11s %11s %11s %8s %-15s %8s %9s", "step", "rows", strings.ToLower(model)+" RMSE", "naive RMSE", "drift RMSE", "seas. RMSE", "MASE", "best baseline", "its MASE", "direction")
	for _, l := range s.Levels {
		fmt.Fprintf(&b, " %6s", levelKey(l)+"%")
	}
	fmt.Fprintf(&b, " %7s  %s\n", "DM p", "verdict")
	row := func(label string, st Step) {
		best := st.Verdict.BestScores
		fmt.Fprintf(&b, "  %5s %6d %11.5g %11.5g %11.5g %11.5g %8.3f %-15s %8.3f %8.1f%%", label, st.Rows, st.LSTM.RMSE, st.Naive.RMSE, st.Drift.RMSE, st.SeasonalNaive.RMSE,
			st.LSTM.MASE, strings.ReplaceAll(st.Verdict.Best, "_", " "), best.MASE, 100*st.LSTM.DirectionalAccuracy)
		for _, l := range s.Levels {
			if c, ok := st.Coverage[levelKey(l)]; ok {
				fmt.Fprintf(&b, " %5.1f%%", 100*c)
			} else {
				fmt.Fprintf(&b, " %6s", "-")
			}
		}
		fmt.Fprintf(&b, " %7s  %s\n", pColumn(st.Verdict.DM), st.Verdict.outcome(st.LSTM).word())
	}
	for _, h := range ShownSteps(s.Horizon) {
		row(strconv.Itoa(h), s.PerStep[h-1])
	}
	row("all", s.Overall)
	fmt.Fprintf(&b, "Over all %d steps: %s\n", s.Horizon, s.Overall.Verdict.sentence(model, s.Overall.LSTM))
	_, err := io.WriteString(w, b.String())
	return err
}

// pColumn writes a test's p-value in a table column.
func pColumn(d metrics.DM) string {
	switch {
	case math.IsNaN(d.P):
		return "-"
	case d.P < 0.001:
		return "<0.001"
	}
	return strconv.FormatFloat(d.P, 'f', 3, 64)
}

// WriteCSV writes every origin's forecast of every step whose actual value
// is known, one row each, with the header
// origin,target,step,actual,predicted[,loNN,hiNN...]: origin is the date of
// the last value known at the origin and target the date forecast, or
// their rows counted from 0 when dates is nil. A bound the fold's model
// could not size is empty.
func (s *Steps) WriteCSV(w io.Writer, prices []float64, dates []time.Time) error {
	cw := csv.NewWriter(w)
	head := []string{"origin", "target", "step", "actual", "predicted"}
	for _, l := range s.Levels {
		head = append(head, "lo"+levelKey(l), "hi"+levelKey(l))
	}
	if err := cw.Write(head); err != nil {
		return err
	}
	label := func(i int) string {
		if dates != nil {
			return dates[i].Format(dateLayout)
		}
		return strconv.Itoa(i)
	}
	rec := make([]string, len(head))
	for _, p := range s.Paths {
		for k, pred := range p.Pred {
			t := p.Origin + k
			if t >= len(prices) {
				break
			}
			rec[0], rec[1], rec[2], rec[3], rec[4] = label(p.Origin-1), label(t), strconv.Itoa(k+1), formatValue(prices[t]), formatValue(pred)
			for i := range s.Levels {
				rec[5+2*i], rec[6+2*i] = formatValue(p.Lo[i][k]), formatValue(p.Hi[i][k])
			}
			if err := cw.Write(rec); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}
