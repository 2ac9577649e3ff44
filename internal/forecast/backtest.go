package forecast

import (
	"context"
	"fmt"
	"math"
	"slices"

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
	return walkForward(ctx, prices, nil, cfg, walk, fold)
}

// WalkForwardTable is WalkForward on the target column of tab with, when
// cfg names Features, the inputs computed from tab's columns and dates;
// each fold scales them on its own training span.
func WalkForwardTable(ctx context.Context, tab *series.Table, cfg Config, walk Walk, fold func(Fold)) (*Backtest, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	raw, err := cfg.rawInputs(tab)
	if err != nil {
		return nil, err
	}
	return walkForward(ctx, tab.Values, raw, cfg, walk, fold)
}

// walkForward is WalkForward with the unscaled inputs raw, one row per
// price, or nil for the encoded price alone.
func walkForward(ctx context.Context, prices []float64, raw *features.Matrix, cfg Config, walk Walk, fold func(Fold)) (*Backtest, error) {
	if err := walk.Validate(); err != nil {
		return nil, err
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	folds := walk.Folds
	n := len(prices)
	first := int(math.Round(walk.MinTrain * float64(n)))
	if n-first < folds {
		return nil, fmt.Errorf("%d values leave %d after the first %.0f%% for training, too few for %d folds", n, n-first, 100*walk.MinTrain, folds)
	}
	cfg.TestSplit = 0
	pred := nanSlice(n)
	bands := make([]TableBand, len(cfg.Levels))
	for i, l := range cfg.Levels {
		bands[i] = TableBand{Level: l, Lo: nanSlice(n), Hi: nanSlice(n)}
	}
	bt := &Backtest{Predicted: pred}
	vol := volatilities(prices)
	for k := range folds {
		start := first + k*(n-first)/folds
		end := first + (k+1)*(n-first)/folds
		fit, err := train(ctx, prices[:start], raw, cfg, nil)
		if err != nil {
			return nil, fmt.Errorf("fold %d (training on values 1-%d): %w", k+1, start, err)
		}
		if err := fit.Enc.Check(prices[start:end]); err != nil {
			return nil, fmt.Errorf("fold %d (values %d-%d): %w", k+1, start+1, end, err)
		}
		// The inputs of the span's predictions are past values only; the
		// span itself is passed so each prediction has its own window.
		m := fit.Model
		if raw != nil {
			// Rows up to end with the fold's own scaling; each row is
			// known at its close, and a prediction reads rows before it.
			if m, err = m.bind(raw, end); err != nil {
				return nil, err
			}
		}
		p, err := m.oneStep(ctx, prices[:end], start, end)
		if err != nil {
			return nil, err
		}
		copy(pred[start:end], p[start:end])
		for _, iv := range fit.Intervals { // levels the fold could not size stay NaN
			b := bands[slices.IndexFunc(bands, func(b TableBand) bool { return b.Level == iv.Level })]
			for t := start; t < end; t++ {
				b.Lo[t], b.Hi[t] = iv.Band(vol[t], pred[t], 1)
			}
		}
		f := Fold{Start: start, End: end, TrainEnd: fit.Split.TrainEnd, Notes: fit.Notes,
			Report: Evaluate(prices, pred, bands, start, end, fit.Split.TrainEnd)}
		f.Report.Model = fit.Config.Cell
		bt.Folds = append(bt.Folds, f)
		if fold != nil {
			fold(f)
		}
	}
	bt.Overall = Evaluate(prices, pred, bands, first, n, bt.Folds[0].TrainEnd)
	bt.Overall.Model = bt.Folds[0].Report.Model
	return bt, nil
}
