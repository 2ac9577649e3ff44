package lstm

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"
)

// randomModel returns a model of cell with every parameter, biases too,
// drawn uniformly from [-0.6, 0.6).
func randomModel(t *testing.T, cell Cell, inputs int, units []int, outputs int, seed uint64) *Model {
	t.Helper()
	m, err := NewCell(cell, inputs, units, outputs)
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(seed, 1))
	for i := range m.Data {
		m.Data[i] = 1.2*r.Float64() - 0.6
	}
	return m
}

// TestInputGradientFiniteDifference checks the explicit input pass of each
// cell against central differences of the forward pass of inference, a
// separate implementation, on several windows of two features through two
// layers and a head of two outputs (the gradient is the first output's).
func TestInputGradientFiniteDifference(t *testing.T) {
	const (
		steps, inputs, windows = 7, 2, 3
		eps                    = 1e-5
	)
	for _, cell := range []Cell{LSTM, GRU, RNN} {
		m := randomModel(t, cell, inputs, []int{5, 4}, 2, uint64(cell)+1)
		r := rand.New(rand.NewPCG(9, 9))
		x := make([]float64, windows*steps*inputs)
		for i := range x {
			x[i] = 2*r.Float64() - 1
		}
		dx, err := m.InputGradient(x, steps)
		if err != nil {
			t.Fatal(err)
		}
		win := steps * inputs
		for i := range x {
			w := i / win
			one := append([]float64(nil), x[w*win:(w+1)*win]...)
			one[i-w*win] += eps
			up := m.Predict(one, steps)[0]
			one[i-w*win] -= 2 * eps
			down := m.Predict(one, steps)[0]
			fd := (up - down) / (2 * eps)
			if math.Abs(dx[i]-fd) > 1e-7*math.Abs(fd)+1e-9 {
				t.Errorf("%v: window %d value %d: gradient %.12g, finite difference %.12g", cell, w, i-w*win, dx[i], fd)
			}
		}
	}
}

// sliceData is a Dataset of windows held in one slice.
type sliceData struct {
	x   []float64
	win int
}

func (d sliceData) Len() int { return len(d.x) / d.win }

func (d sliceData) Sample(i int, x, y []float64) {
	copy(x, d.x[i*d.win:(i+1)*d.win])
	clear(y)
}

// TestMeanAbsInputGradient checks the mean over a dataset, drawn in
// several batches, against the mean of InputGradient's values, and that a
// cancelled context stops it.
func TestMeanAbsInputGradient(t *testing.T) {
	const steps, windows = 6, 2*gradBatch + 5
	m := randomModel(t, GRU, 1, []int{3}, 1, 4)
	r := rand.New(rand.NewPCG(2, 2))
	x := make([]float64, windows*steps)
	for i := range x {
		x[i] = r.NormFloat64()
	}
	dx, err := m.InputGradient(x, steps)
	if err != nil {
		t.Fatal(err)
	}
	want := make([]float64, steps)
	for i, v := range dx {
		want[i%steps] += math.Abs(v) / windows
	}
	got := make([]float64, steps)
	if err := m.MeanAbsInputGradient(context.Background(), sliceData{x, steps}, steps, got); err != nil {
		t.Fatal(err)
	}
	for i := range got {
		if math.Abs(got[i]-want[i]) > 1e-12*want[i] || got[i] == 0 {
			t.Errorf("step %d: mean |gradient| %g, want %g (non-zero)", i, got[i], want[i])
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := m.MeanAbsInputGradient(ctx, sliceData{x, steps}, steps, got); err != context.Canceled {
		t.Errorf("cancelled: error %v, want context.Canceled", err)
	}
	if err := m.MeanAbsInputGradient(context.Background(), sliceData{x, steps}, steps, got[1:]); err == nil {
		t.Error("a mean of the wrong length: no error")
	}
	if _, err := m.InputGradient(x[1:], steps); err == nil {
		t.Error("InputGradient on part of a window: no error")
	}
}
