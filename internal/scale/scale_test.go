package scale

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/floats/scalar"
)

func TestFitMinMax(t *testing.T) {
	s, err := FitMinMax([]float64{12, 10, 30, 20})
	if err != nil {
		t.Fatal(err)
	}
	if s != (MinMax{Min: 10, Max: 30}) {
		t.Fatalf("FitMinMax = %+v, want {Min:10 Max:30}", s)
	}
	for _, c := range []struct{ x, want float64 }{
		{10, 0}, {30, 1}, {20, 0.5}, {12, 0.1},
		{50, 2},   // above the training range: not clipped
		{0, -0.5}, // below it
	} {
		if got := s.Transform(c.x); !scalar.EqualWithinAbsOrRel(got, c.want, 1e-15, 1e-15) {
			t.Errorf("Transform(%v) = %v, want %v", c.x, got, c.want)
		}
		if got := s.Inverse(c.want); !scalar.EqualWithinAbsOrRel(got, c.x, 1e-13, 1e-15) {
			t.Errorf("Inverse(%v) = %v, want %v", c.want, got, c.x)
		}
	}
}

func TestFitStandard(t *testing.T) {
	// Mean 5; squared deviations 9, 1, 1, 9 sum to 20: population variance 5,
	// sample variance 20/3.
	s, err := FitStandard([]float64{2, 4, 6, 8})
	if err != nil {
		t.Fatal(err)
	}
	if s.Mean != 5 || !scalar.EqualWithinAbsOrRel(s.Std, math.Sqrt(5), 0, 1e-15) {
		t.Fatalf("FitStandard = %+v, want {Mean:5 Std:%v} (population)", s, math.Sqrt(5))
	}
	// Mean 3 and deviations -1, -1, -1, 3: population variance 3.
	s, err = FitStandard([]float64{2, 2, 2, 6})
	if err != nil {
		t.Fatal(err)
	}
	if s.Mean != 3 || !scalar.EqualWithinAbsOrRel(s.Std, math.Sqrt(3), 0, 1e-15) {
		t.Fatalf("FitStandard = %+v, want {Mean:3 Std:%v}", s, math.Sqrt(3))
	}
}

// TestAsMinMaxIsZScore checks AsMinMax against the z-score formula written
// out here, in both directions, inside and far outside the training range.
func TestAsMinMaxIsZScore(t *testing.T) {
	s := Standard{Mean: 103.5, Std: 7.25}
	m := s.AsMinMax()
	if m != (MinMax{Min: 103.5, Max: 110.75}) {
		t.Errorf("AsMinMax = %+v, want {Min:103.5 Max:110.75}", m)
	}
	for _, v := range []float64{-50, 0, 96.25, 103.5, 110.75, 1e5} {
		if got, want := m.Transform(v), (v-s.Mean)/s.Std; !scalar.EqualWithinAbsOrRel(got, want, 1e-12, 1e-12) {
			t.Errorf("Transform(%v) = %v, want z-score %v", v, got, want)
		}
	}
	for _, y := range []float64{-3, 0, 0.5, 1, 40} {
		if got, want := m.Inverse(y), y*s.Std+s.Mean; !scalar.EqualWithinAbsOrRel(got, want, 1e-12, 1e-12) {
			t.Errorf("Inverse(%v) = %v, want %v", y, got, want)
		}
	}
}

func TestFitErrors(t *testing.T) {
	for _, c := range []struct {
		name string
		x    []float64
		want string
	}{
		{"empty", nil, "scale: no training values"},
		{"nan", []float64{1, 2, math.NaN()}, "scale: training value 2 is NaN"},
		{"inf", []float64{1, math.Inf(-1), 3}, "scale: training value 1 is -Inf"},
		{"constant", []float64{42.5, 42.5, 42.5, 42.5}, "scale: all 4 training values equal 42.5; cannot scale a constant series"},
		{"single", []float64{42.5}, "scale: only one training value (42.5); cannot scale a constant series"},
	} {
		_, err := FitMinMax(c.x)
		if err == nil || err.Error() != c.want {
			t.Errorf("%s: FitMinMax error %v, want %q", c.name, err, c.want)
		}
		_, err = FitStandard(c.x)
		if err == nil || err.Error() != c.want {
			t.Errorf("%s: FitStandard error %v, want %q", c.name, err, c.want)
		}
	}
}
