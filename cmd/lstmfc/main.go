// Command lstmfc forecasts a daily price series with a stacked LSTM: train
// a model on a CSV, predict with it, and plot actual against predicted.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"golang.org/x/term"
)

func main() {
	ctx, stop := context.WithCancelCause(context.Background())
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		s := <-sigs
		stop(interrupted{s.(syscall.Signal)})
		signal.Stop(sigs) // a second signal ends the process at once
	}()
	ios := &streams{In: os.Stdin, Out: os.Stdout, Err: os.Stderr, ErrIsTerminal: term.IsTerminal(int(os.Stderr.Fd()))}
	os.Exit(execute(ctx, os.Args[1:], ios))
}
