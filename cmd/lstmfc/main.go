// Command lstmfc forecasts a daily price series with a stacked LSTM: train
// a model on a CSV, predict with it, and plot actual against predicted.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
	"time"

	"golang.org/x/term"

	"github.com/lstmfc/lstmfc/internal/atomicfile"
)

// exitGrace bounds the wait, after a second signal, for the run to return:
// its writes stop and remove their temporary files at once, but a sync may
// hold the goroutine that runs them.
const exitGrace = 2 * time.Second

func main() {
	ios := &streams{In: os.Stdin, Out: os.Stdout, Err: os.Stderr, ErrIsTerminal: term.IsTerminal(int(os.Stderr.Fd()))}
	// A first signal cancels the run. What the run saves after it uses
	// atomicfile.Detach's context, which only a second signal cancels, so an
	// interrupted run still writes its model and a second signal still
	// leaves no temporary file. Signals stay caught throughout: an
	// uncaught one would end the process in the middle of a write.
	abortCtx, abort := context.WithCancelCause(context.Background())
	ctx, stop := context.WithCancelCause(abortCtx)
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	code := make(chan int, 1)
	go func() { code <- execute(atomicfile.WithAbort(ctx, abortCtx), os.Args[1:], ios) }()
	select {
	case c := <-code:
		os.Exit(c)
	case s := <-sigs:
		stop(interrupted{s.(syscall.Signal)})
	}
	var second interrupted
	select {
	case c := <-code:
		os.Exit(c)
	case s := <-sigs:
		second = interrupted{s.(syscall.Signal)}
		abort(second)
	}
	select {
	case c := <-code:
		os.Exit(c)
	case <-time.After(exitGrace):
		os.Exit(second.exitCode())
	}
}
