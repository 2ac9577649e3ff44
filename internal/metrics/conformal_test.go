package metrics

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestConformalQuantile(t *testing.T) {
	r := []float64{5, 1, 4, 2, 3}
	for _, c := range []struct {
		level, want float64
	}{
		{0.5, 3},           // rank ⌈6·0.5⌉ = 3
		{0.1, 1},           // rank ⌈0.6⌉ = 1
		{0.8, 5},           // rank ⌈4.8⌉ = 5
		{0.9, math.Inf(1)}, // rank ⌈5.4⌉ = 6 > 5
	} {
		if got := ConformalQuantile(r, c.level); got != c.want {
			t.Errorf("ConformalQuantile(%v, %v) = %v, want %v", r, c.level, got, c.want)
		}
	}
	if !slices.Equal(r, []float64{5, 1, 4, 2, 3}) {
		t.Errorf("ConformalQuantile reordered its input: %v", r)
	}
	if got := ConformalQuantile(nil, 0.5); !math.IsInf(got, 1) {
		t.Errorf("ConformalQuantile of no residuals = %v, want +Inf", got)
	}
	// 10·0.7 is 7.000000000000001 in floating point; the rank is 7.
	nine := []float64{9, 3, 7, 1, 8, 2, 6, 4, 5}
	if got := ConformalQuantile(nine, 0.7); got != 7 {
		t.Errorf("ConformalQuantile(1..9, 0.7) = %v, want 7", got)
	}
}

// TestConformalCoverage draws calibration residuals and one new residual
// from the same distribution many times and checks that the radius covers
// the new one as often as split conformal promises: k/(n+1) for rank k,
// which is at least level.
func TestConformalCoverage(t *testing.T) {
	const trials = 4000
	rnd := rand.New(rand.NewPCG(7, 11))
	for _, c := range []struct {
		n     int
		level float64
	}{
		{20, 0.8},
		{30, 0.9},
		{50, 0.95},
	} {
		k := math.Ceil(float64(c.n+1) * c.level)
		exact := k / float64(c.n+1)
		cal := make([]float64, c.n)
		covered := 0
		for range trials {
			for i := range cal {
				cal[i] = math.Abs(rnd.NormFloat64())
			}
			if math.Abs(rnd.NormFloat64()) <= ConformalQuantile(cal, c.level) {
				covered++
			}
		}
		cov := float64(covered) / trials
		sd := math.Sqrt(exact * (1 - exact) / trials)
		if cov < c.level-3*sd || math.Abs(cov-exact) > 3*sd {
			t.Errorf("n=%d level=%v: coverage %.4f, want %.4f ± %.4f and at least the level", c.n, c.level, cov, exact, 3*sd)
		}
	}
}

func TestConformalQuantilePanics(t *testing.T) {
	for _, level := range []float64{0, 1, -0.5, math.NaN()} {
		want := fmt.Sprintf("metrics: conformal level %v outside (0, 1)", level)
		if got := panicValue(func() { ConformalQuantile([]float64{1, 2}, level) }); got != want {
			t.Errorf("ConformalQuantile at level %v: panic %v, want %q", level, got, want)
		}
	}
}

// TestConformalMinSamples checks the count against ConformalQuantile
// itself: n residuals give a finite radius and n-1 do not.
func TestConformalMinSamples(t *testing.T) {
	for _, tc := range []struct {
		level float64
		want  int
	}{{0.5, 1}, {0.7, 3}, {0.8, 4}, {0.9, 9}, {0.95, 19}, {0.99, 99}, {0.1, 1}} {
		n := ConformalMinSamples(tc.level)
		if n != tc.want {
			t.Errorf("level %v: %d, want %d", tc.level, n, tc.want)
		}
		if math.IsInf(ConformalQuantile(make([]float64, n), tc.level), 1) || n > 1 && !math.IsInf(ConformalQuantile(make([]float64, n-1), tc.level), 1) {
			t.Errorf("level %v: %d residuals is not the fewest ConformalQuantile takes", tc.level, n)
		}
	}
}

func TestConformalMinSamplesRefusesLevelsOutside01(t *testing.T) {
	for _, l := range []float64{0, 1, -0.5, math.NaN()} {
		want := fmt.Sprintf("metrics: conformal level %v outside (0, 1)", l)
		if got := panicValue(func() { ConformalMinSamples(l) }); got != want {
			t.Errorf("level %v: panic %v, want %q", l, got, want)
		}
	}
}
