package lstm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// kernelValues returns a generator, seeded by seed, of the kernels' test
// inputs: for every third index a special value, from tiny to far past the
// clamps of the kernels' exp and infinite, otherwise U(-8, 8).
func kernelValues(seed uint64) func(i int) float64 {
	rng := rand.New(rand.NewPCG(seed, seed+1))
	special := []float64{0, math.Copysign(0, -1), 1e-300, -1e-12, 0.5, -3, 19, 36.7, -40, 354, -360, 701, -708, 745, -1e4, math.Inf(1), math.Inf(-1)}
	return func(i int) float64 {
		if i%3 == 0 {
			return special[rng.IntN(len(special))]
		}
		return 8 * (2*rng.Float64() - 1)
	}
}

// TestCellRowKernel compares the AVX2 cell kernel with the plain Go cell on
// layer widths with and without a tail of fewer than four units, with and
// without c_{t-1} (also in place), on pre-activations from tiny to far past
// the clamps of its exp, and checks that a NaN goes through.
func TestCellRowKernel(t *testing.T) {
	if !haveKernels() {
		t.Skip("the CPU lacks AVX2 or FMA")
	}
	value := kernelValues(5)
	for _, H := range []int{1, 3, 4, 5, 9, 50} {
		for _, prev := range []string{"none", "separate", "in place"} {
			name := fmt.Sprintf("H=%d c_{t-1}=%s", H, prev)
			pre := make([]float64, 4*H)
			for i := range pre {
				pre[i] = value(i)
			}
			var cPrev []float64
			if prev != "none" {
				cPrev = make([]float64, H)
				for i := range cPrev {
					cPrev[i] = value(i)
				}
			}
			run := func(fast bool) (z, c, tc, h []float64) {
				z = append([]float64(nil), pre...)
				c, tc, h = make([]float64, H), make([]float64, H), make([]float64, H)
				cp := cPrev
				if prev == "in place" {
					copy(c, cPrev)
					cp = c
				}
				cellRow(fast, z, cp, c, tc, h)
				return z, c, tc, h
			}
			wz, wc, wtc, wh := run(false)
			gz, gc, gtc, gh := run(true)
			for _, o := range []struct {
				what      string
				got, want []float64
			}{{"gates", gz, wz}, {"c", gc, wc}, {"tanh(c)", gtc, wtc}, {"h", gh, wh}} {
				for j := range o.want {
					g, w := o.got[j], o.want[j]
					// Gates and h are in [-1, 1], c in proportion to c_{t-1}.
					if math.IsNaN(g) != math.IsNaN(w) || math.Abs(g-w) > 4e-16*math.Max(1, math.Abs(w)) {
						t.Errorf("%s: %s[%d] = %.17g, want %.17g", name, o.what, j, g, w)
					}
				}
			}
		}
	}
	z := make([]float64, 16)
	z[1] = math.NaN()
	c, tc, h := make([]float64, 4), make([]float64, 4), make([]float64, 4)
	cellRow(true, z, nil, c, tc, h)
	if !math.IsNaN(z[1]) || !math.IsNaN(c[1]) || !math.IsNaN(h[1]) || math.IsNaN(h[0]) {
		t.Errorf("a NaN input gate gave gates %v, c %v, h %v; want NaN in unit 1 only", z, c, h)
	}
}

// TestCellRowBackwardKernel compares the AVX2 backward cell kernel with the
// plain Go one, which it must match bit for bit: both evaluate the same
// products in the same order without fused operations. Both must give the
// same with the gradients written over the gates.
func TestCellRowBackwardKernel(t *testing.T) {
	if !haveKernels() {
		t.Skip("the CPU lacks AVX2 or FMA")
	}
	fill := uniformFill(7, 8)
	for _, H := range []int{1, 3, 4, 5, 9, 50} {
		for _, first := range []bool{false, true} {
			gates, tc, dhIn, dhNext, dcNext := fill(4*H), fill(H), fill(H), fill(H), fill(H)
			var cPrev []float64 // nil at the first step
			if !first {
				cPrev = fill(H)
			}
			run := func(fast, inPlace bool) (dgates, dc []float64) {
				g := gates
				if inPlace {
					g = append([]float64(nil), gates...)
				}
				dgates, dc = make([]float64, 4*H), append([]float64(nil), dcNext...)
				if inPlace {
					dgates = g
				}
				cellRowBackward(fast, g, tc, cPrev, dhIn, dhNext, dc, dgates)
				return dgates, dc
			}
			wantDz, wantDc := run(false, false)
			for _, c := range []struct{ fast, inPlace bool }{{false, true}, {true, false}, {true, true}} {
				gotDz, gotDc := run(c.fast, c.inPlace)
				for j := range wantDz {
					if gotDz[j] != wantDz[j] {
						t.Errorf("H=%d first=%t %+v: dgates[%d] = %v, want %v", H, first, c, j, gotDz[j], wantDz[j])
					}
				}
				for j := range wantDc {
					if gotDc[j] != wantDc[j] {
						t.Errorf("H=%d first=%t %+v: dcNext[%d] = %v, want %v", H, first, c, j, gotDc[j], wantDc[j])
					}
				}
			}
		}
	}
}

// TestGRURowKernel compares the AVX2 GRU kernel with the plain Go cell on
// layer widths with and without a tail of fewer than four units, with and
// without h_{t-1} (also in place), on values from tiny to past the clamps
// of its exp. The kernel fuses r·gh_n + gx_n and z·(h_{t-1} - n) + n, so
// n and h may differ by an ulp of the terms summed.
func TestGRURowKernel(t *testing.T) {
	if !haveKernels() {
		t.Skip("the CPU lacks AVX2 or FMA")
	}
	value := kernelValues(7)
	fill := func(n int) []float64 {
		s := make([]float64, n)
		for i := range s {
			s[i] = value(i)
		}
		return s
	}
	for _, H := range []int{1, 3, 4, 5, 9, 50} {
		for _, prev := range []string{"none", "separate", "in place"} {
			name := fmt.Sprintf("H=%d h_{t-1}=%s", H, prev)
			gx, gh := fill(3*H), fill(3*H)
			var hPrev []float64
			if prev != "none" {
				hPrev = fill(H)
			}
			run := func(fast bool) (g, h []float64) {
				g, h = append([]float64(nil), gx...), make([]float64, H)
				hp := hPrev
				if prev == "in place" {
					copy(h, hPrev)
					hp = h
				}
				gruRow(fast, g, gh, hp, h)
				return g, h
			}
			wg, wh := run(false)
			gg, gotH := run(true)
			for j := range 3 * H {
				scale := 1.0
				if j >= 2*H { // n: the fused r·gh_n + gx_n
					scale += math.Abs(gx[j]) + math.Abs(gh[j])
				}
				if !close(gg[j], wg[j], scale) {
					t.Errorf("%s: gate %d = %.17g, want %.17g", name, j, gg[j], wg[j])
				}
			}
			for j := range H {
				scale := 1 + math.Abs(gx[2*H+j]) + math.Abs(gh[2*H+j])
				if hPrev != nil {
					scale += math.Abs(hPrev[j])
				}
				if !close(gotH[j], wh[j], scale) {
					t.Errorf("%s: h[%d] = %.17g, want %.17g", name, j, gotH[j], wh[j])
				}
			}
		}
	}
}

// TestRNNRowKernel compares the AVX2 tanh kernel of the RNN cell with
// math.Tanh, on widths with and without a tail, with a NaN going through.
func TestRNNRowKernel(t *testing.T) {
	if !haveKernels() {
		t.Skip("the CPU lacks AVX2 or FMA")
	}
	value := kernelValues(9)
	for _, H := range []int{1, 3, 4, 5, 9, 50} {
		a := make([]float64, H)
		for i := range a {
			a[i] = value(i)
		}
		a[H/2] = math.NaN()
		want, got := make([]float64, H), make([]float64, H)
		rnnRow(false, a, want)
		rnnRow(true, a, got)
		for j := range H {
			if !close(got[j], want[j], 1) {
				t.Errorf("H=%d: tanh(%v) = %.17g, want %.17g", H, a[j], got[j], want[j])
			}
		}
	}
}

// close reports whether got and want are equal (infinities included),
// both NaN, or differ by at most 4e-16·scale, an ulp or two of values of
// that size.
func close(got, want, scale float64) bool {
	if got == want || math.IsNaN(got) || math.IsNaN(want) {
		return got == want || math.IsNaN(got) && math.IsNaN(want)
	}
	return math.Abs(got-want) <= 4e-16*scale
}

// TestGRURowBackwardKernel compares the AVX2 backward GRU kernel with the
// plain Go one, which it must match bit for bit: both evaluate the same
// products in the same order without fused operations.
func TestGRURowBackwardKernel(t *testing.T) {
	if !haveKernels() {
		t.Skip("the CPU lacks AVX2 or FMA")
	}
	fill := uniformFill(11, 12)
	for _, H := range []int{1, 3, 4, 5, 9, 50} {
		for _, first := range []bool{false, true} {
			gates, gh, dhIn, dhNext := fill(3*H), fill(3*H), fill(H), fill(H)
			var hPrev []float64 // nil at the first step
			if !first {
				hPrev = fill(H)
			}
			run := func(fast bool) (dgx, dgh, dh []float64) {
				dgx, dgh, dh = slices.Clone(gates), slices.Clone(gh), slices.Clone(dhNext)
				gruRowBackward(fast, dgx, dgh, hPrev, dhIn, dh)
				return dgx, dgh, dh
			}
			wx, wh, wd := run(false)
			gx, gotH, gd := run(true)
			for _, o := range []struct {
				what      string
				got, want []float64
			}{{"dgx", gx, wx}, {"dgh", gotH, wh}, {"dhNext", gd, wd}} {
				if !slices.Equal(o.got, o.want) {
					t.Errorf("H=%d first=%t: %s = %v, want %v", H, first, o.what, o.got, o.want)
				}
			}
		}
	}
}
