package lstm

// forwardHead writes the model's outputs from the last layer's final
// hidden states into w.out[:nb].
func (w *workspace) forwardHead(m *Model, nb int) {
	T, H := w.steps, len(m.DenseW)
	denseHead(m, w.layers[len(w.layers)-1].h[(T-1)*H:], T*H, w.out[:nb])
}

// denseHead writes into out[b] the head's output DenseW · h_b + DenseB for
// the hidden states h_b at h[b*stride:].
func denseHead(m *Model, h []float64, stride int, out []float64) {
	for b := range out {
		o := m.DenseB[0]
		for j, v := range h[b*stride : b*stride+len(m.DenseW)] {
			o += m.DenseW[j] * v
		}
		out[b] = o
	}
}

// backwardHead writes the head's gradients into grad and the gradient of
// the last layer's final hidden states into its dhNext. The head is
// out_b = DenseW · hT_b + DenseB, so dDenseW = Σ_b dout_b hT_b,
// dDenseB = Σ_b dout_b and dhT_b = dout_b DenseW. The last layer's dh_t
// is zero but at t = T-1, where dhNext starts from zero, so dhT goes there
// and the last layer keeps no dh sequence.
func (w *workspace) backwardHead(m, grad *Model, nb int) {
	T := w.steps
	last := len(m.Layers) - 1
	s := &w.layers[last]
	H := m.Layers[last].Hidden
	hp := roundUpCols(H)
	clear(grad.DenseW)
	grad.DenseB[0] = 0
	for b := 0; b < nb; b++ {
		d := w.dout[b]
		r := b*T + T - 1
		hT := s.h[r*H : (r+1)*H]
		dhT := s.dhNext[b*hp : b*hp+H]
		for j, v := range hT {
			grad.DenseW[j] += d * v
			dhT[j] = d * m.DenseW[j]
		}
		grad.DenseB[0] += d
	}
}
