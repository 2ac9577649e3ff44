package window

import (
	"fmt"
	"math"
	"testing"
)

func TestChronological(t *testing.T) {
	for _, c := range []struct {
		n, lookback       int
		valFrac, testFrac float64
		want              Split
	}{
		{100, 10, 0.1, 0.1, Split{N: 100, Lookback: 10, TrainEnd: 80, ValEnd: 90}},
		{100, 60, 0, 0, Split{N: 100, Lookback: 60, TrainEnd: 100, ValEnd: 100}},
		{100, 10, 0, 0.2, Split{N: 100, Lookback: 10, TrainEnd: 80, ValEnd: 80}},
		// 10*0.7 is 7.000000000000001 in floating point; rounding the
		// span sizes still gives 7 training values.
		{10, 3, 0.2, 0.1, Split{N: 10, Lookback: 3, TrainEnd: 7, ValEnd: 9}},
		// 0.15 of 7 is 1.05 and rounds to 1.
		{7, 2, 0.15, 0.15, Split{N: 7, Lookback: 2, TrainEnd: 5, ValEnd: 6}},
		// 0.25 of 10 is 2.5 and rounds away from zero, to 3.
		{10, 2, 0.25, 0, Split{N: 10, Lookback: 2, TrainEnd: 7, ValEnd: 10}},
		// Exactly lookback+2 training values: two training windows.
		{7, 5, 0, 0, Split{N: 7, Lookback: 5, TrainEnd: 7, ValEnd: 7}},
		{9, 1, 0.34, 0.34, Split{N: 9, Lookback: 1, TrainEnd: 3, ValEnd: 6}},
	} {
		got, err := Chronological(c.n, c.lookback, c.valFrac, c.testFrac)
		if err != nil {
			t.Errorf("Chronological(%d, %d, %v, %v): %v", c.n, c.lookback, c.valFrac, c.testFrac, err)
			continue
		}
		if got != c.want {
			t.Errorf("Chronological(%d, %d, %v, %v) = %+v, want %+v", c.n, c.lookback, c.valFrac, c.testFrac, got, c.want)
		}
	}
}

func TestChronologicalErrors(t *testing.T) {
	for _, c := range []struct {
		n, lookback       int
		valFrac, testFrac float64
		want              string
	}{
		{100, 0, 0.1, 0.1, "window: lookback must be at least 1, got 0"},
		{100, 10, -0.1, 0.1, "window: validation fraction must be at least 0, got -0.1"},
		{100, 10, 0.1, math.NaN(), "window: test fraction must be at least 0, got NaN"},
		{100, 10, 0.5, 0.5, "window: validation and test fractions 0.5 and 0.5 add up to 1; they must leave a training share (sum below 1)"},
		{100, 10, 0.004, 0.1, "window: a validation fraction of 0.004 of 100 rows leaves no validation values"},
		{100, 10, 0.1, 0.001, "window: a test fraction of 0.001 of 100 rows leaves no test values"},
		{75, 60, 0.1, 0.1, "window: need at least 62 training values for lookback 60, got 59 (75 rows, 80% train)"},
		{61, 60, 0, 0, "window: need at least 62 training values for lookback 60, got 61 (61 rows, 100% train)"},
		{0, 5, 0, 0, "window: need at least 7 training values for lookback 5, got 0 (0 rows, 100% train)"},
	} {
		_, err := Chronological(c.n, c.lookback, c.valFrac, c.testFrac)
		if err == nil || err.Error() != c.want {
			t.Errorf("Chronological(%d, %d, %v, %v) error %v, want %q", c.n, c.lookback, c.valFrac, c.testFrac, err, c.want)
		}
	}
}

func TestSplitSpansAndRanges(t *testing.T) {
	s := Split{N: 10, Lookback: 3, TrainEnd: 6, ValEnd: 8}
	want := []string{"train", "train", "train", "train", "train", "train", "validation", "validation", "test", "test"}
	for i, w := range want {
		if got := s.Span(i); got != w {
			t.Errorf("Span(%d) = %q, want %q", i, got, w)
		}
	}
	if lo, hi := s.Train(); lo != 3 || hi != 6 {
		t.Errorf("Train() = [%d,%d), want [3,6)", lo, hi)
	}
	if lo, hi := s.Validation(); lo != 6 || hi != 8 {
		t.Errorf("Validation() = [%d,%d), want [6,8)", lo, hi)
	}
	if lo, hi := s.Test(); lo != 8 || hi != 10 {
		t.Errorf("Test() = [%d,%d), want [8,10)", lo, hi)
	}
	for _, bad := range []int{-1, 10} {
		want := fmt.Sprintf("window: value index %d out of range [0,10)", bad)
		if got := panicValue(func() { s.Span(bad) }); got != want {
			t.Errorf("Span(%d): panic %v, want %q", bad, got, want)
		}
	}
}

// TestSpanWithoutValidation checks a split whose validation span is empty:
// the value after the training span is a test value.
func TestSpanWithoutValidation(t *testing.T) {
	s, err := Chronological(8, 2, 0, 0.25)
	if err != nil {
		t.Fatal(err)
	}
	if s.Span(5) != "train" || s.Span(6) != "test" {
		t.Errorf("Span(5), Span(6) = %q, %q; want train, test", s.Span(5), s.Span(6))
	}
	if lo, hi := s.Validation(); lo != 6 || hi != 6 {
		t.Errorf("Validation() = [%d,%d), want the empty [6,6)", lo, hi)
	}
}

// panicValue returns the value f panics with, or nil when it returns.
func panicValue(f func()) (v any) {
	defer func() { v = recover() }()
	f()
	return nil
}
