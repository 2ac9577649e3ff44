package lstm

import "math"

// referenceGradients is the slow oracle of the fast path: the same model,
// loss and gradients written as plain loops over one window at a time,
// with no shared buffers, strides or matrix products. It returns the mean
// squared error of m on the windows x (B×T×In) with targets y (B×O), the
// outputs (B×O) and the gradient in m's layout.
func referenceGradients(m *Model, x, y []float64, steps int) (loss float64, out []float64, grad *Model) {
	grad = m.zeroLike()
	O := m.Outputs()
	nb := len(y) / O
	out = make([]float64, nb*O)
	win := steps * m.Inputs()
	sig := func(v float64) float64 { return 1 / (1 + math.Exp(-v)) }
	G := m.Cell.gates()
	// state is one layer's state after one step: the activated gates
	// (G×H: LSTM i, f, g, o; GRU r, z, n; RNN none), a GRU's W_hn h + b_hn,
	// an LSTM's c, and h.
	type state struct{ gate, hn, c, h []float64 }
	for b := range nb {
		// Forward, keeping every layer's per-step state.
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
				s := state{make([]float64, G*H), make([]float64, H), make([]float64, H), make([]float64, H)}
				for j := range H {
					// xp and hp: the input and recurrent parts of each gate.
					xp, hp := make([]float64, G), make([]float64, G)
					for q := range G {
						row := q*H + j
						xp[q], hp[q] = l.Bih[row], l.Bhh[row]
						for a, v := range seq[t] {
							xp[q] += l.Wih[row*l.In+a] * v
						}
						for a, v := range hPrev {
							hp[q] += l.Whh[row*H+a] * v
						}
					}
					switch m.Cell {
					case LSTM:
						i, f, g, o := sig(xp[0]+hp[0]), sig(xp[1]+hp[1]), math.Tanh(xp[2]+hp[2]), sig(xp[3]+hp[3])
						s.gate[j], s.gate[H+j], s.gate[2*H+j], s.gate[3*H+j] = i, f, g, o
						s.c[j] = f*cPrev[j] + i*g
						s.h[j] = o * math.Tanh(s.c[j])
					case GRU:
						r, z := sig(xp[0]+hp[0]), sig(xp[1]+hp[1])
						n := math.Tanh(xp[2] + r*hp[2])
						s.gate[j], s.gate[H+j], s.gate[2*H+j], s.hn[j] = r, z, n, hp[2]
						s.h[j] = (1-z)*n + z*hPrev[j]
					case RNN:
						s.h[j] = math.Tanh(xp[0] + hp[0])
					}
				}
				seqs[k] = append(seqs[k], s)
				hPrev, cPrev = s.h, s.c
				next[t] = s.h
			}
			seq = next
		}
		hT := seq[steps-1]
		H := len(hT)
		dSeq := make([][]float64, steps) // dLoss/d(this layer's output at t)
		for t := range steps {
			dSeq[t] = make([]float64, H)
		}
		for o := range O {
			v := m.DenseB[o]
			for j, h := range hT {
				v += m.DenseW[o*H+j] * h
			}
			out[b*O+o] = v
			d := v - y[b*O+o]
			loss += d * d / float64(nb*O)

			// Backward through the head.
			dout := 2 * d / float64(nb*O)
			grad.DenseB[o] += dout
			for j, h := range hT {
				grad.DenseW[o*H+j] += dout * h
				dSeq[steps-1][j] += dout * m.DenseW[o*H+j]
			}
		}

		// Backward through the layers.
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
				// dx and dhp: dLoss/d(input part) and d(recurrent part)
				// of each gate; direct: dLoss/dh_{t-1} not through hp.
				dx, dhp, direct := make([]float64, G*H), make([]float64, G*H), make([]float64, H)
				for j := range H {
					dhj := dSeq[t][j] + dh[j]
					switch m.Cell {
					case LSTM:
						i, f, g, o := s.gate[j], s.gate[H+j], s.gate[2*H+j], s.gate[3*H+j]
						tc := math.Tanh(s.c[j])
						dcj := dc[j] + dhj*o*(1-tc*tc)
						dx[j] = dcj * g * i * (1 - i)
						dx[H+j] = dcj * cPrev[j] * f * (1 - f)
						dx[2*H+j] = dcj * i * (1 - g*g)
						dx[3*H+j] = dhj * tc * o * (1 - o)
						dc[j] = dcj * f
						copy(dhp, dx)
					case GRU:
						r, z, n := s.gate[j], s.gate[H+j], s.gate[2*H+j]
						dn := dhj * (1 - z) * (1 - n*n)
						dx[j] = dn * s.hn[j] * r * (1 - r)
						dx[H+j] = dhj * (hPrev[j] - n) * z * (1 - z)
						dx[2*H+j] = dn
						dhp[j], dhp[H+j], dhp[2*H+j] = dx[j], dx[H+j], dn*r
						direct[j] = dhj * z
					case RNN:
						dx[j] = dhj * (1 - s.h[j]*s.h[j])
						dhp[j] = dx[j]
					}
				}
				dh = direct
				dIn[t] = make([]float64, l.In)
				for row := range G * H {
					gl.Bih[row] += dx[row]
					gl.Bhh[row] += dhp[row]
					for a, v := range inputs[k][t] {
						gl.Wih[row*l.In+a] += dx[row] * v
						dIn[t][a] += dx[row] * l.Wih[row*l.In+a]
					}
					for a, v := range hPrev {
						gl.Whh[row*H+a] += dhp[row] * v
						dh[a] += dhp[row] * l.Whh[row*H+a]
					}
				}
			}
			dSeq = dIn
		}
	}
	return loss, out, grad
}
