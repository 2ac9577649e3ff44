package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/lstmfc/lstmfc/internal/forecast"
)

// Exit codes.
const (
	exitOK      = 0
	exitFailure = 1 // the run failed: bad data, bad model, numeric trouble
	exitUsage   = 2 // bad flags or arguments
)

// streams are a command's inputs and outputs, so run functions are tested
// without a process.
type streams struct {
	In            io.Reader
	Out, Err      io.Writer
	ErrIsTerminal bool // draw a live progress bar rather than plain lines
}

// usageError is a mistake in the command line; it exits with exitUsage.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// flagErrorf reports a bad value of the named flag.
func flagErrorf(flag, format string, args ...any) error {
	return usageError{"--" + flag + ": " + fmt.Sprintf(format, args...)}
}

// interrupted is the cause of a context cancelled by a signal.
type interrupted struct{ sig syscall.Signal }

func (i interrupted) Error() string {
	name := map[syscall.Signal]string{syscall.SIGINT: "SIGINT", syscall.SIGTERM: "SIGTERM"}[i.sig]
	if name == "" {
		name = i.sig.String()
	}
	return "interrupted by " + name
}

// exitCode is 128 + the signal's number, as shells report.
func (i interrupted) exitCode() int { return 128 + int(i.sig) }

func newRootCmd(ios *streams) *cobra.Command {
	root := &cobra.Command{
		Use:   "lstmfc",
		Short: "Forecast a price series with an LSTM, honestly",
		Long: `lstmfc trains a stacked LSTM on a daily price series (a CSV such as a Yahoo
Finance export), predicts with it, and plots actual against predicted prices.
It scores every model out of sample against the naive forecast (tomorrow =
today), so you can tell skill from an echo of yesterday's price.`,
		Example: `  lstmfc train prices.csv
  lstmfc predict --horizon 20
  lstmfc plot --out chart.png`,
		SilenceErrors: true,
		SilenceUsage:  true,
	}
	root.SetIn(ios.In)
	root.SetOut(ios.Out)
	root.SetErr(ios.Err)
	root.SetFlagErrorFunc(flagError)
	root.AddCommand(newTrainCmd(ios), newPredictCmd(ios), newPlotCmd(ios), newBacktestCmd(ios), newGradientCmd(ios), newSummaryCmd(ios), newVersionCmd(ios))
	strictCompletion(root)
	return root
}

// completionShells are the shells cobra writes completion scripts for.
var completionShells = []string{"bash", "zsh", "fish", "powershell"}

// strictCompletion makes "lstmfc completion SHELL" refuse a shell it has no
// script for with a usage error, as it does an unknown command, rather than
// print its help and succeed.
func strictCompletion(root *cobra.Command) {
	root.InitDefaultCompletionCmd()
	for _, c := range root.Commands() {
		if c.Name() != "completion" {
			continue
		}
		c.Args = cobra.ArbitraryArgs
		c.RunE = func(_ *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usageError{"needs a shell: " + orList(completionShells)}
			}
			return usageError{fmt.Sprintf("no completion for shell %q; lstmfc writes it for %s", args[0], orList(completionShells))}
		}
	}
}

// fileArgs completes a command's file arguments with names ending in one
// of exts, and directories.
func fileArgs(exts ...string) cobra.CompletionFunc {
	return func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return exts, cobra.ShellCompDirectiveFilterFileExt
	}
}

// fileFlag has the shell complete the named flag's value with names ending
// in one of exts, and directories.
func fileFlag(cmd *cobra.Command, name string, exts ...string) {
	if err := cmd.MarkFlagFilename(name, exts...); err != nil {
		panic(err) // only for a flag not defined, which every test would show
	}
}

// File name extensions that shell completion offers.
var (
	seriesExts = []string{"csv", "txt"}
	modelExts  = []string{"bin", "safetensors"}
	tableExts  = []string{"csv", "json"}
	chartExts  = []string{"png", "svg", "pdf"}
	fontExts   = []string{"ttf", "otf", "ttc"}
)

// execute runs the command line args and returns the process's exit code.
// Errors are one line on stderr, prefixed with the program's name.
func execute(ctx context.Context, args []string, ios *streams) int {
	root := newRootCmd(ios)
	root.SetArgs(args)
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return exitOK
	}
	msg := oneLine(err.Error())
	if errors.Is(err, forecast.ErrDiverged) {
		msg += "; try a lower --lr or set --clip"
	}
	var in interrupted
	if errors.As(context.Cause(ctx), &in) {
		// Say which signal stopped the run, not "context canceled".
		msg = strings.ReplaceAll(msg, context.Canceled.Error(), in.Error())
	}
	var ue usageError
	switch {
	case errors.As(err, &ue) || isCobraUsage(err):
		fmt.Fprintf(ios.Err, "%s: %s (see --help)\n", cmd.CommandPath(), msg)
		return exitUsage
	case in.sig != 0:
		fmt.Fprintln(ios.Err, "lstmfc: "+msg)
		return in.exitCode()
	}
	fmt.Fprintln(ios.Err, "lstmfc: "+msg)
	return exitFailure
}

// isCobraUsage recognises cobra's own errors about arguments and commands,
// which it returns as plain errors.
func isCobraUsage(err error) bool {
	s := err.Error()
	return strings.HasPrefix(s, "unknown command") || strings.HasPrefix(s, "accepts ") ||
		strings.HasPrefix(s, "requires ") || strings.HasPrefix(s, "invalid argument")
}

// oneLine keeps an error message to one line, whatever it wraps.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
