package lstm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/diff/fd"
	"gonum.org/v1/gonum/floats/scalar"
)

// trainerOutputs returns the model's outputs on the trainer's last batch
// (B×O).
func trainerOutputs(tr *trainer) []float64 {
	var out []float64
	O := tr.model.Outputs()
	for _, h := range tr.halves {
		if h.lo == h.hi {
			continue
		}
		out = append(out, h.ws.out[:(h.hi-h.lo)*O]...)
	}
	return out
}

// randomProblem returns a model of the cell with parameters from
// U(-scale, scale) and a batch of nb windows of steps steps with targets
// for its outputs, all from seed.
func randomProblem(t *testing.T, cell Cell, inputs int, units []int, outputs, steps, nb int, scale float64, seed uint64) (m *Model, x, y []float64) {
	t.Helper()
	m, err := NewCell(cell, inputs, units, outputs)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(seed, 1))
	for i := range m.Data {
		m.Data[i] = scale * (2*rng.Float64() - 1)
	}
	x = make([]float64, nb*steps*inputs)
	for i := range x {
		x[i] = 2*rng.Float64() - 1
	}
	y = make([]float64, nb*outputs)
	for i := range y {
		y[i] = 2*rng.Float64() - 1
	}
	return m, x, y
}

// cells are the cells that every test of the passes runs.
var cells = []Cell{LSTM, GRU, RNN}

func TestFastMatchesReference(t *testing.T) {
	for _, cell := range cells {
		for _, c := range []struct {
			inputs, outputs, steps, batch int
			units                         []int
		}{
			{1, 1, 1, 1, []int{3}},
			{2, 1, 7, 5, []int{5, 3, 4}},
			{2, 3, 9, 1, []int{5, 3, 4}}, // one window: layers pipelined, a partial chunk of steps
			{3, 2, 4, 70, []int{70, 2}},  // tiles of the products: more than 64 rows and 192 columns
		} {
			m, x, y := randomProblem(t, cell, c.inputs, c.units, c.outputs, c.steps, c.batch, 0.6, 7)
			wantLoss, wantOut, wantGrad := referenceGradients(m, x, y, c.steps)
			tr := newTrainer(m, c.steps, c.batch, TrainConfig{}.optimizer())
			loss := tr.gradients(x, y)
			if !scalar.EqualWithinAbsOrRel(loss, wantLoss, 1e-14, 1e-12) {
				t.Errorf("%v %+v: loss %v, reference %v", cell, c, loss, wantLoss)
			}
			for b, o := range trainerOutputs(tr) {
				if !scalar.EqualWithinAbsOrRel(o, wantOut[b], 1e-14, 1e-12) {
					t.Errorf("%v %+v: output %d is %v, reference %v", cell, c, b, o, wantOut[b])
				}
			}
			for i, g := range tr.grad.Data {
				if !scalar.EqualWithinAbsOrRel(g, wantGrad.Data[i], 1e-14, 1e-10) {
					t.Errorf("%v %+v: gradient %d is %v, reference %v", cell, c, i, g, wantGrad.Data[i])
					break
				}
			}
		}
	}
}

// TestGradientFiniteDifferences checks every parameter's gradient of a
// two-layer model of each cell over several steps and windows, with a head
// of one and of three outputs, against central differences of the loss
// (gonum's diff/fd).
func TestGradientFiniteDifferences(t *testing.T) {
	const steps, nb = 4, 3
	for _, cell := range cells {
		for _, outputs := range []int{1, 3} {
			t.Run(fmt.Sprintf("%v/outputs=%d", cell, outputs), func(t *testing.T) {
				testFiniteDifferences(t, cell, outputs, steps, nb)
			})
		}
	}
}

func testFiniteDifferences(t *testing.T, cell Cell, outputs, steps, nb int) {
	m, x, y := randomProblem(t, cell, 2, []int{3, 4}, outputs, steps, nb, 0.8, 11)
	tr := newTrainer(m, steps, nb, TrainConfig{}.optimizer())
	tr.gradients(x, y)
	analytic := append([]float64(nil), tr.grad.Data...)

	// Every tensor's gradient must be far from zero, so that a wrong formula
	// for any of them shows.
	for name, g := range byName(m, analytic) {
		var mx float64
		for _, v := range g {
			mx = max(mx, math.Abs(v))
		}
		if mx < 1e-3 {
			t.Fatalf("gradient of %s is at most %g: too small to check", name, mx)
		}
	}

	probe := m.Clone()
	lossAt := func(p []float64) float64 {
		copy(probe.Data, p)
		var sum float64
		for i, o := range probe.Predict(x, steps) {
			sum += (o - y[i]) * (o - y[i])
		}
		return sum / float64(len(y))
	}
	numeric := fd.Gradient(nil, lossAt, m.Data, &fd.Settings{Formula: fd.Central, Step: 1e-6})
	off := 0
	for _, p := range m.Params() {
		for j := range p.Data {
			i := off + j
			if !scalar.EqualWithinAbsOrRel(analytic[i], numeric[i], 1e-8, 1e-6) {
				t.Errorf("d loss/d %s[%d] = %.12g, finite differences %.12g", p.Name, j, analytic[i], numeric[i])
			}
		}
		off += len(p.Data)
	}
}
