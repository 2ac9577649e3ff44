package forecast_test

import (
	"context"
	"fmt"

	"github.com/lstmfc/lstmfc/internal/forecast"
)

// Example loads a model file, which carries the series it was fitted on
// and its split, predicts that series one step ahead and three business
// days past its end with the model's intervals, and scores the held-out
// test span against the naive forecast. Forecast rows have no actual value
// (NaN), and their intervals widen with the square root of the horizon.
func Example() {
	m, err := forecast.Load(context.Background(), "../../testdata/models/return-dated.bin")
	if err != nil {
		fmt.Println(err)
		return
	}
	s := m.Series
	fmt.Printf("%d prices, lookback %d, target %s, split at %d and %d\n", len(s.Values), m.Lookback, m.Enc.Target, m.Split.TrainEnd, m.Split.ValEnd)

	tb, err := m.Table(context.Background(), s.Values, s.Dates, &m.Split, 3)
	if err != nil {
		fmt.Println(err)
		return
	}
	// The last two values, then the forecast; rounded here, as the last
	// digits depend on the CPU's floating-point kernels.
	tail := tb.Tail(2)
	for i := range tail.Len() {
		b := tail.Bands[0] // the 80% interval
		fmt.Printf("%s %-8s actual %5.2f predicted %.3f, 80%% in [%.3f, %.3f]\n",
			tail.Dates[i].Format("2006-01-02"), tail.Split[i], tail.Actual[i], tail.Predicted[i], b.Lo[i], b.Hi[i])
	}

	lo, hi := m.Split.Test()
	r := forecast.Evaluate(s.Values, tb.Predicted, tb.Bands, lo, hi, m.Split.TrainEnd)
	fmt.Printf("test: %d values, RMSE %.4f (naive %.4f), 80%% interval covers %.0f%%\n", r.Rows, r.LSTM.RMSE, r.Naive.RMSE, 100*r.Coverage["80"])
	// Output:
	// 250 prices, lookback 10, target return, split at 200 and 225
	// 1997-12-31 test     actual  2.27 predicted 2.270, 80% in [2.119, 2.421]
	// 1998-01-02 test     actual  2.16 predicted 2.270, 80% in [2.127, 2.412]
	// 1998-01-05 forecast actual   NaN predicted 2.158, 80% in [2.013, 2.304]
	// 1998-01-06 forecast actual   NaN predicted 2.156, 80% in [1.950, 2.362]
	// 1998-01-07 forecast actual   NaN predicted 2.154, 80% in [1.902, 2.406]
	// test: 25 values, RMSE 0.0890 (naive 0.0890), 80% interval covers 88%
}
