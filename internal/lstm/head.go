package lstm

// The head is dense: out_b (O) = DenseW (O×H) · hT_b (H) + DenseB (O) for
// the last layer's final hidden state hT_b of each window b.

// forwardHead writes the model's outputs from the last layer's final
// hidden states into w.out[:nb×O].
func (w *workspace) forwardHead(m *Model, nb int) {
	T, H := w.steps, m.Layers[len(m.Layers)-1].Hidden
	denseHead(m, w.layers[len(w.layers)-1].h[(T-1)*H:], T*H, w.out[:nb*m.Outputs()])
}

// denseHead writes into out[b×O : (b+1)×O] the head's outputs
// DenseW · h_b + DenseB for the hidden states h_b at h[b*stride:].
func denseHead(m *Model, h []float64, stride int, out []float64) {
	O := m.Outputs()
	H := len(m.DenseW) / O
	for b := range len(out) / O {
		hb := h[b*stride : b*stride+H]
		for o := range O {
			v := m.DenseB[o]
			for j, x := range hb {
				v += m.DenseW[o*H+j] * x
			}
			out[b*O+o] = v
		}
	}
}

// backwardHead writes the head's gradients into grad and the gradient of
// the last layer's final hidden states into its dhNext, from
// w.dout[:nb×O]: dDenseW = Σ_b dout_bᵀ hT_b, dDenseB = Σ_b dout_b and
// dhT_b = dout_b · DenseW. The last layer's dh_t is zero but at t = T-1,
// where dhNext starts from zero, so dhT goes there and the last layer keeps
// no dh sequence.
func (w *workspace) backwardHead(m, grad *Model, nb int) {
	T := w.steps
	last := len(m.Layers) - 1
	s := &w.layers[last]
	H := m.Layers[last].Hidden
	hp := roundUpCols(H)
	O := m.Outputs()
	clear(grad.DenseW)
	clear(grad.DenseB)
	for b := 0; b < nb; b++ {
		r := b*T + T - 1
		hT := s.h[r*H : (r+1)*H]
		dhT := s.dhNext[b*hp : b*hp+H]
		for o, d := range w.dout[b*O : (b+1)*O] {
			gw, wo := grad.DenseW[o*H:(o+1)*H], m.DenseW[o*H:(o+1)*H]
			for j, v := range hT {
				gw[j] += d * v
				if o == 0 {
					dhT[j] = d * wo[j]
				} else {
					dhT[j] += d * wo[j]
				}
			}
			grad.DenseB[o] += d
		}
	}
}
