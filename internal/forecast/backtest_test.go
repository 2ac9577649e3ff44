package forecast

import (
	"context"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/lstmfc/lstmfc/internal/metrics"
	"github.com/lstmfc/lstmfc/internal/window"
)

// tiny is a configuration that fits in milliseconds, for tests that check
// what is done with a fit rather than how good it is.
func tiny(target window.Target) Config {
	return Config{
		Lookback: 3, Units: []int{2}, Target: target, Epochs: 1, BatchSize: 8, LR: 1e-2,
		Seed: 1, ValSplit: 0.25, TestSplit: 0.1, Levels: []float64{0.5, 0.8, 0.99},
	}
}

// TestWalkForwardByHand cuts 61 values after the first round(0.5·61) = 31
// into 4 folds of 30/4 values, rounded down at each cut, and checks each
// fold against a fit made independently on the values before it.
func TestWalkForwardByHand(t *testing.T) {
	prices := randomWalk(61, 5)
	cfg := tiny(Price)
	var seen []Fold
	bt, err := WalkForward(context.Background(), prices, cfg, Walk{Folds: 4, MinTrain: 0.5}, func(f Fold) { seen = append(seen, f) })
	if err != nil {
		t.Fatal(err)
	}
	bounds := [][2]int{{31, 38}, {38, 46}, {46, 53}, {53, 61}}
	if len(bt.Folds) != 4 || len(seen) != 4 {
		t.Fatalf("%d folds, %d reported; want 4", len(bt.Folds), len(seen))
	}
	pred := nanSlice(len(prices))
	levels := []float64{0.5, 0.8, 0.99}
	var recs []forecastRecord // every one-step forecast in order of origin: the first fit's validation, then the folds'
	for k, f := range bt.Folds {
		start, end := bounds[k][0], bounds[k][1]
		if f.Start != start || f.End != end {
			t.Fatalf("fold %d: values [%d, %d), want [%d, %d)", k+1, f.Start, f.End, start, end)
		}
		trainCfg := cfg
		trainCfg.TestSplit = 0 // a fold holds out no test span
		fit, err := Train(context.Background(), prices[:start], trainCfg, nil)
		if err != nil {
			t.Fatal(err)
		}
		if f.TrainEnd != fit.Split.TrainEnd || f.TrainEnd != start-int(0.25*float64(start)+0.5) {
			t.Errorf("fold %d: training ends at %d, want %d", k+1, f.TrainEnd, fit.Split.TrainEnd)
		}
		if !slices.Equal(f.Notes, fit.Notes) || len(f.Notes) == 0 {
			t.Errorf("fold %d: notes %q, want the fit's %q (0.99 cannot be sized)", k+1, f.Notes, fit.Notes)
		}
		if k == 0 {
			val := mustOneStep(t, fit, prices[:start])
			for o := fit.Split.TrainEnd; o < start; o++ {
				recs = append(recs, forecastRecord{origin: o, pred: val[o], vol: slowVolatility(prices, o)})
			}
		}
		one := mustOneStep(t, fit, prices[:end])
		for i := start; i < end; i++ {
			pred[i] = one[i]
			recs = append(recs, forecastRecord{origin: i, pred: pred[i], vol: slowVolatility(prices, i), issued: true})
		}
		if !slices.EqualFunc(bt.Predicted[start:end], pred[start:end], same) {
			t.Errorf("fold %d: predictions %v, want %v", k+1, bt.Predicted[start:end], pred[start:end])
		}
	}
	// Each band is sized online from the forecasts whose targets are known
	// at its origin, across folds.
	bands := make([]TableBand, len(levels))
	for i, l := range levels {
		bands[i] = TableBand{Level: l, Lo: nanSlice(61), Hi: nanSlice(61)}
	}
	for j, r := range slowOnlineRadii(prices, recs, levels) {
		if recs[j].issued {
			for i, w := range r {
				bands[i].Lo[recs[j].origin], bands[i].Hi[recs[j].origin] = pred[recs[j].origin]-w, pred[recs[j].origin]+w
			}
		}
	}
	if math.IsNaN(bands[1].Lo[60]) || !math.IsNaN(bands[2].Lo[60]) {
		t.Errorf("bands at the last value %v and %v, want 80%% sized and 99%% not: the test cannot tell", bands[1].Lo[60], bands[2].Lo[60])
	}
	for k, f := range bt.Folds {
		start, end := bounds[k][0], bounds[k][1]
		want := Evaluate(prices, pred, bands, start, end, f.TrainEnd)
		if !sameReport(f.Report, want) || !sameReport(seen[k].Report, want) {
			t.Errorf("fold %d: report %+v, want %+v", k+1, f.Report, want)
		}
	}
	if !slices.EqualFunc(bt.Predicted[:31], nanSlice(31), same) {
		t.Errorf("predictions before the first fold: %v, want NaN", bt.Predicted[:31])
	}
	if want := Evaluate(prices, pred, bands, 31, 61, bt.Folds[0].TrainEnd); !sameReport(bt.Overall, want) || bt.Overall.Rows != 30 {
		t.Errorf("overall %+v, want %+v", bt.Overall, want)
	}
}

// sameReport reports whether two reports hold the same numbers, NaN
// matching NaN.
func sameReport(a, b Report) bool {
	scores := func(r Report) []float64 {
		var v []float64
		for _, s := range []metrics.Scores{r.LSTM, r.Naive, r.Drift, r.MovingAverage} {
			v = append(v, s.RMSE, s.MAE, s.MAPE, s.SMAPE, s.MASE, s.DirectionalAccuracy)
		}
		return append(v, r.Lag.Same, r.Lag.Shifted, r.Verdict.DM.Stat, r.Verdict.DM.P)
	}
	if a.Rows != b.Rows || a.Verdict.Best != b.Verdict.Best || a.Verdict.DM.N != b.Verdict.DM.N || len(a.Coverage) != len(b.Coverage) || !slices.EqualFunc(scores(a), scores(b), near) {
		return false
	}
	for k, v := range a.Coverage {
		if w, ok := b.Coverage[k]; !ok || !near(v, w) {
			return false
		}
	}
	return true
}

// TestWalkForwardFoldSizes: as many folds as values after the first share
// is the most there can be, each of one value.
func TestWalkForwardFoldSizes(t *testing.T) {
	prices := randomWalk(40, 6)
	cfg := tiny(Delta)
	bt, err := WalkForward(context.Background(), prices, cfg, Walk{Folds: 3, MinTrain: 0.93}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, f := range bt.Folds {
		if f.Start != 37+k || f.End != 38+k || f.Report.Rows != 1 {
			t.Errorf("fold %d: values [%d, %d), %d rows; want [%d, %d), 1", k+1, f.Start, f.End, f.Report.Rows, 37+k, 38+k)
		}
	}
	_, err = WalkForward(context.Background(), prices, cfg, Walk{Folds: 4, MinTrain: 0.93}, nil)
	if err == nil || err.Error() != "40 values leave 3 after the first 93% for training, too few for 4 folds" {
		t.Errorf("too many folds: error %v", err)
	}
}

func TestWalkForwardRefuses(t *testing.T) {
	prices := randomWalk(60, 7)
	for _, tc := range []struct {
		cfg  Config
		walk Walk
		msg  string
	}{
		{tiny(Price), Walk{Folds: 0, MinTrain: 0.5}, "Folds: must be at least 1, got 0"},
		{tiny(Price), Walk{Folds: 2, MinTrain: 1}, "MinTrain: must be between 0 and 1, got 1"},
		{tiny("volume"), Walk{Folds: 2, MinTrain: 0.5}, "Target: "},
		// The first fold trains on 6 values: too few for lookback 3 and a
		// validation span.
		{tiny(Price), Walk{Folds: 2, MinTrain: 0.1}, "fold 1 (training on values 1-6): "},
	} {
		if _, err := WalkForward(context.Background(), prices, tc.cfg, tc.walk, nil); err == nil || !strings.HasPrefix(err.Error(), tc.msg) {
			t.Errorf("%+v: error %v, want one starting %q", tc.walk, err, tc.msg)
		}
	}
	// A return model fitted on positive prices cannot score a span with a
	// price <= 0.
	prices[50] = -1
	_, err := WalkForward(context.Background(), prices, tiny(Return), Walk{Folds: 2, MinTrain: 0.5}, nil)
	if err == nil || !strings.HasPrefix(err.Error(), "fold 2 (values 46-60): ") {
		t.Errorf("a price <= 0 in a return fold's span: error %v", err)
	}
	for _, w := range []Walk{{1, 0.01}, {1, 0.99}} {
		if err := w.Validate(); err != nil {
			t.Errorf("%+v: %v", w, err)
		}
	}
}
