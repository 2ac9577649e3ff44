package lstm

import (
	"math"
	"sync/atomic"
)

// layerState holds one layer's activations and gradients in training,
// for a batch of B windows of T steps. Every buffer is batch-major: element
// (b, t, j) of a B×T×W buffer is at (b*T+t)*W + j, so the rows of one time
// step are a strided view with leading dimension T*W. Buffers of gradients
// with respect to h have rows of Hp = roundUpCols(H) values, so that the
// products writing them run in whole kernel blocks.
type layerState struct {
	gates  []float64 // B×T×4H: pre-activations, then in place i, f, g, o after the non-linearities
	c      []float64 // B×T×H: cell state c_t
	tc     []float64 // B×T×H: tanh(c_t)
	h      []float64 // B×T×H: hidden state h_t, the layer's output sequence
	dh     []float64 // B×T×Hp: dLoss/dh_t from the layer above, recurrence excluded; Hp zeros for the last layer
	dhNext []float64 // B×Hp: dLoss/dh_t through h_t's use at step t+1
	dcNext []float64 // B×H: dLoss/dc_t through c_t's use at step t+1
	gradT  []float64 // max(In, H)×4H: the transpose of one weight matrix's gradient, as the products compute it

	// The layer's progress in the current passes, read by the next layer
	// of the pass, which may run on another goroutine: fwd counts the
	// steps 0.. whose h is written, bwd the steps ..T-1 whose gate
	// gradients are.
	fwd, bwd progress
}

// chunkSteps is the number of time steps whose products with a layer's
// input weights are computed at once: the layer's input projection in the
// forward pass and its gradient from the layer above in the backward pass.
// Four rows are a whole block of the assembly kernel, and a layer that
// waits for the chunk of another trails it by no more than four steps.
const chunkSteps = 4

// progress is a count of time steps finished by one layer, published to
// the layer that follows it in a pass. The follower first spins while it
// waits, as a step of a layer takes microseconds, too short to park a
// goroutine; if the steps are late (the machine is busy, or the layer
// runs on the same thread), it sleeps until the next publish.
type progress struct {
	steps    atomic.Int64
	sleeping atomic.Bool
	wake     chan struct{} // capacity 1: a token means steps may have grown
}

// waitSpins is how many times wait checks the count before it sleeps:
// about 50 µs, longer than one layer's lag behind another in a pass.
const waitSpins = 200000

// newProgress returns a count of no steps.
func newProgress() progress { return progress{wake: make(chan struct{}, 1)} }

// publish makes the first n steps (in the pass's order) visible to wait.
func (p *progress) publish(n int) {
	p.steps.Store(int64(n))
	if p.sleeping.Load() {
		select {
		case p.wake <- struct{}{}:
		default:
		}
	}
}

// wait returns once at least n steps are published. Either wait sees the
// count that publish stored, or publish sees that wait is sleeping and
// wakes it.
func (p *progress) wait(n int) {
	for range waitSpins {
		if p.steps.Load() >= int64(n) {
			return
		}
	}
	for {
		p.sleeping.Store(true)
		if p.steps.Load() >= int64(n) {
			p.sleeping.Store(false)
			return
		}
		<-p.wake
	}
}

// packedLayer is a layer's weights copied into the layouts that the
// products read: B operands row-major with the output's columns contiguous.
type packedLayer struct {
	bias []float64 // 4H: Bih + Bhh
	wihT []float64 // In×4H: Wihᵀ, for the input projection
	whhT []float64 // H×4H: Whhᵀ, for the recurrence
	whh  []float64 // 4H×roundUpCols(H): Whh, zero-padded, for dh through the recurrence
	wih  []float64 // 4H×roundUpCols(In): Wih, zero-padded, for dh of the layer below; nil for the first layer
}

// packedModel is a model's weights packed for the products of forward and
// backward passes, shared by the workspaces that run one model
// concurrently, and whether those products use the assembly kernels.
type packedModel struct {
	fast   bool
	layers []packedLayer
}

// newPackedModel returns m's weights packed, using the assembly kernels
// when the CPU runs them.
func newPackedModel(m *Model) *packedModel {
	p := &packedModel{fast: haveKernels(), layers: make([]packedLayer, len(m.Layers))}
	for k, l := range m.Layers {
		g := 4 * l.Hidden
		pl := &p.layers[k]
		pl.bias = make([]float64, g)
		pl.wihT = make([]float64, l.In*g)
		pl.whhT = make([]float64, l.Hidden*g)
		pl.whh = make([]float64, g*roundUpCols(l.Hidden))
		if k > 0 {
			pl.wih = make([]float64, g*roundUpCols(l.In))
		}
	}
	p.load(m)
	return p
}

// load packs m's current weights; m must have the shape p was made for.
func (p *packedModel) load(m *Model) {
	for k := range m.Layers {
		p.loadLayer(m, k)
	}
}

// loadLayer packs the current weights of m's layer k.
func (p *packedModel) loadLayer(m *Model, k int) {
	l := &m.Layers[k]
	pl := &p.layers[k]
	g := 4 * l.Hidden
	for j := range g {
		pl.bias[j] = l.Bih[j] + l.Bhh[j]
	}
	transpose(pl.wihT, l.Wih, g, l.In)
	transpose(pl.whhT, l.Whh, g, l.Hidden)
	pad(pl.whh, l.Whh, g, l.Hidden)
	if pl.wih != nil {
		pad(pl.wih, l.Wih, g, l.In)
	}
}

// transpose writes the transpose of the r×c row-major src into dst (c×r).
func transpose(dst, src []float64, r, c int) {
	for i := range r {
		for j, v := range src[i*c : (i+1)*c] {
			dst[j*r+i] = v
		}
	}
}

// pad copies the r×c row-major src into dst with rows of roundUpCols(c)
// values, the padding zero.
func pad(dst, src []float64, r, c int) {
	cp := roundUpCols(c)
	for i := range r {
		copy(dst[i*cp:i*cp+c], src[i*c:(i+1)*c])
	}
}

// workspace is the preallocated memory of forward and backward passes over
// at most batch windows of steps time steps.
type workspace struct {
	batch, steps int
	packed       *packedModel // the weights, packed by the workspace's owner
	layers       []layerState
	out          []float64 // B: the model's outputs
	dout         []float64 // B: dLoss/dout
	ones         []float64 // B×T ones, whose product with the gates' gradients sums them over all rows
}

// newWorkspace allocates a training workspace for m reading the weights
// from packed.
func newWorkspace(m *Model, packed *packedModel, batch, steps int) *workspace {
	w := &workspace{batch: batch, steps: steps, packed: packed, layers: make([]layerState, len(m.Layers)),
		out: make([]float64, batch), dout: make([]float64, batch)}
	bt := batch * steps
	for k, l := range m.Layers {
		h, hp := l.Hidden, roundUpCols(l.Hidden)
		dh := bt * hp
		if k == len(m.Layers)-1 {
			dh = hp // the head's gradient goes to dhNext; see backward
		}
		w.layers[k] = layerState{
			gates:  make([]float64, bt*4*h),
			c:      make([]float64, bt*h),
			tc:     make([]float64, bt*h),
			h:      make([]float64, bt*h),
			dh:     make([]float64, dh),
			dhNext: make([]float64, batch*hp),
			dcNext: make([]float64, batch*h),
			gradT:  make([]float64, max(l.In, h)*4*h),
			fwd:    newProgress(),
			bwd:    newProgress(),
		}
	}
	w.ones = make([]float64, bt)
	for i := range w.ones {
		w.ones[i] = 1
	}
	return w
}

func sigmoid(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

// forward runs m over the nb windows of x (nb×T×In) and leaves the outputs in
// w.out[:nb] and every layer's activations in w.layers.
func (w *workspace) forward(m *Model, x []float64, nb int) {
	w.start()
	for k := range m.Layers {
		w.forwardLayer(m, k, x, nb)
	}
	w.forwardHead(m, nb)
}

// start resets the layers' progress for new passes.
func (w *workspace) start() {
	for k := range w.layers {
		w.layers[k].fwd.publish(0)
		w.layers[k].bwd.publish(0)
	}
}

// forwardLayer runs layer k over the nb windows of x (nb×T×In) a chunk
// of steps at a time: once the layer below has published the chunk's
// hidden states, it projects them onto the gates, runs the steps and
// publishes its own. So layer k may run on another goroutine one chunk
// behind layer k-1.
func (w *workspace) forwardLayer(m *Model, k int, x []float64, nb int) {
	T := w.steps
	fast := w.packed.fast
	l := &m.Layers[k]
	pl := &w.packed.layers[k]
	s := &w.layers[k]
	H := l.Hidden
	G := 4 * H
	z := s.gates[:nb*T*G]
	in := x
	if k > 0 {
		in = w.layers[k-1].h
	}
	for t0 := 0; t0 < T; t0 += chunkSteps {
		t1 := min(t0+chunkSteps, T)
		if k > 0 {
			w.layers[k-1].fwd.wait(t1)
		}
		w.project(m, k, in, t0, t1, nb)
		for t := t0; t < t1; t++ {
			if t > 0 {
				// z[:, t] (nb×4H) += h[:, t-1] (nb×H) · Whhᵀ (H×4H)
				mulAdd(fast, nb, G, H, s.h[(t-1)*H:], T*H, 1, pl.whhT, G, z[t*G:], T*G)
			}
			for b := 0; b < nb; b++ {
				r := b*T + t
				var cPrev []float64 // c_{t-1}; nil means c_0 = 0
				if t > 0 {
					cPrev = s.c[(r-1)*H : r*H]
				}
				cellRow(fast, z[r*G:(r+1)*G], cPrev, s.c[r*H:(r+1)*H], s.tc[r*H:(r+1)*H], s.h[r*H:(r+1)*H])
			}
		}
		s.fwd.publish(t1)
	}
}

// project writes into layer k's gates at steps t0..t1-1 of each of the nb
// windows their pre-activations from the layer's input in (nb×T×In):
// z (rows×4H) = in (rows×In) · Wihᵀ (In×4H) + bih + bhh.
func (w *workspace) project(m *Model, k int, in []float64, t0, t1, nb int) {
	T, In, G := w.steps, m.Layers[k].In, 4*m.Layers[k].Hidden
	pl := &w.packed.layers[k]
	z := w.layers[k].gates
	for b := 0; b < nb; b++ {
		r0, r1 := b*T+t0, b*T+t1
		for r := r0; r < r1; r++ {
			copy(z[r*G:(r+1)*G], pl.bias)
		}
		mulAdd(w.packed.fast, r1-r0, G, In, in[r0*In:], In, 1, pl.wihT, G, z[r0*G:], G)
	}
}

// forwardHead writes the model's outputs from the last layer's final
// hidden states into w.out[:nb].
func (w *workspace) forwardHead(m *Model, nb int) {
	T, H := w.steps, len(m.DenseW)
	denseHead(m, w.layers[len(w.layers)-1].h[(T-1)*H:], T*H, w.out[:nb])
}

// cellRow completes one step of one window in a layer of H units: it
// replaces the gate pre-activations z (4H) in place by i, f, g, o and
// writes c_t = f·c_{t-1} + i·g, tanh(c_t) and h_t = o·tanh(c_t) into c, tc
// and h (H each). A nil cPrev means c_{t-1} = 0; cPrev may be c itself.
// With fast set, whole groups of four units are computed by the AVX2/FMA
// kernel.
func cellRow(fast bool, z, cPrev, c, tc, h []float64) {
	H := len(c)
	zi, zf, zg, zo := z[:H], z[H:2*H], z[2*H:3*H], z[3*H:4*H]
	tc, h = tc[:H], h[:H]
	if cPrev != nil {
		cPrev = cPrev[:H]
	}
	from := 0
	if fast {
		cellAVX(z[:4*H], cPrev, c, tc, h)
		from = H &^ 3
	}
	for j := from; j < H; j++ {
		i, f, g, o := sigmoid(zi[j]), sigmoid(zf[j]), math.Tanh(zg[j]), sigmoid(zo[j])
		zi[j], zf[j], zg[j], zo[j] = i, f, g, o
		cj := i * g
		if cPrev != nil {
			cj = f*cPrev[j] + cj
		}
		c[j] = cj
		tc[j] = math.Tanh(cj)
		h[j] = o * tc[j]
	}
}

// denseHead writes into out[b] the head's output DenseW · h_b + DenseB for
// the hidden states h_b at h[b*stride:].
func denseHead(m *Model, h []float64, stride int, out []float64) {
	for b := range out {
		o := m.DenseB[0]
		for j, v := range h[b*stride : b*stride+len(m.DenseW)] {
			o += m.DenseW[j] * v
		}
		out[b] = o
	}
}
