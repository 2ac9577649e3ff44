package lstm

import "math"

// This file is the plain (Elman) RNN cell, forward and backward side by
// side, over one row (one window at one step) of the buffers of a
// layerState; layer.go runs them over a layer. For a layer of H units over
// a batch of B windows of T steps:
//
//	gates  B×T×H  pre-activations a; in the backward pass dLoss/da in place
//	h      B×T×H  h_t, the layer's output sequence
//
// The equation is PyTorch's nn.RNN with tanh:
//
//	h_t = tanh(a),  a = x_t·Wihᵀ + bih + h_{t-1}·Whhᵀ + bhh

// rnnRow completes one step of one window in a layer of H units: it writes
// h_t = tanh(a) into h (H) from the pre-activations a (H). With fast set,
// whole groups of four units are computed by the AVX2/FMA kernel.
func rnnRow(fast bool, a, h []float64) {
	a = a[:len(h)]
	from := 0
	if fast {
		tanhAVX(a, h)
		from = len(h) &^ 3
	}
	for j := from; j < len(h); j++ {
		h[j] = math.Tanh(a[j])
	}
}

// rnnRowBackward back-propagates one step of one window through a layer of
// H units: from h_t (H) and dLoss/dh_t in two parts, dhIn from above and
// dhNext through step t+1, it writes dLoss/da into da (H). tanh' = 1-h².
func rnnRowBackward(h, dhIn, dhNext, da []float64) {
	H := len(h)
	dhIn, dhNext, da = dhIn[:H], dhNext[:H], da[:H]
	for j, hj := range h {
		da[j] = (dhIn[j] + dhNext[j]) * (1 - hj*hj)
	}
}
