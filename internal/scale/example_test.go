package scale_test

import (
	"fmt"

	"github.com/lstmfc/lstmfc/internal/scale"
)

func ExampleFitMinMax() {
	train := []float64{100, 120, 110, 140}
	s, err := scale.FitMinMax(train)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(s.Transform(110), s.Transform(160), s.Inverse(0.5))
	_, err = scale.FitMinMax([]float64{42.5, 42.5, 42.5})
	fmt.Println(err)
	// Output:
	// 0.25 1.5 120
	// scale: all 3 training values equal 42.5; cannot scale a constant series
}

func ExampleStandard_AsMinMax() {
	s, err := scale.FitStandard([]float64{2, 4, 4, 4, 5, 5, 7, 9})
	if err != nil {
		fmt.Println(err)
		return
	}
	m := s.AsMinMax()
	fmt.Printf("%+v %+v\n", s, m)
	// 9 is two standard deviations above the mean.
	fmt.Println(m.Transform(9), m.Inverse(-1))
	// Output:
	// {Mean:5 Std:2} {Min:5 Max:7}
	// 2 3
}
