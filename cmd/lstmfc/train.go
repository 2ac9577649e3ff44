package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/lstmfc/lstmfc/internal/forecast"
	"github.com/lstmfc/lstmfc/internal/series"
)

// trainOptions are the inputs of lstmfc train.
type trainOptions struct {
	Data      string // CSV path, "-" for stdin, "" for a synthetic series
	Model     string
	TestSplit float64
	Synthetic string // uniform, geometric or longmemory, when Data is ""
	Length    int    // length of the synthetic series
	Quiet     bool
	JSON      bool
	Horizon   int // steps ahead the model is trained and calibrated for
	dataFlags
	fitFlags
	manyFlags
	globalFlags
}

func newTrainCmd(ios *streams) *cobra.Command {
	o := &trainOptions{}
	cmd := &cobra.Command{
		Use:   "train [FILE|DIR...|-]",
		Short: "Train a model on a price series and score it out of sample",
		Long: `Train loads a price series (a CSV file, - for standard input, or with no
file a synthetic series), splits it by time into train, validation and test
spans, fits the scaler on the training span only, trains the network (LSTM,
GRU or plain RNN layers: --cell), keeps the weights with the best validation
loss, and writes the model file.

--horizon H trains for H steps ahead. With --strategy direct (the default)
the network has H outputs, output k the value k steps past its window
(for return and delta targets the cumulative move from the last known
price), trained on all H at once; with --strategy recursive it has one
output, fed back as the next input. Either way the prediction interval of
every step 1..H is measured on forecasts made from the validation span.

--features LIST adds inputs computed from the file's columns and dates (the
high-low range, the opening gap, volume, the calendar, any numeric column),
each scaled on the training span only; the target stays the price's. The
model file keeps the list and the scaling, and predict recomputes the
inputs from the file it is given (see the README's Features section).

It then scores one-step predictions of the test span in price units next to
the naive forecast (tomorrow = today). With --horizon H above 1 it also
forecasts H steps from every value of the test span and scores steps 1, 5,
10, 20 and H next to the naive, drift and seasonal naive forecasts from the
same origins, as backtest --horizon does (--json: "steps", every step).

The loss printed each epoch is the mean squared error of the network's output
in the target's own scaled units, not in price units: with --target price the
price min-max scaled to [0,1] over the training span (--scaler standard: in
training standard deviations); with return or delta the step in units of the
typical training step (the root mean square of the training span's log
returns or price changes), where always predicting no change scores about 1.
"val" is the same measure on the validation span. It can be much larger:
that span comes after the training span, and a price target scaled on the
training range goes far past [0,1] when prices leave that range, as does a
step target when the market turns wilder than it was in training.`,
		Example: `  lstmfc train AAPL.csv
  lstmfc train --column Close --epochs 50 --model aapl.bin AAPL.csv
  # the Keras tutorial exactly: one epoch at batch 1, no held-out data
  lstmfc train --epochs 1 --batch-size 1 --val-split 0 --test-split 0 --target price prices.csv`,
		Args:              cobra.ArbitraryArgs,
		ValidArgsFunction: fileArgs(seriesExts...),
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.many(args) || o.Global {
				if err := refuseWithMany(cmd, "model"); err != nil {
					return err
				}
				return runTrainMany(cmd.Context(), o, args, ios)
			}
			if len(args) == 1 {
				o.Data = args[0]
			}
			return runTrain(cmd.Context(), o, ios)
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&o.Model, "model", "m.bin", "where to write the model file")
	fs.Float64Var(&o.TestSplit, "test-split", 0.1, "fraction of the series, at its end, held out for the final score")
	enumFlag(cmd, &o.Synthetic, "synthetic", "uniform", []string{"uniform", "geometric", "longmemory"}, "with no FILE: uniform (the tutorial's rand(N).cumsum()), geometric random walk, or longmemory (each log return echoes the one 45 steps before)")
	fs.IntVar(&o.Length, "length", 2000, "with no FILE: length of the synthetic series")
	fs.BoolVarP(&o.Quiet, "quiet", "q", false, "print no progress or notes on stderr")
	fs.BoolVar(&o.JSON, "json", false, "print the report as one JSON object on stdout")
	fs.IntVar(&o.Horizon, "horizon", 1, fmt.Sprintf("steps ahead to train for and measure intervals of, 1 to %d", forecast.MaxHorizonOutputs))
	o.dataFlags.register(cmd)
	o.fitFlags.register(cmd)
	o.manyFlags.register(cmd)
	o.globalFlags.register(cmd)
	fileFlag(cmd, "model", modelExts...)
	return cmd
}

// trainReport is the JSON form of train's report.
type trainReport struct {
	Model     string   `json:"model"`
	Source    string   `json:"source"`
	Column    string   `json:"column,omitempty"`
	Values    int      `json:"values"`
	Target    string   `json:"target"`
	Epochs    int      `json:"epochs"`
	BestEpoch int      `json:"best_epoch"`
	TrainLoss float64  `json:"train_loss"`
	ValLoss   *float64 `json:"val_loss"`
	Seconds   float64  `json:"seconds"`
	// Notes say what the fit chose or left out, as on stderr: a model that
	// showed no skill, a level it could not size.
	Notes      []string         `json:"notes,omitempty"`
	Validation *forecast.Report `json:"validation,omitempty"`
	Test       *forecast.Report `json:"test,omitempty"`
	InSample   *forecast.Report `json:"in_sample,omitempty"`
	// Steps scores the test span at every step of a model for more than
	// one, as backtest --horizon's "steps" does.
	Steps *forecast.Steps `json:"steps,omitempty"`
}

// fitConfig checks train's flags and returns the fitting configuration.
func (o *trainOptions) fitConfig() (forecast.Config, error) {
	cfg, err := o.config(o.TestSplit)
	if err != nil {
		return cfg, err
	}
	if o.Horizon < 1 || o.Horizon > forecast.MaxHorizonOutputs {
		return cfg, flagErrorf("horizon", "must be between 1 and %d steps, got %d", forecast.MaxHorizonOutputs, o.Horizon)
	}
	cfg.Horizon = o.Horizon
	return cfg, nil
}

func runTrain(ctx context.Context, o *trainOptions, ios *streams) error {
	cfg, err := o.fitConfig()
	if err != nil {
		return err
	}
	if err := checkWritable("model", o.Model, o.Data); err != nil {
		return err
	}
	out := ios.Out
	if writesTo(o.Model, ios.Out) {
		// The model goes to standard output's file: keep the report out of
		// it. Asked now, as saving replaces the file.
		out = ios.Err
	}
	s, tab, err := o.data(ctx, ios)
	if err != nil {
		return err
	}
	cfg, _, notes, err := cfg.Resolve(s.Values)
	var fe *forecast.FieldError
	if errors.As(err, &fe) {
		return asFlagError(err) // a flag the series cannot take, such as too large a batch
	}
	if err != nil {
		return fmt.Errorf("%s: %w", s.Source, err)
	}
	if !o.Quiet {
		for _, n := range notes {
			fmt.Fprintln(ios.Err, n)
		}
		fmt.Fprintf(ios.Err, "training on %d values of %s: lookback %d, units %s, target %s, up to %d epochs at batch %d\n",
			len(s.Values), s.Source, cfg.Lookback, joinInts(cfg.Units), cfg.Target, cfg.Epochs, cfg.BatchSize)
		if cfg.Horizon > 1 {
			fmt.Fprintf(ios.Err, "horizon %d steps, %s\n", cfg.Horizon, cfg.Strategy)
		}
		if cfg.Features != "" {
			fmt.Fprintf(ios.Err, "features %s\n", cfg.Features)
		}
	}
	start := time.Now()
	progress, done := func(forecast.EpochStats) {}, func() {}
	if !o.Quiet {
		progress, done = newProgress(ios, cfg.Epochs)
	}
	var fit *forecast.Fit
	if tab != nil {
		fit, err = forecast.TrainTable(ctx, tab, cfg, progress)
	} else {
		fit, err = forecast.Train(ctx, s.Values, cfg, progress)
	}
	done()
	if fit == nil {
		return fmt.Errorf("%s: %w", s.Source, err)
	}
	if err != nil {
		if ctx.Err() != nil {
			err = context.Cause(ctx) // say which signal, not "context canceled"
		}
		return saveUnfinished(ctx, o.Model, fit, s, err)
	}
	elapsed := time.Since(start)
	// The report is made before the model is saved, so a run that fails
	// here leaves any earlier model file as it was.
	report, err := newTrainReport(ctx, o, s, fit, elapsed)
	if err != nil && ctx.Err() != nil {
		// Interrupted after training ended: the model is whole and must
		// not be lost to a report nobody waits for.
		cause := context.Cause(ctx)
		if err := fit.Save(ctx, o.Model, s, nil); err != nil {
			return fmt.Errorf("%w; could not save the model: %v", cause, err)
		}
		return fmt.Errorf("%w after training; saved the model to %s without its report", cause, o.Model)
	}
	if err != nil {
		return err
	}
	if err := fit.Save(ctx, o.Model, s, nil); err != nil {
		return err
	}
	if !o.Quiet {
		for _, n := range fit.Notes {
			fmt.Fprintln(ios.Err, n)
		}
		fmt.Fprintf(ios.Err, "wrote %s (best epoch %d of %d) in %s\n", o.Model, fit.Result.BestEpoch, fit.Result.Epochs, formatDuration(elapsed))
	}
	_, err = io.WriteString(out, report)
	return err
}

// maxSyntheticLength bounds --length: ten million prices already take
// minutes an epoch, and a mistyped length should not exhaust memory.
const maxSyntheticLength = 10_000_000

// data loads the data file, or makes the synthetic series, and with
// --features returns it as a table as well, with every numeric column of
// the file (none for a synthetic series); the table is nil without.
func (o *trainOptions) data(ctx context.Context, ios *streams) (*series.Series, *series.Table, error) {
	if o.Features == "" {
		s, err := o.series(ctx, ios)
		return s, nil, err
	}
	if o.Data != "" {
		tab, err := o.loadTable(ctx, o.Data, ios, o.Quiet)
		if err != nil {
			return nil, nil, err
		}
		return &tab.Series, tab, nil
	}
	s, err := o.series(ctx, ios)
	if err != nil {
		return nil, nil, err
	}
	tab := &series.Table{Series: *s}
	return &tab.Series, tab, nil
}

// series loads the data file, or makes the synthetic series.
func (o *trainOptions) series(ctx context.Context, ios *streams) (*series.Series, error) {
	if o.Data != "" {
		return o.load(ctx, o.Data, ios, o.Quiet)
	}
	if o.Length < 2 || o.Length > maxSyntheticLength {
		return nil, flagErrorf("length", "must be between 2 and %d, got %d", maxSyntheticLength, o.Length)
	}
	switch o.Synthetic {
	case "geometric":
		return series.GeometricWalk(o.Length, o.Seed), nil
	case "longmemory":
		return series.LongMemory(o.Length, o.Seed), nil
	}
	return series.RandomWalk(o.Length, o.Seed), nil
}

// saveUnfinished keeps the best weights of a run that did not finish
// (interrupted, or stopped when the loss diverged). It never replaces an
// existing model file with them: that one came from a finished run.
func saveUnfinished(ctx context.Context, path string, fit *forecast.Fit, s *series.Series, cause error) error {
	if fit.Result.BestEpoch == 0 && !errors.Is(cause, forecast.ErrDiverged) {
		return fmt.Errorf("%w before the first epoch ended; no model written", cause)
	}
	if _, err := os.Stat(path); err == nil {
		ext := filepath.Ext(path)
		path = strings.TrimSuffix(path, ext) + ".partial" + ext
	}
	if err := fit.Save(ctx, path, s, cause); err != nil {
		return fmt.Errorf("%w; could not save the best weights so far: %v", cause, err)
	}
	if fit.Result.BestEpoch == 0 {
		return fmt.Errorf("%w; saved the initial weights, the last finite ones, to %s", cause, path)
	}
	return fmt.Errorf("%w; saved the best weights so far (epoch %d) to %s", cause, fit.Result.BestEpoch, path)
}

// newTrainReport scores the fit's held-out spans and returns the report as
// text, or as JSON with --json. Without a test span the text scores the
// validation span, still out of sample, or else the training span, saying
// that this measures no skill.
func newTrainReport(ctx context.Context, o *trainOptions, s *series.Series, fit *forecast.Fit, elapsed time.Duration) (string, error) {
	r := trainReport{
		Model: o.Model, Source: s.Source, Column: s.Column, Values: len(s.Values), Target: string(fit.Enc.Target),
		Epochs: fit.Result.Epochs, BestEpoch: fit.Result.BestEpoch, Seconds: elapsed.Seconds(), Notes: fit.Notes,
	}
	if h := fit.Result.History; len(h) > 0 {
		best := h[max(fit.Result.BestEpoch, 1)-1]
		r.TrainLoss = best.Loss
		if v := best.ValLoss; !math.IsNaN(v) {
			r.ValLoss = &v
		}
	}
	spans, err := fit.Score(ctx, s.Values)
	if err != nil {
		return "", err
	}
	r.Validation, r.Test, r.InSample, r.Steps = spans.Validation, spans.Test, spans.InSample, spans.Steps
	var b strings.Builder
	switch {
	case o.JSON:
		enc := json.NewEncoder(&b)
		enc.SetIndent("", "  ")
		err = enc.Encode(r)
	case r.Test != nil:
		err = r.Test.WriteText(&b, "Test span")
		if err == nil && r.Steps != nil {
			b.WriteString("\nTest span, every step ahead: ")
			err = r.Steps.WriteText(&b, r.Test.ModelName())
		}
	case r.Validation != nil:
		err = r.Validation.WriteText(&b, "Validation span (no test span was held out; the validation span picked the best epoch)")
	default:
		err = r.InSample.WriteText(&b, "Training span, in sample (no test span was held out, so this says nothing about skill)")
	}
	return b.String(), err
}

func joinInts(v []int) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = strconv.Itoa(x)
	}
	return strings.Join(s, ",")
}

// newProgress reports each epoch on stderr: a live bar on a terminal,
// plain lines otherwise (logs, CI).
// done ends the bar, however many epochs ran.
func newProgress(ios *streams, epochs int) (report func(forecast.EpochStats), done func()) {
	var bar *progressbar.ProgressBar
	if ios.ErrIsTerminal {
		bar = progressbar.NewOptions(epochs,
			progressbar.OptionSetWriter(ios.Err),
			progressbar.OptionSetDescription("training"),
			progressbar.OptionShowCount(),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionSetWidth(30),
			progressbar.OptionShowDescriptionAtLineEnd(),
		)
	}
	var spent time.Duration
	report = func(e forecast.EpochStats) {
		spent += e.Elapsed
		left := time.Duration(float64(spent) / float64(e.Epoch) * float64(e.Epochs-e.Epoch))
		val := "-"
		if !math.IsNaN(e.ValLoss) {
			val = fmt.Sprintf("%.6g", e.ValLoss)
		}
		line := fmt.Sprintf("epoch %d/%d  loss %.6g  val %s  %.0f samples/s  %s left", e.Epoch, e.Epochs, e.Loss, val, e.SamplesPerSec, formatDuration(left))
		if e.Best {
			line += "  *best"
		}
		if bar == nil {
			fmt.Fprintln(ios.Err, line)
			return
		}
		bar.Describe(fmt.Sprintf("loss %.4g val %s %.0f/s", e.Loss, val, e.SamplesPerSec))
		bar.Add(1)
	}
	done = func() {
		if bar != nil {
			bar.Exit()
			fmt.Fprintln(ios.Err)
		}
	}
	return report, done
}

// writesTo reports whether the file at path is the file behind w (a model
// saved to /dev/stdout while standard output is the report's), compared by
// identity after following links.
func writesTo(path string, w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	a, err1 := os.Stat(path)
	b, err2 := f.Stat()
	return err1 == nil && err2 == nil && os.SameFile(a, b)
}
