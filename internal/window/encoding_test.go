package window

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/floats/scalar"

	"github.com/lstmfc/lstmfc/internal/scale"
)

// dataset is the LSTM engine's view of training samples; Windows must
// satisfy it without this package importing the engine.
type dataset interface {
	Len() int
	Sample(i int, x []float64) float64
}

var _ dataset = (*Windows)(nil)

var targets = []Target{Price, Return, Delta}

// trendingPrices returns a positive random walk of n prices whose last third
// climbs far above every earlier price and whose minimum comes last.
func trendingPrices(n int) []float64 {
	rnd := rand.New(rand.NewPCG(1, 2))
	p := make([]float64, n)
	p[0] = 100
	for i := 1; i < n; i++ {
		drift := 0.0
		if i > 2*n/3 {
			drift = 0.05
		}
		p[i] = p[i-1] * math.Exp(drift+0.01*rnd.NormFloat64())
	}
	p[n-1] = 1
	return p
}

func TestParseTarget(t *testing.T) {
	for _, want := range targets {
		got, err := ParseTarget(string(want))
		if err != nil || got != want {
			t.Errorf("ParseTarget(%q) = %q, %v", want, got, err)
		}
	}
	_, err := ParseTarget("Price")
	if want := `window: unknown target "Price" (want price, return or delta)`; err == nil || err.Error() != want {
		t.Errorf("ParseTarget(\"Price\") error %v, want %q", err, want)
	}
}

func TestFitByHand(t *testing.T) {
	train := []float64{10, 12, 11, 13}

	e, err := Fit(Price, train)
	if err != nil {
		t.Fatal(err)
	}
	if e.Scale != (scale.MinMax{Min: 10, Max: 13}) {
		t.Errorf("Price scale %+v, want {Min:10 Max:13}", e.Scale)
	}

	// Steps 2, -1, 2: root mean square sqrt(9/3).
	e, err = Fit(Delta, train)
	if err != nil {
		t.Fatal(err)
	}
	if e.Scale.Min != 10 || !scalar.EqualWithinAbsOrRel(e.Scale.Max-e.Scale.Min, math.Sqrt(3), 0, 1e-14) {
		t.Errorf("Delta scale %+v, want Min 10 and Max-Min sqrt(3)", e.Scale)
	}
	z := e.Encode(train)
	w := e.Windows(z, 2, 2, 4)
	x := make([]float64, 2)
	// Target 3: inputs 12, 11 relative to 11 are 1/sqrt(3), 0; the step
	// 11 -> 13 is 2/sqrt(3).
	y := w.Sample(1, x)
	r3 := math.Sqrt(3)
	if !scalar.EqualWithinAbsOrRel(x[0], 1/r3, 1e-14, 0) || x[1] != 0 || !scalar.EqualWithinAbsOrRel(y, 2/r3, 1e-14, 0) {
		t.Errorf("Delta sample 1 = %v -> %v, want [%v 0] -> %v", x, y, 1/r3, 2/r3)
	}

	rtrain := []float64{100, 110, 99}
	e, err = Fit(Return, rtrain)
	if err != nil {
		t.Fatal(err)
	}
	a, b := math.Log(1.1), math.Log(0.9)
	rms := math.Sqrt((a*a + b*b) / 2)
	if !scalar.EqualWithinAbsOrRel(e.ReturnScale, rms, 0, 1e-14) {
		t.Errorf("ReturnScale %v, want %v", e.ReturnScale, rms)
	}
	z = e.Encode(rtrain)
	if z[0] != 0 || !scalar.EqualWithinAbsOrRel(z[1], a/rms, 0, 1e-14) || !scalar.EqualWithinAbsOrRel(z[2], b/rms, 0, 1e-14) {
		t.Errorf("Encode(%v) = %v, want [0 %v %v]", rtrain, z, a/rms, b/rms)
	}
}

// TestFitTwoValues checks the fewest training values a step target takes:
// a single step, whose size is its own root mean square.
func TestFitTwoValues(t *testing.T) {
	e, err := Fit(Delta, []float64{7, 4})
	if err != nil {
		t.Fatal(err)
	}
	if e.Scale != (scale.MinMax{Min: 4, Max: 7}) {
		t.Errorf("Delta scale %+v, want {Min:4 Max:7}", e.Scale)
	}
	e, err = Fit(Return, []float64{50, 100})
	if err != nil {
		t.Fatal(err)
	}
	if !scalar.EqualWithinAbsOrRel(e.ReturnScale, math.Ln2, 0, 1e-15) {
		t.Errorf("ReturnScale %v, want ln 2", e.ReturnScale)
	}
}

// TestDeltaByHand follows one price through the Delta encoding: Encode,
// and Next taking a step of y typical moves from the previous price.
func TestDeltaByHand(t *testing.T) {
	// Steps 3 and -1: typical step sqrt(5); the training minimum is 2.
	e, err := Fit(Delta, []float64{2, 5, 4})
	if err != nil {
		t.Fatal(err)
	}
	r5 := math.Sqrt(5)
	z := e.Encode([]float64{2, 7})
	if z[0] != 0 || !scalar.EqualWithinAbsOrRel(z[1], 5/r5, 0, 1e-15) {
		t.Errorf("Encode([2 7]) = %v, want [0 %v]", z, 5/r5)
	}
	if got := e.Next(10, 2); !scalar.EqualWithinAbsOrRel(got, 10+2*r5, 0, 1e-14) {
		t.Errorf("Next(10, 2) = %v, want %v", got, 10+2*r5)
	}
	if got := e.Next(10, -1); !scalar.EqualWithinAbsOrRel(got, 10-r5, 0, 1e-14) {
		t.Errorf("Next(10, -1) = %v, want %v", got, 10-r5)
	}
}

// TestCheck checks which prices each target takes: every finite price for
// Price and Delta (a spread or a power price can be negative), only
// positive ones for Return, and the first bad index is named.
func TestCheck(t *testing.T) {
	prices := []float64{3, 0, -2}
	for _, target := range []Target{Price, Delta} {
		if err := (Encoding{Target: target}).Check(prices); err != nil {
			t.Errorf("%s: Check(%v): %v", target, prices, err)
		}
	}
	for _, c := range []struct {
		target Target
		prices []float64
		want   string
	}{
		{Return, prices, "window: price 1 is 0; a return target needs positive prices"},
		{Return, []float64{1e-300, -1e-300}, "window: price 1 is -1e-300; a return target needs positive prices"},
		{Price, []float64{1, math.Inf(-1), math.NaN()}, "window: price 1 is -Inf"},
		{Return, []float64{math.NaN(), -1}, "window: price 0 is NaN"},
	} {
		err := Encoding{Target: c.target}.Check(c.prices)
		if err == nil || err.Error() != c.want {
			t.Errorf("%s: Check(%v) error %v, want %q", c.target, c.prices, err, c.want)
		}
	}
	if err := (Encoding{Target: Return}).Check([]float64{1e-300, 5}); err != nil {
		t.Errorf("return: Check of tiny positive prices: %v", err)
	}
}

func TestFitErrors(t *testing.T) {
	for _, c := range []struct {
		target Target
		train  []float64
		want   string
	}{
		{Return, []float64{5, 4, -3, 2}, "window: price 2 is -3; a return target needs positive prices"},
		{Return, []float64{5, 0, 3}, "window: price 1 is 0; a return target needs positive prices"},
		{Price, []float64{5, math.NaN(), 3}, "window: price 1 is NaN"},
		{Delta, []float64{5, 6, math.Inf(1)}, "window: price 2 is +Inf"},
		{Return, []float64{5}, "window: need at least 2 training values for a return target, got 1"},
		{Delta, []float64{5}, "window: need at least 2 training values for a delta target, got 1"},
		{Price, nil, "scale: no training values"},
		{Price, []float64{42.5, 42.5, 42.5}, "scale: all 3 training values equal 42.5; cannot scale a constant series"},
		{Delta, []float64{42.5, 42.5, 42.5}, "scale: all 3 training values equal 42.5; cannot scale a constant series"},
		{Return, []float64{42.5, 42.5, 42.5}, "window: all 3 training values equal 42.5; cannot scale a constant series"},
		{"level", []float64{1, 2, 3}, `window: unknown target "level" (want price, return or delta)`},
	} {
		_, err := Fit(c.target, c.train)
		if err == nil || err.Error() != c.want {
			t.Errorf("Fit(%s, %v) error %v, want %q", c.target, c.train, err, c.want)
		}
	}
}

// TestScalerSeesTrainingValuesOnly puts the series' extremes in the test
// span and checks that the fitted scale is that of the training values.
func TestScalerSeesTrainingValuesOnly(t *testing.T) {
	p := trendingPrices(300)
	s, err := Chronological(len(p), 20, 0.15, 0.2)
	if err != nil {
		t.Fatal(err)
	}
	train := p[:s.TrainEnd]
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range train {
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	if testHi := p[s.N-2]; testHi <= hi || p[s.N-1] >= lo {
		t.Fatalf("test data does not put the extremes in the test span: train [%v,%v], test %v .. %v", lo, hi, testHi, p[s.N-1])
	}
	e, err := Fit(Price, train)
	if err != nil {
		t.Fatal(err)
	}
	if e.Scale != (scale.MinMax{Min: lo, Max: hi}) {
		t.Errorf("scale %+v, want the training range {Min:%v Max:%v}", e.Scale, lo, hi)
	}
	e, err = Fit(Delta, train)
	if err != nil {
		t.Fatal(err)
	}
	if e.Scale.Min != lo {
		t.Errorf("delta scale minimum %v, want the training minimum %v", e.Scale.Min, lo)
	}
}

// TestTrainingWindowsUseTrainingValuesOnly poisons every model-space value
// from TrainEnd on and checks that no training sample reads one.
func TestTrainingWindowsUseTrainingValuesOnly(t *testing.T) {
	p := trendingPrices(200)
	s, err := Chronological(len(p), 15, 0.1, 0.1)
	if err != nil {
		t.Fatal(err)
	}
	for _, target := range targets {
		e, err := Fit(target, p[:s.TrainEnd])
		if err != nil {
			t.Fatal(err)
		}
		z := e.Encode(p)
		for i := s.TrainEnd; i < len(z); i++ {
			z[i] = math.NaN()
		}
		lo, hi := s.Train()
		w := e.Windows(z, s.Lookback, lo, hi)
		if w.Len() != s.TrainEnd-s.Lookback {
			t.Errorf("%s: %d training samples, want %d", target, w.Len(), s.TrainEnd-s.Lookback)
		}
		if last := w.Target(w.Len() - 1); last >= s.TrainEnd {
			t.Errorf("%s: last training target %d is not before the first validation value %d", target, last, s.TrainEnd)
		}
		x := make([]float64, s.Lookback)
		for i := range w.Len() {
			y := w.Sample(i, x)
			for k, v := range x {
				if math.IsNaN(v) {
					t.Fatalf("%s: training sample %d (target %d) reads value %d at or past TrainEnd %d",
						target, i, w.Target(i), w.Target(i)-s.Lookback+k, s.TrainEnd)
				}
			}
			if math.IsNaN(y) {
				t.Fatalf("%s: training sample %d has target %d at or past TrainEnd %d", target, i, w.Target(i), s.TrainEnd)
			}
		}
	}
}

// TestRoundTrip checks that the true target of every window, validation and
// test included, maps back to its price, far above the training range too.
func TestRoundTrip(t *testing.T) {
	p := trendingPrices(240)
	s, err := Chronological(len(p), 12, 0.2, 0.3)
	if err != nil {
		t.Fatal(err)
	}
	for _, target := range targets {
		e, err := Fit(target, p[:s.TrainEnd])
		if err != nil {
			t.Fatal(err)
		}
		z := e.Encode(p)
		w := e.Windows(z, s.Lookback, s.Lookback, s.N)
		x := make([]float64, s.Lookback)
		for i := range w.Len() {
			tt := w.Target(i)
			y := w.Sample(i, x)
			if got := e.Price(p, tt, y); !scalar.EqualWithinAbsOrRel(got, p[tt], 1e-12, 1e-12) {
				t.Errorf("%s: Price of target %d (%s) = %v, want %v", target, tt, s.Span(tt), got, p[tt])
			}
			if got := e.Next(p[tt-1], y); !scalar.EqualWithinAbsOrRel(got, p[tt], 1e-12, 1e-12) {
				t.Errorf("%s: Next for target %d = %v, want %v", target, tt, got, p[tt])
			}
		}
	}
}

func TestSampleInputs(t *testing.T) {
	z := []float64{0.5, 0.25, 1, 2, 4}
	x := make([]float64, 3)

	w := Encoding{Target: Price}.Windows(z, 3, 3, 5)
	if y := w.Sample(1, x); y != 4 || x[0] != 0.25 || x[1] != 1 || x[2] != 2 {
		t.Errorf("Price sample 1 = %v -> %v, want [0.25 1 2] -> 4", x, y)
	}
	w = Encoding{Target: Delta}.Windows(z, 3, 3, 5)
	if y := w.Sample(1, x); y != 2 || x[0] != -1.75 || x[1] != -1 || x[2] != 0 {
		t.Errorf("Delta sample 1 = %v -> %v, want [-1.75 -1 0] -> 2", x, y)
	}
	if z[1] != 0.25 || z[3] != 2 {
		t.Errorf("Sample changed the series: %v", z)
	}
	// Windows is a view: a change to z shows in the next sample.
	z[4] = 8
	if y := w.Sample(1, x); y != 6 {
		t.Errorf("after z[4] = 8, Delta target %v, want 6", y)
	}
}

// TestWindowsEdges checks the smallest windows the checks allow: a lookback
// of 1 and an empty range of targets, such as a split without validation.
func TestWindowsEdges(t *testing.T) {
	z := []float64{3, 5, 4}
	w := Encoding{Target: Delta}.Windows(z, 1, 1, 3)
	x := make([]float64, 1)
	if y := w.Sample(1, x); w.Len() != 2 || x[0] != 0 || y != -1 {
		t.Errorf("lookback 1: Len %d, sample 1 = %v -> %v, want 2, [0] -> -1", w.Len(), x, y)
	}
	if w := (Encoding{Target: Price}).Windows(z, 2, 3, 3); w.Len() != 0 {
		t.Errorf("targets [3,3): Len %d, want 0", w.Len())
	}
	if w := (Encoding{Target: Price}).Windows(z, 2, 2, 2); w.Len() != 0 {
		t.Errorf("targets [2,2): Len %d, want 0", w.Len())
	}
}

// TestWindowsPanics checks the panic message, not just that there is a
// panic: an index out of range would panic too, with another message.
func TestWindowsPanics(t *testing.T) {
	z := make([]float64, 10)
	e := Encoding{Target: Price}
	for _, c := range []struct {
		name string
		f    func()
		want string
	}{
		{"lookback 0", func() { e.Windows(z, 0, 3, 10) }, "window: targets [3,10) with lookback 0 do not fit a series of 10 values"},
		{"target before lookback", func() { e.Windows(z, 3, 2, 10) }, "window: targets [2,10) with lookback 3 do not fit a series of 10 values"},
		{"reversed range", func() { e.Windows(z, 3, 5, 4) }, "window: targets [5,4) with lookback 3 do not fit a series of 10 values"},
		{"target past the end", func() { e.Windows(z, 3, 3, 11) }, "window: targets [3,11) with lookback 3 do not fit a series of 10 values"},
		{"short buffer", func() { e.Windows(z, 3, 3, 10).Sample(0, make([]float64, 2)) }, "window: sample buffer holds 2 values, want lookback 3"},
		{"long buffer", func() { e.Windows(z, 3, 3, 10).Sample(0, make([]float64, 4)) }, "window: sample buffer holds 4 values, want lookback 3"},
		{"sample past the end", func() { e.Windows(z, 3, 3, 10).Sample(7, make([]float64, 3)) }, "window: sample 7 out of range [0,7)"},
		{"sample before the start", func() { e.Windows(z, 3, 4, 10).Target(-1) }, "window: sample -1 out of range [0,6)"},
		// Inside the series, but past the range of the windows.
		{"target past the range", func() { e.Windows(z, 3, 3, 6).Target(3) }, "window: sample 3 out of range [0,3)"},
		{"unknown target, Next", func() { Encoding{}.Next(1, 1) }, `window: unknown target ""`},
		{"unknown target, Encode", func() { Encoding{Target: "level"}.Encode(z) }, `window: unknown target "level"`},
	} {
		if got := panicValue(c.f); got != c.want {
			t.Errorf("%s: panic %v, want %q", c.name, got, c.want)
		}
	}
}

func TestFitScaled(t *testing.T) {
	train := []float64{2, 4, 4, 4, 5, 5, 7, 9} // mean 5, population std 2
	e, err := FitScaled(Price, ZScore, train)
	if err != nil || e.Scale.Min != 5 || e.Scale.Max != 7 {
		t.Errorf("z-score: scale %+v (err %v), want min 5 = mean, max 7 = mean + std", e.Scale, err)
	}
	e, err = FitScaled(Return, MinMax, train)
	if err != nil || e.Scale.Min != 2 || e.Scale.Max != 9 || !(e.ReturnScale > 0) {
		t.Errorf("return: %+v (err %v), want the training range 2..9 recorded and a return scale", e, err)
	}
	e, err = FitScaled(Delta, MinMax, train)
	if want, _ := Fit(Delta, train); err != nil || e != want {
		t.Errorf("delta: %+v (err %v), want Fit's %+v", e, err, want)
	}
	for _, tc := range []struct {
		target Target
		scaler Scaler
	}{{Return, ZScore}, {Delta, ZScore}, {Price, "robust"}} {
		if _, err := FitScaled(tc.target, tc.scaler, train); err == nil {
			t.Errorf("FitScaled(%s, %s): no error", tc.target, tc.scaler)
		}
	}
}

func TestMoveAndMoved(t *testing.T) {
	for _, tc := range []struct {
		target      Target
		last, p, mv float64
	}{
		{Return, 100, 110, math.Log(1.1)},
		{Delta, 100, 97, -3},
		{Price, 2, 5, 3},
	} {
		e := Encoding{Target: tc.target}
		if got := e.Move(tc.last, tc.p); math.Abs(got-tc.mv) > 1e-15 {
			t.Errorf("%s: Move(%v, %v) = %v, want %v", tc.target, tc.last, tc.p, got, tc.mv)
		}
		if got := e.Moved(tc.last, tc.mv); math.Abs(got-tc.p) > 1e-12 {
			t.Errorf("%s: Moved(%v, %v) = %v, want %v", tc.target, tc.last, tc.mv, got, tc.p)
		}
	}
}
