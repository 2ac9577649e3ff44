package lstm

import "golang.org/x/sys/cpu"

// haveKernels reports whether the CPU runs the AVX2/FMA kernels of mulAdd.
func haveKernels() bool { return cpu.X86.HasAVX2 && cpu.X86.HasFMA }

// addMulRows4 adds rows 0..3 of A·B to C over blocks column blocks of
// kernelCols columns, A being k columns wide with element (i, p) at
// a[i*sa+p*sk]. It is written in assembly; mulAdd checks the bounds.
//
//go:noescape
func addMulRows4(blocks, k int, a []float64, sa, sk int, b []float64, ldb int, c []float64, ldc int)

// addMulRow adds row 0 of A·B to C over blocks column blocks of kernelCols
// columns, with A's element (0, p) at a[p*sk]. It is written in assembly;
// mulAdd checks the bounds.
//
//go:noescape
func addMulRow(blocks, k int, a []float64, sk int, b []float64, ldb int, c []float64)

// cellAVX is cellRow for units 0..len(c)/4*4-1, four at a time, written in
// assembly with AVX2 and FMA. Its exp is a polynomial exact to about an ulp,
// and tanh(x) is computed as 2/(1+exp(-2x)) - 1, exact to an ulp of 1.
//
//go:noescape
func cellAVX(z, cPrev, c, tc, h []float64)

// cellBackAVX is cellRowBackward for units 0..len(tc)/4*4-1, four at a
// time, written in assembly with AVX2.
//
//go:noescape
func cellBackAVX(gates, tc, cPrev, dhIn, dhNext, dcNext, dgates []float64)

// adamAVX is adam.apply's update of p[:len(p)/4*4], four parameters at a
// time, written in assembly with AVX. Its operations are those of the Go
// loop, unfused and in the same order, so the results are bit-identical.
// g, m and v must be at least as long as p.
//
//go:noescape
func adamAVX(p, g, m, v []float64, beta1, beta2, stepSize, sqrtBC2, eps float64)

// gruAVX is gruRow for units 0..len(h)/4*4-1, four at a time, written in
// assembly with AVX2 and FMA, with cellAVX's exp.
//
//go:noescape
func gruAVX(gx, gh, hPrev, h []float64)

// tanhAVX is rnnRow for units 0..len(y)/4*4-1, four at a time, written in
// assembly with AVX2 and FMA, with cellAVX's tanh.
//
//go:noescape
func tanhAVX(x, y []float64)

// gruBackAVX is gruRowBackward for units 0..len(dhIn)/4*4-1, four at a
// time, written in assembly with AVX. Its operations are those of the Go
// loop, unfused and in the same order, so the results are bit-identical.
//
//go:noescape
func gruBackAVX(gates, gh, hPrev, dhIn, dhNext []float64)
