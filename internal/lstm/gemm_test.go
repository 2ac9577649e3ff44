package lstm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/floats/scalar"
)

// naiveMulAdd is mulAdd's definition as a plain triple loop; it also
// returns, for each element of C, the sum of the absolute values of its
// terms, which bounds the rounding error of any summation order.
func naiveMulAdd(m, n, k int, a []float64, sa, sk int, b []float64, ldb int, c []float64, ldc int) (scale []float64) {
	scale = make([]float64, len(c))
	for i := range m {
		for j := range n {
			v, s := c[i*ldc+j], math.Abs(c[i*ldc+j])
			for p := range k {
				t := a[i*sa+p*sk] * b[p*ldb+j]
				v += t
				s += math.Abs(t)
			}
			c[i*ldc+j], scale[i*ldc+j] = v, s
		}
	}
	return scale
}

// TestMulAdd compares both paths of mulAdd, the assembly kernels (where the
// CPU runs them) and gonum, with the plain loop on shapes that are not
// whole kernel blocks, on both layouts of A, and checks that nothing
// outside C's m×n view is written.
// uniformFill returns a generator, seeded by seed1 and seed2, of slices of
// n values uniform in [-1, 1), the kernels' plain test inputs.
func uniformFill(seed1, seed2 uint64) func(n int) []float64 {
	rng := rand.New(rand.NewPCG(seed1, seed2))
	return func(n int) []float64 {
		s := make([]float64, n)
		for i := range s {
			s[i] = 2*rng.Float64() - 1
		}
		return s
	}
}

func TestMulAdd(t *testing.T) {
	paths := []bool{false}
	if haveKernels() {
		paths = append(paths, true)
	} else {
		t.Log("the CPU lacks AVX2 or FMA: testing the gonum path only")
	}
	fill := uniformFill(3, 4)
	for _, m := range []int{1, 2, 3, 4, 5, 7, 9, 16} {
		for _, n := range []int{1, 3, 7, 8, 9, 16, 31, 32, 40, 56, 200} {
			for _, k := range []int{1, 2, 5, 50} {
				for _, transA := range []bool{false, true} {
					// A is stored with a gap of 3 after each row (or column),
					// B and C with a gap of 5 after each row.
					sa, sk, alen := k+3, 1, m*(k+3)
					if transA {
						sa, sk, alen = 1, m+3, k*(m+3)
					}
					a := fill(alen)
					ldb, ldc := n+5, n+5
					b := fill(k * ldb)
					c0 := fill(m * ldc)
					want := append([]float64(nil), c0...)
					scale := naiveMulAdd(m, n, k, a, sa, sk, b, ldb, want, ldc)
					for _, fast := range paths {
						name := fmt.Sprintf("m=%d n=%d k=%d transA=%t fast=%t", m, n, k, transA, fast)
						c := append([]float64(nil), c0...)
						mulAdd(fast, m, n, k, a, sa, sk, b, ldb, c, ldc)
						for i, v := range c {
							if i%ldc >= n {
								if v != c0[i] {
									t.Fatalf("%s: wrote c[%d] outside the view", name, i)
								}
								continue
							}
							if math.Abs(v-want[i]) > 4*float64(k+1)*0x1p-53*scale[i] {
								t.Fatalf("%s: c[%d] = %v, want %v", name, i, v, want[i])
							}
						}
					}
				}
			}
		}
	}
}

// TestMulAddKernelOrder checks that the assembly kernels sum in the order
// that mulAdd's results depend on, bit for bit: each element of a whole
// column block accumulates its k products from zero by fused
// multiply-adds in the order of p, then is added to C. Any split of the
// work over columns, rows or registers must keep that order, which is what
// makes results independent of the shapes of the calls around it.
func TestMulAddKernelOrder(t *testing.T) {
	if !haveKernels() {
		t.Skip("the CPU lacks AVX2 or FMA")
	}
	fill := uniformFill(5, 6)
	for _, m := range []int{1, 3, 4, 6} {
		for blocks := 1; blocks <= 9; blocks++ {
			for _, k := range []int{1, 7, 50} {
				n := blocks * kernelCols
				a, b, c := fill(m*k), fill(k*n), fill(m*n)
				want := append([]float64(nil), c...)
				for i := range m {
					for j := range n {
						var acc float64
						for p := range k {
							acc = math.FMA(a[i*k+p], b[p*n+j], acc)
						}
						want[i*n+j] += acc
					}
				}
				mulAdd(true, m, n, k, a, k, 1, b, n, c, n)
				for i, v := range c {
					if v != want[i] {
						t.Fatalf("m=%d n=%d k=%d: c[%d] = %v, want %v", m, n, k, i, v, want[i])
					}
				}
			}
		}
	}
}

// TestMulAddPanicsOutOfBounds checks that a product reaching past its
// operands is refused before any kernel reads memory it does not own.
func TestMulAddPanicsOutOfBounds(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("mulAdd of a 2×3 by 3×8 product with a 5-element A did not panic")
		}
	}()
	mulAdd(haveKernels(), 2, 8, 3, make([]float64, 5), 3, 1, make([]float64, 24), 8, make([]float64, 16), 8)
}

// TestTrainerFallbackMatchesReference runs training gradients of odd shapes
// with the gonum products forced, so that the path of CPUs without the
// kernels is tested on every machine.
func TestTrainerFallbackMatchesReference(t *testing.T) {
	for _, cell := range cells {
		m, x, y := randomProblem(t, cell, 6, []int{9, 5}, 2, 5, 7, 0.6, 13)
		wantLoss, _, wantGrad := referenceGradients(m, x, y, 5)
		for _, fast := range []bool{false, haveKernels()} {
			tr := newTrainer(m, 5, 7, TrainConfig{}.optimizer())
			tr.packed.fast = fast
			loss := tr.gradients(x, y)
			if !scalar.EqualWithinAbsOrRel(loss, wantLoss, 1e-14, 1e-12) {
				t.Errorf("%v fast=%t: loss %v, reference %v", cell, fast, loss, wantLoss)
			}
			for i, g := range tr.grad.Data {
				if !scalar.EqualWithinAbsOrRel(g, wantGrad.Data[i], 1e-14, 1e-10) {
					t.Errorf("%v fast=%t: gradient %d is %v, reference %v", cell, fast, i, g, wantGrad.Data[i])
					break
				}
			}
		}
	}
}
