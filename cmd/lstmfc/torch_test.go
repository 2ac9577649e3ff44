package main

import (
	"context"
	"fmt"
	"math"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/lstmfc/lstmfc/internal/forecast"
	"github.com/lstmfc/lstmfc/internal/series"
)

// TestPyTorchReproducesPredict runs scripts/lstmfc_torch.py, the PyTorch
// module the README points to, on models of each target, one step and
// direct models of 3 outputs (a forecast of 7 steps reads outputs 1..3,
// then chains two more blocks), and checks that it gives lstmfc predict's
// predictions and forecast to 1e-9 relative. The models trained on a
// random walk show no skill, so their forecasts are the last price; the
// same models with --raw-forecasts, and one given skill and a drift by
// hand, check the network's own forecasts and their adjustment. It skips,
// saying why, without python3 and torch.
func TestPyTorchReproducesPredict(t *testing.T) {
	python, why := torchPython()
	if python == "" {
		t.Skipf("%s: apt-get install python3-torch python3-numpy to run scripts/lstmfc_torch.py against lstmfc", why)
	}
	dir := t.TempDir()
	for _, c := range []struct {
		target, horizon string
		raw             bool
	}{
		{"price", "1", false}, {"return", "1", false}, {"delta", "1", false},
		{"price", "3", false}, {"return", "3", false}, {"delta", "3", false},
		{"price", "3", true}, {"return", "1", true}, {"delta", "3", true},
	} {
		name := fmt.Sprintf("%s horizon %s raw %v", c.target, c.horizon, c.raw)
		model := filepath.Join(dir, strings.ReplaceAll(name, " ", "-")+".bin")
		args := append([]string{"train", "--model", model, "--target", c.target, "--length", "300",
			"--horizon", c.horizon, "--strategy", "direct", fmt.Sprintf("--raw-forecasts=%v", c.raw)}, small...)
		if code, _, stderr := run(t, args...); code != exitOK {
			t.Fatalf("train %s: exit %d: %s", name, code, stderr)
		}
		checkTorch(t, python, model, name)
	}
	for _, target := range []forecast.Target{forecast.Return, forecast.Delta} {
		cfg := forecast.Config{Lookback: 10, Units: []int{4}, Target: target, Epochs: 2, BatchSize: 16, LR: 1e-3, Seed: 1,
			ValSplit: 0.1, TestSplit: 0.1, Levels: []float64{0.8}, Horizon: 3, Strategy: forecast.Recursive}
		prices := make([]float64, 300)
		for i := range prices {
			prices[i] = 100 + 10*math.Sin(float64(i)/7)
		}
		fit, err := forecast.Train(context.Background(), prices, cfg, nil)
		if err != nil {
			t.Fatal(err)
		}
		fit.Moves = &forecast.Moves{SkillT: 5, Drift: []float64{0.01, -0.02, 0.004}}
		model := filepath.Join(dir, "skilled-"+string(target)+".bin")
		if err := fit.Save(context.Background(), model, &series.Series{Values: prices}, nil); err != nil {
			t.Fatal(err)
		}
		checkTorch(t, python, model, "skilled recursive "+string(target))
	}
}

// checkTorch compares lstmfc_torch.py's predictions and 7-step forecast
// from model with lstmfc predict's, to 1e-9 relative.
func checkTorch(t *testing.T, python, model, name string) {
	t.Helper()
	code, want, stderr := run(t, "predict", "--model", model, "--horizon", "7", "--out", "-", "--quiet")
	if code != exitOK {
		t.Fatalf("%s: predict: exit %d: %s", name, code, stderr)
	}
	out, err := exec.Command(python, "../../scripts/lstmfc_torch.py", model, "--horizon", "7").Output()
	if err != nil {
		t.Fatalf("%s: lstmfc_torch.py: %v", name, err)
	}
	wantRows, gotRows := csvColumn(t, want, 2), csvColumn(t, string(out), 1)
	if len(gotRows) != len(wantRows) || len(wantRows) != 300+7 {
		t.Fatalf("%s: PyTorch gave %d rows, lstmfc %d; want 307", name, len(gotRows), len(wantRows))
	}
	for i, w := range wantRows {
		g := gotRows[i]
		if math.IsNaN(w) != math.IsNaN(g) || math.Abs(g-w) > 1e-9*math.Abs(w) {
			t.Errorf("%s: row %d: PyTorch %v, lstmfc %v", name, i, g, w)
		}
	}
}

// torchPython returns a python3 that imports torch and numpy: the one on
// PATH, else Debian's /usr/bin/python3, where apt installs python3-torch;
// or "" and why not.
func torchPython() (path, why string) {
	why = "python3 not found"
	candidates := []string{"/usr/bin/python3"}
	if p, err := exec.LookPath("python3"); err == nil {
		candidates = append([]string{p}, candidates...)
	}
	for _, p := range candidates {
		out, err := exec.Command(p, "-c", "import torch, numpy").CombinedOutput()
		if err == nil {
			return p, ""
		}
		if _, ok := err.(*exec.ExitError); ok {
			why = p + " cannot import torch and numpy (" + lastLine(string(out)) + ")"
		}
	}
	return "", why
}

// csvColumn returns column col of the rows of a CSV after its header, NaN
// where empty.
func csvColumn(t *testing.T, text string, col int) []float64 {
	t.Helper()
	var out []float64
	for _, line := range strings.Split(strings.TrimSpace(text), "\n")[1:] {
		f := strings.Split(line, ",")[col]
		v := math.NaN()
		if f != "" {
			var err error
			if v, err = strconv.ParseFloat(f, 64); err != nil {
				t.Fatalf("%q: %v", line, err)
			}
		}
		out = append(out, v)
	}
	return out
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}
