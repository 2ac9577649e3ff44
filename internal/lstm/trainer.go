package lstm

import (
	"fmt"
	"sync"
)

// Trainer runs training steps of a model on batches of windows. It owns all
// the memory a step needs, so that after its first step a step allocates
// nothing.
//
// A batch of two or more windows is split in two fixed halves whose forward
// and backward passes run concurrently, each into its own gradient; the
// second half's gradient is then added to the first's. The split depends
// only on the batch size, so results do not depend on GOMAXPROCS.
type Trainer struct {
	model  *Model
	packed *packedModel // the model's weights as the halves' products read them
	grad   *Model       // dLoss/dparameter in the model's layout, valid after Gradients
	opt    adam
	clip   float64
	steps  int
	batch  int
	halves [2]half

	// The current batch, read by the second half's goroutine.
	x, y      []float64
	wg        sync.WaitGroup
	runSecond func() // runs halves[1] and signals wg; bound once so a step does not allocate
	// updateSecond makes the Adam update of the second half of the
	// parameters and signals wg, bound once like runSecond.
	updateSecond func()
}

// half is one of the two parts of a batch that a Trainer processes
// concurrently.
type half struct {
	ws     *workspace
	grad   *Model // this half's gradient; the first half's is the Trainer's grad
	lo, hi int    // the windows of the current batch in this half
}

// NewTrainer returns a trainer of m on windows of steps time steps, in
// batches of at most batch windows, with the optimiser settings of cfg
// (cfg.Steps, Epochs, BatchSize, Patience and Seed are not used). It panics
// if steps or batch is below 1.
func NewTrainer(m *Model, steps, batch int, cfg TrainConfig) *Trainer {
	if steps < 1 || batch < 1 {
		panic(fmt.Sprintf("lstm: NewTrainer with %d steps and batch %d", steps, batch))
	}
	cfg = cfg.withDefaults()
	tr := &Trainer{
		model: m,
		grad:  m.zeroLike(),
		opt:   newAdam(len(m.Data), cfg.LR, cfg.Beta1, cfg.Beta2, cfg.Eps),
		clip:  cfg.Clip,
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
	tr.updateSecond = func() {
		n := len(tr.model.Data)
		tr.opt.apply(tr.model.Data, tr.grad.Data, n/2, n)
		tr.wg.Done()
	}
	return tr
}

// Grad returns the gradient of the loss computed by the last call to
// Gradients or Step (after Step's clipping), in the model's layout. It is
// owned by the trainer and overwritten by the next call.
func (tr *Trainer) Grad() *Model { return tr.grad }

// Gradients computes the mean squared error of the model on the batch of
// windows x (B×steps×In, batch-major) with targets y (B), and its gradient
// with respect to every parameter, available from Grad. It returns the loss.
// It panics if B exceeds the trainer's batch or x does not match y.
func (tr *Trainer) Gradients(x, y []float64) float64 {
	nb := len(y)
	if nb < 1 || nb > tr.batch || len(x) != nb*tr.steps*tr.model.Inputs() {
		panic(fmt.Sprintf("lstm: Gradients on %d inputs and %d targets, want B×%d×%d inputs for 1 ≤ B ≤ %d",
			len(x), nb, tr.steps, tr.model.Inputs(), tr.batch))
	}
	tr.x, tr.y = x, y
	tr.packed.load(tr.model)
	first := (nb + 1) / 2
	tr.halves[0].lo, tr.halves[0].hi = 0, first
	tr.halves[1].lo, tr.halves[1].hi = first, nb
	if nb > 1 {
		tr.wg.Add(1)
		go tr.runSecond()
	}
	tr.run(&tr.halves[0])
	var loss float64
	if nb > 1 {
		tr.wg.Wait()
		g, g1 := tr.grad.Data, tr.halves[1].grad.Data
		for i, v := range g1 {
			g[i] += v
		}
	}
	for _, h := range tr.halves {
		for b := h.lo; b < h.hi; b++ {
			d := h.ws.out[b-h.lo] - y[b]
			loss += d * d
		}
	}
	return loss / float64(nb)
}

// run computes the outputs of h's windows of the current batch and their
// contribution to the gradient of the batch's mean squared error.
func (tr *Trainer) run(h *half) {
	nb, win := h.hi-h.lo, tr.steps*tr.model.Inputs()
	x := tr.x[h.lo*win : h.hi*win]
	h.ws.forward(tr.model, x, nb)
	for b, o := range h.ws.out[:nb] {
		h.ws.dout[b] = 2 * (o - tr.y[h.lo+b]) / float64(len(tr.y))
	}
	clear(h.grad.Data)
	h.ws.backward(tr.model, h.grad, x, nb)
}

// Step computes the loss and gradients on a batch as Gradients does, clips
// the gradient's norm when the trainer has a clip threshold, and updates
// the model by one Adam step. It returns the loss before the update.
func (tr *Trainer) Step(x, y []float64) float64 {
	loss := tr.Gradients(x, y)
	tr.applyGradients()
	return loss
}

// applyGradients clips the gradient of the last Gradients call if the
// trainer clips and updates the model by one Adam step, the two halves of
// the parameters concurrently.
func (tr *Trainer) applyGradients() {
	if tr.clip > 0 {
		clipNorm(tr.grad.Data, tr.clip)
	}
	tr.opt.next()
	tr.wg.Add(1)
	go tr.updateSecond()
	tr.opt.apply(tr.model.Data, tr.grad.Data, 0, len(tr.model.Data)/2)
	tr.wg.Wait()
}
