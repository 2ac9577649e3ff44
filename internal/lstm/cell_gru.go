package lstm

import "math"

// This file is the GRU cell, forward and backward side by side, over one
// row (one window at one step) of the buffers of a layerState; layer.go
// runs them over a layer. For a layer of H units over a batch of B windows
// of T steps:
//
//	gates  B×T×3H  the input part gx = x_t·Wihᵀ + bih, then r, z, n in
//	               place; in the backward pass dLoss/dgx in their place
//	rec    B×T×3H  the recurrent part gh = h_{t-1}·Whhᵀ + bhh; in the
//	               backward pass dLoss/dgh in its place
//	h      B×T×H   h_t, the layer's output sequence
//
// The equations are PyTorch's nn.GRU, gates r, z, n along 3H:
//
//	r = σ(gx_r + gh_r)  z = σ(gx_z + gh_z)  n = tanh(gx_n + r·gh_n)
//	h_t = (1-z)·n + z·h_{t-1}, computed as n + z·(h_{t-1} - n)
//
// The recurrent part of n is scaled by r, so unlike the LSTM's it cannot be
// summed into the gates: it is kept apart, and its gradient differs from
// the input part's in the n block (dgh_n = r·dgx_n).

// gruRow completes one step of one window in a layer of H units: from the
// input part gx (3H), replaced in place by r, z, n, and the recurrent part
// gh (3H), it writes h_t into h (H). A nil hPrev means h_{t-1} = 0; hPrev
// may be h itself. With fast set, whole groups of four units are computed
// by the AVX2/FMA kernel.
func gruRow(fast bool, gx, gh, hPrev, h []float64) {
	H := len(h)
	r, z, n := gx[:H], gx[H:2*H], gx[2*H:3*H]
	ghr, ghz, ghn := gh[:H], gh[H:2*H], gh[2*H:3*H]
	if hPrev != nil {
		hPrev = hPrev[:H]
	}
	from := 0
	if fast {
		gruAVX(gx[:3*H], gh[:3*H], hPrev, h)
		from = H &^ 3
	}
	for j := from; j < H; j++ {
		rj := sigmoid(r[j] + ghr[j])
		zj := sigmoid(z[j] + ghz[j])
		nj := math.Tanh(n[j] + rj*ghn[j])
		r[j], z[j], n[j] = rj, zj, nj
		hp := 0.0
		if hPrev != nil {
			hp = hPrev[j]
		}
		h[j] = nj + zj*(hp-nj)
	}
}

// gruRowBackward back-propagates one step of one window through a layer of
// H units: from the gates r, z, n (3H) and the recurrent part gh (3H) of
// the forward pass, h_{t-1} (nil for h_0 = 0) and dLoss/dh_t in two parts,
// dhIn from above and dhNext through step t+1, it writes dLoss/dgx in place
// of the gates and dLoss/dgh in place of gh, and replaces dhNext by
// dLoss/dh_{t-1} through h_t's direct use of it (z·dh); the part through
// gh is added by the caller, as a product with Whh. With fast set, whole
// groups of four units are computed by the AVX2 kernel.
func gruRowBackward(fast bool, gates, gh, hPrev, dhIn, dhNext []float64) {
	H := len(dhIn)
	r, z, n := gates[:H], gates[H:2*H], gates[2*H:3*H]
	ghr, ghz, ghn := gh[:H], gh[H:2*H], gh[2*H:3*H]
	dhNext = dhNext[:H]
	if hPrev != nil {
		hPrev = hPrev[:H]
	}
	from := 0
	if fast {
		gruBackAVX(gates[:3*H], gh[:3*H], hPrev, dhIn[:H], dhNext)
		from = H &^ 3
	}
	for j := from; j < H; j++ {
		rj, zj, nj, hn := r[j], z[j], n[j], ghn[j] // read first: written below
		hp := 0.0
		if hPrev != nil {
			hp = hPrev[j]
		}
		// h = n + z·(h_{t-1} - n); σ' = σ(1-σ), tanh' = 1-tanh². The
		// conversion rounds n², as the kernel does, where the compiler
		// could otherwise fuse it with the subtraction.
		dh := dhIn[j] + dhNext[j]
		dn := dh * (1 - zj) * (1 - float64(nj*nj))
		dr := dn * hn * rj * (1 - rj)
		dz := dh * (hp - nj) * zj * (1 - zj)
		r[j], z[j], n[j] = dr, dz, dn
		ghr[j], ghz[j], ghn[j] = dr, dz, dn*rj
		dhNext[j] = dh * zj
	}
}
