package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestHorizonBadInput: a horizon train cannot take is a usage error (exit
// 2) of one line naming the flag, and a --data series too short for the
// model's window is an error (exit 1) naming the file and both lengths.
func TestHorizonBadInput(t *testing.T) {
	dir := t.TempDir()
	model := filepath.Join(dir, "m.bin")
	for _, tc := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"train", "--horizon", "0", realCSV}, exitUsage, "--horizon: must be between 1 and 250 steps, got 0"},
		{[]string{"train", "--horizon", "-3", realCSV}, exitUsage, "--horizon: must be between 1 and 250 steps, got -3"},
		{[]string{"train", "--horizon", "251", realCSV}, exitUsage, "--horizon: must be between 1 and 250 steps, got 251"},
		{[]string{"train", "--strategy", "sideways", realCSV}, exitUsage, "--strategy"},
		// The validation span of 50 values cannot hold a forecast of 60 steps.
		{[]string{"train", "--horizon", "60", "--length", "330", "--val-split", "0.15"}, exitUsage, "--horizon: 60 steps are more than the 50 validation values"},
		{[]string{"predict", "--horizon", "-1"}, exitUsage, "--horizon: must be at least 1, got -1"},
	} {
		code, _, stderr := run(t, append(tc.args, "--model", model, "--quiet")...)
		if code != tc.code || !strings.Contains(stderr, tc.msg) || strings.Count(stderr, "\n") != 1 {
			t.Errorf("%v: exit %d, stderr %q; want exit %d and one line with %q", tc.args, code, stderr, tc.code, tc.msg)
		}
	}
	if code, _, stderr := run(t, append([]string{"train", "--model", model, "--horizon", "2", realCSV}, small...)...); code != exitOK {
		t.Fatalf("train: exit %d: %s", code, stderr)
	}
	short := filepath.Join(dir, "short.csv")
	if err := os.WriteFile(short, []byte("Date,Close\n2024-01-01,1\n2024-01-02,2\n2024-01-03,3\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := run(t, "predict", "--quiet", "--model", model, "--data", short, "--out", "-")
	if want := short + ": need at least 11 values to forecast with lookback 10, got 3"; code != exitFailure || !strings.Contains(stderr, want) {
		t.Errorf("short --data: exit %d, stderr %q; want exit %d and %q", code, stderr, exitFailure, want)
	}
}

// TestPredictDirectHorizon: a direct model of 3 steps forecasts 3 rows in
// one pass, silently; 5 rows chain a second pass, which stderr says.
func TestPredictDirectHorizon(t *testing.T) {
	dir := t.TempDir()
	model := filepath.Join(dir, "m.bin")
	if code, _, stderr := run(t, append([]string{"train", "--model", model, "--horizon", "3", "--strategy", "direct", realCSV}, small...)...); code != exitOK {
		t.Fatalf("train: exit %d: %s", code, stderr)
	}
	for _, tc := range []struct {
		horizon string
		rows    int
		note    string
	}{{"3", 3, ""}, {"5", 5, "the model forecasts 3 steps in one pass; steps 4-5 chain further passes from its own forecasts"}} {
		code, stdout, stderr := run(t, "predict", "--model", model, "--horizon", tc.horizon, "--forecast-only", "--out", "-")
		rows := strings.Count(stdout, ",forecast")
		switch {
		case code != exitOK:
			t.Errorf("horizon %s: exit %d: %s", tc.horizon, code, stderr)
		case rows != tc.rows:
			t.Errorf("horizon %s: %d forecast rows:\n%s", tc.horizon, rows, stdout)
		case tc.note == "" && strings.Contains(stderr, "chain"), tc.note != "" && !strings.Contains(stderr, tc.note):
			t.Errorf("horizon %s: stderr %q, want note %q", tc.horizon, stderr, tc.note)
		}
	}
}

// TestPredictSaysNoSkill trains on a random walk, where the network shows
// no skill on its validation span: predict says so on stderr (not with
// --quiet), and every forecast is the last price.
func TestPredictSaysNoSkill(t *testing.T) {
	model := filepath.Join(t.TempDir(), "m.bin")
	code, stdout, stderr := run(t, append([]string{"train", "--synthetic", "geometric", "--length", "400", "--model", model, "--json"}, small...)...)
	var rep struct{ Notes []string }
	if code != exitOK || json.Unmarshal([]byte(stdout), &rep) != nil || len(rep.Notes) == 0 || !strings.HasPrefix(rep.Notes[0], "no skill: ") {
		t.Fatalf("train: exit %d, notes %q: %s", code, rep.Notes, stderr)
	}
	code, stdout, stderr = run(t, "predict", "--model", model, "--horizon", "3", "--out", "-")
	if code != exitOK || !strings.Contains(stderr, "m.bin: no skill: on the validation span") {
		t.Fatalf("predict: exit %d, stderr %q; want a note that the model showed no skill", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	last := strings.Split(lines[len(lines)-4], ",")[1] // the last actual value
	for _, l := range lines[len(lines)-3:] {
		if f := strings.Split(l, ","); f[2] != last {
			t.Errorf("forecast row %q, want the last price %s", l, last)
		}
	}
	if _, _, stderr := run(t, "predict", "--quiet", "--model", model, "--out", "-"); strings.Contains(stderr, "no skill") {
		t.Errorf("--quiet: stderr %q", stderr)
	}
}
