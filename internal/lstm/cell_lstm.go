package lstm

import "math"

// This file is the LSTM cell, forward and backward side by side: each
// function of the forward pass is followed by its backward pass, over one
// row (one window at one step) of the buffers of a layerState (see
// workspace.go), all batch-major; layer.go runs them over a layer. For a
// layer of H units over a batch of B windows of T steps:
//
//	gates  B×T×4H  pre-activations z, then i, f, g, o in place; in the
//	               backward pass, dLoss/dz in place of the gates
//	c, tc  B×T×H   c_t and tanh(c_t)
//	h      B×T×H   h_t, the layer's output sequence
//
// The equations are PyTorch's nn.LSTM:
//
//	i = σ(z_i)  f = σ(z_f)  g = tanh(z_g)  o = σ(z_o)
//	c_t = f·c_{t-1} + i·g   h_t = o·tanh(c_t)
//
// where z = x_t·Wihᵀ + bih + h_{t-1}·Whhᵀ + bhh. The GRU (cell_gru.go) and
// the plain RNN (cell_rnn.go) sit beside this one with the same pairs.

func sigmoid(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

// cellRow completes one step of one window in a layer of H units: it
// replaces the gate pre-activations z (4H) in place by i, f, g, o and
// writes c_t = f·c_{t-1} + i·g, tanh(c_t) and h_t = o·tanh(c_t) into c, tc
// and h (H each). A nil cPrev means c_{t-1} = 0; cPrev may be c itself.
// With fast set, whole groups of four units are computed by the AVX2/FMA
// kernel.
func cellRow(fast bool, z, cPrev, c, tc, h []float64) {
	H := len(c)
	zi, zf, zg, zo := z[:H], z[H:2*H], z[2*H:3*H], z[3*H:4*H]
	tc, h = tc[:H], h[:H]
	if cPrev != nil {
		cPrev = cPrev[:H]
	}
	from := 0
	if fast {
		cellAVX(z[:4*H], cPrev, c, tc, h)
		from = H &^ 3
	}
	for j := from; j < H; j++ {
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

// cellRowBackward back-propagates one step of one window through a layer
// of H units: from the gates i, f, g, o (4H), tanh(c_t) and c_{t-1} (nil
// for c_0 = 0) of the forward pass and dLoss/dh_t in two parts, dhIn from
// above and dhNext through step t+1, it writes dLoss/d(gate pre-activations)
// into dgates (4H), which may be gates itself, and replaces dcNext,
// dLoss/dc_t through step t+1, by dLoss/dc_{t-1}. With fast set, whole
// groups of four units are computed by the AVX2 kernel.
func cellRowBackward(fast bool, gates, tc, cPrev, dhIn, dhNext, dcNext, dgates []float64) {
	H := len(tc)
	i, f, g, o := gates[:H], gates[H:2*H], gates[2*H:3*H], gates[3*H:4*H]
	di, df, dg, do := dgates[:H], dgates[H:2*H], dgates[2*H:3*H], dgates[3*H:4*H]
	dhIn, dhNext, dcNext = dhIn[:H], dhNext[:H], dcNext[:H]
	if cPrev != nil {
		cPrev = cPrev[:H]
	}
	from := 0
	if fast {
		cellBackAVX(gates[:4*H], tc, cPrev, dhIn, dhNext, dcNext, dgates[:4*H])
		from = H &^ 3
	}
	for j := from; j < H; j++ {
		ij, fj, gj, oj := i[j], f[j], g[j], o[j] // read first: dgates may be gates
		// h = o·tanh(c); c = f·c_{t-1} + i·g
		dh := dhIn[j] + dhNext[j]
		dc := dcNext[j] + dh*oj*(1-tc[j]*tc[j])
		cp := 0.0
		if cPrev != nil {
			cp = cPrev[j]
		}
		// σ' = σ(1-σ), tanh' = 1-tanh²
		di[j] = dc * gj * ij * (1 - ij)
		df[j] = dc * cp * fj * (1 - fj)
		dg[j] = dc * ij * (1 - gj*gj)
		do[j] = dh * tc[j] * oj * (1 - oj)
		dcNext[j] = dc * fj
	}
}
