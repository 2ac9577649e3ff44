package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/lstmfc/lstmfc/internal/atomicfile"
	"github.com/lstmfc/lstmfc/internal/fleet"
	"github.com/lstmfc/lstmfc/internal/forecast"
	"github.com/lstmfc/lstmfc/internal/series"
)

// Suffixes of the files a many-series run writes for each series, after
// its name.
const (
	modelSuffix       = ".bin"
	trainReportSuffix = ".json"
	predictionsSuffix = ".predictions.csv"
	backtestSuffix    = ".backtest.json"
)

// manyHorizon is how far past its end train forecasts each series in its
// predictions file, predict's default --horizon, or further when the model
// was trained for more steps.
const manyHorizon = 10

// trainSeriesReport is the JSON report train writes for each series of a
// many-series run. It holds no timing, so that a rerun, or another shard
// layout, writes the same bytes.
type trainSeriesReport struct {
	Stamp       fleet.Stamp      `json:"stamp"`
	Source      string           `json:"source"`
	Column      string           `json:"column,omitempty"`
	Values      int              `json:"values"`
	Model       string           `json:"model"`       // file name, beside the report
	Predictions string           `json:"predictions"` // file name, beside the report
	Target      string           `json:"target"`
	Epochs      int              `json:"epochs"`
	BestEpoch   int              `json:"best_epoch"`
	Notes       []string         `json:"notes,omitempty"`
	Validation  *forecast.Report `json:"validation,omitempty"`
	Test        *forecast.Report `json:"test,omitempty"`
	InSample    *forecast.Report `json:"in_sample,omitempty"`
}

// settings returns what shapes train's outputs: every option but those
// naming inputs and outputs or saying how to report, and the version.
func (o *trainOptions) settings() any {
	s := *o
	s.Data, s.Model, s.Quiet, s.JSON, s.manyFlags = "", "", false, false, manyFlags{}
	return struct {
		Command, Version string
		Options          trainOptions
	}{"train", version, s}
}

func runTrainMany(ctx context.Context, o *trainOptions, args []string, ios *streams) error {
	cfg, err := o.fitConfig()
	if err != nil {
		return err
	}
	if o.Global {
		return runTrainGlobal(ctx, o, cfg, args, ios)
	}
	return runMany(ctx, trainManyRun(o, func(ctx context.Context, j seriesJob) error { return o.trainSeries(ctx, j, cfg) }), &o.manyFlags, args, ios)
}

// trainManyRun returns the run of train over several series that makes
// each series' outputs with work.
func trainManyRun(o *trainOptions, work func(ctx context.Context, j seriesJob) error) manyRun {
	return manyRun{
		kind: trainKind(), settings: o.settings(), quiet: o.Quiet, json: o.JSON,
		complete: func(ctx context.Context, dir, name string) error {
			if _, err := forecast.Load(ctx, filepath.Join(dir, name+modelSuffix)); err != nil {
				return err
			}
			return readPredictions(filepath.Join(dir, name+predictionsSuffix))
		},
		work: work,
	}
}

// trainSeries trains j's series as train does one, and writes its model,
// its predictions and, last, its report.
func (o *trainOptions) trainSeries(ctx context.Context, j seriesJob, cfg forecast.Config) error {
	tab, err := j.load(o.dataFlags, cfg.Features)
	if err != nil {
		return err
	}
	s := &tab.Series
	// Resolved first, as train does one series, so that the model's
	// configuration is the same.
	cfg, _, _, err = cfg.Resolve(s.Values)
	if err != nil {
		return fmt.Errorf("%s: %w", s.Source, err)
	}
	cfg.Serial = j.serial
	fit, err := forecast.TrainTable(ctx, tab, cfg, nil)
	if err != nil {
		return fmt.Errorf("%s: %w", s.Source, err)
	}
	return writeTrainOutputs(ctx, j, s, fit)
}

// writeTrainOutputs scores fit, trained on the series s of j, and writes
// its model, its predictions and, last, its report.
func writeTrainOutputs(ctx context.Context, j seriesJob, s *series.Series, fit *forecast.Fit) error {
	spans, err := fit.Score(ctx, s.Values)
	if err != nil {
		return fmt.Errorf("%s: %w", s.Source, err)
	}
	t, err := fit.Table(ctx, s.Values, s.Dates, &fit.Split, max(manyHorizon, fit.Config.Horizon))
	if err != nil {
		return fmt.Errorf("%s: %w", s.Source, err)
	}
	if err := fit.Save(ctx, j.output(modelSuffix), s, nil); err != nil {
		return err
	}
	if err := atomicfile.Write(ctx, j.output(predictionsSuffix), t.WriteCSV); err != nil {
		return err
	}
	return writeJSON(ctx, j.output(trainReportSuffix), trainSeriesReport{
		Stamp: j.stamp, Source: s.Source, Column: s.Column, Values: len(s.Values),
		Model: j.name + modelSuffix, Predictions: j.name + predictionsSuffix,
		Target: string(fit.Enc.Target), Epochs: fit.Result.Epochs, BestEpoch: fit.Result.BestEpoch,
		Notes:      append(s.Notes, fit.Notes...), // fit's include Resolve's
		Validation: spans.Validation, Test: spans.Test, InSample: spans.InSample,
	})
}

// readPredictions checks that the predictions file at path reads back.
func readPredictions(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = forecast.ReadCSV(f, path)
	return err
}

// trainKind reads back train's outputs: the summary shows the test span,
// else the validation span.
func trainKind() *outputKind {
	return &outputKind{command: "train", report: trainReportSuffix, done: trainReportSuffix, read: func(dir, name string) summaryRow {
		var r trainSeriesReport
		path := filepath.Join(dir, name+trainReportSuffix)
		if err := readReport(path, &r); err != nil {
			return failedRow(name, "train", err)
		}
		if r.Stamp == (fleet.Stamp{}) || r.Values == 0 || r.Model == "" {
			return failedRow(name, "train", fmt.Errorf("%s: %w", path, errNotReport))
		}
		span := r.Test
		if span == nil {
			span = r.Validation
		}
		return scoredRow(name, "train", span)
	}}
}

// backtestSeriesReport is the JSON report backtest writes for each series
// of a many-series run: the stamp, and what backtest --json prints.
type backtestSeriesReport struct {
	Stamp    fleet.Stamp     `json:"stamp"`
	Source   string          `json:"source"`
	Backtest json.RawMessage `json:"backtest"`
}

// settings returns what shapes backtest's outputs, as trainOptions'.
func (o *backtestOptions) settings() any {
	s := *o
	s.Data, s.Quiet, s.JSON, s.manyFlags = "", false, false, manyFlags{}
	return struct {
		Command, Version string
		Options          backtestOptions
	}{"backtest", version, s}
}

func runBacktestMany(ctx context.Context, o *backtestOptions, args []string, ios *streams) error {
	cfg, err := o.fitConfig()
	if err != nil {
		return err
	}
	if o.CSV != "" {
		return flagErrorf("csv", "takes one series; with several, each series' backtest report holds its steps")
	}
	if o.Global {
		return runBacktestGlobal(ctx, o, cfg, args, ios)
	}
	return runMany(ctx, backtestManyRun(o, func(ctx context.Context, j seriesJob) error {
		tab, err := j.load(o.dataFlags, cfg.Features)
		if err != nil {
			return err
		}
		s := &tab.Series
		cfg := cfg
		cfg.Serial = j.serial
		bt, err := forecast.WalkForwardTable(ctx, tab, cfg, o.Walk, o.Horizon, nil)
		if err != nil {
			return fmt.Errorf("%s: %w", s.Source, err)
		}
		return writeBacktestReport(ctx, j, s, bt)
	}), &o.manyFlags, args, ios)
}

// backtestManyRun returns the run of backtest over several series that
// makes each series' report with work.
func backtestManyRun(o *backtestOptions, work func(ctx context.Context, j seriesJob) error) manyRun {
	return manyRun{
		kind: backtestKind(), settings: o.settings(), quiet: o.Quiet, json: o.JSON,
		complete: func(context.Context, string, string) error { return nil }, // the report is the only output
		work:     work,
	}
}

// writeBacktestReport writes the report of bt, the backtest of the series
// s of j.
func writeBacktestReport(ctx context.Context, j seriesJob, s *series.Series, bt *forecast.Backtest) error {
	var b bytes.Buffer
	if err := writeBacktestJSON(&b, bt, s.Dates); err != nil {
		return err
	}
	return writeJSON(ctx, j.output(backtestSuffix), backtestSeriesReport{Stamp: j.stamp, Source: s.Source, Backtest: b.Bytes()})
}

// backtestKind reads back backtest's outputs: the summary shows every
// fold's predictions scored together.
func backtestKind() *outputKind {
	return &outputKind{command: "backtest", report: backtestSuffix, done: backtestSuffix, read: func(dir, name string) summaryRow {
		var r struct {
			Backtest struct {
				Overall *forecast.Report `json:"overall"`
			} `json:"backtest"`
		}
		if err := readReport(filepath.Join(dir, name+backtestSuffix), &r); err != nil {
			return failedRow(name, "backtest", err)
		}
		if r.Backtest.Overall == nil {
			return failedRow(name, "backtest", fmt.Errorf("%s: %w", name+backtestSuffix, errNoSpan))
		}
		return scoredRow(name, "backtest", r.Backtest.Overall)
	}}
}

// runPredictMany predicts each series with the model train wrote for it
// in --out-dir, NAME.bin, and writes NAME.predictions.csv beside it.
// Predicting is quick, so it is always redone: no stamp, nothing skipped.
func runPredictMany(ctx context.Context, o *predictOptions, args []string, ios *streams) error {
	if err := checkHorizon(o.Horizon); err != nil {
		return err
	}
	if o.Format == "json" {
		return flagErrorf("format", "with several series predictions are written as CSV")
	}
	return runMany(ctx, manyRun{
		kind: predictKind(), quiet: o.Quiet,
		work: func(ctx context.Context, j seriesJob) error {
			one := *o
			one.Model, one.Data, one.Quiet = j.output(modelSuffix), j.path, true
			t, err := one.table(ctx, &streams{Err: j.err})
			if err != nil {
				return err
			}
			if o.ForecastOnly {
				t = t.Future()
			}
			return atomicfile.Write(ctx, j.output(predictionsSuffix), t.WriteCSV)
		},
	}, &o.manyFlags, args, ios)
}

// predictKind reads back predict's outputs, which have no scores.
func predictKind() *outputKind {
	return &outputKind{command: "predict", done: predictionsSuffix, read: func(dir, name string) summaryRow {
		if err := readPredictions(filepath.Join(dir, name+predictionsSuffix)); err != nil {
			return failedRow(name, "predict", err)
		}
		return summaryRow{Series: name, Command: "predict", Status: statusOK}
	}}
}

// load reads j's series as the data flags d say, with every numeric column
// when features names inputs, as train and backtest read one series.
func (j seriesJob) load(d dataFlags, features string) (*series.Table, error) {
	opt := series.Options{Column: d.Column, Fill: d.Fill}
	if features != "" {
		return series.LoadTable(bytes.NewReader(j.input), j.path, opt)
	}
	s, err := series.Load(bytes.NewReader(j.input), j.path, opt)
	if err != nil {
		return nil, err
	}
	return &series.Table{Series: *s}, nil
}
