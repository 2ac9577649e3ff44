package lstm

import (
	"context"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
)

func TestNewRefusesSizesPastLimits(t *testing.T) {
	for _, c := range []struct {
		inputs int
		units  []int
		want   string
	}{
		{0, []int{4}, "lstm: input size must be between 1 and 1024, got 0"},
		{MaxInputs + 1, []int{4}, "lstm: input size must be between 1 and 1024, got 1025"},
		{1, nil, "lstm: need at least one layer"},
		{1, make([]int, MaxLayers+1), "lstm: 17 layers, at most 16"},
		{1, []int{4, 0}, "lstm: layer 2 has 0 units, want between 1 and 1024"},
		{1, []int{1_000_000_000}, "lstm: layer 1 has 1000000000 units, want between 1 and 1024"},
		{1, []int{-1 << 62}, "lstm: layer 1 has -4611686018427387904 units, want between 1 and 1024"},
		{1, []int{1024, 1024, 1024}, "lstm: a model of 1 inputs, lstm units [1024 1024 1024] and 1 outputs has 21001217 parameters, over the limit of 16777216"},
	} {
		if _, err := New(c.inputs, c.units); err == nil || err.Error() != c.want {
			t.Errorf("New(%d, %v): error %v, want %q", c.inputs, c.units, err, c.want)
		}
	}
	// The largest of each size alone is accepted.
	for _, c := range []struct {
		inputs int
		units  []int
	}{{MaxInputs, []int{1}}, {1, make([]int, MaxLayers)}, {1, []int{MaxUnits, MaxUnits}}} {
		for k := range c.units {
			c.units[k] = max(c.units[k], 1)
		}
		if _, err := New(c.inputs, c.units); err != nil {
			t.Errorf("New(%d, %v): %v", c.inputs, c.units, err)
		}
	}
}

// TestWorkspaceSize checks that workspaceSize counts what newWorkspace
// allocates for every cell and several outputs, as Train relies on it to
// refuse a batch before allocating.
func TestWorkspaceSize(t *testing.T) {
	for _, cell := range cells {
		m, err := NewCell(cell, 3, []int{5, 9, 2}, 4)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct{ batch, steps int }{{1, 1}, {4, 7}, {33, 60}} {
			ws := newWorkspace(m, newPackedModel(m), c.batch, c.steps)
			n := len(ws.out) + len(ws.dout) + len(ws.ones)
			for k := range ws.layers {
				s := &ws.layers[k]
				n += len(s.gates) + len(s.rec) + len(s.c) + len(s.tc) + len(s.h) + len(s.dh) + len(s.dhNext) + len(s.dcNext) + len(s.gradT)
			}
			if got, ok := workspaceSize(m, c.batch, c.steps); !ok || got != n {
				t.Errorf("%v, batch %d, steps %d: workspaceSize %d, %t; newWorkspace allocates %d", cell, c.batch, c.steps, got, ok, n)
			}
		}
	}
}

func TestTrainRefusesSizesPastLimits(t *testing.T) {
	m := newModel(t, 8)
	big, err := New(1, []int{1024, 1024})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		m    *Model
		cfg  TrainConfig
		want string
	}{
		{m, TrainConfig{Steps: 1 << 62, Epochs: 1, BatchSize: 1}, "lstm: window length must be between 1 and 1048576, got 4611686018427387904"},
		{m, TrainConfig{Steps: MaxSteps, Epochs: 1, BatchSize: 1 << 40}, "lstm: a batch of 1000000 windows of 1048576 steps needs more than 2048 MiB"},
		{big, TrainConfig{Steps: 60, Epochs: 1, BatchSize: 1024}, "lstm: a batch of 1024 windows of 60 steps needs more than 2048 MiB with units [1024 1024]"},
	} {
		_, err := Train(context.Background(), c.m, manyWindows{1_000_000}, nil, c.cfg, nil)
		if err == nil || !strings.HasPrefix(err.Error(), c.want) || strings.Contains(err.Error(), "--") {
			t.Errorf("%+v: error %v, want %q", c.cfg, err, c.want)
		}
	}
}

// manyWindows is a Dataset of n windows of zeros, which a test can make as
// long as it likes without memory.
type manyWindows struct{ n int }

func (d manyWindows) Len() int { return d.n }

func (d manyWindows) Sample(i int, x, y []float64) {
	clear(x)
	clear(y)
}

// cancellingWindows is manyWindows that calls cancel whenever a sample is
// drawn, and counts the samples drawn.
type cancellingWindows struct {
	manyWindows
	cancel context.CancelFunc
	drawn  *int
}

func (d cancellingWindows) Sample(i int, x, y []float64) {
	d.cancel()
	*d.drawn++
	d.manyWindows.Sample(i, x, y)
}

// TestTrainCancelWithinEpoch cancels in the first batch of an epoch of a
// million windows, seconds of work: Train must stop after that batch (no
// window of a second one drawn), and with no epoch finished, report none.
func TestTrainCancelWithinEpoch(t *testing.T) {
	m := newModel(t, 4)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	drawn := 0
	const batch = 4
	res, err := Train(ctx, m, cancellingWindows{manyWindows{1 << 20}, cancel, &drawn}, nil,
		TrainConfig{Steps: 5, Epochs: 1, BatchSize: batch, Seed: 1}, nil)
	if !errors.Is(err, context.Canceled) || !res.Interrupted || res.Epochs != 0 || res.BestEpoch != 0 {
		t.Fatalf("error %v, interrupted %t, %d epochs, best %d; want context.Canceled in epoch 1", err, res.Interrupted, res.Epochs, res.BestEpoch)
	}
	if drawn > batch {
		t.Errorf("Train drew %d windows after the cancellation in its first batch of %d", drawn, batch)
	}
}

// TestPredictAllCancel cancels while the first batch of windows is drawn:
// PredictAll must return before the next batch.
func TestPredictAllCancel(t *testing.T) {
	m := newModel(t, 4)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	drawn := 0
	d := cancellingWindows{manyWindows{1 << 20}, cancel, &drawn}
	out := make([]float64, d.Len())
	if err := m.PredictAll(ctx, d, 5, out); !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want context.Canceled", err)
	}
	if drawn > evalBatch {
		t.Errorf("PredictAll drew %d windows after the cancellation in its first batch of %d", drawn, evalBatch)
	}
}

func TestPredictAllRefusesBadSizes(t *testing.T) {
	m := newModel(t, 4)
	for _, c := range []struct {
		steps, n int
		want     string
	}{
		{0, 3, "lstm: window length must be between 1 and 1048576, got 0"},
		{1 << 62, 3, "lstm: window length must be between 1 and 1048576, got 4611686018427387904"},
		{5, 2, "lstm: PredictAll into 2 values for 3 samples of 1 outputs"},
	} {
		err := m.PredictAll(context.Background(), manyWindows{3}, c.steps, make([]float64, c.n))
		if err == nil || err.Error() != c.want {
			t.Errorf("steps %d, %d outputs: error %v, want %q", c.steps, c.n, err, c.want)
		}
	}
}

// targetWindows is a Dataset of n windows of 0.5 with target 1, whose loss
// has a gradient; it calls cancel, when not nil, on every sample drawn.
type targetWindows struct {
	n      int
	cancel context.CancelFunc
}

func (d targetWindows) Len() int { return d.n }

func (d targetWindows) Sample(i int, x, y []float64) {
	if d.cancel != nil {
		d.cancel()
	}
	for j := range x {
		x[j] = 0.5
	}
	for j := range y {
		y[j] = 1
	}
}

// TestTrainCancelDropsTheBatch cancels while the first batch is drawn: its
// gradients, possibly from an abandoned pass, are not applied, so the model
// keeps its initial weights; without the cancellation the same batch moves
// them.
func TestTrainCancelDropsTheBatch(t *testing.T) {
	for _, cancelled := range []bool{true, false} {
		m := newModel(t, 8, 8)
		initial := slices.Clone(m.Data)
		ctx, cancel := context.WithCancel(context.Background())
		d := targetWindows{n: 32}
		if cancelled {
			d.cancel = cancel
		}
		_, err := Train(ctx, m, d, nil, TrainConfig{Steps: 12, Epochs: 1, BatchSize: 32, Seed: 1}, nil)
		cancel()
		if cancelled && (!errors.Is(err, context.Canceled) || !slices.Equal(m.Data, initial)) {
			t.Errorf("cancelled in the first batch: error %v, weights changed %t; want context.Canceled and the initial weights", err, !slices.Equal(m.Data, initial))
		}
		if !cancelled && (err != nil || slices.Equal(m.Data, initial)) {
			t.Errorf("one batch: error %v, weights unchanged %t", err, slices.Equal(m.Data, initial))
		}
	}
}

// TestStoppedPassRunsNoStep: with the trainer's stop set, a pass over a
// batch of several windows leaves every layer's hidden states as they were
// (no chunk of steps ran), so a cancelled run never waits for a batch.
func TestStoppedPassRunsNoStep(t *testing.T) {
	m := newModel(t, 8, 8)
	const steps, batch = 12, 6
	tr := newTrainer(m, steps, batch, TrainConfig{}.optimizer())
	x, y := make([]float64, batch*steps), make([]float64, batch)
	tr.stop.Store(true)
	for _, h := range tr.halves {
		for k := range h.ws.layers {
			for i := range h.ws.layers[k].h {
				h.ws.layers[k].h[i] = math.NaN()
			}
		}
	}
	tr.gradients(x, y)
	for i, h := range tr.halves {
		for k := range h.ws.layers {
			if j := slices.IndexFunc(h.ws.layers[k].h, func(v float64) bool { return !math.IsNaN(v) }); j >= 0 {
				t.Fatalf("half %d, layer %d: hidden state %d was written after the stop", i, k, j)
			}
		}
	}
}
