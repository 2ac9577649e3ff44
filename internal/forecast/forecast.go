// Package forecast joins the data path and the LSTM engine: it fits a model
// to a price series without look-ahead, predicts one step at a time over a
// series, forecasts recursively past its end, and derives prediction
// intervals from held-out residuals. Everything it returns is in prices.
package forecast

import (
	"context"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/lstmfc/lstmfc/internal/lstm"
	"github.com/lstmfc/lstmfc/internal/metrics"
	"github.com/lstmfc/lstmfc/internal/window"
)

// Model is a fitted forecaster: the network, how prices map to its inputs
// and outputs, and the interval radii measured on validation residuals.
type Model struct {
	Net      *lstm.Model
	Enc      window.Encoding
	Lookback int
	// Intervals holds one split-conformal interval per level, empty when the
	// model was fitted without a validation span.
	Intervals []Interval
}

// Interval is a split-conformal prediction interval normalised by recent
// volatility: its half-width is Radius times the mean absolute one-step
// move of the volatilityWindow values before the prediction. Prices are not
// exchangeable across calm and turbulent spells, or across price levels, so
// a fixed width would cover too much in one and too little in the other.
type Interval struct {
	Level  float64
	Radius float64 // in units of volatility
}

// volatilityWindow is how many recent one-step moves set an interval's
// scale: about a trading month.
const volatilityWindow = 20

// volatilities returns, for every t in [0, len(prices)], the mean absolute
// one-step change of prices over the last volatilityWindow moves (or as
// many as there are) up to prices[t-1]: the scale of an interval for
// prices[t], known before it. After a flat spell (a stale or suspended
// price) it reaches further back, to the last volatilityWindow moves that
// were not zero, since a price that has not moved lately can still move.
// It is NaN when t < 2, with no move to measure, and 0 when prices[:t]
// never moved.
//
// It takes one pass: the last nonzero moves are kept as they go by, so a
// long flat run costs no more than a varied one.
func volatilities(prices []float64) []float64 {
	vol := make([]float64, len(prices)+1)
	var recent [volatilityWindow]float64 // the last nonzero moves, a ring
	kept, next := 0, 0
	for t := range vol {
		if t >= 2 {
			if d := math.Abs(prices[t-1] - prices[t-2]); d != 0 {
				recent[next] = d
				next = (next + 1) % volatilityWindow
				kept = min(kept+1, volatilityWindow)
			}
		}
		lo := max(0, t-volatilityWindow-1)
		if t-lo < 2 {
			vol[t] = math.NaN()
			continue
		}
		if v := metrics.NaiveMAE(prices[lo:t]); v > 0 {
			vol[t] = v
			continue
		}
		if kept == 0 {
			continue // never moved: 0
		}
		var sum float64 // newest first
		for k := 1; k <= kept; k++ {
			sum += recent[(next-k+volatilityWindow)%volatilityWindow]
		}
		vol[t] = sum / float64(kept)
	}
	return vol
}

// Fit is a fitted forecaster together with how it was fitted.
type Fit struct {
	*Model
	Config Config // as resolved for the series: the target chosen, the levels sorted
	Split  window.Split
	Result lstm.TrainResult
	Notes  []string // what the fit chose or had to leave out, as sentences for the user
}

// scaler returns the window scaler cfg asks for.
func (c Config) scaler() window.Scaler {
	if c.Standard {
		return window.ZScore
	}
	return window.MinMax
}

// Train fits a model to prices under cfg, resolved for them as Resolve
// does. The split is chronological; the encoding (scaler) is fitted on the
// training values only and the model sees only training windows;
// validation windows pick the best epoch and measure the interval radii.
// Test values play no part: they need only be encodable when the fit is
// scored. progress, when not nil, is called once per epoch. On interruption
// (ctx cancelled) or divergence the returned Fit holds the best weights so
// far alongside the error, so the caller can still save it.
func Train(ctx context.Context, prices []float64, cfg Config, progress func(lstm.EpochStats)) (*Fit, error) {
	cfg, split, notes, err := cfg.Resolve(prices)
	if err != nil {
		return nil, err
	}
	if err := checkPriceRange(prices); err != nil {
		return nil, err
	}
	enc, err := window.FitScaled(cfg.Target, cfg.scaler(), prices[:split.TrainEnd])
	if err != nil {
		return nil, err
	}
	if err := enc.Check(prices[:split.ValEnd]); err != nil {
		return nil, err
	}
	z := enc.Encode(prices[:split.ValEnd])
	lo, hi := split.Train()
	train := lstm.OneTarget(enc.Windows(z, cfg.Lookback, lo, hi))
	var val lstm.Dataset
	if lo, hi := split.Validation(); hi > lo {
		val = lstm.OneTarget(enc.Windows(z, cfg.Lookback, lo, hi))
	}
	cell, err := lstm.ParseCell(cfg.Cell) // Resolve named one
	if err != nil {
		return nil, err
	}
	net, err := lstm.NewCell(cell, 1, cfg.Units, 1)
	if err != nil {
		return nil, err
	}
	// The orthogonal initialisation of a layer at the unit limit is seconds
	// of LAPACK with no place to stop.
	if _, err := interruptible(ctx, func() (struct{}, error) {
		net.InitKeras(cfg.Seed)
		return struct{}{}, nil
	}); err != nil {
		return nil, err
	}
	res, err := lstm.Train(ctx, net, train, val, lstm.TrainConfig{
		Steps:     cfg.Lookback,
		Epochs:    cfg.Epochs,
		BatchSize: cfg.BatchSize,
		LR:        cfg.LR,
		Clip:      cfg.Clip,
		Patience:  cfg.Patience,
		Seed:      cfg.Seed,
	}, progress)
	f := &Fit{Model: &Model{Net: net, Enc: enc, Lookback: cfg.Lookback}, Config: cfg, Split: split, Result: res, Notes: notes}
	if err != nil {
		return f, err
	}
	// Intervals are sized on the validation span; an overflowing model
	// shows there, or in Table, which every caller runs next.
	if lo, hi := split.Validation(); hi > lo {
		pred, err := f.oneStep(ctx, prices, lo, hi)
		if err != nil {
			return f, err // interrupted: the weights are whole, the intervals not sized
		}
		if t := slices.IndexFunc(pred[lo:hi], isNotFinite); t >= 0 {
			return nil, fmt.Errorf("%w: the trained model predicts %v for value %d", ErrDiverged, pred[lo+t], lo+t+1)
		}
		var ivNotes []string
		f.Intervals, ivNotes = conformal(prices, pred, volatilities(prices[:hi]), lo, hi, cfg.Levels)
		f.Notes = append(f.Notes, ivNotes...)
	}
	return f, nil
}

// conformal measures split-conformal radii from the residuals of the
// one-step predictions pred over target indices [lo, hi), each in units of
// the volatility before it, vol[t] (see volatilities). A level that needs more residuals than there
// are, or whose radius is infinite (a move after a perfectly flat spell),
// is left out with a note rather than drawn as an endless band.
func conformal(prices, pred, vol []float64, lo, hi int, levels []float64) ([]Interval, []string) {
	res := make([]float64, 0, hi-lo)
	for t := lo; t < hi; t++ {
		r, v := math.Abs(prices[t]-pred[t]), vol[t]
		switch {
		case r == 0:
			res = append(res, 0)
		case v > 0:
			res = append(res, r/v)
		default: // no move before: no finite multiple of it covers one
			res = append(res, math.Inf(1))
		}
	}
	var iv []Interval
	var notes []string
	for _, l := range levels {
		r := metrics.ConformalQuantile(res, l)
		switch need := metrics.ConformalMinSamples(l); {
		case len(res) < need:
			notes = append(notes, fmt.Sprintf("no %s%% interval: it needs at least %d validation values, got %d; hold out more values for validation or ask for a lower level",
				levelKey(l), need, len(res)))
			continue
		case math.IsInf(r, 1):
			notes = append(notes, fmt.Sprintf("no %s%% interval: validation values moved after perfectly flat spells, which no multiple of a zero volatility covers",
				levelKey(l)))
			continue
		}
		iv = append(iv, Interval{Level: l, Radius: r})
	}
	return iv, notes
}

// OneStep returns, for every value of prices, the model's prediction of it
// from the Lookback values before it; NaN where there are not enough.
// Windows are views of the series drawn a batch at a time, so memory does
// not grow with len(prices) x Lookback. It stops with ctx's error when ctx
// is cancelled.
func (m *Model) OneStep(ctx context.Context, prices []float64) ([]float64, error) {
	return m.oneStep(ctx, prices, m.Lookback, len(prices))
}

// oneStep is OneStep for the values of target indices [lo, hi) only, with
// lo >= Lookback; the rest are NaN.
func (m *Model) oneStep(ctx context.Context, prices []float64, lo, hi int) ([]float64, error) {
	pred := nanSlice(len(prices))
	if hi <= lo {
		return pred, nil
	}
	w := m.Enc.Windows(m.Enc.Encode(prices[:hi]), m.Lookback, lo, hi)
	y := make([]float64, w.Len())
	if err := m.Net.PredictAll(ctx, lstm.OneTarget(w), m.Lookback, y); err != nil {
		return nil, err
	}
	for i, yi := range y {
		t := w.Target(i)
		pred[t] = m.Enc.Price(prices, t, yi)
	}
	return pred, nil
}

// Forecast predicts the horizon values past the end of prices, feeding each
// prediction back as the newest input. It stops with ctx's error when ctx
// is cancelled.
func (m *Model) Forecast(ctx context.Context, prices []float64, horizon int) ([]float64, error) {
	if horizon < 0 || horizon > MaxHorizon {
		return nil, fmt.Errorf("horizon must be between 0 and %d steps, got %d", MaxHorizon, horizon)
	}
	if len(prices) < m.Lookback+1 {
		return nil, fmt.Errorf("need at least %d values to forecast with lookback %d, got %d", m.Lookback+1, m.Lookback, len(prices))
	}
	// Only the tail matters: the window, one value before it (the step the
	// return and delta encodings take from) and the value to predict.
	ext := make([]float64, m.Lookback+1, m.Lookback+1+horizon)
	copy(ext, prices[len(prices)-m.Lookback-1:])
	out := make([]float64, horizon)
	x := make([]float64, m.Lookback)
	p := m.Net.NewPredictor(m.Lookback)
	for h := range horizon {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		ext = append(ext, math.NaN()) // the value to predict; never read as input
		tail := ext[len(ext)-m.Lookback-2:]
		t := len(tail) - 1
		m.Enc.Windows(m.Enc.Encode(tail), m.Lookback, t, t+1).Sample(0, x)
		tail[t] = m.Enc.Price(tail, t, p.Predict(x))
		out[h] = tail[t]
	}
	return out, nil
}

// Band returns the interval around prediction pred, h steps past the last
// known value (h = 1 for a one-step prediction), when the volatility before
// that value is vol. Recursive forecasts compound their errors, so the
// radius grows with the square root of the horizon, as a random walk's do.
func (iv Interval) Band(vol, pred float64, h int) (lo, hi float64) {
	r := iv.Radius * vol * math.Sqrt(float64(h))
	return pred - r, pred + r
}

// Table predicts every value of prices one step ahead and forecasts horizon
// steps past the end, with the model's intervals around both. split, the
// one the model was fitted with, names each value's span; with split nil
// every value is SpanData, a series the model was not fitted on. Forecast
// rows are dated after the last date in the calendar of dates (see
// CalendarOf) when dates is not nil.
//
// The predictions must be finite: a model whose outputs overflow is refused
// with an error naming the first such row. It stops with ctx's error when
// ctx is cancelled.
func (m *Model) Table(ctx context.Context, prices []float64, dates []time.Time, split *window.Split, horizon int) (*Table, error) {
	if err := m.Enc.Check(prices); err != nil {
		return nil, err
	}
	n := len(prices)
	fc, err := m.Forecast(ctx, prices, horizon)
	if err != nil {
		return nil, err
	}
	one, err := m.OneStep(ctx, prices)
	if err != nil {
		return nil, err
	}
	t := &Table{
		Actual:    append(append(make([]float64, 0, n+horizon), prices...), nanSlice(horizon)...),
		Predicted: append(one, fc...),
		Split:     make([]Span, n+horizon),
	}
	if err := checkFinite(t.Predicted, m.Lookback, n); err != nil {
		return nil, err
	}
	for i := range n {
		t.Split[i] = spanOf(split, i)
	}
	for i := n; i < n+horizon; i++ {
		t.Split[i] = SpanForecast
	}
	if dates != nil {
		c, _ := CalendarOf(dates)
		t.Dates = append(append(make([]time.Time, 0, n+horizon), dates...), c.Next(dates[n-1], horizon)...)
	}
	if len(m.Intervals) == 0 {
		return t, nil
	}
	vol := volatilities(prices)
	for _, iv := range m.Intervals {
		b := TableBand{Level: iv.Level, Lo: nanSlice(n + horizon), Hi: nanSlice(n + horizon)}
		for i := m.Lookback; i < n; i++ {
			b.Lo[i], b.Hi[i] = iv.Band(vol[i], t.Predicted[i], 1)
		}
		for h := 1; h <= horizon; h++ {
			b.Lo[n+h-1], b.Hi[n+h-1] = iv.Band(vol[n], t.Predicted[n+h-1], h)
		}
		t.Bands = append(t.Bands, b)
	}
	return t, nil
}

// checkFinite returns an error naming the first prediction from row from
// on that is not finite; rows from n on are the recursive forecast. A
// trained model's outputs are finite on its training data, so one that
// overflows was damaged, does not belong with its metadata, or is fed
// prices far from those it learned.
func checkFinite(pred []float64, from, n int) error {
	i := slices.IndexFunc(pred[from:], isNotFinite)
	switch {
	case i < 0:
		return nil
	case from+i < n:
		return fmt.Errorf("the model's predictions overflow at row %d (%v): a damaged or mismatched model, or inputs far outside its training range", from+i, pred[from+i])
	}
	return fmt.Errorf("the recursive forecast overflows at step %d (%v): fed back, the model's predictions run far outside its training range", from+i-n+1, pred[from+i])
}

func isNotFinite(v float64) bool { return math.IsNaN(v) || math.IsInf(v, 0) }

func nanSlice(n int) []float64 {
	s := make([]float64, n)
	for i := range s {
		s[i] = math.NaN()
	}
	return s
}

// interruptible returns f's results, or ctx's cause as soon as ctx is done
// when f, a computation with no place to stop, is still running. f is then
// left to finish, unread, in the background: a signal is answered at once,
// and the process exits. f must not touch anything its caller still uses.
func interruptible[T any](ctx context.Context, f func() (T, error)) (T, error) {
	var zero T
	if ctx.Err() != nil {
		return zero, context.Cause(ctx)
	}
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1) // buffered: an abandoned f does not block
	go func() {
		v, err := f()
		done <- result{v, err}
	}()
	select {
	case r := <-done:
		return r.v, r.err
	case <-ctx.Done():
		return zero, context.Cause(ctx)
	}
}
