package window

import "fmt"

// Cut returns the Keras tutorial's layout of values: for each start i, the
// input x[i] = values[i:i+lookback] and the following horizon values
// y[i] = values[i+lookback:i+lookback+horizon]. Both are views of values,
// not copies, with their capacity cut to their length so that appending to
// one cannot overwrite the series. Cut returns an error when lookback or
// horizon is below 1 or values is shorter than lookback+horizon.
func Cut(values []float64, lookback, horizon int) (x, y [][]float64, err error) {
	if lookback < 1 || horizon < 1 {
		return nil, nil, fmt.Errorf("window: lookback and horizon must be at least 1, got %d and %d", lookback, horizon)
	}
	n := len(values) - lookback - horizon + 1
	if n < 1 {
		return nil, nil, fmt.Errorf("window: need at least %d values for lookback %d and horizon %d, got %d",
			lookback+horizon, lookback, horizon, len(values))
	}
	x = make([][]float64, n)
	y = make([][]float64, n)
	for i := range n {
		j, k := i+lookback, i+lookback+horizon
		x[i] = values[i:j:j]
		y[i] = values[j:k:k]
	}
	return x, y, nil
}
