package forecast

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/lstmfc/lstmfc/internal/lstm"
	"github.com/lstmfc/lstmfc/internal/scale"
	"github.com/lstmfc/lstmfc/internal/series"
	"github.com/lstmfc/lstmfc/internal/window"
)

// readMeta returns the metadata of the model file at path as lstm reads it.
func readMeta(t *testing.T, path string) map[string]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	_, meta, err := lstm.Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	return meta
}

// TestSaveWritesEveryKey checks each metadata value of a saved fit
// against the fit, written out by hand.
func TestSaveWritesEveryKey(t *testing.T) {
	fit := &Fit{
		Model: constModel(t, window.Encoding{Target: Return, Scale: scale.MinMax{Min: 0.5, Max: 4}, ReturnScale: 0.125}, 2, 0),
		Config: Config{Lookback: 2, Units: []int{2, 3}, Target: Return, Epochs: 4, BatchSize: 8, LR: 0.01,
			Seed: 9, ValSplit: 0.25, TestSplit: 0.25, Levels: []float64{0.5, 0.9}},
		Split:  window.Split{N: 4, Lookback: 2, TrainEnd: 3, ValEnd: 4},
		Result: lstm.TrainResult{BestEpoch: 3},
	}
	fit.Intervals = []Interval{{Level: 0.5, Radius: 1.25}, {Level: 0.9, Radius: 3}}
	s := &series.Series{Source: "in.csv", Column: "Close", Values: []float64{0.5, 4, 1.5, 2},
		Dates: series.BusinessDays(time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC), 4)}
	path := filepath.Join(t.TempDir(), "m.bin")
	if err := fit.Save(context.Background(), path, s, errors.New("interrupted\n  at  epoch 4")); err != nil {
		t.Fatal(err)
	}
	got := readMeta(t, path)
	config, _ := json.Marshal(fit.Config)
	want := map[string]string{
		lstm.MetaFormat: lstm.Format, // the codec's own key
		"lookback":      "2",
		"scaler_min":    "0.5",
		"scaler_max":    "4",
		"target":        "return",
		"target_scale":  "0.125",
		"intervals":     "0.5:1.25,0.9:3",
		"interval_kind": "volatility20",
		"series":        "[0.5,4,1.5,2]",
		"dates":         `["2024-03-04","2024-03-05","2024-03-06","2024-03-07"]`,
		"train_end":     "3",
		"val_end":       "4",
		"source":        "in.csv",
		"column":        "Close",
		"units":         "2,3",
		"scaler":        "minmax",
		"features":      "1",
		"config":        string(config),
		"best_epoch":    "3",
		"horizon":       "1",
		"strategy":      "direct",
		"unfinished":    "interrupted at epoch 4",
	}
	if !maps.Equal(got, want) {
		for k := range maps.Keys(want) {
			if got[k] != want[k] {
				t.Errorf("metadata %q = %q, want %q", k, got[k], want[k])
			}
		}
		for k := range maps.Keys(got) {
			if _, ok := want[k]; !ok {
				t.Errorf("unexpected metadata %q = %q", k, got[k])
			}
		}
	}
	var back Config
	if err := json.Unmarshal([]byte(got["config"]), &back); err != nil || !reflect.DeepEqual(back, fit.Config) {
		t.Errorf("config %s reads back as %+v (%v)", got["config"], back, err)
	}

	// No intervals, no dates, a finished run, z-score scaling: those keys
	// are absent.
	fit.Intervals, s.Dates, fit.Config.Standard = nil, nil, true
	if err := fit.Save(context.Background(), path, s, nil); err != nil {
		t.Fatal(err)
	}
	got = readMeta(t, path)
	for _, k := range []string{"intervals", "interval_kind", "dates", "unfinished"} {
		if v, ok := got[k]; ok {
			t.Errorf("metadata %q = %q, want it absent", k, v)
		}
	}
	if got["scaler"] != "standard" {
		t.Errorf("scaler %q, want standard", got["scaler"])
	}
	sv, err := Load(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	if sv.Series.Dates != nil || sv.Intervals != nil || sv.Split != fit.Split {
		t.Errorf("loaded %+v, split %+v", sv.Series, sv.Split)
	}
}

// TestDecodeMetaBoundaries loads metadata at the edges of each rule, and
// just past them.
func TestDecodeMetaBoundaries(t *testing.T) {
	net, err := lstm.New(1, []int{2})
	if err != nil {
		t.Fatal(err)
	}
	base := map[string]string{"lookback": "1", "scaler_min": "0", "scaler_max": "1"}
	for _, tc := range []struct {
		set map[string]string
		msg string // "" if it loads
	}{
		{map[string]string{"scaler_max": "1e-300"}, ""},
		{map[string]string{"scaler_max": "-1"}, `"scaler_max" -1 is not above "scaler_min" 0`},
		{map[string]string{"scaler_max": "Inf"}, `"scaler_max" is "Inf", not a finite number`},
		{map[string]string{"scaler_min": "x"}, `"scaler_min" is "x", not a finite number`},
		{map[string]string{"lookback": "-2"}, `"lookback" is "-2"`},
		{map[string]string{"lookback": "2.5"}, `"lookback" is "2.5"`},
		{map[string]string{"target": "delta", "scaler_max": "0"}, `"scaler_max" 0 is not above`},
		// A return target divides by its own scale, not by max − min.
		{map[string]string{"target": "return", "scaler_max": "0", "target_scale": "1e-9", "series": "[1,2,3]", "train_end": "2", "val_end": "3", "scaler": "minmax", "best_epoch": "1", "config": "{}"}, ""},
		{map[string]string{"target": "return", "target_scale": "0"}, `needs a positive "target_scale" of at most 10, got "0"`},
		{map[string]string{"target": "return", "target_scale": "NaN"}, `"target_scale" is "NaN"`},
		{map[string]string{"target": "price", "target_scale": "x"}, `"target_scale" is "x"`},
		{map[string]string{"intervals": ""}, ""},
		{map[string]string{"intervals": "0.001:1e-300,0.999:1e300", "interval_kind": "volatility20"}, ""},
		// A radius of 0, which a fit saves when most validation residuals
		// are 0, reads back.
		{map[string]string{"intervals": "0.8:0", "interval_kind": "volatility20"}, ""},
		{map[string]string{"intervals": "0:1", "interval_kind": "volatility20"}, `entry "0:1": the level must be between 0 and 1`},
		{map[string]string{"intervals": "1:1", "interval_kind": "volatility20"}, `entry "1:1": the level must be between 0 and 1`},
		{map[string]string{"intervals": "0.8:-1", "interval_kind": "volatility20"}, `entry "0.8:-1": the radius must be finite and not negative`},
		{map[string]string{"intervals": "0.8:Inf", "interval_kind": "volatility20"}, `entry "0.8:Inf": the radius must be finite and not negative`},
		{map[string]string{"intervals": "0.8:NaN", "interval_kind": "volatility20"}, `entry "0.8:NaN": the radius must be finite and not negative`},
		{map[string]string{"intervals": "x:1", "interval_kind": "volatility20"}, `malformed entry "x:1"`},
		{map[string]string{"intervals": "0.8:1", "interval_kind": "volatility10"}, `"interval_kind" is "volatility10"; this lstmfc knows "volatility20"`},
		{map[string]string{"series": "[1,2,3]", "train_end": "1", "val_end": "1"}, "do not split"},
		{map[string]string{"series": "[1,2,3]", "train_end": "2", "val_end": "2"}, "has \"series\" but no \"target\""},
		{map[string]string{"series": "[1,2,3]", "train_end": "3", "val_end": "3", "target": "delta", "target_scale": "1", "scaler": "minmax", "best_epoch": "1", "config": "{}"}, ""},
		{map[string]string{"series": "[1,2,3]", "train_end": "-1", "val_end": "2"}, "do not split"},
		{map[string]string{"series": "[1,2,3]", "train_end": "2", "val_end": "1"}, "do not split"},
		{map[string]string{"series": "[1,2,3]", "val_end": "1"}, "do not split"},
		{map[string]string{"series": "[1,2,3]", "train_end": "1", "val_end": "x"}, "do not split"},
		{map[string]string{"series": `["a"]`}, `"series" is not a JSON array of numbers`},
		{map[string]string{"series": "[1,2]", "dates": `["2020-01-01","2020-02-30"]`}, `"dates": entry 1: `},
		{map[string]string{"series": "[1,2]", "dates": `"2020-01-01"`}, `"dates" is not a JSON array of 2 dates`},
		{map[string]string{"config": `{"Seed": -1}`}, `"config" is not a JSON configuration`},
	} {
		meta := maps.Clone(base)
		maps.Copy(meta, tc.set)
		_, err := decodeMeta(net, meta, "m.bin")
		if tc.msg == "" && err != nil || tc.msg != "" && (err == nil || !strings.Contains(err.Error(), tc.msg)) {
			t.Errorf("%v: error %v, want %q", tc.set, err, tc.msg)
		}
	}
	two, err := lstm.New(2, []int{2})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := decodeMeta(two, base, "m.bin"); err == nil || !strings.Contains(err.Error(), "model takes 2 inputs per step, but the metadata has no \"feature_scaling\"") {
		t.Errorf("a two-feature network: error %v", err)
	}
	three, err := lstm.NewCell(lstm.GRU, 1, []int{2}, 3)
	if err != nil {
		t.Fatal(err)
	}
	// A head of 3 outputs is a direct model of 3 steps, whether the file
	// says so (an lstmfc file) or not (a PyTorch export); a file that says
	// otherwise is damaged.
	for _, tc := range []struct{ horizon, msg string }{
		{"", ""},
		{"3", ""},
		{"1", `metadata "horizon" is "1", but the dense head has 3 outputs`},
		{"x", `metadata "horizon" is "x", but the dense head has 3 outputs`},
	} {
		meta := maps.Clone(base)
		if tc.horizon != "" {
			meta["horizon"] = tc.horizon
		}
		sv, err := decodeMeta(three, meta, "m.bin")
		switch {
		case tc.msg == "" && (err != nil || sv.Horizon() != 3):
			t.Errorf("a three-output network, horizon %q: error %v", tc.horizon, err)
		case tc.msg != "" && (err == nil || !strings.Contains(err.Error(), tc.msg)):
			t.Errorf("a three-output network, horizon %q: error %v, want %q", tc.horizon, err, tc.msg)
		}
	}
	meta := maps.Clone(base)
	meta["strategy"] = "recursive" // train writes a recursive model with one output
	if _, err := decodeMeta(three, meta, "m.bin"); err == nil || !strings.Contains(err.Error(), `metadata "strategy" is "recursive", but the dense head has 3 outputs`) {
		t.Errorf("a recursive three-output network: error %v, want it refused", err)
	}
	meta = maps.Clone(base)
	meta["features"] = "4" // the first layer takes 1
	if _, err := decodeMeta(three, meta, "m.bin"); err == nil || !strings.Contains(err.Error(), `metadata "features" is "4", but the first layer takes 1 inputs per step`) {
		t.Errorf("features 4 of a one-input network: error %v, want it refused", err)
	}
	meta["strategy"], meta["features"] = "Direct", "1"
	if _, err := decodeMeta(three, meta, "m.bin"); err == nil || !strings.Contains(err.Error(), `metadata "strategy" is "Direct", not direct or recursive`) {
		t.Errorf("strategy Direct: error %v", err)
	}
	wide, err := lstm.NewCell(lstm.RNN, 1, []int{1}, MaxHorizonOutputs+1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := decodeMeta(wide, base, "m.bin"); err == nil || !strings.Contains(err.Error(), "model has 251 outputs") {
		t.Errorf("a network of %d outputs: error %v", MaxHorizonOutputs+1, err)
	}
	gru, err := lstm.NewCell(lstm.GRU, 1, []int{2}, 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := decodeMeta(gru, base, "m.bin"); err != nil {
		t.Errorf("a one-output GRU: %v", err)
	}
}

// TestLoadedSplitAndSeries: the stored series and split come back as
// written; without the split keys written with it, the file is damaged.
func TestLoadedSplitAndSeries(t *testing.T) {
	net, err := lstm.New(1, []int{2})
	if err != nil {
		t.Fatal(err)
	}
	meta := map[string]string{"lookback": "2", "scaler_min": "0", "scaler_max": "1", "series": "[1,2.5,3,4]", "column": "Adj Close",
		"target": "delta", "target_scale": "1", "scaler": "minmax", "best_epoch": "1", "config": "{}",
		"dates": `["2021-06-30","2021-07-01","2021-07-02","2021-07-05"]`, "train_end": "3", "val_end": "4"}
	sv, err := decodeMeta(net, meta, "m.bin")
	if err != nil {
		t.Fatal(err)
	}
	if want := (window.Split{N: 4, Lookback: 2, TrainEnd: 3, ValEnd: 4}); sv.Split != want {
		t.Errorf("split %+v, want %+v", sv.Split, want)
	}
	if s := sv.Series; s.Source != "m.bin" || s.Column != "Adj Close" || len(s.Values) != 4 || s.Values[1] != 2.5 || !s.Dates[3].Equal(time.Date(2021, 7, 5, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("series %+v", s)
	}
	delete(meta, "train_end")
	delete(meta, "val_end")
	// lstmfc always writes the split with the series: without it the file
	// is damaged, not all training.
	if _, err := decodeMeta(net, meta, "m.bin"); err == nil || !strings.Contains(err.Error(), "the file is damaged") {
		t.Errorf("no split keys: error %v, want the file called damaged", err)
	}
}

func TestLoadCorruptFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bad.bin")
	if err := os.WriteFile(path, []byte("not a model"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(context.Background(), path); err == nil || !strings.HasPrefix(err.Error(), path+": ") || !strings.Contains(err.Error(), "not a safetensors file") {
		t.Errorf("a corrupt file: error %v, want one starting with its path", err)
	}
}

// TestRegressionFilesLoad loads the model files kept from earlier builds:
// each keeps the series, split and intervals it was written with.
func TestRegressionFilesLoad(t *testing.T) {
	for _, tc := range []struct {
		file      string
		target    Target
		intervals int
		dated     bool
	}{
		{"return-dated.bin", Return, 2, true},
		{"price-minmax.bin", Price, 2, true},
		{"delta-undated.bin", Delta, 2, false},
		{"return-nointervals.bin", Return, 0, true},
	} {
		sv, err := Load(context.Background(), filepath.Join("..", "..", "testdata", "models", tc.file))
		if err != nil {
			t.Fatal(err)
		}
		if sv.Enc.Target != tc.target || len(sv.Intervals) != tc.intervals || sv.Lookback != 10 || sv.Series == nil || (sv.Series.Dates != nil) != tc.dated {
			t.Errorf("%s: target %s, %d intervals, lookback %d, series %v", tc.file, sv.Enc.Target, len(sv.Intervals), sv.Lookback, sv.Series != nil)
			continue
		}
		n := len(sv.Series.Values)
		if sv.Split.N != n || sv.Split.Lookback != 10 || !(10 < sv.Split.TrainEnd && sv.Split.TrainEnd <= sv.Split.ValEnd && sv.Split.ValEnd <= n) {
			t.Errorf("%s: split %+v of %d values", tc.file, sv.Split, n)
		}
		tb, err := sv.Table(context.Background(), sv.Series.Values, sv.Series.Dates, &sv.Split, 5)
		if err != nil || tb.Len() != n+5 {
			t.Errorf("%s: table of %d rows, error %v", tc.file, tb.Len(), err)
		}
	}
}

// TestSaveRefuses: a series JSON cannot hold, or a network the codec
// refuses, fails the save and leaves no file.
func TestSaveRefuses(t *testing.T) {
	fit := &Fit{Model: constModel(t, window.Encoding{Target: Price, Scale: scale.MinMax{Min: 0, Max: 1}}, 2, 0),
		Config: Config{Lookback: 2, Units: []int{2}}}
	path := filepath.Join(t.TempDir(), "m.bin")
	if err := fit.Save(context.Background(), path, &series.Series{Values: []float64{1, math.NaN()}}, nil); err == nil {
		t.Error("a series with NaN: no error")
	}
	fit.Config.LR = math.Inf(1)
	if err := fit.Save(context.Background(), path, &series.Series{Values: []float64{1, 2}}, nil); err == nil {
		t.Error("a config with an infinite LR: no error")
	}
	fit.Config.LR = 0.1
	fit.Net.DenseB[0] = math.NaN()
	if err := fit.Save(context.Background(), path, &series.Series{Values: []float64{1, 2}}, nil); err == nil || !strings.HasPrefix(err.Error(), "cannot save model to "+path+": ") {
		t.Errorf("a network with NaN: error %v", err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a failed save left a file: %v", err)
	}
}
