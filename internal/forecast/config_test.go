package forecast

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
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

func TestResolveSortsLevels(t *testing.T) {
	cfg := quick(Price)
	cfg.Levels = []float64{0.95, 0.8, 0.95}
	got, _, _, err := cfg.Resolve(noisySine(200, 1))
	if err != nil || !slices.Equal(got.Levels, []float64{0.8, 0.95}) {
		t.Errorf("levels %v (err %v), want [0.8 0.95]", got.Levels, err)
	}
}
