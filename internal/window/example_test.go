package window_test

import (
	"fmt"

	"github.com/lstmfc/lstmfc/internal/window"
)

func ExampleChronological() {
	s, err := window.Chronological(1000, 60, 0.1, 0.1)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(s.Train())
	fmt.Println(s.Validation())
	fmt.Println(s.Test())
	fmt.Println(s.Span(799), s.Span(800), s.Span(900))

	_, err = window.Chronological(75, 60, 0.1, 0.1)
	fmt.Println(err)
	// Output:
	// 60 800
	// 800 900
	// 900 1000
	// train validation test
	// window: need at least 62 training values for lookback 60, got 59 (75 rows, 80% train)
}

func ExampleFit() {
	prices := []float64{100, 102, 101, 103, 104, 102, 130, 131}
	s, err := window.Chronological(len(prices), 3, 0, 0.25)
	if err != nil {
		fmt.Println(err)
		return
	}
	// The encoding is fitted on the training prices only.
	e, err := window.Fit(window.Price, prices[:s.TrainEnd])
	if err != nil {
		fmt.Println(err)
		return
	}
	z := e.Encode(prices)

	lo, hi := s.Test()
	test := e.Windows(z, s.Lookback, lo, hi)
	x := make([]float64, s.Lookback)
	for i := range test.Len() {
		t := test.Target(i)
		y := test.Sample(i, x)
		fmt.Printf("target %d: input %.2f, scaled target %.2f, price %.0f\n", t, x, y, e.Price(prices, t, y))
	}
	// Output:
	// target 6: input [0.75 1.00 0.50], scaled target 7.50, price 130
	// target 7: input [1.00 0.50 7.50], scaled target 7.75, price 131
}

func ExampleEncoding_Next() {
	train := []float64{100, 101, 99, 100}
	e, err := window.Fit(window.Return, train)
	if err != nil {
		fmt.Println(err)
		return
	}
	// A recursive forecast feeds each predicted price back as the base of
	// the next step; an output of 0 is "no change".
	price := train[len(train)-1]
	for _, y := range []float64{0, 1, -1} {
		price = e.Next(price, y)
		fmt.Printf("%.3f\n", price)
	}
	// Output:
	// 100.000
	// 101.424
	// 100.000
}
