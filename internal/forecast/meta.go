package forecast

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/lstmfc/lstmfc/internal/lstm"
	"github.com/lstmfc/lstmfc/internal/scale"
	"github.com/lstmfc/lstmfc/internal/window"
)

// Metadata keys this package writes beyond the required ones of the model
// file. A reader that knows none of them still predicts with target price.
const (
	MetaLookback     = "lookback"   // the window length, an integer ≥ 1; required
	MetaScalerMin    = "scaler_min" // the min-max scaler's minimum; required
	MetaScalerMax    = "scaler_max" // the min-max scaler's maximum, above the minimum; required
	MetaTarget       = "target"
	MetaTargetScale  = "target_scale"
	MetaIntervals    = "intervals"     // "0.8:r,0.95:r"
	MetaIntervalKind = "interval_kind" // how radii scale: "volatility20"
	MetaSeries       = "series"        // JSON array of the training run's prices
	MetaDates        = "dates"         // JSON array of their dates, YYYY-MM-DD
	MetaTrainEnd     = "train_end"     // index of the first validation value
	MetaValEnd       = "val_end"       // index of the first test value
)

// intervalKind names how interval radii scale: multiples of the mean
// absolute one-step move over the volatilityWindow values before.
const intervalKind = "volatility20"

// Meta returns the model's metadata: the required keys and how to decode
// its outputs.
func (m *Model) Meta() map[string]string {
	f := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	meta := map[string]string{
		MetaLookback:    strconv.Itoa(m.Lookback),
		MetaScalerMin:   f(m.Enc.Scale.Min),
		MetaScalerMax:   f(m.Enc.Scale.Max),
		MetaTarget:      string(m.Enc.Target),
		MetaTargetScale: f(m.Enc.ReturnScale),
	}
	if len(m.Intervals) > 0 {
		parts := make([]string, len(m.Intervals))
		for i, iv := range m.Intervals {
			parts[i] = f(iv.Level) + ":" + f(iv.Radius)
		}
		meta[MetaIntervals] = strings.Join(parts, ",")
		meta[MetaIntervalKind] = intervalKind
	}
	return meta
}

// SeriesMeta records the series a model was trained on and where its split
// falls, so predict can run with no other input.
func SeriesMeta(meta map[string]string, prices []float64, dates []time.Time, split window.Split) error {
	b, err := json.Marshal(prices)
	if err != nil {
		return err
	}
	meta[MetaSeries] = string(b)
	if dates != nil {
		ds := make([]string, len(dates))
		for i, d := range dates {
			ds[i] = d.Format(dateLayout)
		}
		b, _ := json.Marshal(ds) // strings always marshal
		meta[MetaDates] = string(b)
	}
	meta[MetaTrainEnd] = strconv.Itoa(split.TrainEnd)
	meta[MetaValEnd] = strconv.Itoa(split.ValEnd)
	return nil
}

// FromFile builds a Model from a decoded model file. Only the required keys
// must be present (a file exported from PyTorch has no others); the target
// is then the tutorial's scaled price.
func FromFile(net *lstm.Model, meta map[string]string) (*Model, error) {
	if net.Inputs() != 1 {
		return nil, fmt.Errorf("model takes %d input features; lstmfc feeds it one (the price)", net.Inputs())
	}
	num := func(key string) (float64, error) {
		v, err := strconv.ParseFloat(meta[key], 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return 0, fmt.Errorf("model file: metadata %q is %q, not a finite number", key, meta[key])
		}
		return v, nil
	}
	for _, k := range []string{MetaLookback, MetaScalerMin, MetaScalerMax} {
		if _, ok := meta[k]; !ok {
			return nil, fmt.Errorf("model file: metadata has no %q key", k)
		}
	}
	lookback, err := strconv.Atoi(meta[MetaLookback])
	if err != nil || lookback < 1 {
		return nil, fmt.Errorf("model file: metadata %q is %q, not a positive integer", MetaLookback, meta[MetaLookback])
	}
	lo, err := num(MetaScalerMin)
	if err != nil {
		return nil, err
	}
	hi, err := num(MetaScalerMax)
	if err != nil {
		return nil, err
	}
	if hi <= lo {
		return nil, fmt.Errorf("model file: metadata %q %s is not above %q %s", MetaScalerMax, meta[MetaScalerMax], MetaScalerMin, meta[MetaScalerMin])
	}
	enc := window.Encoding{Target: window.Price, Scale: scale.MinMax{Min: lo, Max: hi}}
	if s, ok := meta[MetaTarget]; ok {
		if enc.Target, err = window.ParseTarget(s); err != nil {
			return nil, fmt.Errorf("model file: metadata %q: %v", MetaTarget, err)
		}
	}
	if _, ok := meta[MetaTargetScale]; ok {
		if enc.ReturnScale, err = num(MetaTargetScale); err != nil {
			return nil, err
		}
	}
	if enc.Target == window.Return && !(enc.ReturnScale > 0) {
		return nil, fmt.Errorf("model file: target %q needs a positive %q, got %q", enc.Target, MetaTargetScale, meta[MetaTargetScale])
	}
	m := &Model{Net: net, Enc: enc, Lookback: lookback}
	if s, ok := meta[MetaIntervals]; ok && s != "" {
		if k := meta[MetaIntervalKind]; k != intervalKind {
			return nil, fmt.Errorf("model file: metadata %q is %q; this lstmfc knows %q", MetaIntervalKind, k, intervalKind)
		}
		for _, part := range strings.Split(s, ",") {
			l, r, ok := strings.Cut(part, ":")
			level, err1 := strconv.ParseFloat(l, 64)
			radius, err2 := strconv.ParseFloat(r, 64)
			if !ok || err1 != nil || err2 != nil || !(level > 0 && level < 1) || !(radius >= 0) {
				return nil, fmt.Errorf("model file: metadata %q has a malformed entry %q (want level:radius)", MetaIntervals, part)
			}
			m.Intervals = append(m.Intervals, Interval{Level: level, Radius: radius})
		}
	}
	return m, nil
}

// StoredSeries returns the training series recorded in a model file, its
// dates (nil when it had none) and its split, or ok false when the file
// holds no series.
func StoredSeries(meta map[string]string) (prices []float64, dates []time.Time, split window.Split, ok bool, err error) {
	s, ok := meta[MetaSeries]
	if !ok {
		return nil, nil, window.Split{}, false, nil
	}
	if err := json.Unmarshal([]byte(s), &prices); err != nil {
		return nil, nil, split, true, fmt.Errorf("model file: metadata %q is not a JSON array of numbers: %v", MetaSeries, err)
	}
	if ds, ok := meta[MetaDates]; ok {
		var strs []string
		if err := json.Unmarshal([]byte(ds), &strs); err != nil || len(strs) != len(prices) {
			return nil, nil, split, true, fmt.Errorf("model file: metadata %q is not a JSON array of %d dates", MetaDates, len(prices))
		}
		dates = make([]time.Time, len(strs))
		for i, d := range strs {
			if dates[i], err = time.Parse(dateLayout, d); err != nil {
				return nil, nil, split, true, fmt.Errorf("model file: metadata %q: entry %d: %v", MetaDates, i, err)
			}
		}
	}
	split = window.Split{N: len(prices), TrainEnd: len(prices), ValEnd: len(prices)}
	te, err1 := strconv.Atoi(meta[MetaTrainEnd])
	ve, err2 := strconv.Atoi(meta[MetaValEnd])
	if err1 == nil && err2 == nil && 0 <= te && te <= ve && ve <= len(prices) {
		split.TrainEnd, split.ValEnd = te, ve
	}
	return prices, dates, split, true, nil
}
