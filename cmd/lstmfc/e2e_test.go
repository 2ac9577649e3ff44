package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lstmfc/lstmfc/internal/forecast"
)

// binary is the lstmfc built once for the end-to-end tests.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "lstmfc-e2e-")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "lstmfc")
	if out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput(); err != nil {
		os.Stderr.Write(out)
		panic(err)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// runBinary runs the built lstmfc in dir and returns its exit code and output.
func runBinary(t *testing.T, dir string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Dir = dir
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		code = ee.ExitCode()
	default:
		t.Fatalf("running lstmfc: %v", err)
	}
	return code, out.String(), errb.String()
}

func abs(t *testing.T, path string) string {
	t.Helper()
	p, err := filepath.Abs(path)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// trainedDir returns a directory holding m.bin and predictions.csv from a
// finished run on the bundled series.
func trainedDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if code, _, stderr := runBinary(t, dir, append([]string{"train", abs(t, realCSV)}, small...)...); code != 0 {
		t.Fatalf("train: exit %d: %s", code, stderr)
	}
	if code, _, stderr := runBinary(t, dir, "predict", "--quiet"); code != 0 {
		t.Fatalf("predict: exit %d: %s", code, stderr)
	}
	return dir
}

func TestEndToEnd(t *testing.T) {
	dir := trainedDir(t)
	if _, err := forecast.Load(context.Background(), filepath.Join(dir, "m.bin")); err != nil {
		t.Fatalf("m.bin: %v", err)
	}
	rows := readCSV(t, filepath.Join(dir, "predictions.csv"))
	if len(rows) != 1+7436+10 || len(rows[0]) != 8 {
		t.Errorf("predictions.csv: %d rows of %d columns, want 7447 of 8 (date,actual,predicted,split,lo80,hi80,lo95,hi95)", len(rows), len(rows[0]))
	}
	if code, _, stderr := runBinary(t, dir, "plot"); code != 0 {
		t.Fatalf("plot: exit %d: %s", code, stderr)
	}
	decodePNG(t, filepath.Join(dir, "chart.png"))
}

func decodePNG(t *testing.T, path string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := png.Decode(f); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// TestBadInput runs the binary on each kind of broken input and checks the
// exit code, the one-line message, and that the model and predictions of
// an earlier run are untouched.
func TestBadInput(t *testing.T) {
	dir := trainedDir(t)
	keep := map[string][]byte{}
	for _, name := range []string{"m.bin", "predictions.csv"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		keep[name] = b
	}
	bad := func(name string) string { return abs(t, filepath.Join("../../testdata/bad", name)) }
	gas := abs(t, realCSV)
	fixture := func(name string) string { return abs(t, filepath.Join("../../internal/lstm/testdata", name)) }
	longLine := filepath.Join(t.TempDir(), "long.csv")
	if err := os.WriteFile(longLine, append([]byte("Date,Close\n2020-01-01,"), bytes.Repeat([]byte("9"), 2<<20)...), 0o644); err != nil {
		t.Fatal(err)
	}
	truncated := filepath.Join(t.TempDir(), "truncated.bin")
	if err := os.WriteFile(truncated, keep["m.bin"][:len(keep["m.bin"])/2], 0o644); err != nil {
		t.Fatal(err)
	}
	pngFile := filepath.Join(t.TempDir(), "chart.png")
	if err := os.WriteFile(pngFile, []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), 0o644); err != nil {
		t.Fatal(err)
	}
	readOnly := filepath.Join(t.TempDir(), "ro")
	if err := os.WriteFile(readOnly, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	trainArgs := func(file string, extra ...string) []string {
		return append(append([]string{"train", file}, small...), extra...)
	}
	for _, tc := range []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"empty", trainArgs(bad("empty.csv")), 1, "empty"},
		{"header only", trainArgs(bad("header_only.csv")), 1, "no data"},
		{"binary", trainArgs(bad("binary.csv")), 1, "not a text CSV"},
		{"long line", trainArgs(longLine), 1, "longer than"},
		{"mixed separators", trainArgs(bad("mixed_separators.csv")), 1, "mixed_separators.csv:2"},
		{"overflow", trainArgs(bad("overflow.csv")), 1, "overflow.csv:52:2"},
		{"inf", trainArgs(bad("inf.csv")), 1, "inf.csv:32:2"},
		{"duplicate date", trainArgs(bad("duplicate_date.csv")), 1, "duplicate"},
		{"bad date", trainArgs(bad("bad_date.csv")), 1, "bad_date.csv:22:1"},
		{"text in number", trainArgs(bad("text_in_number.csv")), 1, "text_in_number.csv:27:2"},
		{"too short", trainArgs(bad("short.csv"), "--lookback", "60"), 1, "need at least"},
		{"constant", trainArgs(bad("constant.csv")), 1, "constant"},
		{"negative with return target", trainArgs(bad("negative.csv"), "--target", "return"), 1, "positive"},
		{"missing file", trainArgs(bad("nonexistent.csv")), 1, "nonexistent.csv"},
		{"lookback 0", trainArgs(gas, "--lookback", "0"), 2, "--lookback"},
		{"units 0", trainArgs(gas, "--units", "0"), 2, "--units"},
		{"epochs 0", trainArgs(gas, "--epochs", "0"), 2, "--epochs"},
		{"no training windows", trainArgs(gas, "--val-split", "0.6", "--test-split", "0.4"), 2, "--val-split"},
		{"model in missing dir", trainArgs(gas, "--model", "no/such/dir/m.bin"), 2, "--model"},
		{"model dir not a dir", trainArgs(gas, "--model", filepath.Join(readOnly, "m.bin")), 2, "--model"},
		{"horizon 0", []string{"predict", "--horizon", "0"}, 2, "--horizon"},
		{"predict out in missing dir", []string{"predict", "--out", "no/dir/p.csv"}, 2, "--out"},
		{"empty model", []string{"predict", "--model", bad("empty.csv")}, 1, "empty"},
		{"truncated model", []string{"predict", "--model", truncated}, 1, "truncated"},
		{"png as model", []string{"predict", "--model", pngFile}, 1, "not a safetensors file"},
		{"future format", []string{"predict", "--model", fixture("file_future_format.safetensors")}, 1, "newer lstmfc"},
		{"NaN weight", []string{"predict", "--model", fixture("file_nan_weight.safetensors")}, 1, "holds NaN"},
		{"missing lookback", []string{"predict", "--model", fixture("file_no_lookback.safetensors")}, 1, `no "lookback"`},
		{"exploding loss", trainArgs(gas, "--lr", "1e300"), 1, "saved the initial weights, the last finite ones, to m.partial.bin; try a lower --lr or set --clip"},
		{"plain safetensors", []string{"predict", "--model", bad("pytorch_export.safetensors")}, 1, `not an lstmfc model`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runBinary(t, dir, tc.args...)
			if code != tc.code || !strings.Contains(stderr, tc.msg) {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", code, stderr, tc.code, tc.msg)
			}
			if strings.Contains(stderr, "goroutine ") || strings.Contains(stderr, "panic") {
				t.Errorf("a stack trace reached the user: %s", stderr)
			}
			for name, want := range keep {
				got, err := os.ReadFile(filepath.Join(dir, name))
				if err != nil || !bytes.Equal(got, want) {
					t.Errorf("%s changed (err %v)", name, err)
				}
			}
		})
	}
}

// startReadingStderr starts cmd and returns a scanner of its standard
// error, line by line, as it runs.
func startReadingStderr(t *testing.T, cmd *exec.Cmd) *bufio.Scanner {
	t.Helper()
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return bufio.NewScanner(stderr)
}

// interruptTraining starts a long training run in dir, sends sig once the
// second epoch is reported, and returns the exit code and stderr's lines.
func interruptTraining(t *testing.T, dir string, sig syscall.Signal) (int, []string) {
	t.Helper()
	cmd := exec.Command(binary, "train", "--lookback", "10", "--units", "6,5", "--epochs", "100000", "--patience", "0", abs(t, realCSV))
	cmd.Dir = dir
	sc := startReadingStderr(t, cmd)
	var lines []string
	for sc.Scan() {
		lines = append(lines, sc.Text())
		if strings.HasPrefix(sc.Text(), "epoch 2/") {
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			break
		}
	}
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var err error
	select {
	case err = <-done:
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("training did not stop within 30 s of %v", sig)
	}
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		t.Fatalf("training exited with %v after %v; stderr:\n%s", err, sig, strings.Join(lines, "\n"))
	}
	return ee.ExitCode(), lines
}

// TestInterrupt stops training with SIGINT, then SIGTERM: each run must stop
// at the end of a batch, save the best weights so far where it says, and
// exit 128 + the signal. The first run has no model to replace and writes
// m.bin; the second must leave that finished model alone and write
// m.partial.bin. Both saved models must load and predict.
func TestInterrupt(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		sig   syscall.Signal
		code  int
		saved string
	}{
		{syscall.SIGINT, 130, "m.bin"},
		{syscall.SIGTERM, 143, "m.partial.bin"},
	} {
		before, _ := os.ReadFile(filepath.Join(dir, "m.bin"))
		code, lines := interruptTraining(t, dir, tc.sig)
		last := lines[len(lines)-1]
		if code != tc.code || !strings.Contains(last, "interrupted") || !strings.HasSuffix(last, " "+tc.saved) {
			t.Fatalf("%v: exit %d, last line %q; want exit %d and a line saying it saved to %s", tc.sig, code, last, tc.code, tc.saved)
		}
		if after, _ := os.ReadFile(filepath.Join(dir, "m.bin")); before != nil && !bytes.Equal(before, after) {
			t.Errorf("%v: the finished run's m.bin was replaced by an unfinished one", tc.sig)
		}
		if code, _, stderr := runBinary(t, dir, "predict", "--quiet", "--model", tc.saved, "--out", "p.csv"); code != 0 {
			t.Fatalf("predict with %s: exit %d: %s", tc.saved, code, stderr)
		}
	}
}
