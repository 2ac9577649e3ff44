package lstm

import (
	"context"
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
	halves [2]*inference
	x      []float64 // batch×steps×In: a batch of windows drawn from a Dataset, allocated by run
	y      []float64 // batch: their targets, allocated by run
	out    []float64 // batch: the model's outputs on the batch
}

// newEvaluator returns an evaluator of m on windows of steps time steps in
// batches of at most batch windows. Its memory does not grow with steps
// until run draws windows.
func newEvaluator(m *Model, steps, batch int) *evaluator {
	first := (batch + 1) / 2
	return &evaluator{
		steps:  steps,
		packed: newPackedModel(m),
		halves: [2]*inference{newInference(m, first), newInference(m, batch-first)},
		out:    make([]float64, batch),
	}
}

// forward leaves in e.out[:nb] the outputs of m on the nb windows of x.
func (e *evaluator) forward(m *Model, x []float64, nb int) {
	first := (nb + 1) / 2
	win := e.steps * m.Inputs()
	var wg sync.WaitGroup
	if nb > first {
		wg.Go(func() { e.halves[1].forward(m, e.packed, x[first*win:nb*win], nb-first, e.steps) })
	}
	e.halves[0].forward(m, e.packed, x[:first*win], first, e.steps)
	wg.Wait()
	copy(e.out, e.halves[0].out[:first])
	copy(e.out[first:], e.halves[1].out[:nb-first])
}

// inference is the memory of a forward pass without gradients over at most
// batch windows: only the current step's state of each layer, so that it
// does not grow with the window length.
type inference struct {
	layers []inferenceLayer
	tc     []float64 // H: tanh(c_t) of the row in progress
	out    []float64 // B: the model's outputs
}

// inferenceLayer is one layer's state at the current step for B windows.
type inferenceLayer struct {
	z    []float64 // B×4H: gate pre-activations, then the gates
	c, h []float64 // B×H: c_t and h_t, overwritten at each step
}

func newInference(m *Model, batch int) *inference {
	s := &inference{layers: make([]inferenceLayer, len(m.Layers)), out: make([]float64, batch)}
	hmax := 0
	for k, l := range m.Layers {
		h := l.Hidden
		hmax = max(hmax, h)
		s.layers[k] = inferenceLayer{z: make([]float64, batch*4*h), c: make([]float64, batch*h), h: make([]float64, batch*h)}
	}
	s.tc = make([]float64, hmax)
	return s
}

// forward runs m over the nb windows of x (nb×steps×In), advancing every
// layer one step at a time, and leaves the outputs in s.out[:nb].
func (s *inference) forward(m *Model, p *packedModel, x []float64, nb, steps int) {
	inDim := m.Inputs()
	for t := range steps {
		in, sa := x[t*inDim:], steps*inDim
		for k := range m.Layers {
			l := &m.Layers[k]
			pl := &p.layers[k]
			st := &s.layers[k]
			H := l.Hidden
			G := 4 * H
			z := st.z[:nb*G]
			for b := range nb {
				copy(z[b*G:(b+1)*G], pl.bias)
			}
			// z (nb×4H) += x_t (nb×In) · Wihᵀ (In×4H) + h_{t-1} (nb×H) · Whhᵀ (H×4H)
			mulAdd(p.fast, nb, G, l.In, in, sa, 1, pl.wihT, G, z, G)
			if t > 0 {
				mulAdd(p.fast, nb, G, H, st.h, H, 1, pl.whhT, G, z, G)
			}
			for b := range nb {
				var cPrev []float64 // c_{t-1}, overwritten in place; nil means c_0 = 0
				if t > 0 {
					cPrev = st.c[b*H : (b+1)*H]
				}
				cellRow(p.fast, z[b*G:(b+1)*G], cPrev, st.c[b*H:(b+1)*H], s.tc, st.h[b*H:(b+1)*H])
			}
			in, sa = st.h, H
		}
	}
	H := len(m.DenseW)
	denseHead(m, s.layers[len(s.layers)-1].h, H, s.out[:nb])
}

// run draws the windows of d a batch at a time, runs them forward, and
// hands visit each batch's first sample index, targets and outputs. It
// stops with ctx's error between batches.
func (e *evaluator) run(ctx context.Context, m *Model, d Dataset, visit func(lo int, y, out []float64)) error {
	n := d.Len()
	win := e.steps * m.Inputs()
	batch := len(e.out)
	if e.x == nil {
		e.x, e.y = make([]float64, batch*win), make([]float64, batch)
	}
	e.packed.load(m)
	for lo := 0; lo < n; lo += batch {
		if err := ctx.Err(); err != nil {
			return err
		}
		nb := min(batch, n-lo)
		for b := range nb {
			e.y[b] = d.Sample(lo+b, e.x[b*win:(b+1)*win])
		}
		e.forward(m, e.x, nb)
		visit(lo, e.y[:nb], e.out[:nb])
	}
	return nil
}

// loss returns the mean squared error of m over d, or ctx's error.
func (e *evaluator) loss(ctx context.Context, m *Model, d Dataset) (float64, error) {
	var sum float64
	err := e.run(ctx, m, d, func(_ int, y, out []float64) {
		for b, o := range out {
			r := o - y[b]
			sum += r * r
		}
	})
	return sum / float64(d.Len()), err
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

// Predictor runs a model forward on one window at a time with the same
// memory and packed weights, for recursive forecasts, which feed each
// output back as the newest input. The model must not change while a
// Predictor of it is in use.
type Predictor struct {
	m      *Model
	steps  int
	packed *packedModel
	inf    *inference // for a batch of one window
}

// NewPredictor returns a Predictor of m for windows of steps time steps.
// Its memory does not depend on steps.
func (m *Model) NewPredictor(steps int) *Predictor {
	return &Predictor{m: m, steps: steps, packed: newPackedModel(m), inf: newInference(m, 1)}
}

// Predict returns the model's output for the window x (steps×In). It
// panics if len(x) is not steps·In.
func (p *Predictor) Predict(x []float64) float64 {
	if len(x) != p.steps*p.m.Inputs() {
		panic(fmt.Sprintf("lstm: Predictor.Predict on %d values, not one window of %d steps of %d inputs", len(x), p.steps, p.m.Inputs()))
	}
	p.inf.forward(p.m, p.packed, x, 1, p.steps)
	return p.inf.out[0]
}

// PredictAll writes to out[i] the model's output for sample i of d, whose
// windows have steps time steps. Windows are drawn from d a batch at a time,
// so memory does not grow with d.Len(). It returns an error, before
// allocating anything, if len(out) is not d.Len() or a batch of windows
// would take more than MaxBatchMemory values, and ctx's error, between
// batches, if ctx is cancelled.
func (m *Model) PredictAll(ctx context.Context, d Dataset, steps int, out []float64) error {
	switch {
	case len(out) != d.Len():
		return fmt.Errorf("lstm: PredictAll into %d outputs for %d samples", len(out), d.Len())
	case steps < 1 || steps > MaxSteps:
		return fmt.Errorf("lstm: window length must be between 1 and %d, got %d", MaxSteps, steps)
	case steps*m.Inputs() > MaxBatchMemory/evalBatch:
		return fmt.Errorf("lstm: windows of %d steps of %d inputs are too long to predict in batches", steps, m.Inputs())
	case len(out) == 0:
		return nil
	}
	return newEvaluator(m, steps, min(len(out), evalBatch)).run(ctx, m, d, func(lo int, _, y []float64) { copy(out[lo:], y) })
}
