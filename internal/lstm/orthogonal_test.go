package lstm

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// TestOrthogonalMatchesFullQR checks orthogonal, which forms only the
// columns of Q it returns, against the first columns of gonum's full Q,
// bit for bit, at sizes on both sides of LAPACK's blocking crossover, so
// that models keep their seeded initial weights exactly.
func TestOrthogonalMatchesFullQR(t *testing.T) {
	for _, h := range []int{1, 3, 8, 50, 160} {
		rows, cols := 4*h, h
		got := make([]float64, rows*cols)
		orthogonal(rand.New(rand.NewPCG(7, 0)), got, rows, cols)

		rng := rand.New(rand.NewPCG(7, 0))
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
		for i := range rows {
			for j := range cols {
				want := q.At(i, j)
				if r.At(j, j) < 0 {
					want = -want
				}
				if math.Float64bits(got[i*cols+j]) != math.Float64bits(want) {
					t.Fatalf("H=%d: element (%d,%d) is %v, the full QR's %v", h, i, j, got[i*cols+j], want)
				}
			}
		}
	}
}
