package lstm

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestClipNorm(t *testing.T) {
	g := []float64{3, 4}
	if n := clipNorm(g, 10); n != 5 || g[0] != 3 || g[1] != 4 {
		t.Errorf("norm %v, clipped to %v with a threshold above the norm; want 5, unchanged", n, g)
	}
	clipNorm(g, 1)
	// torch.nn.utils.clip_grad_norm_ scales by max_norm/(norm+1e-6).
	coef := 1 / (5 + 1e-6)
	if g[0] != 3*coef || g[1] != 4*coef {
		t.Errorf("clipped to %v, want %v", g, []float64{3 * coef, 4 * coef})
	}
	if n := math.Hypot(g[0], g[1]); n > 1 {
		t.Errorf("norm after clipping is %v, above 1", n)
	}
}

// TestAdamKernelMatchesGo checks that the AVX update is bit-identical to
// the Go loop, over a length that leaves a tail for the loop, through
// several steps so that the moments differ from the gradients.
func TestAdamKernelMatchesGo(t *testing.T) {
	if !haveKernels() {
		t.Skip("the CPU does not run the AVX2/FMA kernels")
	}
	const n = 39
	rng := rand.New(rand.NewPCG(3, 4))
	p := make([]float64, n)
	for i := range p {
		p[i] = rng.NormFloat64()
	}
	p0, pGo := slices.Clone(p), slices.Clone(p)
	fast, slow := newAdam(n, 1e-3, 0.9, 0.999, 1e-8), newAdam(n, 1e-3, 0.9, 0.999, 1e-8)
	slow.fast = false
	g := make([]float64, n)
	for range 3 {
		for i := range g {
			g[i] = rng.NormFloat64() * math.Pow(10, float64(rng.IntN(9)-6))
		}
		fast.next()
		slow.next()
		fast.apply(p, g, 0, n)
		slow.apply(pGo, g, 0, n)
	}
	if !slices.Equal(p, pGo) || !slices.Equal(fast.m, slow.m) || !slices.Equal(fast.v, slow.v) {
		t.Errorf("AVX update differs from the Go loop:\nparams %v\nwant   %v", p, pGo)
	}
	for i := range p {
		if p[i] == p0[i] {
			t.Errorf("parameter %d not updated", i)
		}
	}
}
