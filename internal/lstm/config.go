package lstm

// Dataset supplies training or validation samples without materialising
// every window: a window is usually a view of one series.
type Dataset interface {
	// Len is the number of samples.
	Len() int
	// Sample writes sample i's input window (T×In, row-major) into x and
	// its targets, one per output of the model, into y.
	Sample(i int, x, y []float64)
}

// ScalarDataset is a Dataset of one target per sample, which Sample
// returns; OneTarget makes it a Dataset.
type ScalarDataset interface {
	// Len is the number of samples.
	Len() int
	// Sample writes sample i's input window (T×In, row-major) into x and
	// returns its target.
	Sample(i int, x []float64) float64
}

// OneTarget returns d as a Dataset for models of one output.
func OneTarget(d ScalarDataset) Dataset { return oneTarget{d} }

// oneTarget is the Dataset of OneTarget.
type oneTarget struct{ d ScalarDataset }

func (o oneTarget) Len() int { return o.d.Len() }

func (o oneTarget) Sample(i int, x, y []float64) { y[0] = o.d.Sample(i, x) }

// TrainConfig are the settings of Train.
type TrainConfig struct {
	Steps     int // T, the window length, at most MaxSteps
	Epochs    int
	BatchSize int // 1..Len(); larger than the set means the whole set

	// Adam's settings; zero values mean PyTorch's defaults 1e-3, 0.9,
	// 0.999 and 1e-8.
	LR, Beta1, Beta2, Eps float64

	Clip     float64 // maximum global gradient norm; 0 turns clipping off
	Patience int     // epochs without a better validation loss before stopping; 0 turns early stopping off
	Seed     uint64  // seed of the shuffling of the training windows each epoch

	// Serial runs each training step and validation pass on the calling
	// goroutine instead of splitting it over two: the results are
	// bit-identical, only the speed changes. It suits a caller that keeps
	// every core busy with other models, for which the handoffs between
	// goroutines within a step are overhead.
	Serial bool
}

// optimizer is the part of a TrainConfig that a trainer uses for each
// update: Adam's settings and the gradient clipping.
type optimizer struct {
	lr, beta1, beta2, eps float64
	clip                  float64 // 0: no clipping
}

// optimizer returns cfg's update settings, zero Adam settings replaced by
// PyTorch's defaults.
func (cfg TrainConfig) optimizer() optimizer {
	or := func(v, def float64) float64 {
		if v == 0 {
			return def
		}
		return v
	}
	return optimizer{lr: or(cfg.LR, 1e-3), beta1: or(cfg.Beta1, 0.9), beta2: or(cfg.Beta2, 0.999), eps: or(cfg.Eps, 1e-8), clip: cfg.Clip}
}

// Limits of the sizes that a caller passes to Train and PredictAll, which
// reach allocations: MaxSteps keeps the window length far from overflow
// (a million steps is millennia of daily prices), and MaxBatchMemory bounds
// the memory of one training batch (the activations and gradients of every
// layer at every step of every window, 8 bytes a value), checked before
// anything is allocated. 1<<28 values are 2 GiB; the tutorial's model
// (two layers of 50 units, 60 steps, batches of 32) needs 0.8 M of them.
const (
	MaxSteps       = 1 << 20
	MaxBatchMemory = 1 << 28
)
