package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// TestTrainReportsEveryStep: train --horizon 7 scores its test span at
// every step, in JSON (a per-step array of 7, step k over k-1 fewer
// origins than step 1, whose model RMSE is the one-step test report's) and
// in text (the table of steps 1, 5 and 7 and all steps); a model of one
// step reports neither.
func TestTrainReportsEveryStep(t *testing.T) {
	model := filepath.Join(t.TempDir(), "m.bin")
	args := append([]string{"train", "--model", model, "--horizon", "7", realCSV}, small...)
	code, stdout, stderr := run(t, append(args, "--json")...)
	if code != exitOK {
		t.Fatalf("train --json: exit %d: %s", code, stderr)
	}
	var r struct {
		Test struct {
			Rows int
			LSTM struct{ RMSE float64 }
		}
		Steps *struct {
			Horizon, Origins int
			PerStep          []struct {
				Step, Rows int
				LSTM       struct{ RMSE float64 }
				Coverage   map[string]float64
			} `json:"per_step"`
		}
	}
	if err := json.Unmarshal([]byte(stdout), &r); err != nil {
		t.Fatal(err)
	}
	if r.Steps == nil || r.Steps.Horizon != 7 || r.Steps.Origins != r.Test.Rows || len(r.Steps.PerStep) != 7 {
		t.Fatalf("steps %+v; want 7 steps from the %d test origins", r.Steps, r.Test.Rows)
	}
	for i, s := range r.Steps.PerStep {
		if s.Step != i+1 || s.Rows != r.Test.Rows-i || len(s.Coverage) != 2 {
			t.Errorf("step %d: %+v; want step %d over %d rows with 2 coverages", i+1, s, i+1, r.Test.Rows-i)
		}
	}
	if got, want := r.Steps.PerStep[0].LSTM.RMSE, r.Test.LSTM.RMSE; got != want {
		t.Errorf("step 1 RMSE %v, one-step test RMSE %v", got, want)
	}

	code, stdout, stderr = run(t, args...)
	if code != exitOK {
		t.Fatalf("train: exit %d: %s", code, stderr)
	}
	_, steps, ok := strings.Cut(stdout, "Test span, every step ahead: Forecasts 1 to 7 steps ahead")
	if !ok {
		t.Fatalf("no per-step table:\n%s", stdout)
	}
	var labels []string
	for _, line := range strings.Split(steps, "\n")[2:] {
		if f := strings.Fields(line); len(f) > 0 && f[0] != "Over" {
			labels = append(labels, f[0])
		}
	}
	if strings.Join(labels, " ") != "1 5 7 all" || !strings.Contains(steps, "Over all 7 steps: ") {
		t.Errorf("rows %v; want 1 5 7 all and a verdict over all steps:\n%s", labels, steps)
	}

	code, stdout, _ = run(t, append([]string{"train", "--model", model, realCSV, "--json"}, small...)...)
	if code != exitOK || strings.Contains(stdout, `"steps"`) {
		t.Errorf("one step: exit %d, report has steps:\n%s", code, stdout)
	}
	if code, stdout, _ = run(t, append([]string{"train", "--model", model, realCSV}, small...)...); code != exitOK || strings.Contains(stdout, "every step ahead") {
		t.Errorf("one step: exit %d, report has steps:\n%s", code, stdout)
	}
}
