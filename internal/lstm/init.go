package lstm

import (
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
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
// is the transpose of this 4H×H matrix).
func orthogonal(rng *rand.Rand, dst []float64, rows, cols int) {
	a := mat.NewDense(rows, cols, nil)
	for i := range rows {
		for j := range cols {
			a.Set(i, j, rng.NormFloat64())
		}
	}
	var qr mat.QR
	qr.Factorize(a)
	var q, r mat.Dense
	qr.QTo(&q)
	qr.RTo(&r)
	for j := range cols {
		sign := 1.0
		if r.At(j, j) < 0 {
			sign = -1
		}
		for i := range rows {
			dst[i*cols+j] = sign * q.At(i, j)
		}
	}
}
