package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/pflag"
	"gonum.org/v1/gonum/floats/scalar"
	"gonum.org/v1/gonum/stat"

	"github.com/lstmfc/lstmfc/internal/forecast"
	"github.com/lstmfc/lstmfc/internal/series"
)

// run executes the command line in-process and returns the exit code,
// stdout and stderr.
func run(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = execute(context.Background(), args, &streams{In: strings.NewReader(""), Out: &out, Err: &errb})
	return code, out.String(), errb.String()
}

// small makes runs quick: a tiny network over a short window.
var small = []string{"--lookback", "10", "--units", "6,5", "--epochs", "3", "--batch-size", "16", "--quiet"}

const realCSV = "../../testdata/natural-gas-daily.csv"

func TestTrainPredictPlot(t *testing.T) {
	dir := t.TempDir()
	model := filepath.Join(dir, "m.bin")
	code, stdout, stderr := run(t, append([]string{"train", "--model", model, "--json", realCSV}, small...)...)
	if code != exitOK {
		t.Fatalf("train exit %d: %s", code, stderr)
	}
	var rep struct {
		Target string
		Test   struct {
			Rows        int
			LSTM, Naive map[string]float64
		}
	}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("train --json printed %q: %v", stdout, err)
	}
	if rep.Target != "return" {
		t.Errorf("--target auto on positive prices chose %q, want return", rep.Target)
	}
	for _, key := range []string{"rmse", "mae", "mape", "directional_accuracy"} {
		if _, ok := rep.Test.LSTM[key]; !ok {
			t.Errorf("test.lstm.%s missing from %s", key, stdout)
		}
		if _, ok := rep.Test.Naive[key]; !ok {
			t.Errorf("test.naive.%s missing from %s", key, stdout)
		}
	}
	// 7436 values after dropping the one missing price; 10% test span.
	if rep.Test.Rows < 700 || rep.Test.Rows > 760 {
		t.Errorf("test.rows = %d, want about 10%% of 7436", rep.Test.Rows)
	}
	if _, err := forecast.Load(context.Background(), model); err != nil {
		t.Fatalf("saved model does not load: %v", err)
	}

	preds := filepath.Join(dir, "predictions.csv")
	code, _, stderr = run(t, "predict", "--model", model, "--horizon", "7", "--out", preds, "--quiet")
	if code != exitOK {
		t.Fatalf("predict exit %d: %s", code, stderr)
	}
	rows := readCSV(t, preds)
	if got, want := strings.Join(rows[0][:4], ","), "date,actual,predicted,split"; got != want {
		t.Errorf("header starts %q, want %q", got, want)
	}
	if len(rows) != 1+7436+7 {
		t.Errorf("%d rows, want header + 7436 values + 7 forecast", len(rows))
	}
	counts := map[string]int{}
	for _, r := range rows[1:] {
		counts[r[3]]++
	}
	if counts["forecast"] != 7 || counts["test"] == 0 || counts["validation"] == 0 || counts["train"] == 0 {
		t.Errorf("split counts %v", counts)
	}
	if rows[1][2] != "" || rows[11][2] == "" {
		t.Errorf("row 1 predicted %q (want empty: no window yet), row 11 predicted %q (want a value)", rows[1][2], rows[11][2])
	}

	chart := filepath.Join(dir, "chart.png")
	code, _, stderr = run(t, "plot", "--predictions", preds, "--out", chart, "--quiet")
	if code != exitOK {
		t.Fatalf("plot exit %d: %s", code, stderr)
	}
	f, err := os.Open(chart)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := png.Decode(f); err != nil {
		t.Fatalf("chart.png does not decode: %v", err)
	}

	// Predict and plot in one go, as SVG.
	svg := filepath.Join(dir, "chart.svg")
	code, _, stderr = run(t, "plot", "--model", model, "--data", realCSV, "--out", svg, "--last", "200", "--quiet")
	if code != exitOK {
		t.Fatalf("plot --model: exit %d: %s", code, stderr)
	}
	if b, err := os.ReadFile(svg); err != nil || !bytes.Contains(b, []byte("<svg")) {
		t.Errorf("chart.svg is not an SVG (err %v)", err)
	}
}

func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return rows
}

func TestTrainSameSeedSameModel(t *testing.T) {
	dir := t.TempDir()
	var files [2][]byte
	for i := range files {
		model := filepath.Join(dir, "m"+string(rune('a'+i))+".bin")
		if code, _, stderr := run(t, append([]string{"train", "--model", model, "--length", "300", "--seed", "7"}, small...)...); code != exitOK {
			t.Fatalf("train exit %d: %s", code, stderr)
		}
		b, err := os.ReadFile(model)
		if err != nil {
			t.Fatal(err)
		}
		files[i] = b
	}
	if !bytes.Equal(files[0], files[1]) {
		t.Error("two runs with --seed 7 wrote different model files")
	}
}

func TestPredictDataWithRequiredMetadataOnly(t *testing.T) {
	dir := t.TempDir()
	model := "../../testdata/models/pytorch-four-keys.safetensors" // format, lookback, scaler_min and scaler_max only
	code, stdout, stderr := run(t, "predict", "--model", model, "--data", realCSV, "--out", "-", "--horizon", "3")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	rows, err := csv.NewReader(strings.NewReader(stdout)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1+7436+3 || rows[1][3] != "data" || rows[len(rows)-1][3] != "forecast" {
		t.Errorf("%d rows, first split %q, last %q", len(rows), rows[1][3], rows[len(rows)-1][3])
	}
	code, _, stderr = run(t, "predict", "--model", model, "--out", filepath.Join(dir, "p.csv"))
	if code != exitUsage || !strings.Contains(stderr, "--data") {
		t.Errorf("predict without --data on a model with no series: exit %d, %q", code, stderr)
	}
}

func TestUsageErrors(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		args []string
		msg  string
	}{
		{[]string{"train", "--lookback", "0"}, "--lookback: must be at least 1"},
		{[]string{"train", "--lookback", "-5"}, "--lookback"},
		{[]string{"train", "--units", "0"}, "--units"},
		{[]string{"train", "--epochs", "0"}, "--epochs"},
		{[]string{"train", "--batch-size", "0"}, "--batch-size"},
		{[]string{"train", "--lr", "0"}, "--lr"},
		{[]string{"train", "--val-split", "0.5", "--test-split", "0.5"}, "leaves no training values"},
		{[]string{"train", "--target", "volume"}, "--target"},
		{[]string{"train", "--model", filepath.Join(dir, "missing", "m.bin")}, "does not exist"},
		{[]string{"train", "--epochs", "many"}, `--epochs: wants a whole number, got "many"`},
		{[]string{"train", realCSV, "-"}, "- (standard input) can only be the only series"},
		{[]string{"predict", "--horizon", "0"}, "--horizon: must be at least 1"},
		{[]string{"predict", "--format", "xml"}, "--format"},
		{[]string{"predict", "--out", filepath.Join(dir, "nope", "p.csv")}, "--out: cannot write"},
		{[]string{"plot", "--out", "chart.gif"}, "--out"},
		{[]string{"plot", "--lang", "tlh"}, "--lang"},
		{[]string{"plot", "--labels", "colour=red"}, "unknown label"},
		{[]string{"backtest", "--folds", "0", realCSV}, "--folds"},
		{[]string{"frobnicate"}, "unknown command"},
	} {
		code, _, stderr := run(t, tc.args...)
		if code != exitUsage || !strings.Contains(stderr, tc.msg) {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 and %q", tc.args, code, stderr, tc.msg)
		}
		if n := strings.Count(strings.TrimSpace(stderr), "\n"); n > 1 {
			t.Errorf("%v: %d lines on stderr, want the error and a hint: %q", tc.args, n+1, stderr)
		}
	}
}

func TestAutoTargetTakesNonPositivePrices(t *testing.T) {
	model := filepath.Join(t.TempDir(), "m.bin")
	code, stdout, stderr := run(t, append([]string{"train", "--json", "--model", model, "../../testdata/bad/negative.csv"}, small...)...)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var rep struct{ Target string }
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil || rep.Target != "delta" {
		t.Errorf("--target auto on prices <= 0 chose %q (err %v), want delta", rep.Target, err)
	}
}

func TestVersion(t *testing.T) {
	code, stdout, _ := run(t, "version")
	if code != exitOK || !strings.HasPrefix(stdout, "lstmfc v") {
		t.Errorf("version: exit %d, %q", code, stdout)
	}
}

func TestBacktestJSON(t *testing.T) {
	code, stdout, stderr := run(t, append([]string{"backtest", "--folds", "2", "--json", "../../testdata/bad/negative.csv"}, small...)...)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var bt struct {
		Folds []struct {
			Start, End int
			Naive      map[string]float64
		}
		Overall struct{ Rows int }
	}
	if err := json.Unmarshal([]byte(stdout), &bt); err != nil {
		t.Fatal(err)
	}
	if len(bt.Folds) != 2 || bt.Overall.Rows != 60 || bt.Folds[0].End != bt.Folds[1].Start {
		t.Errorf("folds %+v overall rows %d; want 2 adjacent folds over the last 60 of 120 values", bt.Folds, bt.Overall.Rows)
	}
}

// TestREADMEDocumentsEveryFlag keeps the README's flag tables in step with
// the commands.
func TestREADMEDocumentsEveryFlag(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	root := newRootCmd(&streams{})
	for _, c := range root.Commands() {
		c.Flags().VisitAll(func(f *pflag.Flag) {
			if f.Name != "help" && !strings.Contains(readme, "| `--"+f.Name+"` | `"+f.DefValue+"`") && !strings.Contains(readme, "| `--"+f.Name+"` |  |") {
				t.Errorf("README has no row for %s --%s with its default %q", c.Name(), f.Name, f.DefValue)
			}
		})
	}
}

// TestShortSeries trains with the defaults but no test span on 120 prices:
// 12 validation values size an 80% interval but not a 95% one, which must
// be left out with a note, never written as an endless band; and a
// one-value test span must still give valid JSON (its correlations are
// undefined: null).
func TestShortSeries(t *testing.T) {
	dir := t.TempDir()
	model := filepath.Join(dir, "m.bin")
	csvPath := "../../testdata/bad/negative.csv"
	code, _, stderr := run(t, "train", "--lookback", "10", "--test-split", "0", "--model", model, csvPath)
	if code != exitOK || !strings.Contains(stderr, "no 95% interval: it needs at least 19 validation values, got 12") {
		t.Fatalf("exit %d, stderr %q; want a note on the 95%% interval", code, stderr)
	}
	code, stdout, stderr := run(t, "predict", "--model", model, "--out", "-")
	if code != exitOK {
		t.Fatalf("predict: exit %d: %s", code, stderr)
	}
	if head, _, _ := strings.Cut(stdout, "\n"); head != "date,actual,predicted,split,lo80,hi80" || strings.Contains(stdout, "Inf") {
		t.Errorf("predictions start %q and hold Inf: %v", head, strings.Contains(stdout, "Inf"))
	}
	code, stdout, stderr = run(t, "train", "--json", "--lookback", "10", "--test-split", "0.01", "--model", model, csvPath)
	var rep struct{ Test struct{ Rows int } }
	if code != exitOK || json.Unmarshal([]byte(stdout), &rep) != nil || rep.Test.Rows != 1 {
		t.Errorf("one-value test span: exit %d, stderr %q, JSON %q", code, stderr, stdout)
	}
}

func TestBacktestWithoutValidationHasNoIntervals(t *testing.T) {
	code, stdout, stderr := run(t, append([]string{"backtest", "--folds", "2", "--val-split", "0", "--json", "../../testdata/bad/negative.csv"}, small...)...)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if strings.Contains(stdout, "coverage") {
		t.Errorf("coverage reported for intervals that were never sized:\n%s", stdout)
	}
	var bt struct{ Folds []struct{ Notes []string } }
	if err := json.Unmarshal([]byte(stdout), &bt); err != nil {
		t.Fatal(err)
	}
	for i, f := range bt.Folds {
		if !slices.ContainsFunc(f.Notes, func(n string) bool { return strings.HasPrefix(n, "no validation span: ") }) {
			t.Errorf("fold %d: notes %q, want the fit's note that nothing was validated", i+1, f.Notes)
		}
	}
}

// TestStandardScaler trains a price model with z-score scaling: the model
// file must carry the training span's mean and mean + std as scaler_min and
// scaler_max, which map back to prices as min-max ones do.
func TestStandardScaler(t *testing.T) {
	model := filepath.Join(t.TempDir(), "m.bin")
	if code, _, stderr := run(t, append([]string{"train", "--target", "price", "--scaler", "standard", "--model", model, realCSV}, small...)...); code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	m, err := forecast.Load(context.Background(), model)
	if err != nil {
		t.Fatal(err)
	}
	mean, std := stat.PopMeanStdDev(m.Series.Values[:m.Split.TrainEnd], nil)
	lo, hi := m.Enc.Scale.Min, m.Enc.Scale.Max
	if !scalar.EqualWithinAbsOrRel(lo, mean, 1e-12, 1e-12) || !scalar.EqualWithinAbsOrRel(hi, mean+std, 1e-12, 1e-12) {
		t.Errorf("scaler_min %v, scaler_max %v; want the training mean %v, mean + std %v", lo, hi, mean, mean+std)
	}
	if code, _, stderr := run(t, "train", "--scaler", "standard", "--model", model, realCSV); code != exitUsage || !strings.Contains(stderr, "--scaler") {
		t.Errorf("--scaler standard with the default target: exit %d, %q; want a usage error", code, stderr)
	}
}

// cancelOn is a stderr that cancels a run when a line containing mark is
// written to it.
type cancelOn struct {
	mark   string
	cancel context.CancelFunc
}

func (c cancelOn) Write(b []byte) (int, error) {
	if strings.Contains(string(b), c.mark) {
		c.cancel()
	}
	return len(b), nil
}

// TestInterruptAfterTrainingKeepsTheModel interrupts a run as its last
// epoch ends, after the engine last looks at the context: the report is
// skipped, but the finished model must be saved and predict as any other.
func TestInterruptAfterTrainingKeepsTheModel(t *testing.T) {
	model := filepath.Join(t.TempDir(), "m.bin")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out bytes.Buffer
	args := []string{"train", "--model", model, "--length", "300", "--lookback", "10", "--units", "6,5", "--epochs", "3", "--patience", "0", "--batch-size", "16"}
	code := execute(ctx, args, &streams{In: strings.NewReader(""), Out: &out, Err: cancelOn{"epoch 3/3", cancel}})
	if code == exitOK || out.Len() > 0 {
		t.Errorf("exit %d, report %q; want a failure and no report", code, out.String())
	}
	m, err := forecast.Load(context.Background(), model)
	if err != nil {
		t.Fatalf("no model after an interrupt at the end of training: %v", err)
	}
	if m.Series == nil || len(m.Series.Values) != 300 {
		t.Errorf("saved model holds %v, want the 300 training values", m.Series)
	}
}

// TestCells trains a model of each cell on the synthetic series, checks
// that the model file holds that cell's layers, and that predict and plot
// take it.
func TestCells(t *testing.T) {
	for _, cell := range forecast.Cells() {
		t.Run(cell, func(t *testing.T) {
			dir := t.TempDir()
			model := filepath.Join(dir, "m.bin")
			if code, _, stderr := run(t, append([]string{"train", "--cell", cell, "--length", "300", "--model", model}, small...)...); code != exitOK {
				t.Fatalf("train --cell %s: exit %d: %s", cell, code, stderr)
			}
			b, err := os.ReadFile(model)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Contains(b, []byte(`"`+cell+`2.weight_hh_l0"`)) || !bytes.Contains(b, []byte(`\"Cell\":\"`+cell+`\"`)) {
				t.Errorf("model file of --cell %s names no %s2 tensor or no %s cell in its config", cell, cell, cell)
			}
			preds := filepath.Join(dir, "p.csv")
			if code, _, stderr := run(t, "predict", "--model", model, "--horizon", "3", "--out", preds, "--quiet"); code != exitOK {
				t.Fatalf("predict: exit %d: %s", code, stderr)
			}
			if rows := readCSV(t, preds); len(rows) != 1+300+3 || rows[len(rows)-1][2] == "" {
				t.Errorf("predict wrote %d rows, want header + 300 values + 3 forecast", len(rows))
			}
			if code, _, stderr := run(t, "plot", "--predictions", preds, "--out", filepath.Join(dir, "c.png"), "--quiet"); code != exitOK {
				t.Fatalf("plot: exit %d: %s", code, stderr)
			}
		})
	}
	if code, _, stderr := run(t, "backtest", "--cell", "GRU", realCSV); code != exitUsage || !strings.Contains(stderr, "--cell") {
		t.Errorf("backtest --cell GRU: exit %d, stderr %q; want a usage error naming --cell", code, stderr)
	}
}

// TestSyntheticLongMemory trains on the long-memory series and checks that
// the model was fitted on it, seeded by --seed.
func TestSyntheticLongMemory(t *testing.T) {
	model := filepath.Join(t.TempDir(), "m.bin")
	if code, _, stderr := run(t, append([]string{"train", "--synthetic", "longmemory", "--length", "300", "--seed", "3", "--model", model}, small...)...); code != exitOK {
		t.Fatalf("train --synthetic longmemory: exit %d: %s", code, stderr)
	}
	m, err := forecast.Load(context.Background(), model)
	if err != nil {
		t.Fatal(err)
	}
	if want := series.LongMemory(300, 3).Values; m.Series == nil || !slices.Equal(m.Series.Values, want) {
		t.Errorf("the model was not fitted on the long-memory series of seed 3")
	}
}
