package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/lstmfc/lstmfc/internal/atomicfile"
	"github.com/lstmfc/lstmfc/internal/forecast"
	"github.com/lstmfc/lstmfc/internal/series"
	"github.com/lstmfc/lstmfc/internal/userfile"
)

// enumValue is a string flag that takes one of a fixed set of values,
// checked when the command line is parsed.
type enumValue struct {
	p       *string
	allowed []string
}

func (e *enumValue) String() string { return *e.p }

// Type is "string", as for any string flag, in --help.
func (e *enumValue) Type() string { return "string" }

func (e *enumValue) Set(s string) error {
	if !slices.Contains(e.allowed, s) {
		return fmt.Errorf("must be %s", orList(e.allowed))
	}
	*e.p = s
	return nil
}

// enumFlag defines the flag name on cmd, storing in p one of allowed, def
// by default. The shell completion offers allowed.
func enumFlag(cmd *cobra.Command, p *string, name, def string, allowed []string, usage string) {
	*p = def
	cmd.Flags().Var(&enumValue{p, allowed}, name, usage)
	complete := func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return allowed, cobra.ShellCompDirectiveNoFileComp
	}
	if err := cmd.RegisterFlagCompletionFunc(name, complete); err != nil {
		panic(err) // only for a flag not defined just above, which every test would show
	}
}

// orList joins values as "a, b or c".
func orList(values []string) string {
	if len(values) == 1 {
		return values[0]
	}
	return strings.Join(values[:len(values)-1], ", ") + " or " + values[len(values)-1]
}

// fieldFlag returns the flag that sets the named field of forecast.Config
// or forecast.Walk, or "" for none.
func fieldFlag(field string) string {
	return map[string]string{
		"Lookback": "lookback", "Cell": "cell", "Units": "units", "Target": "target", "Standard": "scaler", "Epochs": "epochs",
		"BatchSize": "batch-size", "LR": "lr", "Clip": "clip", "Patience": "patience", "Seed": "seed",
		"ValSplit": "val-split", "TestSplit": "test-split", "Levels": "levels", "Folds": "folds", "MinTrain": "min-train",
		"Horizon": "horizon", "Strategy": "strategy", "Features": "features", "RawForecasts": "raw-forecasts",
		"Serial": "jobs", // more than one job trains serially
	}[field]
}

// asFlagError turns an error about a forecast configuration field into a
// usage error about its flag; other errors pass unchanged.
func asFlagError(err error) error {
	var fe *forecast.FieldError
	if errors.As(err, &fe) {
		return flagErrorf(fieldFlag(fe.Field), "%s", fe.Msg)
	}
	return err
}

// dataFlags choose and clean the price column of a CSV.
type dataFlags struct {
	Column string
	Fill   string
	// prefer is the column to read when the file has it and --column
	// is not given: the one predict's model was trained on.
	prefer string
}

func (d *dataFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&d.Column, "column", "", "price column, case-insensitive (default: Adj Close, else Close, else the only numeric column)")
	enumFlag(cmd, &d.Fill, "fill", "drop", []string{"drop", "ffill"}, "missing prices: drop them, or ffill (carry the last price forward)")
}

// load reads the series at path ("-" is standard input) and tells on
// stderr which column it chose and what it cleaned.
func (d *dataFlags) load(ctx context.Context, path string, ios *streams, quiet bool) (*series.Series, error) {
	s, err := readData(ctx, d, path, ios, series.Load, series.LoadFile)
	if err != nil {
		return nil, err
	}
	printNotes(ios, quiet, s.Notes)
	return s, nil
}

// loadTable is load with every numeric column of the file, for features.
func (d *dataFlags) loadTable(ctx context.Context, path string, ios *streams, quiet bool) (*series.Table, error) {
	t, err := readData(ctx, d, path, ios, series.LoadTable, series.LoadTableFile)
	if err != nil {
		return nil, err
	}
	printNotes(ios, quiet, t.Notes)
	return t, nil
}

// readData reads the file at path with file, or standard input ("-") with
// read, under d's options.
func readData[T any](ctx context.Context, d *dataFlags, path string, ios *streams,
	read func(io.Reader, string, series.Options) (T, error), file func(context.Context, string, series.Options) (T, error)) (T, error) {
	opt := series.Options{Column: d.Column, Prefer: d.prefer, Fill: d.Fill}
	if path == "-" {
		return read(userfile.NewReader(ctx, ios.In), "stdin", opt)
	}
	return file(ctx, path, opt)
}

// printNotes tells the loader's notes on stderr unless quiet.
func printNotes(ios *streams, quiet bool, notes []string) {
	if quiet {
		return
	}
	for _, n := range notes {
		fmt.Fprintln(ios.Err, n)
	}
}

// fitFlags are the flags that decide how a model is fitted, shared by train
// and backtest.
type fitFlags struct {
	Lookback  int
	Cell      string
	Strategy  string // direct or recursive
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
	Features  string
	Raw       bool // report the network's own forecasts
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
	// Recursive met the median RMSE/naive goal at every step 1..20 over the
	// shared files where direct did not (README, "Horizons").
	defaultStrategy = "recursive"
)

func (f *fitFlags) register(cmd *cobra.Command) {
	fs := cmd.Flags()
	fs.IntVar(&f.Lookback, "lookback", defaultLookback, "window length: how many past prices each prediction sees")
	enumFlag(cmd, &f.Cell, "cell", forecast.Cells()[0], forecast.Cells(), "recurrent cell of every layer: lstm (the tutorial's), gru, or rnn (plain tanh, Elman's)")
	enumFlag(cmd, &f.Strategy, "strategy", defaultStrategy, forecast.Strategies(), "how to forecast several steps: direct (one output per step) or recursive (one output fed back)")
	intsFlag(fs, &f.Units, "units", []int{50, 50}, "hidden units of each layer, comma-separated")
	enumFlag(cmd, &f.Target, "target", defaultTarget, forecast.Targets(), "what the model predicts: price (scaled price, the tutorial's), return (log return), delta (change), or auto (return when every price is positive, else delta)")
	enumFlag(cmd, &f.Scaler, "scaler", "minmax", []string{"minmax", "standard"}, "with --target price: minmax (the tutorial's, to [0,1]) or standard (z-score)")
	fs.IntVar(&f.Epochs, "epochs", defaultEpochs, "passes over the training windows")
	fs.IntVar(&f.BatchSize, "batch-size", defaultBatchSize, "windows per Adam step (larger than the training set means all)")
	fs.Float64Var(&f.LR, "lr", defaultLR, "Adam learning rate")
	fs.Float64Var(&f.Clip, "clip", 0, "clip the global gradient norm to this value (0: off)")
	fs.IntVar(&f.Patience, "patience", defaultPatience, "stop after this many epochs without a better validation loss (0: off)")
	fs.Uint64Var(&f.Seed, "seed", 1, "seed of the initial weights and the shuffling; the same seed gives the same model")
	fs.Float64Var(&f.ValSplit, "val-split", 0.1, "fraction of the series, after the training part, for validation (early stopping, intervals)")
	numbersFlag(fs, &f.Levels, "levels", []float64{0.8, 0.95}, "prediction-interval levels, comma-separated")
	fs.BoolVar(&f.Raw, "raw-forecasts", false, "report the network's own forecasts: no skill test on the validation span and no drift taken out (see the README)")
	fs.StringVar(&f.Features, "features", "", "inputs from the file's columns and dates, comma-separated, the target's return always first: range, gap, logvolume, volchange, dow, month, or a column's name (default: none, the price window alone; see the README)")
}

// config checks the flags and returns the fitting configuration.
func (f *fitFlags) config(testSplit float64) (forecast.Config, error) {
	cfg := forecast.Config{
		Lookback: f.Lookback, Cell: f.Cell, Strategy: forecast.Strategy(f.Strategy), Units: f.Units, Target: forecast.Target(f.Target), Standard: f.Scaler == "standard",
		Epochs: f.Epochs, BatchSize: f.BatchSize, LR: f.LR, Clip: f.Clip, Patience: f.Patience, Seed: f.Seed,
		ValSplit: f.ValSplit, TestSplit: testSplit, Levels: f.Levels, Features: f.Features, RawForecasts: f.Raw,
	}
	return cfg, asFlagError(cfg.Validate())
}

// checkWritable fails early, before any work, when the output path named
// by flag cannot be written (an empty name, a name too long for the file
// system, a missing directory or one without write permission) or is one
// of the run's inputs, compared by file identity. Standard output ("-"),
// devices and FIFOs are written to, not replaced, so only their existence
// matters.
func checkWritable(flag, path string, inputs ...string) error {
	switch {
	case path == "-":
		return nil
	case path == "":
		return flagErrorf(flag, "needs a file name")
	case len(filepath.Base(path)) > maxNameBytes:
		return flagErrorf(flag, "cannot write %s: the name is %d bytes, longer than the %d a file system allows", path, len(filepath.Base(path)), maxNameBytes)
	}
	if err := userfile.CheckOutput(path, inputs...); err != nil {
		return usageError{"--" + flag + ": " + err.Error()}
	}
	if st, err := os.Stat(path); err == nil {
		if st.IsDir() {
			return flagErrorf(flag, "cannot write %s: it is a directory", path)
		}
		if !st.Mode().IsRegular() {
			return nil
		}
	}
	dir := filepath.Dir(path)
	st, err := os.Stat(dir)
	if err != nil {
		return flagErrorf(flag, "cannot write %s: directory %s does not exist", path, dir)
	}
	if !st.IsDir() {
		return flagErrorf(flag, "cannot write %s: %s is not a directory", path, dir)
	}
	f, err := os.CreateTemp(dir, ".lstmfc-probe-*")
	if err != nil {
		return flagErrorf(flag, "cannot write %s: %v", path, unwrapPath(err))
	}
	f.Close()
	os.Remove(f.Name())
	return nil
}

// maxNameBytes is the longest file name Linux file systems take.
const maxNameBytes = 255

// unwrapPath drops the temp file's name from an error about it.
func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// writeOutput writes to path atomically, or to stdout when path is "-".
func writeOutput(ctx context.Context, path string, ios *streams, write func(w io.Writer) error) error {
	if path == "-" {
		return write(ios.Out)
	}
	return atomicfile.Write(ctx, path, write)
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

// refuseWithMany returns a usage error for the first of the flags given
// on a run of several series, which names each series' files after it in
// --out-dir: a flag naming the one model, output or series of a
// single-series run would otherwise be silently ignored.
func refuseWithMany(cmd *cobra.Command, flags ...string) error {
	for _, name := range flags {
		if cmd.Flags().Changed(name) {
			return flagErrorf(name, "is for one series; with several, each series' files are named after it in --out-dir")
		}
	}
	return nil
}
