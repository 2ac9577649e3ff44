package lstm

import (
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/lapack/lapack64"
)

// InitKeras sets m's parameters as Keras initialises LSTM(units) and
// Dense(1) layers, drawing from a PCG generator seeded by seed, so the same
// seed gives bit-identical weights:
//   - Wih is Glorot-uniform for Keras's In×4H kernel, U(±√(6/(In+4H))),
//     stored transposed;
//   - Whh is Keras's orthogonal H×4H recurrent kernel (gain 1), stored
//     transposed, so its H columns are orthonormal;
//   - Bih is 1 on the forget gate and 0 elsewhere, Bhh is 0, so their sum,
//     Keras's single bias, has unit_forget_bias;
//   - DenseW is Glorot-uniform for Keras's H×1 kernel and DenseB is 0.
func (m *Model) InitKeras(seed uint64) {
	rng := rand.New(rand.NewPCG(seed, 0))
	for k := range m.Layers {
		l := &m.Layers[k]
		h := l.Hidden
		glorot(rng, l.Wih, l.In, 4*h, l.In, 4*h, true)
		orthogonal(rng, l.Whh, 4*h, h)
		clear(l.Bih)
		clear(l.Bhh)
		for j := h; j < 2*h; j++ {
			l.Bih[j] = 1
		}
	}
	h := len(m.DenseW)
	glorot(rng, m.DenseW, h, 1, h, 1, false)
	m.DenseB[0] = 0
}

// glorot fills dst with Keras's rows×cols kernel drawn from
// U(-√(6/(fanIn+fanOut)), √(6/(fanIn+fanOut))) in row-major order, stored
// transposed (cols×rows) when transpose is set.
func glorot(rng *rand.Rand, dst []float64, rows, cols, fanIn, fanOut int, transpose bool) {
	limit := math.Sqrt(6 / float64(fanIn+fanOut))
	for r := range rows {
		for c := range cols {
			v := limit * (2*rng.Float64() - 1)
			if transpose {
				dst[c*rows+r] = v
			} else {
				dst[r*cols+c] = v
			}
		}
	}
}

// orthogonal fills dst, rows×cols with rows ≥ cols, with a matrix whose
// columns are orthonormal: the Q factor of a standard normal matrix with
// each column's sign chosen so that R has a positive diagonal, which makes
// Q uniformly distributed (Keras's Orthogonal initializer; its H×4H kernel
// is the transpose of this 4H×H matrix). Only Q's first cols columns are
// formed: the full rows×rows Q costs rows/cols times more, which at the
// unit limit is a minute that no signal could interrupt.
func orthogonal(rng *rand.Rand, dst []float64, rows, cols int) {
	a := blas64.General{Rows: rows, Cols: cols, Stride: cols, Data: dst[:rows*cols]}
	for i := range a.Data {
		a.Data[i] = rng.NormFloat64()
	}
	tau := make([]float64, cols)
	qrWork, qWork := []float64{0}, []float64{0}
	lapack64.Geqrf(a, tau, qrWork, -1)
	lapack64.Orgqr(a, tau, qWork, -1)
	work := make([]float64, int(max(qrWork[0], qWork[0])))
	lapack64.Geqrf(a, tau, work, len(work))
	// R's diagonal, above which Geqrf leaves R, before Orgqr overwrites it.
	neg := make([]bool, cols)
	for j := range cols {
		neg[j] = a.Data[j*cols+j] < 0
	}
	lapack64.Orgqr(a, tau, work, len(work))
	for i := range rows {
		for j, n := range neg {
			if n {
				a.Data[i*cols+j] = -a.Data[i*cols+j]
			}
		}
	}
}
