package forecast

import (
	"context"
	"errors"
	"math"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/lstmfc/lstmfc/internal/lstm"
	"github.com/lstmfc/lstmfc/internal/series"
)

// globalSeries returns two series of different levels, lengths and
// volatilities, which a global model must scale each by its own span.
func globalSeries() [][]float64 {
	a := randomWalk(90, 11)
	b := randomWalk(120, 12)
	for i := range b {
		b[i] = 1000 + 7*b[i]
	}
	return [][]float64{a, b}
}

// globalConfig trains for a few epochs, so that the shared weights move
// far enough from the initial ones to tell models apart.
func globalConfig() Config {
	cfg := tiny(Auto)
	cfg.Epochs = 4
	cfg.RawForecasts = true // the network's own forecasts tell global from local
	return cfg
}

// TestTrainGlobal checks that a global model is one network shared by
// every series' Fit, each with the encoding and split of that series
// alone, that it is deterministic, and that it differs from the local
// models of the same series.
func TestTrainGlobal(t *testing.T) {
	ctx := context.Background()
	ss, cfg := globalSeries(), globalConfig()
	epochs := 0
	fits, err := TrainGlobal(ctx, ss, cfg, func(EpochStats) { epochs++ })
	if err != nil {
		t.Fatal(err)
	}
	if len(fits) != 2 || fits[0].Net != fits[1].Net || epochs != fits[0].Result.Epochs || epochs == 0 {
		t.Fatalf("%d fits, shared network %v, %d epochs reported of %d", len(fits), fits[0].Net == fits[1].Net, epochs, fits[0].Result.Epochs)
	}
	again, err := TrainGlobal(ctx, ss, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range ss {
		local, err := Train(ctx, s, cfg, nil)
		if err != nil {
			t.Fatal(err)
		}
		f := fits[i]
		if !reflect.DeepEqual(f.Enc, local.Enc) || f.Split != local.Split || !reflect.DeepEqual(f.Config, local.Config) {
			t.Errorf("series %d: encoding %+v split %+v config %+v, want those of a local fit %+v %+v %+v", i+1, f.Enc, f.Split, f.Config, local.Enc, local.Split, local.Config)
		}
		if len(f.Intervals) == 0 || slices.ContainsFunc(f.Intervals, func(iv Interval) bool { return !(iv.Radius > 0) || math.IsInf(iv.Radius, 0) }) {
			t.Errorf("series %d: intervals %+v, want finite positive radii", i+1, f.Intervals)
		}
		g, l, a := mustOneStep(t, f, s), mustOneStep(t, local, s), mustOneStep(t, again[i], s)
		if !slices.EqualFunc(g, a, sameFloat) {
			t.Errorf("series %d: two global fits predict differently", i+1)
		}
		if slices.EqualFunc(g, l, sameFloat) {
			t.Errorf("series %d: the global model predicts exactly as the local one", i+1)
		}
		if !reflect.DeepEqual(f.Intervals, again[i].Intervals) {
			t.Errorf("series %d: intervals %+v then %+v", i+1, f.Intervals, again[i].Intervals)
		}
	}
	// Each series' intervals come from its own residuals.
	if reflect.DeepEqual(fits[0].Intervals, fits[1].Intervals) {
		t.Errorf("both series have intervals %+v", fits[0].Intervals)
	}
}

// mustTrainGlobal returns the global fits of ss under globalConfig.
func mustTrainGlobal(t *testing.T, ss [][]float64) []*Fit {
	t.Helper()
	fits, err := TrainGlobal(context.Background(), ss, globalConfig(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return fits
}

// sameFloat is == that takes NaN as equal to itself, as the NaN before a
// model's first prediction.
func sameFloat(a, b float64) bool { return a == b || math.IsNaN(a) && math.IsNaN(b) }

// TestTrainGlobalOrder checks that the order of the series is the order of
// the training set: swapping them changes the shared weights, as the
// engine's shuffle of the same indices then draws other windows.
func TestTrainGlobalOrder(t *testing.T) {
	ss := globalSeries()
	fits := mustTrainGlobal(t, ss)
	swapped := mustTrainGlobal(t, [][]float64{ss[1], ss[0]})
	if slices.EqualFunc(mustOneStep(t, fits[0], ss[0]), mustOneStep(t, swapped[1], ss[0]), sameFloat) {
		t.Error("the order of the series does not change the model")
	}
}

// TestTrainGlobalTarget checks that Auto resolves to one target for every
// series: Return when all allow it, else Delta with a note on each.
func TestTrainGlobalTarget(t *testing.T) {
	ss := globalSeries()
	fits := mustTrainGlobal(t, ss)
	for i, f := range fits {
		if f.Enc.Target != Return {
			t.Errorf("series %d: target %s, want return", i+1, f.Enc.Target)
		}
	}
	neg := make([]float64, len(ss[1]))
	for i, v := range ss[1] {
		neg[i] = v - ss[1][0] // 0 at the start of its training span
	}
	for i, f := range mustTrainGlobal(t, [][]float64{ss[0], neg}) {
		if f.Enc.Target != Delta || f.Config.Target != Delta || !slices.ContainsFunc(f.Notes, func(n string) bool {
			return strings.Contains(n, "series 2's training span has prices <= 0")
		}) {
			t.Errorf("series %d: target %s, notes %q; want delta, with a note", i+1, f.Enc.Target, f.Notes)
		}
	}
}

// TestTrainGlobalRefuses checks the errors of bad inputs: fewer than two
// series, and one series too short, named by a *SeriesError.
func TestTrainGlobalRefuses(t *testing.T) {
	ctx := context.Background()
	ss := globalSeries()
	if _, err := TrainGlobal(ctx, ss[:1], globalConfig(), nil); err == nil || !strings.Contains(err.Error(), "at least 2 series, got 1") {
		t.Errorf("one series: %v", err)
	}
	short := [][]float64{ss[0], ss[1][:5]}
	_, err := TrainGlobal(ctx, short, globalConfig(), nil)
	var se *SeriesError
	if !errors.As(err, &se) || se.Index != 1 || !strings.HasPrefix(err.Error(), "series 2: ") {
		t.Errorf("a short second series: %v", err)
	}
	bad := globalConfig()
	bad.Epochs = 0
	if _, err := TrainGlobal(ctx, ss, bad, nil); err == nil {
		t.Error("0 epochs: no error")
	}
	_, err = WalkForwardGlobal(ctx, short, globalConfig(), Walk{Folds: 2, MinTrain: 0.5}, 1, nil)
	if !errors.As(err, &se) || se.Index != 1 {
		t.Errorf("backtest of a short second series: %v", err)
	}
	if _, err := WalkForwardGlobal(ctx, ss, globalConfig(), Walk{Folds: 2, MinTrain: 0.5}, 0, nil); err == nil {
		t.Error("horizon 0: no error")
	}
}

// TestGlobalFileRoundTrip checks that each series' Fit saves as a model
// file of its own that predicts as the Fit does: the shared weights with
// that series' encoding.
func TestGlobalFileRoundTrip(t *testing.T) {
	ctx := context.Background()
	ss := globalSeries()
	fits := mustTrainGlobal(t, ss)
	for i, f := range fits {
		path := filepath.Join(t.TempDir(), "m.bin")
		if err := f.Save(ctx, path, &series.Series{Values: ss[i]}, nil); err != nil {
			t.Fatal(err)
		}
		sv, err := Load(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		want, err := f.Table(ctx, ss[i], nil, &f.Split, 5)
		if err != nil {
			t.Fatal(err)
		}
		got, err := sv.Table(ctx, ss[i], nil, &sv.Split, 5)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.EqualFunc(got.Predicted, want.Predicted, sameFloat) || !reflect.DeepEqual(sv.Intervals, f.Intervals) {
			t.Errorf("series %d: the loaded model predicts %v, want %v", i+1, got.Predicted[len(ss[i]):], want.Predicted[len(ss[i]):])
		}
	}
}

// TestWalkForwardGlobal checks each fold of a global backtest against a
// global model trained by hand on the series' values before the fold.
func TestWalkForwardGlobal(t *testing.T) {
	ctx := context.Background()
	ss, cfg := globalSeries(), globalConfig()
	walk := Walk{Folds: 2, MinTrain: 0.6}
	var seen []int
	bts, err := WalkForwardGlobal(ctx, ss, cfg, walk, 1, func(i int, _ Fold) { seen = append(seen, i) })
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(seen, []int{0, 1, 0, 1}) || len(bts) != 2 {
		t.Fatalf("folds reported for series %v, %d backtests", seen, len(bts))
	}
	foldCfg := cfg
	foldCfg.TestSplit = 0
	for k := range walk.Folds {
		var prefixes [][]float64
		for _, bt := range bts {
			prefixes = append(prefixes, bt.Predicted[:bt.Folds[k].Start]) // lengths only
		}
		for i, s := range ss {
			prefixes[i] = s[:len(prefixes[i])]
		}
		fits, err := TrainGlobal(ctx, prefixes, foldCfg, nil)
		if err != nil {
			t.Fatal(err)
		}
		for i, s := range ss {
			f := bts[i].Folds[k]
			local, err := WalkForward(ctx, s, cfg, walk, nil)
			if err != nil {
				t.Fatal(err)
			}
			if lf := local.Folds[k]; f.Start != lf.Start || f.End != lf.End || f.TrainEnd != lf.TrainEnd {
				t.Errorf("series %d fold %d: span [%d, %d) trained to %d, want a local backtest's [%d, %d) to %d", i+1, k+1, f.Start, f.End, f.TrainEnd, lf.Start, lf.End, lf.TrainEnd)
			}
			want := mustOneStep(t, fits[i], s[:f.End])[f.Start:]
			if got := bts[i].Predicted[f.Start:f.End]; !slices.Equal(got, want) {
				t.Errorf("series %d fold %d: predicted %v, want %v", i+1, k+1, got, want)
			}
			if slices.Equal(bts[i].Predicted[f.Start:f.End], local.Predicted[f.Start:f.End]) {
				t.Errorf("series %d fold %d: the global backtest predicts as the local one", i+1, k+1)
			}
		}
	}
}

// fakeSet is a Dataset whose sample i has input and target base+i.
type fakeSet struct{ base, n int }

func (f fakeSet) Len() int { return f.n }
func (f fakeSet) Sample(i int, x, y []float64) {
	x[0], y[0] = float64(f.base+i), float64(f.base+i)
}

// TestConcatenate checks that the samples of concatenated sets come in
// order, the sets one after another, an empty one taking no index.
func TestConcatenate(t *testing.T) {
	if concatenate(nil) != nil {
		t.Error("no sets: not nil")
	}
	d := concatenate([]lstm.Dataset{fakeSet{100, 2}, fakeSet{200, 0}, fakeSet{300, 3}})
	want := []float64{100, 101, 300, 301, 302}
	if d.Len() != len(want) {
		t.Fatalf("%d samples, want %d", d.Len(), len(want))
	}
	x, y := make([]float64, 1), make([]float64, 1)
	for i, w := range want {
		d.Sample(i, x, y)
		if x[0] != w || y[0] != w {
			t.Errorf("sample %d is %v %v, want %v", i, x[0], y[0], w)
		}
	}
}
