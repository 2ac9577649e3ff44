package window

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/floats"

	"github.com/lstmfc/lstmfc/internal/scale"
)

// Target says what the model learns to predict.
type Target string

const (
	// Price is the tutorial's target: the min-max scaled price itself.
	Price Target = "price"
	// Return is the log return log(p[t]/p[t-1]) in units of its typical
	// training size.
	Return Target = "return"
	// Delta is the price change p[t]-p[t-1] in units of its typical
	// training size.
	Delta Target = "delta"
)

// ParseTarget returns the Target named s.
func ParseTarget(s string) (Target, error) {
	switch t := Target(s); t {
	case Price, Return, Delta:
		return t, nil
	}
	return "", fmt.Errorf("window: unknown target %q (want price, return or delta)", s)
}

// Encoding turns prices into the model-space series z that windows are cut
// from, and model outputs back into prices.
//
// For Price, Scale is the min-max scaler of the training prices and z is the
// scaled price, exactly as in the Keras tutorial.
//
// For Delta, Scale maps a price to units of the typical training step: Min
// is the training minimum and Max-Min the root mean square of the training
// price changes. A target of 1 is then a typical day's move, where in
// min-max units it would be about 0.01, a scale that an Adam step of 1e-3
// overshoots. The root mean square rather than the standard deviation is
// used because the target is not centred: the no-change forecast has a mean
// squared error of exactly 1 on the training span, and a steady trend with
// equal steps can still be scaled.
//
// For Return, ReturnScale is the root mean square of the training log
// returns, for the same reasons, and Scale is unused.
type Encoding struct {
	Target      Target
	Scale       scale.MinMax // Price and Delta
	ReturnScale float64      // Return
}

// Fit returns the Encoding for target fitted on the training prices train
// only. It returns an error when train holds a value that is not finite or,
// for Return, not positive, when it is constant, and when a Return or Delta
// target has fewer than two training values to take a step from.
func Fit(target Target, train []float64) (Encoding, error) {
	e := Encoding{Target: target}
	if err := e.Check(train); err != nil {
		return Encoding{}, err
	}
	if target != Price && len(train) < 2 {
		return Encoding{}, fmt.Errorf("window: need at least 2 training values for a %s target, got %d", target, len(train))
	}
	var err error
	switch target {
	case Price:
		e.Scale, err = scale.FitMinMax(train)
	case Delta:
		e.Scale, err = scale.FitMinMax(train)
		e.Scale.Max = e.Scale.Min + rootMeanSquare(steps(train, func(a, b float64) float64 { return b - a }))
	case Return:
		e.ReturnScale = rootMeanSquare(steps(train, func(a, b float64) float64 { return math.Log(b / a) }))
		if e.ReturnScale == 0 {
			err = fmt.Errorf("window: all %d training values equal %g; cannot scale a constant series", len(train), train[0])
		}
	}
	if err != nil {
		return Encoding{}, err
	}
	return e, nil
}

// Check returns an error naming the first of prices that the encoding cannot
// take: one that is not finite or, for a Return target, not positive. Encode
// assumes prices that pass Check. It also refuses an unknown target.
func (e Encoding) Check(prices []float64) error {
	switch e.Target {
	case Price, Return, Delta:
	default:
		return fmt.Errorf("window: unknown target %q (want price, return or delta)", e.Target)
	}
	for i, p := range prices {
		switch {
		case math.IsNaN(p) || math.IsInf(p, 0):
			return fmt.Errorf("window: price %d is %v", i, p)
		case e.Target == Return && p <= 0:
			return fmt.Errorf("window: price %d is %g; a return target needs positive prices", i, p)
		}
	}
	return nil
}

// Encode returns the model-space series z of prices, of the same length: the
// scaled price for Price and Delta, the scaled log return from the previous
// price for Return. For Return z[0] is 0 and carries no information, as no
// price precedes it; it only ever appears as the oldest input of the first
// window.
func (e Encoding) Encode(prices []float64) []float64 {
	z := make([]float64, len(prices))
	switch e.Target {
	case Price, Delta:
		for i, p := range prices {
			z[i] = e.Scale.Transform(p)
		}
	case Return:
		for i := 1; i < len(prices); i++ {
			z[i] = math.Log(prices[i]/prices[i-1]) / e.ReturnScale
		}
	default:
		panic(fmt.Sprintf("window: unknown target %q", e.Target))
	}
	return z
}

// Windows returns the windows of z for the targets t in [lo, hi): the input
// of target t is z[t-lookback:t] and its target z[t]. For Delta the input and
// target are taken relative to z[t-1], the last input value, so a window of
// prices above the training range looks like any other. It panics when a
// window would reach outside z.
func (e Encoding) Windows(z []float64, lookback, lo, hi int) *Windows {
	if lookback < 1 || lo < lookback || hi < lo || hi > len(z) {
		panic(fmt.Sprintf("window: targets [%d,%d) with lookback %d do not fit a series of %d values", lo, hi, lookback, len(z)))
	}
	return &Windows{z: z, lookback: lookback, lo: lo, hi: hi, relative: e.Target == Delta}
}

// Price returns the price that model output y for target index t stands
// for; for Return and Delta it is a step from prices[t-1]. It is Next with
// the previous price taken from prices.
func (e Encoding) Price(prices []float64, t int, y float64) float64 {
	return e.Next(prices[t-1], y)
}

// Next returns the price that model output y stands for when the last known
// price is prev, as in a recursive forecast that feeds its own prices back.
// For Price prev is not used.
func (e Encoding) Next(prev, y float64) float64 {
	switch e.Target {
	case Price:
		return e.Scale.Inverse(y)
	case Return:
		return prev * math.Exp(y*e.ReturnScale)
	case Delta:
		return e.Scale.Inverse(e.Scale.Transform(prev) + y)
	}
	panic(fmt.Sprintf("window: unknown target %q", e.Target))
}

// Move returns how far price p is from the earlier price last in the
// units the target moves in: the log return log(p/last) for Return, the
// change p - last for Price and Delta. For Return both must be positive.
func (e Encoding) Move(last, p float64) float64 {
	if e.Target == Return {
		return math.Log(p / last)
	}
	return p - last
}

// Moved returns the price move away from last, in the units of Move, so
// that e.Moved(last, e.Move(last, p)) is p up to rounding.
func (e Encoding) Moved(last, move float64) float64 {
	if e.Target == Return {
		return last * math.Exp(move)
	}
	return last + move
}

// steps returns step(x[i-1], x[i]) for i in [1, len(x)).
func steps(x []float64, step func(a, b float64) float64) []float64 {
	d := make([]float64, len(x)-1)
	for i := range d {
		d[i] = step(x[i], x[i+1])
	}
	return d
}

// rootMeanSquare returns the root mean square of x.
func rootMeanSquare(x []float64) float64 {
	return floats.Norm(x, 2) / math.Sqrt(float64(len(x)))
}

// Scaler says how FitScaled scales a Price target.
type Scaler string

const (
	// MinMax maps the training range to [0, 1], as the Keras tutorial does.
	MinMax Scaler = "minmax"
	// ZScore maps the training mean to 0 and one standard deviation to 1.
	ZScore Scaler = "standard"
)

// FitScaled is Fit with the choice of scaler for a Price target; the other
// targets are scaled by their typical step and refuse ZScore. For a Return
// target, which needs no price scaler, Scale is set to the training range
// all the same, as a Price target's would be, so that the model file's
// scaler_min and scaler_max stay meaningful to readers that know only the
// price target.
func FitScaled(target Target, scaler Scaler, train []float64) (Encoding, error) {
	if scaler != MinMax && scaler != ZScore {
		return Encoding{}, fmt.Errorf("window: unknown scaler %q (want minmax or standard)", scaler)
	}
	if scaler == ZScore && target != Price {
		return Encoding{}, fmt.Errorf("window: z-score scaling applies to the price target, not %s, which is scaled by its typical step", target)
	}
	e, err := Fit(target, train)
	if err != nil {
		return e, err
	}
	switch {
	case scaler == ZScore:
		// Carried as mean and mean + std: price = z·(Max − Min) + Min
		// still holds, so the model file needs no other keys.
		st, err := scale.FitStandard(train)
		e.Scale = st.AsMinMax()
		return e, err
	case target == Return:
		e.Scale, err = scale.FitMinMax(train)
	}
	return e, err
}
