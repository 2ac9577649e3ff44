package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/lstmfc/lstmfc/internal/forecast"
)

// TestOutputsNeverReplaceInputs runs every command with an output that is
// one of its inputs, by name, through a hard link and through a symbolic
// link: each is refused with a usage error before any work, and the input
// keeps its bytes.
func TestOutputsNeverReplaceInputs(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "prices.csv")
	csv, err := os.ReadFile(realCSV)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(data, csv, 0o644); err != nil {
		t.Fatal(err)
	}
	model := filepath.Join(dir, "m.bin")
	if code, _, stderr := run(t, append([]string{"train", "--model", model, data}, small...)...); code != exitOK {
		t.Fatalf("train: exit %d: %s", code, stderr)
	}
	preds := filepath.Join(dir, "p.csv")
	if code, _, stderr := run(t, "predict", "-q", "--model", model, "--out", preds); code != exitOK {
		t.Fatalf("predict: exit %d: %s", code, stderr)
	}
	hard := filepath.Join(dir, "hard.csv")
	if err := os.Link(data, hard); err != nil {
		t.Fatal(err)
	}
	soft := filepath.Join(dir, "soft.bin")
	if err := os.Symlink(model, soft); err != nil {
		t.Fatal(err)
	}
	chart := filepath.Join(dir, "chart.png") // a link to an input, named as a chart
	if err := os.Symlink(preds, chart); err != nil {
		t.Fatal(err)
	}
	before := map[string][]byte{}
	for _, f := range []string{data, model, preds} {
		if before[f], err = os.ReadFile(f); err != nil {
			t.Fatal(err)
		}
	}
	for _, args := range [][]string{
		append([]string{"train", "--model", data, data}, small...),
		append([]string{"train", "--model", hard, data}, small...),
		{"predict", "--model", model, "--out", model},
		{"predict", "--model", model, "--out", soft},
		{"predict", "--model", model, "--data", data, "--out", hard},
		{"plot", "--predictions", preds, "--out", chart},
		{"plot", "--predictions", "-", "--font", chart, "--out", chart},
	} {
		code, _, stderr := run(t, args...)
		if code != exitUsage || !strings.Contains(stderr, "would replace the input") || strings.Count(stderr, "\n") != 1 {
			t.Errorf("%v: exit %d, stderr %q; want exit %d and one line saying it would replace the input", args, code, stderr, exitUsage)
		}
	}
	for f, b := range before {
		if got, _ := os.ReadFile(f); !bytes.Equal(got, b) {
			t.Errorf("%s changed", f)
		}
	}
	if fi, err := os.Lstat(soft); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("%s is no longer a symbolic link", soft)
	}
}

// TestOutputNames refuses output names no file can have before any work.
func TestOutputNames(t *testing.T) {
	for _, name := range []string{"", strings.Repeat("a", 256) + ".bin"} {
		code, _, stderr := run(t, "train", "--model", name, realCSV)
		if code != exitUsage || !strings.HasPrefix(stderr, "lstmfc train: --model: ") {
			t.Errorf("--model %q: exit %d, %q", name, code, stderr)
		}
	}
}

// TestPredictToDevicesAndFIFOs writes predictions into a FIFO's reader and
// to /dev/null, which stay what they were.
func TestPredictToDevicesAndFIFOs(t *testing.T) {
	dir := t.TempDir()
	model := filepath.Join(dir, "m.bin")
	if code, _, stderr := run(t, append([]string{"train", "--model", model, realCSV}, small...)...); code != exitOK {
		t.Fatalf("train: exit %d: %s", code, stderr)
	}
	if code, _, stderr := run(t, "predict", "-q", "--model", model, "--out", os.DevNull); code != exitOK {
		t.Fatalf("predict --out %s: exit %d: %s", os.DevNull, code, stderr)
	}
	if fi, err := os.Stat(os.DevNull); err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		t.Fatalf("%s is no longer a character device: %v", os.DevNull, fi.Mode())
	}
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("no FIFO here: %v", err)
	}
	got := make(chan []byte)
	go func() {
		b, _ := os.ReadFile(fifo)
		got <- b
	}()
	if code, _, stderr := run(t, "predict", "-q", "--model", model, "--out", fifo); code != exitOK {
		t.Fatalf("predict --out FIFO: exit %d: %s", code, stderr)
	}
	if b := <-got; !bytes.HasPrefix(b, []byte("date,")) {
		t.Errorf("the FIFO's reader got %.40q, want the predictions CSV", b)
	}
	if fi, err := os.Lstat(fifo); err != nil || fi.Mode()&os.ModeNamedPipe == 0 {
		t.Errorf("the FIFO was replaced: %v", fi.Mode())
	}
}

// TestModelToStandardOutput: a model saved to the file behind standard
// output (train --model /dev/stdout > m.bin) is not mixed with the report,
// which goes to standard error.
func TestModelToStandardOutput(t *testing.T) {
	dir := t.TempDir()
	stdout, err := os.Create(filepath.Join(dir, "out.bin"))
	if err != nil {
		t.Fatal(err)
	}
	defer stdout.Close()
	var errb bytes.Buffer
	args := append([]string{"train", "--model", stdout.Name(), realCSV}, small[:len(small)-1]...) // not --quiet
	code := execute(context.Background(), args, &streams{In: strings.NewReader(""), Out: stdout, Err: &errb})
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if !strings.Contains(errb.String(), "Test span") {
		t.Errorf("the report is not on standard error: %q", errb.String())
	}
	if _, err := forecast.Load(context.Background(), stdout.Name()); err != nil {
		t.Errorf("the model is not whole: %v", err)
	}
}
