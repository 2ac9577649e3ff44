package lstm_test

import (
	"context"
	"fmt"
	"math"

	"github.com/lstmfc/lstmfc/internal/lstm"
	"github.com/lstmfc/lstmfc/internal/window"
)

func ExampleTrain() {
	s := make([]float64, 200)
	for i := range s {
		s[i] = 0.5 + 0.4*math.Sin(float64(i)*0.3)
	}
	const steps = 10
	// The windows of the (already scaled) series, as views: targets
	// 10..149 train, 150..199 validate.
	enc := window.Encoding{Target: window.Price}
	train, val := lstm.OneTarget(enc.Windows(s, steps, steps, 150)), lstm.OneTarget(enc.Windows(s, steps, 150, len(s)))

	m, err := lstm.New(1, []int{8})
	if err != nil {
		fmt.Println(err)
		return
	}
	m.InitKeras(1)
	before := meanSquaredError(m, val, steps)
	res, err := lstm.Train(context.Background(), m, train, val,
		lstm.TrainConfig{Steps: steps, Epochs: 20, BatchSize: 16, LR: 1e-2, Seed: 1}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("epochs:", res.Epochs)
	fmt.Println("validation loss at least 10 times lower:", res.BestValLoss < before/10)

	// Predict the point after the last window.
	next := m.Predict(s[len(s)-steps:], steps)
	fmt.Println("predictions:", len(next))
	// Output:
	// epochs: 20
	// validation loss at least 10 times lower: true
	// predictions: 1
}

// meanSquaredError returns the mean squared error of m's predictions of the
// targets of d, or NaN if it cannot predict them.
func meanSquaredError(m *lstm.Model, d lstm.Dataset, steps int) float64 {
	pred := make([]float64, d.Len())
	if err := m.PredictAll(context.Background(), d, steps, pred); err != nil {
		return math.NaN()
	}
	x, y := make([]float64, steps*m.Inputs()), make([]float64, 1)
	var sum float64
	for i, p := range pred {
		d.Sample(i, x, y)
		r := p - y[0]
		sum += r * r
	}
	return sum / float64(len(pred))
}
