package forecast

import (
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/lstmfc/lstmfc/internal/series"
	"github.com/lstmfc/lstmfc/internal/window"
)

// RangeMargin is how far past its training range, as a fraction of that
// range, a price-target model may be given prices before RangeWarning
// speaks: half the range. A price model predicts scaled prices, and an
// LSTM's saturating gates cannot reach far outside the [0, 1] it was
// fitted on, so its forecasts there are extrapolation at best.
const RangeMargin = 0.5

// RangeWarning returns a one-line warning when prices reach further than
// RangeMargin of the training range outside it, for a model that predicts
// min-max scaled prices, and "" otherwise. The return and delta targets
// are relative to the last price and need no such range.
func (sv *Saved) RangeWarning(prices []float64) string {
	if sv.Enc.Target != window.Price || (sv.scaler != "" && sv.scaler != window.MinMax) {
		return ""
	}
	lo, hi := sv.Enc.Scale.Min, sv.Enc.Scale.Max
	margin := RangeMargin * (hi - lo)
	i := slices.IndexFunc(prices, func(p float64) bool { return p < lo-margin || p > hi+margin })
	if i < 0 {
		return ""
	}
	return fmt.Sprintf("warning: price %d is %g, beyond the model's training range %g to %g by more than %g%% of it; a price-target model cannot forecast that far outside what it learned",
		i+1, prices[i], lo, hi, 100*RangeMargin)
}

// Spans returns the span of each value of s, a series given to the model
// after training: the training run's own span for the values that are
// values of the stored training series, and SpanData for the others.
// Dated values match by date when both series are dated; undated ones
// match by position when s starts with exactly the stored values.
func (sv *Saved) Spans(s *series.Series) []Span {
	spans := make([]Span, len(s.Values))
	for i := range spans {
		spans[i] = SpanData
	}
	stored := sv.Series
	switch {
	case stored == nil:
	case stored.Dates != nil && s.Dates != nil:
		at := make(map[time.Time]int, len(stored.Dates))
		for j, d := range stored.Dates {
			at[d] = j
		}
		for i, d := range s.Dates {
			if j, ok := at[d]; ok {
				spans[i] = spanOf(&sv.Split, j)
			}
		}
	case stored.Dates == nil && s.Dates == nil:
		n := len(stored.Values)
		if len(s.Values) >= n && slices.Equal(s.Values[:n], stored.Values) {
			for i := range n {
				spans[i] = spanOf(&sv.Split, i)
			}
		}
	}
	return spans
}

// CheckFinished reports why the model should not be used as it is: the error
// when the file holds its initial weights (training stopped before its
// first epoch ended, so the network has learned nothing), and a one-line
// warning when it holds the best weights of a run that stopped early.
func (sv *Saved) CheckFinished() (warning string, err error) {
	why := sv.Unfinished
	if why == "" {
		why = "no reason recorded"
	}
	switch {
	case sv.BestEpoch == 0:
		return "", fmt.Errorf("the model holds its initial weights, trained for no epoch (%s): it has learned nothing", why)
	case sv.Unfinished != "":
		return fmt.Sprintf("warning: the model comes from a run that stopped early (%s); it holds the best weights of epoch %d", why, sv.BestEpoch), nil
	}
	return "", nil
}

// MaxPrice is the largest magnitude of a price Train takes: float64 holds
// whole units exactly up to about 9×10^15, and no traded price comes near.
// A value past it is a data error (a misplaced decimal point, a corrupt
// cell), and would make every scaled price of the series meaningless.
const MaxPrice = 1e15

// checkPriceRange returns an error naming the first price beyond MaxPrice.
func checkPriceRange(prices []float64) error {
	if i := slices.IndexFunc(prices, func(p float64) bool { return math.Abs(p) > MaxPrice }); i >= 0 {
		return fmt.Errorf("value %d is %g, out of the range lstmfc takes (magnitude at most %g)", i+1, prices[i], MaxPrice)
	}
	return nil
}
