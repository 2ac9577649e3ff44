package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/lstmfc/lstmfc/internal/forecast"
	"github.com/lstmfc/lstmfc/internal/series"
)

// backtestOptions are the inputs of lstmfc backtest.
type backtestOptions struct {
	Data string
	forecast.Walk
	Quiet bool
	JSON  bool
	dataFlags
	fitFlags
}

func newBacktestCmd(ios *streams) *cobra.Command {
	o := &backtestOptions{}
	cmd := &cobra.Command{
		Use:   "backtest FILE|-",
		Short: "Walk-forward evaluation: retrain on the past, score the next span, repeat",
		Long: `Backtest cuts the series after its first --min-train fraction into --folds
spans along time. For each span it refits the scaler and retrains the model on
everything before it (an expanding window), then scores one-step predictions of
the span in price units: RMSE, MAE, MAPE, sMAPE, MASE and directional accuracy,
for the LSTM and for the naive (last value), drift and moving-average
baselines. A model that cannot beat the naive forecast out of sample has no
skill, however good its in-sample chart looks.`,
		Example: `  lstmfc backtest prices.csv
  lstmfc backtest --folds 10 --target return --json prices.csv`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: fileArgs(seriesExts...),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Data = args[0]
			return runBacktest(cmd.Context(), o, ios)
		},
	}
	fs := cmd.Flags()
	fs.IntVar(&o.Folds, "folds", 5, "number of walk-forward spans")
	fs.Float64Var(&o.MinTrain, "min-train", 0.5, "fraction of the series the first fold trains on")
	fs.BoolVarP(&o.Quiet, "quiet", "q", false, "print no progress or notes on stderr")
	fs.BoolVar(&o.JSON, "json", false, "print the result as one JSON object on stdout")
	o.dataFlags.register(cmd)
	o.fitFlags.register(cmd)
	return cmd
}

func runBacktest(ctx context.Context, o *backtestOptions, ios *streams) error {
	cfg, err := o.config(0)
	if err != nil {
		return err
	}
	if err := o.Walk.Validate(); err != nil {
		return asFlagError(err)
	}
	tab, err := o.table(ctx, ios)
	if err != nil {
		return err
	}
	s := &tab.Series
	// Folds are named by their rows, counted from 0 as in --json, and by
	// their dates when the series has them.
	label := func(first, last int) string {
		if s.Dates != nil {
			return fmt.Sprintf("rows %d to %d, %s to %s", first, last, s.Dates[first].Format(time.DateOnly), s.Dates[last].Format(time.DateOnly))
		}
		return fmt.Sprintf("rows %d to %d", first, last)
	}
	bt, err := forecast.WalkForwardTable(ctx, tab, cfg, o.Walk, func(f forecast.Fold) {
		if o.Quiet {
			return
		}
		for _, n := range f.Notes {
			fmt.Fprintln(ios.Err, n)
		}
		fmt.Fprintf(ios.Err, "fold of %s: %s RMSE %.6g, naive %.6g\n", label(f.Start, f.End-1), f.Report.ModelName(), f.Report.LSTM.RMSE, f.Report.Naive.RMSE)
	})
	if err != nil {
		return fmt.Errorf("%s: %w", s.Source, err)
	}
	if o.JSON {
		return writeBacktestJSON(ios.Out, bt, s.Dates)
	}
	for i, f := range bt.Folds {
		if err := f.Report.WriteText(ios.Out, fmt.Sprintf("Fold %d (%s)", i+1, label(f.Start, f.End-1))); err != nil {
			return err
		}
		fmt.Fprintln(ios.Out)
	}
	return bt.Overall.WriteText(ios.Out, fmt.Sprintf("All %d folds (%s)", len(bt.Folds), label(bt.Folds[0].Start, len(s.Values)-1)))
}

// table loads the data file, with every numeric column only when
// --features asks for them, so that a file is read as before without.
func (o *backtestOptions) table(ctx context.Context, ios *streams) (*series.Table, error) {
	if o.Features != "" {
		return o.loadTable(ctx, o.Data, ios, o.Quiet)
	}
	s, err := o.load(ctx, o.Data, ios, o.Quiet)
	if err != nil {
		return nil, err
	}
	return &series.Table{Series: *s}, nil
}

// writeBacktestJSON writes the folds with their rows, [start, end) counted
// from 0, and with dates the first and last dates they score.
func writeBacktestJSON(w io.Writer, bt *forecast.Backtest, dates []time.Time) error {
	type fold struct {
		Start     int    `json:"start"`
		End       int    `json:"end"`
		FirstDate string `json:"first_date,omitempty"`
		LastDate  string `json:"last_date,omitempty"`
		forecast.Report
	}
	out := struct {
		Folds   []fold          `json:"folds"`
		Overall forecast.Report `json:"overall"`
	}{Overall: bt.Overall}
	for _, f := range bt.Folds {
		j := fold{Start: f.Start, End: f.End, Report: f.Report}
		if dates != nil {
			j.FirstDate, j.LastDate = dates[f.Start].Format(time.DateOnly), dates[f.End-1].Format(time.DateOnly)
		}
		out.Folds = append(out.Folds, j)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
