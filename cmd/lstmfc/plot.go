package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"

	"github.com/spf13/cobra"

	"github.com/lstmfc/lstmfc/internal/forecast"
	"github.com/lstmfc/lstmfc/internal/plot"
	"github.com/lstmfc/lstmfc/internal/userfile"
)

// plotOptions are the inputs of lstmfc plot.
type plotOptions struct {
	Predictions string
	Out         string
	Title       string
	Labels      map[string]string
	Lang        string
	Font        string
	Width       float64
	Height      float64
	DPI         int
	Last        int // show only the last rows of the series (and the forecast)
	Zoom        int // rows of the series in the zoomed panel; -1 chooses

	Quiet   bool
	predict predictOptions // --model with --data: predict and plot in one go
}

func newPlotCmd(ios *streams) *cobra.Command {
	o := &plotOptions{}
	cmd := &cobra.Command{
		Use:   "plot [FILE|-]",
		Short: "Draw actual against predicted prices",
		Long: `Plot draws actual prices (blue) against one-step predictions (red), with the
validation and test spans shaded, and the forecast dashed past the last value
with its prediction intervals. The format follows --out: .png, .svg or .pdf.

It reads FILE (or --predictions), a predictions file written by lstmfc
predict in CSV or JSON, or predicts first when given --model: then FILE (or
--data) is the price CSV, and with neither it uses the series stored in the
model.`,
		Example: `  lstmfc plot predictions.csv --out chart.png
  lstmfc plot predictions.json --out chart.svg
  lstmfc plot --model m.bin prices.csv --out chart.svg
  lstmfc plot --lang zh --out chart.png
  lstmfc plot --title "AAPL, daily" --labels actual=Close,predicted=LSTM,y=USD`,
		Args:              cobra.MaximumNArgs(1),
		ValidArgsFunction: fileArgs(append(tableExts, "txt")...),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.predict.Quiet = o.Quiet
			if len(args) == 1 {
				flag, p := "predictions", &o.Predictions
				if cmd.Flags().Changed("model") {
					flag, p = "data", &o.predict.Data
				}
				if cmd.Flags().Changed(flag) {
					return flagErrorf(flag, "names the file a second time; give FILE or --%s, not both", flag)
				}
				*p = args[0]
			}
			if cmd.Flags().Changed("data") && !cmd.Flags().Changed("model") {
				return flagErrorf("data", "needs --model to predict with")
			}
			if !cmd.Flags().Changed("model") {
				o.predict.Model = ""
			}
			return runPlot(cmd.Context(), o, ios)
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&o.Predictions, "predictions", "predictions.csv", "predictions file (CSV or JSON) written by lstmfc predict (- for standard input), as FILE")
	fs.StringVar(&o.Out, "out", "chart.png", "the chart file: .png, .svg or .pdf")
	fs.StringVar(&o.Title, "title", "", "chart title")
	o.Labels = map[string]string{}
	fs.Var(&labelsValue{o.Labels}, "labels", "text of other labels: actual=,predicted=,forecast=,x=,y=")
	enumFlag(cmd, &o.Lang, "lang", "en", []string{"en", "zh"}, "preset labels: en, or zh (the tutorial's Chinese labels)")
	fs.StringVar(&o.Font, "font", "", "font file (.ttf, .otf, .ttc) for the text; default: built-in, or a system CJK font when needed")
	fs.Float64Var(&o.Width, "width", 10, "width in inches")
	fs.Float64Var(&o.Height, "height", 6, "height in inches")
	fs.IntVar(&o.DPI, "dpi", 0, "dots per inch of a PNG (default: sharp on a laptop screen)")
	fs.IntVar(&o.Last, "last", 0, "show only the last N values of the series before the forecast (0: all)")
	fs.IntVar(&o.Zoom, "zoom", -1, "values of the series in a zoomed panel below the chart, with the forecast (0: no panel; default: 6 per forecast step, at least 60, when the chart shows three times as many)")
	fs.BoolVarP(&o.Quiet, "quiet", "q", false, "print no notes on stderr")
	fs.StringVar(&o.predict.Model, "model", "", "predict with this model file instead of reading --predictions")
	fs.StringVar(&o.predict.Data, "data", "", "with --model: the price CSV to predict, as FILE")
	fs.IntVar(&o.predict.Horizon, "horizon", 10, "with --model: steps to forecast")
	o.predict.register(cmd)
	fileFlag(cmd, "predictions", tableExts...)
	fileFlag(cmd, "out", chartExts...)
	fileFlag(cmd, "font", fontExts...)
	fileFlag(cmd, "model", modelExts...)
	fileFlag(cmd, "data", seriesExts...)
	return cmd
}

func runPlot(ctx context.Context, o *plotOptions, ios *streams) error {
	format, err := plot.FormatFor(o.Out)
	if err != nil {
		return flagErrorf("out", "%v", err)
	}
	if !(o.Width > 0) || !(o.Height > 0) {
		return flagErrorf("width", "width and height must be positive, got %g x %g", o.Width, o.Height)
	}
	if o.DPI < 0 {
		return flagErrorf("dpi", "must be positive, got %d", o.DPI)
	}
	if o.Last < 0 {
		return flagErrorf("last", "must be 0 (all) or positive, got %d", o.Last)
	}
	if o.Zoom < -1 {
		return flagErrorf("zoom", "must be 0 (no panel) or positive, got %d", o.Zoom)
	}
	opt, err := o.options()
	if err != nil {
		return err
	}
	if o.Font != "" {
		if _, err := os.Stat(o.Font); err != nil {
			return flagErrorf("font", "cannot read font file: %v", unwrapPath(err))
		}
	}
	if err := checkWritable("out", o.Out, o.Predictions, o.predict.Model, o.predict.Data, o.Font); err != nil {
		return err
	}
	var t *forecast.Table
	if o.predict.Model != "" {
		if err := checkHorizon(o.predict.Horizon); err != nil {
			return err
		}
		t, err = o.predict.table(ctx, ios)
	} else {
		t, err = readTable(ctx, o.Predictions, ios)
	}
	if err != nil {
		return err
	}
	t = t.Tail(o.Last)
	opt.Zoom = o.zoom(t)
	split := make([]string, t.Len())
	for i, s := range t.Split {
		split[i] = string(s)
	}
	d := plot.Data{Dates: t.Dates, First: t.First, Actual: t.Actual, Predicted: t.Predicted, Split: split}
	for _, b := range t.Bands {
		d.Bands = append(d.Bands, forecastBand(b, t.Split))
	}
	// Drawn in memory first: a problem with the data is not a write error,
	// and the file is only written whole.
	var chart bytes.Buffer
	if err := plot.Write(&chart, format, d, opt); err != nil {
		return fmt.Errorf("%s: %w", o.source(), err)
	}
	if err := writeOutput(ctx, o.Out, ios, func(w io.Writer) error { _, err := chart.WriteTo(w); return err }); err != nil {
		return err
	}
	if !o.Quiet {
		fmt.Fprintf(ios.Err, "wrote %s\n", o.Out)
	}
	return nil
}

// zoom returns the number of values the zoomed panel shows: --zoom when
// given; otherwise, when t has a forecast, six values per forecast step and
// at least 60, so that the forecast takes about a seventh of the panel,
// unless the chart shows fewer than three times as many values, where the
// forecast already reads.
func (o *plotOptions) zoom(t *forecast.Table) int {
	if o.Zoom >= 0 {
		return o.Zoom
	}
	steps := t.Future().Len()
	n := max(60, 6*steps)
	if steps == 0 || t.Len()-steps < 3*n {
		return 0
	}
	return n
}

// source names what the chart's data came from, for errors.
func (o *plotOptions) source() string {
	if o.predict.Model == "" {
		return o.Predictions
	}
	if o.predict.Data != "" {
		return o.predict.Data
	}
	return o.predict.Model
}

// options turns the flags into chart options: the language preset, then
// the title and labels given one by one.
func (o *plotOptions) options() (plot.Options, error) {
	opt, err := plot.Preset(o.Lang)
	if err != nil {
		return opt, flagErrorf("lang", "%v", err)
	}
	if o.Title != "" {
		opt.Title = o.Title
	}
	for k, v := range o.Labels {
		switch k {
		case "actual":
			opt.ActualLabel = v
		case "predicted":
			opt.PredictedLabel = v
		case "forecast":
			opt.ForecastLabel = v
		case "x":
			opt.XLabel = v
		case "y":
			opt.YLabel = v
		default:
			return opt, flagErrorf("labels", "unknown label %q; known: actual, predicted, forecast, x, y", k)
		}
	}
	opt.Width, opt.Height, opt.DPI, opt.Font = o.Width, o.Height, o.DPI, o.Font
	return opt, nil
}

// readTable reads a predictions file, CSV or JSON ("-" is standard input).
func readTable(ctx context.Context, path string, ios *streams) (*forecast.Table, error) {
	var b []byte
	var err error
	if path == "-" {
		b, err = userfile.ReadAll(ctx, ios.In, "stdin", userfile.MaxTableBytes)
	} else {
		b, err = userfile.ReadFile(ctx, path, userfile.MaxTableBytes)
	}
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("cannot read predictions: %v (run lstmfc predict first, or pass --model)", err)
	}
	if err != nil {
		return nil, err
	}
	name := path
	if path == "-" {
		name = "stdin"
	}
	return forecast.ReadTable(bytes.NewReader(b), name)
}

// forecastBand keeps an interval's bounds on the forecast rows only: drawn
// around every one-step prediction of a long series, bands bury the lines.
func forecastBand(b forecast.TableBand, split []forecast.Span) plot.Band {
	p := plot.Band{Level: b.Level, Lo: make([]float64, len(split)), Hi: make([]float64, len(split))}
	for i, s := range split {
		p.Lo[i], p.Hi[i] = math.NaN(), math.NaN()
		if s == forecast.SpanForecast {
			p.Lo[i], p.Hi[i] = b.Lo[i], b.Hi[i]
		}
	}
	return p
}
