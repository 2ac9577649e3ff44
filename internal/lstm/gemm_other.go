//go:build !amd64

package lstm

// haveKernels reports whether the CPU runs the assembly kernels of mulAdd:
// there are none for this architecture.
func haveKernels() bool { return false }

// addMulRows4 is never called: haveKernels is false.
func addMulRows4(blocks, k int, a []float64, sa, sk int, b []float64, ldb int, c []float64, ldc int) {
	panic("lstm: no assembly kernels on this architecture")
}

// addMulRow is never called: haveKernels is false.
func addMulRow(blocks, k int, a []float64, sk int, b []float64, ldb int, c []float64) {
	panic("lstm: no assembly kernels on this architecture")
}

// cellAVX is never called: haveKernels is false.
func cellAVX(z, cPrev, c, tc, h []float64) {
	panic("lstm: no assembly kernels on this architecture")
}

// cellBackAVX is never called: haveKernels is false.
func cellBackAVX(gates, tc, cPrev, dhIn, dhNext, dcNext, dgates []float64) {
	panic("lstm: no assembly kernels on this architecture")
}

// adamAVX is never called: haveKernels is false.
func adamAVX(p, g, m, v []float64, beta1, beta2, stepSize, sqrtBC2, eps float64) {
	panic("lstm: no assembly kernels on this architecture")
}

// gruAVX is never called: haveKernels is false.
func gruAVX(gx, gh, hPrev, h []float64) {
	panic("lstm: no assembly kernels on this architecture")
}

// tanhAVX is never called: haveKernels is false.
func tanhAVX(x, y []float64) {
	panic("lstm: no assembly kernels on this architecture")
}

// gruBackAVX is never called: haveKernels is false.
func gruBackAVX(gates, gh, hPrev, dhIn, dhNext []float64) {
	panic("lstm: no assembly kernels on this architecture")
}
