package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/spf13/cobra"

	"github.com/lstmfc/lstmfc/internal/fleet"
	"github.com/lstmfc/lstmfc/internal/forecast"
	"github.com/lstmfc/lstmfc/internal/series"
	"github.com/lstmfc/lstmfc/internal/userfile"
)

// globalFlags is --global, of train and backtest.
type globalFlags struct {
	Global bool
}

func (g *globalFlags) register(cmd *cobra.Command) {
	cmd.Flags().BoolVar(&g.Global, "global", false, "with several series and --out-dir: one model trained on all the series together, each scaled by its own training span, then scored per series (not with --shard or --shards)")
}

// globalPaths returns the series of a --global run, refusing what cannot
// make one: fewer than two series, or a shard, since a global model needs
// every series in one process, or features, which it does not take yet.
func globalPaths(m *manyFlags, cfg forecast.Config, args []string) ([]string, error) {
	if m.Shard != "" || m.Shards != 0 {
		return nil, flagErrorf("global", "needs every series in one process; it does not take --shard or --shards")
	}
	if cfg.Features != "" {
		return nil, flagErrorf("global", "takes the price window alone; it does not take --features")
	}
	paths, err := fleet.Expand(args)
	if err != nil {
		return nil, usageError{err.Error()}
	}
	if len(paths) < 2 || paths[0] == "-" {
		return nil, flagErrorf("global", "trains one model on several series: give at least 2 series files, or a directory of them, with --out-dir")
	}
	return paths, nil
}

// globalRun is the work of a --global run over paths, done once, when the
// first series that is not already complete needs it: every series
// loaded, and what the global model made of each, or its error.
type globalRun[T any] struct {
	paths []string
	opt   series.Options
	errw  io.Writer // progress, or nil
	once  sync.Once
	// fit runs the global work on the series loaded, in the order of
	// paths, and returns what it made of each, as fitted or backtested.
	fit     func(ctx context.Context, values [][]float64) ([]T, error)
	loaded  map[string]*series.Series
	results map[string]T
	errs    map[string]error
}

// settings returns base with the inputs of every series of the run: a
// global model, and so each series' outputs, depends on all of them, so a
// change to one redoes all.
func (g *globalRun[T]) settings(ctx context.Context, base any) any {
	inputs := make([]fleet.Stamp, len(g.paths))
	for i, p := range g.paths {
		b, err := userfile.ReadFile(ctx, p, userfile.MaxTableBytes)
		if err != nil {
			b = []byte(err.Error()) // a file that cannot be read counts as its error
		}
		inputs[i], _ = fleet.NewStamp(b, nil)
	}
	return struct {
		Settings any
		Inputs   []fleet.Stamp
	}{base, inputs}
}

// result returns the series at path as loaded and what the global work
// made of it, doing that work first if it is not done yet.
func (g *globalRun[T]) result(ctx context.Context, path string) (*series.Series, T, error) {
	g.once.Do(func() { g.run(ctx) })
	if err := g.errs[path]; err != nil {
		var zero T
		return nil, zero, err
	}
	return g.loaded[path], g.results[path], nil
}

// run loads every series and runs g.fit on those that load. A series that
// fails on its own (a bad file, too short) gets its error and is left out,
// and the others are fitted again without it; an error of the whole (the
// shared network diverged) is every series'.
func (g *globalRun[T]) run(ctx context.Context) {
	g.loaded, g.results, g.errs = map[string]*series.Series{}, map[string]T{}, map[string]error{}
	var live []string
	for _, p := range g.paths {
		b, err := userfile.ReadFile(ctx, p, userfile.MaxTableBytes)
		if err == nil {
			g.loaded[p], err = series.Load(bytes.NewReader(b), p, g.opt)
		}
		if err != nil {
			g.errs[p] = err
			continue
		}
		live = append(live, p)
	}
	for {
		if len(live) < 2 {
			for _, p := range live {
				g.errs[p] = errors.New("a global model needs at least 2 series, and the others failed")
			}
			return
		}
		values := make([][]float64, len(live))
		for i, p := range live {
			values[i] = g.loaded[p].Values
		}
		if g.errw != nil {
			fmt.Fprintf(g.errw, "global model: training on %d series\n", len(live))
		}
		out, err := g.fit(ctx, values)
		var se *forecast.SeriesError
		switch {
		case errors.As(err, &se):
			p := live[se.Index]
			g.errs[p] = fmt.Errorf("%s: %w", g.loaded[p].Source, se.Err)
			live = append(live[:se.Index:se.Index], live[se.Index+1:]...)
			continue
		case err != nil:
			for _, p := range live {
				g.errs[p] = fmt.Errorf("the global model: %w", err)
			}
			return
		}
		for i, p := range live {
			g.results[p] = out[i]
		}
		return
	}
}

// runTrainGlobal is train --global: one model trained on all the series,
// written once per series, with that series' scaler, intervals and
// reports, as a local model's files are, so that predict takes it as is.
func runTrainGlobal(ctx context.Context, o *trainOptions, cfg forecast.Config, args []string, ios *streams) error {
	paths, err := globalPaths(&o.manyFlags, cfg, args)
	if err != nil {
		return err
	}
	g := &globalRun[*forecast.Fit]{paths: paths, opt: series.Options{Column: o.Column, Fill: o.Fill}}
	if !o.Quiet {
		g.errw = ios.Err
	}
	g.fit = func(ctx context.Context, values [][]float64) ([]*forecast.Fit, error) {
		progress, done := func(forecast.EpochStats) {}, func() {}
		if !o.Quiet {
			progress, done = newProgress(ios, cfg.Epochs)
		}
		fits, err := forecast.TrainGlobal(ctx, values, cfg, progress)
		done()
		return fits, err
	}
	run := trainManyRun(o, func(ctx context.Context, j seriesJob) error {
		s, fit, err := g.result(ctx, j.path)
		if err != nil {
			return err
		}
		return writeTrainOutputs(ctx, j, s, fit)
	})
	run.settings = g.settings(ctx, run.settings)
	return runMany(ctx, run, &o.manyFlags, args, ios)
}

// runBacktestGlobal is backtest --global: each fold's model trained on
// every series' values before that fold, and each series' backtest
// reported as a local one is.
func runBacktestGlobal(ctx context.Context, o *backtestOptions, cfg forecast.Config, args []string, ios *streams) error {
	paths, err := globalPaths(&o.manyFlags, cfg, args)
	if err != nil {
		return err
	}
	g := &globalRun[*forecast.Backtest]{paths: paths, opt: series.Options{Column: o.Column, Fill: o.Fill}}
	if !o.Quiet {
		g.errw = ios.Err
	}
	folds := 0
	g.fit = func(ctx context.Context, values [][]float64) ([]*forecast.Backtest, error) {
		return forecast.WalkForwardGlobal(ctx, values, cfg, o.Walk, o.Horizon, func(i int, _ forecast.Fold) {
			if g.errw != nil && i == 0 { // every series' fold k is done after the same training
				folds++
				fmt.Fprintf(g.errw, "global model: fold %d of %d done\n", folds, o.Folds)
			}
		})
	}
	run := backtestManyRun(o, func(ctx context.Context, j seriesJob) error {
		s, bt, err := g.result(ctx, j.path)
		if err != nil {
			return err
		}
		return writeBacktestReport(ctx, j, s, bt)
	})
	run.settings = g.settings(ctx, run.settings)
	return runMany(ctx, run, &o.manyFlags, args, ios)
}
