package forecast

import (
	"context"
	"errors"
	"maps"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/lstmfc/lstmfc/internal/scale"
	"github.com/lstmfc/lstmfc/internal/series"
	"github.com/lstmfc/lstmfc/internal/window"
)

// meaningFit trains a small model on a dated series and returns it with
// the metadata Save writes for it.
func meaningFit(t *testing.T, target window.Target) (*Fit, *series.Series, map[string]string) {
	t.Helper()
	cfg := quick(target)
	cfg.Epochs = 1
	prices := noisySine(200, 9)
	fit, err := Train(context.Background(), prices, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	s := &series.Series{Source: "s.csv", Values: prices,
		Dates: series.BusinessDays(time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), len(prices))}
	meta, err := fit.meta(s)
	if err != nil {
		t.Fatal(err)
	}
	return fit, s, meta
}

// TestMetadataMeaning changes one key of a model file lstmfc wrote at a
// time to a value of the right form but no possible meaning: each is
// refused with one line naming the key.
func TestMetadataMeaning(t *testing.T) {
	fit, s, ok := meaningFit(t, window.Return)
	if _, err := decodeMeta(fit.Net, ok, "m.bin"); err != nil {
		t.Fatalf("the file as written: %v", err)
	}
	n := len(s.Values)
	for _, tc := range []struct {
		key, value string // value "" deletes the key
		say        string
	}{
		{"dates", `["2020-01-02","2020-01-01"` + strings.Repeat(`,"2021-01-01"`, n-2) + `]`, `"dates"`},
		{"dates", `["2020-01-01","2020-01-01"` + strings.Repeat(`,"2021-01-01"`, n-2) + `]`, `"dates"`},
		{"intervals", "0.8:+Inf,0.95:2", `"intervals"`},
		{"intervals", "0.8:-1,0.95:2", `"intervals"`},
		{"intervals", "0.8:-1,0.95:2", `"intervals"`},
		{"intervals", "0.8:NaN", `"intervals"`},
		{"intervals", "0.8:1,0.8:2", `"intervals"`},
		{"intervals", "1:1", `"intervals"`},
		{"train_end", "16", `"train_end"`}, // the lookback: no training window
		{"train_end", "0", `"train_end"`},
		{"train_end", "x", `"train_end"`},
		{"val_end", "201", `"val_end"`},
		{"val_end", "100", `"val_end"`}, // before train_end
		{"target", "parget", `"target"`},
		{"target_scale", "1e308", `"target_scale"`},
		{"target_scale", "0", `"target_scale"`},
		{"target_scale", "-0.01", `"target_scale"`},
		{"target_scale", "Inf", `"target_scale"`},
		{"lookback", "9223372036854775807", `"lookback"`},
		{"lookback", "5001", `"lookback"`},
		{"lookback", "200", `"train_end"`}, // past the series: no split holds a window
		{"series", "[1e999]", `"series"`},
		{"series", "[1,-2,3]", `"series"`}, // a return target takes positive prices only
		{"series", "", `"series"`},         // a damaged key name drops it
		{"target", "", `"target"`},
		{"best_epoch", "x", `"best_epoch"`},
		{"best_epoch", "-1", `"best_epoch"`},
		{"scaler_max", "1e308", `"scaler_max"`}, // with scaler_min -1e308, below
		{"drift", "0.1:x", `"drift"`},
		{"drift", "NaN", `"drift"`},
		{"drift", "1e999", `"drift"`},
		{"drift", "0.01:-11", `"drift"`},                                      // a log return of -11 per step: damage
		{"drift", "1", `"drift"`},                                             // 10 typical steps at most: target_scale is about 0.01 here
		{"drift", "0.0001:0.0002", `"drift" holds 2 steps and "intervals" 1`}, // one per step
		{"drift", strings.Repeat("0:", MaxHorizonOutputs) + "0", `"drift"`},
		{"skill_t", "high", `"skill_t"`},
		{"drift", "", `"drift"`}, // written together
		{"skill_t", "", `"skill_t"`},
	} {
		meta := maps.Clone(ok)
		if tc.value == "" {
			delete(meta, tc.key)
		} else {
			meta[tc.key] = tc.value
		}
		if tc.key == "series" {
			delete(meta, "dates") // which would no longer match in number
		}
		if tc.key == "scaler_max" {
			meta["scaler_min"] = "-1e308" // max − min overflows
		}
		_, err := decodeMeta(fit.Net, meta, "m.bin")
		if err == nil {
			t.Errorf("%s=%q accepted", tc.key, tc.value)
			continue
		}
		if msg := err.Error(); !strings.Contains(msg, tc.say) || strings.Contains(msg, "\n") {
			t.Errorf("%s=%q: error %q, want one line naming %s", tc.key, tc.value, msg, tc.say)
		}
	}
}

// TestMetadataMeaningKeepsGoodFiles checks that every target and a file
// without dates or intervals still load, with the split as written.
func TestMetadataMeaningKeepsGoodFiles(t *testing.T) {
	for _, target := range []window.Target{window.Price, window.Return, window.Delta} {
		fit, _, meta := meaningFit(t, target)
		delete(meta, "dates")
		delete(meta, "intervals")
		delete(meta, "interval_kind")
		sv, err := decodeMeta(fit.Net, meta, "m.bin")
		if err != nil {
			t.Fatalf("%s: %v", target, err)
		}
		if sv.Split != fit.Split || sv.BestEpoch != fit.Result.BestEpoch || sv.Unfinished != "" {
			t.Errorf("%s: split %+v best epoch %d, want %+v and %d", target, sv.Split, sv.BestEpoch, fit.Split, fit.Result.BestEpoch)
		}
	}
}

func TestLimits(t *testing.T) {
	base := quick(window.Return)
	for _, tc := range []struct {
		change func(*Config)
		field  string
	}{
		{func(c *Config) { c.Lookback = math.MaxInt }, "Lookback"},
		{func(c *Config) { c.Lookback = MaxLookback + 1 }, "Lookback"},
		{func(c *Config) { c.Units = []int{1_000_000_000} }, "Units"},
		{func(c *Config) { c.Units = []int{8, MaxUnits + 1} }, "Units"},
		{func(c *Config) { c.Units = make([]int, MaxLayers+1) }, "Units"},
	} {
		cfg := base
		tc.change(&cfg)
		var fe *FieldError
		if err := cfg.Validate(); !errors.As(err, &fe) || fe.Field != tc.field {
			t.Errorf("%+v: error %v, want one about %s", cfg, err, tc.field)
		}
	}
	at := base
	at.Lookback, at.Units = MaxLookback, []int{MaxUnits}
	if err := at.Validate(); err != nil {
		t.Errorf("at the limits: %v", err)
	}
	// Within each limit, but together far beyond memory: refused before
	// any allocation.
	big := base
	big.Lookback, big.Units, big.BatchSize = 5000, []int{1024, 1024}, 1024
	var fe *FieldError
	if _, _, _, err := big.Resolve(make([]float64, 20_000)); !errors.As(err, &fe) || fe.Field != "BatchSize" || !strings.Contains(err.Error(), "GiB") {
		t.Errorf("lookback 5000, units 1024,1024, batch 1024: %v", err)
	}
	fit, _, _ := meaningFit(t, window.Return)
	for _, h := range []int{math.MaxInt, MaxHorizon + 1, -1} {
		if _, err := fit.Forecast(context.Background(), noisySine(100, 1), h); err == nil || !strings.Contains(err.Error(), "horizon") {
			t.Errorf("horizon %d: %v", h, err)
		}
	}
	if fc, err := fit.Forecast(context.Background(), noisySine(100, 1), MaxHorizon); err != nil || len(fc) != MaxHorizon {
		t.Errorf("horizon %d: %d steps, %v", MaxHorizon, len(fc), err)
	}
}

// TestOverflowIsNotDivergence: predictions that overflow on a loaded model
// or past its range are not blamed on the learning rate, and a price
// beyond MaxPrice in the training data is called out of range.
func TestOverflowIsNotDivergence(t *testing.T) {
	fit, _, _ := meaningFit(t, window.Price)
	m := *fit.Model
	m.Net = fit.Net.Clone()
	m.Net.DenseB[0] = 1e308 // a damaged weight
	m.Moves = nil           // the network's own predictions
	_, err := m.Table(context.Background(), noisySine(100, 1), nil, nil, 5)
	if err == nil || errors.Is(err, ErrDiverged) || !strings.Contains(err.Error(), "overflow at row") {
		t.Errorf("overflowing predictions: %v", err)
	}
	prices := noisySine(200, 2)
	prices[150] = 1e300
	_, err = Train(context.Background(), prices, quick(window.Price), nil)
	if err == nil || errors.Is(err, ErrDiverged) || !strings.Contains(err.Error(), "value 151 is 1e+300, out of the range") {
		t.Errorf("a price of 1e300: %v", err)
	}
}

func TestRangeWarning(t *testing.T) {
	sv := &Saved{Model: &Model{Enc: window.Encoding{Target: window.Price, Scale: scaleOf(44, 189)}}}
	for _, tc := range []struct {
		prices []float64
		warn   bool
	}{
		{[]float64{44, 100, 189}, false},
		{[]float64{44 - 72, 189 + 72}, false}, // within half the range (145 / 2 = 72.5)
		{[]float64{100, 2874}, true},
		{[]float64{100, -30}, true},
	} {
		w := sv.RangeWarning(tc.prices)
		if (w != "") != tc.warn || strings.Contains(w, "\n") {
			t.Errorf("%v: warning %q", tc.prices, w)
		}
	}
	if w := sv.RangeWarning([]float64{2874}); !strings.Contains(w, "price 1 is 2874") || !strings.Contains(w, "50%") {
		t.Errorf("warning %q does not say which price and the margin", w)
	}
	sv.Enc.Target = window.Return
	if w := sv.RangeWarning([]float64{2874}); w != "" {
		t.Errorf("return target warned: %q", w)
	}
}

func TestSpansOfGivenData(t *testing.T) {
	_, s, meta := meaningFit(t, window.Return)
	fit, _, _ := meaningFit(t, window.Return)
	sv, err := decodeMeta(fit.Net, meta, "m.bin")
	if err != nil {
		t.Fatal(err)
	}
	// Dated: the last 30 stored values and 10 new ones, matched by date.
	given := &series.Series{Values: append(append([]float64(nil), s.Values[170:]...), noisySine(10, 3)...),
		Dates: append(append([]time.Time(nil), s.Dates[170:]...), series.BusinessDays(s.Dates[199], 10)...)}
	spans := sv.Spans(given)
	for i, sp := range spans {
		want := SpanData
		if i < 30 {
			want = spanOf(&sv.Split, 170+i)
		}
		if sp != want {
			t.Fatalf("dated row %d: %s, want %s", i, sp, want)
		}
	}
	if spans[29] != SpanTest || spans[0] == SpanData {
		t.Fatalf("spans %v", spans)
	}
	// Undated: only a file starting with exactly the stored values.
	sv.Series.Dates = nil
	undated := &series.Series{Values: append(append([]float64(nil), s.Values...), 1, 2)}
	spans = sv.Spans(undated)
	if spans[0] != SpanTrain || spans[199] != SpanTest || spans[200] != SpanData {
		t.Errorf("undated: %v", spans)
	}
	undated.Values[5]++
	for i, sp := range sv.Spans(undated) {
		if sp != SpanData {
			t.Fatalf("undated, one value changed: row %d is %s", i, sp)
		}
	}
}

func TestCheckFinished(t *testing.T) {
	for _, tc := range []struct {
		best       int
		unfinished string
		warn, err  bool
	}{
		{0, "interrupted by SIGINT", false, true},
		{0, "", false, true},
		{3, "interrupted by SIGINT", true, false},
		{3, "", false, false},
		{-1, "", false, false}, // a PyTorch export does not say
	} {
		w, err := (&Saved{BestEpoch: tc.best, Unfinished: tc.unfinished}).CheckFinished()
		if (w != "") != tc.warn || (err != nil) != tc.err {
			t.Errorf("best epoch %d, %q: warning %q, error %v", tc.best, tc.unfinished, w, err)
		}
		if err != nil && !strings.Contains(err.Error(), "initial weights") {
			t.Errorf("error %q does not say why", err)
		}
	}
}

// TestOneStepNoticesCancel: a cancelled context stops one-step prediction
// between chunks, long before the series ends.
func TestOneStepNoticesCancel(t *testing.T) {
	fit, _, _ := meaningFit(t, window.Return)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := fit.OneStep(ctx, noisySine(100_000, 4)); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
	if _, err := fit.Table(ctx, noisySine(100_000, 4), nil, nil, 0); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled table: %v", err)
	}
}

func scaleOf(lo, hi float64) scale.MinMax { return scale.MinMax{Min: lo, Max: hi} }
