package forecast

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/lstmfc/lstmfc/internal/atomicfile"
	"github.com/lstmfc/lstmfc/internal/features"
	"github.com/lstmfc/lstmfc/internal/lstm"
	"github.com/lstmfc/lstmfc/internal/scale"
	"github.com/lstmfc/lstmfc/internal/series"
	"github.com/lstmfc/lstmfc/internal/userfile"
	"github.com/lstmfc/lstmfc/internal/window"
)

// The model file is a safetensors file (see lstm.Encode) whose metadata,
// a flat map of strings, says how to use the network. These are all its
// keys. A file exported from PyTorch has only the first three (and the
// format lstm writes); it predicts the tutorial's scaled price, one step
// ahead per output of its dense head.
//
// A direct model of H outputs (horizon H) reads output k, k = 1..H, as the
// value k steps past its window, each a cumulative move from the last known
// price: the scaled price at step k for the price target, the scaled log
// return from the last price to step k for return, the scaled change from
// the last price to step k for delta (see window.Ahead).
const (
	keyLookback  = "lookback"   // window length, an integer ≥ 1
	keyScalerMin = "scaler_min" // the price scaler: price = z·(max − min) + min
	keyScalerMax = "scaler_max"

	keyTarget       = "target"        // price, return or delta; absent: price
	keyTargetScale  = "target_scale"  // the return target's typical step
	keyIntervals    = "intervals"     // "0.8:r1:r2,0.95:r1:r2", level and the radius of steps 1, 2, …
	keyIntervalKind = "interval_kind" // how radii scale: intervalKind
	keyHorizon      = "horizon"       // outputs of the dense head, steps ahead; absent: its rows
	keyStrategy     = "strategy"      // direct or recursive; absent: direct
	// skill_t and drift are the model's Moves, written together: the t
	// statistic of its validation forecasts (at or below 2: every forecast
	// is the last price) and "d1:d2:…", the mean move taken out of the
	// forecasts of steps 1, 2, … (log return for target return, price
	// change otherwise). Absent: forecasts are the network's own.
	keySkillT = "skill_t"
	keyDrift  = "drift"

	keySeries   = "series"    // JSON array of the training run's prices
	keyDates    = "dates"     // JSON array of their dates, YYYY-MM-DD
	keyTrainEnd = "train_end" // index of the first validation value
	keyValEnd   = "val_end"   // index of the first test value

	// feature_scaling is the JSON of the features.Scaling of a model with
	// features (its list, inputs, and each input's training mean and
	// standard deviation); absent: the one input is the encoded price.
	keyFeatureScaling = "feature_scaling"

	keyScaler     = "scaler"     // minmax or standard: how a price target was scaled
	keyBestEpoch  = "best_epoch" // 0: the weights are the initial ones
	keyUnfinished = "unfinished" // why the run stopped early, when it did

	// Written for people and tools; lstmfc does not read them back.
	keySource   = "source"
	keyColumn   = "column"
	keyUnits    = "units"
	keyFeatures = "features" // the number of inputs per step
	keyConfig   = "config"   // the resolved Config as JSON
)

// writtenTogether are the keys every model file lstmfc writes holds. A
// file with some but not all of them is damaged (a key's name changed),
// not a PyTorch export, which has none.
var writtenTogether = []string{keyTarget, keyTargetScale, keySeries, keyTrainEnd, keyValEnd, keyScaler, keyBestEpoch, keyConfig}

// maxReturnScale bounds target_scale, the root mean square of the training
// log returns: one of 10 is a typical daily move by a factor of e^10, about
// 22,000, which no price series makes. Larger values come from damage, and
// would turn ordinary outputs into infinite prices.
const maxReturnScale = 10

// intervalKind names how interval radii scale: multiples of the mean
// absolute one-step move over the volatilityWindow values before.
const intervalKind = "volatility20"

// Saved is a model file read back: the forecaster and the series it was
// fitted on.
type Saved struct {
	*Model
	// Series is the training run's series, nil when the file holds none
	// (a PyTorch export); its Source is the model file.
	Series *series.Series
	Split  window.Split // Series's split; all training when the file does not say
	// BestEpoch is the epoch whose weights the file holds: 0 for the
	// initial weights, which have learned nothing; -1 when the file does
	// not say (a PyTorch export).
	BestEpoch int
	// Unfinished is why the training run stopped early, "" when it ended.
	Unfinished string
	// Seed is the training run's seed, from which Initial rebuilds its
	// initial weights; HasSeed is false when the file does not say (a
	// PyTorch export).
	Seed    uint64
	HasSeed bool
	scaler  window.Scaler // how a price target was scaled; "" when the file does not say
}

// Save writes the fitted model to the file at path, replaced atomically,
// with the series s it was fitted on and how, so that predict can run with
// no other input. unfinished, when not nil, is why the run stopped before
// its end (an interruption, a divergence); the file records it. A model is
// never thrown away for a late signal: the write goes on after ctx is
// cancelled, and only the abort context of atomicfile.Detach (a second
// signal) stops it, leaving any earlier file at path as it was.
func (f *Fit) Save(ctx context.Context, path string, s *series.Series, unfinished error) error {
	meta, err := f.meta(s)
	if err != nil {
		return err
	}
	if unfinished != nil {
		meta[keyUnfinished] = strings.Join(strings.Fields(unfinished.Error()), " ")
	}
	var b bytes.Buffer
	if err := lstm.Encode(&b, f.Net, meta); err != nil {
		return fmt.Errorf("cannot save model to %s: %w", path, err)
	}
	return atomicfile.Write(atomicfile.Detach(ctx), path, func(w io.Writer) error {
		_, err := b.WriteTo(w)
		return err
	})
}

// meta returns every metadata key of f's model file.
func (f *Fit) meta(s *series.Series) (map[string]string, error) {
	num := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	units := make([]string, len(f.Config.Units))
	for i, u := range f.Config.Units {
		units[i] = strconv.Itoa(u)
	}
	config, err := json.Marshal(f.Config)
	if err != nil {
		return nil, err
	}
	prices, err := json.Marshal(s.Values)
	if err != nil {
		return nil, err
	}
	meta := map[string]string{
		keyLookback:    strconv.Itoa(f.Lookback),
		keyScalerMin:   num(f.Enc.Scale.Min),
		keyScalerMax:   num(f.Enc.Scale.Max),
		keyTarget:      string(f.Enc.Target),
		keyTargetScale: num(f.Enc.ReturnScale),
		keySeries:      string(prices),
		keyTrainEnd:    strconv.Itoa(f.Split.TrainEnd),
		keyValEnd:      strconv.Itoa(f.Split.ValEnd),
		keySource:      s.Source,
		keyColumn:      s.Column,
		keyUnits:       strings.Join(units, ","),
		keyScaler:      string(f.Config.scaler()),
		keyFeatures:    strconv.Itoa(f.Net.Inputs()),
		keyConfig:      string(config),
		keyBestEpoch:   strconv.Itoa(f.Result.BestEpoch),
		keyHorizon:     strconv.Itoa(f.Net.Outputs()),
		keyStrategy:    string(cmp.Or(f.Strategy, Direct)),
	}
	if f.Features != nil {
		b, err := json.Marshal(f.Features)
		if err != nil {
			return nil, err
		}
		meta[keyFeatureScaling] = string(b)
	}
	if mv := f.Moves; mv != nil {
		meta[keySkillT] = num(mv.SkillT)
		drift := make([]string, len(mv.Drift))
		for k, d := range mv.Drift {
			drift[k] = num(d)
		}
		meta[keyDrift] = strings.Join(drift, ":")
	}
	if len(f.Intervals) > 0 {
		parts := make([]string, len(f.Intervals))
		for i, iv := range f.Intervals {
			parts[i] = num(iv.Level)
			for _, r := range iv.steps() {
				parts[i] += ":" + num(r)
			}
		}
		meta[keyIntervals] = strings.Join(parts, ",")
		meta[keyIntervalKind] = intervalKind
	}
	if s.Dates != nil {
		ds := make([]string, len(s.Dates))
		for i, d := range s.Dates {
			ds[i] = d.Format(dateLayout)
		}
		b, _ := json.Marshal(ds) // strings always marshal
		meta[keyDates] = string(b)
	}
	return meta, nil
}

// Load reads the model file at path, refusing one larger than
// userfile.MaxModelBytes. Cancelling ctx stops the read (a FIFO with no
// writer included) and the decoding. Errors start with path.
func Load(ctx context.Context, path string) (*Saved, error) {
	b, err := userfile.ReadFile(ctx, path, userfile.MaxModelBytes)
	if err != nil {
		return nil, err
	}
	return decodeCtx(ctx, b, path)
}

// decodeCtx is decode returning ctx's cause as soon as ctx is done: the
// JSON of a large stored series takes seconds to parse and cannot stop
// part way.
func decodeCtx(ctx context.Context, b []byte, path string) (*Saved, error) {
	return interruptible(ctx, func() (*Saved, error) { return decode(b, path) })
}

// decode is Load after the read: the whole check of a model file's bytes
// (its checksum, tensors and metadata meaning), apart so that it can be
// fuzzed without a file. Errors start with path.
func decode(b []byte, path string) (*Saved, error) {
	net, meta, err := lstm.Decode(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	sv, err := decodeMeta(net, meta, path)
	if err != nil {
		return nil, fmt.Errorf("%s: model file: %w", path, err)
	}
	return sv, nil
}

// decodeMeta parses and checks every metadata key lstmfc reads, once, for
// its meaning as well as its form: a damaged file is refused, not used.
// Errors are one line naming the key.
func decodeMeta(net *lstm.Model, meta map[string]string, path string) (*Saved, error) {
	sc, err := decodeFeatures(meta, net.Inputs())
	if err != nil {
		return nil, err
	}
	if net.Outputs() > MaxHorizonOutputs {
		return nil, fmt.Errorf("model has %d outputs, one per step ahead; lstmfc reads at most %d", net.Outputs(), MaxHorizonOutputs)
	}
	if s, ok := meta[keyHorizon]; ok && s != strconv.Itoa(net.Outputs()) {
		return nil, fmt.Errorf("metadata %q is %q, but the dense head has %d outputs, one per step ahead", keyHorizon, s, net.Outputs())
	}
	if s, ok := meta[keyFeatures]; ok && s != strconv.Itoa(net.Inputs()) {
		return nil, fmt.Errorf("metadata %q is %q, but the first layer takes %d inputs per step", keyFeatures, s, net.Inputs())
	}
	strategy := Direct
	if s, ok := meta[keyStrategy]; ok {
		if strategy = Strategy(s); !slices.Contains(Strategies(), s) {
			return nil, fmt.Errorf("metadata %q is %q, not direct or recursive", keyStrategy, s)
		}
	}
	if strategy == Recursive && net.Outputs() != 1 {
		return nil, fmt.Errorf("metadata %q is %q, but the dense head has %d outputs; a recursive model has one, fed back", keyStrategy, strategy, net.Outputs())
	}
	if _, ok := meta[keyLookback]; !ok {
		return nil, fmt.Errorf("no %q in the metadata", keyLookback)
	}
	lookback, err := strconv.Atoi(meta[keyLookback])
	if err != nil || lookback < 1 {
		return nil, fmt.Errorf("metadata %q is %q, not a positive integer", keyLookback, meta[keyLookback])
	}
	if lookback > MaxLookback {
		return nil, fmt.Errorf("metadata %q is %d, above the limit of %d", keyLookback, lookback, MaxLookback)
	}
	m := &Model{Net: net, Lookback: lookback, Strategy: strategy, Features: sc}
	if m.Enc, err = decodeEncoding(meta); err != nil {
		return nil, err
	}
	if m.Intervals, err = decodeIntervals(meta); err != nil {
		return nil, err
	}
	if m.Moves, err = decodeMoves(meta, m.Enc); err != nil {
		return nil, err
	}
	if n := len(m.Intervals); n > 0 && m.Moves != nil && len(m.Moves.Drift) != len(m.Intervals[0].steps()) {
		return nil, fmt.Errorf("metadata %q holds %d steps and %q %d: lstmfc writes one of each per step", keyDrift, len(m.Moves.Drift), keyIntervals, len(m.Intervals[0].steps()))
	}
	sv := &Saved{Model: m, BestEpoch: -1, Unfinished: meta[keyUnfinished], scaler: window.Scaler(meta[keyScaler])}
	if err := sv.decodeBestEpoch(meta); err != nil {
		return nil, err
	}
	if err := sv.decodeSeed(meta); err != nil {
		return nil, err
	}
	if _, ok := meta[keySeries]; !ok {
		if err := checkWrittenTogether(meta); err != nil {
			return nil, err
		}
		return sv, nil
	}
	sv.Series = &series.Series{Source: path, Column: meta[keyColumn]}
	if sv.Series.Values, sv.Series.Dates, err = decodeSeries(meta); err != nil {
		return nil, err
	}
	if err := m.Enc.Check(sv.Series.Values); err != nil {
		return nil, fmt.Errorf("metadata %q: %v", keySeries, err)
	}
	if sv.Split, err = decodeSplit(meta, len(sv.Series.Values), lookback); err != nil {
		return nil, err
	}
	if err := checkWrittenTogether(meta); err != nil {
		return nil, err
	}
	return sv, nil
}

// checkWrittenTogether refuses a file holding some of the keys lstmfc
// always writes together but not all.
func checkWrittenTogether(meta map[string]string) error {
	var has, missing []string
	for _, k := range writtenTogether {
		if _, ok := meta[k]; ok {
			has = append(has, k)
		} else {
			missing = append(missing, k)
		}
	}
	if len(has) > 0 && len(missing) > 0 {
		return fmt.Errorf("metadata has %q but no %q key, which lstmfc always writes with it: the file is damaged", has[0], missing[0])
	}
	return nil
}

// decodeBestEpoch reads which epoch's weights the file holds, when it says.
func (sv *Saved) decodeBestEpoch(meta map[string]string) error {
	s, ok := meta[keyBestEpoch]
	if !ok {
		return nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return fmt.Errorf("metadata %q is %q, not an epoch number", keyBestEpoch, s)
	}
	sv.BestEpoch = n
	return nil
}

// decodeSeed reads the training run's seed from its recorded
// configuration, when the file has one that says.
func (sv *Saved) decodeSeed(meta map[string]string) error {
	s, ok := meta[keyConfig]
	if !ok {
		return nil
	}
	var c struct{ Seed *uint64 }
	if err := json.Unmarshal([]byte(s), &c); err != nil {
		return fmt.Errorf("metadata %q is not a JSON configuration: %v", keyConfig, err)
	}
	if c.Seed != nil {
		sv.Seed, sv.HasSeed = *c.Seed, true
	}
	return nil
}

// number parses the metadata value of key as a finite number.
func number(meta map[string]string, key string) (float64, error) {
	v, err := strconv.ParseFloat(meta[key], 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("metadata %q is %q, not a finite number", key, meta[key])
	}
	return v, nil
}

// decodeEncoding reads how prices map to the network's inputs and outputs.
func decodeEncoding(meta map[string]string) (window.Encoding, error) {
	enc := window.Encoding{Target: window.Price}
	var err error
	if s, ok := meta[keyTarget]; ok {
		if enc.Target, err = window.ParseTarget(s); err != nil {
			return enc, fmt.Errorf("metadata %q: %v", keyTarget, err)
		}
	}
	lo, err := number(meta, keyScalerMin)
	if err != nil {
		return enc, err
	}
	hi, err := number(meta, keyScalerMax)
	if err != nil {
		return enc, err
	}
	enc.Scale = scale.MinMax{Min: lo, Max: hi}
	if enc.Target != window.Return && !(hi > lo) {
		// The price and delta targets divide by max − min.
		return enc, fmt.Errorf("metadata %q %s is not above %q %s", keyScalerMax, meta[keyScalerMax], keyScalerMin, meta[keyScalerMin])
	}
	if math.IsInf(hi-lo, 0) {
		return enc, fmt.Errorf("metadata %q %s and %q %s are too far apart to scale by", keyScalerMin, meta[keyScalerMin], keyScalerMax, meta[keyScalerMax])
	}
	if _, ok := meta[keyTargetScale]; ok {
		if enc.ReturnScale, err = number(meta, keyTargetScale); err != nil {
			return enc, err
		}
	}
	if enc.Target == window.Return && !(enc.ReturnScale > 0 && enc.ReturnScale <= maxReturnScale) {
		return enc, fmt.Errorf("target %q needs a positive %q of at most %d, got %q", enc.Target, keyTargetScale, maxReturnScale, meta[keyTargetScale])
	}
	return enc, nil
}

// decodeFeatures reads the scaling of a model with features, nil for a
// model of one input, the encoded price. It must name the inputs the
// feature list gives, inputs of them, with finite means and positive
// standard deviations.
func decodeFeatures(meta map[string]string, inputs int) (*features.Scaling, error) {
	s, ok := meta[keyFeatureScaling]
	if !ok {
		if inputs != 1 {
			return nil, fmt.Errorf("model takes %d inputs per step, but the metadata has no %q saying what they are", inputs, keyFeatureScaling)
		}
		return nil, nil
	}
	var sc features.Scaling
	if err := json.Unmarshal([]byte(s), &sc); err != nil {
		return nil, fmt.Errorf("metadata %q is not a feature scaling: %v", keyFeatureScaling, err)
	}
	set, err := features.Parse(sc.Features)
	if err != nil {
		return nil, fmt.Errorf("metadata %q: %v", keyFeatureScaling, err)
	}
	bad := func(v float64) bool { return math.IsNaN(v) || math.IsInf(v, 0) }
	switch {
	case set.String() != sc.Features || !slices.Equal(set.Inputs(), sc.Names):
		return nil, fmt.Errorf("metadata %q: inputs %q are not those of features %q", keyFeatureScaling, sc.Names, sc.Features)
	case len(sc.Names) != inputs:
		return nil, fmt.Errorf("metadata %q names %d inputs, but the model takes %d per step", keyFeatureScaling, len(sc.Names), inputs)
	case len(sc.Mean) != inputs || len(sc.Std) != inputs:
		return nil, fmt.Errorf("metadata %q needs a mean and a standard deviation for each of its %d inputs", keyFeatureScaling, inputs)
	case slices.ContainsFunc(sc.Mean, bad) || slices.ContainsFunc(sc.Std, func(v float64) bool { return bad(v) || v <= 0 || bad(1/v) }):
		// 1/v overflows for a subnormal v, which would scale every input
		// to an infinity.
		return nil, fmt.Errorf("metadata %q: each mean must be finite and each standard deviation finite and positive, not so small that its reciprocal overflows", keyFeatureScaling)
	}
	return &sc, nil
}

// decodeMoves reads the model's Moves, nil when the file has none. A drift
// no trained network makes is damage: the mean forecast move k steps ahead
// beyond 10·k of the encoding's typical step (see typicalStep).
func decodeMoves(meta map[string]string, enc window.Encoding) (*Moves, error) {
	t, hasT := meta[keySkillT]
	d, hasD := meta[keyDrift]
	switch {
	case !hasT && !hasD:
		return nil, nil
	case !hasT || !hasD:
		return nil, fmt.Errorf("metadata has only one of %q and %q, which lstmfc always writes together: the file is damaged", keySkillT, keyDrift)
	}
	mv := &Moves{}
	var err error
	// NaN is a t statistic there were too few values to measure.
	if mv.SkillT, err = strconv.ParseFloat(t, 64); err != nil {
		return nil, fmt.Errorf("metadata %q is %q, not a number", keySkillT, t[:min(len(t), 40)])
	}
	fields := strings.Split(d, ":")
	if len(fields) > MaxHorizonOutputs {
		return nil, fmt.Errorf("metadata %q holds %d steps, above the limit of %d", keyDrift, len(fields), MaxHorizonOutputs)
	}
	for k, f := range fields {
		v, err := strconv.ParseFloat(f, 64)
		limit := 10 * float64(k+1) * typicalStep(enc)
		switch {
		case err != nil || math.IsNaN(v) || math.IsInf(v, 0):
			return nil, fmt.Errorf("metadata %q has %q, not a finite number", keyDrift, f[:min(len(f), 40)])
		case math.Abs(v) > limit:
			return nil, fmt.Errorf("metadata %q has %g at step %d, beyond 10 typical steps a step (%.3g): the file is damaged", keyDrift, v, k+1, limit)
		}
		mv.Drift = append(mv.Drift, v)
	}
	return mv, nil
}

// typicalStep returns a typical one-step move of enc's target in the units
// of window.Encoding.Move: the training span's root mean square log return
// for Return or change for Delta, and the scaler's span for Price.
func typicalStep(enc window.Encoding) float64 {
	if enc.Target == window.Return {
		return enc.ReturnScale
	}
	return math.Abs(enc.Scale.Max - enc.Scale.Min)
}

// decodeIntervals reads the interval radii, none when the file has none.
func decodeIntervals(meta map[string]string) ([]Interval, error) {
	s, ok := meta[keyIntervals]
	if !ok || s == "" {
		return nil, nil
	}
	if k := meta[keyIntervalKind]; k != intervalKind {
		return nil, fmt.Errorf("metadata %q is %q; this lstmfc knows %q", keyIntervalKind, k, intervalKind)
	}
	var ivs []Interval
	for _, part := range strings.Split(s, ",") {
		fields := strings.Split(part, ":")
		level, err := strconv.ParseFloat(fields[0], 64)
		if err != nil || len(fields) < 2 {
			return nil, fmt.Errorf("metadata %q has a malformed entry %q (want level:radius, or level:radius1:radius2:… for several steps)", keyIntervals, part)
		}
		switch {
		case !(level > 0 && level < 1):
			return nil, fmt.Errorf("metadata %q entry %q: the level must be between 0 and 1", keyIntervals, part)
		case len(fields)-1 > MaxHorizonOutputs:
			return nil, fmt.Errorf("metadata %q entry %q: radii of %d steps, above the limit of %d", keyIntervals, part[:min(len(part), 40)], len(fields)-1, MaxHorizonOutputs)
		case slices.ContainsFunc(ivs, func(iv Interval) bool { return iv.Level == level }):
			return nil, fmt.Errorf("metadata %q entry %q: level %s appears twice", keyIntervals, part, fields[0])
		}
		radii := make([]float64, len(fields)-1)
		for k, f := range fields[1:] {
			r, err := strconv.ParseFloat(f, 64)
			switch {
			case err != nil:
				return nil, fmt.Errorf("metadata %q has a malformed entry %q (want level:radius, or level:radius1:radius2:… for several steps)", keyIntervals, part)
			case !(r >= 0) || math.IsInf(r, 0):
				// 0 is a radius: a step whose validation residuals were
				// mostly zero, as a price that seldom moves gives.
				return nil, fmt.Errorf("metadata %q entry %q: the radius must be finite and not negative", keyIntervals, part)
			}
			radii[k] = r
		}
		ivs = append(ivs, Interval{Level: level, Radius: radii[0], Radii: radii})
	}
	return ivs, nil
}

// decodeSeries reads the training series and its dates (nil when it had
// none).
func decodeSeries(meta map[string]string) ([]float64, []time.Time, error) {
	var prices []float64
	if err := json.Unmarshal([]byte(meta[keySeries]), &prices); err != nil {
		return nil, nil, fmt.Errorf("metadata %q is not a JSON array of numbers: %v", keySeries, err)
	}
	if len(prices) > series.MaxRows {
		return nil, nil, fmt.Errorf("metadata %q holds %d values, above the limit of %d", keySeries, len(prices), series.MaxRows)
	}
	ds, ok := meta[keyDates]
	if !ok {
		return prices, nil, nil
	}
	var strs []string
	if err := json.Unmarshal([]byte(ds), &strs); err != nil || len(strs) != len(prices) {
		return nil, nil, fmt.Errorf("metadata %q is not a JSON array of %d dates", keyDates, len(prices))
	}
	dates := make([]time.Time, len(strs))
	for i, d := range strs {
		var err error
		if dates[i], err = time.Parse(dateLayout, d); err != nil {
			return nil, nil, fmt.Errorf("metadata %q: entry %d: %v", keyDates, i, err)
		}
		if i > 0 && !dates[i].After(dates[i-1]) {
			return nil, nil, fmt.Errorf("metadata %q: entry %d, %s, does not follow %s", keyDates, i, d, strs[i-1])
		}
	}
	return prices, dates, nil
}

// decodeSplit reads where the training series's spans end. A file that
// does not say is all training. Either way the training span must hold a
// window.
func decodeSplit(meta map[string]string, n, lookback int) (window.Split, error) {
	split := window.Split{N: n, Lookback: lookback, TrainEnd: n, ValEnd: n}
	te, hasTE := meta[keyTrainEnd]
	ve, hasVE := meta[keyValEnd]
	if !hasTE && !hasVE {
		if lookback >= n {
			return split, fmt.Errorf("metadata %q %d leaves no window in the %d values of %q", keyLookback, lookback, n, keySeries)
		}
		return split, nil
	}
	t, err1 := strconv.Atoi(te)
	v, err2 := strconv.Atoi(ve)
	if err1 != nil || err2 != nil || !(lookback < t && t <= v && v <= n) {
		return split, fmt.Errorf("metadata %q %q and %q %q do not split a series of %d values with lookback %d (want %d < train_end <= val_end <= %d)",
			keyTrainEnd, te, keyValEnd, ve, n, lookback, lookback, n)
	}
	split.TrainEnd, split.ValEnd = t, v
	return split, nil
}
