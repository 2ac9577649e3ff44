package lstm

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"time"
)

// EpochStats reports one finished epoch of Train.
type EpochStats struct {
	Epoch, Epochs int // this epoch, from 1, and the number planned
	Loss          float64
	ValLoss       float64 // NaN without validation data
	Samples       int     // training samples seen in the epoch
	Elapsed       time.Duration
	SamplesPerSec float64
	Best          bool // the epoch has the best validation loss so far (or, without validation data, is the last)
}

// TrainResult summarises a call to Train.
type TrainResult struct {
	Epochs       int     // epochs completed
	BestEpoch    int     // epoch whose weights the model holds, from 1; 0 if none completed
	BestValLoss  float64 // NaN without validation data
	History      []EpochStats
	EarlyStopped bool
	Interrupted  bool
}

// ErrDiverged is wrapped in the error Train returns when the training loss
// becomes NaN or infinite.
var ErrDiverged = errors.New("lstm: training diverged")

// Train trains m in place on train, evaluating val (which may be nil) after
// each epoch and calling progress (which may be nil) with each epoch's
// statistics.
//
// Each epoch shuffles the training windows with a generator seeded from
// cfg.Seed, so runs are reproducible, and runs mini-batches of
// cfg.BatchSize, keeping the last partial batch as Keras and PyTorch do.
// On return m holds the weights with the best validation loss, or the last
// epoch's without val. When the loss turns NaN or infinite, Train stops, m
// holds the last weights with a finite loss and the error wraps ErrDiverged.
// When ctx is cancelled, Train stops after the current batch (or batch of
// validation windows), m holds the weights of BestEpoch (if no epoch
// finished, the last batch's), Interrupted is set and the error is
// ctx.Err().
func Train(ctx context.Context, m *Model, train, val Dataset, cfg TrainConfig, progress func(EpochStats)) (TrainResult, error) {
	if err := checkTraining(m, train, cfg); err != nil {
		return TrainResult{BestValLoss: math.NaN()}, err
	}
	r := newRun(m, train, val, cfg)
	// A batch of a large model takes minutes: its pass is abandoned
	// between chunks of steps once ctx is done.
	defer context.AfterFunc(ctx, func() { r.tr.stop.Store(true) })()
	for epoch := 1; epoch <= cfg.Epochs; epoch++ {
		st, err := r.epoch(ctx, epoch)
		if err != nil {
			return r.stop(err)
		}
		if progress != nil {
			progress(st)
		}
		if cfg.Patience > 0 && r.sinceBest >= cfg.Patience {
			r.res.EarlyStopped = true
			break
		}
	}
	if r.res.BestEpoch > 0 {
		copy(m.Data, r.best.Data)
	}
	return r.res, nil
}

// checkTraining returns an error if cfg or the sizes of m and train are
// out of range, before Train allocates anything from them.
func checkTraining(m *Model, train Dataset, cfg TrainConfig) error {
	n := train.Len()
	switch {
	case n < 1:
		return errors.New("lstm: no training samples")
	case cfg.Steps < 1 || cfg.Steps > MaxSteps:
		return fmt.Errorf("lstm: window length must be between 1 and %d, got %d", MaxSteps, cfg.Steps)
	case cfg.Epochs < 1:
		return fmt.Errorf("lstm: epochs must be at least 1, got %d", cfg.Epochs)
	case cfg.BatchSize < 1:
		return fmt.Errorf("lstm: batch size must be at least 1, got %d", cfg.BatchSize)
	case cfg.Clip < 0 || math.IsNaN(cfg.Clip):
		return fmt.Errorf("lstm: gradient clip must be positive or 0 (off), got %g", cfg.Clip)
	case cfg.Patience < 0:
		return fmt.Errorf("lstm: patience must be positive or 0 (off), got %d", cfg.Patience)
	}
	batch := min(cfg.BatchSize, n)
	if _, ok := workspaceSize(m, batch, cfg.Steps); !ok || cfg.Steps*m.Inputs() > MaxBatchMemory/batch {
		return fmt.Errorf("lstm: a batch of %d windows of %d steps needs more than %d MiB with units %v, the limit; use smaller batches, windows or layers",
			batch, cfg.Steps, MaxBatchMemory*8>>20, m.Units())
	}
	return nil
}

// run is the state of one call to Train.
type run struct {
	m          *Model
	train, val Dataset
	cfg        TrainConfig
	tr         *trainer
	x, y       []float64 // a batch of training windows (B×T×In) and their targets (B×O)
	order      []int     // the training windows in this epoch's order
	rng        *rand.Rand
	eval       *evaluator // nil without validation data
	lastGood   *Model     // weights whose loss was last seen finite
	best       *Model     // the weights of res.BestEpoch
	sinceBest  int        // epochs since the best validation loss
	res        TrainResult
}

// newRun allocates the memory of Train: the trainer, a batch, the order of
// the windows and the copies of the weights that Train may go back to.
func newRun(m *Model, train, val Dataset, cfg TrainConfig) *run {
	n := train.Len()
	batch := min(cfg.BatchSize, n)
	r := &run{
		m: m, train: train, val: val, cfg: cfg,
		tr:       newTrainer(m, cfg.Steps, batch, cfg.optimizer()),
		x:        make([]float64, batch*cfg.Steps*m.Inputs()),
		y:        make([]float64, batch*m.Outputs()),
		order:    make([]int, n),
		rng:      rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x9e3779b97f4a7c15)),
		lastGood: m.Clone(),
		best:     m.Clone(),
		res:      TrainResult{BestValLoss: math.NaN()},
	}
	r.tr.serial = cfg.Serial
	for i := range r.order {
		r.order[i] = i
	}
	if val != nil && val.Len() > 0 {
		r.eval = newEvaluator(m, cfg.Steps, min(val.Len(), evalBatch))
		r.eval.serial = cfg.Serial
	}
	return r
}

// epoch runs one epoch of training, then the validation, and records it in
// r.res. It returns the epoch's statistics, or the error that stops Train.
func (r *run) epoch(ctx context.Context, epoch int) (EpochStats, error) {
	start := time.Now()
	loss, err := r.trainEpoch(ctx, epoch)
	if err != nil {
		return EpochStats{}, err
	}
	n := r.train.Len()
	st := EpochStats{Epoch: epoch, Epochs: r.cfg.Epochs, Loss: loss, ValLoss: math.NaN(),
		Samples: n, Elapsed: time.Since(start)}
	st.SamplesPerSec = float64(n) / st.Elapsed.Seconds()
	if r.eval != nil {
		if st.ValLoss, err = r.eval.loss(ctx, r.m, r.val); err != nil {
			return EpochStats{}, err
		}
	}
	r.record(&st)
	return st, nil
}

// trainEpoch shuffles the training windows and makes one update per batch.
// It returns the mean training loss over the epoch.
func (r *run) trainEpoch(ctx context.Context, epoch int) (float64, error) {
	n := r.train.Len()
	O := r.m.Outputs()
	batch := len(r.y) / O
	win := r.cfg.Steps * r.m.Inputs()
	r.rng.Shuffle(n, func(i, j int) { r.order[i], r.order[j] = r.order[j], r.order[i] })
	var sum float64
	for lo := 0; lo < n; lo += batch {
		nb := min(batch, n-lo)
		for b, i := range r.order[lo : lo+nb] {
			r.train.Sample(i, r.x[b*win:(b+1)*win], r.y[b*O:(b+1)*O])
		}
		loss := r.tr.gradients(r.x[:nb*win], r.y[:nb*O])
		if err := ctx.Err(); err != nil {
			return 0, err // the pass may have been abandoned: its gradients are not applied
		}
		if math.IsNaN(loss) || math.IsInf(loss, 0) {
			return 0, fmt.Errorf("%w: loss is %g in epoch %d", ErrDiverged, loss, epoch)
		}
		copy(r.lastGood.Data, r.m.Data)
		r.tr.applyGradients()
		sum += loss * float64(nb)
		if err := ctx.Err(); err != nil {
			return 0, err
		}
	}
	return sum / float64(n), nil
}

// record notes a finished epoch in r.res and keeps its weights if they are
// the best so far: those of the lowest validation loss, or without
// validation data the last.
func (r *run) record(st *EpochStats) {
	better := r.eval == nil || (r.res.BestEpoch == 0 && !math.IsNaN(st.ValLoss)) || st.ValLoss < r.res.BestValLoss
	if better {
		st.Best = true
		r.res.BestEpoch, r.res.BestValLoss = st.Epoch, st.ValLoss
		copy(r.best.Data, r.m.Data)
		r.sinceBest = 0
	} else {
		r.sinceBest++
	}
	r.res.Epochs = st.Epoch
	r.res.History = append(r.res.History, *st)
}

// stop ends a Train that err interrupts: a divergence leaves the last
// weights with a finite loss in the model, a cancellation those of the best
// epoch so far.
func (r *run) stop(err error) (TrainResult, error) {
	if errors.Is(err, ErrDiverged) {
		copy(r.m.Data, r.lastGood.Data)
		return r.res, err
	}
	if r.res.BestEpoch > 0 {
		copy(r.m.Data, r.best.Data)
	}
	r.res.Interrupted = true
	return r.res, err
}
