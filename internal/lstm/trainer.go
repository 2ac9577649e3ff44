package lstm

import "fmt"

// Trainer runs training steps of a model on batches of windows. It owns all
// the memory a step needs, so that after its first step a step allocates
// nothing.
type Trainer struct {
	model *Model
	grad  *Model // dLoss/dparameter in the model's layout, valid after Gradients
	opt   adam
	clip  float64
	steps int
	ws    *workspace
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
	return &Trainer{
		model: m,
		grad:  m.zeroLike(),
		opt:   newAdam(len(m.Data), cfg.LR, cfg.Beta1, cfg.Beta2, cfg.Eps),
		clip:  cfg.Clip,
		steps: steps,
		ws:    newWorkspace(m, batch, steps, true),
	}
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
	if nb < 1 || nb > tr.ws.batch || len(x) != nb*tr.steps*tr.model.Inputs() {
		panic(fmt.Sprintf("lstm: Gradients on %d inputs and %d targets, want B×%d×%d inputs for 1 ≤ B ≤ %d",
			len(x), nb, tr.steps, tr.model.Inputs(), tr.ws.batch))
	}
	w := tr.ws
	w.forward(tr.model, x, nb)
	var loss float64
	for b, o := range w.out[:nb] {
		d := o - y[b]
		loss += d * d
		w.dout[b] = 2 * d / float64(nb)
	}
	clear(tr.grad.Data)
	w.backward(tr.model, tr.grad, x, nb)
	return loss / float64(nb)
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
// trainer clips and updates the model by one Adam step.
func (tr *Trainer) applyGradients() {
	if tr.clip > 0 {
		clipNorm(tr.grad.Data, tr.clip)
	}
	tr.opt.update(tr.model.Data, tr.grad.Data)
}
