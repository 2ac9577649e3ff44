package forecast

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/lstmfc/lstmfc/internal/metrics"
	"github.com/lstmfc/lstmfc/internal/scale"
	"github.com/lstmfc/lstmfc/internal/window"
)

// pearson is the sample correlation written out from its definition.
func pearson(x, y []float64) float64 {
	var mx, my float64
	for i := range x {
		mx += x[i]
		my += y[i]
	}
	mx /= float64(len(x))
	my /= float64(len(y))
	var sxy, sxx, syy float64
	for i := range x {
		sxy += (x[i] - mx) * (y[i] - my)
		sxx += (x[i] - mx) * (x[i] - mx)
		syy += (y[i] - my) * (y[i] - my)
	}
	return sxy / math.Sqrt(sxx*syy)
}

// TestEvaluateByHand scores three predictions of a seven-value series. The
// baselines are worked out by hand; metrics.Score, tested in its own
// package, turns each into scores.
func TestEvaluateByHand(t *testing.T) {
	prices := []float64{10, 11, 13, 12, 15, 14, 16}
	nan := math.NaN()
	pred := []float64{nan, nan, nan, nan, 14, 15, 15}
	prev, actual := []float64{12, 15, 14}, []float64{15, 14, 16}
	const naiveMAE = 1.5 // of the training values 10, 11, 13, not of the span scored
	bands := []TableBand{
		// Out of the span, [0, 1] would miss; in it, 15 and 14 are on the
		// edges (inside) and 16 is above.
		{Level: 0.8, Lo: []float64{0, 0, 0, 0, 15, 13, 16.5}, Hi: []float64{1, 1, 1, 1, 16, 14, 17}},
		{Level: 0.95, Lo: []float64{0, nan, nan, nan, nan, 0, nan}, Hi: []float64{1, nan, nan, nan, nan, 100, nan}},
		{Level: 0.5, Lo: []float64{0, nan, nan, nan, nan, nan, nan}, Hi: []float64{1, nan, nan, nan, nan, nan, nan}},
	}
	r := Evaluate(prices, pred, bands, 4, 7, 3)
	want := Report{
		Rows:          3,
		LSTM:          metrics.Score(prev, actual, []float64{14, 15, 15}, naiveMAE),
		Naive:         metrics.Score(prev, actual, prev, naiveMAE),
		Drift:         metrics.Score(prev, actual, []float64{12 + 2.0/3, 15 + 5.0/4, 14 + 4.0/5}, naiveMAE),
		MovingAverage: metrics.Score(prev, actual, []float64{46.0 / 4, 61.0 / 5, 75.0 / 6}, naiveMAE),
		Lag:           Lag{Same: pearson([]float64{14, 15, 15}, actual), Shifted: pearson([]float64{14, 15, 15}, prev)},
		Coverage:      map[string]float64{"80": 2.0 / 3, "95": 1},
	}
	if r.LSTM.MASE != 2.0/3 {
		t.Errorf("LSTM MASE %v, want MAE 1 over the training naive MAE 1.5", r.LSTM.MASE)
	}
	for _, c := range []struct {
		name      string
		got, want metrics.Scores
	}{{"lstm", r.LSTM, want.LSTM}, {"naive", r.Naive, want.Naive}, {"drift", r.Drift, want.Drift}, {"moving average", r.MovingAverage, want.MovingAverage}} {
		g, w := []float64{c.got.RMSE, c.got.MAE, c.got.MAPE, c.got.SMAPE, c.got.MASE, c.got.DirectionalAccuracy},
			[]float64{c.want.RMSE, c.want.MAE, c.want.MAPE, c.want.SMAPE, c.want.MASE, c.want.DirectionalAccuracy}
		for i := range g {
			if !near(g[i], w[i]) {
				t.Errorf("%s: scores %+v, want %+v", c.name, c.got, c.want)
				break
			}
		}
	}
	if r.Rows != want.Rows || !near(r.Lag.Same, want.Lag.Same) || !near(r.Lag.Shifted, want.Lag.Shifted) {
		t.Errorf("rows %d, lag %+v; want %d, %+v", r.Rows, r.Lag, want.Rows, want.Lag)
	}
	if len(r.Coverage) != 2 || !near(r.Coverage["80"], want.Coverage["80"]) || r.Coverage["95"] != 1 {
		t.Errorf("coverage %v, want %v", r.Coverage, want.Coverage)
	}
	// Drift's errors 7/3, -9/4, 6/5 are the smallest of the baselines
	// (naive's are 3, -1, 2 and the moving average's 3.5, 1.8, 3.5); the
	// model's are 1, -1, 1.
	dm := metrics.DieboldMariano([]float64{1, -1, 1}, []float64{7.0 / 3, -9.0 / 4, 6.0 / 5}, 1, metrics.Squared)
	if r.Verdict.Best != "drift" || r.Verdict.BestScores != r.Drift || !near(r.Verdict.DM.Stat, dm.Stat) || !near(r.Verdict.DM.P, dm.P) || r.Verdict.DM.N != 3 {
		t.Errorf("verdict %+v, want drift and %+v", r.Verdict, dm)
	}
	if r := Evaluate(prices, pred, nil, 4, 7, 3); r.Coverage != nil {
		t.Errorf("no bands: coverage %v, want nil", r.Coverage)
	}
}

// TestLagOfAnEcho: predictions that repeat the previous value (shifted,
// so not the naive forecast itself) correlate perfectly with it, and less
// with the value they predict. Predictions that are the naive forecast are
// said to be the last price.
func TestLagOfAnEcho(t *testing.T) {
	prices := []float64{3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5}
	pred := make([]float64, len(prices))
	for i := 1; i < len(prices); i++ {
		pred[i] = prices[i-1] + 0.5
	}
	r := Evaluate(prices, pred, nil, 1, len(prices), len(prices))
	if !near(r.Lag.Shifted, 1) || !near(r.Lag.Same, pearson(prices[:len(prices)-1], prices[1:])) || !r.Lag.Echoes() {
		t.Errorf("an echo: lag %+v, want shifted 1, same %v, and Echoes", r.Lag, pearson(prices[:len(prices)-1], prices[1:]))
	}
	var b bytes.Buffer
	if err := r.WriteText(&b, "Echo"); err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b.Bytes(), []byte("the model mostly echoes the last price")) {
		t.Errorf("report of an echo does not say so:\n%s", b.String())
	}
	for i := 1; i < len(prices); i++ {
		pred[i] = prices[i-1]
	}
	b.Reset()
	if err := Evaluate(prices, pred, nil, 1, len(prices), len(prices)).WriteText(&b, "Naive"); err != nil {
		t.Fatal(err)
	}
	if s := b.String(); !strings.Contains(s, "Its forecasts are the last price: the network showed no skill") || strings.Contains(s, "echoes") {
		t.Errorf("report of the naive forecast:\n%s", s)
	}
	copy(pred, prices) // a perfect forecast
	r = Evaluate(prices, pred, nil, 1, len(prices), len(prices))
	if !near(r.Lag.Same, 1) || r.Lag.Echoes() {
		t.Errorf("a perfect forecast: lag %+v, want same 1 and no echo", r.Lag)
	}
}

func TestLagEchoesAndJSON(t *testing.T) {
	for _, tc := range []struct {
		lag  Lag
		want bool
	}{{Lag{0.5, 0.5}, false}, {Lag{0.5, 0.6}, true}, {Lag{0.6, 0.5}, false}, {Lag{math.NaN(), 0.5}, false}} {
		if got := tc.lag.Echoes(); got != tc.want {
			t.Errorf("%+v.Echoes() = %v, want %v", tc.lag, got, tc.want)
		}
	}
	b, err := json.Marshal(Lag{Same: math.NaN(), Shifted: 0.25})
	if err != nil || string(b) != `{"same":null,"shifted":0.25}` {
		t.Errorf("JSON %s (%v), want same null and shifted 0.25", b, err)
	}
}

func TestLevelKey(t *testing.T) {
	for l, want := range map[float64]string{0.57: "57", 0.975: "97.5", 0.8: "80", 0.999: "99.9", 0.05: "5", 0.123456: "12.3456"} {
		if got := levelKey(l); got != want {
			t.Errorf("levelKey(%v) = %q, want %q", l, got, want)
		}
	}
}

func TestBeatsNaive(t *testing.T) {
	r := Report{LSTM: metrics.Scores{RMSE: 1}, Naive: metrics.Scores{RMSE: 1}}
	if r.BeatsNaive() {
		t.Error("an equal RMSE beats the naive forecast")
	}
	r.LSTM.RMSE = 0.99
	if !r.BeatsNaive() {
		t.Error("a lower RMSE does not beat the naive forecast")
	}
}

// TestWriteTextByHand checks the whole text of two reports, written out by
// hand: coverage in numeric order of level, the percentages, the sentences.
func TestWriteTextByHand(t *testing.T) {
	r := Report{
		Rows:          3,
		LSTM:          metrics.Scores{RMSE: 1.6, MAE: 0.5, MAPE: 1.25, SMAPE: 1.5, MASE: 0.75, DirectionalAccuracy: 0.625},
		Naive:         metrics.Scores{RMSE: 2, MAE: 0.75, MAPE: 2, SMAPE: 2.5, MASE: 1, DirectionalAccuracy: 0},
		Drift:         metrics.Scores{RMSE: 1234567.8, MAE: 0.001, MAPE: 3, SMAPE: 3, MASE: 1.5, DirectionalAccuracy: 0.5},
		MovingAverage: metrics.Scores{RMSE: 2, MAE: 1.5, MAPE: 4, SMAPE: 4.5, MASE: 2, DirectionalAccuracy: 1},
		Lag:           Lag{Same: 0.9, Shifted: 0.95},
		Coverage:      map[string]float64{"97.5": 1, "5": 0.25, "80": 0.8},
	}
	r.Verdict = Verdict{Best: "naive", BestScores: r.Naive, DM: metrics.DM{Stat: 3, P: 0.0123, N: 3}}
	want := `Validation: 3 values scored, in price units
  model                   RMSE          MAE    MAPE %   sMAPE %     MASE   direction
  lstm                     1.6          0.5     1.250     1.500    0.750       62.5%
  naive                      2         0.75     2.000     2.500    1.000        0.0%
  drift            1.23457e+06        0.001     3.000     3.000    1.500       50.0%
  moving average             2          1.5     4.000     4.500    2.000      100.0%
  5% interval covered 25.0% of actual values
  80% interval covered 80.0% of actual values
  97.5% interval covered 100.0% of actual values
The LSTM beats the best baseline, naive: RMSE 20.0% lower, MASE 0.750 against 1.000 (Diebold–Mariano p = 0.012).
`
	var b bytes.Buffer
	if err := r.WriteText(&b, "Validation"); err != nil {
		t.Fatal(err)
	}
	if b.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", b.String(), want)
	}
	// The same report, its RMSE now higher and its MASE lower than naive's,
	// under each outcome of the test; the echo shows when it does not win.
	r.LSTM.RMSE, r.Coverage = 2.5, nil
	for _, tc := range []struct {
		dm       metrics.DM
		mase     float64
		verdict  string
		lagShown bool
	}{
		{metrics.DM{Stat: 0.5, P: 0.43}, 1.25, "No significant difference between the LSTM and the best baseline, naive: RMSE 25.0% higher, MASE 1.250 against 1.000 (Diebold–Mariano p = 0.430). Do not trade on it.", true},
		{metrics.DM{Stat: 4, P: 0.0004}, 1.25, "The LSTM is worse than the best baseline, naive: RMSE 25.0% higher, MASE 1.250 against 1.000 (Diebold–Mariano p < 0.001). Do not trade on it.", true},
		{metrics.DM{Stat: 4, P: 0.01}, 0.5, "The LSTM and the best baseline, naive, disagree by measure: RMSE 25.0% higher, MASE 0.500 against 1.000 (Diebold–Mariano p = 0.010). Do not trade on it.", true},
		{metrics.DM{Stat: math.NaN(), P: math.NaN()}, 1.25, "No significant difference between the LSTM and the best baseline, naive: RMSE 25.0% higher, MASE 1.250 against 1.000 (Diebold–Mariano test undefined for so few values). Do not trade on it.", true},
	} {
		r.Verdict.DM, r.LSTM.MASE = tc.dm, tc.mase
		b.Reset()
		if err := r.WriteText(&b, "Test"); err != nil {
			t.Fatal(err)
		}
		tail := tc.verdict + "\nIts predictions correlate more with the previous value (0.9500) than with the value predicted (0.9000): the model mostly echoes the last price.\n"
		if s := b.String(); !strings.HasSuffix(s, tail) || strings.Contains(s, "interval") {
			t.Errorf("got:\n%s\nwant it to end:\n%s", s, tail)
		}
	}
	r.LSTM.RMSE = math.NaN()
	b.Reset()
	if err := r.WriteText(&b, "Test"); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasSuffix(b.Bytes(), []byte("\nNo predictions to score in this span.\n")) {
		t.Errorf("no predictions:\n%s", b.String())
	}
}

// TestScoreSpans scores a fit with known predictions (5 everywhere) on the
// spans of its split.
func TestScoreSpans(t *testing.T) {
	prices := []float64{4, 6, 5, 3, 6, 7, 4, 5, 8, 2}
	naiveMAE := (2 + 1 + 2 + 3 + 1.0) / 5 // training values prices[:6]
	fit := &Fit{
		Model: constModel(t, window.Encoding{Target: Price, Scale: scale.MinMax{Min: 0, Max: 10}}, 2, 0.5),
		Split: window.Split{N: 10, Lookback: 2, TrainEnd: 6, ValEnd: 8},
	}
	fit.Intervals = []Interval{{Level: 0.8, Radius: 1}}
	r, err := fit.Score(context.Background(), prices)
	if err != nil {
		t.Fatal(err)
	}
	five := []float64{5, 5}
	// The volatility before index 6 is 9/5 and before 7 it is 12/6, so
	// 5 ± it holds 4 and 5; before 8 and 9 it is 13/7 and 16/8, so 5 ± it
	// misses 8 and 2.
	if r.Validation == nil || r.Validation.Rows != 2 || r.Validation.LSTM != metrics.Score(prices[5:7], prices[6:8], five, naiveMAE) || r.Validation.Coverage["80"] != 1 {
		t.Errorf("validation %+v", r.Validation)
	}
	if r.Test == nil || r.Test.Rows != 2 || r.Test.LSTM != metrics.Score(prices[7:9], prices[8:10], five, naiveMAE) || r.Test.Coverage["80"] != 0 {
		t.Errorf("test %+v", r.Test)
	}
	if r.InSample != nil {
		t.Errorf("in-sample report %+v with held-out spans", r.InSample)
	}
	fit.Split.ValEnd = 10 // validation only
	if r, err := fit.Score(context.Background(), prices); err != nil || r.Validation == nil || r.Validation.Rows != 4 || r.Test != nil || r.InSample != nil {
		t.Errorf("validation only: %+v, %v", r, err)
	}
	fit.Split.TrainEnd = 10 // nothing held out
	r, err = fit.Score(context.Background(), prices)
	if err != nil || r.Validation != nil || r.Test != nil || r.InSample == nil || r.InSample.Rows != 8 {
		t.Errorf("nothing held out: %+v, %v; want an in-sample report of 8 values", r, err)
	}
}

// TestReportNamesTheCell: a report of a GRU says GRU, in its table and its
// verdict; one that names no cell is an LSTM's, as before lstmfc had others.
func TestReportNamesTheCell(t *testing.T) {
	r := Report{Rows: 2, Model: "gru"}
	r.LSTM.RMSE, r.Naive.RMSE, r.LSTM.MASE, r.Naive.MASE = 1, 2, 0.5, 1
	r.Verdict = Verdict{Best: "naive", BestScores: r.Naive, DM: metrics.DM{P: 0.01}}
	var b strings.Builder
	if err := r.WriteText(&b, "Test span"); err != nil {
		t.Fatal(err)
	}
	if s := b.String(); !strings.Contains(s, "\n  gru ") || !strings.Contains(s, "The GRU beats the best baseline") || strings.Contains(s, "LSTM") {
		t.Errorf("a GRU's report:\n%s", s)
	}
	if got := (Report{}).ModelName(); got != "LSTM" {
		t.Errorf("no cell named: %q, want LSTM", got)
	}
}

// TestTableFrom: a table predicted from a row on leaves the rows before it
// unpredicted and unbanded, and the rest as Table has them; Score uses it
// to predict only the spans it reports.
func TestTableFrom(t *testing.T) {
	prices := []float64{4, 6, 5, 3, 6, 7, 4, 5, 8, 2}
	m := constModel(t, window.Encoding{Target: Price, Scale: scale.MinMax{Min: 0, Max: 10}}, 2, 0.5)
	m.Intervals = []Interval{{Level: 0.8, Radius: 1}}
	split := window.Split{N: 10, Lookback: 2, TrainEnd: 6, ValEnd: 8}
	whole, err := m.Table(context.Background(), prices, nil, &split, 0)
	if err != nil {
		t.Fatal(err)
	}
	part, err := m.table(context.Background(), prices, nil, &split, 0, 6)
	if err != nil {
		t.Fatal(err)
	}
	for i := range prices {
		want, lo := whole.Predicted[i], whole.Bands[0].Lo[i]
		if i < 6 {
			want, lo = math.NaN(), math.NaN()
		}
		if !same(part.Predicted[i], want) || !same(part.Bands[0].Lo[i], lo) {
			t.Errorf("row %d: predicted %v, band from %v; want %v and %v", i, part.Predicted[i], part.Bands[0].Lo[i], want, lo)
		}
	}
}

// trainScore fits prices under cfg and scores the fit's spans.
func trainScore(t *testing.T, prices []float64, cfg Config) (*Fit, SpanReports) {
	t.Helper()
	fit, err := Train(context.Background(), prices, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	spans, err := fit.Score(context.Background(), prices)
	if err != nil {
		t.Fatal(err)
	}
	return fit, spans
}

// TestScoreEveryStepOfTheTestSpan checks a fit's per-step score of its test
// span against forecasts made one origin at a time through Forecast and
// intervals sized by Band: every step's rows, the model's and the naive
// forecast's RMSE, and the coverage of each level, for both strategies.
// Step 1 of a direct model is the one-step report's prediction.
func TestScoreEveryStepOfTheTestSpan(t *testing.T) {
	const H = 4
	ctx := context.Background()
	prices := noisySine(300, 2)
	n := len(prices)
	vol := volatilities(prices)
	for _, s := range []Strategy{Direct, Recursive} {
		cfg := quick(window.Return)
		cfg.Epochs, cfg.Horizon, cfg.Strategy = 5, H, s
		fit, spans := trainScore(t, prices, cfg)
		lo, hi := fit.Split.Test()
		st := spans.Steps
		if st == nil || st.Horizon != H || st.Origins != hi-lo || len(st.PerStep) != H {
			t.Fatalf("%s: steps %+v; want %d steps from %d origins", s, st, H, hi-lo)
		}
		if len(fit.Intervals) != len(cfg.Levels) {
			t.Fatalf("%s: %d intervals, want %d", s, len(fit.Intervals), len(cfg.Levels))
		}
		// The intervals of the test span are issued online: the oracle
		// replays every forecast from the validation span's first origin.
		vlo, _ := fit.Split.Validation()
		fcs := make(map[int][]float64)
		var recs []forecastRecord
		for o := vlo; o < n; o++ {
			fc, err := fit.Forecast(ctx, prices[:o], H)
			if err != nil {
				t.Fatal(err)
			}
			fcs[o] = fc
			for k, v := range fc {
				recs = append(recs, forecastRecord{origin: o, step: k, pred: v, vol: vol[o], issued: o >= lo})
			}
		}
		radii := slowOnlineRadii(prices, recs, cfg.Levels)
		radius := func(o, k, i int) float64 { return radii[(o-vlo)*H+k][i] }
		for k := 1; k <= H; k++ {
			var actual, pred, naive []float64
			in := make([]int, len(cfg.Levels))
			for o := lo; o+k-1 < n; o++ {
				fc := fcs[o]
				a := prices[o+k-1]
				actual, pred, naive = append(actual, a), append(pred, fc[k-1]), append(naive, prices[o-1])
				for i := range cfg.Levels {
					if r := radius(o, k-1, i); fc[k-1]-r <= a && a <= fc[k-1]+r {
						in[i]++
					}
				}
			}
			got := st.PerStep[k-1]
			if got.Step != k || got.Rows != len(actual) || got.Rows != hi-lo-(k-1) {
				t.Errorf("%s step %d: step %d, %d rows; want %d", s, k, got.Step, got.Rows, len(actual))
			}
			if want := metrics.RMSE(actual, pred); !near(got.LSTM.RMSE, want) {
				t.Errorf("%s step %d: RMSE %v, want %v", s, k, got.LSTM.RMSE, want)
			}
			if want := metrics.RMSE(actual, naive); !near(got.Naive.RMSE, want) {
				t.Errorf("%s step %d: naive RMSE %v, want %v", s, k, got.Naive.RMSE, want)
			}
			for i, l := range cfg.Levels {
				if want := float64(in[i]) / float64(len(actual)); got.Coverage[levelKey(l)] != want {
					t.Errorf("%s step %d: %v coverage %v, want %v", s, k, l, got.Coverage[levelKey(l)], want)
				}
			}
		}
		if s == Direct && !near(st.PerStep[0].LSTM.RMSE, spans.Test.LSTM.RMSE) {
			t.Errorf("direct step 1 RMSE %v, one-step test RMSE %v", st.PerStep[0].LSTM.RMSE, spans.Test.LSTM.RMSE)
		}
	}
}

// TestScoreStepsOnlyWhereThereAreSome: a fit of one step has no per-step
// score, and a test span shorter than the horizon is scored to its length,
// the last step from its first origin only.
func TestScoreStepsOnlyWhereThereAreSome(t *testing.T) {
	prices := noisySine(120, 4)
	cfg := quick(window.Return)
	cfg.Epochs = 2
	if _, spans := trainScore(t, prices, cfg); spans.Steps != nil || spans.Test == nil {
		t.Fatalf("one step: steps %+v, test %v; want none, a test report", spans.Steps, spans.Test)
	}
	cfg.Horizon, cfg.TestSplit = 8, 0.05
	fit, spans := trainScore(t, prices, cfg)
	lo, hi := fit.Split.Test()
	if hi-lo >= 8 || hi-lo < 2 {
		t.Fatalf("test span of %d values; the test needs 2 to 7", hi-lo)
	}
	st := spans.Steps
	if st == nil || st.Horizon != hi-lo || st.PerStep[hi-lo-1].Rows != 1 {
		t.Fatalf("steps %+v; want %d steps, the last of one row", st, hi-lo)
	}
	var b bytes.Buffer
	if err := st.WriteText(&b, "LSTM"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "Forecasts 1 to "+strconv.Itoa(hi-lo)+" steps ahead") {
		t.Errorf("text:\n%s", b.String())
	}
}
