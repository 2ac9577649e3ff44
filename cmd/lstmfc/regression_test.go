package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRegressionModels predicts with model files written by earlier
// lstmfc builds (and one PyTorch-style export with only the four required
// metadata keys) and checks that the predictions are byte for byte those
// that build wrote: a change to how model files are read must not change
// what an existing model predicts.
func TestRegressionModels(t *testing.T) {
	const dir = "../../testdata/models"
	models, err := filepath.Glob(filepath.Join(dir, "*.bin"))
	if err != nil {
		t.Fatal(err)
	}
	models = append(models, filepath.Join(dir, "pytorch-four-keys.safetensors"))
	if len(models) < 7 {
		t.Fatalf("found %d regression models in %s, want at least 7", len(models), dir)
	}
	for _, model := range models {
		t.Run(filepath.Base(model), func(t *testing.T) {
			want, err := os.ReadFile(model + ".predictions.csv")
			if err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(t.TempDir(), "p.csv")
			args := []string{"predict", "--quiet", "--model", model, "--horizon", "5", "--out", out}
			if strings.HasSuffix(model, ".safetensors") { // no stored series
				args = append(args, "--data", filepath.Join(dir, "gas250.csv"))
			}
			if code, _, stderr := run(t, args...); code != exitOK {
				t.Fatalf("predict exit %d: %s", code, stderr)
			}
			got, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("predictions differ from those the model's own build wrote (%d bytes vs %d)", len(got), len(want))
			}
		})
	}
}
