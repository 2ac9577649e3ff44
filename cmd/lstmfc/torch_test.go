package main

import (
	"math"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestPyTorchReproducesPredict runs scripts/lstmfc_torch.py, the PyTorch
// module the README points to, on models of each target, one step and
// direct models of 3 outputs (a forecast of 7 steps reads outputs 1..3,
// then chains two more blocks), and checks that it gives lstmfc predict's
// predictions and forecast to 1e-9 relative. It skips, saying why, without
// python3 and torch.
func TestPyTorchReproducesPredict(t *testing.T) {
	python, why := torchPython()
	if python == "" {
		t.Skipf("%s: apt-get install python3-torch python3-numpy to run scripts/lstmfc_torch.py against lstmfc", why)
	}
	dir := t.TempDir()
	for _, c := range []struct{ target, horizon string }{
		{"price", "1"}, {"return", "1"}, {"delta", "1"},
		{"price", "3"}, {"return", "3"}, {"delta", "3"},
	} {
		target := c.target + " horizon " + c.horizon
		model := filepath.Join(dir, c.target+c.horizon+".bin")
		code, _, stderr := run(t, append([]string{"train", "--model", model, "--target", c.target, "--length", "300",
			"--horizon", c.horizon, "--strategy", "direct"}, small...)...)
		if code != exitOK {
			t.Fatalf("train --target %s: exit %d: %s", target, code, stderr)
		}
		code, want, stderr := run(t, "predict", "--model", model, "--horizon", "7", "--out", "-", "--quiet")
		if code != exitOK {
			t.Fatalf("predict: exit %d: %s", code, stderr)
		}
		out, err := exec.Command(python, "../../scripts/lstmfc_torch.py", model, "--horizon", "7").Output()
		if err != nil {
			t.Fatalf("%s: lstmfc_torch.py: %v", target, err)
		}
		wantRows, gotRows := csvColumn(t, want, 2), csvColumn(t, string(out), 1)
		if len(gotRows) != len(wantRows) || len(wantRows) != 300+7 {
			t.Fatalf("%s: PyTorch gave %d rows, lstmfc %d; want 307", target, len(gotRows), len(wantRows))
		}
		for i, w := range wantRows {
			g := gotRows[i]
			if math.IsNaN(w) != math.IsNaN(g) || math.Abs(g-w) > 1e-9*math.Abs(w) {
				t.Errorf("%s: row %d: PyTorch %v, lstmfc %v", target, i, g, w)
			}
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
