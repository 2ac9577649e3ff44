package lstm

import "gonum.org/v1/gonum/blas"

// backward back-propagates w.dout[:nb] = dLoss/dout through the forward pass
// last run on x and adds the parameter gradients to grad, a model of m's
// shape used as gradient storage.
func (w *workspace) backward(m, grad *Model, x []float64, nb int) {
	T := w.steps
	last := len(m.Layers) - 1

	// Head: out_b = DenseW · hT_b + DenseB, so
	// dDenseW += Σ_b dout_b hT_b, dDenseB += Σ_b dout_b, dhT_b = dout_b DenseW.
	{
		s := &w.layers[last]
		H := m.Layers[last].Hidden
		dh := s.dh[:nb*T*H]
		clear(dh)
		for b := 0; b < nb; b++ {
			d := w.dout[b]
			r := b*T + T - 1
			hT := s.h[r*H : (r+1)*H]
			dhT := dh[r*H : (r+1)*H]
			for j, v := range hT {
				grad.DenseW[j] += d * v
				dhT[j] = d * m.DenseW[j]
			}
			grad.DenseB[0] += d
		}
	}

	for k := last; k >= 0; k-- {
		l := &m.Layers[k]
		gl := &grad.Layers[k]
		s := &w.layers[k]
		H := l.Hidden
		G := 4 * H
		rows := nb * T
		in, inDim := x, l.In
		if k > 0 {
			in = w.layers[k-1].h
		}
		dz := s.dgates[:rows*G]
		dhNext := s.dhNext[:nb*H]
		dcNext := s.dcNext[:nb*H]
		clear(dhNext)
		clear(dcNext)

		for t := T - 1; t >= 0; t-- {
			for b := 0; b < nb; b++ {
				r := b*T + t
				g4 := s.gates[r*G : (r+1)*G]
				i, f, g, o := g4[:H], g4[H:2*H], g4[2*H:3*H], g4[3*H:]
				d4 := dz[r*G : (r+1)*G]
				di, df, dg, do := d4[:H], d4[H:2*H], d4[2*H:3*H], d4[3*H:]
				tc := s.tc[r*H : (r+1)*H]
				dhIn := s.dh[r*H : (r+1)*H]
				dhN := dhNext[b*H : (b+1)*H]
				dcN := dcNext[b*H : (b+1)*H]
				var cPrev []float64 // c_{t-1}; nil means c_0 = 0
				if t > 0 {
					cPrev = s.c[(r-1)*H : r*H]
				}
				for j := range H {
					// h = o·tanh(c); c = f·c_{t-1} + i·g
					dh := dhIn[j] + dhN[j]
					dc := dcN[j] + dh*o[j]*(1-tc[j]*tc[j])
					cp := 0.0
					if cPrev != nil {
						cp = cPrev[j]
					}
					// σ' = σ(1-σ), tanh' = 1-tanh²
					di[j] = dc * g[j] * i[j] * (1 - i[j])
					df[j] = dc * cp * f[j] * (1 - f[j])
					dg[j] = dc * i[j] * (1 - g[j]*g[j])
					do[j] = dh * tc[j] * o[j] * (1 - o[j])
					dcN[j] = dc * f[j]
				}
			}
			if t > 0 {
				// dh_{t-1} through the recurrence:
				// dhNext (nb×H) = dz[:, t] (nb×4H) · Whh (4H×H)
				gemm(blas.NoTrans, blas.NoTrans, nb, H, G, 1, dz[t*G:], T*G, l.Whh, H, 0, dhNext, H)
			}
		}

		// dWih (4H×In) += dzᵀ (4H×rows) · in (rows×In)
		if inDim <= narrowInput {
			for r := 0; r < rows; r++ {
				xr := in[r*inDim : (r+1)*inDim]
				for j, d := range dz[r*G : (r+1)*G] {
					for a, xa := range xr {
						gl.Wih[j*inDim+a] += d * xa
					}
				}
			}
		} else {
			gemm(blas.Trans, blas.NoTrans, G, inDim, rows, 1, dz, G, in, inDim, 1, gl.Wih, inDim)
		}
		// dWhh (4H×H) += Σ_b dz[b, 1:T]ᵀ (4H×(T-1)) · h[b, 0:T-1] ((T-1)×H)
		if T > 1 {
			for b := 0; b < nb; b++ {
				gemm(blas.Trans, blas.NoTrans, G, H, T-1, 1, dz[(b*T+1)*G:], G, s.h[b*T*H:], H, 1, gl.Whh, H)
			}
		}
		// dbih = dbhh += Σ_rows dz
		for r := 0; r < rows; r++ {
			for j, v := range dz[r*G : (r+1)*G] {
				gl.Bih[j] += v
				gl.Bhh[j] += v
			}
		}
		if k > 0 {
			// dLoss/d(input sequence) for the layer below:
			// dh (rows×In) = dz (rows×4H) · Wih (4H×In)
			gemm(blas.NoTrans, blas.NoTrans, rows, inDim, G, 1, dz, G, l.Wih, inDim, 0, w.layers[k-1].dh, inDim)
		}
	}
}
