package lstm

import "math"

// This file is the LSTM cell, forward and backward side by side: each
// function of the forward pass is followed by its backward pass, over the
// buffers of a layerState (see workspace.go), all batch-major. For a layer
// of H units over a batch of B windows of T steps:
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
// where z = x_t·Wihᵀ + bih + h_{t-1}·Whhᵀ + bhh. Another cell (GRU, RNN)
// would sit beside this one in a file of its own with the same pairs.

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

// forwardLayer runs layer k over the nb windows of x (nb×T×In) a chunk
// of steps at a time: once the layer below has published the chunk's
// hidden states, it projects them onto the gates, runs the steps and
// publishes its own. So layer k may run on another goroutine one chunk
// behind layer k-1.
func (w *workspace) forwardLayer(m *Model, k int, x []float64, nb int) {
	T := w.steps
	fast := w.packed.fast
	l := &m.Layers[k]
	pl := &w.packed.layers[k]
	s := &w.layers[k]
	H := l.Hidden
	G := 4 * H
	z := s.gates[:nb*T*G]
	in := x
	if k > 0 {
		in = w.layers[k-1].h
	}
	for t0 := 0; t0 < T; t0 += chunkSteps {
		t1 := min(t0+chunkSteps, T)
		if k > 0 {
			w.layers[k-1].fwd.wait(t1)
		}
		w.project(m, k, in, t0, t1, nb)
		for t := t0; t < t1; t++ {
			if t > 0 {
				// z[:, t] (nb×4H) += h[:, t-1] (nb×H) · Whhᵀ (H×4H)
				mulAdd(fast, nb, G, H, s.h[(t-1)*H:], T*H, 1, pl.whhT, G, z[t*G:], T*G)
			}
			for b := 0; b < nb; b++ {
				r := b*T + t
				var cPrev []float64 // c_{t-1}; nil means c_0 = 0
				if t > 0 {
					cPrev = s.c[(r-1)*H : r*H]
				}
				cellRow(fast, z[r*G:(r+1)*G], cPrev, s.c[r*H:(r+1)*H], s.tc[r*H:(r+1)*H], s.h[r*H:(r+1)*H])
			}
		}
		s.fwd.publish(t1)
	}
}

// project writes into layer k's gates at steps t0..t1-1 of each of the nb
// windows their pre-activations from the layer's input in (nb×T×In):
// z (rows×4H) = in (rows×In) · Wihᵀ (In×4H) + bih + bhh.
func (w *workspace) project(m *Model, k int, in []float64, t0, t1, nb int) {
	T, In, G := w.steps, m.Layers[k].In, 4*m.Layers[k].Hidden
	pl := &w.packed.layers[k]
	z := w.layers[k].gates
	for b := 0; b < nb; b++ {
		r0, r1 := b*T+t0, b*T+t1
		for r := r0; r < r1; r++ {
			copy(z[r*G:(r+1)*G], pl.bias)
		}
		mulAdd(w.packed.fast, r1-r0, G, In, in[r0*In:], In, 1, pl.wihT, G, z[r0*G:], G)
	}
}

// backwardLayer back-propagates w.dout[:nb] = dLoss/dout through layer k
// of the forward pass last run on x, from the last step to the first, and
// writes the gradients of the layer's parameters (and, for the last layer,
// of the head's) into grad, a model of m's shape used as gradient storage.
// It goes a chunk of steps at a time: once the layer above has published
// the chunk's gate gradients, it computes the chunk's dh from them, runs
// the steps and publishes its own. So layer k may run on another goroutine
// one chunk behind layer k+1.
func (w *workspace) backwardLayer(m, grad *Model, k int, x []float64, nb int) {
	T := w.steps
	fast := w.packed.fast
	last := len(m.Layers) - 1
	l := &m.Layers[k]
	pl := &w.packed.layers[k]
	gl := &grad.Layers[k]
	s := &w.layers[k]
	H := l.Hidden
	hp := roundUpCols(H)
	G := 4 * H
	rows := nb * T
	in, inDim := x, l.In
	if k > 0 {
		in = w.layers[k-1].h
	}
	// The gates of a row are last read where their gradients are
	// written, so the gradients take their place.
	dz := s.gates[:rows*G]
	dhNext := s.dhNext[:nb*hp]
	dcNext := s.dcNext[:nb*H]
	clear(dhNext)
	clear(dcNext)
	// Row r's dh from above is s.dh[r*dhStride:]; the last layer's
	// s.dh is one zero row, read for every r.
	dhStride := hp
	if k == last {
		dhStride = 0
		w.backwardHead(m, grad, nb)
	}

	for t1 := T; t1 > 0; t1 -= chunkSteps {
		t0 := max(t1-chunkSteps, 0)
		if k < last {
			// dLoss/dh_t from the layer above at steps t0..t1-1:
			// dh (rows×H) = dz' (rows×4H') · Wih' (4H'×H)
			w.layers[k+1].bwd.wait(T - t0)
			G1 := 4 * m.Layers[k+1].Hidden
			dz1, wih1 := w.layers[k+1].gates, w.packed.layers[k+1].wih
			for b := 0; b < nb; b++ {
				r0, r1 := b*T+t0, b*T+t1
				clear(s.dh[r0*hp : r1*hp])
				mulAdd(fast, r1-r0, hp, G1, dz1[r0*G1:], G1, 1, wih1, hp, s.dh[r0*hp:], hp)
			}
		}
		for t := t1 - 1; t >= t0; t-- {
			for b := 0; b < nb; b++ {
				r := b*T + t
				var cPrev []float64 // c_{t-1}; nil means c_0 = 0
				if t > 0 {
					cPrev = s.c[(r-1)*H : r*H]
				}
				cellRowBackward(fast, s.gates[r*G:(r+1)*G], s.tc[r*H:(r+1)*H], cPrev,
					s.dh[r*dhStride:r*dhStride+H], dhNext[b*hp:b*hp+H], dcNext[b*H:(b+1)*H], s.gates[r*G:(r+1)*G])
			}
			if t > 0 {
				// dh_{t-1} through the recurrence:
				// dhNext (nb×H) = dz[:, t] (nb×4H) · Whh (4H×H)
				clear(dhNext)
				mulAdd(fast, nb, hp, G, dz[t*G:], T*G, 1, pl.whh, hp, dhNext, hp)
			}
		}
		s.bwd.publish(T - t0)
	}

	// dWih (4H×In) = dzᵀ (4H×rows) · in (rows×In), as its transpose
	// inᵀ (In×rows) · dz (rows×4H), whose rows are as wide as the gates.
	gT := s.gradT[:inDim*G]
	clear(gT)
	mulAdd(fast, inDim, G, rows, in, 1, inDim, dz, G, gT, G)
	transpose(gl.Wih, gT, inDim, G)
	// dWhh (4H×H) = Σ_b dz[b, 1:T]ᵀ (4H×(T-1)) · h[b, 0:T-1] ((T-1)×H),
	// as its transpose.
	gT = s.gradT[:H*G]
	clear(gT)
	for b := 0; b < nb; b++ {
		mulAdd(fast, H, G, T-1, s.h[b*T*H:], 1, H, dz[(b*T+1)*G:], G, gT, G)
	}
	transpose(gl.Whh, gT, H, G)
	// dbih = dbhh = Σ_rows dz = 1ᵀ (1×rows) · dz (rows×4H)
	db := s.gradT[:G]
	clear(db)
	mulAdd(fast, 1, G, rows, w.ones, 1, 1, dz, G, db, G)
	copy(gl.Bih, db)
	copy(gl.Bhh, db)
}
