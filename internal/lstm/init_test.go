package lstm

import (
	"math"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"
)

func TestInitKerasDeterministic(t *testing.T) {
	a, _ := New(1, []int{50, 50})
	b, _ := New(1, []int{50, 50})
	c, _ := New(1, []int{50, 50})
	a.InitKeras(42)
	b.InitKeras(42)
	c.InitKeras(43)
	if !slices.Equal(a.Data, b.Data) {
		t.Error("InitKeras(42) twice gave different weights")
	}
	if slices.Equal(a.Data, c.Data) {
		t.Error("InitKeras(42) and InitKeras(43) gave the same weights")
	}
}

func TestInitKerasStatistics(t *testing.T) {
	for _, cell := range cells {
		m, err := NewCell(cell, 3, []int{20, 12}, 4)
		if err != nil {
			t.Fatal(err)
		}
		m.InitKeras(1)
		G := cell.gates()
		for k, l := range m.Layers {
			h := l.Hidden
			// Glorot uniform: U(±limit) has variance limit²/3.
			limit := math.Sqrt(6 / float64(l.In+G*h))
			for _, v := range l.Wih {
				if math.Abs(v) > limit {
					t.Fatalf("%v layer %d: Wih value %v outside ±%v", cell, k+1, v, limit)
				}
			}
			if v, want := stat.Variance(l.Wih, nil), limit*limit/3; math.Abs(v-want) > 0.25*want {
				t.Errorf("%v layer %d: Wih variance %v, want about %v", cell, k+1, v, want)
			}
			// Orthogonal: Whhᵀ Whh = I.
			w := mat.NewDense(G*h, h, l.Whh)
			var g mat.Dense
			g.Mul(w.T(), w)
			if !mat.EqualApprox(&g, eye(h), 1e-12) {
				t.Errorf("%v layer %d: Whhᵀ·Whh is not the identity", cell, k+1)
			}
			for j := range G * h {
				want := 0.0
				if cell == LSTM && j >= h && j < 2*h {
					want = 1 // the forget gate's
				}
				if l.Bih[j] != want || l.Bhh[j] != 0 {
					t.Fatalf("%v layer %d: bias %d is %v + %v, want %v + 0", cell, k+1, j, l.Bih[j], l.Bhh[j], want)
				}
			}
		}
		limit := math.Sqrt(6 / float64(12+4))
		for _, v := range m.DenseW {
			if v == 0 || math.Abs(v) > limit {
				t.Fatalf("%v: dense weight %v not in ±%v", cell, v, limit)
			}
		}
		if slices.ContainsFunc(m.DenseB, func(v float64) bool { return v != 0 }) {
			t.Errorf("%v: dense bias %v, want 0", cell, m.DenseB)
		}
	}
}

func eye(n int) *mat.Dense {
	d := mat.NewDense(n, n, nil)
	for i := range n {
		d.Set(i, i, 1)
	}
	return d
}
