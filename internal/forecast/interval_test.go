package forecast

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"gonum.org/v1/gonum/floats/scalar"

	"github.com/lstmfc/lstmfc/internal/lstm"
	"github.com/lstmfc/lstmfc/internal/scale"
	"github.com/lstmfc/lstmfc/internal/window"
)

// constModel returns a model whose network outputs y for every window: with
// all weights zero every hidden state is zero and the dense head gives its
// bias. Its predictions in prices are then known by hand.
func constModel(t *testing.T, enc window.Encoding, lookback int, y float64) *Model {
	t.Helper()
	net, err := lstm.New(1, []int{2})
	if err != nil {
		t.Fatal(err)
	}
	net.DenseB[0] = y
	return &Model{Net: net, Enc: enc, Lookback: lookback}
}

// slowVolatility is volatility written out from its definition: the mean of
// the last (up to) volatilityWindow absolute moves before prices[t]; when
// all of those are zero, the mean of the last volatilityWindow moves that
// were not; 0 when there are none, NaN when there is no move at all.
func slowVolatility(prices []float64, t int) float64 {
	var moves []float64
	for i := 1; i < t; i++ {
		moves = append(moves, math.Abs(prices[i]-prices[i-1]))
	}
	if len(moves) == 0 {
		return math.NaN()
	}
	last := moves[max(0, len(moves)-volatilityWindow):]
	if slices.ContainsFunc(last, func(d float64) bool { return d != 0 }) {
		var sum float64
		for _, d := range last {
			sum += d
		}
		return sum / float64(len(last))
	}
	var nonzero []float64
	for _, d := range moves {
		if d != 0 {
			nonzero = append(nonzero, d)
		}
	}
	if len(nonzero) == 0 {
		return 0
	}
	nonzero = nonzero[max(0, len(nonzero)-volatilityWindow):]
	var sum float64
	for _, d := range nonzero {
		sum += d
	}
	return sum / float64(len(nonzero))
}

// slowQuantile is the split-conformal radius by counting: the smallest
// residual r such that at least level·(n+1) of the n residuals are <= r;
// +Inf when even all n are too few.
func slowQuantile(res []float64, level float64) float64 {
	s := slices.Sorted(slices.Values(res))
	for k := 1; k <= len(s); k++ {
		if float64(k) >= level*float64(len(s)+1)*(1-1e-12) {
			return s[k-1]
		}
	}
	return math.Inf(1)
}

func near(got, want float64) bool {
	return same(got, want) || scalar.EqualWithinAbsOrRel(got, want, 1e-12, 1e-12)
}

// TestVolatilityMatchesDefinition compares volatility with slowVolatility
// at every index of series with calm, turbulent and flat spells.
func TestVolatilityMatchesDefinition(t *testing.T) {
	p := randomWalk(120, 9)
	for i := 30; i < 60; i++ {
		p[i] = p[29] // a flat spell longer than the window
	}
	p[70] = p[69] // short stale stretches
	p[71] = p[69]
	flatStart := []float64{4, 4, 4, 4, 5, 5, 5}
	for _, s := range [][]float64{p, flatStart, noisySine(50, 2)} {
		for i := 0; i <= len(s); i++ {
			if got, want := volatilities(s)[i], slowVolatility(s, i); !near(got, want) {
				t.Errorf("volatility at %d of %v...: %v, want %v", i, s[:3], got, want)
			}
		}
	}
}

// ivl returns the interval of level l with the radii of steps 1, 2, ….
func ivl(l float64, radii ...float64) Interval {
	return Interval{Level: l, Radius: radii[0], Radii: radii}
}

// sameIntervals reports whether a and b hold the same levels with the same
// radius at every step.
func sameIntervals(a, b []Interval) bool {
	return slices.EqualFunc(a, b, func(x, y Interval) bool {
		return x.Level == y.Level && x.Radius == y.Radius && slices.Equal(x.steps(), y.steps())
	})
}

// TestBandByHand: the half-width is Radius · volatility · √h.
func TestBandByHand(t *testing.T) {
	iv := Interval{Level: 0.8, Radius: 1.5}
	for _, tc := range []struct {
		vol, pred float64
		h         int
		lo, hi    float64
	}{
		{2, 10, 1, 7, 13},         // 1.5·2·1 = 3
		{2, 10, 4, 4, 16},         // 1.5·2·2 = 6: the √h widening
		{0.5, -1, 9, -3.25, 1.25}, // 1.5·0.5·3 = 2.25
	} {
		lo, hi := iv.Band(tc.vol, tc.pred, tc.h)
		if lo != tc.lo || hi != tc.hi {
			t.Errorf("Band(%v, %v, %d) = [%v, %v], want [%v, %v]", tc.vol, tc.pred, tc.h, lo, hi, tc.lo, tc.hi)
		}
	}
}

// TestConformalByHand: on a series that moves by 2 every step, residuals
// 2, 4, ..., 18 are 1, 2, ..., 9 volatilities; the 50% radius is the 5th
// smallest (⌈10·0.5⌉), the 80% one the 8th, and 95% needs 19 residuals.
func TestConformalByHand(t *testing.T) {
	prices := make([]float64, 40)
	for i := range prices {
		prices[i] = 100 + 2*float64(i%2)
	}
	pred := nanSlice(len(prices))
	lo, hi := 25, 34
	for t := lo; t < hi; t++ {
		pred[t] = prices[t] + 2*float64(hi-t) // residuals 18 down to 2, out of order
	}
	iv, notes := conformal(prices, [][]float64{pred[lo:hi]}, volatilities(prices), lo, []float64{0.5, 0.8, 0.95})
	want := []Interval{ivl(0.5, 5), ivl(0.8, 8)}
	if !sameIntervals(iv, want) {
		t.Errorf("intervals %v, want %v (radii in units of the volatility 2)", iv, want)
	}
	if len(notes) != 1 || !strings.HasPrefix(notes[0], "no 95% interval: it needs at least 19 validation values, got 9;") {
		t.Errorf("notes %q, want one saying 95%% needs 19 values and got 9", notes)
	}
}

// TestConformalAfterAFlatSpell: an exact prediction after a flat start
// is a residual of 0, not 0/0; a miss there is infinitely many
// volatilities and makes a level that needs it unusable.
func TestConformalAfterAFlatSpell(t *testing.T) {
	prices := []float64{5, 5, 5, 5, 6, 7, 8, 9, 10}
	pred := nanSlice(len(prices))
	copy(pred[2:], []float64{5, 5, 5.5, 7, 8.5, 9, 11}) // residuals 0, 0, 0.5, 0, 0.5, 0, 1
	iv, notes := conformal(prices, [][]float64{pred[2:9]}, volatilities(prices), 2, []float64{0.5, 0.8})
	// Volatilities from index 2: 0, 0, 0, 1/4, 2/5, 3/6, 4/7;
	// residuals in units of them: 0, 0, +Inf, 0, 1.25, 0, 1.75.
	if want := []Interval{ivl(0.5, 0)}; !sameIntervals(iv, want) {
		t.Errorf("intervals %v, want %v", iv, want)
	}
	if len(notes) != 1 || !strings.HasPrefix(notes[0], "no 80% interval") {
		t.Errorf("notes %q, want one leaving out 80%%", notes)
	}
	pred[4] = 6 // now exact: every residual finite
	iv, notes = conformal(prices, [][]float64{pred[2:9]}, volatilities(prices), 2, []float64{0.5, 0.8})
	if want := []Interval{ivl(0.5, 0), ivl(0.8, 1.75)}; !sameIntervals(iv, want) || notes != nil {
		t.Errorf("intervals %v, notes %q; want %v and no notes", iv, notes, want)
	}
}

// TestTrainIntervalsFromValidation recomputes a fit's radii from its own
// one-step predictions of the validation span, each residual divided by
// the volatility before it.
func TestTrainIntervalsFromValidation(t *testing.T) {
	cfg := quick(Price)
	cfg.Epochs = 2
	cfg.Levels = []float64{0.95, 0.5, 0.8, 0.999}
	cfg.TestSplit = 0 // the radii from validation alone; with a test span below
	prices := randomWalk(400, 11)
	for i := 200; i < 300; i += 7 { // calm and wild days, so volatility matters
		prices[i] += 6
	}
	fit, err := Train(context.Background(), prices, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	pred := mustOneStep(t, fit, prices)
	lo, hi := fit.Split.Validation()
	var res []float64
	for i := lo; i < hi; i++ {
		res = append(res, math.Abs(prices[i]-pred[i])/slowVolatility(prices, i))
	}
	var want []Interval
	for _, l := range []float64{0.5, 0.8, 0.95} { // 0.999 needs 999 values
		want = append(want, ivl(l, slowQuantile(res, l)))
	}
	if len(fit.Intervals) != len(want) {
		t.Fatalf("intervals %v, want %v", fit.Intervals, want)
	}
	for i, iv := range fit.Intervals {
		if iv.Level != want[i].Level || !near(iv.Radius, want[i].Radius) {
			t.Errorf("interval %d: %v, want %v", i, iv, want[i])
		}
	}
	// A random walk: the network shows no skill, and its forecasts are the
	// last price, whose residuals the radii are then.
	if n := len(fit.Notes); n != 2 || !strings.HasPrefix(fit.Notes[0], "no skill: ") || !strings.HasPrefix(fit.Notes[1], "no 99.9% interval: it needs at least 999 validation values, got 60") {
		t.Errorf("notes %q, want one on no skill and one leaving out 99.9%%", fit.Notes)
	}
	// With a test span the forecasts from its origins go on calibrating, and
	// the model keeps the radii a forecast from the end would be issued.
	withTest := cfg
	withTest.TestSplit = 0.3
	fit, err = Train(context.Background(), prices, withTest, nil)
	if err != nil {
		t.Fatal(err)
	}
	pred = mustOneStep(t, fit, prices)
	lo, hi = fit.Split.Validation()
	var recs []forecastRecord
	for o := lo; o < len(prices); o++ {
		recs = append(recs, forecastRecord{origin: o, pred: pred[o], vol: slowVolatility(prices, o), issued: o >= hi})
	}
	recs = append(recs, forecastRecord{origin: len(prices), vol: 1, issued: true})
	levels := fit.Config.Levels
	end := slowOnlineRadii(prices, recs, levels)[len(recs)-1]
	if len(fit.Intervals) != 3 {
		t.Fatalf("with a test span: intervals %v, want 3 levels", fit.Intervals)
	}
	for _, iv := range fit.Intervals {
		if want := end[slices.Index(levels, iv.Level)]; !near(iv.Radius, want) {
			t.Errorf("with a test span: %v radius %v, want %v, the radius after the test span", iv.Level, iv.Radius, want)
		}
	}
	noVal := cfg
	noVal.ValSplit = 0
	if fit, err := Train(context.Background(), prices, noVal, nil); err != nil || fit.Intervals != nil || fit.Moves != nil ||
		len(fit.Notes) != 1 || !strings.HasPrefix(fit.Notes[0], "no validation span: the forecasts are the network's own") {
		t.Errorf("without validation: intervals %v, moves %v, notes %q, error %v; want none and a note", fit.Intervals, fit.Moves, fit.Notes, err)
	}
}

// TestTableBandsByHand checks every band of a Table against a model that
// predicts 5 everywhere: one-step rows are 5 ± R·vol(t), forecast rows
// 5 ± R·vol(n)·√h.
func TestTableBandsByHand(t *testing.T) {
	enc := window.Encoding{Target: Price, Scale: scale.MinMax{Min: 0, Max: 10}}
	m := constModel(t, enc, 3, 0.5)
	m.Intervals = []Interval{ivl(0.8, 2), ivl(0.95, 3.5)}
	prices := randomWalk(40, 4)
	n, horizon := len(prices), 5
	tb, err := m.Table(context.Background(), prices, nil, nil, horizon)
	if err != nil {
		t.Fatal(err)
	}
	if len(tb.Bands) != 2 {
		t.Fatalf("%d bands, want 2", len(tb.Bands))
	}
	for k, b := range tb.Bands {
		r := m.Intervals[k].Radius
		if b.Level != m.Intervals[k].Level {
			t.Errorf("band %d: level %v, want %v", k, b.Level, m.Intervals[k].Level)
		}
		for i := range n + horizon {
			lo, hi := math.NaN(), math.NaN()
			switch {
			case i >= n:
				w := r * slowVolatility(prices, n) * math.Sqrt(float64(i-n+1))
				lo, hi = 5-w, 5+w
			case i >= m.Lookback:
				w := r * slowVolatility(prices, i)
				lo, hi = 5-w, 5+w
			}
			if !near(b.Lo[i], lo) || !near(b.Hi[i], hi) {
				t.Errorf("band %v, row %d: [%v, %v], want [%v, %v]", b.Level, i, b.Lo[i], b.Hi[i], lo, hi)
			}
		}
	}
}

// TestTableByHand checks the rows of a Table from a model with known
// predictions: spans, dates, actual values and predictions.
func TestTableByHand(t *testing.T) {
	enc := window.Encoding{Target: Delta, Scale: scale.MinMax{Min: 0, Max: 2}}
	m := constModel(t, enc, 2, 0.25) // each prediction is the last price + 0.5
	prices := []float64{1, 2, 4, 3, 5, 6}
	split := &window.Split{N: 6, Lookback: 2, TrainEnd: 3, ValEnd: 5}
	dates := []time.Time{}
	for i := range prices {
		dates = append(dates, time.Date(2024, 1, 1+i, 0, 0, 0, 0, time.UTC)) // Mon 1 .. Sat 6
	}
	tb, err := m.Table(context.Background(), prices, dates, split, 3)
	if err != nil {
		t.Fatal(err)
	}
	nan := math.NaN()
	wantPred := []float64{nan, nan, 2.5, 4.5, 3.5, 5.5, 6.5, 7, 7.5}
	wantActual := append(slices.Clone(prices), nan, nan, nan)
	wantSplit := []Span{SpanTrain, SpanTrain, SpanTrain, SpanValidation, SpanValidation, SpanTest, SpanForecast, SpanForecast, SpanForecast}
	if tb.Len() != 9 || !slices.EqualFunc(tb.Predicted, wantPred, near) || !slices.EqualFunc(tb.Actual, wantActual, same) || !slices.Equal(tb.Split, wantSplit) {
		t.Errorf("table:\npredicted %v\nactual %v\nsplit %v\nwant\n%v\n%v\n%v", tb.Predicted, tb.Actual, tb.Split, wantPred, wantActual, wantSplit)
	}
	// The input has a Saturday, so its calendar keeps weekends (CalendarOf):
	// the forecast runs Sunday to Tuesday.
	wantDates := append(slices.Clone(dates), time.Date(2024, 1, 7, 0, 0, 0, 0, time.UTC), time.Date(2024, 1, 8, 0, 0, 0, 0, time.UTC), time.Date(2024, 1, 9, 0, 0, 0, 0, time.UTC))
	if !slices.EqualFunc(tb.Dates, wantDates, time.Time.Equal) {
		t.Errorf("dates %v, want %v", tb.Dates, wantDates)
	}
	if tb.Bands != nil {
		t.Errorf("bands %v from a model without intervals", tb.Bands)
	}
	tb, err = m.Table(context.Background(), prices, nil, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	if tb.Dates != nil || tb.Len() != 6 || slices.ContainsFunc(tb.Split, func(s Span) bool { return s != SpanData }) {
		t.Errorf("undated, no split, no horizon: dates %v, %d rows, spans %v; want no dates, 6 rows all data", tb.Dates, tb.Len(), tb.Split)
	}
}

func TestTableRefuses(t *testing.T) {
	enc := window.Encoding{Target: Return, ReturnScale: 0.1}
	m := constModel(t, enc, 2, 0)
	if _, err := m.Table(context.Background(), []float64{1, 2, -3, 4}, nil, nil, 1); err == nil || !strings.Contains(err.Error(), "positive prices") {
		t.Errorf("a return model on a price <= 0: error %v", err)
	}
	m.Net.DenseB[0] = 1e4 // exp(1e3) overflows
	_, err := m.Table(context.Background(), []float64{1, 2, 3, 4}, nil, nil, 1)
	if errors.Is(err, ErrDiverged) || err == nil || !strings.Contains(err.Error(), "predictions overflow at row 2 (+Inf)") {
		t.Errorf("an overflowing model: error %v, want an overflow at row 2, not a training divergence", err)
	}
	// Each prediction doubles the last price: only the one after 1e308
	// overflows.
	m.Net.DenseB[0] = math.Ln2 / enc.ReturnScale
	_, err = m.Table(context.Background(), []float64{1, 2, 3, 1e308, 5}, nil, nil, 1)
	if errors.Is(err, ErrDiverged) || err == nil || !strings.Contains(err.Error(), "predictions overflow at row 4 (+Inf)") {
		t.Errorf("a model overflowing at row 4: error %v", err)
	}
	// A horizon longer than the series.
	m.Net.DenseB[0] = 0
	dates := []time.Time{time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC), time.Date(2024, 1, 3, 0, 0, 0, 0, time.UTC)}
	if tb, err := m.Table(context.Background(), []float64{1, 2, 3}, dates, nil, 5); err != nil || tb.Len() != 8 || len(tb.Dates) != 8 || tb.Predicted[7] != 3 {
		t.Errorf("3 values, horizon 5: table %+v, error %v", tb, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := m.Table(ctx, []float64{1, 2, 3, 4}, nil, nil, 0); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: error %v", err)
	}
}

// TestConformalNoteCountsRight: the note on a level left out names the
// fewest validation values that would size it. It says 5 for 80%, where 4
// suffice (⌈5·0.8⌉ = 4), because l/(1−l) is 4.000000000000001 in floating
// point; and after a flat spell it blames too few values when there are
// enough.
func TestConformalNoteCountsRight(t *testing.T) {
	for _, l := range []float64{0.5, 0.8, 0.9, 0.95} {
		need := 1
		for math.IsInf(slowQuantile(make([]float64, need), l), 1) {
			need++
		}
		prices := make([]float64, need+2)
		for i := range prices {
			prices[i] = float64(1 + i%2)
		}
		pred := slices.Clone(prices)
		_, notes := conformal(prices, [][]float64{pred[2 : 2+need-1]}, volatilities(prices), 2, []float64{l})
		want := fmt.Sprintf("no %s%% interval: it needs at least %d validation values, got %d;", levelKey(l), need, need-1)
		if len(notes) != 1 || !strings.HasPrefix(notes[0], want) {
			t.Errorf("level %v: notes %q, want %q", l, notes, want)
		}
	}
	prices := []float64{5, 5, 5, 6, 7, 8, 9, 10}
	pred := slices.Clone(prices)
	pred[3] = 5 // a miss after a flat start: infinitely many volatilities
	if _, notes := conformal(prices, [][]float64{pred[2:8]}, volatilities(prices), 2, []float64{0.8}); len(notes) != 1 || strings.Contains(notes[0], "needs at least") {
		t.Errorf("an infinite residual among 6: note %q, want one that does not ask for more values", notes)
	}
}

// conformal measures split-conformal radii for every step from the
// residuals of the forecasts paths (see Model.paths) made from the origins
// lo, lo+1, … (paths[k] may be shorter than paths[0]: a later step has
// fewer origins whose target is known), all of them known: the radius of
// step k from the residuals of step k alone, in units of the volatility
// before each origin, vol[t] (see volatilities), as Band scales them, at
// the nominal levels. It is what a calibrator that learns them all at once
// returns.
func conformal(prices []float64, paths [][]float64, vol []float64, lo int, levels []float64) ([]Interval, []string) {
	c := newCalibrator(levels, len(paths))
	c.walk(prices, vol, paths, lo, math.MaxInt)
	c.learn(prices, len(prices))
	return c.intervals()
}
