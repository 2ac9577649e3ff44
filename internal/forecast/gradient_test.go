package forecast

import (
	"context"
	"math"
	"slices"
	"testing"

	"github.com/lstmfc/lstmfc/internal/window"
)

// TestLagGradient checks LagGradient against the engine's gradient of each
// window, drawn here by hand: lag 1 is the window's last value, and the
// mean runs over every window of the series.
func TestLagGradient(t *testing.T) {
	cfg := quick(window.Return)
	cfg.Epochs = 2
	cfg.Cell = "gru"
	prices := noisySine(150, 3)
	fit, err := Train(context.Background(), prices, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := fit.LagGradient(context.Background(), prices)
	if err != nil {
		t.Fatal(err)
	}
	T := fit.Lookback
	w := fit.Enc.Windows(fit.Enc.Encode(prices), T, T, len(prices))
	x := make([]float64, w.Len()*T)
	for i := range w.Len() {
		w.Sample(i, x[i*T:(i+1)*T])
	}
	dx, err := fit.Net.InputGradient(x, T)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != T {
		t.Fatalf("%d lags, want %d", len(got), T)
	}
	for k := 1; k <= T; k++ {
		want := 0.0
		for i := range w.Len() {
			want += math.Abs(dx[i*T+T-k])
		}
		want /= float64(w.Len())
		if math.Abs(got[k-1]-want) > 1e-12*want || want == 0 {
			t.Errorf("lag %d: %g, want %g (non-zero)", k, got[k-1], want)
		}
	}
	if _, err := fit.LagGradient(context.Background(), prices[:T]); err == nil {
		t.Error("a series no longer than the lookback: no error")
	}
}

// TestInitialIsWhereTrainingStarts: a fit whose learning rate is too small
// to move any non-zero weight ends where it started, which must be
// Initial's weights for its seed, bit for bit but for the zero biases,
// which the steps move by about 1e-300; another seed starts elsewhere.
func TestInitialIsWhereTrainingStarts(t *testing.T) {
	for _, cell := range Cells() {
		cfg := quick(window.Return)
		cfg.Cell, cfg.Epochs, cfg.LR, cfg.Seed = cell, 1, 1e-300, 7
		fit, err := Train(context.Background(), noisySine(120, 1), cfg, nil)
		if err != nil {
			t.Fatal(err)
		}
		init, err := fit.Initial(7)
		if err != nil {
			t.Fatal(err)
		}
		moved := false
		for i, v := range init.Net.Data {
			if d := fit.Net.Data[i]; d != v && !(v == 0 && math.Abs(d) < 1e-290) {
				moved = true
			}
		}
		if init.Net.Cell != fit.Net.Cell || moved || init.Lookback != fit.Lookback || init.Enc != fit.Enc {
			t.Errorf("%s: Initial(7) is not the model training started from", cell)
		}
		other, err := fit.Initial(8)
		if err != nil {
			t.Fatal(err)
		}
		if slices.Equal(other.Net.Data, fit.Net.Data) {
			t.Errorf("%s: Initial(8) gave seed 7's weights", cell)
		}
	}
}
