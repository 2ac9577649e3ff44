package lstm

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"time"
)

// Dataset supplies training or validation samples without materialising
// every window: a window is usually a view of one series.
type Dataset interface {
	// Len is the number of samples.
	Len() int
	// Sample writes sample i's input window (T×In, row-major) into x and
	// returns its target.
	Sample(i int, x []float64) float64
}

// TrainConfig are the settings of Train.
type TrainConfig struct {
	Steps     int // T, the window length
	Epochs    int
	BatchSize int // 1..Len(); larger than the set means the whole set

	// Adam's settings; zero values mean PyTorch's defaults 1e-3, 0.9,
	// 0.999 and 1e-8.
	LR, Beta1, Beta2, Eps float64

	Clip     float64 // maximum global gradient norm; 0 turns clipping off
	Patience int     // epochs without a better validation loss before stopping; 0 turns early stopping off
	Seed     uint64  // seed of the shuffling of the training windows each epoch
}

// withDefaults returns cfg with zero Adam settings replaced by PyTorch's
// defaults.
func (cfg TrainConfig) withDefaults() TrainConfig {
	if cfg.LR == 0 {
		cfg.LR = 1e-3
	}
	if cfg.Beta1 == 0 {
		cfg.Beta1 = 0.9
	}
	if cfg.Beta2 == 0 {
		cfg.Beta2 = 0.999
	}
	if cfg.Eps == 0 {
		cfg.Eps = 1e-8
	}
	return cfg
}

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
// When ctx is cancelled, Train stops after the current batch, m holds the
// best weights so far, Interrupted is set and the error is ctx.Err().
func Train(ctx context.Context, m *Model, train, val Dataset, cfg TrainConfig, progress func(EpochStats)) (TrainResult, error) {
	res := TrainResult{BestValLoss: math.NaN()}
	n := train.Len()
	switch {
	case n < 1:
		return res, errors.New("lstm: no training samples")
	case cfg.Steps < 1:
		return res, fmt.Errorf("lstm: window length must be at least 1, got %d", cfg.Steps)
	case cfg.Epochs < 1:
		return res, fmt.Errorf("lstm: epochs must be at least 1, got %d", cfg.Epochs)
	case cfg.BatchSize < 1:
		return res, fmt.Errorf("lstm: batch size must be at least 1, got %d", cfg.BatchSize)
	case cfg.Clip < 0 || math.IsNaN(cfg.Clip):
		return res, fmt.Errorf("lstm: gradient clip must be positive or 0 (off), got %g", cfg.Clip)
	case cfg.Patience < 0:
		return res, fmt.Errorf("lstm: patience must be positive or 0 (off), got %d", cfg.Patience)
	}
	batch := min(cfg.BatchSize, n)
	tr := NewTrainer(m, cfg.Steps, batch, cfg)
	win := cfg.Steps * m.Inputs()
	x := make([]float64, batch*win)
	y := make([]float64, batch)
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	rng := rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x9e3779b97f4a7c15))
	lastGood := m.Clone() // weights whose loss was last seen finite
	var best *Model       // weights of the best validation loss
	var eval *evaluator
	if val != nil && val.Len() > 0 {
		eval = newEvaluator(m, cfg.Steps, min(val.Len(), evalBatch))
	}
	sinceBest := 0

	for epoch := 1; epoch <= cfg.Epochs; epoch++ {
		start := time.Now()
		rng.Shuffle(n, func(i, j int) { order[i], order[j] = order[j], order[i] })
		var sum float64
		for lo := 0; lo < n; lo += batch {
			nb := min(batch, n-lo)
			for b, i := range order[lo : lo+nb] {
				y[b] = train.Sample(i, x[b*win:(b+1)*win])
			}
			xb, yb := x[:nb*win], y[:nb]
			loss := tr.Gradients(xb, yb)
			if math.IsNaN(loss) || math.IsInf(loss, 0) {
				copy(m.Data, lastGood.Data)
				return res, fmt.Errorf("%w: loss is %g in epoch %d; try a lower --lr or set --clip", ErrDiverged, loss, epoch)
			}
			copy(lastGood.Data, m.Data)
			tr.applyGradients()
			sum += loss * float64(nb)
			if ctx.Err() != nil {
				if best != nil {
					copy(m.Data, best.Data)
				}
				res.Interrupted = true
				return res, ctx.Err()
			}
		}
		st := EpochStats{Epoch: epoch, Epochs: cfg.Epochs, Loss: sum / float64(n), ValLoss: math.NaN(),
			Samples: n, Elapsed: time.Since(start)}
		st.SamplesPerSec = float64(n) / st.Elapsed.Seconds()
		if eval == nil {
			st.Best = true
			res.BestEpoch = epoch
		} else {
			st.ValLoss = eval.loss(m, val)
			if best == nil && !math.IsNaN(st.ValLoss) || st.ValLoss < res.BestValLoss {
				st.Best = true
				res.BestEpoch, res.BestValLoss = epoch, st.ValLoss
				if best == nil {
					best = m.Clone()
				}
				copy(best.Data, m.Data)
				sinceBest = 0
			} else {
				sinceBest++
			}
		}
		res.Epochs = epoch
		res.History = append(res.History, st)
		if progress != nil {
			progress(st)
		}
		if cfg.Patience > 0 && sinceBest >= cfg.Patience {
			res.EarlyStopped = true
			break
		}
	}
	if best != nil {
		copy(m.Data, best.Data)
	}
	return res, nil
}
