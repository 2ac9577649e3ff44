package main

import (
	"context"
	"encoding/json"
	"errors"
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
	Horizon int
	CSV     string
	Quiet   bool
	JSON    bool
	dataFlags
	fitFlags
	manyFlags
	globalFlags
}

func newBacktestCmd(ios *streams) *cobra.Command {
	o := &backtestOptions{}
	cmd := &cobra.Command{
		Use:   "backtest FILE|DIR...|-",
		Short: "Walk-forward evaluation: retrain on the past, score the next span, repeat",
		Long: `Backtest cuts the series after its first --min-train fraction into --folds
spans along time. For each span it refits the scaler and retrains the model on
everything before it (an expanding window), then scores one-step predictions of
the span in price units: RMSE, MAE, MAPE, sMAPE, MASE and directional accuracy,
for the LSTM and for the naive (last value), drift and moving-average
baselines. A model that cannot beat the naive forecast out of sample has no
skill, however good its in-sample chart looks.

Each report ends with a verdict against the best baseline (the lowest RMSE),
not only the naive one: a Diebold–Mariano test of the squared errors, with
the Harvey–Leybourne–Newbold correction, says "no significant difference"
unless p < 0.05, and the model is said to win or lose only when RMSE and
MASE agree.

With --horizon H above 1, each fold's model is fitted for H steps under
--strategy (direct: one output per step; recursive: one output fed back, its
intervals measured at every step) and forecasts H steps ahead from every
value of its span, and every step 1..H is scored
next to the naive, drift and seasonal naive (the value a business week of 5
steps before) forecasts made from the same origin: the table shows steps 1,
5, 10, 20 and H, --json has every step, and --csv writes every origin and
step in long format.`,
		Example: `  lstmfc backtest prices.csv
  lstmfc backtest --folds 10 --target return --json prices.csv
  lstmfc backtest --horizon 20 --csv steps.csv prices.csv`,
		Args:              cobra.MinimumNArgs(1),
		ValidArgsFunction: fileArgs(seriesExts...),
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.many(args) || o.Global {
				return runBacktestMany(cmd.Context(), o, args, ios)
			}
			o.Data = args[0]
			return runBacktest(cmd.Context(), o, ios)
		},
	}
	fs := cmd.Flags()
	fs.IntVar(&o.Folds, "folds", 5, "number of walk-forward spans")
	fs.Float64Var(&o.MinTrain, "min-train", 0.5, "fraction of the series the first fold trains on")
	fs.IntVar(&o.Horizon, "horizon", 1, fmt.Sprintf("steps ahead to forecast from every origin and score, 1 to %d", forecast.MaxBacktestHorizon))
	fs.StringVar(&o.CSV, "csv", "", "with --horizon above 1, write every origin's forecast of every step to this CSV file: origin,target,step,actual,predicted,loNN,hiNN")
	fileFlag(cmd, "csv", "csv")
	fs.BoolVarP(&o.Quiet, "quiet", "q", false, "print no progress or notes on stderr")
	fs.BoolVar(&o.JSON, "json", false, "print the result as one JSON object on stdout")
	o.dataFlags.register(cmd)
	o.fitFlags.register(cmd)
	o.manyFlags.register(cmd)
	o.globalFlags.register(cmd)
	return cmd
}

// fitConfig checks backtest's flags and returns the fitting configuration.
func (o *backtestOptions) fitConfig() (forecast.Config, error) {
	cfg, err := o.config(0)
	if err != nil {
		return cfg, err
	}
	if err := o.Walk.Validate(); err != nil {
		return cfg, asFlagError(err)
	}
	switch {
	case o.Horizon < 1:
		return cfg, flagErrorf("horizon", "must be at least 1, got %d", o.Horizon)
	case o.Horizon > forecast.MaxBacktestHorizon:
		return cfg, flagErrorf("horizon", "must be at most %d, got %d", forecast.MaxBacktestHorizon, o.Horizon)
	case o.CSV != "" && o.Horizon == 1:
		return cfg, flagErrorf("csv", "needs --horizon 2 or more; one-step predictions are what predict writes")
	case o.CSV == "-":
		return cfg, flagErrorf("csv", "needs a file name: standard output holds the report")
	}
	return cfg, nil
}

func runBacktest(ctx context.Context, o *backtestOptions, ios *streams) error {
	cfg, err := o.fitConfig()
	if err != nil {
		return err
	}
	if o.CSV != "" {
		if err := checkWritable("csv", o.CSV, o.Data); err != nil {
			return err
		}
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
	bt, err := forecast.WalkForwardTable(ctx, tab, cfg, o.Walk, o.Horizon, func(f forecast.Fold) {
		if o.Quiet {
			return
		}
		fmt.Fprintf(ios.Err, "fold of %s: %s RMSE %.6g, naive %.6g\n", label(f.Start, f.End-1), f.Report.ModelName(), f.Report.LSTM.RMSE, f.Report.Naive.RMSE)
		for _, n := range f.Notes { // the fold's own, after the line that names it
			fmt.Fprintln(ios.Err, "  "+n)
		}
	})
	var fe *forecast.FieldError
	if errors.As(err, &fe) {
		return asFlagError(err) // a flag the series cannot take, such as too long a horizon
	}
	if err != nil {
		return fmt.Errorf("%s: %w", s.Source, err)
	}
	if o.CSV != "" {
		if err := writeOutput(ctx, o.CSV, ios, func(w io.Writer) error { return bt.Steps.WriteCSV(w, s.Values, s.Dates) }); err != nil {
			return fmt.Errorf("%s: %w", o.CSV, err)
		}
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
	if err := bt.Overall.WriteText(ios.Out, fmt.Sprintf("All %d folds (%s)", len(bt.Folds), label(bt.Folds[0].Start, len(s.Values)-1))); err != nil || bt.Steps == nil {
		return err
	}
	fmt.Fprintln(ios.Out)
	return bt.Steps.WriteText(ios.Out, bt.Overall.ModelName())
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
		// Notes say what the fold's fit chose or left out: a model that
		// showed no skill, a level it could not size.
		Notes []string `json:"notes,omitempty"`
		forecast.Report
	}
	out := struct {
		Folds   []fold          `json:"folds"`
		Overall forecast.Report `json:"overall"`
		Steps   *forecast.Steps `json:"steps,omitempty"`
	}{Overall: bt.Overall, Steps: bt.Steps}
	for _, f := range bt.Folds {
		j := fold{Start: f.Start, End: f.End, Notes: f.Notes, Report: f.Report}
		if dates != nil {
			j.FirstDate, j.LastDate = dates[f.Start].Format(time.DateOnly), dates[f.End-1].Format(time.DateOnly)
		}
		out.Folds = append(out.Folds, j)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
