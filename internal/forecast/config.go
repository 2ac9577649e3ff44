package forecast

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/lstmfc/lstmfc/internal/features"
	"github.com/lstmfc/lstmfc/internal/lstm"
	"github.com/lstmfc/lstmfc/internal/window"
)

// Target says what the model learns to predict; see window.Target.
type Target = window.Target

// The targets a Config may ask for.
const (
	Price  = window.Price
	Return = window.Return
	Delta  = window.Delta
	// Auto lets Train choose: Return when every training price is
	// positive, else Delta, which takes any price.
	Auto Target = "auto"
)

// Targets returns the names Config.Target accepts, Auto first.
func Targets() []string {
	return []string{string(Auto), string(Price), string(Return), string(Delta)}
}

// Cells returns the names Config.Cell accepts, the default (lstm) first.
func Cells() []string {
	return []string{lstm.LSTM.String(), lstm.GRU.String(), lstm.RNN.String()}
}

// Strategy says how a model forecasts more than one step ahead.
type Strategy string

// The strategies a Config may ask for.
const (
	// Direct trains one output per step ahead, 1 to Horizon, and forecasts
	// them in one forward pass. Past Horizon steps it chains blocks of
	// Horizon steps, each forecast from the prices and forecasts before it.
	Direct Strategy = "direct"
	// Recursive trains one output, the next step, and feeds each forecast
	// back as the newest input for the step after it.
	Recursive Strategy = "recursive"
)

// Strategies returns the names Config.Strategy accepts, the default
// (direct) first.
func Strategies() []string { return []string{string(Direct), string(Recursive)} }

// EpochStats is what Train reports after each epoch.
type EpochStats = lstm.EpochStats

// ErrDiverged is wrapped in the errors of a fit whose loss or predictions
// stopped being finite.
var ErrDiverged = lstm.ErrDiverged

// Limits on the sizes that reach an allocation, so that a mistyped flag or
// a damaged model file is a one-line error, not a panic or a machine
// brought to its knees. Each is far beyond what a daily price series needs.
const (
	// MaxLookback is the longest window: 5,000 values are 20 years of
	// trading days, more history than an LSTM's gates carry, and training
	// memory grows with it.
	MaxLookback = 5_000
	// MaxUnits is the most hidden units of one layer, the engine's limit:
	// 1,024 is twenty times the default, about 8.4 million weights a layer
	// (270 MB with their gradients and Adam's moments).
	MaxUnits = lstm.MaxUnits
	// MaxLayers is the most LSTM layers, the engine's limit: stacks deeper
	// than three or four rarely help, and every layer multiplies the cost.
	MaxLayers = lstm.MaxLayers
	// MaxSeries is the longest series a model is fitted on. The model file
	// keeps that series in its header, which safetensors readers cap at
	// lstm.MaxHeaderSize (100 MB); 2,000,000 dated prices take at most
	// about 80 MB there (8,000 years of daily prices, or 20 of minute bars).
	MaxSeries = 2_000_000
	// MaxHorizon is the most steps a recursive forecast runs: 10,000
	// business days are 40 years, far past where fed-back predictions mean
	// anything.
	MaxHorizon = 10_000
	// MaxHorizonOutputs is the most steps ahead a model is trained and
	// calibrated for (Config.Horizon): 250 trading days are a year, and
	// every step is an output of the network and a set of interval radii
	// in the model file.
	MaxHorizonOutputs = 250
	// MaxTrainBytes bounds the activations training keeps for one batch,
	// about 8 bytes × batch × lookback × 8 × the units of all layers: the
	// engine's own bound (lstm.MaxBatchMemory values of 8 bytes, 2 GiB),
	// checked here first so that the error names the batch size.
	MaxTrainBytes = 8 * lstm.MaxBatchMemory
)

// Config is everything that decides how a model is fitted. Its JSON form
// is recorded in the model file.
type Config struct {
	Lookback  int    // window length: how many past values each prediction sees
	Cell      string // recurrent cell of every layer: lstm, gru or rnn; "" is lstm
	Units     []int  // hidden units per layer
	Target    Target // what the model learns to predict; Auto to let Train choose
	Standard  bool   // scale a price target by z-score rather than min-max
	Epochs    int
	BatchSize int
	LR        float64
	Clip      float64 // max global gradient norm; 0 = off
	Patience  int     // epochs without validation gain before stopping; 0 = off
	Seed      uint64
	ValSplit  float64   // fraction of values held out for validation
	TestSplit float64   // fraction of values held out for the final test
	Levels    []float64 // prediction-interval levels, e.g. 0.8 and 0.95
	// Horizon is how many steps ahead the model is trained for (Direct:
	// its outputs) and its intervals measured, at most MaxHorizonOutputs;
	// 0 is 1, the next step only.
	Horizon  int      `json:",omitempty"`
	Strategy Strategy `json:",omitempty"` // Direct or Recursive; "" is Direct
	// Features lists the network's inputs as features.Parse reads them,
	// each a transform of a file's columns or dates, the target's own
	// return first; "" is the encoded price alone, as before features.
	// A forecast past the steps the model outputs feeds its return back
	// and holds every other input, bar the calendar, at its last value.
	Features string `json:",omitempty"`
	// RawForecasts reports the network's own forecasts: no skill test and
	// no drift taken out (see Moves). The default reports what the
	// validation span supports.
	RawForecasts bool `json:",omitempty"`

	// Serial trains on one goroutine (see lstm.TrainConfig.Serial): it
	// changes the speed, never the results, so the model file omits it.
	Serial bool `json:"-"`
}

// FieldError is a configuration value that breaks a rule. Field is the
// name of the Config (or Walk) field, so a caller can name its own flag or
// setting for it.
type FieldError struct {
	Field string
	Msg   string // what is wrong, without the field's name
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Msg }

func fieldErrorf(field, format string, args ...any) error {
	return &FieldError{Field: field, Msg: fmt.Sprintf(format, args...)}
}

// Validate returns a *FieldError for the first field of c that no fit can
// use.
func (c Config) Validate() error {
	switch {
	case c.Lookback < 1:
		return fieldErrorf("Lookback", "must be at least 1, got %d", c.Lookback)
	case c.Lookback > MaxLookback:
		return fieldErrorf("Lookback", "must be at most %d, got %d", MaxLookback, c.Lookback)
	case c.Cell != "" && !slices.Contains(Cells(), c.Cell):
		return fieldErrorf("Cell", "must be lstm, gru or rnn, got %q", c.Cell)
	case len(c.Units) == 0:
		return fieldErrorf("Units", "needs at least one layer size")
	case len(c.Units) > MaxLayers:
		return fieldErrorf("Units", "at most %d layers, got %d", MaxLayers, len(c.Units))
	case slices.ContainsFunc(c.Units, func(u int) bool { return u < 1 }):
		return fieldErrorf("Units", "each layer needs at least 1 unit, got %v", c.Units)
	case slices.ContainsFunc(c.Units, func(u int) bool { return u > MaxUnits }):
		return fieldErrorf("Units", "each layer takes at most %d units, got %v", MaxUnits, c.Units)
	case !slices.Contains(Targets(), string(c.Target)):
		return fieldErrorf("Target", "must be auto, price, return or delta, got %q", c.Target)
	case c.Standard && c.Target != Price:
		return fieldErrorf("Standard", "z-score scaling applies to the price target; the other targets are scaled by their typical step")
	case c.Epochs < 1:
		return fieldErrorf("Epochs", "must be at least 1, got %d", c.Epochs)
	case c.BatchSize < 1:
		return fieldErrorf("BatchSize", "must be at least 1, got %d", c.BatchSize)
	case !(c.LR > 0) || math.IsInf(c.LR, 0):
		return fieldErrorf("LR", "must be a positive number, got %g", c.LR)
	case !(c.Clip >= 0) || math.IsInf(c.Clip, 0):
		return fieldErrorf("Clip", "must be 0 (off) or positive, got %g", c.Clip)
	case c.Patience < 0:
		return fieldErrorf("Patience", "must be 0 (off) or positive, got %d", c.Patience)
	case !(c.ValSplit >= 0 && c.ValSplit < 1):
		return fieldErrorf("ValSplit", "must be in [0, 1), got %g", c.ValSplit)
	case !(c.TestSplit >= 0 && c.TestSplit < 1):
		return fieldErrorf("TestSplit", "must be in [0, 1), got %g", c.TestSplit)
	case c.ValSplit+c.TestSplit >= 1:
		return fieldErrorf("ValSplit", "with a test fraction of %g leaves no training values", c.TestSplit)
	}
	switch {
	case c.Horizon < 0 || c.Horizon > MaxHorizonOutputs:
		return fieldErrorf("Horizon", "must be between 1 and %d steps, got %d", MaxHorizonOutputs, c.Horizon)
	case c.Strategy != "" && !slices.Contains(Strategies(), string(c.Strategy)):
		return fieldErrorf("Strategy", "must be direct or recursive, got %q", c.Strategy)
	}
	if c.Features != "" {
		if _, err := features.Parse(c.Features); err != nil {
			return fieldErrorf("Features", "%s", strings.TrimPrefix(err.Error(), "features: "))
		}
	}
	for _, l := range c.Levels {
		if !(l > 0 && l < 1) {
			return fieldErrorf("Levels", "each level must be between 0 and 1, got %g", l)
		}
	}
	return nil
}

// Resolve validates c and settles it for prices: the split, the levels in
// increasing order without repeats, and an Auto target chosen from the
// training span only, since a value the fit never sees must not change the
// model. notes say what was chosen and why, for the user.
func (c Config) Resolve(prices []float64) (Config, window.Split, []string, error) {
	if err := c.Validate(); err != nil {
		return c, window.Split{}, nil, err
	}
	if len(prices) > MaxSeries {
		return c, window.Split{}, nil, fmt.Errorf("the series has %d values; a model is fitted on at most %d (the model file keeps them), so keep the most recent", len(prices), MaxSeries)
	}
	split, err := window.Chronological(len(prices), c.Lookback, c.ValSplit, c.TestSplit)
	if err != nil {
		return c, split, nil, err
	}
	if err := c.checkMemory(split); err != nil {
		return c, split, nil, err
	}
	c.Levels = slices.Compact(slices.Sorted(slices.Values(c.Levels)))
	if c.Cell == "" {
		c.Cell = lstm.LSTM.String() // recorded by name in the model file's config
	}
	c.Horizon = max(c.Horizon, 1)
	if c.Strategy == "" {
		c.Strategy = Direct
	}
	if c.Features != "" {
		set, _ := features.Parse(c.Features) // Validate parsed it
		c.Features = set.String()            // recorded as the model file reads it back
	}
	if err := c.checkHorizon(split); err != nil {
		return c, split, nil, err
	}
	var notes []string
	auto := c.Target == Auto
	if auto {
		c.Target = Return
		if slices.ContainsFunc(prices[:split.TrainEnd], func(p float64) bool { return p <= 0 }) {
			c.Target = Delta
			notes = append(notes, "target delta: the training span has prices <= 0, which a log return cannot take")
		}
	}
	// The choice above looks at the training span only, so that later
	// prices do not change the model; a later price a return cannot take
	// is refused here, before the work, rather than after training.
	if i := slices.IndexFunc(prices, func(p float64) bool { return p <= 0 }); c.Target == Return && i >= 0 {
		why := ""
		if auto {
			why = " (the automatic choice looks at the training span only, which has none)"
		}
		return c, split, nil, fmt.Errorf("value %d is %g, and a return target needs positive prices%s; use the delta target, which takes any price", i+1, prices[i], why)
	}
	return c, split, notes, nil
}

// checkHorizon refuses a horizon that leaves fewer than two training
// windows whose targets all lie in the training span, or a validation span
// too short to hold one window of Horizon steps: the validation windows
// pick the best epoch and measure the interval of every step.
func (c Config) checkHorizon(split window.Split) error {
	lo, hi := split.Train()
	if c.Strategy == Direct && hi-lo-c.Horizon+1 < 2 {
		return fieldErrorf("Horizon", "%d steps leave fewer than 2 training windows in %d training values with lookback %d; use a shorter horizon or lookback",
			c.Horizon, split.TrainEnd, c.Lookback)
	}
	if lo, hi := split.Validation(); hi > lo && hi-lo < c.Horizon {
		return fieldErrorf("Horizon", "%d steps are more than the %d validation values, which must hold a whole forecast to measure it; use a shorter horizon or a larger validation split",
			c.Horizon, hi-lo)
	}
	return nil
}

// checkMemory refuses a fit whose training activations for one batch (a
// batch holds at most every training window) would exceed MaxTrainBytes.
// The product is taken in float64, which no count overflows.
func (c Config) checkMemory(split window.Split) error {
	lo, hi := split.Train()
	batch := min(c.BatchSize, hi-lo)
	units := 0
	for _, u := range c.Units {
		units += u
	}
	if need := 64 * float64(batch) * float64(c.Lookback) * float64(units); need > MaxTrainBytes {
		return fieldErrorf("BatchSize", "%d windows of %d values through %d units need %.1f GiB of training memory, above the %d GiB limit; use a smaller batch, lookback or network",
			batch, c.Lookback, units, need/(1<<30), MaxTrainBytes>>30)
	}
	return nil
}
