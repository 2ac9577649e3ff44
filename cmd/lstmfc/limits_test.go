package main

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestSizeLimits: sizes that reach an allocation are usage errors naming
// the flag, at once, not panics or runaway memory.
func TestSizeLimits(t *testing.T) {
	dir := t.TempDir()
	model := filepath.Join(dir, "m.bin")
	out := filepath.Join(dir, "p.csv")
	for _, tc := range []struct {
		args []string
		flag string
	}{
		{[]string{"train", "--model", model, "--lookback", "9223372036854775807", realCSV}, "--lookback"},
		{[]string{"train", "--model", model, "--units", "1000000000", realCSV}, "--units"},
		{[]string{"train", "--model", model, "--units", "1" + strings.Repeat(",1", 16), realCSV}, "--units"},
		{[]string{"train", "--model", model, "--lookback", "5000", "--units", "1024,1024", "--batch-size", "1024", "-q", realCSV}, "--batch-size"},
		{[]string{"backtest", "--lookback", "9223372036854775807", realCSV}, "--lookback"},
		{[]string{"predict", "--model", model, "--out", out, "--horizon", "9223372036854775807"}, "--horizon"},
		{[]string{"predict", "--model", model, "--out", out, "--horizon", "1000000000"}, "--horizon"},
		{[]string{"plot", "--model", model, "--out", filepath.Join(dir, "c.png"), "--horizon", "10001"}, "--horizon"},
	} {
		start := time.Now()
		code, _, stderr := run(t, tc.args...)
		if code != exitUsage || !strings.Contains(stderr, tc.flag) || strings.Count(stderr, "\n") != 1 {
			t.Errorf("%v: exit %d, %q; want exit %d naming %s", tc.args, code, stderr, exitUsage, tc.flag)
		}
		if d := time.Since(start); d > 20*time.Second { // a runaway allocation takes minutes; the margin absorbs a busy machine
			t.Errorf("%v: took %v", tc.args, d)
		}
	}
}

// trainSmall trains a small model on the bundled series into dir.
func trainSmall(t *testing.T, dir string, extra ...string) string {
	t.Helper()
	model := filepath.Join(dir, "m.bin")
	args := append([]string{"train", "--model", model, realCSV}, small...)
	if code, _, stderr := run(t, append(args, extra...)...); code != exitOK {
		t.Fatalf("train: exit %d: %s", code, stderr)
	}
	return model
}

// TestDamagedSeriesKeyIsADataError: a model file whose "series" key lost
// its name is damaged (exit 1), not a usage mistake (exit 2).
func TestDamagedSeriesKeyIsADataError(t *testing.T) {
	dir := t.TempDir()
	model := trainSmall(t, dir)
	b, err := os.ReadFile(model)
	if err != nil {
		t.Fatal(err)
	}
	damaged := bytes.Replace(b, []byte(`"series":`), []byte(`"sepies":`), 1)
	if bytes.Equal(damaged, b) {
		t.Fatal("no series key in the model file")
	}
	if err := os.WriteFile(model, damaged, 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := run(t, "predict", "--model", model, "--out", filepath.Join(dir, "p.csv"))
	if code != exitFailure || !strings.Contains(stderr, model) || strings.Count(stderr, "\n") != 1 {
		t.Errorf("exit %d, %q; want exit %d naming the file", code, stderr, exitFailure)
	}
}

// TestInitialWeightsRefused: a run that diverges in its first epoch saves
// its initial weights; predict and plot refuse them unless told.
func TestInitialWeightsRefused(t *testing.T) {
	dir := t.TempDir()
	model := filepath.Join(dir, "m.bin")
	code, _, stderr := run(t, append([]string{"train", "--model", model, realCSV}, append(small, "--lr", "1e300")...)...)
	if code != exitFailure || !strings.Contains(stderr, "initial weights") {
		t.Fatalf("train with --lr 1e300: exit %d: %s", code, stderr)
	}
	out := filepath.Join(dir, "p.csv")
	for _, args := range [][]string{
		{"predict", "--model", model, "--out", out},
		{"plot", "--model", model, "--out", filepath.Join(dir, "c.png")},
	} {
		code, _, stderr := run(t, args...)
		if code != exitFailure || !strings.Contains(stderr, "initial weights") || !strings.Contains(stderr, "--allow-unfinished") || strings.Count(stderr, "\n") != 1 {
			t.Errorf("%v: exit %d, %q", args, code, stderr)
		}
		if _, err := os.Stat(args[len(args)-1]); err == nil {
			t.Errorf("%v wrote its output", args)
		}
		code, _, stderr = run(t, append(args, "--allow-unfinished")...)
		if code != exitOK || !strings.Contains(stderr, "warning: ") {
			t.Errorf("%v --allow-unfinished: exit %d, %q", args, code, stderr)
		}
	}
}

// TestDataKeepsItsSpans: predicting the training file itself labels its
// rows as the run did, not "data"; a shifted copy of the file is "data".
func TestDataKeepsItsSpans(t *testing.T) {
	dir := t.TempDir()
	model := trainSmall(t, dir)
	code, stored, stderr := run(t, "predict", "--model", model, "--out", "-", "-q")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	code, given, stderr := run(t, "predict", "--model", model, "--data", realCSV, "--out", "-", "-q")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	want, got := splitColumn(t, stored), splitColumn(t, given)
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("--data with the training file: spans differ from the stored series's")
	}
	if !strings.Contains(strings.Join(got, ","), "test") {
		t.Errorf("no test rows in %v", got[:5])
	}
}

func splitColumn(t *testing.T, out string) []string {
	t.Helper()
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var s []string
	for _, r := range rows[1:] {
		s = append(s, r[3])
	}
	return s
}

// TestRangeWarning: a price-target model given prices far above its
// training range says so in one line on stderr and still predicts.
func TestRangeWarning(t *testing.T) {
	dir := t.TempDir()
	model := trainSmall(t, dir, "--target", "price")
	write := func(name string, base float64) string {
		var b strings.Builder
		b.WriteString("Close\n")
		for i := range 100 {
			fmt.Fprintln(&b, strconv.FormatFloat(base+float64(i%7), 'g', -1, 64))
		}
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	// The training span of the bundled series runs from about 1 to 18.
	code, _, stderr := run(t, "predict", "--model", model, "--data", write("far.csv", 2874), "--out", filepath.Join(dir, "p.csv"), "-q")
	if code != exitOK || strings.Count(stderr, "warning: ") != 1 || !strings.Contains(stderr, "training range") {
		t.Errorf("exit %d, %q", code, stderr)
	}
	code, _, stderr = run(t, "predict", "--model", model, "--data", write("near.csv", 5), "--out", filepath.Join(dir, "p.csv"), "-q")
	if code != exitOK || strings.Contains(stderr, "warning") {
		t.Errorf("prices inside the range: exit %d, %q", code, stderr)
	}
}
