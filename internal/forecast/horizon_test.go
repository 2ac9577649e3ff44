package forecast

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/gonum/floats/scalar"

	"github.com/lstmfc/lstmfc/internal/lstm"
	"github.com/lstmfc/lstmfc/internal/metrics"
	"github.com/lstmfc/lstmfc/internal/scale"
	"github.com/lstmfc/lstmfc/internal/series"
)

// exportModel returns a model file as PyTorch's export writes it, with only
// the required metadata keys, of an LSTM whose dense head has outputs rows,
// read back through the model file codec.
func exportModel(t *testing.T, lookback, outputs int) *Saved {
	t.Helper()
	net, err := lstm.NewCell(lstm.LSTM, 1, []int{4}, outputs)
	if err != nil {
		t.Fatal(err)
	}
	net.InitKeras(7)
	for i := range net.DenseB {
		net.DenseB[i] = 0.1 * float64(i) // distinct steps, so that a swap shows
	}
	var b bytes.Buffer
	meta := map[string]string{"lookback": fmt.Sprint(lookback), "scaler_min": "90", "scaler_max": "110"}
	if err := lstm.Encode(&b, net, meta); err != nil {
		t.Fatal(err)
	}
	sv, err := decode(b.Bytes(), "export.safetensors")
	if err != nil {
		t.Fatal(err)
	}
	return sv
}

// byHand returns the network's outputs, as prices, for the window of the
// last lookback values of prices, scaled by sc.
func byHand(net *lstm.Model, sc scale.MinMax, prices []float64, lookback int) []float64 {
	x := make([]float64, lookback)
	for i, p := range prices[len(prices)-lookback:] {
		x[i] = sc.Transform(p)
	}
	y := net.Predict(x, lookback)
	for k := range y {
		y[k] = sc.Inverse(y[k])
	}
	return y
}

// TestExportOfHOutputs: a PyTorch export of H outputs predicts each value of
// a series with output 1 and forecasts steps 1..H with outputs 1..H of the
// last window, inverse-scaled; a longer horizon chains a second block from
// the window that ends with the first block's forecasts, and the recursive
// strategy feeds output 1 back.
func TestExportOfHOutputs(t *testing.T) {
	const lookback, H = 5, 3
	sv := exportModel(t, lookback, H)
	if sv.Horizon() != H || sv.Strategy != Direct {
		t.Fatalf("horizon %d, strategy %q; want %d, direct", sv.Horizon(), sv.Strategy, H)
	}
	prices := noisySine(40, 3)
	n := len(prices)
	tb, err := sv.Table(context.Background(), prices, nil, nil, H+2)
	if err != nil {
		t.Fatal(err)
	}
	sc := sv.Enc.Scale
	for i := lookback; i < n; i++ {
		if want := byHand(sv.Net, sc, prices[:i], lookback)[0]; !near(tb.Predicted[i], want) {
			t.Errorf("row %d: predicted %v, want output 1 %v", i, tb.Predicted[i], want)
		}
	}
	first := byHand(sv.Net, sc, prices, lookback)
	second := byHand(sv.Net, sc, append(append([]float64{}, prices...), first...), lookback)
	want := append(first, second[:2]...)
	for k, w := range want {
		if got := tb.Predicted[n+k]; !near(got, w) {
			t.Errorf("forecast step %d: %v, want %v", k+1, got, w)
		}
	}
	sv.Strategy = Recursive
	fc, err := sv.Forecast(context.Background(), prices, 3)
	if err != nil {
		t.Fatal(err)
	}
	ext := append([]float64{}, prices...)
	for k := range 3 {
		ext = append(ext, byHand(sv.Net, sc, ext, lookback)[0])
		if !near(fc[k], ext[n+k]) {
			t.Errorf("recursive step %d: %v, want %v", k+1, fc[k], ext[n+k])
		}
	}
}

// ar1Returns returns n positive prices whose log returns are an AR(1) with
// coefficient phi and innovations of standard deviation 0.01: not a random
// walk, so a model can beat the last price at every step.
func ar1Returns(n int, phi float64, seed uint64) []float64 {
	r := rand.New(rand.NewPCG(seed, 9))
	p := make([]float64, n)
	p[0] = 100
	ret := 0.0
	for i := 1; i < n; i++ {
		ret = phi*ret + 0.01*r.NormFloat64()
		p[i] = p[i-1] * math.Exp(ret)
	}
	return p
}

// TestDirectBeatsNaiveAndCovers trains direct models on series that are not
// random walks, an AR(1) of returns (phi 0.5) and a noisy sine, and scores
// their forecasts from every origin of the held-out test span at every step:
// each step's RMSE must be below that of the last price, and each step's
// 80% and 95% intervals, sized online from the validation span on, must
// cover within 5 points of their level.
func TestDirectBeatsNaiveAndCovers(t *testing.T) {
	if testing.Short() {
		t.Skip("trains two models")
	}
	const H = 5
	for _, tc := range []struct {
		name     string
		prices   []float64
		target   Target
		strategy Strategy
	}{
		{"ar1", ar1Returns(3000, 0.5, 1), Return, Direct},
		{"sine", noisySine(3000, 2), Delta, Direct},
		{"ar1 recursive", ar1Returns(3000, 0.5, 1), Return, Recursive},
		{"sine recursive", noisySine(3000, 2), Delta, Recursive},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := quick(tc.target)
			cfg.Lookback, cfg.Units, cfg.Epochs, cfg.BatchSize = 10, []int{16}, 20, 32
			cfg.ValSplit, cfg.TestSplit, cfg.Horizon, cfg.Strategy = 0.3, 0.3, H, tc.strategy
			fit, err := Train(context.Background(), tc.prices, cfg, nil)
			if err != nil {
				t.Fatal(err)
			}
			perPass := 1
			if tc.strategy == Direct {
				perPass = H
			}
			if fit.Moves == nil || !fit.Moves.Skilled() {
				t.Fatalf("moves %+v: the network shows no skill on a series it can forecast", fit.Moves)
			}
			if fit.Horizon() != perPass || len(fit.Intervals) != 2 || len(fit.Intervals[0].Radii) != H {
				t.Fatalf("horizon %d, intervals %v; want %d outputs and 2 levels of %d steps", fit.Horizon(), fit.Intervals, H, H)
			}
			spans, err := fit.Score(context.Background(), tc.prices) // the test span's intervals, issued online
			if err != nil {
				t.Fatal(err)
			}
			lo, hi := fit.Split.Test()
			paths, err := fit.paths(context.Background(), tc.prices, lo, hi-H+1, H)
			if err != nil {
				t.Fatal(err)
			}
			vol := volatilities(tc.prices)
			worstRootH := 0.0 // how far the old √h widening of step 1's radius misses
			for k, p := range paths {
				actual, naive := tc.prices[lo+k:lo+k+len(p)], tc.prices[lo-1:lo-1+len(p)]
				model, last := metrics.RMSE(actual, p), metrics.RMSE(actual, naive)
				if !(model < last) {
					t.Errorf("step %d: RMSE %.5g, not below the last price's %.5g", k+1, model, last)
				}
				for _, iv := range fit.Intervals {
					if cov := spans.Steps.PerStep[k].Coverage[levelKey(iv.Level)]; math.Abs(cov-iv.Level) > 0.05 {
						t.Errorf("step %d: the %v interval covers %.3f", k+1, iv.Level, cov)
					}
					sq := 0
					for i, pred := range p {
						r := iv.Radius * vol[lo+i] * math.Sqrt(float64(k+1))
						if math.Abs(actual[i]-pred) <= r {
							sq++
						}
					}
					worstRootH = max(worstRootH, math.Abs(float64(sq)/float64(len(p))-iv.Level))
				}
				t.Logf("step %d: RMSE/naive %.3f", k+1, model/last)
			}
			// The test can tell: on these series the √h rule misses.
			if worstRootH <= 0.05 {
				t.Errorf("the √h widening of step 1's radius covers within %.3f of every level; the series do not test per-step radii", worstRootH)
			}
		})
	}
}

// TestBandPerStep: a measured step uses its own radius; past the last
// measured step K the radius grows from step K's by √(h/K).
func TestBandPerStep(t *testing.T) {
	iv := ivl(0.8, 1, 3, 4)
	for _, tc := range []struct {
		h      int
		lo, hi float64
	}{
		{1, 8, 12},   // 1·2
		{2, 4, 16},   // 3·2, not 1·2·√2
		{3, 2, 18},   // 4·2
		{12, -6, 26}, // 4·2·√(12/3) = 16
	} {
		if lo, hi := iv.Band(2, 10, tc.h); lo != tc.lo || hi != tc.hi {
			t.Errorf("step %d: [%v, %v], want [%v, %v]", tc.h, lo, hi, tc.lo, tc.hi)
		}
	}
}

// TestSaveLoadHorizon: a direct model of 3 steps and a recursive one
// calibrated for 3 come back from their files with their strategy, their
// radii of every step and the same forecasts.
func TestSaveLoadHorizon(t *testing.T) {
	prices := noisySine(300, 4)
	s := &series.Series{Source: "sine", Values: prices}
	for _, strategy := range []Strategy{Direct, Recursive} {
		cfg := quick(Delta)
		cfg.Epochs, cfg.Horizon, cfg.Strategy = 3, 3, strategy
		cfg.Levels = []float64{0.5, 0.8}
		fit, err := Train(context.Background(), prices, cfg, nil)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(t.TempDir(), "m.bin")
		if err := fit.Save(context.Background(), path, s, nil); err != nil {
			t.Fatal(err)
		}
		meta := readMeta(t, path)
		if meta["strategy"] != string(strategy) || meta["horizon"] != fmt.Sprint(fit.Net.Outputs()) || strings.Count(meta["intervals"], ":") != 6 {
			t.Errorf("%s: metadata strategy %q, horizon %q, intervals %q", strategy, meta["strategy"], meta["horizon"], meta["intervals"])
		}
		got, err := Load(context.Background(), path)
		if err != nil {
			t.Fatal(err)
		}
		if got.Strategy != strategy || got.Horizon() != fit.Horizon() || !sameIntervals(got.Intervals, fit.Intervals) || len(got.Intervals[0].Radii) != 3 {
			t.Errorf("%s: loaded %q, horizon %d, intervals %v; want %v", strategy, got.Strategy, got.Horizon(), got.Intervals, fit.Intervals)
		}
		want, _ := fit.Forecast(context.Background(), prices, 7)
		fc, err := got.Forecast(context.Background(), prices, 7)
		if err != nil || !slices.Equal(fc, want) {
			t.Errorf("%s: loaded model forecasts %v (%v), want %v", strategy, fc, err, want)
		}
	}
	for _, tc := range []struct{ intervals, msg string }{
		{"0.8:1:2:3", ""},
		{"0.8:1:x", "malformed entry"},
		{"0.8", "malformed entry"},
		{"0.8:1:-1", "the radius must be finite and not negative"},
		{"0.8:" + strings.Repeat("1:", MaxHorizonOutputs) + "1", "radii of 251 steps"},
	} {
		ivs, err := decodeIntervals(map[string]string{"intervals": tc.intervals, "interval_kind": intervalKind})
		switch {
		case tc.msg == "" && (err != nil || !sameIntervals(ivs, []Interval{ivl(0.8, 1, 2, 3)})):
			t.Errorf("%q: %v, %v", tc.intervals, ivs, err)
		case tc.msg != "" && (err == nil || !strings.Contains(err.Error(), tc.msg)):
			t.Errorf("%q: error %v, want %q", tc.intervals, err, tc.msg)
		}
	}
}

// TestDirectLossByHand: the validation loss a direct fit reports for its
// best epoch is the mean, over every validation window whose H steps lie in
// the span and over every output, of the squared difference between the
// network's outputs and the cumulative targets written out from the prices
// (the engine's MSE, PyTorch's MSELoss over B×H), for each target.
func TestDirectLossByHand(t *testing.T) {
	const H = 4
	prices := ar1Returns(400, 0.5, 5)
	for _, target := range []Target{Price, Return, Delta} {
		cfg := quick(target)
		cfg.Epochs, cfg.Horizon = 3, H
		fit, err := Train(context.Background(), prices, cfg, nil)
		if err != nil {
			t.Fatal(err)
		}
		L, enc := fit.Lookback, fit.Enc
		z := enc.Encode(prices)
		lo, hi := fit.Split.Validation()
		var sum float64
		n := 0
		for t0 := lo; t0+H <= hi; t0++ {
			w := enc.Windows(z, L, t0, t0+1)
			x := make([]float64, L)
			w.Sample(0, x)
			y := fit.Net.Predict(x, L)
			for k := range H {
				var want float64
				switch target {
				case Price:
					want = enc.Scale.Transform(prices[t0+k])
				case Return:
					want = math.Log(prices[t0+k]/prices[t0-1]) / enc.ReturnScale
				case Delta:
					want = (prices[t0+k] - prices[t0-1]) / (enc.Scale.Max - enc.Scale.Min)
				}
				sum += (y[k] - want) * (y[k] - want)
				n++
			}
		}
		got := fit.Result.BestValLoss
		if want := sum / float64(n); !scalar.EqualWithinRel(got, want, 1e-9) || n != (hi-lo-H+1)*H {
			t.Errorf("%s: validation loss %.15g over %d terms, want %.15g", target, got, n, want)
		}
	}
}
