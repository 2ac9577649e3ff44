package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPredictDataUsesModelColumn checks that predict --data reads the
// column the model was trained on, not the file's default pick, when the
// file has it.
func TestPredictDataUsesModelColumn(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("Date,Open,Close\n")
	for i := range 120 {
		fmt.Fprintf(&b, "2020-%02d-%02d,%d,%d\n", 1+i/28, 1+i%28, 1000+i%7, 50+i%5)
	}
	data := filepath.Join(dir, "p.csv")
	if err := os.WriteFile(data, []byte(b.String()), 0o666); err != nil {
		t.Fatal(err)
	}
	model := filepath.Join(dir, "m.bin")
	if code, _, stderr := run(t, append([]string{"train", "--column", "open", "--model", model, data}, small...)...); code != 0 {
		t.Fatalf("train: exit %d: %s", code, stderr)
	}
	out := filepath.Join(dir, "out.csv")
	if code, _, stderr := run(t, "predict", "--model", model, "--data", data, "--out", out, "--quiet"); code != 0 {
		t.Fatalf("predict: exit %d: %s", code, stderr)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if row := strings.Split(string(got), "\n")[1]; !strings.HasPrefix(row, "2020-01-01,1000,") {
		t.Errorf("first row %q; want the Open price 1000, the model's column", row)
	}
	// A file without the model's column falls back to the default pick,
	// and says so.
	noOpen := filepath.Join(dir, "c.csv")
	if err := os.WriteFile(noOpen, []byte(strings.ReplaceAll(b.String(), "Open", "High")), 0o666); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := run(t, "predict", "--model", model, "--data", noOpen, "--out", out)
	if code != 0 || !strings.Contains(stderr, `no column "Open", the preferred one`) || !strings.Contains(stderr, `using column "Close"`) {
		t.Errorf("a file without the model's column: exit %d, stderr %q", code, stderr)
	}
}
