package series

import (
	"math"
	"slices"
	"testing"
	"time"

	"gonum.org/v1/gonum/stat"
)

func TestBusinessDays(t *testing.T) {
	friday := day("2024-05-31")
	got := BusinessDays(friday, 6)
	want := days("2024-06-03", "2024-06-04", "2024-06-05", "2024-06-06", "2024-06-07", "2024-06-10")
	if !slices.EqualFunc(got, want, time.Time.Equal) {
		t.Errorf("BusinessDays(Fri 2024-05-31, 6) = %v, want %v", got, want)
	}
	if got := BusinessDays(friday, 0); len(got) != 0 {
		t.Errorf("BusinessDays(_, 0) = %v, want none", got)
	}
}

func TestRandomWalk(t *testing.T) {
	s := RandomWalk(1000, 7)
	if len(s.Values) != 1000 || len(s.Dates) != 1000 {
		t.Fatalf("%d values, %d dates; want 1000", len(s.Values), len(s.Dates))
	}
	if want := days("2015-01-01", "2015-01-02", "2015-01-05"); !slices.EqualFunc(s.Dates[:3], want, time.Time.Equal) {
		t.Errorf("dates start %v, %v, %v; want 2015-01-01, 01-02, 01-05", s.Dates[0], s.Dates[1], s.Dates[2])
	}
	steps := make([]float64, len(s.Values))
	prev := 0.0
	for i, v := range s.Values {
		steps[i] = v - prev
		prev = v
		if steps[i] < 0 || steps[i] >= 1 {
			t.Fatalf("step %d is %v, want in [0, 1)", i, steps[i])
		}
	}
	// Uniform [0,1) has mean 1/2 and standard deviation 1/sqrt(12); the mean
	// of 1000 draws is within 4 standard errors of 1/2.
	if m := stat.Mean(steps, nil); math.Abs(m-0.5) > 4/math.Sqrt(12*1000) {
		t.Errorf("mean step %v, want about 0.5", m)
	}
	if !slices.Equal(RandomWalk(1000, 7).Values, s.Values) {
		t.Error("the same seed gave a different walk")
	}
	if slices.Equal(RandomWalk(1000, 8).Values, s.Values) {
		t.Error("another seed gave the same walk")
	}
}

func TestGeometricWalk(t *testing.T) {
	const n = 20000
	s := GeometricWalk(n, 1)
	r := logReturns(t, s, n)
	mean, sd := stat.MeanStdDev(r, nil)
	// Standard error of the mean is 0.015/sqrt(n) ≈ 1.1e-4, of the standard
	// deviation about 0.015/sqrt(2n) ≈ 7.5e-5; allow 4 of each.
	if math.Abs(mean-0.0003) > 4*0.015/math.Sqrt(n) {
		t.Errorf("mean log-return %v, want about 0.0003", mean)
	}
	if math.Abs(sd-0.015) > 4*0.015/math.Sqrt(2*n) {
		t.Errorf("log-return sd %v, want about 0.015", sd)
	}
	if got := s.Dates[n-1].Weekday(); got == time.Saturday || got == time.Sunday {
		t.Errorf("last date %v is a weekend", s.Dates[n-1])
	}
}

// TestLongMemory checks the long-memory series' defining property: a log
// return is strongly correlated with the one LongMemoryLag steps before and
// with no other recent one, in particular not with the last few.
func TestLongMemory(t *testing.T) {
	const n = 20000
	s := LongMemory(n, 1)
	r := logReturns(t, s, n)
	// With 20,000 returns a zero correlation is measured within about
	// ±0.007 (one standard error); 0.05 is 7 of them.
	for k := 1; k <= 2*LongMemoryLag-1; k++ {
		c := stat.Correlation(r[k:], r[:len(r)-k], nil)
		switch {
		case k == LongMemoryLag && !(math.Abs(c-LongMemoryWeight) < 0.02):
			t.Errorf("correlation at lag %d is %.4f, want about %g", k, c, LongMemoryWeight)
		case k != LongMemoryLag && math.Abs(c) > 0.05:
			t.Errorf("correlation at lag %d is %.4f, want about 0", k, c)
		}
	}
	if !slices.Equal(LongMemory(n, 1).Values, s.Values) {
		t.Error("the same seed gave a different series")
	}
	if slices.Equal(LongMemory(n, 2).Values, s.Values) {
		t.Error("another seed gave the same series")
	}
}

// logReturns checks that s is a walk of n dated values from 100 and
// returns its n-1 log returns.
func logReturns(t *testing.T, s *Series, n int) []float64 {
	t.Helper()
	if len(s.Values) != n || len(s.Dates) != n || s.Values[0] != 100 {
		t.Fatalf("%d values, %d dates, first %v; want %d, %d, 100", len(s.Values), len(s.Dates), s.Values[0], n, n)
	}
	r := make([]float64, n-1)
	for i := range r {
		r[i] = math.Log(s.Values[i+1] / s.Values[i])
	}
	return r
}
