package lstm

import (
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
)

// trainer runs training steps of a model on batches of windows. It owns all
// the memory a step needs, so that after its first step a step allocates
// nothing.
//
// A batch of two or more windows is split in two fixed halves whose forward
// and backward passes run concurrently, each into its own gradient; the
// second half's gradient is then added to the first's. A batch of one
// window, with nothing to split, is pipelined instead when the model has
// two or more layers and GOMAXPROCS allows: one goroutine runs the even
// layers, another the odd ones, each layer a chunk of steps behind the one
// it reads. The split and the order of every sum depend only on the batch
// size and the model, so results do not depend on GOMAXPROCS. A serial
// trainer runs the same halves one after the other on the calling
// goroutine, and no pipeline, so that its results are bit-identical.
type trainer struct {
	model  *Model
	packed *packedModel // the model's weights as the halves' products read them
	grad   *Model       // dLoss/dparameter in the model's layout, valid after gradients
	opt    adam
	clip   float64 // maximum global gradient norm; 0: no clipping
	steps  int
	batch  int
	halves [2]half
	// serial runs every step on the calling goroutine: for a caller that
	// keeps the other cores busy with other models, to which the handoffs
	// between goroutines of a step are only overhead.
	serial bool
	// stop abandons the current gradients pass (see workspace.stop); Train
	// sets it when its context is cancelled.
	stop atomic.Bool

	// The current batch, read by the second half's goroutine.
	x, y      []float64
	wg        sync.WaitGroup
	runSecond func() // runs halves[1] and signals wg; bound once so a step does not allocate
	// runOddLayers runs the odd layers of a pipelined batch of one window
	// and signals wg, bound once like runSecond.
	runOddLayers func()
	// updateSecond makes the Adam update of the second half of the
	// parameters and signals wg, bound once like runSecond.
	updateSecond func()
}

// half is one of the two parts of a batch that a trainer processes
// concurrently.
type half struct {
	ws     *workspace
	grad   *Model // this half's gradient; the first half's is the trainer's grad
	lo, hi int    // the windows of the current batch in this half
}

// newTrainer returns a trainer of m on windows of steps time steps, in
// batches of at most batch windows, updating m with opt. The caller has
// checked the sizes with checkTraining.
func newTrainer(m *Model, steps, batch int, opt optimizer) *trainer {
	tr := &trainer{
		model: m,
		grad:  m.zeroLike(),
		opt:   newAdam(len(m.Data), opt.lr, opt.beta1, opt.beta2, opt.eps),
		clip:  opt.clip,
		steps: steps,
		batch: batch,
	}
	tr.packed = newPackedModel(m)
	first := (batch + 1) / 2
	tr.halves[0] = half{ws: newWorkspace(m, tr.packed, first, steps), grad: tr.grad}
	if batch > 1 {
		tr.halves[1] = half{ws: newWorkspace(m, tr.packed, batch-first, steps), grad: m.zeroLike()}
	}
	tr.runSecond = func() {
		tr.run(&tr.halves[1])
		tr.wg.Done()
	}
	tr.runOddLayers = func() {
		tr.runPipelined(1)
		tr.wg.Done()
	}
	tr.updateSecond = func() {
		n := len(tr.model.Data)
		tr.opt.apply(tr.model.Data, tr.grad.Data, n/2, n)
		tr.wg.Done()
	}
	return tr
}

// gradients computes the mean squared error, over every output, of the
// model on the batch of windows x (B×steps×In, batch-major) with targets y
// (B×O), and its gradient with respect to every parameter, left in tr.grad
// until the next call. It returns the loss. It panics if B exceeds the
// trainer's batch or x does not match y.
func (tr *trainer) gradients(x, y []float64) float64 {
	O := tr.model.Outputs()
	nb := len(y) / O
	if nb < 1 || nb > tr.batch || len(y) != nb*O || len(x) != nb*tr.steps*tr.model.Inputs() {
		panic(fmt.Sprintf("lstm: gradients on %d inputs and %d targets, want B×%d×%d inputs and B×%d targets for 1 ≤ B ≤ %d",
			len(x), len(y), tr.steps, tr.model.Inputs(), O, tr.batch))
	}
	tr.x, tr.y = x, y
	first := (nb + 1) / 2
	tr.halves[0].lo, tr.halves[0].hi = 0, first
	tr.halves[1].lo, tr.halves[1].hi = first, nb
	for _, h := range tr.halves {
		if h.ws != nil {
			h.ws.stop = &tr.stop
		}
	}
	switch {
	case nb > 1 && tr.serial:
		tr.packed.load(tr.model)
		tr.run(&tr.halves[0])
		tr.run(&tr.halves[1])
	case nb > 1:
		tr.packed.load(tr.model)
		tr.wg.Add(1)
		go tr.runSecond()
		tr.run(&tr.halves[0])
		tr.wg.Wait()
	case len(tr.model.Layers) > 1 && runtime.GOMAXPROCS(0) > 1 && !tr.serial:
		tr.halves[0].ws.stop = nil // one window: quick, and its layers wait on each other
		tr.halves[0].ws.start()
		tr.wg.Add(1)
		go tr.runOddLayers()
		tr.runPipelined(0)
		tr.wg.Wait()
	default:
		tr.packed.load(tr.model)
		tr.run(&tr.halves[0])
	}
	var loss float64
	if nb > 1 {
		g, g1 := tr.grad.Data, tr.halves[1].grad.Data
		for i, v := range g1 {
			g[i] += v
		}
	}
	for _, h := range tr.halves {
		for i := h.lo * O; i < h.hi*O; i++ {
			d := h.ws.out[i-h.lo*O] - y[i]
			loss += d * d
		}
	}
	return loss / float64(len(y))
}

// run computes the outputs of h's windows of the current batch and their
// contribution to the gradient of the batch's mean squared error.
func (tr *trainer) run(h *half) {
	h.ws.start()
	tr.runLayers(h, 0, 1)
}

// runPipelined packs the weights of the layers of parity first (0 or 1)
// and runs them on the batch of one window, for which the layers of the
// other parity run concurrently. Each goroutine packs the weights that it
// reads most, so that they are in its core's cache; the other layers read
// the weights of those above them only after these have published steps.
func (tr *trainer) runPipelined(first int) {
	for k := first; k < len(tr.model.Layers); k += 2 {
		tr.packed.loadLayer(tr.model, k)
	}
	tr.runLayers(&tr.halves[0], first, 2)
}

// runLayers runs the forward and backward passes of h's windows of the
// current batch through the layers first, first+stride, ... of the model,
// and the head if it follows the last of them, writing their part of the
// gradient of the batch's mean squared error into h.grad. The passes
// through the other layers run concurrently or have run.
func (tr *trainer) runLayers(h *half, first, stride int) {
	m := tr.model
	nb, win, O := h.hi-h.lo, tr.steps*m.Inputs(), m.Outputs()
	x := tr.x[h.lo*win : h.hi*win]
	last := len(m.Layers) - 1
	top := last - (last-first)%stride // the last layer run here
	for k := first; k <= top; k += stride {
		h.ws.forwardLayer(m, k, x, nb)
	}
	if top == last {
		h.ws.forwardHead(m, nb)
		for i, o := range h.ws.out[:nb*O] {
			h.ws.dout[i] = 2 * (o - tr.y[h.lo*O+i]) / float64(len(tr.y))
		}
	}
	for k := top; k >= first; k -= stride {
		h.ws.backwardLayer(m, h.grad, k, x, nb)
	}
}

// applyGradients clips the gradient of the last gradients call if the
// trainer clips and updates the model by one Adam step, the two halves of
// the parameters concurrently unless the trainer is serial.
func (tr *trainer) applyGradients() {
	if tr.clip > 0 {
		clipNorm(tr.grad.Data, tr.clip)
	}
	tr.opt.next()
	if n := len(tr.model.Data); tr.serial {
		// The same two ranges as below, so that the kernel's handling of
		// their ends is the same.
		tr.opt.apply(tr.model.Data, tr.grad.Data, 0, n/2)
		tr.opt.apply(tr.model.Data, tr.grad.Data, n/2, n)
		return
	}
	tr.wg.Add(1)
	go tr.updateSecond()
	tr.opt.apply(tr.model.Data, tr.grad.Data, 0, len(tr.model.Data)/2)
	tr.wg.Wait()
}
