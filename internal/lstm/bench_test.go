package lstm

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// The benchmarks run the tutorial's shape: 60-step windows of one feature,
// two layers of 50 units.
const benchSteps = 60

func benchModel(b *testing.B, nb int) (m *Model, x, y []float64) {
	m, err := New(1, []int{50, 50})
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

// BenchmarkTrain measures one training step: forward, backward and Adam.
func BenchmarkTrain(b *testing.B) {
	for _, nb := range []int{1, 32} {
		b.Run(fmt.Sprintf("batch=%d", nb), func(b *testing.B) {
			m, x, y := benchModel(b, nb)
			tr := NewTrainer(m, benchSteps, nb, TrainConfig{})
			tr.Step(x, y)
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				tr.Step(x, y)
			}
			b.ReportMetric(float64(b.N*nb)/b.Elapsed().Seconds(), "samples/s")
		})
	}
}

// BenchmarkPredict measures inference on a batch of windows.
func BenchmarkPredict(b *testing.B) {
	const nb = 256
	b.Run(fmt.Sprintf("batch=%d", nb), func(b *testing.B) {
		m, x, _ := benchModel(b, nb)
		b.ReportAllocs()
		for b.Loop() {
			m.Predict(x, benchSteps)
		}
		b.ReportMetric(float64(b.N*nb)/b.Elapsed().Seconds(), "samples/s")
	})
}
