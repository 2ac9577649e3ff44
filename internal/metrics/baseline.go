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
func Drift(values []float64, t int) float64 { return DriftAhead(values, t, 1) }

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

// DriftAhead returns the drift forecast of values[t+h-1], h steps past the
// last known value values[t-1]: that value plus h times the mean change over
// values[:t]. DriftAhead(values, t, 1) is Drift(values, t). It panics when t
// is outside [1, len(values)] or h < 1.
func DriftAhead(values []float64, t, h int) float64 {
	mustForecastable(values, t)
	mustStep(h)
	last := values[t-1]
	if t == 1 {
		return last
	}
	return last + float64(h)*(last-values[0])/float64(t-1)
}

// SeasonalNaive returns the seasonal naive forecast of values[t+h-1], h
// steps past the last known value values[t-1]: the latest known value a
// whole number of periods before it, values[t+h-1-period·⌈h/period⌉]. With
// period 5 on business days it repeats last week's value of the same
// weekday. It panics when fewer than period values are known, or h or
// period is below 1.
func SeasonalNaive(values []float64, t, h, period int) float64 {
	mustForecastable(values, t)
	mustStep(h)
	if period < 1 || t < period {
		panic(fmt.Sprintf("metrics: seasonal naive forecast of period %d from %d values", period, t))
	}
	return values[t+h-1-period*((h+period-1)/period)]
}

// mustStep panics unless h, a number of steps ahead, is at least 1.
func mustStep(h int) {
	if h < 1 {
		panic(fmt.Sprintf("metrics: forecast %d steps ahead", h))
	}
}
