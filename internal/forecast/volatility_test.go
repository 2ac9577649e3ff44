package forecast

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/lstmfc/lstmfc/internal/metrics"
)

// volatility is the slow, obvious definition that volatilities computes in
// one pass, kept as the oracle: the mean absolute move over the last
// volatilityWindow moves before prices[t], or, after a flat spell, over the
// last volatilityWindow moves that were not zero, found by walking back.
func volatility(prices []float64, t int) float64 {
	lo := max(0, t-volatilityWindow-1)
	if t-lo < 2 {
		return math.NaN()
	}
	if v := metrics.NaiveMAE(prices[lo:t]); v > 0 {
		return v
	}
	var sum float64
	n := 0
	for i := lo; i >= 1 && n < volatilityWindow; i-- {
		if d := math.Abs(prices[i] - prices[i-1]); d != 0 {
			sum += d
			n++
		}
	}
	if n == 0 {
		return 0
	}
	return sum / float64(n)
}

// flatRuns is a random series with long runs of equal prices, some at the
// start, of n values.
func flatRuns(n int, seed uint64) []float64 {
	r := rand.New(rand.NewPCG(seed, 1))
	p := make([]float64, n)
	p[0] = 100
	flat := r.IntN(2) == 0
	for i := 1; i < n; i++ {
		if r.IntN(15) == 0 {
			flat = !flat
		}
		p[i] = p[i-1]
		if !flat {
			p[i] += math.Round(4*r.NormFloat64()) / 4 // some moves are zero too
		}
	}
	return p
}

func TestVolatilitiesMatchTheOracle(t *testing.T) {
	for seed := range uint64(200) {
		p := flatRuns(1+int(seed), seed)
		vol := volatilities(p)
		if len(vol) != len(p)+1 {
			t.Fatalf("%d values: %d volatilities", len(p), len(vol))
		}
		for i, got := range vol {
			if want := volatility(p, i); !same(got, want) {
				t.Fatalf("seed %d, t=%d: %v, oracle %v (series %v)", seed, i, got, want, p)
			}
		}
	}
}

// TestVolatilityOfALongFlatRunIsLinear times 200,000 equal prices after a
// varied start against a varied series of the same length: walking back
// over the flat run for every value took minutes.
func TestVolatilityOfALongFlatRunIsLinear(t *testing.T) {
	const n = 200_000
	flat, varied := make([]float64, n), randomWalk(n, 3)
	copy(flat, varied[:50])
	for i := 50; i < n; i++ {
		flat[i] = flat[49]
	}
	timeOf := func(p []float64) time.Duration {
		start := time.Now()
		volatilities(p)
		return time.Since(start)
	}
	timeOf(varied) // warm up
	tf, tv := timeOf(flat), timeOf(varied)
	if tf > 20*tv+100*time.Millisecond { // quadratic would be thousands of times slower; the margin absorbs a busy machine
		t.Errorf("flat series took %v, varied %v", tf, tv)
	}
	if got, want := volatilities(flat)[n], volatility(flat, n); got != want {
		t.Errorf("after the flat run: %v, oracle %v", got, want)
	}
}
