package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBacktestHorizon runs a three-step backtest: the JSON has every step,
// the CSV every origin × step whose value is known, the text the chosen
// steps and a verdict.
func TestBacktestHorizon(t *testing.T) {
	data := "../../testdata/bad/negative.csv" // 120 business days, delta target
	out := filepath.Join(t.TempDir(), "steps.csv")
	code, stdout, stderr := run(t, append([]string{"backtest", "--folds", "2", "--horizon", "3", "--csv", out, "--json", data}, small...)...)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var bt struct {
		Overall struct{ Rows int }
		Steps   struct {
			Horizon, Origins int
			PerStep          []struct {
				Step, Rows int
				Verdict    struct {
					Best string `json:"best_baseline"`
					DM   struct {
						P *float64 `json:"p_value"`
					} `json:"diebold_mariano"`
				}
				SeasonalNaive map[string]*float64 `json:"seasonal_naive"`
			} `json:"per_step"`
			Overall struct{ Rows int }
		}
	}
	if err := json.Unmarshal([]byte(stdout), &bt); err != nil {
		t.Fatal(err)
	}
	s := bt.Steps
	if s.Horizon != 3 || s.Origins != 60 || len(s.PerStep) != 3 || s.Overall.Rows != 3*58 || bt.Overall.Rows != 60 {
		t.Fatalf("steps %+v, overall rows %d", s, bt.Overall.Rows)
	}
	for i, st := range s.PerStep {
		if st.Step != i+1 || st.Rows != 60-i || st.Verdict.Best == "" || st.Verdict.DM.P == nil || st.SeasonalNaive["rmse"] == nil {
			t.Errorf("step %d: %+v", i+1, st)
		}
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	if len(lines) != 1+60+59+58 || lines[0] != "origin,target,step,actual,predicted,lo80,hi80,lo95,hi95" || !strings.HasPrefix(lines[1], "2020-03-24,2020-03-25,1,") {
		t.Errorf("CSV of %d lines, starting:\n%s", len(lines), strings.Join(lines[:min(3, len(lines))], "\n"))
	}
	code, stdout, stderr = run(t, append([]string{"backtest", "--folds", "2", "--horizon", "3", data}, small...)...)
	if code != exitOK || !strings.Contains(stdout, "\nForecasts 1 to 3 steps ahead from 60 origins") || !strings.Contains(stdout, "\nOver all 3 steps: ") ||
		!strings.Contains(stdout, "the best baseline") {
		t.Errorf("text: exit %d, %s\n%s", code, stderr, stdout)
	}
}

// TestBacktestHorizonOneUnchanged: the default --horizon 1 prints no
// multi-step part.
func TestBacktestHorizonOneUnchanged(t *testing.T) {
	code, stdout, stderr := run(t, append([]string{"backtest", "--folds", "2", "--json", "../../testdata/bad/negative.csv"}, small...)...)
	if code != exitOK || strings.Contains(stdout, `"steps"`) || !strings.Contains(stdout, `"verdict"`) {
		t.Errorf("exit %d, %s\n%s", code, stderr, stdout)
	}
}

func TestBacktestHorizonRefused(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		args []string
		msg  string
	}{
		{[]string{"--horizon", "0"}, "--horizon: must be at least 1, got 0"},
		{[]string{"--horizon", "-3"}, "--horizon: must be at least 1, got -3"},
		{[]string{"--horizon", "251"}, "--horizon: must be at most 250, got 251"},
		// The first fold's validation span (1% of half the series) is too
		// short for the horizon: refused before any fold trains.
		{[]string{"-q", "--horizon", "100", "--val-split", "0.01"}, "--horizon: 100 steps are more than the"},
		{[]string{"--csv", filepath.Join(dir, "s.csv")}, "--csv: needs --horizon 2 or more"},
		{[]string{"--horizon", "2", "--csv", filepath.Join(dir, "no", "s.csv")}, "--csv: cannot write"},
		{[]string{"--horizon", "2", "--csv", "-"}, "--csv: needs a file name: standard output holds the report"},
	} {
		code, stdout, stderr := run(t, append(append([]string{"backtest"}, tc.args...), realCSV)...)
		if code != exitUsage || stdout != "" || !strings.Contains(stderr, tc.msg) || strings.Count(strings.TrimSpace(stderr), "\n") > 0 {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 and one line with %q", tc.args, code, stderr, tc.msg)
		}
	}
}
