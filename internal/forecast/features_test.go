package forecast

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lstmfc/lstmfc/internal/features"
	"github.com/lstmfc/lstmfc/internal/series"
)

// ohlcvCSV writes n business days of a random walk's Open, High, Low,
// Close and Volume, each column moving on its own, dropping the columns
// named in drop.
func ohlcvCSV(n int, seed uint64, drop ...string) string {
	close := randomWalk(n, seed)
	noise := randomWalk(n, seed+1)
	var b strings.Builder
	cols := []string{"Date", "Open", "High", "Low", "Close", "Volume"}
	keep := func(c string) bool { return !slices.Contains(drop, c) }
	var head []string
	for _, c := range cols {
		if keep(c) {
			head = append(head, c)
		}
	}
	b.WriteString(strings.Join(head, ",") + "\n")
	for i, d := range datesFrom("2020-01-06", n, 1, true) {
		c := close[i] + 50
		o := c + 0.3*(noise[i]-noise[max(i-1, 0)])
		vals := map[string]string{
			"Date": d.Format("2006-01-02"), "Open": fmt.Sprint(o), "High": fmt.Sprint(max(o, c) + 0.2 + 0.1*math.Abs(noise[i])),
			"Low": fmt.Sprint(min(o, c) - 0.2), "Close": fmt.Sprint(c), "Volume": fmt.Sprint(1000 + 37*(i%11) + int(10*math.Abs(noise[i]))),
		}
		var row []string
		for _, col := range head {
			row = append(row, vals[col])
		}
		b.WriteString(strings.Join(row, ",") + "\n")
	}
	return b.String()
}

func loadTable(t *testing.T, csv string) *series.Table {
	t.Helper()
	tab, err := series.LoadTable(strings.NewReader(csv), "ohlcv.csv", series.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return tab
}

// featureConfig is a small fit with features of every kind.
func featureConfig() Config {
	cfg := tiny(Return)
	cfg.Lookback, cfg.Epochs = 5, 3
	cfg.Features = "range,gap,logvolume,volchange,dow,month"
	cfg.RawForecasts = true // these tests check the network's own forecasts
	return cfg
}

// TestFeaturesNoLookAhead: changing every value of every column after row
// t changes neither the inputs of rows up to t nor the one-step predictions
// up to t+1 (whose inputs end at row t) nor the forecast made from the
// first t+1 rows, and changing values after the training span leaves the
// inputs' scaling as it was.
func TestFeaturesNoLookAhead(t *testing.T) {
	ctx := context.Background()
	const n = 120
	csv := ohlcvCSV(n, 3)
	tab := loadTable(t, csv)
	fit, err := TrainTable(ctx, tab, featureConfig(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := fit.Net.Inputs(); got != 9 { // return first, and two each for dow and month
		t.Fatalf("the network takes %d inputs, want 9", got)
	}
	lines := strings.Split(strings.TrimSpace(csv), "\n")
	for _, cut := range []int{fit.Lookback + 1, fit.Split.TrainEnd - 1, n - 10} {
		// Rows after cut: every number, the target's included, scaled.
		changed := slices.Clone(lines)
		for i := cut + 2; i < len(changed); i++ {
			cells := strings.Split(changed[i], ",")
			for j := 1; j < len(cells); j++ {
				var v float64
				fmt.Sscan(cells[j], &v)
				cells[j] = fmt.Sprint(v * (1.5 + 0.01*float64(i%7)))
			}
			changed[i] = strings.Join(cells, ",")
		}
		other := loadTable(t, strings.Join(changed, "\n"))
		a, err := fit.On(tab)
		if err != nil {
			t.Fatal(err)
		}
		b, err := fit.On(other)
		if err != nil {
			t.Fatal(err)
		}
		f := a.inputs.Width()
		if !slices.Equal(a.inputs.Data[:(cut+1)*f], b.inputs.Data[:(cut+1)*f]) {
			t.Errorf("cut %d: inputs up to the cut change with later values", cut)
		}
		if slices.Equal(a.inputs.Data, b.inputs.Data) {
			t.Errorf("cut %d: the later values changed no input; the test changes nothing", cut)
		}
		pa, err := a.OneStep(ctx, tab.Values)
		if err != nil {
			t.Fatal(err)
		}
		pb, err := b.OneStep(ctx, other.Values)
		if err != nil {
			t.Fatal(err)
		}
		if !sameFloats(pa[:cut+2], pb[:cut+2]) {
			t.Errorf("cut %d: predictions up to value %d change with later values", cut, cut+1)
		}
		fa, err := a.forecast(ctx, a.Net.NewPredictor(a.Lookback), tab.Values[:cut+1], 3)
		if err != nil {
			t.Fatal(err)
		}
		fb, err := b.forecast(ctx, b.Net.NewPredictor(b.Lookback), other.Values[:cut+1], 3)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(fa, fb) {
			t.Errorf("cut %d: the forecast from the first %d values changes with later values: %v, %v", cut, cut+1, fa, fb)
		}
		if cut >= fit.Split.TrainEnd-1 {
			g, err := TrainTable(ctx, other, featureConfig(), nil)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(g.Features.Mean, fit.Features.Mean) || !slices.Equal(g.Features.Std, fit.Features.Std) {
				t.Errorf("cut %d: the scaling changes with values after the training span", cut)
			}
		}
	}
}

// TestFeaturesScaledOnTraining: the stored scaling is the mean and
// standard deviation of each input over the training rows, written out.
func TestFeaturesScaledOnTraining(t *testing.T) {
	tab := loadTable(t, ohlcvCSV(100, 4))
	fit, err := TrainTable(context.Background(), tab, featureConfig(), nil)
	if err != nil {
		t.Fatal(err)
	}
	high, low := tab.Lookup("high"), tab.Lookup("low")
	var sum, ss float64
	end := fit.Split.TrainEnd
	for i := range end {
		sum += math.Log(high[i] / low[i])
	}
	mean := sum / float64(end)
	for i := range end {
		d := math.Log(high[i]/low[i]) - mean
		ss += d * d
	}
	j := slices.Index(fit.Features.Names, "range")
	if !near(fit.Features.Mean[j], mean) || !near(fit.Features.Std[j], math.Sqrt(ss/float64(end))) {
		t.Errorf("range scaled by %v, %v; want the training rows' %v, %v", fit.Features.Mean[j], fit.Features.Std[j], mean, math.Sqrt(ss/float64(end)))
	}
}

// TestFeaturesSaveLoad: a model with features, saved and loaded, predicts a
// file exactly as the fit did; its file keeps the scaling and the number
// of inputs; a file lacking a column it needs is refused in one line
// naming the file; a radius of 0 reads back.
func TestFeaturesSaveLoad(t *testing.T) {
	ctx := context.Background()
	tab := loadTable(t, ohlcvCSV(100, 5))
	fit, err := TrainTable(ctx, tab, featureConfig(), nil)
	if err != nil {
		t.Fatal(err)
	}
	fit.Intervals[0].Radii[1%len(fit.Intervals[0].Radii)] = 0
	fit.Intervals[0].Radius = fit.Intervals[0].Radii[0]
	want, err := fit.Table(ctx, tab.Values, tab.Dates, &fit.Split, 4)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "m.bin")
	if err := fit.Save(ctx, path, &tab.Series, nil); err != nil {
		t.Fatal(err)
	}
	if meta := readMeta(t, path); meta["features"] != "9" || !strings.Contains(meta["feature_scaling"], `"return,range,gap,logvolume,volchange,dow,month"`) {
		t.Errorf("features %q, feature_scaling %q", meta["features"], meta["feature_scaling"])
	}
	sv, err := Load(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if !sameIntervals(sv.Intervals, fit.Intervals) {
		t.Errorf("intervals %v, want %v", sv.Intervals, fit.Intervals)
	}
	if _, err := sv.Table(ctx, tab.Values, tab.Dates, &sv.Split, 4); err == nil || !strings.Contains(err.Error(), "takes features") {
		t.Errorf("an unbound model with features: error %v", err)
	}
	m, err := sv.On(tab)
	if err != nil {
		t.Fatal(err)
	}
	got, err := m.Table(ctx, tab.Values, tab.Dates, &sv.Split, 4)
	if err != nil {
		t.Fatal(err)
	}
	sameTable(t, "loaded", got, want)
	if _, err := m.Table(ctx, tab.Values[:50], tab.Dates[:50], nil, 4); err == nil {
		t.Error("prices of another length than the bound file's: no error")
	}
	short := loadTable(t, ohlcvCSV(100, 5, "Volume"))
	if _, err := sv.On(short); err == nil || !strings.Contains(err.Error(), "ohlcv.csv") || strings.Contains(err.Error(), "\n") {
		t.Errorf("a file without volume: error %v, want one line naming the file", err)
	}
}

// TestFeaturesNeedTable: Train refuses a config with features, which need
// a file's columns; a feature list that does not parse is a FieldError.
func TestFeaturesNeedTable(t *testing.T) {
	cfg := featureConfig()
	if _, err := Train(context.Background(), randomWalk(100, 1), cfg, nil); err == nil || !strings.Contains(err.Error(), "TrainTable") {
		t.Errorf("Train with features: error %v", err)
	}
	cfg.Features = "range,,gap"
	var fe *FieldError
	if err := cfg.Validate(); !errors.As(err, &fe) || fe.Field != "Features" {
		t.Errorf("features %q: error %v, want a FieldError of Features", cfg.Features, err)
	}
}

// TestFeaturesWithoutMatchesOld: a fit through TrainTable with no features
// is the fit Train makes, weight for weight.
func TestFeaturesWithoutMatchesOld(t *testing.T) {
	ctx := context.Background()
	tab := loadTable(t, ohlcvCSV(80, 6))
	cfg := tiny(Return)
	a, err := TrainTable(ctx, tab, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Train(ctx, tab.Values, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	pa, pb := a.Net.Params(), b.Net.Params()
	if a.Features != nil || len(pa) != len(pb) {
		t.Fatal("TrainTable without features differs from Train")
	}
	for i := range pa {
		if !slices.Equal(pa[i].Data, pb[i].Data) {
			t.Errorf("%s differs from Train's", pa[i].Name)
		}
	}
}

// TestWalkForwardFeatures: each fold's predictions are those of a model
// fitted on the rows before the fold only, its inputs scaled on its own
// training span.
func TestWalkForwardFeatures(t *testing.T) {
	ctx := context.Background()
	tab := loadTable(t, ohlcvCSV(90, 7))
	cfg := featureConfig()
	bt, err := WalkForwardTable(ctx, tab, cfg, Walk{Folds: 2, MinTrain: 0.6}, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range bt.Folds {
		head := *tab
		head.Series.Values = tab.Values[:f.Start]
		head.Series.Dates = tab.Dates[:f.Start]
		head.Columns = make([][]float64, len(tab.Columns))
		for j, c := range tab.Columns {
			head.Columns[j] = c[:f.Start]
		}
		c := cfg
		c.TestSplit = 0
		fit, err := TrainTable(ctx, &head, c, nil)
		if err != nil {
			t.Fatal(err)
		}
		m, err := fit.On(tab)
		if err != nil {
			t.Fatal(err)
		}
		p, err := m.OneStep(ctx, tab.Values)
		if err != nil {
			t.Fatal(err)
		}
		if !sameFloats(bt.Predicted[f.Start:f.End], p[f.Start:f.End]) {
			t.Errorf("fold [%d,%d): %v, want %v", f.Start, f.End, bt.Predicted[f.Start:f.End], p[f.Start:f.End])
		}
	}
}

// TestDecodeFeatureScaling: a damaged feature_scaling is refused in one
// line naming the key; so is a network of several inputs without one.
func TestDecodeFeatureScaling(t *testing.T) {
	ctx := context.Background()
	tab := loadTable(t, ohlcvCSV(80, 8))
	cfg := tiny(Return)
	cfg.Features = "range,dow"
	fit, err := TrainTable(ctx, tab, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "m.bin")
	if err := fit.Save(ctx, path, &tab.Series, nil); err != nil {
		t.Fatal(err)
	}
	meta := readMeta(t, path)
	good := meta["feature_scaling"]
	for _, tc := range []struct{ value, say string }{
		{good, ""},
		{"", "not a feature scaling"},
		{"{", "not a feature scaling"},
		{strings.Replace(good, `"return,range,dow"`, `"return,,dow"`, 1), "is empty"},
		{strings.Replace(good, `"dow_cos"`, `"dow_tan"`, 1), "are not those of features"},
		{strings.Replace(good, `"return,range,dow"`, `"return,range"`, 1), "are not those of features"},
		{`{"Features":"return,range","Names":["return","range"],"Mean":[0,0],"Std":[1,1]}`, "names 2 inputs, but the model takes 4"},
		{strings.Replace(good, `"Std":[`, `"Std":[0,`, 1), "a mean and a standard deviation for each"},
		{strings.Replace(good, `"Mean":[`, `"Mean":[1e999,`, 1), "not a feature scaling"},
	} {
		m := maps.Clone(meta)
		m["feature_scaling"] = tc.value
		_, err := decodeMeta(fit.Net, m, "m.bin")
		if tc.say == "" && err != nil || tc.say != "" && (err == nil || !strings.Contains(err.Error(), tc.say) || !strings.Contains(err.Error(), "feature_scaling")) {
			t.Errorf("feature_scaling %q: error %v, want %q", tc.value, err, tc.say)
		}
	}
	var sc features.Scaling
	if err := json.Unmarshal([]byte(good), &sc); err != nil {
		t.Fatal(err)
	}
	sc.Std[1] = 0
	b, _ := json.Marshal(sc)
	m := maps.Clone(meta)
	m["feature_scaling"] = string(b)
	if _, err := decodeMeta(fit.Net, m, "m.bin"); err == nil || !strings.Contains(err.Error(), "standard deviation finite and positive") {
		t.Errorf("a standard deviation of 0: error %v", err)
	}
	sc.Std[1] = 1e-320 // subnormal: its reciprocal overflows
	b, _ = json.Marshal(sc)
	m["feature_scaling"] = string(b)
	if _, err := decodeMeta(fit.Net, m, "m.bin"); err == nil || !strings.Contains(err.Error(), "reciprocal overflows") {
		t.Errorf("a standard deviation of 1e-320: error %v", err)
	}
	delete(m, "feature_scaling")
	if _, err := decodeMeta(fit.Net, m, "m.bin"); err == nil || !strings.Contains(err.Error(), `no "feature_scaling"`) {
		t.Errorf("no feature_scaling: error %v", err)
	}
}

// TestFeaturesChainByHand: past its one output a model with features
// forecasts from a window that ends with a row made by Scaling.Next from
// its own forecast, dated by the series' calendar, written out here.
func TestFeaturesChainByHand(t *testing.T) {
	ctx := context.Background()
	tab := loadTable(t, ohlcvCSV(90, 9))
	cfg := featureConfig()
	fit, err := TrainTable(ctx, tab, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := fit.Forecast(ctx, tab.Values, 2)
	if err != nil {
		t.Fatal(err)
	}
	n, f, L := len(tab.Values), fit.inputs.Width(), fit.Lookback
	p := fit.Net.NewPredictor(L)
	rows := slices.Clone(fit.inputs.Data[(n-L)*f:])
	step1 := fit.Enc.Next(tab.Values[n-1], p.Outputs(rows)[0])
	c, _ := CalendarOf(tab.Dates)
	next := c.Next(tab.Dates[n-1], 1)[0]
	rows = append(rows[f:], fit.Features.Next(rows[len(rows)-f:], tab.Values[n-1], step1, next)...)
	step2 := fit.Enc.Next(step1, p.Outputs(rows)[0])
	if want := []float64{step1, step2}; !slices.Equal(got, want) {
		t.Errorf("forecast %v, want %v", got, want)
	}
}

// TestFeaturesChainSkipsHolidays: with the first forecast day a holiday,
// the calendar inputs of the chained step are those of the next open day,
// the date its row gets from Table.SkipHolidays.
func TestFeaturesChainSkipsHolidays(t *testing.T) {
	ctx := context.Background()
	tab := loadTable(t, ohlcvCSV(90, 9))
	fit, err := TrainTable(ctx, tab, featureConfig(), nil)
	if err != nil {
		t.Fatal(err)
	}
	n, f, L := len(tab.Values), fit.inputs.Width(), fit.Lookback
	c, _ := CalendarOf(tab.Dates)
	holiday := c.Next(tab.Dates[n-1], 1)[0]
	fit.Holidays = []time.Time{holiday}
	got, err := fit.Forecast(ctx, tab.Values, 2)
	if err != nil {
		t.Fatal(err)
	}
	p := fit.Net.NewPredictor(L)
	rows := slices.Clone(fit.inputs.Data[(n-L)*f:])
	step1 := fit.Enc.Next(tab.Values[n-1], p.Outputs(rows)[0])
	open := c.Next(holiday, 1)[0]
	rows = append(rows[f:], fit.Features.Next(rows[len(rows)-f:], tab.Values[n-1], step1, open)...)
	step2 := fit.Enc.Next(step1, p.Outputs(rows)[0])
	if want := []float64{step1, step2}; !slices.Equal(got, want) {
		t.Errorf("forecast %v, want %v (the inputs of %s, not of the holiday %s)", got, want, open.Format(time.DateOnly), holiday.Format(time.DateOnly))
	}
}
