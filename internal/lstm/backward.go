package lstm

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
