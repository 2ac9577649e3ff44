package forecast

import (
	"context"
	"testing"

	"github.com/lstmfc/lstmfc/internal/window"
)

// BenchmarkFlatVsVaried trains and predicts on 100,000 prices that stop
// moving after the first 100, against 100,000 that keep moving: the
// volatility behind the intervals once walked back over the flat run for
// every value, so the flat series took fifty times as long.
//
//	go test ./internal/forecast -run '^$' -bench FlatVsVaried -benchtime 1x
func BenchmarkFlatVsVaried(b *testing.B) {
	const n = 100_000
	varied := randomWalk(n, 7)
	for i := range varied {
		varied[i] += 1000 // keeps the walk positive for a return target
	}
	flat := make([]float64, n)
	copy(flat, varied[:100])
	for i := 100; i < n; i++ {
		flat[i] = flat[99]
	}
	cfg := Config{Lookback: 16, Units: []int{8}, Target: window.Return, Epochs: 1, BatchSize: 256, LR: 1e-3,
		Seed: 1, ValSplit: 0.1, TestSplit: 0.1, Levels: []float64{0.8}}
	for _, tc := range []struct {
		name   string
		prices []float64
	}{{"flat", flat}, {"varied", varied}} {
		b.Run(tc.name, func(b *testing.B) {
			for range b.N {
				fit, err := Train(context.Background(), tc.prices, cfg, nil)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := fit.Table(context.Background(), tc.prices, nil, &fit.Split, 10); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
