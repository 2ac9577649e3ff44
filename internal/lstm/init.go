package lstm

import (
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/lapack/lapack64"
)

// InitKeras sets m's parameters as Keras initialises the layers of its
// cell (LSTM, GRU with reset_after, SimpleRNN) and a Dense head, drawing
// from a PCG generator seeded by seed, so the same seed gives bit-identical
// weights. With G gate blocks of H rows (4, 3 or 1):
//   - Wih is Glorot-uniform for Keras's In×GH kernel, U(±√(6/(In+GH))),
//     stored transposed;
//   - Whh is Keras's orthogonal H×GH recurrent kernel (gain 1), stored
//     transposed, so its H columns are orthonormal;
//   - the biases are 0 but for an LSTM's Bih, which is 1 on the forget
//     gate, so that Bih + Bhh, Keras's single bias, has unit_forget_bias;
//   - DenseW is Glorot-uniform for Keras's H×O kernel, stored transposed,
//     and DenseB is 0.
//
// Keras orders a GRU's gates z, r, h where PyTorch has r, z, n; the draws
// are independent and identically distributed across the gates, and the
// orthogonal kernel stays orthogonal with its blocks permuted, so filling
// PyTorch's layout directly draws from the same distribution.
func (m *Model) InitKeras(seed uint64) {
	rng := rand.New(rand.NewPCG(seed, 0))
	g := m.Cell.gates()
	for k := range m.Layers {
		l := &m.Layers[k]
		h := l.Hidden
		glorot(rng, l.Wih, l.In, g*h, l.In, g*h, true)
		orthogonal(rng, l.Whh, g*h, h)
		clear(l.Bih)
		clear(l.Bhh)
		if m.Cell == LSTM {
			for j := h; j < 2*h; j++ {
				l.Bih[j] = 1
			}
		}
	}
	o := m.Outputs()
	h := len(m.DenseW) / o
	glorot(rng, m.DenseW, h, o, h, o, true)
	clear(m.DenseB)
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
