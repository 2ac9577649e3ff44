// Package forecast joins the data path and the LSTM engine: it fits a model
// to a price series without look-ahead, predicts one step at a time over a
// series, forecasts several steps past its end (directly, one output per
// step, or recursively), and derives prediction intervals for every step
// from held-out residuals. Everything it returns is in prices.
package forecast

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/lstmfc/lstmfc/internal/features"
	"github.com/lstmfc/lstmfc/internal/lstm"
	"github.com/lstmfc/lstmfc/internal/metrics"
	"github.com/lstmfc/lstmfc/internal/series"
	"github.com/lstmfc/lstmfc/internal/window"
)

// Model is a fitted forecaster: the network, how prices map to its inputs
// and outputs, and the interval radii measured on validation residuals.
type Model struct {
	Net      *lstm.Model
	Enc      window.Encoding
	Lookback int
	// Strategy says how Forecast uses the network: Direct (or "") reads
	// output k as the forecast k steps ahead, Recursive reads only the
	// first output and feeds it back.
	Strategy Strategy
	// Intervals holds one split-conformal interval per level, empty when the
	// model was fitted without a validation span.
	Intervals []Interval
	// Features, when not nil, says how the network's inputs are computed
	// from a file's columns and dates and scaled (Config.Features): each
	// step of a window is a row of Features.Names inputs instead of the
	// encoded price alone, which stays the target. Such a model predicts
	// only a series whose inputs it holds: see On.
	Features *features.Scaling
	// Holidays are the dates the market is closed, as Table.SkipHolidays
	// takes them: the calendar inputs of a forecast past the series (see
	// Features) are those of the days its rows will be dated, which skip
	// them.
	Holidays []time.Time
	// Moves, when not nil, is what the validation span showed of the
	// network's forecasts: every forecast reported is adjusted by it (see
	// Moves). nil reports the network's own.
	Moves  *Moves
	inputs *features.Matrix // scaled inputs of the series On bound; nil: none
}

// On returns m bound to the series of tab for Table, Forecast and OneStep:
// for a model with features, a copy holding the inputs computed from tab's
// columns and scaled as in training, which those methods then take with
// tab's prices; m itself for a model without features. A file that lacks a
// column the model needs is refused in one line naming the file.
func (m *Model) On(tab *series.Table) (*Model, error) {
	if m.Features == nil {
		return m, nil
	}
	in, err := m.Features.Transform(tab)
	if err != nil {
		return nil, err
	}
	b := *m
	b.inputs = in
	return &b, nil
}

// bind returns a copy of m, a model with features, holding the first n rows
// of the unscaled inputs raw scaled by m.Features.
func (m *Model) bind(raw *features.Matrix, n int) (*Model, error) {
	f := raw.Width()
	in := &features.Matrix{Features: raw.Features, Names: raw.Names, Rows: n, Data: slices.Clone(raw.Data[:n*f])}
	if raw.Dates != nil {
		in.Dates = raw.Dates[:n]
	}
	if err := m.Features.Apply(in); err != nil {
		return nil, err
	}
	b := *m
	b.inputs = in
	return &b, nil
}

// checkInputs refuses prices that a model with features holds no inputs
// for: it must have been bound by On to a series of the same length.
func (m *Model) checkInputs(prices []float64) error {
	switch {
	case m.Features == nil:
		return nil
	case m.inputs == nil:
		return fmt.Errorf("the model takes features (%s) computed from a price file's columns; bind it to the file first", m.Features.Features)
	case m.inputs.Rows != len(prices):
		return fmt.Errorf("the model holds the features of %d values, not of the %d prices given", m.inputs.Rows, len(prices))
	}
	return nil
}

// samples returns the windows of prices for the targets [lo, hi), with the
// bound inputs of rows [0, len(prices)) as their inputs for a model with
// features.
func (m *Model) samples(prices []float64, lo, hi int) *window.Windows {
	w := m.Enc.Windows(m.Enc.Encode(prices), m.Lookback, lo, hi)
	if m.inputs == nil {
		return w
	}
	f := m.inputs.Width()
	return w.Inputs(m.inputs.Data[:len(prices)*f], f)
}

// Horizon returns how many steps one forward pass forecasts: the network's
// outputs under Direct, 1 under Recursive.
func (m *Model) Horizon() int {
	if m.Strategy == Recursive {
		return 1
	}
	return m.Net.Outputs()
}

// Interval is a split-conformal prediction interval normalised by recent
// volatility: its half-width h steps past the last known price is Radii[h-1]
// times the mean absolute one-step move of the volatilityWindow values
// before that price. Prices are not exchangeable across calm and turbulent
// spells, or across price levels, so a fixed width would cover too much in
// one and too little in the other.
type Interval struct {
	Level  float64
	Radius float64 // step 1, in units of volatility: Radii[0]
	// Radii are the radii of steps 1, 2, …, len(Radii) ahead, each measured
	// on the validation residuals of its own step; nil means Radius alone,
	// as in a model file of one step.
	Radii []float64
}

// steps returns the radii of the steps iv measured.
func (iv Interval) steps() []float64 {
	if len(iv.Radii) == 0 {
		return []float64{iv.Radius}
	}
	return iv.Radii
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

	// cal is the calibration of the intervals as it stands after the last
	// value fitted on, with the forecasts still waiting for their targets:
	// a backtest's walk goes on from it. nil before calibrate.
	cal *calibrator
	// test holds the forecasts from every origin of the test span and the
	// radii issued with them online (see calibrator.walk), from which Score
	// draws that span's intervals; nil without a test span.
	test *issuedPaths
}

// scaler returns the window scaler cfg asks for.
func (c Config) scaler() window.Scaler {
	if c.Standard {
		return window.ZScore
	}
	return window.MinMax
}

// Train fits a model to prices under cfg, resolved for them as Resolve
// does; a cfg with Features needs a file's columns, and TrainTable. The
// split is chronological; the encoding (scaler) is fitted on the
// training values only and the model sees only training windows;
// validation windows pick the best epoch and measure the interval radii.
// Test values play no part: they need only be encodable when the fit is
// scored. progress, when not nil, is called once per epoch. On interruption
// (ctx cancelled) or divergence the returned Fit holds the best weights so
// far alongside the error, so the caller can still save it.
func Train(ctx context.Context, prices []float64, cfg Config, progress func(lstm.EpochStats)) (*Fit, error) {
	return train(ctx, prices, nil, cfg, progress)
}

// TrainTable is Train on the target column of tab with, when cfg names
// Features, the inputs computed from tab's columns and dates, each scaled
// with statistics of the training span only. The returned Fit is bound to
// tab (see Model.On).
func TrainTable(ctx context.Context, tab *series.Table, cfg Config, progress func(lstm.EpochStats)) (*Fit, error) {
	raw, err := cfg.rawInputs(tab)
	if err != nil {
		return nil, err
	}
	return train(ctx, tab.Values, raw, cfg, progress)
}

// rawInputs returns the unscaled inputs cfg.Features names, computed from
// tab, or nil when cfg names none.
func (c Config) rawInputs(tab *series.Table) (*features.Matrix, error) {
	if c.Features == "" {
		return nil, nil
	}
	set, err := features.Parse(c.Features)
	if err != nil {
		return nil, err
	}
	return set.Compute(tab)
}

// train is Train with the unscaled inputs raw, rows of at least the
// prices' length, or nil for the encoded price alone.
func train(ctx context.Context, prices []float64, raw *features.Matrix, cfg Config, progress func(lstm.EpochStats)) (*Fit, error) {
	p, err := prepare(prices, raw, cfg)
	if err != nil {
		return nil, err
	}
	net, err := newNet(ctx, p.cfg, p.inputs)
	if err != nil {
		return nil, err
	}
	res, err := lstm.Train(ctx, net, p.train, p.val, p.cfg.trainConfig(), progress)
	f := p.fit(net, res)
	if err != nil {
		return f, err
	}
	if err := f.calibrate(ctx, prices); err != nil {
		if errors.Is(err, ErrDiverged) {
			return nil, err
		}
		return f, err // interrupted: the weights are whole, the intervals not sized
	}
	return f, nil
}

// prepared is a series made ready to train on: its configuration as
// resolved for it, its split, its model but for the network (the encoding
// fitted on its training span, with features their scaling), and its
// training and validation windows (val nil without a validation span).
type prepared struct {
	cfg   Config
	split window.Split
	notes []string
	// model is the Fit's model but for its network: the encoding and, with
	// features, their scaling bound to the series' inputs.
	model      *Model
	inputs     int // values the network reads at each step
	train, val lstm.Dataset
}

// prepare resolves cfg for prices, fits the encoding (and the scaling of
// the unscaled inputs raw, when not nil) on the training span and cuts the
// training and validation windows, as Train does.
func prepare(prices []float64, raw *features.Matrix, cfg Config) (*prepared, error) {
	cfg, split, notes, err := cfg.Resolve(prices)
	if err != nil {
		return nil, err
	}
	if (cfg.Features != "") != (raw != nil) {
		return nil, fieldErrorf("Features", "%q needs the columns of a price file (TrainTable)", cfg.Features)
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
	// A direct model has one output per step; the last windows of a span,
	// whose targets would run past its end, are left out (Resolve made
	// sure some are left).
	outputs := cfg.outputs()
	model := &Model{Enc: enc, Lookback: cfg.Lookback, Strategy: cfg.Strategy}
	samples := func(lo, hi int) *window.Ahead { return enc.Ahead(z, cfg.Lookback, outputs, lo, hi) }
	inputs := 1
	if raw != nil {
		// Each input is scaled on the training rows only.
		sc, err := features.FitScaling(raw, 0, split.TrainEnd)
		if err != nil {
			return nil, err
		}
		model.Features = &sc
		if model, err = model.bind(raw, len(prices)); err != nil {
			return nil, err
		}
		inputs = len(sc.Names)
		in := model.inputs.Data[:split.ValEnd*inputs]
		samples = func(lo, hi int) *window.Ahead { return enc.Ahead(z, cfg.Lookback, outputs, lo, hi).Inputs(in, inputs) }
	}
	p := &prepared{cfg: cfg, split: split, notes: notes, model: model, inputs: inputs}
	lo, hi := split.Train()
	p.train = samples(lo, hi-outputs+1)
	if lo, hi := split.Validation(); hi > lo {
		p.val = samples(lo, hi-outputs+1)
	}
	return p, nil
}

// fit returns the Fit of p with the network net trained as res says, its
// intervals not yet sized.
func (p *prepared) fit(net *lstm.Model, res lstm.TrainResult) *Fit {
	m := *p.model
	m.Net = net
	return &Fit{Model: &m, Config: p.cfg, Split: p.split, Result: res, Notes: p.notes}
}

// outputs returns the number of outputs of the network c asks for: one
// per step under Direct, one under Recursive.
func (c Config) outputs() int {
	if c.Strategy == Direct {
		return c.Horizon
	}
	return 1
}

// newNet returns the untrained network of the resolved c, reading inputs
// values a step, initialised from c.Seed.
func newNet(ctx context.Context, c Config, inputs int) (*lstm.Model, error) {
	cell, err := lstm.ParseCell(c.Cell) // Resolve named one
	if err != nil {
		return nil, err
	}
	net, err := lstm.NewCell(cell, inputs, c.Units, c.outputs())
	if err != nil {
		return nil, err
	}
	// The orthogonal initialisation of a layer at the unit limit is seconds
	// of LAPACK with no place to stop.
	if _, err := interruptible(ctx, func() (struct{}, error) {
		net.InitKeras(c.Seed)
		return struct{}{}, nil
	}); err != nil {
		return nil, err
	}
	return net, nil
}

// trainConfig returns the engine's training settings of c.
func (c Config) trainConfig() lstm.TrainConfig {
	return lstm.TrainConfig{
		Steps:     c.Lookback,
		Epochs:    c.Epochs,
		BatchSize: c.BatchSize,
		LR:        c.LR,
		Clip:      c.Clip,
		Patience:  c.Patience,
		Seed:      c.Seed,
		Serial:    c.Serial,
	}
}

// calibrate measures f's Moves (unless Config.RawForecasts) and sizes its
// intervals when it has a validation span, from forecasts of every step
// made from each origin there, as the forecasts a user gets are made: step
// k's radius from every origin whose step k is a value known (see
// calibrator). Over a test span it goes on forecasting from
// every origin, each with the intervals sized from what was known there,
// and learning each residual as its target arrives; the model keeps the
// radii as they stand at the end. An overflowing model shows there
// (ErrDiverged), or in Table, which every caller runs next. Any other error
// is ctx's.
func (f *Fit) calibrate(ctx context.Context, prices []float64) error {
	lo, hi := f.Split.Validation()
	if hi <= lo {
		if !f.Config.RawForecasts {
			f.Notes = append(f.Notes, "no validation span: the forecasts are the network's own, not tested for skill, and have no intervals")
		}
		return nil
	}
	n := len(prices)
	paths, err := f.paths(ctx, prices, lo, n, f.Config.Horizon)
	if err != nil {
		return err
	}
	for k, p := range paths {
		known := p[:n-lo-min(k, n-lo)]
		if i := slices.IndexFunc(known, isNotFinite); i >= 0 {
			return fmt.Errorf("%w: the trained model predicts %v for value %d", ErrDiverged, known[i], lo+i+k+1)
		}
	}
	if !f.Config.RawForecasts {
		f.Moves = fitMoves(f.Enc, prices, paths, lo, hi)
		if note := f.Moves.Note(); note != "" {
			f.Notes = append(f.Notes, note)
		}
		for k, p := range paths {
			for i, v := range p {
				p[i] = f.adjust(prices[lo+i-1], v, k)
			}
		}
	}
	c := newCalibrator(f.Config.Levels, f.Config.Horizon)
	issued := c.walk(prices, volatilities(prices), paths, lo, hi)
	if hi < n {
		steps := make([][]float64, len(paths))
		for k, p := range paths {
			steps[k] = p[hi-lo:]
		}
		f.test = &issuedPaths{from: hi, levels: c.levels, steps: steps, radii: issued}
	}
	c.learn(prices, n)
	var ivNotes []string
	f.Intervals, ivNotes = c.intervals()
	f.Notes = append(f.Notes, ivNotes...)
	f.cal = c
	return nil
}

// paths returns the forecasts of steps 1 to steps ahead from every origin
// t in [lo, hi), each made from prices[:t] only: paths[k][t-lo] forecasts
// prices[t+k], which may lie past the end of prices; hi must not. A direct model that
// forecasts all the steps in one pass runs over all the origins a batch at
// a time; otherwise each origin's forecast runs as Forecast's does.
func (m *Model) paths(ctx context.Context, prices []float64, lo, hi, steps int) ([][]float64, error) {
	if m.Horizon() >= steps {
		return m.direct(ctx, prices, lo, hi, steps)
	}
	paths := make([][]float64, steps)
	for k := range paths {
		paths[k] = make([]float64, hi-lo)
	}
	p := m.Net.NewPredictor(m.Lookback)
	for t := lo; t < hi; t++ {
		fc, err := m.forecast(ctx, p, prices[:t], steps)
		if err != nil {
			return nil, err
		}
		for k, v := range fc {
			paths[k][t-lo] = v
		}
	}
	return paths, nil
}

// direct returns the forecasts of steps 1 to steps ahead, at most the
// network's outputs, from every origin t in [lo, hi), with hi <=
// len(prices), as paths does, in one pass of the network per window.
func (m *Model) direct(ctx context.Context, prices []float64, lo, hi, steps int) ([][]float64, error) {
	paths := make([][]float64, steps)
	for k := range paths {
		paths[k] = make([]float64, hi-lo)
	}
	if hi <= lo {
		return paths, nil
	}
	w := m.samples(prices[:hi], lo, hi)
	O := m.Net.Outputs()
	y := make([]float64, w.Len()*O)
	if err := m.Net.PredictAll(ctx, lstm.OneTarget(w), m.Lookback, y); err != nil {
		return nil, err
	}
	for i := range w.Len() {
		// Every output is a cumulative step from the last known price.
		last := prices[w.Target(i)-1]
		for k, p := range paths {
			p[i] = m.adjust(last, m.Enc.Next(last, y[i*O+k]), k)
		}
	}
	return paths, nil
}

// OneStep returns, for every value of prices, the model's prediction of it
// from the Lookback values before it; NaN where there are not enough.
// Windows are views of the series drawn a batch at a time, so memory does
// not grow with len(prices) x Lookback. It stops with ctx's error when ctx
// is cancelled.
func (m *Model) OneStep(ctx context.Context, prices []float64) ([]float64, error) {
	if err := m.checkInputs(prices); err != nil {
		return nil, err
	}
	return m.oneStep(ctx, prices, m.Lookback, len(prices))
}

// oneStep is OneStep for the values of target indices [lo, hi) only, with
// lo >= Lookback; the rest are NaN. A model of several outputs predicts
// with its first, the next step.
func (m *Model) oneStep(ctx context.Context, prices []float64, lo, hi int) ([]float64, error) {
	pred := nanSlice(len(prices))
	if hi <= lo {
		return pred, nil
	}
	d, err := m.direct(ctx, prices, lo, hi, 1)
	if err != nil {
		return nil, err
	}
	copy(pred[lo:hi], d[0])
	return pred, nil
}

// Forecast predicts the horizon values past the end of prices. A Direct
// model forecasts up to its Horizon steps in one forward pass from the
// last Lookback prices; past that it chains blocks of Horizon steps, each
// forecast from the window that ends with the forecasts before it. A
// Recursive model, or one of one output, is the block of one step: each
// forecast is fed back as the newest input. It stops with ctx's error when
// ctx is cancelled.
func (m *Model) Forecast(ctx context.Context, prices []float64, horizon int) ([]float64, error) {
	if horizon < 0 || horizon > MaxHorizon {
		return nil, fmt.Errorf("horizon must be between 0 and %d steps, got %d", MaxHorizon, horizon)
	}
	if len(prices) < m.Lookback+1 {
		return nil, fmt.Errorf("need at least %d values to forecast with lookback %d, got %d", m.Lookback+1, m.Lookback, len(prices))
	}
	if err := m.checkInputs(prices); err != nil {
		return nil, err
	}
	return m.forecast(ctx, m.Net.NewPredictor(m.Lookback), prices, horizon)
}

// forecast is Forecast with the predictor p of m, for prices of at least
// Lookback+1 values.
func (m *Model) forecast(ctx context.Context, p *lstm.Predictor, prices []float64, horizon int) ([]float64, error) {
	// Only the tail matters: the window, one value before it (the step the
	// return and delta encodings take from) and the value to predict.
	ext := make([]float64, m.Lookback+1, m.Lookback+2+horizon)
	copy(ext, prices[len(prices)-m.Lookback-1:])
	out := make([]float64, 0, horizon)
	x := make([]float64, m.Lookback)
	var in *inputRows
	if m.inputs != nil {
		in = m.inputRows(len(prices), horizon)
	}
	block := m.Horizon()
	origin := ext[m.Lookback] // the last known price
	for len(out) < horizon {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		n := len(ext)
		if in == nil {
			tail := append(ext, math.NaN())[n-m.Lookback-1:] // the value to predict is never read as input
			t := len(tail) - 1
			m.Enc.Windows(m.Enc.Encode(tail), m.Lookback, t, t+1).Sample(0, x)
		} else {
			x = in.window(m.Lookback)
		}
		y := p.Outputs(x)
		last := ext[n-1]
		// Every output is a cumulative step from the last known price.
		// The network reads its own forecasts back; the reported ones are
		// adjusted (see Moves).
		for k := 0; k < block && len(out) < horizon; k++ {
			v := m.Enc.Next(last, y[k])
			if in != nil {
				in.add(len(out), ext[len(ext)-1], v)
			}
			out = append(out, m.adjust(origin, v, len(out)))
			ext = append(ext, v)
		}
	}
	return out, nil
}

// inputRows are the inputs of a forecast's window, in a model with
// features, followed by the inputs of each step forecast past it.
type inputRows struct {
	sc    *features.Scaling
	data  []float64 // row-major, the window's rows then one per step added
	f     int
	dates []time.Time // the date of each forecast step; nil when undated
}

// inputRows returns the rows of a forecast of horizon steps from the first
// n rows of m's bound inputs: the last Lookback of them, then those add
// appends. A step's date is the bound series' own when the series goes on
// past n, as the dates of coming trading days are known ahead, else the
// next of the series' calendar; no other value of a row from n on is read.
func (m *Model) inputRows(n, horizon int) *inputRows {
	f := m.inputs.Width()
	in := &inputRows{sc: m.Features, data: slices.Clone(m.inputs.Data[(n-m.Lookback)*f : n*f]), f: f}
	if d := m.inputs.Dates; d != nil {
		in.dates = d[n:min(len(d), n+horizon)]
		if more := n + horizon - len(d); more > 0 {
			c, _ := CalendarOf(d)
			in.dates = append(slices.Clip(in.dates), openDays(c, d[len(d)-1], more, m.Holidays)...)
		}
	}
	return in
}

// window returns the last lookback rows.
func (in *inputRows) window(lookback int) []float64 { return in.data[len(in.data)-lookback*in.f:] }

// add appends the inputs of step k, 0 for the first past the window, whose
// forecast price is p after the price prev (see features.Scaling.Next).
func (in *inputRows) add(k int, prev, p float64) {
	var date time.Time
	if in.dates != nil {
		date = in.dates[k]
	}
	in.data = append(in.data, in.sc.Next(in.window(1), prev, p, date)...)
}

// Band returns the interval around prediction pred, h steps past the last
// known value (h = 1 for a one-step prediction), when the volatility before
// that value is vol. The radius of a step the model's intervals measured is
// that step's own. Past the last measured step K the radius grows from
// step K's with the square root of h/K, as a random walk's would: an
// assumption, not a measurement, for forecasts longer than the model was
// calibrated for.
func (iv Interval) Band(vol, pred float64, h int) (lo, hi float64) {
	radii := iv.steps()
	var r float64
	if k := len(radii); h > k {
		r = radii[k-1] * vol * math.Sqrt(float64(h)/float64(k))
	} else {
		r = radii[h-1] * vol
	}
	return pred - r, pred + r
}

// onlineBands sets the one-step intervals of the test rows of t, a table
// of the series f was fitted on, to those issued online (see calibrate), as
// Score scores them. A table for the user keeps the model's radii on every
// row, as predict draws them from the model file.
func (f *Fit) onlineBands(t *Table) {
	if f.test == nil {
		return
	}
	for _, b := range t.Bands {
		for i := range f.test.steps[0] {
			row := f.test.from + i
			r := f.test.radius(row, b.Level, 0)
			b.Lo[row], b.Hi[row] = t.Predicted[row]-r, t.Predicted[row]+r
		}
	}
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
	return m.table(ctx, prices, dates, split, horizon, m.Lookback)
}

// table is Table with one-step predictions (and their bands) from row
// from (at least Lookback) on only; the rows before it are NaN.
func (m *Model) table(ctx context.Context, prices []float64, dates []time.Time, split *window.Split, horizon, from int) (*Table, error) {
	if err := m.Enc.Check(prices); err != nil {
		return nil, err
	}
	n := len(prices)
	fc, err := m.Forecast(ctx, prices, horizon)
	if err != nil {
		return nil, err
	}
	one, err := m.oneStep(ctx, prices, from, n)
	if err != nil {
		return nil, err
	}
	t := &Table{
		Actual:    append(append(make([]float64, 0, n+horizon), prices...), nanSlice(horizon)...),
		Predicted: append(one, fc...),
		Split:     make([]Span, n+horizon),
	}
	if err := checkFinite(t.Predicted, from, n); err != nil {
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
		for i := from; i < n; i++ {
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
