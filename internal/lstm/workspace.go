package lstm

import "sync/atomic"

// layerState holds one layer's activations and gradients in training,
// for a batch of B windows of T steps, of a cell with G = gates·H gate
// rows (see the cell files for what each holds). Every buffer is
// batch-major: element (b, t, j) of a B×T×W buffer is at (b*T+t)*W + j, so
// the rows of one time step are a strided view with leading dimension T*W.
// Buffers of gradients with respect to h have rows of Hp = roundUpCols(H)
// values and buffers of gates rows of Gp = roundUpCols(G), zero in the
// padding, so that the products writing them run in whole kernel blocks.
type layerState struct {
	gates  []float64 // B×T×Gp: the input projection, then in place the gates, then their gradients
	rec    []float64 // B×T×Gp: a GRU's recurrent part h_{t-1}·Whhᵀ + bhh, then its gradient; nil for the other cells
	c      []float64 // B×T×H: an LSTM's cell state c_t; nil for the other cells
	tc     []float64 // B×T×H: an LSTM's tanh(c_t); nil for the other cells
	h      []float64 // B×T×H: hidden state h_t, the layer's output sequence
	dh     []float64 // B×T×Hp: dLoss/dh_t from the layer above, recurrence excluded; Hp zeros for the last layer
	dhNext []float64 // B×Hp: dLoss/dh_t through h_t's use at step t+1
	dcNext []float64 // B×H: an LSTM's dLoss/dc_t through c_t's use at step t+1; nil for the other cells
	gradT  []float64 // max(In, H)×Gp: the transpose of one weight matrix's gradient, as the products compute it

	// The layer's progress in the current passes, read by the next layer
	// of the pass, which may run on another goroutine: fwd counts the
	// steps 0.. whose h is written, bwd the steps ..T-1 whose gate
	// gradients are.
	fwd, bwd progress
}

// workspace is the preallocated memory of forward and backward passes over
// at most batch windows of steps time steps.
type workspace struct {
	batch, steps int
	packed       *packedModel // the weights, packed by the workspace's owner
	layers       []layerState
	out          []float64 // B×O: the model's outputs
	dout         []float64 // B×O: dLoss/dout
	ones         []float64 // B×T ones, whose product with the gates' gradients sums them over all rows
	// stop, when not nil, abandons a training pass between chunks of steps
	// once it is set: a batch of a large model takes minutes, and a
	// cancelled run must not wait for it. Its gradients are then garbage,
	// and the caller drops them. A pipelined pass has none: its layers
	// wait on each other's steps.
	stop *atomic.Bool
}

// stopped reports whether the pass is to be abandoned.
func (w *workspace) stopped() bool { return w.stop != nil && w.stop.Load() }

// rowValues returns the number of values that a layer of h units of cell c
// keeps per window and step: the gates (padded), h, and an LSTM's c and
// tanh(c) or a GRU's recurrent part (padded).
func (c Cell) rowValues(h int) int {
	gp := roundUpCols(c.gates() * h)
	switch c {
	case LSTM:
		return gp + 3*h
	case GRU:
		return 2*gp + h
	}
	return gp + h
}

// workspaceSize returns the number of float64 values that newWorkspace
// allocates for m, batch and steps, or false when it is over
// MaxBatchMemory.
func workspaceSize(m *Model, batch, steps int) (int, bool) {
	if steps > MaxBatchMemory/batch {
		return 0, false
	}
	bt := batch * steps
	n := 2*batch*m.Outputs() + bt // out, dout, ones
	for k, l := range m.Layers {
		h, hp := l.Hidden, roundUpCols(l.Hidden)
		dh := bt * hp
		if k == len(m.Layers)-1 {
			dh = hp
		}
		dc := 0
		if m.Cell == LSTM {
			dc = batch * h
		}
		// The rows, dh, dhNext, dcNext, gradT. The sizes are bounded by
		// NewCell's limits and bt by MaxBatchMemory: no overflow.
		n += bt*m.Cell.rowValues(h) + dh + batch*hp + dc + max(l.In, h)*roundUpCols(m.Cell.gates()*h)
		if n > MaxBatchMemory {
			return 0, false
		}
	}
	return n, true
}

// newWorkspace allocates a training workspace for m reading the weights
// from packed.
func newWorkspace(m *Model, packed *packedModel, batch, steps int) *workspace {
	w := &workspace{batch: batch, steps: steps, packed: packed, layers: make([]layerState, len(m.Layers)),
		out: make([]float64, batch*m.Outputs()), dout: make([]float64, batch*m.Outputs())}
	bt := batch * steps
	for k, l := range m.Layers {
		h, hp := l.Hidden, roundUpCols(l.Hidden)
		g := roundUpCols(m.Cell.gates() * h)
		dh := bt * hp
		if k == len(m.Layers)-1 {
			dh = hp // the head's gradient goes to dhNext; see backward
		}
		w.layers[k] = layerState{
			gates:  make([]float64, bt*g),
			h:      make([]float64, bt*h),
			dh:     make([]float64, dh),
			dhNext: make([]float64, batch*hp),
			gradT:  make([]float64, max(l.In, h)*g),
			fwd:    newProgress(),
			bwd:    newProgress(),
		}
		s := &w.layers[k]
		switch m.Cell {
		case LSTM:
			s.c, s.tc, s.dcNext = make([]float64, bt*h), make([]float64, bt*h), make([]float64, batch*h)
		case GRU:
			s.rec = make([]float64, bt*g)
		}
	}
	w.ones = make([]float64, bt)
	for i := range w.ones {
		w.ones[i] = 1
	}
	return w
}

// start resets the layers' progress for new passes.
func (w *workspace) start() {
	for k := range w.layers {
		w.layers[k].fwd.publish(0)
		w.layers[k].bwd.publish(0)
	}
}

// forward runs m over the nb windows of x (nb×T×In) and leaves the outputs in
// w.out[:nb×O] and every layer's activations in w.layers.
func (w *workspace) forward(m *Model, x []float64, nb int) {
	w.start()
	for k := range m.Layers {
		w.forwardLayer(m, k, x, nb)
	}
	w.forwardHead(m, nb)
}
