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
	for path, cell := range map[string]string{rnn: "rnn", gru: "gru"} {
		if code, _, stderr := run(t, append([]string{"train", "--cell", cell, "--synthetic", "longmemory", "--length", "300", "--model", path}, small...)...); code != exitOK {
			t.Fatalf("train --cell %s: exit %d: %s", cell, code, stderr)
		}
	}
	out, chart := filepath.Join(dir, "g.csv"), filepath.Join(dir, "g.png")
	code, _, stderr := run(t, "gradient", "--model", rnn, "--model", gru, "--initial", "--seed", "1", "--out", out, "--chart", chart)
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
		init, err := m.Initial(1)
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
