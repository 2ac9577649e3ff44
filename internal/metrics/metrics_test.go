package metrics

import (
	"encoding/json"
	"math"
	"testing"

	"gonum.org/v1/gonum/floats/scalar"
)

func same(a, b float64) bool {
	return scalar.EqualWithinAbsOrRel(a, b, 1e-14, 1e-14) || math.IsNaN(a) && math.IsNaN(b)
}

func TestScoreByHand(t *testing.T) {
	prev := []float64{9, 10, 12, 9}
	actual := []float64{10, 12, 9, 11}
	pred := []float64{11, 12, 10, 9}
	// Errors -1, 0, -1, 2. Actual moves +1, +2, -3, +2; predicted moves
	// +2, +2, -2, 0: three of four directions called.
	want := Scores{
		RMSE:                math.Sqrt(6.0 / 4),
		MAE:                 1,
		MAPE:                100.0 / 4 * (1.0/10 + 1.0/9 + 2.0/11),
		SMAPE:               100.0 / 4 * (2.0/21 + 2.0/19 + 4.0/20),
		MASE:                2,
		DirectionalAccuracy: 0.75,
	}
	got := Score(prev, actual, pred, 0.5)
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"RMSE", got.RMSE, want.RMSE},
		{"MAE", got.MAE, want.MAE},
		{"MAPE", got.MAPE, want.MAPE},
		{"SMAPE", got.SMAPE, want.SMAPE},
		{"MASE", got.MASE, want.MASE},
		{"DirectionalAccuracy", got.DirectionalAccuracy, want.DirectionalAccuracy},
	} {
		if !same(c.got, c.want) {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	for _, naive := range []float64{0, -1, math.NaN()} {
		if m := Score(prev, actual, pred, naive).MASE; !math.IsNaN(m) {
			t.Errorf("MASE with naive MAE %v = %v, want NaN", naive, m)
		}
	}
}

func TestEdgeCases(t *testing.T) {
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		// The zero actual value is skipped: only |2-1|/2 remains.
		{"MAPE skips zero actual", MAPE([]float64{0, 2}, []float64{1, 1}), 50},
		{"MAPE of zeros only", MAPE([]float64{0, 0}, []float64{1, 1}), math.NaN()},
		// 0 predicted as 0 is perfect; 2 predicted as 1 is 2·1/3.
		{"SMAPE of 0 for 0", SMAPE([]float64{0, 2}, []float64{0, 1}), 100.0 / 2 * 2 / 3},
		{"SMAPE of opposite signs", SMAPE([]float64{1}, []float64{-1}), 200},
		{"DA skips no move", DirectionalAccuracy([]float64{1, 1}, []float64{1, 2}, []float64{2, 2}), 1},
		{"DA no predicted move misses", DirectionalAccuracy([]float64{1}, []float64{2}, []float64{1}), 0},
		{"DA without moves", DirectionalAccuracy([]float64{1}, []float64{1}, []float64{2}), math.NaN()},
		// A fall called as a rise, and a rise called as a fall, are misses.
		{"DA wrong way down", DirectionalAccuracy([]float64{5}, []float64{4}, []float64{6}), 0},
		{"DA wrong way up", DirectionalAccuracy([]float64{5}, []float64{6}, []float64{4}), 0},
		{"DA right way down", DirectionalAccuracy([]float64{5}, []float64{4}, []float64{3}), 1},
		// Steps without an actual move are skipped whatever was predicted:
		// one move, called, out of three steps.
		{"DA skips no move, any call", DirectionalAccuracy([]float64{5, 5, 5}, []float64{5, 5, 7}, []float64{4, 6, 6}), 1},
		{"RMSE of nothing", RMSE(nil, nil), math.NaN()},
		{"MAE of nothing", MAE(nil, nil), math.NaN()},
		{"NaiveMAE", NaiveMAE([]float64{1, 3, 2, 6}), 7.0 / 3},
		{"NaiveMAE of one value", NaiveMAE([]float64{1}), math.NaN()},
		{"NaiveMAE of two values", NaiveMAE([]float64{3, 1}), 2},
	} {
		if !same(c.got, c.want) {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
}

func TestScoresJSON(t *testing.T) {
	s := Scores{RMSE: 1.5, MAE: 1, MAPE: 2.5, SMAPE: 2.25, MASE: math.NaN(), DirectionalAccuracy: 0.5}
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"rmse":1.5,"mae":1,"mape":0.025,"smape":0.0225,"mase":null,"directional_accuracy":0.5}` // ratios as fractions
	if string(b) != want {
		t.Errorf("json.Marshal = %s, want %s", b, want)
	}
	var back Scores
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.RMSE != 1.5 || back.MAE != 1 || back.MAPE != 2.5 || back.SMAPE != 2.25 || !math.IsNaN(back.MASE) || back.DirectionalAccuracy != 0.5 {
		t.Errorf("round trip = %+v, want %+v", back, s)
	}
	if err := json.Unmarshal([]byte(`{"rmse":"x"}`), &back); err == nil {
		t.Error("json.Unmarshal of a string score: no error")
	}
}

func TestLengthMismatchPanics(t *testing.T) {
	short, long := []float64{1}, []float64{1, 2}
	for _, c := range []struct {
		name string
		f    func()
		want string
	}{
		// RMSE and MAE leave the check to gonum's floats.Distance.
		{"RMSE", func() { RMSE(short, long) }, "floats: slice lengths do not match"},
		{"MAE", func() { MAE(long, short) }, "floats: slice lengths do not match"},
		// A loop over the shorter actual values would not reach the end
		// of pred: only the length check panics here.
		{"MAPE", func() { MAPE(short, long) }, "metrics: slice length mismatch"},
		{"SMAPE", func() { SMAPE(short, long) }, "metrics: slice length mismatch"},
		{"DirectionalAccuracy pred", func() { DirectionalAccuracy(short, short, long) }, "metrics: slice length mismatch"},
		{"DirectionalAccuracy prev", func() { DirectionalAccuracy(long, short, short) }, "metrics: slice length mismatch"},
	} {
		if got := panicValue(c.f); got != c.want {
			t.Errorf("%s of mismatched lengths: panic %v, want %q", c.name, got, c.want)
		}
	}
}
