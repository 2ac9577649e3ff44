package lstm

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
)

// The benchmarks run the tutorial's shape: 60-step windows of one feature,
// two layers of 50 units. BenchmarkTrain and BenchmarkPredict run the LSTM
// (under the names scripts/bench-vs-pytorch.sh reads), BenchmarkTrainGRU
// and so on the other cells.
const benchSteps = 60

func benchModel(b *testing.B, cell Cell, nb int) (m *Model, x, y []float64) {
	m, err := NewCell(cell, 1, []int{50, 50}, 1)
	if err != nil {
		b.Fatal(err)
	}
	m.InitKeras(1)
	rng := rand.New(rand.NewPCG(1, 2))
	x = make([]float64, nb*benchSteps)
	for i := range x {
		x[i] = rng.Float64()
	}
	y = make([]float64, nb)
	for i := range y {
		y[i] = rng.Float64()
	}
	return m, x, y
}

// BenchmarkTrain measures one training step of the LSTM: forward, backward
// and Adam.
func BenchmarkTrain(b *testing.B)    { benchTrain(b, LSTM) }
func BenchmarkTrainGRU(b *testing.B) { benchTrain(b, GRU) }
func BenchmarkTrainRNN(b *testing.B) { benchTrain(b, RNN) }

// benchTrain measures one training step of the cell at batches of 1 and 32.
func benchTrain(b *testing.B, cell Cell) {
	for _, nb := range []int{1, 32} {
		b.Run(fmt.Sprintf("batch=%d", nb), func(b *testing.B) {
			m, x, y := benchModel(b, cell, nb)
			tr := newTrainer(m, benchSteps, nb, TrainConfig{}.optimizer())
			tr.gradients(x, y)
			tr.applyGradients()
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				tr.gradients(x, y)
				tr.applyGradients()
			}
			b.ReportMetric(float64(b.N*nb)/b.Elapsed().Seconds(), "samples/s")
		})
	}
}

// BenchmarkPredict measures inference of the LSTM on a batch of windows.
func BenchmarkPredict(b *testing.B)    { benchPredict(b, LSTM) }
func BenchmarkPredictGRU(b *testing.B) { benchPredict(b, GRU) }
func BenchmarkPredictRNN(b *testing.B) { benchPredict(b, RNN) }

// benchPredict measures inference of the cell on a batch of 256 windows.
func benchPredict(b *testing.B, cell Cell) {
	const nb = 256
	b.Run(fmt.Sprintf("batch=%d", nb), func(b *testing.B) {
		m, x, _ := benchModel(b, cell, nb)
		b.ReportAllocs()
		for b.Loop() {
			m.Predict(x, benchSteps)
		}
		b.ReportMetric(float64(b.N*nb)/b.Elapsed().Seconds(), "samples/s")
	})
}

// spread is a Dataset of n windows of d drawn evenly from all of d, so that
// a benchmark of fixed work still reads the whole series.
type spread struct {
	d windows
	n int
}

func (s spread) Len() int { return s.n }

func (s spread) Sample(i int, x, y []float64) {
	s.d.Sample(i*(s.d.Len()/s.n), x, y)
}

// BenchmarkEpoch measures how the cost of Train grows: each op is one epoch
// of 8 batches of 32 windows spread over a random walk of n points with
// lookback T. The time per window must not depend on n, so that an epoch
// over all the windows of a series costs time in proportion to their
// number, and must grow in proportion to T; the memory allocated per op
// (the trainer's workspace) must not depend on n.
func BenchmarkEpoch(b *testing.B) {
	const batch, windowsPerOp = 32, 8 * 32
	for _, c := range []struct{ n, steps int }{{2000, 60}, {20000, 60}, {200000, 60}, {20000, 30}, {20000, 120}} {
		b.Run(fmt.Sprintf("n=%d/T=%d", c.n, c.steps), func(b *testing.B) {
			rng := rand.New(rand.NewPCG(1, 2))
			walk := make([]float64, c.n)
			for i := 1; i < c.n; i++ {
				walk[i] = walk[i-1] + rng.NormFloat64()
			}
			data := spread{windows{walk, c.steps}, windowsPerOp}
			m, err := New(1, []int{50, 50})
			if err != nil {
				b.Fatal(err)
			}
			m.InitKeras(1)
			cfg := TrainConfig{Steps: c.steps, Epochs: 1, BatchSize: batch}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Train(context.Background(), m, data, nil, cfg, nil); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(b.Elapsed().Seconds()*1e6/float64(b.N*windowsPerOp), "µs/window")
		})
	}
}
