package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// sharedOHLCV is Yahoo's layout (Open, High, Low, Close, Adj Close,
// Volume); vixOHLC has OHLC without volume.
const (
	sharedOHLCV = "../../../shared/data/YHOO.csv"
	vixOHLC     = "../../../shared/data/vix-daily.csv"
)

// TestFeaturesCLI: train --features writes a model whose network takes the
// features; predict --data recomputes them from a file and forecasts,
// refuses in one line naming the file one that lacks a column the model
// needs, and without --data refuses in one line, since the model file does
// not keep the columns. backtest --features runs; a bad list is a usage
// error naming --features.
func TestFeaturesCLI(t *testing.T) {
	if _, err := os.Stat(sharedOHLCV); err != nil {
		t.Skip("shared data not present:", err)
	}
	dir := t.TempDir()
	model := filepath.Join(dir, "m.bin")
	code, _, stderr := run(t, append([]string{"train", "--model", model, "--features", "range,gap,logvolume,dow", sharedOHLCV}, small...)...)
	if code != exitOK {
		t.Fatalf("train --features: exit %d: %s", code, stderr)
	}
	code, stdout, stderr := run(t, "predict", "--quiet", "--model", model, "--data", sharedOHLCV, "--forecast-only", "--horizon", "3", "--out", "-")
	if code != exitOK || strings.Count(stdout, "\n") != 4 {
		t.Errorf("predict --data: exit %d, %d lines: %s %s", code, strings.Count(stdout, "\n"), stdout, stderr)
	}
	for _, tc := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"predict", "--model", model, "--data", vixOHLC, "--out", "-"}, exitFailure, `"logvolume" needs a volume column, but the numeric columns of ` + vixOHLC},
		{[]string{"predict", "--model", model, "--out", "-"}, exitUsage, "--data: " + model + " takes features (return,range,gap,logvolume,dow)"},
		{[]string{"train", "--model", model, "--features", "range,,gap", sharedOHLCV}, exitUsage, "--features: item 2"},
		{[]string{"backtest", "--features", "range,bogus", vixOHLC}, exitFailure, `"bogus" is neither a built-in feature`},
	} {
		code, _, stderr := run(t, append(tc.args, "--quiet")...)
		if code != tc.code || !strings.Contains(stderr, tc.msg) || strings.Count(stderr, "\n") != 1 {
			t.Errorf("%v: exit %d, stderr %q; want exit %d and one line with %q", tc.args, code, stderr, tc.code, tc.msg)
		}
	}
	code, stdout, stderr = run(t, "backtest", "--quiet", "--folds", "2", "--epochs", "2", "--lookback", "10", "--units", "4", "--features", "range", vixOHLC)
	if code != exitOK || !strings.Contains(stdout, "All 2 folds") {
		t.Errorf("backtest --features: exit %d: %s %s", code, stdout, stderr)
	}
}
