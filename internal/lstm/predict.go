package lstm

import (
	"fmt"
	"sync"
)

// evalBatch is the number of windows an evaluator runs forward at once.
const evalBatch = 128

// evaluator runs a model forward, without gradients, over many windows in
// batches of at most evalBatch, each split in two halves that run
// concurrently.
type evaluator struct {
	steps  int
	packed *packedModel // the weights, packed once per call of loss or Predict
	halves [2]*workspace
	x      []float64 // evalBatch×steps×In: a batch of windows drawn from a Dataset
	y      []float64 // evalBatch: their targets
	out    []float64 // evalBatch: the model's outputs on the batch
}

func newEvaluator(m *Model, steps, batch int) *evaluator {
	first := (batch + 1) / 2
	packed := newPackedModel(m)
	return &evaluator{
		steps:  steps,
		packed: packed,
		halves: [2]*workspace{newWorkspace(m, packed, first, steps, false), newWorkspace(m, packed, batch-first, steps, false)},
		x:      make([]float64, batch*steps*m.Inputs()),
		y:      make([]float64, batch),
		out:    make([]float64, batch),
	}
}

// forward leaves in e.out[:nb] the outputs of m on the nb windows of x.
func (e *evaluator) forward(m *Model, x []float64, nb int) {
	first := (nb + 1) / 2
	win := e.steps * m.Inputs()
	var wg sync.WaitGroup
	if nb > first {
		wg.Go(func() { e.halves[1].forward(m, x[first*win:nb*win], nb-first) })
	}
	e.halves[0].forward(m, x[:first*win], first)
	wg.Wait()
	copy(e.out, e.halves[0].out[:first])
	copy(e.out[first:], e.halves[1].out[:nb-first])
}

// loss returns the mean squared error of m over d.
func (e *evaluator) loss(m *Model, d Dataset) float64 {
	n := d.Len()
	win := e.steps * m.Inputs()
	batch := len(e.y)
	e.packed.load(m)
	var sum float64
	for lo := 0; lo < n; lo += batch {
		nb := min(batch, n-lo)
		for b := range nb {
			e.y[b] = d.Sample(lo+b, e.x[b*win:(b+1)*win])
		}
		e.forward(m, e.x, nb)
		for b, o := range e.out[:nb] {
			r := o - e.y[b]
			sum += r * r
		}
	}
	return sum / float64(n)
}

// Predict returns the model's output for each window of x, which holds B
// windows of steps time steps of m.Inputs() features (B×steps×In,
// batch-major). It panics if len(x) is not a multiple of steps·In.
func (m *Model) Predict(x []float64, steps int) []float64 {
	win := steps * m.Inputs()
	if steps < 1 || len(x)%win != 0 {
		panic(fmt.Sprintf("lstm: Predict on %d values, not a whole number of %d-step windows of %d inputs",
			len(x), steps, m.Inputs()))
	}
	n := len(x) / win
	out := make([]float64, n)
	if n == 0 {
		return out
	}
	batch := min(n, evalBatch)
	e := newEvaluator(m, steps, batch)
	for lo := 0; lo < n; lo += batch {
		nb := min(batch, n-lo)
		e.forward(m, x[lo*win:(lo+nb)*win], nb)
		copy(out[lo:], e.out[:nb])
	}
	return out
}

// Loss returns the mean squared error of m over the windows of steps time
// steps in d, or NaN when d is empty.
func (m *Model) Loss(d Dataset, steps int) float64 {
	return newEvaluator(m, steps, min(max(d.Len(), 1), evalBatch)).loss(m, d)
}
