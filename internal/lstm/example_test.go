package lstm_test

import (
	"context"
	"fmt"
	"math"

	"github.com/lstmfc/lstmfc/internal/lstm"
)

// series is a Dataset of the windows of one series: sample i is
// s[i:i+steps] with target s[i+steps].
type series struct {
	s     []float64
	steps int
}

func (d series) Len() int { return len(d.s) - d.steps }

func (d series) Sample(i int, x []float64) float64 {
	copy(x, d.s[i:i+d.steps])
	return d.s[i+d.steps]
}

func ExampleTrain() {
	s := make([]float64, 200)
	for i := range s {
		s[i] = 0.5 + 0.4*math.Sin(float64(i)*0.3)
	}
	const steps = 10
	train, val := series{s[:150], steps}, series{s[150-steps:], steps}

	m, err := lstm.New(1, []int{8})
	if err != nil {
		fmt.Println(err)
		return
	}
	m.InitKeras(1)
	before := m.Loss(val, steps)
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
