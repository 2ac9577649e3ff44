package metrics

import (
	"encoding/json"
	"math"
	"testing"
)

// dmErrors are twelve made-up errors of two forecasts of the same targets.
var dmErrors = [2][]float64{
	{1.5, -0.3, 2.2, 0.7, -1.9, 0.4, 1.1, -0.8, 2.6, -0.2, 0.9, -1.4},
	{0.8, 0.5, -1.1, 0.9, -0.6, 1.3, -0.4, 0.7, 1.0, -0.9, 0.3, -0.5},
}

// TestDieboldMarianoKnownAnswers checks the test against values computed
// with numpy and scipy from the definition (R's forecast::dm.test):
//
//	d = |e1|**p - |e2|**p; n = len(d); m = d.mean()
//	g = [sum((d[k:]-m)*(d[:n-k]-m))/n for k in range(h)]
//	v = (g[0] + 2*sum(g[1:]))/n          # if v < 0 and h > 1: use h = 1
//	s = m/sqrt(v)*sqrt((n+1-2*h+h*(h-1)/n)/n)
//	p = 2*scipy.stats.t.sf(abs(s), n-1)
//
// With absolute loss and h = 2 the variance is negative (-0.0214), so the
// test is that of h = 1.
func TestDieboldMarianoKnownAnswers(t *testing.T) {
	for _, tc := range []struct {
		h       int
		loss    Loss
		stat, p float64
	}{
		{1, Squared, 2.0837259499387337, 0.06130210353310705},
		{3, Squared, 2.956879249315188, 0.013047895503192616},
		{5, Squared, 2.530826685471814, 0.027932285764106342},
		{2, Absolute, 1.8202343288841119, 0.09601366565607418},
		{1, Absolute, 1.8202343288841119, 0.09601366565607418},
	} {
		got := DieboldMariano(dmErrors[0], dmErrors[1], tc.h, tc.loss)
		if !close(got.Stat, tc.stat) || !close(got.P, tc.p) || got.N != 12 {
			t.Errorf("h %d, loss %d: %+v, want statistic %v, p %v, n 12", tc.h, tc.loss, got, tc.stat, tc.p)
		}
		swapped := DieboldMariano(dmErrors[1], dmErrors[0], tc.h, tc.loss)
		if !close(swapped.Stat, -tc.stat) || !close(swapped.P, tc.p) {
			t.Errorf("h %d, loss %d, swapped: %+v, want statistic %v, p %v", tc.h, tc.loss, swapped, -tc.stat, tc.p)
		}
	}
}

// close reports whether a and b agree to 1e-9 relative.
func close(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Abs(b) }

func TestDieboldMarianoEdges(t *testing.T) {
	same := DieboldMariano(dmErrors[0], dmErrors[0], 3, Squared)
	if same.Stat != 0 || same.P != 1 || same.Significant() {
		t.Errorf("identical errors: %+v, want statistic 0, p 1", same)
	}
	// The same size, opposite sign: equal squared losses.
	neg := make([]float64, len(dmErrors[0]))
	for i, e := range dmErrors[0] {
		neg[i] = -e
	}
	if got := DieboldMariano(dmErrors[0], neg, 1, Absolute); got.Stat != 0 || got.P != 1 {
		t.Errorf("mirrored errors: %+v, want no difference", got)
	}
	for _, tc := range []struct {
		e1, e2 []float64
		h      int
	}{
		{[]float64{1}, []float64{2}, 1},       // one differential
		{nil, nil, 1},                         // none
		{dmErrors[0][:3], dmErrors[1][:3], 3}, // correction 3+1-6+2 <= 0
	} {
		if got := DieboldMariano(tc.e1, tc.e2, tc.h, Squared); !math.IsNaN(got.Stat) || !math.IsNaN(got.P) || got.Significant() {
			t.Errorf("%d errors, h %d: %+v, want NaN", len(tc.e1), tc.h, got)
		}
	}
	// A loss always larger by the same amount has zero variance: certain.
	if got := DieboldMariano([]float64{2, 2, 2}, []float64{1, 1, 1}, 1, Squared); !math.IsInf(got.Stat, 1) || got.P != 0 || !got.Significant() {
		t.Errorf("constant differential: %+v, want +Inf, p 0", got)
	}
	if got := panicValue(func() { DieboldMariano([]float64{1}, []float64{1, 2}, 1, Squared) }); got != "metrics: slice length mismatch" {
		t.Errorf("mismatched lengths: panic %v", got)
	}
	if got := panicValue(func() { DieboldMariano([]float64{1}, []float64{1}, 0, Squared) }); got != "metrics: Diebold–Mariano test of 0-step errors" {
		t.Errorf("h 0: panic %v", got)
	}
}

// TestDieboldMarianoSmallest works the fewest values by hand: errors 1, 3
// against 0, 0 give squared-loss differentials 1, 9: mean 5, γ₀ 16,
// DM 5/√(16/2), corrected by √((2+1-2)/2) to 1.25, read from Student's t
// with 1 degree of freedom, the Cauchy: p = 1 - 2·atan(1.25)/π. A constant
// differential at h = 3 of n = 3, whose correction is 0, falls back to
// h = 1, as its variance is 0.
func TestDieboldMarianoSmallest(t *testing.T) {
	got := DieboldMariano([]float64{1, 3}, []float64{0, 0}, 1, Squared)
	if !close(got.Stat, 1.25) || !close(got.P, 1-2*math.Atan(1.25)/math.Pi) || got.N != 2 {
		t.Errorf("two errors: %+v, want statistic 1.25, p %v", got, 1-2*math.Atan(1.25)/math.Pi)
	}
	if got := DieboldMariano([]float64{2, 2, 2}, []float64{1, 1, 1}, 3, Squared); !math.IsInf(got.Stat, 1) || got.P != 0 {
		t.Errorf("constant differential, h 3: %+v, want the h = 1 answer +Inf, p 0", got)
	}
	if (DM{P: 0.05}).Significant() || !(DM{P: 0.0499}).Significant() {
		t.Error("significance is not p < 0.05")
	}
}

func TestDMJSON(t *testing.T) {
	b, err := json.Marshal(DM{Stat: math.NaN(), P: 0.25, N: 3})
	if err != nil || string(b) != `{"statistic":null,"p_value":0.25,"n":3}` {
		t.Fatalf("JSON %s (%v)", b, err)
	}
	var d DM
	if err := json.Unmarshal(b, &d); err != nil || !math.IsNaN(d.Stat) || d.P != 0.25 || d.N != 3 {
		t.Errorf("read back %+v (%v)", d, err)
	}
	if err := json.Unmarshal([]byte(`{"n":"x"}`), &d); err == nil {
		t.Error("no error on a bad n")
	}
}
