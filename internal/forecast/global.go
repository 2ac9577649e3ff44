package forecast

import (
	"context"
	"fmt"
	"sort"

	"github.com/lstmfc/lstmfc/internal/lstm"
)

// TrainGlobal fits one network to several series together, as a global
// model (as NeuralForecast and Darts train one) and returns one Fit per
// series, in the order of series, all sharing that network.
//
// Each series is resolved and encoded as Train does it alone: its own
// split, and its own scaler fitted on its own training span, so that
// series of different price levels and volatilities share one scale. The
// training windows of all the series, in the order of series, form one
// training set (the engine shuffles it, from cfg.Seed), and their
// validation windows one validation set, which picks the best epoch. Each
// Fit's intervals are then sized on its own series' validation span, and
// its Result is the shared training's.
//
// An error that comes from one series' values alone (too short, a price
// its target cannot take) is a *SeriesError naming it, so that a caller
// can leave that series out and train on the others.
//
// One network learns one target, so an Auto target resolves to one kind
// for all: Return when every series' training span allows it, else Delta
// (with a note on every Fit). progress, when not nil, is called once per
// epoch. On interruption or divergence during training the Fits are
// returned with the best weights so far, as Train does.
func TrainGlobal(ctx context.Context, series [][]float64, cfg Config, progress func(lstm.EpochStats)) ([]*Fit, error) {
	if len(series) < 2 {
		return nil, fmt.Errorf("a global model is trained on at least 2 series, got %d", len(series))
	}
	ps, err := prepareAll(series, cfg)
	if err != nil {
		return nil, err
	}
	net, err := newNet(ctx, ps[0].cfg, 1)
	if err != nil {
		return nil, err
	}
	var train, val []lstm.Dataset
	for _, p := range ps {
		train = append(train, p.train)
		if p.val != nil {
			val = append(val, p.val)
		}
	}
	res, err := lstm.Train(ctx, net, concatenate(train), concatenate(val), ps[0].cfg.trainConfig(), progress)
	fits := make([]*Fit, len(ps))
	for i, p := range ps {
		fits[i] = p.fit(net, res)
	}
	if err != nil {
		return fits, err
	}
	for i, f := range fits {
		if err := f.calibrate(ctx, series[i]); err != nil {
			return nil, err // ctx's, or the shared network diverged
		}
	}
	return fits, nil
}

// prepareAll prepares every series as Train does (see prepare), with an
// Auto target resolved to one kind for all.
func prepareAll(series [][]float64, cfg Config) ([]*prepared, error) {
	ps := make([]*prepared, len(series))
	for i, s := range series {
		p, err := prepare(s, nil, cfg)
		if err != nil {
			return nil, &SeriesError{Index: i, Err: err}
		}
		ps[i] = p
	}
	if cfg.Target != Auto {
		return ps, nil
	}
	delta := -1 // the first series whose training span a return cannot take
	for i, p := range ps {
		if p.cfg.Target == Delta {
			delta = i
			break
		}
	}
	if delta < 0 {
		return ps, nil
	}
	cfg.Target = Delta
	note := fmt.Sprintf("target delta for every series: series %d's training span has prices <= 0, which a log return cannot take, and a global model learns one target", delta+1)
	for i, s := range series {
		p, err := prepare(s, nil, cfg)
		if err != nil {
			return nil, &SeriesError{Index: i, Err: err}
		}
		p.notes = append(p.notes, note)
		ps[i] = p
	}
	return ps, nil
}

// SeriesError is the error of one series of a global model.
type SeriesError struct {
	Index int // of the series, from 0
	Err   error
}

func (e *SeriesError) Error() string { return fmt.Sprintf("series %d: %v", e.Index+1, e.Err) }

// Unwrap returns the series' own error.
func (e *SeriesError) Unwrap() error { return e.Err }

// concatenate returns the samples of sets, one set after another, as
// one Dataset; nil when there are none, as Train takes no validation set.
func concatenate(sets []lstm.Dataset) lstm.Dataset {
	if len(sets) == 0 {
		return nil
	}
	ends := make([]int, len(sets))
	n := 0
	for i, d := range sets {
		n += d.Len()
		ends[i] = n
	}
	return &concatSet{sets: sets, ends: ends}
}

// concatSet is the Dataset of concatenate: sample i is in the first set
// whose end (the number of its samples and those of the sets before it)
// exceeds i.
type concatSet struct {
	sets []lstm.Dataset
	ends []int
}

// Len returns the number of samples of all the sets.
func (c *concatSet) Len() int { return c.ends[len(c.ends)-1] }

// Sample writes sample i into x and y as its set's Sample does.
func (c *concatSet) Sample(i int, x, y []float64) {
	k := sort.SearchInts(c.ends, i+1)
	if k > 0 {
		i -= c.ends[k-1]
	}
	c.sets[k].Sample(i, x, y)
}

// WalkForwardGlobal is WalkForwardSteps over several series with a global
// model: for each fold it trains one model with TrainGlobal on every
// series' values before its fold's span (each series cut at the same
// fractions of its own length) and scores each series' span with its own
// Fit, as WalkForwardSteps does. It returns one Backtest per series, in
// the order of series. fold, when not nil, is called after each fold of
// each series with the series' index.
func WalkForwardGlobal(ctx context.Context, series [][]float64, cfg Config, walk Walk, horizon int, fold func(int, Fold)) ([]*Backtest, error) {
	if horizon < 1 || horizon > MaxBacktestHorizon {
		return nil, fmt.Errorf("a backtest's horizon must be between 1 and %d steps, got %d", MaxBacktestHorizon, horizon)
	}
	if len(series) < 2 {
		return nil, fmt.Errorf("a global model is trained on at least 2 series, got %d", len(series))
	}
	ws := make([]*walker, len(series))
	for i, s := range series {
		w, err := newWalker(s, nil, cfg, walk, horizon)
		if err != nil {
			return nil, &SeriesError{Index: i, Err: err}
		}
		ws[i] = w
	}
	prefixes := make([][]float64, len(series))
	for k := range walk.Folds {
		for i, w := range ws {
			prefixes[i] = w.prices[:w.start(k)]
		}
		fits, err := TrainGlobal(ctx, prefixes, ws[0].cfg, nil)
		if err != nil {
			return nil, fmt.Errorf("fold %d: %w", k+1, err)
		}
		for i, w := range ws {
			f, err := w.score(ctx, k, fits[i])
			if err != nil {
				return nil, &SeriesError{Index: i, Err: err}
			}
			if fold != nil {
				fold(i, f)
			}
		}
	}
	bts := make([]*Backtest, len(ws))
	for i, w := range ws {
		bts[i] = w.finish()
	}
	return bts, nil
}
