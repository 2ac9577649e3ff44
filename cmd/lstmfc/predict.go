package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/lstmfc/lstmfc/internal/forecast"
	"github.com/lstmfc/lstmfc/internal/window"
)

// predictOptions are the inputs of lstmfc predict.
type predictOptions struct {
	Model   string
	Data    string // "" uses the series stored in the model file
	Horizon int
	Out     string
	Format  string
	Quiet   bool
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
	fs.StringVar(&o.Format, "format", "csv", "csv or json")
	fs.BoolVarP(&o.Quiet, "quiet", "q", false, "print no notes on stderr")
	o.dataFlags.register(fs)
	return cmd
}

func runPredict(ctx context.Context, o *predictOptions, ios *streams) error {
	if o.Horizon < 1 {
		return flagErrorf("horizon", "must be at least 1, got %d", o.Horizon)
	}
	if o.Format != "csv" && o.Format != "json" {
		return flagErrorf("format", "must be csv or json, got %q", o.Format)
	}
	if err := checkWritable("out", o.Out); err != nil {
		return err
	}
	t, err := o.table(ctx, ios)
	if err != nil {
		return err
	}
	if err := writeOutput(o.Out, ios, func(w io.Writer) error {
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

// table predicts the chosen series with the model.
func (o *predictOptions) table(ctx context.Context, ios *streams) (*forecast.Table, error) {
	m, meta, err := loadModel(o.Model)
	if err != nil {
		return nil, err
	}
	var (
		prices []float64
		dates  []time.Time
		span   func(int) string
		source = o.Model
	)
	if o.Data != "" {
		s, err := o.load(o.Data, ios, o.Quiet)
		if err != nil {
			return nil, err
		}
		prices, dates, span, source = s.Values, s.Dates, func(int) string { return "data" }, s.Source
	} else {
		var split window.Split
		var ok bool
		prices, dates, split, ok, err = forecast.StoredSeries(meta)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, flagErrorf("data", "%s holds no training series; pass the prices to predict with --data FILE", o.Model)
		}
		span = split.Span
	}
	t, err := m.Table(ctx, prices, dates, span, o.Horizon)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", source, err)
	}
	return t, nil
}
