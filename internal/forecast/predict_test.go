package forecast

import (
	"context"
	"errors"
	"math"
	"slices"
	"testing"

	"github.com/lstmfc/lstmfc/internal/lstm"
	"github.com/lstmfc/lstmfc/internal/scale"
	"github.com/lstmfc/lstmfc/internal/window"
)

// TestForecastByHand feeds back a model whose output is fixed: the price
// target gives the same price every step, the delta target adds the same
// step, the return target multiplies by the same factor.
func TestForecastByHand(t *testing.T) {
	prices := []float64{3, 1, 4, 1, 5}
	for _, tc := range []struct {
		enc  window.Encoding
		y    float64
		want []float64
	}{
		{window.Encoding{Target: Price, Scale: scale.MinMax{Min: 2, Max: 6}}, 0.75, []float64{5, 5, 5}},
		{window.Encoding{Target: Delta, Scale: scale.MinMax{Min: 1, Max: 3}}, -0.25, []float64{4.5, 4, 3.5}},
		{window.Encoding{Target: Return, ReturnScale: math.Ln2}, 1, []float64{10, 20, 40}},
	} {
		m := constModel(t, tc.enc, 4, tc.y)
		got, err := m.Forecast(context.Background(), prices, 3)
		if err != nil || !slices.EqualFunc(got, tc.want, near) {
			t.Errorf("%s: forecast %v (%v), want %v", tc.enc.Target, got, err, tc.want)
		}
	}
	m := constModel(t, window.Encoding{Target: Price, Scale: scale.MinMax{Min: 0, Max: 1}}, 5, 0)
	if _, err := m.Forecast(context.Background(), prices, 1); err == nil || err.Error() != "need at least 6 values to forecast with lookback 5, got 5" {
		t.Errorf("too few values: error %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	m.Lookback = 4
	if _, err := m.Forecast(ctx, prices, 1); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: error %v", err)
	}
	if got, err := m.Forecast(ctx, prices, 0); err != nil || len(got) != 0 {
		t.Errorf("no horizon: %v, %v", got, err)
	}
}

// slowOneStep predicts each value of prices from the window before it, one
// window at a time, as Encoding and lstm document them.
// mustOneStep is m.OneStep, which a test never cancels.
func mustOneStep(t *testing.T, m interface {
	OneStep(context.Context, []float64) ([]float64, error)
}, prices []float64) []float64 {
	t.Helper()
	p, err := m.OneStep(context.Background(), prices)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func slowOneStep(m *Model, prices []float64) []float64 {
	z := m.Enc.Encode(prices)
	out := nanSlice(len(prices))
	for t := m.Lookback; t < len(prices); t++ {
		x := slices.Clone(z[t-m.Lookback : t])
		if m.Enc.Target == Delta {
			for k := range x {
				x[k] -= z[t-1]
			}
		}
		out[t] = m.Enc.Next(prices[t-1], m.Net.Predict(x, m.Lookback)[0])
	}
	return out
}

// TestOneStepAndForecastMatchSlowWindows checks the batched one-step
// predictions of a network with random weights against slowOneStep, and
// each forecast step against slowOneStep of the series extended by the
// steps before it.
func TestOneStepAndForecastMatchSlowWindows(t *testing.T) {
	prices := noisySine(300, 8) // more windows than one batch
	for _, enc := range []window.Encoding{
		{Target: Price, Scale: scale.MinMax{Min: 90, Max: 110}},
		{Target: Delta, Scale: scale.MinMax{Min: 90, Max: 91}},
		{Target: Return, ReturnScale: 0.01},
	} {
		net, err := lstm.New(1, []int{3, 2})
		if err != nil {
			t.Fatal(err)
		}
		net.InitKeras(5)
		m := &Model{Net: net, Enc: enc, Lookback: 7}
		got, want := mustOneStep(t, m, prices), slowOneStep(m, prices)
		if !slices.EqualFunc(got, want, close9) {
			t.Errorf("%s: one-step predictions differ from window-by-window ones", enc.Target)
		}
		fc, err := m.Forecast(context.Background(), prices, 4)
		if err != nil {
			t.Fatal(err)
		}
		ext := slices.Clone(prices)
		for h, p := range fc {
			want := slowOneStep(m, append(ext, 0))[len(ext)]
			if !close9(p, want) {
				t.Errorf("%s: forecast step %d is %v, want %v", enc.Target, h+1, p, want)
			}
			ext = append(ext, want)
		}
	}
}

func close9(a, b float64) bool {
	return same(a, b) || math.Abs(a-b) <= 1e-9*math.Max(math.Abs(a), math.Abs(b))
}

// TestTrainEncodingSeesTrainingOnly: the fitted encoding is the one of the
// training values alone, with the scaler Config asks for.
func TestTrainEncodingSeesTrainingOnly(t *testing.T) {
	prices := noisySine(200, 3)
	prices[190] = 500 // in the test span: no scaler may see it
	for _, tc := range []struct {
		target   Target
		standard bool
		scaler   window.Scaler
	}{{Price, false, window.MinMax}, {Price, true, window.ZScore}, {Delta, false, window.MinMax}, {Return, false, window.MinMax}} {
		cfg := tiny(tc.target)
		cfg.Standard = tc.standard
		fit, err := Train(context.Background(), prices, cfg, nil)
		if err != nil {
			t.Fatal(err)
		}
		want, err := window.FitScaled(tc.target, tc.scaler, prices[:fit.Split.TrainEnd])
		if err != nil || fit.Enc != want || fit.Lookback != 3 || fit.Split.TrainEnd != 130 || fit.Split.ValEnd != 180 {
			t.Errorf("%s standard=%v: encoding %+v, lookback %d, split %+v; want %+v (%v)", tc.target, tc.standard, fit.Enc, fit.Lookback, fit.Split, want, err)
		}
	}
}

// TestTrainRefusesValidationItCannotEncode: a return fit needs positive
// validation prices to size its intervals.
func TestTrainRefusesValidationItCannotEncode(t *testing.T) {
	prices := noisySine(200, 3)
	prices[150] = 0
	if _, err := Train(context.Background(), prices, tiny(Return), nil); err == nil {
		t.Error("a return fit with a price of 0 in its validation span: no error")
	}
	prices[150] = 100
	prices[10] = math.NaN()
	if _, err := Train(context.Background(), prices, tiny(Price), nil); err == nil {
		t.Error("a fit with NaN among its training values: no error")
	}
}

// TestShortSeries: a series no longer than the lookback has no one-step
// prediction, and cannot be forecast or tabled.
func TestShortSeries(t *testing.T) {
	m := constModel(t, window.Encoding{Target: Price, Scale: scale.MinMax{Min: 0, Max: 1}}, 3, 0.5)
	for n := range 5 {
		got := mustOneStep(t, m, make([]float64, n))
		if n == 4 && got[3] != 0.5 || n < 4 && slices.ContainsFunc(got, func(v float64) bool { return !math.IsNaN(v) }) || len(got) != n {
			t.Errorf("OneStep of %d values: %v", n, got)
		}
	}
	if _, err := m.Table(context.Background(), []float64{1, 2, 3}, nil, nil, 1); err == nil || err.Error() != "need at least 4 values to forecast with lookback 3, got 3" {
		t.Errorf("a table of 3 values with lookback 3: error %v", err)
	}
}

// TestTrainDiverges: a learning rate far too high stops the fit with
// ErrDiverged, and the fit is still returned for saving.
func TestTrainDiverges(t *testing.T) {
	cfg := tiny(Price)
	cfg.LR, cfg.Epochs = 1e300, 3
	fit, err := Train(context.Background(), noisySine(200, 1), cfg, nil)
	if !errors.Is(err, ErrDiverged) || fit == nil || fit.Net == nil || fit.Intervals != nil {
		t.Errorf("error %v, fit %+v; want ErrDiverged and the fit so far, without intervals", err, fit)
	}
}
