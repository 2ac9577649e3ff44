package lstm

// This file runs a cell (cell_lstm.go, cell_gru.go, cell_rnn.go) over a
// layer: the products with the weights, shared by every cell, around the
// cell's rows. A layer of H units of a cell with G = gates·H gate rows has
// its input projection in gates (B×T×Gp) and, for a GRU, the recurrent
// part in rec (B×T×Gp); see workspace.go. Their rows are padded to
// Gp = roundUpCols(G) columns, zero in the padding, so that the products
// writing them run entirely in the kernels; the cells read the first G.

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
	G := m.Cell.gates() * H
	Gp := roundUpCols(G)
	z := s.gates[:nb*T*Gp]
	// The recurrent product goes into the gates, but for a GRU into rec,
	// which starts from bhh.
	rz := z
	if m.Cell == GRU {
		rz = s.rec[:nb*T*Gp]
	}
	in := x
	if k > 0 {
		in = w.layers[k-1].h
	}
	for t0 := 0; t0 < T; t0 += chunkSteps {
		if w.stopped() {
			return
		}
		t1 := min(t0+chunkSteps, T)
		if k > 0 {
			w.layers[k-1].fwd.wait(t1)
		}
		w.project(m, k, in, t0, t1, nb)
		for t := t0; t < t1; t++ {
			if m.Cell == GRU {
				for b := range nb {
					copy(rz[(b*T+t)*Gp:(b*T+t)*Gp+G], l.Bhh)
				}
			}
			if t > 0 {
				// rz[:, t] (nb×Gp) += h[:, t-1] (nb×H) · Whhᵀ (H×Gp)
				mulAdd(fast, nb, Gp, H, s.h[(t-1)*H:], T*H, 1, pl.whhT, Gp, rz[t*Gp:], T*Gp)
			}
			for b := range nb {
				r := b*T + t
				h := s.h[r*H : (r+1)*H]
				switch m.Cell {
				case LSTM:
					var cPrev []float64 // c_{t-1}; nil means c_0 = 0
					if t > 0 {
						cPrev = s.c[(r-1)*H : r*H]
					}
					cellRow(fast, z[r*Gp:r*Gp+G], cPrev, s.c[r*H:(r+1)*H], s.tc[r*H:(r+1)*H], h)
				case GRU:
					var hPrev []float64 // h_{t-1}; nil means h_0 = 0
					if t > 0 {
						hPrev = s.h[(r-1)*H : r*H]
					}
					gruRow(fast, z[r*Gp:r*Gp+G], rz[r*Gp:r*Gp+G], hPrev, h)
				case RNN:
					rnnRow(fast, z[r*Gp:r*Gp+G], h)
				}
			}
		}
		s.fwd.publish(t1)
	}
}

// project writes into layer k's gates at steps t0..t1-1 of each of the nb
// windows their input projection from the layer's input in (nb×T×In):
// z (rows×Gp) = in (rows×In) · Wihᵀ (In×Gp) + bias, the bias being bih + bhh,
// or for a GRU bih alone.
func (w *workspace) project(m *Model, k int, in []float64, t0, t1, nb int) {
	T, In, Gp := w.steps, m.Layers[k].In, roundUpCols(m.Cell.gates()*m.Layers[k].Hidden)
	pl := &w.packed.layers[k]
	z := w.layers[k].gates
	for b := 0; b < nb; b++ {
		r0, r1 := b*T+t0, b*T+t1
		for r := r0; r < r1; r++ {
			copy(z[r*Gp:(r+1)*Gp], pl.bias)
		}
		mulAdd(w.packed.fast, r1-r0, Gp, In, in[r0*In:], In, 1, pl.wihT, Gp, z[r0*Gp:], Gp)
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
	G := m.Cell.gates() * H
	Gp := roundUpCols(G)
	rows := nb * T
	in, inDim := x, l.In
	if k > 0 {
		in = w.layers[k-1].h
	}
	// The gates of a row are last read where their gradients are
	// written, so the gradients dz with respect to the input projection
	// take their place. The gradients dzh with respect to the recurrent
	// product are the same but for a GRU, whose are in rec.
	dz := s.gates[:rows*Gp]
	dzh := dz
	if m.Cell == GRU {
		dzh = s.rec[:rows*Gp]
	}
	dhNext := s.dhNext[:nb*hp]
	clear(dhNext)
	if m.Cell == LSTM {
		clear(s.dcNext[:nb*H])
	}
	// Row r's dh from above is s.dh[r*dhStride:]; the last layer's
	// s.dh is one zero row, read for every r.
	dhStride := hp
	if k == last {
		dhStride = 0
		w.backwardHead(m, grad, nb)
	}

	for t1 := T; t1 > 0; t1 -= chunkSteps {
		if w.stopped() {
			return
		}
		t0 := max(t1-chunkSteps, 0)
		if k < last {
			// dLoss/dh_t from the layer above at steps t0..t1-1:
			// dh (rows×H) = dz' (rows×G') · Wih' (G'×H)
			w.layers[k+1].bwd.wait(T - t0)
			G1 := m.Cell.gates() * m.Layers[k+1].Hidden
			G1p := roundUpCols(G1)
			dz1, wih1 := w.layers[k+1].gates, w.packed.layers[k+1].wih
			for b := 0; b < nb; b++ {
				r0, r1 := b*T+t0, b*T+t1
				clear(s.dh[r0*hp : r1*hp])
				mulAdd(fast, r1-r0, hp, G1, dz1[r0*G1p:], G1p, 1, wih1, hp, s.dh[r0*hp:], hp)
			}
		}
		for t := t1 - 1; t >= t0; t-- {
			for b := 0; b < nb; b++ {
				r := b*T + t
				dhIn, dhN := s.dh[r*dhStride:r*dhStride+H], dhNext[b*hp:b*hp+H]
				switch m.Cell {
				case LSTM:
					var cPrev []float64 // c_{t-1}; nil means c_0 = 0
					if t > 0 {
						cPrev = s.c[(r-1)*H : r*H]
					}
					cellRowBackward(fast, s.gates[r*Gp:r*Gp+G], s.tc[r*H:(r+1)*H], cPrev,
						dhIn, dhN, s.dcNext[b*H:(b+1)*H], s.gates[r*Gp:r*Gp+G])
				case GRU:
					var hPrev []float64 // h_{t-1}; nil means h_0 = 0
					if t > 0 {
						hPrev = s.h[(r-1)*H : r*H]
					}
					gruRowBackward(fast, s.gates[r*Gp:r*Gp+G], s.rec[r*Gp:r*Gp+G], hPrev, dhIn, dhN)
				case RNN:
					rnnRowBackward(s.h[r*H:(r+1)*H], dhIn, dhN, s.gates[r*Gp:r*Gp+G])
				}
			}
			if t > 0 {
				// dh_{t-1} through the recurrence:
				// dhNext (nb×H) += dzh[:, t] (nb×G) · Whh (G×H),
				// added for a GRU to the direct part gruRowBackward
				// left there.
				if m.Cell != GRU {
					clear(dhNext)
				}
				mulAdd(fast, nb, hp, G, dzh[t*Gp:], T*Gp, 1, pl.whh, hp, dhNext, hp)
			}
		}
		s.bwd.publish(T - t0)
	}

	// dWih (G×In) = dzᵀ (G×rows) · in (rows×In), as its transpose
	// inᵀ (In×rows) · dz (rows×Gp), whose rows are as wide as the gates.
	gT := s.gradT[:inDim*Gp]
	clear(gT)
	mulAdd(fast, inDim, Gp, rows, in, 1, inDim, dz, Gp, gT, Gp)
	transpose(gl.Wih, inDim, gT, Gp, inDim, G)
	// dWhh (G×H) = Σ_b dzh[b, 1:T]ᵀ (G×(T-1)) · h[b, 0:T-1] ((T-1)×H),
	// as its transpose.
	gT = s.gradT[:H*Gp]
	clear(gT)
	for b := 0; b < nb; b++ {
		mulAdd(fast, H, Gp, T-1, s.h[b*T*H:], 1, H, dzh[(b*T+1)*Gp:], Gp, gT, Gp)
	}
	transpose(gl.Whh, H, gT, Gp, H, G)
	// dbih = Σ_rows dz = 1ᵀ (1×rows) · dz (rows×Gp), dbhh likewise of dzh.
	db := s.gradT[:Gp]
	clear(db)
	mulAdd(fast, 1, Gp, rows, w.ones, 1, 1, dz, Gp, db, Gp)
	copy(gl.Bih, db)
	if m.Cell == GRU {
		clear(db)
		mulAdd(fast, 1, Gp, rows, w.ones, 1, 1, dzh, Gp, db, Gp)
	}
	copy(gl.Bhh, db)
}
