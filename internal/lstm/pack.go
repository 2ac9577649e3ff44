package lstm

// packedLayer is a layer's weights copied into the layouts that the
// products read: B operands row-major with the output's columns contiguous.
type packedLayer struct {
	bias []float64 // Gp: the input projection's bias, Bih + Bhh, or for a GRU Bih alone, zero-padded
	wihT []float64 // In×Gp: Wihᵀ, zero-padded, for the input projection
	whhT []float64 // H×Gp: Whhᵀ, zero-padded, for the recurrence
	whh  []float64 // G×roundUpCols(H): Whh, zero-padded, for dh through the recurrence
	wih  []float64 // G×roundUpCols(In): Wih, zero-padded, for dh of the layer below; nil for the first layer
}

// packedModel is a model's weights packed for the products of forward and
// backward passes, shared by the workspaces that run one model
// concurrently, and whether those products use the assembly kernels.
type packedModel struct {
	fast   bool
	layers []packedLayer
}

// newPackedModel returns m's weights packed, using the assembly kernels
// when the CPU runs them.
func newPackedModel(m *Model) *packedModel {
	p := &packedModel{fast: haveKernels(), layers: make([]packedLayer, len(m.Layers))}
	for k, l := range m.Layers {
		g := m.Cell.gates() * l.Hidden
		gp := roundUpCols(g)
		pl := &p.layers[k]
		pl.bias = make([]float64, gp)
		pl.wihT = make([]float64, l.In*gp)
		pl.whhT = make([]float64, l.Hidden*gp)
		pl.whh = make([]float64, g*roundUpCols(l.Hidden))
		if k > 0 {
			pl.wih = make([]float64, g*roundUpCols(l.In))
		}
	}
	p.load(m)
	return p
}

// load packs m's current weights; m must have the shape p was made for.
func (p *packedModel) load(m *Model) {
	for k := range m.Layers {
		p.loadLayer(m, k)
	}
}

// loadLayer packs the current weights of m's layer k.
func (p *packedModel) loadLayer(m *Model, k int) {
	l := &m.Layers[k]
	pl := &p.layers[k]
	g := m.Cell.gates() * l.Hidden
	// A GRU's bhh is added to the recurrent product, not to the
	// projection: the n gate scales that sum by r.
	copy(pl.bias, l.Bih)
	if m.Cell != GRU {
		for j := range g {
			pl.bias[j] += l.Bhh[j]
		}
	}
	gp := roundUpCols(g)
	transpose(pl.wihT, gp, l.Wih, l.In, g, l.In)
	transpose(pl.whhT, gp, l.Whh, l.Hidden, g, l.Hidden)
	pad(pl.whh, l.Whh, g, l.Hidden)
	if pl.wih != nil {
		pad(pl.wih, l.Wih, g, l.In)
	}
}

// transpose writes the transpose of the r×c matrix src, whose rows start
// lds values apart, into dst (c×r), whose rows start ldd values apart.
// It reads four rows of src at a time, so that each row of dst is written
// four adjacent values at a time rather than one value per cache line.
func transpose(dst []float64, ldd int, src []float64, lds, r, c int) {
	i := 0
	for ; i+4 <= r; i += 4 {
		s0 := src[i*lds : i*lds+c]
		s1 := src[(i+1)*lds : (i+1)*lds+c]
		s2 := src[(i+2)*lds : (i+2)*lds+c]
		s3 := src[(i+3)*lds : (i+3)*lds+c]
		for j, v := range s0 {
			d := dst[j*ldd+i : j*ldd+i+4]
			d[0], d[1], d[2], d[3] = v, s1[j], s2[j], s3[j]
		}
	}
	for ; i < r; i++ {
		for j, v := range src[i*lds : i*lds+c] {
			dst[j*ldd+i] = v
		}
	}
}

// pad copies the r×c row-major src into dst with rows of roundUpCols(c)
// values, the padding zero.
func pad(dst, src []float64, r, c int) {
	cp := roundUpCols(c)
	for i := range r {
		copy(dst[i*cp:i*cp+c], src[i*c:(i+1)*c])
	}
}
