package plot

import (
	"bytes"
	"image/png"
	"math"
	"strings"
	"testing"
)

func TestWriteLogLines(t *testing.T) {
	decay := func(rate float64) []float64 {
		y := make([]float64, 60)
		for i := range y {
			y[i] = math.Exp(-rate * float64(i))
		}
		return y
	}
	gap := decay(0.01)
	gap[10] = 0 // no logarithm: a gap, not an error
	lines := []Line{{"rnn", decay(0.5)}, {"gru", decay(0.1)}, {"lstm untrained", gap}}
	var b bytes.Buffer
	if err := WriteLogLines(&b, "png", lines, "Gradient by lag", "lag", "mean |dŷ/dx|", 6, 4); err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(&b)
	if err != nil {
		t.Fatalf("the PNG does not decode: %v", err)
	}
	if s := img.Bounds().Size(); s.X < 300 || s.Y < 200 {
		t.Errorf("a 6x4 inch chart of %v pixels", s)
	}
	b.Reset()
	if err := WriteLogLines(&b, "svg", lines, "Gradient by lag", "lag", "mean |dŷ/dx|", 6, 4); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"rnn", "gru", "lstm untrained", "Gradient by lag", "<svg"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("the SVG has no %q", want)
		}
	}
	for _, tc := range []struct {
		format string
		lines  []Line
	}{
		{"gif", lines},
		{"png", nil},
		{"png", []Line{{"flat", []float64{0, -1, math.NaN()}}}},
	} {
		if err := WriteLogLines(&b, tc.format, tc.lines, "", "", "", 6, 4); err == nil {
			t.Errorf("%s of %v: no error", tc.format, tc.lines)
		}
	}
}

// TestPowerTicks: the labels are whole powers of ten, over the decades gonum
// chooses.
func TestPowerTicks(t *testing.T) {
	var labels []string
	for _, tick := range (powerTicks{}).Ticks(3e-6, 0.2) {
		if tick.Label != "" {
			labels = append(labels, tick.Label)
		}
	}
	if got, want := strings.Join(labels, " "), "1e-5 1e-4 1e-3 1e-2 1e-1 1e0"; got != want {
		t.Errorf("labels %q, want %q", got, want)
	}
}
