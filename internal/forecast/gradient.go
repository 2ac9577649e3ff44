package forecast

import (
	"context"
	"fmt"
	"slices"

	"github.com/lstmfc/lstmfc/internal/lstm"
)

// LagGradient returns how strongly the model's prediction depends on each
// of the values before it: element k-1, for k = 1..Lookback, is the mean
// over every window of prices of |∂ŷ/∂x_{T-k}|, the absolute gradient of
// the network's output with respect to its input k steps before the value
// predicted, both in the model's scaled units. It is the tutorial's picture
// of the vanishing gradient: training can only teach a dependency on lag k
// through this gradient, so when it falls by orders of magnitude with k,
// the values that far back are beyond the model's reach. ctx cancels it.
func (m *Model) LagGradient(ctx context.Context, prices []float64) ([]float64, error) {
	if len(prices) <= m.Lookback {
		return nil, fmt.Errorf("the series has %d values; the gradient needs more than the lookback of %d", len(prices), m.Lookback)
	}
	if err := m.Enc.Check(prices); err != nil {
		return nil, err
	}
	w := m.Enc.Windows(m.Enc.Encode(prices), m.Lookback, m.Lookback, len(prices))
	g := make([]float64, m.Lookback)
	if err := m.Net.MeanAbsInputGradient(ctx, lstm.OneTarget(w), m.Lookback, g); err != nil {
		return nil, err
	}
	// The window's last value is lag 1.
	slices.Reverse(g)
	return g, nil
}

// Initial returns m with its network's weights replaced by the initial
// weights a fit of the given seed starts from (Keras's initialisation), its
// encoding and lookback kept: the model before it learned anything, whose
// LagGradient shows what the cell alone carries.
func (m *Model) Initial(seed uint64) (*Model, error) {
	net, err := lstm.NewCell(m.Net.Cell, m.Net.Inputs(), m.Net.Units(), m.Net.Outputs())
	if err != nil {
		return nil, err
	}
	net.InitKeras(seed)
	return &Model{Net: net, Enc: m.Enc, Lookback: m.Lookback}, nil
}
