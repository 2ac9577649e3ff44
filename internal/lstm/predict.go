package lstm

import "fmt"

// evalBatch is the number of windows an evaluator runs forward at once.
const evalBatch = 128

// evaluator runs a model forward, without gradients, over many windows in
// batches of evalBatch.
type evaluator struct {
	steps int
	ws    *workspace
	x     []float64 // evalBatch×steps×In: a batch of windows drawn from a Dataset
}

func newEvaluator(m *Model, steps int) *evaluator {
	return &evaluator{steps: steps, ws: newWorkspace(m, evalBatch, steps, false),
		x: make([]float64, evalBatch*steps*m.Inputs())}
}

// loss returns the mean squared error of m over d.
func (e *evaluator) loss(m *Model, d Dataset) float64 {
	n := d.Len()
	win := e.steps * m.Inputs()
	var sum float64
	for lo := 0; lo < n; lo += evalBatch {
		nb := min(evalBatch, n-lo)
		var y [evalBatch]float64
		for b := range nb {
			y[b] = d.Sample(lo+b, e.x[b*win:(b+1)*win])
		}
		e.ws.forward(m, e.x, nb)
		for b, o := range e.ws.out[:nb] {
			r := o - y[b]
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
	ws := newWorkspace(m, min(n, evalBatch), steps, false)
	for lo := 0; lo < n; lo += ws.batch {
		nb := min(ws.batch, n-lo)
		ws.forward(m, x[lo*win:(lo+nb)*win], nb)
		copy(out[lo:], ws.out[:nb])
	}
	return out
}

// Loss returns the mean squared error of m over the windows of steps time
// steps in d, or NaN when d is empty.
func (m *Model) Loss(d Dataset, steps int) float64 {
	return newEvaluator(m, steps).loss(m, d)
}
