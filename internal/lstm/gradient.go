package lstm

import (
	"context"
	"fmt"
	"math"
)

// gradBatch is the number of windows an input-gradient pass runs at once.
const gradBatch = 32

// inputGradient computes the gradient of a model's first output with
// respect to every input value of a batch of windows, by a forward and a
// backward pass of training and then backwardInput. It owns all its memory.
type inputGradient struct {
	steps int
	ws    *workspace
	grad  *Model    // the parameters' gradients, which the passes compute and this discards
	x     []float64 // batch×steps×In: a batch of windows drawn from a Dataset
	y     []float64 // batch×O: their targets, unused
	dx    []float64 // batch×steps×In: the gradients of the first output
}

// newInputGradient returns an inputGradient of m on windows of steps time
// steps in batches of at most batch windows, or an error if that takes more
// than MaxBatchMemory values.
func newInputGradient(m *Model, steps, batch int) (*inputGradient, error) {
	if steps < 1 || steps > MaxSteps {
		return nil, fmt.Errorf("lstm: window length must be between 1 and %d, got %d", MaxSteps, steps)
	}
	if _, ok := workspaceSize(m, batch, steps); !ok {
		return nil, fmt.Errorf("lstm: %d windows of %d steps through this model take more than %d values of memory", batch, steps, MaxBatchMemory)
	}
	win := steps * m.Inputs()
	return &inputGradient{
		steps: steps,
		ws:    newWorkspace(m, newPackedModel(m), batch, steps),
		grad:  m.zeroLike(),
		x:     make([]float64, batch*win),
		y:     make([]float64, batch*m.Outputs()),
		dx:    make([]float64, batch*win),
	}, nil
}

// run leaves in g.dx[:nb×steps×In] the gradient of m's first output with
// respect to each value of the nb windows of x.
func (g *inputGradient) run(m *Model, x []float64, nb int) {
	w := g.ws
	w.forward(m, x, nb)
	// dLoss/dout is 1 for the first output and 0 for the others, so the
	// backward pass differentiates the first output itself.
	O := m.Outputs()
	clear(w.dout[:nb*O])
	for b := range nb {
		w.dout[b*O] = 1
	}
	for k := len(m.Layers) - 1; k >= 0; k-- {
		w.backwardLayer(m, g.grad, k, x, nb)
	}
	w.backwardInput(m, nb, g.dx[:nb*g.steps*m.Inputs()])
}

// backwardInput writes into dx (nb×T×In) the gradient with respect to the
// first layer's input of the backward pass last run, which left the
// gradients dz of the layer's input projection W_ih·x + b in its gates:
// dx (rows×In) = dz (rows×G) · Wih (G×In). Training never needs it, as the
// input is data, so backwardLayer does not compute it.
func (w *workspace) backwardInput(m *Model, nb int, dx []float64) {
	l := &m.Layers[0]
	G := m.Cell.gates() * l.Hidden
	Gp := roundUpCols(G)
	dz := w.layers[0].gates
	for r := range nb * w.steps {
		dxr := dx[r*l.In : (r+1)*l.In]
		clear(dxr)
		for j, d := range dz[r*Gp : r*Gp+G] {
			for i, v := range l.Wih[j*l.In : (j+1)*l.In] {
				dxr[i] += d * v
			}
		}
	}
}

// InputGradient returns the gradient of m's first output with respect to
// each value of the windows of x, which holds B windows of steps time steps
// of m.Inputs() features (B×steps×In, batch-major), in the same layout. It
// returns an error if len(x) is not a multiple of steps·In or the windows
// are too long to differentiate.
func (m *Model) InputGradient(x []float64, steps int) ([]float64, error) {
	win := steps * m.Inputs()
	if steps < 1 || len(x)%win != 0 {
		return nil, fmt.Errorf("lstm: InputGradient on %d values, not a whole number of %d-step windows of %d inputs", len(x), steps, m.Inputs())
	}
	n := len(x) / win
	dx := make([]float64, len(x))
	if n == 0 {
		return dx, nil
	}
	g, err := newInputGradient(m, steps, min(n, gradBatch))
	if err != nil {
		return nil, err
	}
	for lo := 0; lo < n; lo += gradBatch {
		nb := min(gradBatch, n-lo)
		g.run(m, x[lo*win:(lo+nb)*win], nb)
		copy(dx[lo*win:], g.dx[:nb*win])
	}
	return dx, nil
}

// MeanAbsInputGradient writes into mean (steps×In) the mean over the
// samples of d, whose windows have steps time steps, of the absolute
// gradient of m's first output with respect to each input value:
// mean[t×In+i] = mean over windows of |∂out/∂x[t][i]|. Row steps-1 is the
// newest value of a window; a row far from it whose mean is many orders of
// magnitude smaller is information the model can no longer use. It
// returns an error if len(mean) is not steps·In or d has no samples, and
// ctx's error, between batches, if ctx is cancelled.
func (m *Model) MeanAbsInputGradient(ctx context.Context, d Dataset, steps int, mean []float64) error {
	n, win := d.Len(), steps*m.Inputs()
	switch {
	case len(mean) != win:
		return fmt.Errorf("lstm: MeanAbsInputGradient into %d values for windows of %d steps of %d inputs", len(mean), steps, m.Inputs())
	case n == 0:
		return fmt.Errorf("lstm: MeanAbsInputGradient over no windows")
	}
	g, err := newInputGradient(m, steps, min(n, gradBatch))
	if err != nil {
		return err
	}
	clear(mean)
	O := m.Outputs()
	for lo := 0; lo < n; lo += gradBatch {
		if err := ctx.Err(); err != nil {
			return err
		}
		nb := min(gradBatch, n-lo)
		for b := range nb {
			d.Sample(lo+b, g.x[b*win:(b+1)*win], g.y[b*O:(b+1)*O])
		}
		g.run(m, g.x, nb)
		for b := range nb {
			for i, v := range g.dx[b*win : (b+1)*win] {
				mean[i] += math.Abs(v)
			}
		}
	}
	for i := range mean {
		mean[i] /= float64(n)
	}
	return nil
}
