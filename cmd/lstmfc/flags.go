package main

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/spf13/pflag"

	"github.com/lstmfc/lstmfc/internal/atomicfile"
	"github.com/lstmfc/lstmfc/internal/forecast"
	"github.com/lstmfc/lstmfc/internal/series"
	"github.com/lstmfc/lstmfc/internal/window"
)

// dataFlags choose and clean the price column of a CSV.
type dataFlags struct {
	Column string
	Fill   string
}

func (d *dataFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&d.Column, "column", "", "price column, case-insensitive (default: Adj Close, else Close, else the only numeric column)")
	fs.StringVar(&d.Fill, "fill", "drop", "missing prices: drop them, or ffill (carry the last price forward)")
}

// load reads the series at path ("-" is standard input) and tells on
// stderr which column it chose and what it cleaned.
func (d *dataFlags) load(path string, ios *streams, quiet bool) (*series.Series, error) {
	if d.Fill != "drop" && d.Fill != "ffill" {
		return nil, flagErrorf("fill", "must be drop or ffill, got %q", d.Fill)
	}
	opt := series.Options{Column: d.Column, Fill: d.Fill}
	var s *series.Series
	var err error
	if path == "-" {
		s, err = series.Load(ios.In, "stdin", opt)
	} else {
		s, err = series.LoadFile(path, opt)
	}
	if err != nil {
		return nil, err
	}
	if !quiet {
		for _, n := range s.Notes {
			fmt.Fprintln(ios.Err, n)
		}
	}
	return s, nil
}

// fitFlags are the flags that decide how a model is fitted, shared by train
// and backtest.
type fitFlags struct {
	Lookback  int
	Units     []int
	Target    string
	Scaler    string
	Epochs    int
	BatchSize int
	LR        float64
	Clip      float64
	Patience  int
	Seed      uint64
	ValSplit  float64
	Levels    []float64
}

// Defaults chosen by walk-forward backtests over the shared price files; see
// the README's section on defaults.
const (
	defaultLookback  = 60
	defaultTarget    = "auto"
	defaultEpochs    = 20
	defaultBatchSize = 32
	defaultLR        = 1e-3
	defaultPatience  = 5
)

func (f *fitFlags) register(fs *pflag.FlagSet) {
	fs.IntVar(&f.Lookback, "lookback", defaultLookback, "window length: how many past prices each prediction sees")
	fs.IntSliceVar(&f.Units, "units", []int{50, 50}, "hidden units of each LSTM layer, comma-separated")
	fs.StringVar(&f.Target, "target", defaultTarget, "what the model predicts: price (scaled price, the tutorial's), return (log return), delta (change), or auto (return when every price is positive, else delta)")
	fs.StringVar(&f.Scaler, "scaler", "minmax", "with --target price: minmax (the tutorial's, to [0,1]) or standard (z-score)")
	fs.IntVar(&f.Epochs, "epochs", defaultEpochs, "passes over the training windows")
	fs.IntVar(&f.BatchSize, "batch-size", defaultBatchSize, "windows per Adam step (larger than the training set means all)")
	fs.Float64Var(&f.LR, "lr", defaultLR, "Adam learning rate")
	fs.Float64Var(&f.Clip, "clip", 0, "clip the global gradient norm to this value (0: off)")
	fs.IntVar(&f.Patience, "patience", defaultPatience, "stop after this many epochs without a better validation loss (0: off)")
	fs.Uint64Var(&f.Seed, "seed", 1, "seed of the initial weights and the shuffling; the same seed gives the same model")
	fs.Float64Var(&f.ValSplit, "val-split", 0.1, "fraction of the series, after the training part, for validation (early stopping, intervals)")
	fs.Float64SliceVar(&f.Levels, "levels", []float64{0.8, 0.95}, "prediction-interval levels")
}

// config checks the flags and returns the fitting configuration.
func (f *fitFlags) config(testSplit float64) (forecast.Config, error) {
	var zero forecast.Config
	switch {
	case f.Lookback < 1:
		return zero, flagErrorf("lookback", "must be at least 1, got %d", f.Lookback)
	case len(f.Units) == 0:
		return zero, flagErrorf("units", "needs at least one layer size")
	case f.Epochs < 1:
		return zero, flagErrorf("epochs", "must be at least 1, got %d", f.Epochs)
	case f.BatchSize < 1:
		return zero, flagErrorf("batch-size", "must be at least 1, got %d", f.BatchSize)
	case !(f.LR > 0) || math.IsInf(f.LR, 0):
		return zero, flagErrorf("lr", "must be a positive number, got %g", f.LR)
	case !(f.Clip >= 0) || math.IsInf(f.Clip, 0):
		return zero, flagErrorf("clip", "must be 0 (off) or positive, got %g", f.Clip)
	case f.Patience < 0:
		return zero, flagErrorf("patience", "must be 0 (off) or positive, got %d", f.Patience)
	case !(f.ValSplit >= 0 && f.ValSplit < 1):
		return zero, flagErrorf("val-split", "must be in [0, 1), got %g", f.ValSplit)
	case !(testSplit >= 0 && testSplit < 1):
		return zero, flagErrorf("test-split", "must be in [0, 1), got %g", testSplit)
	case f.ValSplit+testSplit >= 1:
		return zero, flagErrorf("val-split", "with --test-split %g leaves no training values", testSplit)
	}
	for _, u := range f.Units {
		if u < 1 {
			return zero, flagErrorf("units", "each layer needs at least 1 unit, got %v", f.Units)
		}
	}
	for _, l := range f.Levels {
		if !(l > 0 && l < 1) {
			return zero, flagErrorf("levels", "each level must be between 0 and 1, got %g", l)
		}
	}
	levels := slices.Compact(slices.Sorted(slices.Values(f.Levels)))
	if f.Scaler != "minmax" && f.Scaler != "standard" {
		return zero, flagErrorf("scaler", "must be minmax or standard, got %q", f.Scaler)
	}
	if f.Scaler == "standard" && f.Target != string(window.Price) {
		return zero, flagErrorf("scaler", "standard applies to --target price; the other targets are scaled by their typical step")
	}
	var target window.Target // "" until resolveTarget sees the prices
	if f.Target != "auto" {
		t, err := window.ParseTarget(f.Target)
		if err != nil {
			return zero, flagErrorf("target", "must be auto, price, return or delta, got %q", f.Target)
		}
		target = t
	}
	return forecast.Config{
		Lookback: f.Lookback, Units: f.Units, Target: target, Standard: f.Scaler == "standard", Epochs: f.Epochs, BatchSize: f.BatchSize,
		LR: f.LR, Clip: f.Clip, Patience: f.Patience, Seed: f.Seed, ValSplit: f.ValSplit, TestSplit: testSplit,
		Levels: levels,
	}, nil
}

// resolveTarget settles --target auto once the prices are known: the log
// return, which backtests over real price files favour, when every price is
// positive; else the change, which takes any price.
func resolveTarget(cfg *forecast.Config, prices []float64, ios *streams, quiet bool) {
	if cfg.Target != "" {
		return
	}
	cfg.Target = window.Return
	if slices.ContainsFunc(prices, func(p float64) bool { return p <= 0 }) {
		cfg.Target = window.Delta
		if !quiet {
			fmt.Fprintln(ios.Err, "target delta: the series has prices <= 0, which a log return cannot take")
		}
	}
}

// checkWritable fails early, before any work, when the output path named
// by flag cannot be written: a missing directory or one without write
// permission. Standard output ("-") is always writable.
func checkWritable(flag, path string) error {
	if path == "-" {
		return nil
	}
	dir := filepath.Dir(path)
	st, err := os.Stat(dir)
	if err != nil {
		return flagErrorf(flag, "cannot write %s: directory %s does not exist", path, dir)
	}
	if !st.IsDir() {
		return flagErrorf(flag, "cannot write %s: %s is not a directory", path, dir)
	}
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return flagErrorf(flag, "cannot write %s: it is a directory", path)
	}
	f, err := os.CreateTemp(dir, ".lstmfc-probe-*")
	if err != nil {
		return flagErrorf(flag, "cannot write %s: %v", path, unwrapPath(err))
	}
	f.Close()
	os.Remove(f.Name())
	return nil
}

// unwrapPath drops the temp file's name from an error about it.
func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// writeOutput writes to path atomically, or to stdout when path is "-".
func writeOutput(path string, ios *streams, write func(w io.Writer) error) error {
	if path == "-" {
		return write(ios.Out)
	}
	return atomicfile.Write(path, write)
}

// loadModel reads a model file and the forecaster it holds.
func loadModel(path string) (*forecast.Model, map[string]string, error) {
	net, meta, err := forecast.LoadFile(path)
	if err != nil {
		return nil, nil, err
	}
	m, err := forecast.FromFile(net, meta)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, meta, nil
}

// formatDuration rounds a duration for people.
func formatDuration(d time.Duration) string {
	switch {
	case d < time.Second:
		return d.Round(time.Millisecond).String()
	case d < time.Minute:
		return d.Round(100 * time.Millisecond).String()
	}
	return d.Round(time.Second).String()
}
