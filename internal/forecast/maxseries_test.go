package forecast

import (
	"strings"
	"testing"
)

// TestResolveRefusesSeriesPastMaxSeries: a series longer than a model file
// can keep is refused before any training, and one of exactly MaxSeries
// values is not refused for its length.
func TestResolveRefusesSeriesPastMaxSeries(t *testing.T) {
	cfg := Config{Lookback: 5, Units: []int{2}, Target: Delta, Epochs: 1, BatchSize: 1, LR: 1e-3, ValSplit: 0.1, TestSplit: 0.1}
	prices := make([]float64, MaxSeries+1)
	for i := range prices {
		prices[i] = float64(i % 7)
	}
	if _, _, _, err := cfg.Resolve(prices); err == nil || !strings.Contains(err.Error(), "at most 2000000") {
		t.Errorf("Resolve of %d values: %v, want an error naming the limit", len(prices), err)
	}
	if _, _, _, err := cfg.Resolve(prices[:MaxSeries]); err != nil {
		t.Errorf("Resolve of %d values: %v", MaxSeries, err)
	}
}
