package series

import (
	"math"
	"math/rand/v2"
	"time"
)

// syntheticStart is the day before the first date of a synthetic series, so
// that series start on 2015-01-01 like the reference scripts' CSV files.
var syntheticStart = time.Date(2014, time.December, 31, 0, 0, 0, 0, time.UTC)

// RandomWalk returns the Keras tutorial's toy series, numpy's
// rand(n).cumsum(): the running sum of n uniform [0, 1) draws, dated by
// business days from 2015-01-01. The same seed gives the same series.
func RandomWalk(n int, seed uint64) *Series {
	values := make([]float64, checkLength(n))
	rng := rand.New(rand.NewPCG(seed, 0))
	sum := 0.0
	for i := range values {
		sum += rng.Float64()
		values[i] = sum
	}
	return synthetic(values, "random walk: cumulative sum of uniform [0, 1) steps")
}

// GeometricWalk returns a geometric random walk like the reference model's
// random_walk: it starts at 100 and its daily log-returns are drawn from
// N(0.0003, 0.015²), dated by business days from 2015-01-01. The same seed
// gives the same series.
func GeometricWalk(n int, seed uint64) *Series {
	const (
		start = 100.0
		drift = 0.0003
		sigma = 0.015
	)
	values := make([]float64, checkLength(n))
	rng := rand.New(rand.NewPCG(seed, 0))
	logReturn := 0.0
	for i := range values {
		if i > 0 {
			logReturn += drift + sigma*rng.NormFloat64()
		}
		values[i] = start * math.Exp(logReturn)
	}
	return synthetic(values, "geometric random walk: log-returns drawn from N(0.0003, 0.015²), starting at 100")
}

// The long-memory series' defining constants: each log return echoes the
// one LongMemoryLag steps before it with weight LongMemoryWeight.
const (
	LongMemoryLag    = 45
	LongMemoryWeight = 0.9
)

// LongMemory returns a series whose only predictable structure lies far
// back: starting at 100, its log returns follow
//
//	r_t = LongMemoryWeight·r_{t-LongMemoryLag} + 0.01·ε_t,  ε_t ~ N(0, 1),
//
// so a return is correlated about 0.9 with the return 45 steps before and
// uncorrelated with the 44 returns in between. It is the tutorial's test of
// a recurrent cell: a model that carries information across 45 steps
// predicts 81% of each return's variance; one whose memory fades sooner
// does no better than "tomorrow = today". A single lag, not a band of
// them: returns uncorrelated with their recent past can each be
// correlated at most 1/√m with m lags at once, so a band of 11 lags could
// not be strong. The first LongMemoryLag returns are drawn from the
// stationary distribution, N(0, 0.01²/(1-0.9²)), so the series has no
// warm-up. Dated by business days from 2015-01-01; the same seed gives the
// same series.
func LongMemory(n int, seed uint64) *Series {
	const (
		start = 100.0
		sigma = 0.01
	)
	values := make([]float64, checkLength(n))
	returns := make([]float64, len(values))
	rng := rand.New(rand.NewPCG(seed, 0))
	stationary := sigma / math.Sqrt(1-LongMemoryWeight*LongMemoryWeight)
	logPrice := 0.0
	for i := range values {
		if i > 0 {
			if i <= LongMemoryLag {
				returns[i] = stationary * rng.NormFloat64()
			} else {
				returns[i] = LongMemoryWeight*returns[i-LongMemoryLag] + sigma*rng.NormFloat64()
			}
			logPrice += returns[i]
		}
		values[i] = start * math.Exp(logPrice)
	}
	return synthetic(values, "long-memory series: each log return is 0.9 times the one 45 steps before plus N(0, 0.01²) noise, starting at 100")
}

func synthetic(values []float64, what string) *Series {
	return &Series{
		Source: "synthetic",
		Column: "Close",
		Dates:  BusinessDays(syntheticStart, len(values)),
		Values: values,
		Notes:  []string{"synthetic " + what},
	}
}

// BusinessDays returns the n weekdays (Monday to Friday) that follow after,
// keeping its time of day and location. Holidays are not known and so not
// skipped.
func BusinessDays(after time.Time, n int) []time.Time {
	days := make([]time.Time, 0, checkLength(n))
	for d := after; len(days) < n; {
		d = d.AddDate(0, 0, 1)
		if wd := d.Weekday(); wd != time.Saturday && wd != time.Sunday {
			days = append(days, d)
		}
	}
	return days
}

// checkLength returns n, panicking if it is negative: asking for a series
// of negative length is a programming error.
func checkLength(n int) int {
	if n < 0 {
		panic("series: negative length")
	}
	return n
}
