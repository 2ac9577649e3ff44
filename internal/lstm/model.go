// Package lstm is a stack of LSTM layers with a dense head, trained by
// back-propagation through time and Adam, in pure Go.
//
// The equations, the gate order (input, forget, cell, output) and the
// parameter shapes are those of PyTorch's nn.LSTM and nn.Linear, so a model
// file written here loads into the reference PyTorch module and back.
package lstm

import (
	"fmt"
	"strconv"
)

// Layer is one LSTM layer's parameters in PyTorch's layout. Each slice is a
// view into the owning Model's flat parameter buffer.
type Layer struct {
	In, Hidden int
	Wih        []float64 // 4H x In, row-major; rows [0:H]=i, [H:2H]=f, [2H:3H]=g, [3H:4H]=o
	Whh        []float64 // 4H x H, row-major
	Bih        []float64 // 4H
	Bhh        []float64 // 4H
}

// Model is a stack of LSTM layers whose last hidden state feeds a dense head
// with one output. All parameters live in one flat buffer, Data, in
// state_dict order, so optimisers and gradients can treat them as a vector.
type Model struct {
	Layers []Layer
	DenseW []float64 // 1 x H_last
	DenseB []float64 // 1
	Data   []float64 // every parameter, in Params order
}

// Param is one named tensor of a Model, as in a PyTorch state_dict.
type Param struct {
	Name  string
	Shape []int
	Data  []float64 // a view into Model.Data
}

// Limits of New. They keep every size that reaches an allocation far from
// overflow and bound memory: a model of MaxParams parameters takes 128 MiB,
// and training holds about ten copies of it (weights, packed weights,
// gradients, Adam's moments, the best and last finite weights), so about
// 1.3 GiB. A forecaster of daily prices needs far less: the tutorial's is
// two layers of 50 units, 30,651 parameters.
const (
	MaxInputs = 1024    // features per time step
	MaxLayers = 16      // LSTM layers
	MaxUnits  = 1024    // hidden units of one layer
	MaxParams = 1 << 24 // parameters of the whole model
)

// New returns a model with zero parameters for inputs features per time step
// and the given hidden sizes, one per layer. It returns an error when inputs
// or any size is below 1 or past its limit (MaxInputs, MaxLayers, MaxUnits,
// MaxParams), before allocating anything.
func New(inputs int, units []int) (*Model, error) {
	switch {
	case inputs < 1 || inputs > MaxInputs:
		return nil, fmt.Errorf("lstm: input size must be between 1 and %d, got %d", MaxInputs, inputs)
	case len(units) == 0:
		return nil, fmt.Errorf("lstm: need at least one layer")
	case len(units) > MaxLayers:
		return nil, fmt.Errorf("lstm: %d layers, at most %d", len(units), MaxLayers)
	}
	n := 0
	in := inputs
	for k, h := range units {
		if h < 1 || h > MaxUnits {
			return nil, fmt.Errorf("lstm: layer %d has %d units, want between 1 and %d", k+1, h, MaxUnits)
		}
		n += 4*h*in + 4*h*h + 8*h // at most 16 of 2^23 each: no overflow
		in = h
	}
	n += in + 1
	if n > MaxParams {
		return nil, fmt.Errorf("lstm: a model of %d inputs and units %v has %d parameters, over the limit of %d", inputs, units, n, MaxParams)
	}
	m := &Model{Data: make([]float64, n), Layers: make([]Layer, len(units))}
	off := 0
	take := func(k int) []float64 {
		s := m.Data[off : off+k : off+k]
		off += k
		return s
	}
	in = inputs
	for k, h := range units {
		m.Layers[k] = Layer{In: in, Hidden: h}
		l := &m.Layers[k]
		l.Wih = take(4 * h * in)
		l.Whh = take(4 * h * h)
		l.Bih = take(4 * h)
		l.Bhh = take(4 * h)
		in = h
	}
	m.DenseW = take(in)
	m.DenseB = take(1)
	return m, nil
}

// Inputs is the number of features per time step.
func (m *Model) Inputs() int { return m.Layers[0].In }

// Units returns the hidden size of each layer.
func (m *Model) Units() []int {
	u := make([]int, len(m.Layers))
	for k, l := range m.Layers {
		u[k] = l.Hidden
	}
	return u
}

// Params lists the model's tensors in PyTorch state_dict order:
// lstm{k}.weight_ih_l0, lstm{k}.weight_hh_l0, lstm{k}.bias_ih_l0,
// lstm{k}.bias_hh_l0 for k = 1..K, then dense.weight and dense.bias.
func (m *Model) Params() []Param {
	ps := make([]Param, 0, 4*len(m.Layers)+2)
	for k, l := range m.Layers {
		p := "lstm" + strconv.Itoa(k+1) + "."
		h4 := 4 * l.Hidden
		ps = append(ps,
			Param{p + "weight_ih_l0", []int{h4, l.In}, l.Wih},
			Param{p + "weight_hh_l0", []int{h4, l.Hidden}, l.Whh},
			Param{p + "bias_ih_l0", []int{h4}, l.Bih},
			Param{p + "bias_hh_l0", []int{h4}, l.Bhh},
		)
	}
	ps = append(ps,
		Param{"dense.weight", []int{1, len(m.DenseW)}, m.DenseW},
		Param{"dense.bias", []int{1}, m.DenseB},
	)
	return ps
}

// Clone returns a deep copy of m.
func (m *Model) Clone() *Model {
	c := m.zeroLike()
	copy(c.Data, m.Data)
	return c
}

// zeroLike returns a model of m's shape with all parameters zero.
func (m *Model) zeroLike() *Model {
	z, err := New(m.Inputs(), m.Units())
	if err != nil {
		panic(err) // m was built by New, so its sizes are valid
	}
	return z
}
