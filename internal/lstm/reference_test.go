package lstm

import "math"

// referenceGradients is the slow oracle of the fast path: the same model,
// loss and gradients written as plain loops over one window at a time,
// with no shared buffers, strides or matrix products. It returns the mean
// squared error of m on the windows x (B×T×In) with targets y, the outputs
// and the gradient in m's layout.
func referenceGradients(m *Model, x, y []float64, steps int) (loss float64, out []float64, grad *Model) {
	grad = m.zeroLike()
	nb := len(y)
	out = make([]float64, nb)
	win := steps * m.Inputs()
	for b := range nb {
		// Forward, keeping every layer's per-step state.
		type state struct{ i, f, g, o, c, h []float64 }
		seqs := make([][]state, len(m.Layers))
		inputs := make([][][]float64, len(m.Layers)) // [layer][t] the layer's input at step t
		seq := make([][]float64, steps)
		for t := range steps {
			seq[t] = x[b*win+t*m.Inputs() : b*win+(t+1)*m.Inputs()]
		}
		for k, l := range m.Layers {
			H := l.Hidden
			inputs[k] = seq
			hPrev, cPrev := make([]float64, H), make([]float64, H)
			next := make([][]float64, steps)
			for t := range steps {
				s := state{make([]float64, H), make([]float64, H), make([]float64, H),
					make([]float64, H), make([]float64, H), make([]float64, H)}
				for j := range H {
					var z [4]float64
					for q := range 4 {
						row := q*H + j
						z[q] = l.Bih[row] + l.Bhh[row]
						for a, v := range seq[t] {
							z[q] += l.Wih[row*l.In+a] * v
						}
						for a, v := range hPrev {
							z[q] += l.Whh[row*H+a] * v
						}
					}
					s.i[j] = 1 / (1 + math.Exp(-z[0]))
					s.f[j] = 1 / (1 + math.Exp(-z[1]))
					s.g[j] = math.Tanh(z[2])
					s.o[j] = 1 / (1 + math.Exp(-z[3]))
					s.c[j] = s.f[j]*cPrev[j] + s.i[j]*s.g[j]
					s.h[j] = s.o[j] * math.Tanh(s.c[j])
				}
				seqs[k] = append(seqs[k], s)
				hPrev, cPrev = s.h, s.c
				next[t] = s.h
			}
			seq = next
		}
		hT := seq[steps-1]
		o := m.DenseB[0]
		for j, v := range hT {
			o += m.DenseW[j] * v
		}
		out[b] = o
		loss += (o - y[b]) * (o - y[b]) / float64(nb)

		// Backward.
		dout := 2 * (o - y[b]) / float64(nb)
		grad.DenseB[0] += dout
		dSeq := make([][]float64, steps) // dLoss/d(this layer's output at t)
		for t := range steps {
			dSeq[t] = make([]float64, len(hT))
		}
		for j, v := range hT {
			grad.DenseW[j] += dout * v
			dSeq[steps-1][j] = dout * m.DenseW[j]
		}
		for k := len(m.Layers) - 1; k >= 0; k-- {
			l, gl := m.Layers[k], grad.Layers[k]
			H := l.Hidden
			dIn := make([][]float64, steps)
			dh, dc := make([]float64, H), make([]float64, H) // through step t+1
			for t := steps - 1; t >= 0; t-- {
				s := seqs[k][t]
				cPrev, hPrev := make([]float64, H), make([]float64, H)
				if t > 0 {
					cPrev, hPrev = seqs[k][t-1].c, seqs[k][t-1].h
				}
				dz := make([]float64, 4*H)
				for j := range H {
					dhj := dSeq[t][j] + dh[j]
					tc := math.Tanh(s.c[j])
					dcj := dc[j] + dhj*s.o[j]*(1-tc*tc)
					dz[j] = dcj * s.g[j] * s.i[j] * (1 - s.i[j])
					dz[H+j] = dcj * cPrev[j] * s.f[j] * (1 - s.f[j])
					dz[2*H+j] = dcj * s.i[j] * (1 - s.g[j]*s.g[j])
					dz[3*H+j] = dhj * tc * s.o[j] * (1 - s.o[j])
					dc[j] = dcj * s.f[j]
				}
				dh = make([]float64, H)
				dIn[t] = make([]float64, l.In)
				for row, d := range dz {
					gl.Bih[row] += d
					gl.Bhh[row] += d
					for a, v := range inputs[k][t] {
						gl.Wih[row*l.In+a] += d * v
						dIn[t][a] += d * l.Wih[row*l.In+a]
					}
					for a, v := range hPrev {
						gl.Whh[row*H+a] += d * v
						dh[a] += d * l.Whh[row*H+a]
					}
				}
			}
			dSeq = dIn
		}
	}
	return loss, out, grad
}
