package forecast

import (
	"bytes"
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lstmfc/lstmfc/internal/metrics"
	"github.com/lstmfc/lstmfc/internal/window"
)

// TestScoreStepsByHand scores two paths of three steps over a nine-value
// series, the baselines worked out by hand.
func TestScoreStepsByHand(t *testing.T) {
	prices := []float64{10, 12, 11, 13, 12, 14, 15, 13, 16}
	nan := math.NaN()
	paths := []Path{
		// From origin 6 (known: 10 12 11 13 12 14) to values 6, 7, 8.
		{Origin: 6, Pred: []float64{15, 14, 15},
			Lo: [][]float64{{14, 14, nan}}, Hi: [][]float64{{16, 14.5, nan}}},
		// From origin 8 (known up to 13): only step 1, value 8 = 16, is known.
		{Origin: 8, Pred: []float64{14, 13, 12},
			Lo: [][]float64{{10, 0, 0}}, Hi: [][]float64{{15, 1, 1}}},
	}
	s := ScoreSteps(prices, paths, []float64{0.8}, 3, 4)
	const scale = (2 + 1 + 2.0) / 3 // naive MAE of 10 12 11 13
	if s.Horizon != 3 || s.Origins != 2 || len(s.PerStep) != 3 {
		t.Fatalf("horizon %d, origins %d, %d steps; want 3, 2, 3", s.Horizon, s.Origins, len(s.PerStep))
	}
	for _, tc := range []struct {
		h                      int
		prev, actual, pred     []float64
		naive, drift, seasonal []float64
		coverage               float64
	}{
		// Drift from origin 6: 14 + h·(14-10)/5; from 8: 13 + h·3/7.
		// Seasonal (period 5) from origin 6: values 1, 2, 3 = 12, 11, 13;
		// from 8: value 3 = 13.
		{1, []float64{14, 13}, []float64{15, 16}, []float64{15, 14}, []float64{14, 13}, []float64{14.8, 13 + 3.0/7}, []float64{12, 13}, 1.0 / 2},
		{2, []float64{14}, []float64{13}, []float64{14}, []float64{14}, []float64{15.6}, []float64{11}, 0},
		{3, []float64{14}, []float64{16}, []float64{15}, []float64{14}, []float64{16.4}, []float64{13}, nan},
	} {
		st := s.PerStep[tc.h-1]
		score := func(f []float64) metrics.Scores { return metrics.Score(tc.prev, tc.actual, f, scale) }
		if st.Step != tc.h || st.Rows != len(tc.actual) || !sameScores(st.LSTM, score(tc.pred)) || !sameScores(st.Naive, score(tc.naive)) ||
			!sameScores(st.Drift, score(tc.drift)) || !sameScores(st.SeasonalNaive, score(tc.seasonal)) {
			t.Errorf("step %d: %+v", tc.h, st)
		}
		if c, ok := st.Coverage["80"]; ok == math.IsNaN(tc.coverage) || ok && c != tc.coverage {
			t.Errorf("step %d: coverage %v, want %v", tc.h, st.Coverage, tc.coverage)
		}
	}
	// Overall: only origin 6 has all three steps: errors 0, -1, 1 against
	// naive's 1, -1, 2, drift's 0.2, -2.6, -0.4 and seasonal's 3, 2, 3.
	o := s.Overall
	prev, actual := []float64{14, 14, 14}, []float64{15, 13, 16}
	if o.Step != 0 || o.Rows != 3 || !sameScores(o.LSTM, metrics.Score(prev, actual, []float64{15, 14, 15}, scale)) ||
		!sameScores(o.Drift, metrics.Score(prev, actual, []float64{14.8, 15.6, 16.4}, scale)) || o.Verdict.Best != "naive" || !sameScores(o.Verdict.BestScores, o.Naive) ||
		o.Verdict.DM.N != 1 || o.Coverage["80"] != 0.5 {
		t.Errorf("overall %+v", o)
	}
}

// sameScores reports whether two scores are equal, NaN matching NaN.
func sameScores(a, b metrics.Scores) bool {
	return slices.EqualFunc([]float64{a.RMSE, a.MAE, a.MAPE, a.SMAPE, a.MASE, a.DirectionalAccuracy},
		[]float64{b.RMSE, b.MAE, b.MAPE, b.SMAPE, b.MASE, b.DirectionalAccuracy}, near)
}

// TestScoreStepsOnAR1 scores the best forecaster of a series whose moves
// are an AR(1), r[t] = φ·r[t-1] + e[t] with e ~ N(0, 1): from origin o it
// forecasts x[o-1] + r[o-1]·(φ + … + φ^h) at step h. Its h-step error is
// Σ_{m<h} ψ_m·e with ψ_m = (1-φ^(m+1))/(1-φ), so its mean squared error is
// Σ_{m<h} ψ_m²; the naive error, the sum of h moves of variance
// γ₀ = 1/(1-φ²), has variance γ₀·(h + 2 Σ_{k<h} (h-k)·φ^k). The direction of
// the forecast is that of r[o-1], whose correlation with the sum of the
// next h moves is ρ = γ₀·Σ_{j≤h} φ^j / √(γ₀·naive variance): it calls the
// direction with probability 1/2 + asin(ρ)/π (2/3 at step 1 for φ = 0.5).
// Its band ±1.2816·√(mean squared error) holds 80% of Gaussian errors.
// The scores of 10,000 origins must be within sampling error of these.
func TestScoreStepsOnAR1(t *testing.T) {
	const phi, n, horizon = 0.5, 20000, 10
	rng := rand.New(rand.NewPCG(13, 0))
	x := make([]float64, n)
	x[0] = 1000
	var r float64
	for i := 1; i < n; i++ {
		r = phi*r + rng.NormFloat64()
		x[i] = x[i-1] + r
	}
	mse := func(h int) float64 {
		var s float64
		for m := range h {
			psi := (1 - math.Pow(phi, float64(m+1))) / (1 - phi)
			s += psi * psi
		}
		return s
	}
	gamma0 := 1 / (1 - phi*phi)
	naiveVar := func(h int) float64 {
		s := float64(h)
		for k := 1; k < h; k++ {
			s += 2 * float64(h-k) * math.Pow(phi, float64(k))
		}
		return gamma0 * s
	}
	var paths []Path
	for o := n / 2; o < n; o++ {
		last := x[o-1] - x[o-2]
		p := Path{Origin: o, Lo: [][]float64{nil}, Hi: [][]float64{nil}}
		for h := 1; h <= horizon; h++ {
			pred := x[o-1] + last*phi*(1-math.Pow(phi, float64(h)))/(1-phi)
			w := 1.2815515655446004 * math.Sqrt(mse(h))
			p.Pred = append(p.Pred, pred)
			p.Lo[0], p.Hi[0] = append(p.Lo[0], pred-w), append(p.Hi[0], pred+w)
		}
		paths = append(paths, p)
	}
	s := ScoreSteps(x, paths, []float64{0.8}, horizon, n/2)
	scale := math.Sqrt(gamma0 * 2 / math.Pi) // E|r| of a Gaussian move
	for h := 1; h <= horizon; h++ {
		st := s.PerStep[h-1]
		var sumPhi float64
		for j := 1; j <= h; j++ {
			sumPhi += math.Pow(phi, float64(j))
		}
		rho := gamma0 * sumPhi / math.Sqrt(gamma0*naiveVar(h))
		for _, c := range []struct {
			what           string
			got, want, tol float64
		}{
			{"RMSE", st.LSTM.RMSE, math.Sqrt(mse(h)), 0.05},
			{"naive RMSE", st.Naive.RMSE, math.Sqrt(naiveVar(h)), 0.05},
			{"MASE", st.LSTM.MASE, math.Sqrt(mse(h)*2/math.Pi) / scale, 0.05},
			{"direction", st.LSTM.DirectionalAccuracy, 0.5 + math.Asin(rho)/math.Pi, 0.03},
			{"80% coverage", st.Coverage["80"], 0.8, 0.03},
		} {
			if math.Abs(c.got/c.want-1) > c.tol {
				t.Errorf("step %d: %s %.4f, want %.4f within %.0f%%", h, c.what, c.got, c.want, 100*c.tol)
			}
		}
		if st.Rows != n/2-h+1 || st.Verdict.outcome(st.LSTM) != beats {
			t.Errorf("step %d: %d rows, verdict %+v; want %d and a win", h, st.Rows, st.Verdict, n/2-h+1)
		}
	}
}

// TestWalkForwardStepsByHand checks a two-fold multi-step backtest against
// fits made independently, under each strategy: every origin's path is the
// forecast of the fold's model, fitted for the backtest's horizon, from the
// values before it, and its bands the model's intervals around it. Under
// the recursive strategy the model has one output, so the one-step part is
// WalkForward's.
func TestWalkForwardStepsByHand(t *testing.T) {
	prices := randomWalk(80, 3)
	for _, strategy := range []Strategy{Direct, Recursive} {
		cfg := tiny(Delta)
		cfg.Levels = []float64{0.8, 0.5}
		cfg.Strategy = strategy
		walk := Walk{Folds: 2, MinTrain: 0.6}
		bt, err := WalkForwardSteps(context.Background(), prices, cfg, walk, 4, nil)
		if err != nil {
			t.Fatal(err)
		}
		if strategy == Recursive {
			one, err := WalkForward(context.Background(), prices, cfg, walk, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !sameReport(bt.Overall, one.Overall) || !slices.EqualFunc(bt.Predicted, one.Predicted, same) || one.Steps != nil {
				t.Error("the one-step part of a recursive multi-step backtest differs from WalkForward's")
			}
		}
		vol := volatilities(prices)
		var recs []forecastRecord // every forecast of every step in order of origin: the first fit's validation, then the folds'
		var want []Path
		for k, f := range bt.Folds {
			trainCfg := cfg
			trainCfg.TestSplit = 0
			trainCfg.Horizon = 4
			fit, err := Train(context.Background(), prices[:f.Start], trainCfg, nil)
			if err != nil {
				t.Fatal(err)
			}
			if got := fit.Horizon(); got != map[Strategy]int{Direct: 4, Recursive: 1}[strategy] {
				t.Errorf("%s: the fold's model has %d outputs", strategy, got)
			}
			from := f.Start
			if k == 0 {
				from = fit.Split.TrainEnd
			}
			for o := from; o < f.End; o++ {
				fc, err := fit.Forecast(context.Background(), prices[:o], 4)
				if err != nil {
					t.Fatal(err)
				}
				for k, v := range fc {
					recs = append(recs, forecastRecord{origin: o, step: k, pred: v, vol: vol[o], issued: o >= f.Start})
				}
				if o >= f.Start {
					want = append(want, Path{Origin: o, Pred: fc})
				}
			}
		}
		radii := slowOnlineRadii(prices, recs, cfg.Levels)
		for j, r := range recs {
			if !r.issued {
				continue
			}
			p := &want[r.origin-bt.Folds[0].Start]
			if r.step == 0 {
				for range cfg.Levels {
					p.Lo, p.Hi = append(p.Lo, nanSlice(4)), append(p.Hi, nanSlice(4))
				}
			}
			for i := range cfg.Levels {
				p.Lo[i][r.step], p.Hi[i][r.step] = r.pred-radii[j][i], r.pred+radii[j][i]
			}
		}
		if last := want[len(want)-1]; math.IsNaN(last.Lo[0][3]) || math.IsNaN(last.Hi[1][3]) {
			t.Fatalf("%s: the last path's bands %v %v: nothing sized, the test cannot tell", strategy, last.Lo, last.Hi)
		}
		if bt.Steps == nil || len(bt.Steps.Paths) != 80-48 || len(want) != 80-48 {
			t.Fatalf("%s: steps %+v, want 32 paths", strategy, bt.Steps)
		}
		for i, p := range bt.Steps.Paths {
			w := want[i]
			if p.Origin != w.Origin || !slices.EqualFunc(p.Pred, w.Pred, near) || len(p.Lo) != 2 ||
				!slices.EqualFunc(p.Lo[0], w.Lo[0], near) || !slices.EqualFunc(p.Hi[1], w.Hi[1], near) || !slices.EqualFunc(p.Lo[1], w.Lo[1], near) {
				t.Errorf("%s: path %d: %+v, want %+v", strategy, i, p, w)
			}
		}
		if got := ScoreSteps(prices, want, cfg.Levels, 4, bt.Folds[0].TrainEnd); !slices.EqualFunc(got.PerStep, bt.Steps.PerStep, sameStep) || !sameStep(got.Overall, bt.Steps.Overall) {
			t.Errorf("%s: steps scored differently from the paths", strategy)
		}
	}
}

// sameStep reports whether two steps hold the same numbers.
func sameStep(a, b Step) bool {
	if a.Step != b.Step || a.Rows != b.Rows || a.Verdict.Best != b.Verdict.Best || !near(a.Verdict.DM.P, b.Verdict.DM.P) || len(a.Coverage) != len(b.Coverage) {
		return false
	}
	for k, v := range a.Coverage {
		if !near(v, b.Coverage[k]) {
			return false
		}
	}
	return sameScores(a.LSTM, b.LSTM) && sameScores(a.Naive, b.Naive) && sameScores(a.Drift, b.Drift) && sameScores(a.SeasonalNaive, b.SeasonalNaive)
}

// TestRandomWalkNoSignificantDifference: on a random walk nothing beats
// the last value, and a trained model that learned as much says so, at
// every step and overall, rather than "beats" or "does not beat".
func TestRandomWalkNoSignificantDifference(t *testing.T) {
	cfg := quick(window.Delta)
	bt, err := WalkForwardSteps(context.Background(), randomWalk(900, 21), cfg, Walk{Folds: 2, MinTrain: 0.7}, 5, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range append(bt.Steps.PerStep, bt.Steps.Overall) {
		if o := st.Verdict.outcome(st.LSTM); o != noDifference {
			t.Errorf("step %d: %s, %+v; want no difference", st.Step, o.word(), st.Verdict)
		}
	}
	var b bytes.Buffer
	if err := bt.Steps.WriteText(&b, "LSTM"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "Over all 5 steps: No significant difference between the LSTM and the best baseline") {
		t.Errorf("report:\n%s", b.String())
	}
	t.Log("\n" + b.String())
}

func TestShownSteps(t *testing.T) {
	for h, want := range map[int][]int{1: {1}, 2: {1, 2}, 5: {1, 5}, 7: {1, 5, 7}, 20: {1, 5, 10, 20}, 30: {1, 5, 10, 20, 30}} {
		if got := ShownSteps(h); !slices.Equal(got, want) {
			t.Errorf("ShownSteps(%d) = %v, want %v", h, got, want)
		}
	}
}

// TestStepsCSVAndText writes the paths of TestScoreStepsByHand: every
// origin × step with a known actual value, dated and not, and the table.
func TestStepsCSVAndText(t *testing.T) {
	prices := []float64{10, 12, 11, 13, 12, 14, 15, 13, 16}
	nan := math.NaN()
	paths := []Path{
		{Origin: 6, Pred: []float64{15, 14, 15.5}, Lo: [][]float64{{14, 14, nan}}, Hi: [][]float64{{16, 14.5, nan}}},
		{Origin: 8, Pred: []float64{14, 13, 12}, Lo: [][]float64{{10, 0, 0}}, Hi: [][]float64{{15, 1, 1}}},
	}
	s := ScoreSteps(prices, paths, []float64{0.8}, 3, 4)
	var b bytes.Buffer
	if err := s.WriteCSV(&b, prices, nil); err != nil {
		t.Fatal(err)
	}
	want := `origin,target,step,actual,predicted,lo80,hi80
5,6,1,15,15,14,16
5,7,2,13,14,14,14.5
5,8,3,16,15.5,,
7,8,1,16,14,10,15
`
	if b.String() != want {
		t.Errorf("CSV:\n%s\nwant:\n%s", b.String(), want)
	}
	dates := make([]time.Time, len(prices))
	for i := range dates {
		dates[i] = time.Date(2024, 1, 1+i, 0, 0, 0, 0, time.UTC)
	}
	b.Reset()
	if err := s.WriteCSV(&b, prices, dates); err != nil {
		t.Fatal(err)
	}
	if lines := strings.Split(b.String(), "\n"); len(lines) != 6 || lines[1] != "2024-01-06,2024-01-07,1,15,15,14,16" || lines[4] != "2024-01-08,2024-01-09,1,16,14,10,15" {
		t.Errorf("dated CSV:\n%s", b.String())
	}
	b.Reset()
	if err := s.WriteText(&b, "GRU"); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(b.String(), "\n")
	if len(lines) != 7 || !strings.HasPrefix(lines[0], "Forecasts 1 to 3 steps ahead from 2 origins") || !strings.Contains(lines[1], "gru RMSE") ||
		!strings.HasPrefix(strings.TrimSpace(lines[2]), "1      2 ") || !strings.HasPrefix(strings.TrimSpace(lines[3]), "3      1 ") ||
		!strings.HasPrefix(strings.TrimSpace(lines[4]), "all      3 ") || !strings.Contains(lines[2], " 50.0% ") || !strings.HasSuffix(lines[3], "-  no difference") ||
		!strings.HasPrefix(lines[5], "Over all 3 steps: No significant difference between the GRU and the best baseline, naive: RMSE ") {
		t.Errorf("text:\n%s", b.String())
	}
}
