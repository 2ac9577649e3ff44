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
// concurrently, or one after the other when serial is set.
type evaluator struct {
	steps  int
	serial bool
	packed *packedModel // the weights, packed once per call of loss or Predict
	halves [2]*inference
	x      []float64 // batch×steps×In: a batch of windows drawn from a Dataset, allocated by run
	y      []float64 // batch×O: their targets, allocated by run
	out    []float64 // batch×O: the model's outputs on the batch
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
		out:    make([]float64, batch*m.Outputs()),
	}
}

// forward leaves in e.out[:nb×O] the outputs of m on the nb windows of x.
func (e *evaluator) forward(m *Model, x []float64, nb int) {
	first := (nb + 1) / 2
	win, O := e.steps*m.Inputs(), m.Outputs()
	var wg sync.WaitGroup
	switch {
	case nb > first && e.serial:
		e.halves[1].forward(m, e.packed, x[first*win:nb*win], nb-first, e.steps)
	case nb > first:
		wg.Go(func() { e.halves[1].forward(m, e.packed, x[first*win:nb*win], nb-first, e.steps) })
	}
	e.halves[0].forward(m, e.packed, x[:first*win], first, e.steps)
	wg.Wait()
	copy(e.out, e.halves[0].out[:first*O])
	copy(e.out[first*O:], e.halves[1].out[:(nb-first)*O])
}

// inference is the memory of a forward pass without gradients over at most
// batch windows: only the current step's state of each layer, so that it
// does not grow with the window length.
type inference struct {
	layers []inferenceLayer
	tc     []float64 // H: an LSTM's tanh(c_t) of the row in progress
	out    []float64 // B×O: the model's outputs
}

// inferenceLayer is one layer's state at the current step for B windows,
// of a cell with G = gates·H gate rows.
type inferenceLayer struct {
	z   []float64 // B×Gp: gate pre-activations, then the gates, rows padded as in training
	rec []float64 // B×Gp: a GRU's recurrent part h_{t-1}·Whhᵀ + bhh; nil for the other cells
	c   []float64 // B×H: an LSTM's c_t, overwritten at each step; nil for the other cells
	h   []float64 // B×H: h_t, overwritten at each step
}

func newInference(m *Model, batch int) *inference {
	s := &inference{layers: make([]inferenceLayer, len(m.Layers)), out: make([]float64, batch*m.Outputs())}
	hmax := 0
	for k, l := range m.Layers {
		h := l.Hidden
		g := roundUpCols(m.Cell.gates() * h)
		hmax = max(hmax, h)
		st := inferenceLayer{z: make([]float64, batch*g), h: make([]float64, batch*h)}
		switch m.Cell {
		case LSTM:
			st.c = make([]float64, batch*h)
		case GRU:
			st.rec = make([]float64, batch*g)
		}
		s.layers[k] = st
	}
	if m.Cell == LSTM {
		s.tc = make([]float64, hmax)
	}
	return s
}

// forward runs m over the nb windows of x (nb×steps×In), advancing every
// layer one step at a time, and leaves the outputs in s.out[:nb×O].
func (s *inference) forward(m *Model, p *packedModel, x []float64, nb, steps int) {
	inDim := m.Inputs()
	for t := range steps {
		in, sa := x[t*inDim:], steps*inDim
		for k := range m.Layers {
			l := &m.Layers[k]
			pl := &p.layers[k]
			st := &s.layers[k]
			H := l.Hidden
			G := m.Cell.gates() * H
			Gp := roundUpCols(G)
			z := st.z[:nb*Gp]
			for b := range nb {
				copy(z[b*Gp:(b+1)*Gp], pl.bias)
			}
			// z (nb×Gp) += x_t (nb×In) · Wihᵀ (In×Gp), then rz += h_{t-1}
			// (nb×H) · Whhᵀ (H×Gp), rz being z but for a GRU, whose
			// recurrent part starts from bhh apart from the gates.
			mulAdd(p.fast, nb, Gp, l.In, in, sa, 1, pl.wihT, Gp, z, Gp)
			rz := z
			if m.Cell == GRU {
				rz = st.rec[:nb*Gp]
				for b := range nb {
					copy(rz[b*Gp:b*Gp+G], l.Bhh)
				}
			}
			if t > 0 {
				mulAdd(p.fast, nb, Gp, H, st.h, H, 1, pl.whhT, Gp, rz, Gp)
			}
			for b := range nb {
				h := st.h[b*H : (b+1)*H]
				// The state of step t-1 is overwritten in place; nil
				// means the zero state of step 0.
				var prev []float64
				switch m.Cell {
				case LSTM:
					if t > 0 {
						prev = st.c[b*H : (b+1)*H]
					}
					cellRow(p.fast, z[b*Gp:b*Gp+G], prev, st.c[b*H:(b+1)*H], s.tc, h)
				case GRU:
					if t > 0 {
						prev = h
					}
					gruRow(p.fast, z[b*Gp:b*Gp+G], rz[b*Gp:b*Gp+G], prev, h)
				case RNN:
					rnnRow(p.fast, z[b*Gp:b*Gp+G], h)
				}
			}
			in, sa = st.h, H
		}
	}
	denseHead(m, s.layers[len(s.layers)-1].h, m.Layers[len(m.Layers)-1].Hidden, s.out[:nb*m.Outputs()])
}

// run draws the windows of d a batch at a time, runs them forward, and
// hands visit each batch's first sample index, targets and outputs (B×O
// each). It stops with ctx's error between batches.
func (e *evaluator) run(ctx context.Context, m *Model, d Dataset, visit func(lo int, y, out []float64)) error {
	n := d.Len()
	win, O := e.steps*m.Inputs(), m.Outputs()
	batch := len(e.out) / O
	if e.x == nil {
		e.x, e.y = make([]float64, batch*win), make([]float64, batch*O)
	}
	e.packed.load(m)
	for lo := 0; lo < n; lo += batch {
		if err := ctx.Err(); err != nil {
			return err
		}
		nb := min(batch, n-lo)
		for b := range nb {
			d.Sample(lo+b, e.x[b*win:(b+1)*win], e.y[b*O:(b+1)*O])
		}
		e.forward(m, e.x, nb)
		visit(lo, e.y[:nb*O], e.out[:nb*O])
	}
	return nil
}

// loss returns the mean squared error of m over d, the mean over every
// output of every sample, or ctx's error.
func (e *evaluator) loss(ctx context.Context, m *Model, d Dataset) (float64, error) {
	var sum float64
	err := e.run(ctx, m, d, func(_ int, y, out []float64) {
		for b, o := range out {
			r := o - y[b]
			sum += r * r
		}
	})
	return sum / float64(d.Len()*m.Outputs()), err
}

// Predict returns the model's outputs for each window of x, which holds B
// windows of steps time steps of m.Inputs() features (B×steps×In,
// batch-major), as B×O values, batch-major. It panics if len(x) is not a
// multiple of steps·In.
func (m *Model) Predict(x []float64, steps int) []float64 {
	win := steps * m.Inputs()
	if steps < 1 || len(x)%win != 0 {
		panic(fmt.Sprintf("lstm: Predict on %d values, not a whole number of %d-step windows of %d inputs",
			len(x), steps, m.Inputs()))
	}
	n, O := len(x)/win, m.Outputs()
	out := make([]float64, n*O)
	if n == 0 {
		return out
	}
	batch := min(n, evalBatch)
	e := newEvaluator(m, steps, batch)
	for lo := 0; lo < n; lo += batch {
		nb := min(batch, n-lo)
		e.forward(m, x[lo*win:(lo+nb)*win], nb)
		copy(out[lo*O:], e.out[:nb*O])
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

// Predict returns the model's first output for the window x (steps×In),
// the only one of a model of one output. It panics if len(x) is not
// steps·In.
func (p *Predictor) Predict(x []float64) float64 {
	return p.Outputs(x)[0]
}

// Outputs returns the model's O outputs for the window x (steps×In), in
// memory of p that the next call overwrites. It panics if len(x) is not
// steps·In.
func (p *Predictor) Outputs(x []float64) []float64 {
	if len(x) != p.steps*p.m.Inputs() {
		panic(fmt.Sprintf("lstm: Predictor on %d values, not one window of %d steps of %d inputs", len(x), p.steps, p.m.Inputs()))
	}
	p.inf.forward(p.m, p.packed, x, 1, p.steps)
	return p.inf.out
}

// PredictAll writes to out[i×O : (i+1)×O] the model's outputs for sample i
// of d, whose windows have steps time steps. Windows are drawn from d a
// batch at a time, so memory does not grow with d.Len(). It returns an
// error, before allocating anything, if len(out) is not d.Len()×O or a
// batch of windows
// would take more than MaxBatchMemory values, and ctx's error, between
// batches, if ctx is cancelled.
func (m *Model) PredictAll(ctx context.Context, d Dataset, steps int, out []float64) error {
	switch {
	case len(out) != d.Len()*m.Outputs():
		return fmt.Errorf("lstm: PredictAll into %d values for %d samples of %d outputs", len(out), d.Len(), m.Outputs())
	case steps < 1 || steps > MaxSteps:
		return fmt.Errorf("lstm: window length must be between 1 and %d, got %d", MaxSteps, steps)
	case steps*m.Inputs() > MaxBatchMemory/evalBatch:
		return fmt.Errorf("lstm: windows of %d steps of %d inputs are too long to predict in batches", steps, m.Inputs())
	case len(out) == 0:
		return nil
	}
	O := m.Outputs()
	return newEvaluator(m, steps, min(d.Len(), evalBatch)).run(ctx, m, d, func(lo int, _, y []float64) { copy(out[lo*O:], y) })
}
