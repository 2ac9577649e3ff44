// Package scale maps prices to the small, centred numbers a neural network
// trains well on, and back.
//
// A scaler is fitted on training values only: fitting it on the whole series
// would let the minimum, maximum or mean of future values leak into the
// inputs the model learns from.
package scale

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/stat"
)

// MinMax maps the training range [Min, Max] onto [0, 1]:
// scaled = (x - Min) / (Max - Min), as in the Keras tutorial's MinMaxScaler.
type MinMax struct{ Min, Max float64 }

// FitMinMax returns the MinMax scaler of the training values x. It returns an
// error when x is empty, holds a NaN or an infinity, or is constant.
func FitMinMax(x []float64) (MinMax, error) {
	if err := check(x); err != nil {
		return MinMax{}, err
	}
	s := MinMax{Min: x[0], Max: x[0]}
	for _, v := range x[1:] {
		s.Min = math.Min(s.Min, v)
		s.Max = math.Max(s.Max, v)
	}
	return s, nil
}

// Transform returns x in scaled units. It does not clip: values outside the
// training range map outside [0, 1], so a price above every training price
// stays distinguishable from the training maximum.
func (s MinMax) Transform(x float64) float64 { return (x - s.Min) / (s.Max - s.Min) }

// Inverse returns the value whose scaled form is y.
func (s MinMax) Inverse(y float64) float64 { return y*(s.Max-s.Min) + s.Min }

// Standard is the z-score scaling scaled = (x - Mean) / Std. It is applied
// through AsMinMax, the form a model file stores.
type Standard struct{ Mean, Std float64 }

// FitStandard returns the Standard scaler of the training values x, with the
// population standard deviation (divisor n, as scikit-learn's StandardScaler).
// It returns an error when x is empty, holds a NaN or an infinity, or is
// constant.
func FitStandard(x []float64) (Standard, error) {
	if err := check(x); err != nil {
		return Standard{}, err
	}
	mean, std := stat.PopMeanStdDev(x, nil)
	return Standard{Mean: mean, Std: std}, nil
}

// AsMinMax returns the MinMax scaler with Min = Mean and Max = Mean + Std,
// whose Transform is the z-score (x - Mean) / Std. It lets a model file that stores only
// scaler_min and scaler_max (price = scaled·(max − min) + min) carry a
// Standard scaler.
func (s Standard) AsMinMax() MinMax { return MinMax{Min: s.Mean, Max: s.Mean + s.Std} }

// check returns an error when x is empty, holds a value that is not finite,
// or is constant: a constant series has no range or spread to divide by.
func check(x []float64) error {
	if len(x) == 0 {
		return fmt.Errorf("scale: no training values")
	}
	varies := false
	for i, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("scale: training value %d is %v", i, v)
		}
		varies = varies || v != x[0]
	}
	if len(x) == 1 {
		return fmt.Errorf("scale: only one training value (%g); cannot scale a constant series", x[0])
	}
	if !varies {
		return fmt.Errorf("scale: all %d training values equal %g; cannot scale a constant series", len(x), x[0])
	}
	return nil
}
