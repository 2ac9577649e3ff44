package fleet

import (
	"context"
	"runtime"
)

// Run calls work(ctx, i) for each i in [0, n) on jobs goroutines (all CPUs
// when jobs < 1), starting them in the order start gives (a permutation of
// [0, n); nil for index order), and hands each result to emit in index
// order, whatever order they finish in, so that output does not depend on
// scheduling. Starting the longest calls first keeps a worker from being
// left with one long call after the others are done.
// progress, when not nil, is called after each result with how many have
// finished. Both callbacks run on the caller's goroutine, one at a time.
// work must stop soon when ctx is done; Run returns once every call has
// returned.
func Run[T any](ctx context.Context, n, jobs int, start []int, work func(ctx context.Context, i int) T, progress func(done int), emit func(i int, r T)) {
	if jobs < 1 {
		jobs = runtime.NumCPU()
	}
	jobs = min(jobs, n)
	type result struct {
		i int
		r T
	}
	next := make(chan int)
	results := make(chan result)
	for range jobs {
		go func() {
			for i := range next {
				results <- result{i, work(ctx, i)}
			}
		}()
	}
	go func() {
		for k := range n {
			if start != nil {
				next <- start[k]
			} else {
				next <- k
			}
		}
		close(next)
	}()
	held := make(map[int]T)
	emitted := 0
	for done := 1; done <= n; done++ {
		res := <-results
		if progress != nil {
			progress(done)
		}
		held[res.i] = res.r
		for {
			r, ok := held[emitted]
			if !ok {
				break
			}
			delete(held, emitted)
			emit(emitted, r)
			emitted++
		}
	}
}
