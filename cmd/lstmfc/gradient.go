package main

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/lstmfc/lstmfc/internal/forecast"
	"github.com/lstmfc/lstmfc/internal/plot"
)

// gradientOptions are the inputs of lstmfc gradient.
type gradientOptions struct {
	Models  []string
	Data    string // "" uses the series stored in each model file
	Out     string
	Chart   string  // "" draws no chart
	Initial bool    // also each model's initial weights
	Seed    *uint64 // the initial weights' seed; nil: each model's own
	Quiet   bool
	dataFlags
}

func newGradientCmd(ios *streams) *cobra.Command {
	o := &gradientOptions{}
	cmd := &cobra.Command{
		Use:   "gradient --model FILE [--model FILE ...]",
		Short: "How strongly each model's prediction depends on each lag",
		Long: `Gradient measures, for each model, the mean over every window of a series of
the absolute gradient of the prediction with respect to the input k steps
before it, for k = 1 to the lookback, in the model's scaled units. Training
can only teach a dependency on lag k through this gradient: where it falls by
orders of magnitude, the values that far back are beyond the model's reach,
the vanishing gradient that the LSTM's gates were designed against.

It writes a CSV (lag, then one column per model) and, with --chart, draws the
models on one chart with a logarithmic y axis. --initial adds each model
before training: the same cell and shape with the initial weights that its
training run started from, or those of --seed.
The series is --data, or each model's stored training series.`,
		Example: `  lstmfc gradient --model rnn.bin --model gru.bin --model lstm.bin --chart grad.png
  lstmfc gradient --model m.bin --initial --data prices.csv --out - --quiet`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runGradient(cmd.Context(), o, ios)
		},
	}
	fs := cmd.Flags()
	fs.StringArrayVar(&o.Models, "model", nil, "model file written by lstmfc train; repeat for several models")
	fs.StringVar(&o.Data, "data", "", "price CSV (- for standard input); default: each model's stored series")
	fs.StringVar(&o.Out, "out", "gradient.csv", "where to write the CSV (- for standard output)")
	fs.StringVar(&o.Chart, "chart", "", "where to draw the chart (.png, .svg or .pdf); default: no chart")
	fs.BoolVar(&o.Initial, "initial", false, "also measure each model with its initial (untrained) weights")
	fs.Var(optionalSeed{&o.Seed}, "seed", "with --initial: seed of the initial weights (train's --seed); default: the seed each model was trained with")
	fs.BoolVarP(&o.Quiet, "quiet", "q", false, "print no notes on stderr")
	o.dataFlags.register(cmd)
	fileFlag(cmd, "model", modelExts...)
	fileFlag(cmd, "data", seriesExts...)
	fileFlag(cmd, "out", "csv")
	fileFlag(cmd, "chart", chartExts...)
	return cmd
}

func runGradient(ctx context.Context, o *gradientOptions, ios *streams) error {
	if len(o.Models) == 0 {
		return flagErrorf("model", "needs at least one model file")
	}
	inputs := append([]string{o.Data}, o.Models...)
	if err := checkWritable("out", o.Out, inputs...); err != nil {
		return err
	}
	format := ""
	if o.Chart != "" {
		var err error
		if format, err = plot.FormatFor(o.Chart); err != nil {
			return flagErrorf("chart", "%v", err)
		}
		if err := checkWritable("chart", o.Chart, append(inputs, o.Out)...); err != nil {
			return err
		}
	}
	var lines []plot.Line
	for _, path := range o.Models {
		l, err := o.measure(ctx, path, ios)
		if err != nil {
			return err
		}
		lines = append(lines, l...)
	}
	if err := writeOutput(ctx, o.Out, ios, func(w io.Writer) error { return writeGradientCSV(w, lines) }); err != nil {
		return err
	}
	if o.Chart != "" {
		if err := writeOutput(ctx, o.Chart, ios, func(w io.Writer) error {
			return plot.WriteLogLines(w, format, lines, "Gradient of the prediction by lag", "lag (steps before the value predicted)", "mean |dŷ/dx|", 8, 5)
		}); err != nil {
			return err
		}
	}
	if !o.Quiet {
		for _, l := range lines {
			last := l.Y[len(l.Y)-1]
			fmt.Fprintf(ios.Err, "%s: lag 1 %.3g, lag %d %.3g (%.2g of lag 1)\n", l.Name, l.Y[0], len(l.Y), last, last/l.Y[0])
		}
	}
	return nil
}

// measure returns the gradient by lag of the model at path, and with
// --initial of its initial weights, named after the file.
func (o *gradientOptions) measure(ctx context.Context, path string, ios *streams) ([]plot.Line, error) {
	m, err := forecast.Load(ctx, path)
	if err != nil {
		return nil, err
	}
	s := m.Series
	if o.Data != "" {
		if s, err = o.load(ctx, o.Data, ios, o.Quiet); err != nil {
			return nil, err
		}
	} else if s == nil {
		return nil, flagErrorf("data", "%s holds no training series; pass the prices with --data FILE", path)
	}
	name := filepath.Base(path)
	g, err := m.LagGradient(ctx, s.Values)
	if err != nil {
		return nil, fmt.Errorf("%s on %s: %w", path, s.Source, err)
	}
	lines := []plot.Line{{Name: name, Y: g}}
	if o.Initial {
		seed := m.Seed
		if o.Seed != nil {
			seed = *o.Seed
		} else if !m.HasSeed {
			return nil, flagErrorf("seed", "%s does not record the seed it was trained with; give one for --initial", path)
		}
		init, err := m.Initial(seed)
		if err != nil {
			return nil, err
		}
		g, err := init.LagGradient(ctx, s.Values)
		if err != nil {
			return nil, fmt.Errorf("%s on %s: %w", path, s.Source, err)
		}
		lines = append(lines, plot.Line{Name: name + " initial", Y: g})
	}
	return lines, nil
}

// optionalSeed is a seed flag that stays unset, nil, until it is given:
// without --seed, gradient takes the seed each model records.
type optionalSeed struct{ p **uint64 }

func (s optionalSeed) String() string {
	if s.p == nil || *s.p == nil {
		return ""
	}
	return strconv.FormatUint(**s.p, 10)
}

// Type is "uint", as for train's --seed, in --help.
func (s optionalSeed) Type() string { return "uint" }

func (s optionalSeed) Set(v string) error {
	n, err := strconv.ParseUint(v, 0, 64)
	if err != nil {
		return fmt.Errorf("must be a whole number from 0 to %d", uint64(math.MaxUint64))
	}
	*s.p = &n
	return nil
}

// writeGradientCSV writes one row per lag, 1 to the longest lookback, and
// one column per line, empty past a shorter lookback.
func writeGradientCSV(w io.Writer, lines []plot.Line) error {
	cw := csv.NewWriter(w)
	header := []string{"lag"}
	rows := 0
	for _, l := range lines {
		header = append(header, l.Name)
		rows = max(rows, len(l.Y))
	}
	cw.Write(header)
	for k := range rows {
		row := []string{strconv.Itoa(k + 1)}
		for _, l := range lines {
			v := ""
			if k < len(l.Y) {
				v = strconv.FormatFloat(l.Y[k], 'g', -1, 64)
			}
			row = append(row, v)
		}
		cw.Write(row)
	}
	cw.Flush()
	return cw.Error()
}
