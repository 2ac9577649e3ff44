package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/lstmfc/lstmfc/internal/forecast"
)

// sameWeights reports whether the model files at a and b hold the same
// network.
func sameWeights(t *testing.T, a, b string) bool {
	t.Helper()
	var nets []any
	for _, path := range []string{a, b} {
		sv, err := forecast.Load(context.Background(), path)
		if err != nil {
			t.Fatal(err)
		}
		nets = append(nets, sv.Net)
	}
	return reflect.DeepEqual(nets[0], nets[1])
}

// TestGlobal trains and backtests a global model on a folder of series
// with one bad file: the bad one fails alone; every model file holds the
// same weights, not those of a local model; a second run writes the same
// bytes; predict reads each file back as train forecast with it; a rerun
// keeps everything, and a change to one series redoes all.
func TestGlobal(t *testing.T) {
	dir := t.TempDir()
	data, bad := seriesAndBadFile(t, dir)
	out := filepath.Join(dir, "out")
	trainArgs := append([]string{"train", "--global", "--out-dir", out, "--json", data}, tiny...)
	rows, sum := runOneFailure(t, trainArgs)
	if rows[0].Status != statusFailed || !strings.Contains(rows[0].Error, `"abc" is not a number`) || sum.Done != 3 || sum.Scored != 3 {
		t.Errorf("rows %+v, summary %+v", rows, sum)
	}
	s0 := filepath.Join(out, "s0.bin")
	for _, name := range []string{"s1.bin", "s2.bin"} {
		if !sameWeights(t, filepath.Join(out, name), s0) {
			t.Errorf("%s holds other weights than s0.bin", name)
		}
	}
	if bytes.Equal(readFile(t, filepath.Join(out, "s0.bin")), readFile(t, filepath.Join(out, "s1.bin"))) {
		t.Error("s0.bin and s1.bin are the same file: each series needs its own scaler and series")
	}
	local := filepath.Join(dir, "local")
	if code, _, stderr := run(t, append([]string{"train", "--out-dir", local, data}, tiny...)...); code != exitFailure {
		t.Fatalf("local train: exit %d: %s", code, stderr)
	}
	if sameWeights(t, filepath.Join(local, "s0.bin"), s0) {
		t.Error("the global model has the weights of s0's local model")
	}

	again := filepath.Join(dir, "again")
	if code, _, stderr := run(t, append([]string{"train", "--global", "--out-dir", again, data}, tiny...)...); code != exitFailure {
		t.Fatalf("second run: exit %d: %s", code, stderr)
	}
	sameOutputs(t, "a second global run", outputs(t, again), outputs(t, out))

	// predict takes each file as a local one, and forecasts as train did.
	trained := readFile(t, filepath.Join(out, "s1.predictions.csv"))
	if code, _, stderr := run(t, "predict", "--quiet", "--out-dir", out, filepath.Join(data, "s0.csv"), filepath.Join(data, "s1.csv")); code != 0 {
		t.Fatalf("predict: exit %d: %s", code, stderr)
	}
	if !bytes.Equal(readFile(t, filepath.Join(out, "s1.predictions.csv")), trained) {
		t.Error("predict with s1.bin writes other predictions than train did")
	}

	// A rerun keeps all; a change to one series redoes them all, as the
	// model learns from each.
	code, stdout, _ := run(t, trainArgs...)
	if _, sum = jsonRows(t, stdout); code != exitFailure || sum.Skipped != 3 {
		t.Errorf("rerun: exit %d, summary %+v; want the 3 series kept", code, sum)
	}
	if err := os.WriteFile(bad, readFile(t, filepath.Join(data, "s0.csv")), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := run(t, trainArgs...)
	if _, sum = jsonRows(t, stdout); code != 0 || sum.Skipped != 0 || sum.Done != 4 {
		t.Errorf("fixed file: exit %d, summary %+v, %s; want all 4 redone", code, sum, stderr)
	}
	if sameWeights(t, filepath.Join(again, "s0.bin"), s0) {
		t.Error("a fourth series did not change the global model")
	}

	btArgs := append([]string{"backtest", "--global", "--folds", "2", data}, tiny...)
	code, stdout, stderr = run(t, append(btArgs, "--out-dir", out)...)
	if code != 0 || !strings.Contains(stdout, "backtest: 4 series, 4 done") {
		t.Fatalf("backtest: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	if code, _, stderr := run(t, append([]string{"backtest", "--folds", "2", "--out-dir", local, data}, tiny...)...); code != 0 {
		t.Fatalf("local backtest: exit %d: %s", code, stderr)
	}
	g, l := readFile(t, filepath.Join(out, "s2.backtest.json")), readFile(t, filepath.Join(local, "s2.backtest.json"))
	if !bytes.Contains(g, []byte(`"folds"`)) || bytes.Equal(g, l) {
		t.Error("the global backtest report is missing or the local one")
	}
}

// TestGlobalShortSeries checks that a series too short to train on fails
// alone, named, and the global model is trained on the others.
func TestGlobalShortSeries(t *testing.T) {
	dir := t.TempDir()
	data := writeSeries(t, filepath.Join(dir, "data"), 2)
	if err := os.WriteFile(filepath.Join(data, "short.csv"), []byte("Date,Close\n2020-01-01,1\n2020-01-02,2\n2020-01-03,3\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	code, stdout, stderr := run(t, append([]string{"train", "--global", "--out-dir", out, "--json", data}, tiny...)...)
	rows, sum := jsonRows(t, stdout)
	if code != exitFailure || sum.Done != 2 || sum.Failed != 1 || rows[2].Series != "short" || !strings.Contains(rows[2].Error, "short.csv: ") {
		t.Errorf("exit %d, rows %+v, summary %+v, stderr %q; want short failed alone", code, rows, sum, stderr)
	}
	if _, err := os.Stat(filepath.Join(out, "short.bin")); err == nil {
		t.Error("the short series has a model file")
	}
}
