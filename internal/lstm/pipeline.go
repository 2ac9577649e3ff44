package lstm

import "sync/atomic"

// chunkSteps is the number of time steps whose products with a layer's
// input weights are computed at once: the layer's input projection in the
// forward pass and its gradient from the layer above in the backward pass.
// Four rows are a whole block of the assembly kernel, and a layer that
// waits for the chunk of another trails it by no more than four steps.
const chunkSteps = 4

// progress is a count of time steps finished by one layer, published to
// the layer that follows it in a pass. The follower first spins while it
// waits, as a step of a layer takes microseconds, too short to park a
// goroutine; if the steps are late (the machine is busy, or the layer
// runs on the same thread), it sleeps until the next publish.
type progress struct {
	steps    atomic.Int64
	sleeping atomic.Bool
	wake     chan struct{} // capacity 1: a token means steps may have grown
}

// waitSpins is how many times wait checks the count before it sleeps:
// about 50 µs, longer than one layer's lag behind another in a pass.
const waitSpins = 200000

// newProgress returns a count of no steps.
func newProgress() progress { return progress{wake: make(chan struct{}, 1)} }

// publish makes the first n steps (in the pass's order) visible to wait.
func (p *progress) publish(n int) {
	p.steps.Store(int64(n))
	if p.sleeping.Load() {
		select {
		case p.wake <- struct{}{}:
		default:
		}
	}
}

// wait returns once at least n steps are published. Either wait sees the
// count that publish stored, or publish sees that wait is sleeping and
// wakes it.
func (p *progress) wait(n int) {
	for range waitSpins {
		if p.steps.Load() >= int64(n) {
			return
		}
	}
	for {
		p.sleeping.Store(true)
		if p.steps.Load() >= int64(n) {
			p.sleeping.Store(false)
			return
		}
		<-p.wake
	}
}
