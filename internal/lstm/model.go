// Package lstm is a stack of recurrent layers (LSTM, GRU or plain tanh
// RNN, one cell for the whole stack) with a dense head, trained by
// back-propagation through time and Adam, in pure Go.
//
// The equations, the gate orders (LSTM: input, forget, cell, output; GRU:
// reset, update, new) and the parameter shapes are those of PyTorch's
// nn.LSTM, nn.GRU, nn.RNN and nn.Linear, so a model file written here loads
// into the reference PyTorch modules and back.
package lstm

import (
	"fmt"
	"strconv"
)

// Cell is the recurrent cell of every layer of a Model.
type Cell int

// The cells, with PyTorch's equations (x the layer's input at step t, h the
// hidden state of step t-1, h_0 = c_0 = 0, σ the logistic function):
const (
	// LSTM is nn.LSTM: z = W_ih x + b_ih + W_hh h + b_hh split into
	// i, f, g, o along 4H; c_t = σ(f)·c_{t-1} + σ(i)·tanh(g),
	// h_t = σ(o)·tanh(c_t).
	LSTM Cell = iota
	// GRU is nn.GRU (Keras's GRU with reset_after): with the gates r, z, n
	// along 3H, r = σ(W_ir x + b_ir + W_hr h + b_hr),
	// z = σ(W_iz x + b_iz + W_hz h + b_hz),
	// n = tanh(W_in x + b_in + r·(W_hn h + b_hn)), h_t = (1-z)·n + z·h.
	GRU
	// RNN is nn.RNN with tanh, Elman's cell (Keras's SimpleRNN):
	// h_t = tanh(W_ih x + b_ih + W_hh h + b_hh).
	RNN
)

// cellNames are the cells' names, as in the model file's tensor names.
var cellNames = [...]string{LSTM: "lstm", GRU: "gru", RNN: "rnn"}

// String returns the cell's name: "lstm", "gru" or "rnn".
func (c Cell) String() string {
	if c < 0 || int(c) >= len(cellNames) {
		return "Cell(" + strconv.Itoa(int(c)) + ")"
	}
	return cellNames[c]
}

// ParseCell returns the cell named s ("lstm", "gru" or "rnn").
func ParseCell(s string) (Cell, error) {
	for c, name := range cellNames {
		if s == name {
			return Cell(c), nil
		}
	}
	return 0, fmt.Errorf("lstm: unknown cell %q, want lstm, gru or rnn", s)
}

// gates is the number of H-row blocks in the cell's weights: the rows of
// W_ih and W_hh are gates·H.
func (c Cell) gates() int {
	switch c {
	case LSTM:
		return 4
	case GRU:
		return 3
	}
	return 1
}

// Layer is one recurrent layer's parameters in PyTorch's layout, G·H rows
// with G = 4 (LSTM: i, f, g, o), 3 (GRU: r, z, n) or 1 (RNN). Each slice is
// a view into the owning Model's flat parameter buffer.
type Layer struct {
	In, Hidden int
	Wih        []float64 // G·H × In, row-major; rows [q·H, (q+1)·H) are gate q
	Whh        []float64 // G·H × H, row-major
	Bih        []float64 // G·H
	Bhh        []float64 // G·H
}

// Model is a stack of recurrent layers of one cell whose last hidden state
// feeds a dense head of O outputs. All parameters live in one flat buffer,
// Data, in state_dict order, so optimisers and gradients can treat them as
// a vector.
type Model struct {
	Cell   Cell
	Layers []Layer
	DenseW []float64 // O × H_last, row-major
	DenseB []float64 // O
	Data   []float64 // every parameter, in Params order
}

// Param is one named tensor of a Model, as in a PyTorch state_dict.
type Param struct {
	Name  string
	Shape []int
	Data  []float64 // a view into Model.Data
}

// Limits of NewCell. They keep every size that reaches an allocation far
// from overflow and bound memory: a model of MaxParams parameters takes 128
// MiB, and training holds about ten copies of it (weights, packed weights,
// gradients, Adam's moments, the best and last finite weights), so about
// 1.3 GiB. A forecaster of daily prices needs far less: the tutorial's is
// two LSTM layers of 50 units, 30,651 parameters. MaxOutputs bounds the
// head, one output per step ahead for a direct multi-step forecast.
const (
	MaxInputs  = 1024    // features per time step
	MaxLayers  = 16      // recurrent layers
	MaxUnits   = 1024    // hidden units of one layer
	MaxOutputs = 1024    // outputs of the dense head
	MaxParams  = 1 << 24 // parameters of the whole model
)

// New returns an LSTM model of one output with zero parameters, for inputs
// features per time step and the given hidden sizes, one per layer: it is
// NewCell(LSTM, inputs, units, 1).
func New(inputs int, units []int) (*Model, error) {
	return NewCell(LSTM, inputs, units, 1)
}

// NewCell returns a model of the given cell with zero parameters for inputs
// features per time step, the given hidden sizes, one per layer, and a head
// of outputs outputs. It returns an error when the cell is unknown or
// inputs, outputs or any size is below 1 or past its limit (MaxInputs,
// MaxOutputs, MaxLayers, MaxUnits, MaxParams), before allocating anything.
func NewCell(cell Cell, inputs int, units []int, outputs int) (*Model, error) {
	switch {
	case cell < 0 || int(cell) >= len(cellNames):
		return nil, fmt.Errorf("lstm: unknown cell %v", cell)
	case inputs < 1 || inputs > MaxInputs:
		return nil, fmt.Errorf("lstm: input size must be between 1 and %d, got %d", MaxInputs, inputs)
	case outputs < 1 || outputs > MaxOutputs:
		return nil, fmt.Errorf("lstm: outputs must be between 1 and %d, got %d", MaxOutputs, outputs)
	case len(units) == 0:
		return nil, fmt.Errorf("lstm: need at least one layer")
	case len(units) > MaxLayers:
		return nil, fmt.Errorf("lstm: %d layers, at most %d", len(units), MaxLayers)
	}
	g := cell.gates()
	n := 0
	in := inputs
	for k, h := range units {
		if h < 1 || h > MaxUnits {
			return nil, fmt.Errorf("lstm: layer %d has %d units, want between 1 and %d", k+1, h, MaxUnits)
		}
		n += g*h*in + g*h*h + 2*g*h // at most 16 of 2^23 each: no overflow
		in = h
	}
	n += outputs*in + outputs
	if n > MaxParams {
		return nil, fmt.Errorf("lstm: a model of %d inputs, %v units %v and %d outputs has %d parameters, over the limit of %d", inputs, cell, units, outputs, n, MaxParams)
	}
	m := &Model{Cell: cell, Data: make([]float64, n), Layers: make([]Layer, len(units))}
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
		l.Wih = take(g * h * in)
		l.Whh = take(g * h * h)
		l.Bih = take(g * h)
		l.Bhh = take(g * h)
		in = h
	}
	m.DenseW = take(outputs * in)
	m.DenseB = take(outputs)
	return m, nil
}

// Inputs is the number of features per time step.
func (m *Model) Inputs() int { return m.Layers[0].In }

// Outputs is the number of outputs of the dense head.
func (m *Model) Outputs() int { return len(m.DenseB) }

// Units returns the hidden size of each layer.
func (m *Model) Units() []int {
	u := make([]int, len(m.Layers))
	for k, l := range m.Layers {
		u[k] = l.Hidden
	}
	return u
}

// Params lists the model's tensors in PyTorch state_dict order:
// {cell}{k}.weight_ih_l0, {cell}{k}.weight_hh_l0, {cell}{k}.bias_ih_l0,
// {cell}{k}.bias_hh_l0 for k = 1..K, the cell being lstm, gru or rnn, then
// dense.weight and dense.bias.
func (m *Model) Params() []Param {
	ps := make([]Param, 0, 4*len(m.Layers)+2)
	for k, l := range m.Layers {
		p := m.Cell.String() + strconv.Itoa(k+1) + "."
		gh := m.Cell.gates() * l.Hidden
		ps = append(ps,
			Param{p + "weight_ih_l0", []int{gh, l.In}, l.Wih},
			Param{p + "weight_hh_l0", []int{gh, l.Hidden}, l.Whh},
			Param{p + "bias_ih_l0", []int{gh}, l.Bih},
			Param{p + "bias_hh_l0", []int{gh}, l.Bhh},
		)
	}
	o := m.Outputs()
	ps = append(ps,
		Param{"dense.weight", []int{o, len(m.DenseW) / o}, m.DenseW},
		Param{"dense.bias", []int{o}, m.DenseB},
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
	z, err := NewCell(m.Cell, m.Inputs(), m.Units(), m.Outputs())
	if err != nil {
		panic(err) // m was built by NewCell, so its sizes are valid
	}
	return z
}
