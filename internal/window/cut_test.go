package window

import (
	"slices"
	"testing"
)

func TestCut(t *testing.T) {
	values := []float64{1, 2, 3, 4, 5, 6}
	x, y, err := Cut(values, 3, 2)
	if err != nil {
		t.Fatal(err)
	}
	wantX := [][]float64{{1, 2, 3}, {2, 3, 4}}
	wantY := [][]float64{{4, 5}, {5, 6}}
	if !slices.EqualFunc(x, wantX, slices.Equal) || !slices.EqualFunc(y, wantY, slices.Equal) {
		t.Fatalf("Cut = %v, %v; want %v, %v", x, y, wantX, wantY)
	}
	// Views: the series shows through, and appending cannot overwrite it.
	values[3] = 40
	if x[1][2] != 40 || y[0][0] != 40 {
		t.Errorf("after values[3] = 40: x[1] = %v, y[0] = %v", x[1], y[0])
	}
	_ = append(x[0], -1)
	_ = append(y[0], -1)
	if values[3] != 40 || values[5] != 6 {
		t.Errorf("appending to a window changed the series: %v", values)
	}
}

func TestCutErrors(t *testing.T) {
	for _, c := range []struct {
		n, lookback, horizon int
		want                 string
	}{
		{10, 0, 1, "window: lookback and horizon must be at least 1, got 0 and 1"},
		{10, 3, 0, "window: lookback and horizon must be at least 1, got 3 and 0"},
		{60, 60, 1, "window: need at least 61 values for lookback 60 and horizon 1, got 60"},
	} {
		_, _, err := Cut(make([]float64, c.n), c.lookback, c.horizon)
		if err == nil || err.Error() != c.want {
			t.Errorf("Cut(%d values, %d, %d) error %v, want %q", c.n, c.lookback, c.horizon, err, c.want)
		}
	}
}
