package main

import (
	"context"
	"image/png"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/lstmfc/lstmfc/internal/forecast"
)

// TestGradient measures two models, one with its initial weights, and
// checks the CSV against forecast's LagGradient value for value, and that
// the chart is a PNG.
func TestGradient(t *testing.T) {
	dir := t.TempDir()
	rnn, gru := filepath.Join(dir, "rnn.bin"), filepath.Join(dir, "gru.bin")
	// Each model's initial weights are those of its own training seed.
	seeds := map[string]uint64{rnn: 7, gru: 1}
	for path, cell := range map[string]string{rnn: "rnn", gru: "gru"} {
		args := []string{"train", "--cell", cell, "--synthetic", "longmemory", "--length", "300", "--model", path, "--seed", strconv.FormatUint(seeds[path], 10)}
		if code, _, stderr := run(t, append(args, small...)...); code != exitOK {
			t.Fatalf("train --cell %s: exit %d: %s", cell, code, stderr)
		}
	}
	out, chart := filepath.Join(dir, "g.csv"), filepath.Join(dir, "g.png")
	code, _, stderr := run(t, "gradient", "--model", rnn, "--model", gru, "--initial", "--out", out, "--chart", chart)
	if code != exitOK {
		t.Fatalf("gradient: exit %d: %s", code, stderr)
	}
	if strings.Count(stderr, "\n") != 4 || !strings.Contains(stderr, "gru.bin initial: lag 1 ") {
		t.Errorf("stderr %q; want a line for each of the 4 curves", stderr)
	}
	rows := readCSV(t, out)
	if got, want := strings.Join(rows[0], ","), "lag,rnn.bin,rnn.bin initial,gru.bin,gru.bin initial"; got != want {
		t.Fatalf("header %q, want %q", got, want)
	}
	if len(rows) != 1+10 {
		t.Fatalf("%d rows, want a header and one per lag of the lookback of 10", len(rows))
	}
	for c, path := range []string{rnn, gru} {
		m, err := forecast.Load(context.Background(), path)
		if err != nil {
			t.Fatal(err)
		}
		init, err := m.Initial(seeds[path])
		if err != nil {
			t.Fatal(err)
		}
		for i, model := range []*forecast.Model{m.Model, init} {
			want, err := model.LagGradient(context.Background(), m.Series.Values)
			if err != nil {
				t.Fatal(err)
			}
			col := 1 + 2*c + i
			for k, row := range rows[1:] {
				if row[0] != strconv.Itoa(k+1) || row[col] != strconv.FormatFloat(want[k], 'g', -1, 64) {
					t.Errorf("%s: row %v, want lag %d and %v in column %d", rows[0][col], row, k+1, want[k], col)
				}
			}
		}
	}
	f, err := os.Open(chart)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := png.Decode(f); err != nil {
		t.Errorf("the chart does not decode: %v", err)
	}
	for _, args := range [][]string{
		{"gradient", "--out", out},
		{"gradient", "--model", rnn, "--chart", filepath.Join(dir, "g.gif")},
		{"gradient", "--model", filepath.Join(dir, "none.bin"), "--out", out},
	} {
		if code, _, stderr := run(t, args...); code == exitOK || strings.Count(stderr, "\n") != 1 {
			t.Errorf("%v: exit %d, stderr %q; want a one-line error", args, code, stderr)
		}
	}
}

// TestGradientInitialSeed checks that --seed overrides the seed a model
// records for --initial, and that a model recording none (a PyTorch export)
// needs it.
func TestGradientInitialSeed(t *testing.T) {
	dir := t.TempDir()
	path, out := filepath.Join(dir, "rnn.bin"), filepath.Join(dir, "g.csv")
	if code, _, stderr := run(t, append([]string{"train", "--cell", "rnn", "--synthetic", "longmemory", "--length", "300", "--model", path, "--seed", "7"}, small...)...); code != exitOK {
		t.Fatalf("train: exit %d: %s", code, stderr)
	}
	if code, _, stderr := run(t, "gradient", "--model", path, "--initial", "--seed", "3", "--out", out, "--quiet"); code != exitOK {
		t.Fatalf("gradient --seed 3: exit %d: %s", code, stderr)
	}
	m, err := forecast.Load(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	if !m.HasSeed || m.Seed != 7 {
		t.Errorf("the model file reads back with seed %d (recorded: %t), want 7", m.Seed, m.HasSeed)
	}
	init, err := m.Initial(3)
	if err != nil {
		t.Fatal(err)
	}
	want, err := init.LagGradient(context.Background(), m.Series.Values)
	if err != nil {
		t.Fatal(err)
	}
	for k, row := range readCSV(t, out)[1:] {
		if row[2] != strconv.FormatFloat(want[k], 'g', -1, 64) {
			t.Fatalf("lag %d: initial %s, want %v, the gradient of seed 3's weights", k+1, row[2], want[k])
		}
	}

	export := "../../testdata/models/pytorch-four-keys.safetensors"
	code, _, stderr := run(t, "gradient", "--model", export, "--data", realCSV, "--initial", "--out", out, "--quiet")
	if code == exitOK || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, "--seed") {
		t.Errorf("--initial on a model without a seed: exit %d, stderr %q; want a one-line error naming --seed", code, stderr)
	}
	if code, _, stderr := run(t, "gradient", "--model", export, "--data", realCSV, "--initial", "--seed", "1", "--out", out, "--quiet"); code != exitOK {
		t.Errorf("--initial --seed 1 on a model without a seed: exit %d: %s", code, stderr)
	}
}
