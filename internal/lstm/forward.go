package lstm

import (
	"math"

	"gonum.org/v1/gonum/blas"
)

// layerState holds one layer's activations, and in training its gradients,
// for a batch of B windows of T steps. Every buffer is batch-major: element
// (b, t, j) of a B×T×W buffer is at (b*T+t)*W + j, so the rows of one time
// step are a strided view with leading dimension T*W.
type layerState struct {
	gates []float64 // B×T×4H: pre-activations, then in place i, f, g, o after the non-linearities
	c     []float64 // B×T×H: cell state c_t
	tc    []float64 // B×T×H: tanh(c_t)
	h     []float64 // B×T×H: hidden state h_t, the layer's output sequence

	// Training only.
	dgates []float64 // B×T×4H: dLoss/d(gate pre-activations)
	dh     []float64 // B×T×H: dLoss/dh_t from the layer above or the head, recurrence excluded
	dhNext []float64 // B×H: dLoss/dh_t through h_t's use at step t+1
	dcNext []float64 // B×H: dLoss/dc_t through c_t's use at step t+1
}

// workspace is the preallocated memory of forward and backward passes over
// at most batch windows of steps time steps.
type workspace struct {
	batch, steps int
	layers       []layerState
	out          []float64 // B: the model's outputs
	dout         []float64 // B: dLoss/dout
}

// newWorkspace allocates a workspace for m. With train false it holds no
// gradient buffers, and all layers share one set of activation buffers: a
// layer's input is consumed by its input projection before it writes any
// state, and inference needs only the last layer's final hidden state.
func newWorkspace(m *Model, batch, steps int, train bool) *workspace {
	w := &workspace{batch: batch, steps: steps, layers: make([]layerState, len(m.Layers)),
		out: make([]float64, batch), dout: make([]float64, batch)}
	bt := batch * steps
	if !train {
		hmax := 0
		for _, l := range m.Layers {
			hmax = max(hmax, l.Hidden)
		}
		shared := layerState{
			gates: make([]float64, bt*4*hmax),
			c:     make([]float64, bt*hmax),
			tc:    make([]float64, bt*hmax),
			h:     make([]float64, bt*hmax),
		}
		for k := range w.layers {
			w.layers[k] = shared
		}
		return w
	}
	for k, l := range m.Layers {
		h := l.Hidden
		w.layers[k] = layerState{
			gates:  make([]float64, bt*4*h),
			c:      make([]float64, bt*h),
			tc:     make([]float64, bt*h),
			h:      make([]float64, bt*h),
			dgates: make([]float64, bt*4*h),
			dh:     make([]float64, bt*h),
			dhNext: make([]float64, batch*h),
			dcNext: make([]float64, batch*h),
		}
	}
	return w
}

// narrowInput is the widest layer input whose products with Wih are plain
// loops: with so few columns a matrix product is mostly call overhead (the
// tutorial's first layer reads one feature).
const narrowInput = 4

func sigmoid(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

// forward runs m over the nb windows of x (nb×T×In) and leaves the outputs in
// w.out[:nb] and every layer's activations in w.layers.
func (w *workspace) forward(m *Model, x []float64, nb int) {
	T := w.steps
	in, inDim := x, m.Inputs()
	for k := range m.Layers {
		l := &m.Layers[k]
		s := &w.layers[k]
		H := l.Hidden
		G := 4 * H
		rows := nb * T
		z := s.gates[:rows*G]

		// Input projection for all steps at once:
		// z (rows×4H) = in (rows×In) · Wihᵀ (In×4H) + bih + bhh.
		if inDim <= narrowInput {
			for r := 0; r < rows; r++ {
				zr, xr := z[r*G:(r+1)*G], in[r*inDim:(r+1)*inDim]
				for j := range zr {
					v := l.Bih[j] + l.Bhh[j]
					for a, xa := range xr {
						v += l.Wih[j*inDim+a] * xa
					}
					zr[j] = v
				}
			}
		} else {
			for r := 0; r < rows; r++ {
				zr := z[r*G : (r+1)*G]
				for j := range zr {
					zr[j] = l.Bih[j] + l.Bhh[j]
				}
			}
			gemm(blas.NoTrans, blas.Trans, rows, G, inDim, 1, in, inDim, l.Wih, inDim, 1, z, G)
		}

		for t := 0; t < T; t++ {
			if t > 0 {
				// z[:, t] (nb×4H) += h[:, t-1] (nb×H) · Whhᵀ (H×4H)
				gemm(blas.NoTrans, blas.Trans, nb, G, H, 1, s.h[(t-1)*H:], T*H, l.Whh, H, 1, z[t*G:], T*G)
			}
			for b := 0; b < nb; b++ {
				r := b*T + t
				g4 := z[r*G : (r+1)*G]
				zi, zf, zg, zo := g4[:H], g4[H:2*H], g4[2*H:3*H], g4[3*H:]
				c := s.c[r*H : (r+1)*H]
				tc := s.tc[r*H : (r+1)*H]
				h := s.h[r*H : (r+1)*H]
				var cPrev []float64 // c_{t-1}; nil means c_0 = 0
				if t > 0 {
					cPrev = s.c[(r-1)*H : r*H]
				}
				for j := range H {
					i, f, g, o := sigmoid(zi[j]), sigmoid(zf[j]), math.Tanh(zg[j]), sigmoid(zo[j])
					zi[j], zf[j], zg[j], zo[j] = i, f, g, o
					cj := i * g
					if cPrev != nil {
						cj = f*cPrev[j] + cj
					}
					c[j] = cj
					tc[j] = math.Tanh(cj)
					h[j] = o * tc[j]
				}
			}
		}
		in, inDim = s.h[:rows*H], H
	}

	// Head: out_b = DenseW · h_last[b, T-1] + DenseB.
	H := len(m.DenseW)
	hs := w.layers[len(w.layers)-1].h
	for b := 0; b < nb; b++ {
		hT := hs[(b*T+T-1)*H : (b*T+T)*H]
		o := m.DenseB[0]
		for j, v := range hT {
			o += m.DenseW[j] * v
		}
		w.out[b] = o
	}
}
