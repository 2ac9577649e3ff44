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
	m, _ := New(3, []int{20, 12})
	m.InitKeras(1)
	for k, l := range m.Layers {
		h := l.Hidden
		// Glorot uniform: U(±limit) has variance limit²/3.
		limit := math.Sqrt(6 / float64(l.In+4*h))
		for _, v := range l.Wih {
			if math.Abs(v) > limit {
				t.Fatalf("layer %d: Wih value %v outside ±%v", k+1, v, limit)
			}
		}
		if v, want := stat.Variance(l.Wih, nil), limit*limit/3; math.Abs(v-want) > 0.25*want {
			t.Errorf("layer %d: Wih variance %v, want about %v", k+1, v, want)
		}
		// Orthogonal: Whhᵀ Whh = I.
		w := mat.NewDense(4*h, h, l.Whh)
		var g mat.Dense
		g.Mul(w.T(), w)
		if !mat.EqualApprox(&g, eye(h), 1e-12) {
			t.Errorf("layer %d: Whhᵀ·Whh is not the identity", k+1)
		}
		for j := range 4 * h {
			want := 0.0
			if j >= h && j < 2*h {
				want = 1
			}
			if l.Bih[j] != want || l.Bhh[j] != 0 {
				t.Fatalf("layer %d: bias %d is %v + %v, want %v + 0", k+1, j, l.Bih[j], l.Bhh[j], want)
			}
		}
	}
	limit := math.Sqrt(6 / float64(12+1))
	for _, v := range m.DenseW {
		if v == 0 || math.Abs(v) > limit {
			t.Fatalf("dense weight %v not in ±%v", v, limit)
		}
	}
	if m.DenseB[0] != 0 {
		t.Errorf("dense bias %v, want 0", m.DenseB[0])
	}
}

func eye(n int) *mat.Dense {
	d := mat.NewDense(n, n, nil)
	for i := range n {
		d.Set(i, i, 1)
	}
	return d
}
