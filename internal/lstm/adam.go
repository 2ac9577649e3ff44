package lstm

import "math"

// adam is PyTorch's Adam optimiser without weight decay or AMSGrad, over a
// flat parameter vector.
type adam struct {
	fast                  bool // use the AVX kernel, as the engine's products do
	lr, beta1, beta2, eps float64
	step                  int       // number of updates made, t in the formulas
	m, v                  []float64 // moment estimates: PyTorch's exp_avg and exp_avg_sq

	// The current update's lr/(1-β1ᵗ) and √(1-β2ᵗ).
	stepSize, sqrtBC2 float64
}

func newAdam(n int, lr, beta1, beta2, eps float64) adam {
	return adam{fast: haveKernels(), lr: lr, beta1: beta1, beta2: beta2, eps: eps, m: make([]float64, n), v: make([]float64, n)}
}

// next starts update number step+1, to be applied by apply to every part
// of the parameters:
//
//	m = β1·m + (1-β1)·g
//	v = β2·v + (1-β2)·g²
//	p -= (lr/(1-β1ᵗ)) · m / (√v/√(1-β2ᵗ) + eps)
//
// Unlike Keras, eps is added after the bias correction of √v.
func (a *adam) next() {
	a.step++
	t := float64(a.step)
	a.stepSize = a.lr / (1 - math.Pow(a.beta1, t))
	a.sqrtBC2 = math.Sqrt(1 - math.Pow(a.beta2, t))
}

// apply makes the current update to the parameters p[lo:hi] with gradient
// g[lo:hi]. Parts of the parameters are independent, so disjoint parts may
// be updated concurrently.
func (a *adam) apply(p, g []float64, lo, hi int) {
	m, v := a.m[lo:hi], a.v[lo:hi]
	p, g = p[lo:hi], g[lo:hi]
	from := 0
	if a.fast {
		adamAVX(p, g, m, v, a.beta1, a.beta2, a.stepSize, a.sqrtBC2, a.eps)
		from = len(p) &^ 3
	}
	// The conversions round each product, as the kernel does, where the
	// compiler could otherwise fuse it with the addition.
	for i := from; i < len(p); i++ {
		gi := g[i]
		mi := float64(a.beta1*m[i]) + float64((1-a.beta1)*gi)
		vi := float64(a.beta2*v[i]) + float64((1-a.beta2)*gi*gi)
		m[i], v[i] = mi, vi
		p[i] -= float64(a.stepSize * (mi / (math.Sqrt(vi)/a.sqrtBC2 + a.eps)))
	}
}

// clipNorm scales g so that its Euclidean norm is at most maxNorm, as
// torch.nn.utils.clip_grad_norm_ does, and returns the norm before scaling.
func clipNorm(g []float64, maxNorm float64) float64 {
	var ss float64
	for _, v := range g {
		ss += v * v
	}
	norm := math.Sqrt(ss)
	if coef := maxNorm / (norm + 1e-6); coef < 1 {
		for i := range g {
			g[i] *= coef
		}
	}
	return norm
}
