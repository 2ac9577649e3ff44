package lstm

import (
	"context"
	"errors"
	"math"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// windows is a Dataset of the windows of one series: sample i is
// s[i:i+steps] with target s[i+steps].
type windows struct {
	s     []float64
	steps int
}

func (w windows) Len() int { return len(w.s) - w.steps }

func (w windows) Sample(i int, x, y []float64) {
	copy(x, w.s[i:i+w.steps])
	y[0] = w.s[i+w.steps]
}

// sine returns n points of a sine wave scaled to [0.1, 0.9].
func sine(n int, phase float64) []float64 {
	s := make([]float64, n)
	for i := range s {
		s[i] = 0.5 + 0.4*math.Sin(phase+float64(i)*0.3)
	}
	return s
}

func newModel(t *testing.T, units ...int) *Model {
	t.Helper()
	return newCellModel(t, LSTM, 1, units...)
}

// newCellModel returns a model of the cell, one input and the outputs,
// initialised as Keras does.
func newCellModel(t *testing.T, cell Cell, outputs int, units ...int) *Model {
	t.Helper()
	m, err := NewCell(cell, 1, units, outputs)
	if err != nil {
		t.Fatal(err)
	}
	m.InitKeras(3)
	return m
}

// lossOf returns the mean squared error of m over the windows of d, as
// Train measures the validation loss.
func lossOf(t *testing.T, m *Model, d Dataset, steps int) float64 {
	t.Helper()
	loss, err := newEvaluator(m, steps, min(d.Len(), evalBatch)).loss(context.Background(), m, d)
	if err != nil {
		t.Fatal(err)
	}
	return loss
}

func TestTrainLossDecreases(t *testing.T) {
	m := newModel(t, 8)
	train := windows{sine(120, 0), 10}
	val := windows{sine(60, 1), 10}
	before := lossOf(t, m, val, 10)
	res, err := Train(context.Background(), m, train, val,
		TrainConfig{Steps: 10, Epochs: 15, BatchSize: 8, LR: 1e-2, Seed: 1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.History) != 15 || res.Epochs != 15 {
		t.Fatalf("%d epochs in the history, %d completed, want 15", len(res.History), res.Epochs)
	}
	first, last := res.History[0].Loss, res.History[14].Loss
	if !(last < first/4) {
		t.Errorf("training loss went from %v to %v, want a fourfold decrease", first, last)
	}
	after := lossOf(t, m, val, 10)
	if after != res.BestValLoss || !(after < before/4) {
		t.Errorf("validation loss %v before, %v after, best %v: want the best, and a fourfold decrease",
			before, after, res.BestValLoss)
	}
}

// worsening is a validation Dataset whose targets move further away each
// time it is read, so that only the first epoch's validation loss is the
// best.
type worsening struct {
	windows
	reads *int
}

func (w worsening) Sample(i int, x, y []float64) {
	*w.reads++
	w.windows.Sample(i, x, y)
	y[0] += float64(*w.reads)
}

func TestTrainEarlyStoppingKeepsBest(t *testing.T) {
	m := newModel(t, 4)
	val := worsening{windows{sine(30, 2), 5}, new(int)}
	var atBest *Model
	res, err := Train(context.Background(), m, windows{sine(40, 0), 5}, val,
		TrainConfig{Steps: 5, Epochs: 10, BatchSize: 4, Patience: 2, Seed: 1},
		func(s EpochStats) {
			if s.Best {
				atBest = m.Clone()
			}
		})
	if err != nil {
		t.Fatal(err)
	}
	if !res.EarlyStopped || res.Epochs != 3 || res.BestEpoch != 1 {
		t.Fatalf("early stopped %v after %d epochs, best epoch %d; want stopped after 3, best 1",
			res.EarlyStopped, res.Epochs, res.BestEpoch)
	}
	if !slices.Equal(m.Data, atBest.Data) {
		t.Error("the model does not hold the weights of the best epoch")
	}
}

func TestTrainDivergenceKeepsLastFiniteWeights(t *testing.T) {
	m := newModel(t, 4)
	initial := m.Clone()
	_, err := Train(context.Background(), m, windows{sine(40, 0), 5}, nil,
		TrainConfig{Steps: 5, Epochs: 3, BatchSize: 40, LR: 1e300, Seed: 1}, nil)
	// A library error names no command-line flag: the command adds the
	// hint.
	if !errors.Is(err, ErrDiverged) || strings.Contains(err.Error(), "--") {
		t.Fatalf("error %v, want ErrDiverged naming no flag", err)
	}
	// One batch per epoch: the first step's loss, at the initial weights, is
	// finite; the second, at the weights after a step of 1e300, is not.
	if !slices.Equal(m.Data, initial.Data) {
		t.Error("the model does not hold the last weights with a finite loss")
	}
}

func TestTrainCancel(t *testing.T) {
	m := newModel(t, 4)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var atEpoch1 *Model
	res, err := Train(ctx, m, windows{sine(40, 0), 5}, windows{sine(20, 1), 5},
		TrainConfig{Steps: 5, Epochs: 5, BatchSize: 4, LR: 1e-2, Seed: 1},
		func(s EpochStats) {
			atEpoch1 = m.Clone()
			cancel()
		})
	if !errors.Is(err, context.Canceled) || !res.Interrupted || res.Epochs != 1 {
		t.Fatalf("error %v, interrupted %v after %d epochs; want context.Canceled after 1", err, res.Interrupted, res.Epochs)
	}
	if !slices.Equal(m.Data, atEpoch1.Data) {
		t.Error("the model does not hold the best weights so far")
	}
}

func TestTrainBatchLargerThanSet(t *testing.T) {
	train := windows{sine(30, 0), 5}
	a, b := newModel(t, 4), newModel(t, 4)
	cfg := TrainConfig{Steps: 5, Epochs: 3, BatchSize: train.Len(), Seed: 9}
	if _, err := Train(context.Background(), a, train, nil, cfg, nil); err != nil {
		t.Fatal(err)
	}
	cfg.BatchSize = 1000
	if _, err := Train(context.Background(), b, train, nil, cfg, nil); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(a.Data, b.Data) {
		t.Error("a batch larger than the set trains differently from a batch of the whole set")
	}
}

// TestTrainDeterministicAcrossGOMAXPROCS trains every cell with batches
// split in halves and, at batch 1, with the layers pipelined (three layers,
// so that one goroutine runs two of them), which with GOMAXPROCS 1 run
// serially.
func TestTrainDeterministicAcrossGOMAXPROCS(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, cell := range cells {
		for _, c := range []struct {
			batch, outputs int
			units          []int
		}{{16, 1, []int{6, 5}}, {1, 1, []int{6, 5, 3}}, {16, 3, []int{6, 5}}, {1, 2, []int{6, 5, 3}}} {
			train := ahead{windows{sine(200, 0), 12}, c.outputs}
			cfg := TrainConfig{Steps: 12, Epochs: 2, BatchSize: c.batch, Clip: 0.5, Seed: 5}
			var runs [2]*Model
			for i, procs := range []int{1, 2} {
				runtime.GOMAXPROCS(procs)
				runs[i] = newCellModel(t, cell, c.outputs, c.units...)
				if _, err := Train(context.Background(), runs[i], train, ahead{windows{sine(40, 1), 12}, c.outputs}, cfg, nil); err != nil {
					t.Fatal(err)
				}
			}
			if !slices.Equal(runs[0].Data, runs[1].Data) {
				t.Errorf("%v, batch %d, units %v, %d outputs: training with GOMAXPROCS 1 and 2 gave different weights", cell, c.batch, c.units, c.outputs)
			}
		}
	}
}

// TestTrainSerialMatchesConcurrent trains every cell with and without
// Serial, with two cores, at batch 1 (three layers, which a concurrent
// trainer pipelines) and at batches split in halves, validation included:
// the weights and the losses must be bit-identical.
func TestTrainSerialMatchesConcurrent(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	for _, cell := range cells {
		for _, c := range []struct {
			batch, outputs int
			units          []int
		}{{1, 1, []int{6, 5, 3}}, {32, 1, []int{6, 5}}, {1, 2, []int{6, 5, 3}}, {32, 3, []int{7}}} {
			train := ahead{windows{sine(200, 0), 12}, c.outputs}
			// 135 validation windows: more than one evaluator batch, the
			// last of them odd, so that its halves differ in size.
			val := ahead{windows{sine(135+12+c.outputs-1, 1), 12}, c.outputs}
			var runs [2]*Model
			var results [2]TrainResult
			for i, serial := range []bool{false, true} {
				cfg := TrainConfig{Steps: 12, Epochs: 2, BatchSize: c.batch, Clip: 0.5, Seed: 5, Serial: serial}
				runs[i] = newCellModel(t, cell, c.outputs, c.units...)
				var err error
				if results[i], err = Train(context.Background(), runs[i], train, val, cfg, nil); err != nil {
					t.Fatal(err)
				}
			}
			if !slices.Equal(runs[0].Data, runs[1].Data) {
				t.Errorf("%v, batch %d, units %v, %d outputs: serial and concurrent training gave different weights", cell, c.batch, c.units, c.outputs)
			}
			for e := range results[0].History {
				a, b := results[0].History[e], results[1].History[e]
				if a.Loss != b.Loss || a.ValLoss != b.ValLoss {
					t.Errorf("%v, batch %d, epoch %d: losses %v and %v concurrent, %v and %v serial", cell, c.batch, a.Epoch, a.Loss, a.ValLoss, b.Loss, b.ValLoss)
				}
			}
		}
	}
}

// TestTrainStepAllocatesNothing checks that after its first step a trainer
// of every cell allocates nothing per step, at batch 1 (pipelined unless
// serial) and 32, concurrent and serial.
func TestTrainStepAllocatesNothing(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	for _, cell := range cells {
		for _, nb := range []int{1, 32} {
			for _, serial := range []bool{false, true} {
				m, x, y := randomProblem(t, cell, 2, []int{9, 5}, 3, 10, nb, 0.5, 3)
				tr := newTrainer(m, 10, nb, TrainConfig{Clip: 1}.optimizer())
				tr.serial = serial
				step := func() {
					tr.gradients(x, y)
					tr.applyGradients()
				}
				step()
				if a := testing.AllocsPerRun(20, step); a != 0 {
					t.Errorf("%v, batch %d, serial %v: %v allocations per training step, want 0", cell, nb, serial, a)
				}
			}
		}
	}
}

// ahead is a Dataset of the windows of one series with the next n values
// as targets: sample i is s[i:i+steps] with targets s[i+steps:i+steps+n].
type ahead struct {
	windows
	n int
}

func (a ahead) Len() int { return a.windows.Len() - a.n + 1 }

func (a ahead) Sample(i int, x, y []float64) {
	copy(x, a.s[i:i+a.steps])
	copy(y, a.s[i+a.steps:i+a.steps+a.n])
}

// TestTrainSeveralOutputs trains a head of three steps ahead for every
// cell: the loss must fall, and PredictAll must give Predict's outputs.
func TestTrainSeveralOutputs(t *testing.T) {
	const steps, outputs = 10, 3
	for _, cell := range cells {
		m := newCellModel(t, cell, outputs, 8)
		train, val := ahead{windows{sine(150, 0), steps}, outputs}, ahead{windows{sine(60, 1), steps}, outputs}
		before := lossOf(t, m, val, steps)
		if _, err := Train(context.Background(), m, train, val, TrainConfig{Steps: steps, Epochs: 30, BatchSize: 16, LR: 1e-2, Seed: 2}, nil); err != nil {
			t.Fatal(err)
		}
		if after := lossOf(t, m, val, steps); !(after < before/10) {
			t.Errorf("%v: validation loss %v after training, %v before: want at least 10 times lower", cell, after, before)
		}
		x, y := make([]float64, val.Len()*steps), make([]float64, val.Len()*outputs)
		for i := range val.Len() {
			val.Sample(i, x[i*steps:(i+1)*steps], y[i*outputs:(i+1)*outputs])
		}
		want := m.Predict(x, steps)
		got := make([]float64, len(want))
		if err := m.PredictAll(context.Background(), val, steps, got); err != nil {
			t.Fatal(err)
		}
		if len(want) != val.Len()*outputs || !slices.Equal(got, want) {
			t.Errorf("%v: PredictAll differs from Predict on the same windows", cell)
		}
		p := m.NewPredictor(steps)
		if o := p.Outputs(x[:steps]); !slices.Equal(o, want[:outputs]) || p.Predict(x[:steps]) != want[0] {
			t.Errorf("%v: Predictor gives %v, Predict %v", cell, o, want[:outputs])
		}
	}
}

func TestTrainRejectsBadConfig(t *testing.T) {
	train := windows{sine(30, 0), 5}
	for _, cfg := range []TrainConfig{
		{Steps: 0, Epochs: 1, BatchSize: 1},
		{Steps: 5, Epochs: 0, BatchSize: 1},
		{Steps: 5, Epochs: 1, BatchSize: 0},
		{Steps: 5, Epochs: 1, BatchSize: 1, Clip: -1},
		{Steps: 5, Epochs: 1, BatchSize: 1, Patience: -1},
	} {
		if _, err := Train(context.Background(), newModel(t, 2), train, nil, cfg, nil); err == nil {
			t.Errorf("%+v: no error", cfg)
		}
	}
	if _, err := Train(context.Background(), newModel(t, 2), windows{sine(5, 0), 5}, nil,
		TrainConfig{Steps: 5, Epochs: 1, BatchSize: 1}, nil); err == nil {
		t.Error("no error for an empty training set")
	}
}

// TestPredictAllMatchesPredict checks the Dataset path against Predict on
// the same windows, across more than one batch.
func TestPredictAllMatchesPredict(t *testing.T) {
	m, err := New(1, []int{5, 4})
	if err != nil {
		t.Fatal(err)
	}
	m.InitKeras(9)
	const steps = 7
	d := windows{s: sine(evalBatch+steps+30, 0.2), steps: steps}
	x, y := make([]float64, d.Len()*steps), make([]float64, d.Len())
	for i := range d.Len() {
		d.Sample(i, x[i*steps:(i+1)*steps], y[i:i+1])
	}
	want := m.Predict(x, steps)
	got := make([]float64, d.Len())
	if err := m.PredictAll(context.Background(), d, steps, got); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) {
		t.Errorf("PredictAll differs from Predict on the same windows:\n%v\n%v", got, want)
	}
}

// TestPredictorMatchesPredict runs one Predictor over many windows, as a
// recursive forecast does, against Predict on each.
func TestPredictorMatchesPredict(t *testing.T) {
	m, err := New(1, []int{5, 4})
	if err != nil {
		t.Fatal(err)
	}
	m.InitKeras(11)
	const steps = 6
	s := sine(40, 0.7)
	p := m.NewPredictor(steps)
	for i := 0; i+steps <= len(s); i += 5 {
		x := s[i : i+steps]
		if got, want := p.Predict(x), m.Predict(x, steps)[0]; got != want {
			t.Fatalf("window %d: Predictor %v, Predict %v", i, got, want)
		}
	}
}
