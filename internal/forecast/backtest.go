package forecast

import (
	"context"
	"errors"
	"fmt"
	"math"

	"github.com/lstmfc/lstmfc/internal/features"
	"github.com/lstmfc/lstmfc/internal/series"
)

// Fold is one walk-forward step: a model fitted on prices[:Start] only and
// scored on prices[Start:End].
type Fold struct {
	Start, End int
	TrainEnd   int // the first value the fold's model did not train on (its validation span follows)
	Notes      []string
	Report     Report
}

// Backtest is a walk-forward evaluation over folds of a series.
type Backtest struct {
	Folds     []Fold
	Overall   Report    // all folds' predictions scored together
	Predicted []float64 // one-step predictions of each fold's span, NaN before the first
	// Steps scores forecasts of several steps ahead, from every value of
	// every fold's span; nil in a one-step backtest.
	Steps *Steps
}

// Walk says how WalkForward cuts a series: after the first MinTrain
// fraction, into Folds equal spans.
type Walk struct {
	Folds    int
	MinTrain float64
}

// Validate returns a *FieldError for the first field of w that cannot cut
// a series.
func (w Walk) Validate() error {
	switch {
	case w.Folds < 1:
		return fieldErrorf("Folds", "must be at least 1, got %d", w.Folds)
	case !(w.MinTrain > 0 && w.MinTrain < 1):
		return fieldErrorf("MinTrain", "must be between 0 and 1, got %g", w.MinTrain)
	}
	return nil
}

// WalkForward cuts the part of prices after the first walk.MinTrain
// fraction into walk.Folds equal spans. For each, it refits the encoding
// and the model on everything before the span (expanding window,
// cfg.ValSplit of it held out for early stopping and intervals;
// cfg.TestSplit is ignored; an Auto target is chosen from each fold's own
// training span) and scores one-step predictions of the span. No fold's
// scaler or model sees a value of the span it is scored on. fold, when not
// nil, is called after each.
func WalkForward(ctx context.Context, prices []float64, cfg Config, walk Walk, fold func(Fold)) (*Backtest, error) {
	return walkForward(ctx, prices, nil, cfg, walk, 1, fold)
}

// WalkForwardSteps is WalkForward that also forecasts horizon steps ahead
// (1 to MaxBacktestHorizon) from every origin of each fold's span, with
// the fold's model and intervals, and scores every step 1..horizon in
// Backtest.Steps. Each fold's model is fitted for the horizon under
// cfg.Strategy (cfg.Horizon is set to it): a direct model with one output
// per step, or a recursive one whose intervals are measured at every step.
// An origin's forecast is scored wherever its target is in prices, also
// past its fold's span: the fold's model saw none of those values either.
// With horizon 1 it is WalkForward.
func WalkForwardSteps(ctx context.Context, prices []float64, cfg Config, walk Walk, horizon int, fold func(Fold)) (*Backtest, error) {
	return WalkForwardTable(ctx, &series.Table{Series: series.Series{Values: prices}}, cfg, walk, horizon, fold)
}

// WalkForwardTable is WalkForwardSteps on the target column of tab with,
// when cfg names Features, the inputs computed from tab's columns and
// dates; each fold scales them on its own training span.
func WalkForwardTable(ctx context.Context, tab *series.Table, cfg Config, walk Walk, horizon int, fold func(Fold)) (*Backtest, error) {
	if horizon < 1 || horizon > MaxBacktestHorizon {
		return nil, fmt.Errorf("a backtest's horizon must be between 1 and %d steps, got %d", MaxBacktestHorizon, horizon)
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	raw, err := cfg.rawInputs(tab)
	if err != nil {
		return nil, err
	}
	return walkForward(ctx, tab.Values, raw, cfg, walk, horizon, fold)
}

// walkForward is WalkForwardTable on prices with the unscaled inputs raw,
// one row per price, or nil for the encoded price alone, without the check
// of horizon.
func walkForward(ctx context.Context, prices []float64, raw *features.Matrix, cfg Config, walk Walk, horizon int, fold func(Fold)) (*Backtest, error) {
	w, err := newWalker(prices, raw, cfg, walk, horizon)
	if err != nil {
		return nil, err
	}
	for k := range walk.Folds {
		fit, err := train(ctx, prices[:w.start(k)], w.raw, w.cfg, nil)
		if err != nil {
			return nil, w.trainError(k, err)
		}
		f, err := w.score(ctx, k, fit)
		if err != nil {
			return nil, err
		}
		if fold != nil {
			fold(f)
		}
	}
	return w.finish(), nil
}

// walker is the walk-forward backtest of one series under way: the folds
// scored so far and what scoring the next one needs.
type walker struct {
	prices       []float64
	raw          *features.Matrix // the unscaled inputs, nil for the encoded price alone
	cfg          Config           // as every fold's model is fitted
	folds, first int
	horizon      int
	bands        []TableBand
	vol          []float64
	// cal calibrates the intervals over the whole walk: the first fold's
	// validation residuals, then every forecast's as its target arrives,
	// whichever fold's model made it.
	cal   *calibrator
	paths []Path
	bt    *Backtest
}

// newWalker checks walk, cfg and horizon for prices, with the unscaled
// inputs raw (nil for the encoded price alone), and returns the backtest
// of prices with no fold scored yet.
func newWalker(prices []float64, raw *features.Matrix, cfg Config, walk Walk, horizon int) (*walker, error) {
	if err := walk.Validate(); err != nil {
		return nil, err
	}
	cfg.Horizon = horizon
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	n := len(prices)
	first := int(math.Round(walk.MinTrain * float64(n)))
	if n-first < walk.Folds {
		return nil, fmt.Errorf("%d values leave %d after the first %.0f%% for training, too few for %d folds", n, n-first, 100*walk.MinTrain, walk.Folds)
	}
	cfg.TestSplit = 0
	// The first fold trains on the fewest values: a setting it cannot take
	// (a horizon past its validation span, too large a batch) is returned
	// as the *FieldError it is, for the caller to name, before any fold
	// trains.
	var fe *FieldError
	if _, _, _, err := cfg.Resolve(prices[:first]); errors.As(err, &fe) {
		return nil, err
	}
	bands := make([]TableBand, len(cfg.Levels))
	for i, l := range cfg.Levels {
		bands[i] = TableBand{Level: l, Lo: nanSlice(n), Hi: nanSlice(n)}
	}
	return &walker{prices: prices, raw: raw, cfg: cfg, folds: walk.Folds, first: first, horizon: horizon,
		bands: bands, vol: volatilities(prices), bt: &Backtest{Predicted: nanSlice(n)}}, nil
}

// start returns the first value of fold k's span, the number of values its
// model is fitted on.
func (w *walker) start(k int) int {
	return w.first + k*(len(w.prices)-w.first)/w.folds
}

// trainError says which fold's training failed with err.
func (w *walker) trainError(k int, err error) error {
	return fmt.Errorf("fold %d (training on values 1-%d): %w", k+1, w.start(k), err)
}

// score scores fold k's span with fit, the model fitted on the values
// before it, and returns the fold.
func (w *walker) score(ctx context.Context, k int, fit *Fit) (Fold, error) {
	prices, pred := w.prices, w.bt.Predicted
	start, end := w.start(k), w.start(k+1)
	if err := fit.Enc.Check(prices[start:end]); err != nil {
		return Fold{}, fmt.Errorf("fold %d (values %d-%d): %w", k+1, start+1, end, err)
	}
	// The inputs of the span's predictions are past values only; the
	// span itself is passed so each prediction has its own window.
	m := fit.Model
	if w.raw != nil {
		// Rows up to end with the fold's own scaling; each row is known at
		// its close, and a prediction reads rows before it.
		var err error
		if m, err = m.bind(w.raw, end); err != nil {
			return Fold{}, err
		}
	}
	steps, err := m.paths(ctx, prices[:end], start, end, w.horizon)
	if err != nil {
		return Fold{}, err
	}
	if m.Horizon() >= w.horizon {
		// paths took the one batched pass oneStep takes: step 1 is its
		// one-step prediction.
		copy(pred[start:end], steps[0])
	} else {
		p, err := m.oneStep(ctx, prices[:end], start, end)
		if err != nil {
			return Fold{}, err
		}
		copy(pred[start:end], p[start:end])
	}
	if k == 0 {
		w.cal = fit.cal // nil without a validation span: no intervals, as in train
	}
	is := issuedPaths{from: start, steps: steps}
	if w.cal != nil {
		is.levels, is.radii = w.cal.levels, w.cal.walk(prices, w.vol, steps, start, start)
	}
	for _, b := range w.bands { // levels not sized yet stay NaN
		for t := start; t < end; t++ {
			r := is.radius(t, b.Level, 0)
			b.Lo[t], b.Hi[t] = pred[t]-r, pred[t]+r
		}
	}
	if w.horizon > 1 {
		p, err := is.paths(w.horizon, w.cfg.Levels)
		if err != nil {
			return Fold{}, fmt.Errorf("fold %d (values %d-%d): %w", k+1, start+1, end, err)
		}
		w.paths = append(w.paths, p...)
	}
	f := Fold{Start: start, End: end, TrainEnd: fit.Split.TrainEnd, Notes: fit.Notes,
		Report: Evaluate(prices, pred, w.bands, start, end, fit.Split.TrainEnd)}
	f.Report.Model = fit.Config.Cell
	w.bt.Folds = append(w.bt.Folds, f)
	return f, nil
}

// finish scores all the folds together and returns the backtest.
func (w *walker) finish() *Backtest {
	bt := w.bt
	bt.Overall = Evaluate(w.prices, bt.Predicted, w.bands, w.first, len(w.prices), bt.Folds[0].TrainEnd)
	bt.Overall.Model = bt.Folds[0].Report.Model
	if w.horizon > 1 {
		bt.Steps = ScoreSteps(w.prices, w.paths, w.cfg.Levels, w.horizon, bt.Folds[0].TrainEnd)
	}
	return bt
}
