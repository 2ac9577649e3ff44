package main

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/lstmfc/lstmfc/internal/forecast"
)

// predictOptions are the inputs of lstmfc predict.
type predictOptions struct {
	Model   string
	Data    string // "" uses the series stored in the model file
	Horizon int
	Out     string
	Format  string
	Quiet   bool
	// AllowUnfinished uses a model that holds its initial weights.
	AllowUnfinished bool
	dataFlags
}

func newPredictCmd(ios *streams) *cobra.Command {
	o := &predictOptions{}
	cmd := &cobra.Command{
		Use:   "predict",
		Short: "Predict every value one step ahead and forecast past the end",
		Long: `Predict writes one row for every value of the series in date order, with the
model's one-step prediction of it from the lookback values before it, then
one row per step of a recursive forecast past the last value (dated on
business days when the series has dates). Columns: date, actual, predicted,
split (train, validation, test, data or forecast), then loNN,hiNN interval
bounds when the model has them.

With no --data it uses the series the model was trained on.`,
		Example: `  lstmfc predict --model m.bin --horizon 20
  lstmfc predict --model m.bin --data newer.csv --out - --format json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runPredict(cmd.Context(), o, ios) },
	}
	fs := cmd.Flags()
	fs.StringVar(&o.Model, "model", "m.bin", "model file written by lstmfc train (or any file in its format)")
	fs.StringVar(&o.Data, "data", "", "price CSV to predict (- for standard input); default: the series stored in the model")
	fs.IntVar(&o.Horizon, "horizon", 10, "steps to forecast past the last value")
	fs.StringVar(&o.Out, "out", "predictions.csv", "where to write the predictions (- for standard output)")
	enumFlag(cmd, &o.Format, "format", "csv", []string{"csv", "json"}, "csv or json")
	fs.BoolVarP(&o.Quiet, "quiet", "q", false, "print no notes on stderr")
	o.register(cmd)
	return cmd
}

// register defines the flags predict shares with plot --model, other than
// --model, --data and --horizon, whose help differs.
func (o *predictOptions) register(cmd *cobra.Command) {
	cmd.Flags().BoolVar(&o.AllowUnfinished, "allow-unfinished", false, "use a model that holds its initial weights (its run stopped before the first epoch ended)")
	o.dataFlags.register(cmd)
}

// checkHorizon refuses a --horizon outside [1, forecast.MaxHorizon].
func checkHorizon(h int) error {
	switch {
	case h < 1:
		return flagErrorf("horizon", "must be at least 1, got %d", h)
	case h > forecast.MaxHorizon:
		return flagErrorf("horizon", "must be at most %d, got %d", forecast.MaxHorizon, h)
	}
	return nil
}

func runPredict(ctx context.Context, o *predictOptions, ios *streams) error {
	if err := checkHorizon(o.Horizon); err != nil {
		return err
	}
	if err := checkWritable("out", o.Out, o.Model, o.Data); err != nil {
		return err
	}
	t, err := o.table(ctx, ios)
	if err != nil {
		return err
	}
	if err := writeOutput(ctx, o.Out, ios, func(w io.Writer) error {
		if o.Format == "json" {
			return t.WriteJSON(w)
		}
		return t.WriteCSV(w)
	}); err != nil {
		return err
	}
	if !o.Quiet && o.Out != "-" {
		fmt.Fprintf(ios.Err, "wrote %s: %d rows, %d forecast\n", o.Out, t.Len(), o.Horizon)
	}
	return nil
}

// table predicts the chosen series with the model. Rows of --data that are
// values of the model's own training series keep their spans. Warnings
// (an unfinished run, prices far outside a price model's range) go to
// stderr whatever --quiet says: they are about the result, not progress.
func (o *predictOptions) table(ctx context.Context, ios *streams) (*forecast.Table, error) {
	m, err := forecast.Load(ctx, o.Model)
	if err != nil {
		return nil, err
	}
	warning, err := m.CheckFinished()
	switch {
	case err != nil && !o.AllowUnfinished:
		return nil, fmt.Errorf("%s: %w; pass --allow-unfinished to use it anyway", o.Model, err)
	case err != nil:
		warning = "warning: " + err.Error()
	}
	if warning != "" {
		fmt.Fprintf(ios.Err, "%s: %s\n", o.Model, warning)
	}
	s, split := m.Series, &m.Split
	if o.Data != "" {
		if s, err = o.load(ctx, o.Data, ios, o.Quiet); err != nil {
			return nil, err
		}
		split = nil // labelled below from the stored series
		if w := m.RangeWarning(s.Values); w != "" {
			fmt.Fprintf(ios.Err, "%s: %s\n", s.Source, w)
		}
	} else if s == nil {
		return nil, flagErrorf("data", "%s holds no training series; pass the prices to predict with --data FILE", o.Model)
	}
	t, err := m.Table(ctx, s.Values, s.Dates, split, o.Horizon)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", s.Source, err)
	}
	if split == nil {
		copy(t.Split, m.Spans(s))
	}
	return t, nil
}
