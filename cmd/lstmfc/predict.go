package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/lstmfc/lstmfc/internal/forecast"
	"github.com/lstmfc/lstmfc/internal/series"
	"github.com/lstmfc/lstmfc/internal/userfile"
)

// predictOptions are the inputs of lstmfc predict.
type predictOptions struct {
	Model   string
	Data    string // "" uses the series stored in the model file
	Horizon int
	Out     string
	Format  string // "" follows Out's extension
	Quiet   bool
	// ForecastOnly writes only the rows past the last value.
	ForecastOnly bool
	// AllowUnfinished uses a model that holds its initial weights.
	AllowUnfinished bool
	// Holidays names a file of dates the forecast skips.
	Holidays string
	dataFlags
	manyFlags
}

func newPredictCmd(ios *streams) *cobra.Command {
	o := &predictOptions{}
	cmd := &cobra.Command{
		Use:   "predict [FILE|DIR...|-]",
		Short: "Predict every value one step ahead and forecast past the end",
		Long: `Predict writes one row for every value of the series in date order, with the
model's one-step prediction of it from the lookback values before it, then
one row per step of a forecast past the last value. A direct model of H
steps (train --horizon H, or a PyTorch export whose dense head has H
outputs) forecasts steps 1..H in one pass from the last window; a longer
--horizon chains blocks of H steps, each from the window ending with the
forecasts before it, and says so on stderr. A recursive model (or one of one
output) feeds each step back as the next input. Intervals of the steps the
model measured on its validation span are that step's own; past them they
widen with the square root of the steps, as a random walk's would. Columns: date,
actual, predicted, split (train, validation, test, data or forecast), then
loNN,hiNN interval bounds when the model has them. --forecast-only writes the
forecast rows alone, for pipelines.

Forecast dates follow the series' own calendar: every day when it has
weekend dates, business days (Monday to Friday) when it has none, weekly or
monthly when its dates are. No exchange's holiday calendar is built in:
--holidays FILE lists the dates (YYYY-MM-DD, one a line) the forecast
skips; without it a business-day forecast is dated on holidays too. A
note on stderr says when
the dates are not daily or their steps are irregular.

FILE (or --data) is the price CSV to predict; with neither, predict uses the
series the model was trained on. The output format follows the --out file's
extension (.json or .csv) unless --format says otherwise.`,
		Example: `  lstmfc predict --model m.bin --horizon 20
  lstmfc predict --model m.bin newer.csv --out predictions.json
  lstmfc predict --model m.bin --forecast-only --out - --format json`,
		Args:              cobra.ArbitraryArgs,
		ValidArgsFunction: fileArgs(seriesExts...),
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.many(args) {
				if err := refuseWithMany(cmd, "model", "out", "data"); err != nil {
					return err
				}
				return runPredictMany(cmd.Context(), o, args, ios)
			}
			if len(args) == 1 {
				if cmd.Flags().Changed("data") {
					return flagErrorf("data", "names the series a second time; give FILE or --data, not both")
				}
				o.Data = args[0]
			}
			return runPredict(cmd.Context(), o, ios)
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&o.Model, "model", "m.bin", "model file written by lstmfc train (or any file in its format)")
	fs.StringVar(&o.Data, "data", "", "price CSV to predict (- for standard input), as FILE; default: the series stored in the model")
	fs.IntVar(&o.Horizon, "horizon", 10, "steps to forecast past the last value")
	fs.StringVar(&o.Out, "out", "predictions.csv", "where to write the predictions (- for standard output)")
	enumFlag(cmd, &o.Format, "format", "", tableFormats, "csv or json (default: the --out file's extension, else csv)")
	fs.BoolVar(&o.ForecastOnly, "forecast-only", false, "write only the forecast rows, past the last value")
	fs.BoolVarP(&o.Quiet, "quiet", "q", false, "print no notes on stderr")
	o.register(cmd)
	fileFlag(cmd, "model", modelExts...)
	fileFlag(cmd, "data", seriesExts...)
	fileFlag(cmd, "out", tableExts...)
	o.manyFlags.register(cmd)
	return cmd
}

// tableFormats are the formats of a predictions file.
var tableFormats = []string{"csv", "json"}

// tableFormat returns the format of the predictions file path: format when
// given, else the file's extension when it names one, else csv.
func tableFormat(path, format string) string {
	if format != "" {
		return format
	}
	if strings.EqualFold(filepath.Ext(path), ".json") {
		return "json"
	}
	return "csv"
}

// register defines the flags predict shares with plot --model, other than
// --model, --data and --horizon, whose help differs.
func (o *predictOptions) register(cmd *cobra.Command) {
	cmd.Flags().BoolVar(&o.AllowUnfinished, "allow-unfinished", false, "use a model that holds its initial weights (its run stopped before the first epoch ended)")
	cmd.Flags().StringVar(&o.Holidays, "holidays", "", "file of dates (YYYY-MM-DD, one a line, # comments) on which the forecast's market is closed; forecast rows skip them")
	fileFlag(cmd, "holidays", "txt", "csv")
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
	if err := checkWritable("out", o.Out, o.Model, o.Data, o.Holidays); err != nil {
		return err
	}
	t, err := o.table(ctx, ios)
	if err != nil {
		return err
	}
	if o.ForecastOnly {
		t = t.Future()
	}
	if err := writeOutput(ctx, o.Out, ios, func(w io.Writer) error {
		if tableFormat(o.Out, o.Format) == "json" {
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
	if note := m.Moves.Note(); note != "" && !o.Quiet {
		fmt.Fprintf(ios.Err, "%s: %s\n", o.Model, note)
	}
	s, split := m.Series, &m.Split
	model := m.Model
	// The model learned the prices of one column; the default pick of
	// another file (Adj Close, else Close) may be a different one.
	if m.Series != nil {
		o.prefer = m.Series.Column
	}
	switch {
	case o.Data != "" && m.Features != nil:
		// The inputs are computed from the new file as in training, and
		// scaled as in training.
		tab, err := o.loadTable(ctx, o.Data, ios, o.Quiet)
		if err != nil {
			return nil, err
		}
		if model, err = m.On(tab); err != nil {
			return nil, err
		}
		s = &tab.Series
	case o.Data != "":
		if s, err = o.load(ctx, o.Data, ios, o.Quiet); err != nil {
			return nil, err
		}
	case m.Features != nil:
		return nil, flagErrorf("data", "%s takes features (%s) computed from a price file's columns, which the model file does not keep; pass the file with --data FILE", o.Model, m.Features.Features)
	}
	if o.Data != "" {
		split = nil // labelled below from the stored series
		if w := m.RangeWarning(s.Values); w != "" {
			fmt.Fprintf(ios.Err, "%s: %s\n", s.Source, w)
		}
	} else if s == nil {
		return nil, flagErrorf("data", "%s holds no training series; pass the prices to predict with --data FILE", o.Model)
	}
	if h := m.Horizon(); h > 1 && o.Horizon > h && !o.Quiet {
		fmt.Fprintf(ios.Err, "%s: the model forecasts %d steps in one pass; steps %d-%d chain further passes from its own forecasts\n", o.Model, h, h+1, o.Horizon)
	}
	if h := m.Horizon(); m.Features != nil && o.Horizon > h && !o.Quiet {
		fmt.Fprintf(ios.Err, "%s: past step %d the forecast feeds its own returns back as inputs and holds the others, bar the calendar, at their last values\n", o.Model, h)
	}
	o.noteCalendar(s, ios)
	holidays, err := o.holidays(ctx)
	if err != nil {
		return nil, err
	}
	model.Holidays = holidays
	t, err := model.Table(ctx, s.Values, s.Dates, split, o.Horizon)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", s.Source, err)
	}
	t.SkipHolidays(holidays)
	if split == nil {
		copy(t.Split, m.Spans(s))
	}
	return t, nil
}

// noteCalendar tells on stderr how the forecast of s is dated when that is
// not business days, and warns, whatever --quiet says, when the steps
// between its dates are irregular.
func (o *predictOptions) noteCalendar(s *series.Series, ios *streams) {
	if s.Dates == nil {
		return
	}
	c, warning := forecast.CalendarOf(s.Dates)
	switch {
	case warning != "":
		fmt.Fprintf(ios.Err, "%s: %s\n", s.Source, warning)
	case c != forecast.BusinessDays && !o.Quiet:
		fmt.Fprintf(ios.Err, "%s: the series is dated %s, and so is its forecast\n", s.Source, c)
	}
}

// holidays reads the --holidays file, if one is named.
func (o *predictOptions) holidays(ctx context.Context) ([]time.Time, error) {
	if o.Holidays == "" {
		return nil, nil
	}
	b, err := userfile.ReadFile(ctx, o.Holidays, userfile.MaxTableBytes)
	if err != nil {
		return nil, err
	}
	return forecast.ReadHolidays(bytes.NewReader(b), o.Holidays)
}
