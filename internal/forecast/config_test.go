package forecast

import (
	"context"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/lstmfc/lstmfc/internal/window"
)

// TestAutoTargetLooksOnlyAtTrainingSpan: a price <= 0 in the test span,
// which the fit never sees, must not change the automatic choice (return);
// as a return cannot take it, the fit is refused before any training, with
// an error naming the value. One in the training span must make Auto
// choose Delta, which takes it.
func TestAutoTargetLooksOnlyAtTrainingSpan(t *testing.T) {
	cfg := quick(Auto)
	cfg.Epochs = 2
	prices := noisySine(300, 7)
	a, err := Train(context.Background(), prices, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if a.Config.Target != Return || len(a.Notes) > 0 && strings.HasPrefix(a.Notes[0], "target") {
		t.Fatalf("positive prices: target %s, notes %q; want return and no note on the target", a.Config.Target, a.Notes)
	}
	changed := slices.Clone(prices)
	changed[len(changed)-3] = -1 // in the test span
	progress := 0
	_, err = Train(context.Background(), changed, cfg, func(EpochStats) { progress++ })
	if err == nil || !strings.Contains(err.Error(), "value 298 is -1, and a return target needs positive prices (the automatic choice looks at the training span only") {
		t.Errorf("a price <= 0 in the test span: error %v, want a refusal naming value 298", err)
	}
	if progress != 0 {
		t.Errorf("the refused fit trained %d epochs first", progress)
	}
	changed[5] = -1 // in the training span
	c, err := Train(context.Background(), changed, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Config.Target != Delta || len(c.Notes) == 0 || !strings.HasPrefix(c.Notes[0], "target delta") {
		t.Errorf("a price <= 0 in the training span: target %s, notes %q; want delta, with a note", c.Config.Target, c.Notes)
	}
}

func TestValidateNamesTheField(t *testing.T) {
	for _, tc := range []struct {
		change func(*Config)
		field  string
	}{
		{func(c *Config) { c.Lookback = 0 }, "Lookback"},
		{func(c *Config) { c.Cell = "LSTM" }, "Cell"},
		{func(c *Config) { c.Units = nil }, "Units"},
		{func(c *Config) { c.Units = []int{4, 0} }, "Units"},
		{func(c *Config) { c.Target = "volume" }, "Target"},
		{func(c *Config) { c.Standard, c.Target = true, Return }, "Standard"},
		{func(c *Config) { c.Epochs = 0 }, "Epochs"},
		{func(c *Config) { c.BatchSize = 0 }, "BatchSize"},
		{func(c *Config) { c.LR = 0 }, "LR"},
		{func(c *Config) { c.Clip = -1 }, "Clip"},
		{func(c *Config) { c.Patience = -1 }, "Patience"},
		{func(c *Config) { c.ValSplit = 1 }, "ValSplit"},
		{func(c *Config) { c.TestSplit = -0.1 }, "TestSplit"},
		{func(c *Config) { c.ValSplit, c.TestSplit = 0.5, 0.5 }, "ValSplit"},
		{func(c *Config) { c.Levels = []float64{0.8, 1} }, "Levels"},
		{func(c *Config) { c.Horizon = -1 }, "Horizon"},
		{func(c *Config) { c.Horizon = MaxHorizonOutputs + 1 }, "Horizon"},
		{func(c *Config) { c.Strategy = "Direct" }, "Strategy"},
	} {
		cfg := quick(Price)
		if err := cfg.Validate(); err != nil {
			t.Fatalf("quick config: %v", err)
		}
		tc.change(&cfg)
		var fe *FieldError
		if err := cfg.Validate(); !errors.As(err, &fe) || fe.Field != tc.field || strings.Contains(err.Error(), "--") {
			t.Errorf("%+v: error %v, want a FieldError for %s that names no flag", cfg, err, tc.field)
		}
	}
	for _, w := range []Walk{{0, 0.5}, {2, 0}, {2, 1}} {
		var fe *FieldError
		if err := w.Validate(); !errors.As(err, &fe) {
			t.Errorf("%+v: error %v, want a FieldError", w, err)
		}
	}
}

// TestResolveHorizon: 0 and "" resolve to one step, direct; a horizon
// that leaves fewer than two training windows, or a validation span
// shorter than one forecast, is refused naming Horizon, and the largest
// that fits is taken.
func TestResolveHorizon(t *testing.T) {
	prices := noisySine(100, 1) // 70 training values, 15 of validation
	cfg := quick(Price)
	got, split, _, err := cfg.Resolve(prices)
	if err != nil || got.Horizon != 1 || got.Strategy != Direct || split.TrainEnd != 70 || split.ValEnd != 85 {
		t.Fatalf("resolved %d %q, split %+v, error %v; want 1, direct, 70 and 85", got.Horizon, got.Strategy, split, err)
	}
	for _, tc := range []struct {
		horizon  int
		strategy Strategy
		msg      string
	}{
		{15, Direct, ""},
		{16, Direct, "16 steps are more than the 15 validation values"},
		{16, Recursive, "16 steps are more than the 15 validation values"},
	} {
		c := cfg
		c.Horizon, c.Strategy = tc.horizon, tc.strategy
		_, _, _, err := c.Resolve(prices)
		var fe *FieldError
		if tc.msg == "" && err != nil || tc.msg != "" && (!errors.As(err, &fe) || fe.Field != "Horizon" || !strings.Contains(err.Error(), tc.msg)) {
			t.Errorf("horizon %d %s: error %v, want %q", tc.horizon, tc.strategy, err, tc.msg)
		}
	}
	// Training windows: 70 values, lookback 16 leave 54 targets, so 53
	// steps leave 2 windows and 54 one.
	c := cfg
	c.ValSplit, c.TestSplit = 0, 0
	for _, tc := range []struct {
		horizon  int
		strategy Strategy
		ok       bool
	}{{53, Direct, true}, {54, Direct, false}, {54, Recursive, true}} {
		c.Horizon, c.Strategy = tc.horizon, tc.strategy
		_, _, _, err := c.Resolve(prices[:70])
		if tc.ok != (err == nil) || err != nil && !strings.Contains(err.Error(), "fewer than 2 training windows in 70 training values with lookback 16") {
			t.Errorf("horizon %d %s without validation: error %v", tc.horizon, tc.strategy, err)
		}
	}
}

func TestResolveSortsLevels(t *testing.T) {
	cfg := quick(Price)
	cfg.Levels = []float64{0.95, 0.8, 0.95}
	got, _, _, err := cfg.Resolve(noisySine(200, 1))
	if err != nil || !slices.Equal(got.Levels, []float64{0.8, 0.95}) {
		t.Errorf("levels %v (err %v), want [0.8 0.95]", got.Levels, err)
	}
}

// TestValidateAcceptsTheEdges: the smallest and largest values each rule
// allows pass, and values just past them or not numbers fail.
func TestValidateAcceptsTheEdges(t *testing.T) {
	edge := Config{Lookback: 1, Units: []int{1}, Target: Price, Standard: true, Epochs: 1, BatchSize: 1, LR: 1e-300,
		Clip: 0, Patience: 0, ValSplit: 0, TestSplit: 0, Levels: []float64{1e-9, 1 - 1e-9}}
	if err := edge.Validate(); err != nil {
		t.Errorf("%+v: %v", edge, err)
	}
	edge.ValSplit, edge.TestSplit = 0.5, 0.4999
	if err := edge.Validate(); err != nil {
		t.Errorf("%+v: %v", edge, err)
	}
	nan, inf := math.NaN(), math.Inf(1)
	for _, tc := range []struct {
		change func(*Config)
		field  string
	}{
		{func(c *Config) { c.LR = inf }, "LR"},
		{func(c *Config) { c.LR = nan }, "LR"},
		{func(c *Config) { c.LR = -1 }, "LR"},
		{func(c *Config) { c.Clip = inf }, "Clip"},
		{func(c *Config) { c.Clip = nan }, "Clip"},
		{func(c *Config) { c.ValSplit = nan }, "ValSplit"},
		{func(c *Config) { c.ValSplit = -0.1 }, "ValSplit"},
		{func(c *Config) { c.TestSplit = 1 }, "TestSplit"},
		{func(c *Config) { c.TestSplit = nan }, "TestSplit"},
		{func(c *Config) { c.Levels = []float64{0} }, "Levels"},
		{func(c *Config) { c.Levels = []float64{0.5, nan} }, "Levels"},
		{func(c *Config) { c.Standard, c.Target = true, Auto }, "Standard"},
	} {
		cfg := quick(Price)
		tc.change(&cfg)
		var fe *FieldError
		if err := cfg.Validate(); !errors.As(err, &fe) || fe.Field != tc.field || err.Error() != fe.Field+": "+fe.Msg {
			t.Errorf("%+v: error %v, want a FieldError for %s", cfg, err, tc.field)
		}
	}
}

// TestResolveAutoTarget: a training price of exactly 0 takes no log
// return; a split that leaves too few training values is refused.
func TestResolveAutoTarget(t *testing.T) {
	prices := noisySine(100, 2)
	cfg := quick(Auto)
	got, split, notes, err := cfg.Resolve(prices)
	if err != nil || got.Target != Return || notes != nil || split != (window.Split{N: 100, Lookback: 16, TrainEnd: 70, ValEnd: 85}) {
		t.Errorf("positive prices: target %s, split %+v, notes %q, error %v", got.Target, split, notes, err)
	}
	prices[69] = 0 // the last training value
	if got, _, notes, err := cfg.Resolve(prices); err != nil || got.Target != Delta || len(notes) != 1 {
		t.Errorf("a training price of 0: target %s, notes %q, error %v; want delta with a note", got.Target, notes, err)
	}
	cfg.Target = Price
	if got, _, notes, err := cfg.Resolve(prices); err != nil || got.Target != Price || notes != nil {
		t.Errorf("price asked for: target %s, notes %q, error %v", got.Target, notes, err)
	}
	if _, _, _, err := cfg.Resolve(prices[:20]); err == nil || !strings.Contains(err.Error(), "training values for lookback 16") {
		t.Errorf("20 values for lookback 16: error %v", err)
	}
}

func TestResolveValidates(t *testing.T) {
	cfg := quick(Price)
	cfg.Epochs = 0
	var fe *FieldError
	if _, _, _, err := cfg.Resolve(noisySine(100, 1)); !errors.As(err, &fe) || fe.Field != "Epochs" {
		t.Errorf("0 epochs: error %v, want a FieldError for Epochs", err)
	}
}

// TestValidateSaysWhy: a fraction of 1 breaks the range of the fraction
// itself, before the sum of the two fractions.
func TestValidateSaysWhy(t *testing.T) {
	cfg := quick(Price)
	cfg.ValSplit, cfg.TestSplit = 1, 0
	if err := cfg.Validate(); err == nil || err.Error() != "ValSplit: must be in [0, 1), got 1" {
		t.Errorf("ValSplit 1: error %v", err)
	}
	cfg.ValSplit, cfg.TestSplit = 0.6, 0.4
	if err := cfg.Validate(); err == nil || err.Error() != "ValSplit: with a test fraction of 0.4 leaves no training values" {
		t.Errorf("ValSplit 0.6, TestSplit 0.4: error %v", err)
	}
}
