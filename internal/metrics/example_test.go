package metrics_test

import (
	"encoding/json"
	"fmt"

	"github.com/lstmfc/lstmfc/internal/metrics"
)

func ExampleScore() {
	train := []float64{100, 102, 101, 104, 103}
	test := []float64{103, 105, 104, 106} // test[0] is the last training value
	pred := []float64{104, 105, 107}      // forecasts of test[1:]

	s := metrics.Score(test[:3], test[1:], pred, metrics.NaiveMAE(train))
	b, err := json.Marshal(s)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s\n", b)
	// Errors 1, -1, -1; the naive training error is (2+1+3+1)/4; the
	// second forecast calls no move while the price fell.
	fmt.Printf("RMSE %.3f, MAE %.3f, MASE %.3f, directions %.2f\n", s.RMSE, s.MAE, s.MASE, s.DirectionalAccuracy)
	// Output:
	// {"rmse":1,"mae":1,"mape":0.009524385467781693,"smape":0.009509475780787863,"mase":0.5714285714285714,"directional_accuracy":0.6666666666666666}
	// RMSE 1.000, MAE 1.000, MASE 0.571, directions 0.67
}

func ExampleConformalQuantile() {
	// Absolute one-step errors on a calibration span.
	residuals := []float64{0.8, 1.9, 0.3, 1.1, 0.6, 2.4, 0.9, 1.4, 0.2, 1.0}
	r := metrics.ConformalQuantile(residuals, 0.8) // the ⌈11·0.8⌉ = 9th smallest
	fmt.Printf("forecast 100 ± %.1f\n", r)
	fmt.Println(metrics.ConformalQuantile(residuals, 0.95)) // ⌈10.45⌉ = 11 > 10
	// Output:
	// forecast 100 ± 1.9
	// +Inf
}

func ExampleDrift() {
	values := []float64{10, 11, 13, 14}
	fmt.Println(metrics.Naive(values, 4), metrics.Drift(values, 4), metrics.MovingAverage(values, 4, 2))
	// Output:
	// 14 15.333333333333334 13.5
}
