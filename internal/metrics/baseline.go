package metrics

import (
	"fmt"

	"gonum.org/v1/gonum/stat"
)

// Naive returns the naive one-step forecast of values[t]: the last known
// value, values[t-1]. t may be len(values), to forecast past the end; it
// panics when t is outside [1, len(values)].
func Naive(values []float64, t int) float64 {
	mustForecastable(values, t)
	return values[t-1]
}

// Drift returns the drift forecast of values[t]: the last known value plus
// the mean change over values[:t], values[t-1] + (values[t-1]-values[0])/(t-1).
// With a single known value there is no change to average and it is the
// naive forecast. It panics when t is outside [1, len(values)].
func Drift(values []float64, t int) float64 {
	mustForecastable(values, t)
	last := values[t-1]
	if t == 1 {
		return last
	}
	return last + (last-values[0])/float64(t-1)
}

// MovingAverage returns the mean of the k values before values[t], or of all
// of values[:t] when fewer than k are known. It panics when t is outside
// [1, len(values)] or k is below 1.
func MovingAverage(values []float64, t, k int) float64 {
	mustForecastable(values, t)
	if k < 1 {
		panic(fmt.Sprintf("metrics: moving average of %d values", k))
	}
	return stat.Mean(values[max(t-k, 0):t], nil)
}

// mustForecastable panics unless values[:t] holds at least one known value
// and t is at most one past the end.
func mustForecastable(values []float64, t int) {
	if t < 1 || t > len(values) {
		panic(fmt.Sprintf("metrics: forecast of value %d from %d values", t, len(values)))
	}
}
