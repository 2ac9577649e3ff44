package lstm

import (
	"cmp"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gonum.org/v1/gonum/floats/scalar"
)

// tensor is a JSON array of any nesting depth, flattened in row-major order.
type tensor []float64

func (t *tensor) UnmarshalJSON(b []byte) error {
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*t = (*t)[:0]
	var walk func(v any) error
	walk = func(v any) error {
		switch v := v.(type) {
		case float64:
			*t = append(*t, v)
		case []any:
			for _, e := range v {
				if err := walk(e); err != nil {
					return err
				}
			}
		default:
			return errors.New("tensor holds a non-number")
		}
		return nil
	}
	return walk(v)
}

type adamState struct {
	ExpAvg   tensor `json:"exp_avg"`
	ExpAvgSq tensor `json:"exp_avg_sq"`
}

// golden is the content of a file written by shared/reference/make_golden.py
// (an LSTM of two layers, config H1 and H2) or make_golden_stack.py (config
// cell, units, features and outputs).
type golden struct {
	Config struct {
		Cell              string
		Units             []int
		Features, Outputs int
		H1, H2, T, B      int
	}
	Params  map[string]tensor
	X, Y    tensor
	Out     tensor            `json:"outputs"`
	Loss    float64           `json:"loss"`
	Inter   map[string]tensor `json:"intermediates"`
	Grads   map[string]tensor
	Params1 map[string]tensor    `json:"params_after_step1"`
	Adam1   map[string]adamState `json:"adam_state_after_step1"`
	Losses  []float64            `json:"losses_before_each_step"`
	Params4 map[string]tensor    `json:"params_after_step4"`
	Adam4   map[string]adamState `json:"adam_state_after_step4"`
	Out4    tensor               `json:"outputs_after_step4"`
	Loss4   float64              `json:"loss_after_step4"`
}

// model returns a model of g's architecture with g's initial parameters.
func (g *golden) model(t *testing.T) *Model {
	t.Helper()
	c := g.Config
	cell, err := ParseCell(cmp.Or(c.Cell, "lstm"))
	if err != nil {
		t.Fatal(err)
	}
	units := c.Units
	if units == nil {
		units = []int{c.H1, c.H2}
	}
	m, err := NewCell(cell, max(c.Features, 1), units, max(c.Outputs, 1))
	if err != nil {
		t.Fatal(err)
	}
	if len(g.Params) != len(m.Params()) {
		t.Fatalf("golden has %d tensors, model %d", len(g.Params), len(m.Params()))
	}
	for _, p := range m.Params() {
		if len(g.Params[p.Name]) != len(p.Data) {
			t.Fatalf("%s: golden has %d values, model %d", p.Name, len(g.Params[p.Name]), len(p.Data))
		}
		copy(p.Data, g.Params[p.Name])
	}
	return m
}

func readGolden(t *testing.T, path string) *golden {
	t.Helper()
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		t.Skipf("golden file %s not found: the shared golden vectors are not beside this checkout", path)
	}
	if err != nil {
		t.Fatal(err)
	}
	var g golden
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return &g
}

// byName splits flat, a vector in m's parameter layout, into m's named
// tensors.
func byName(m *Model, flat []float64) map[string][]float64 {
	out := make(map[string][]float64)
	off := 0
	for _, p := range m.Params() {
		out[p.Name] = flat[off : off+len(p.Data)]
		off += len(p.Data)
	}
	return out
}

// Tolerances of the golden files' README: outputs and losses agree to 1e-12
// absolute, gradients and parameters to 1e-9 relative or 1e-12 absolute.
const (
	goldenAbs = 1e-12
	goldenRel = 1e-9
)

func checkAbs(t *testing.T, what string, got, want []float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	for i := range want {
		if !scalar.EqualWithinAbs(got[i], want[i], goldenAbs) {
			t.Errorf("%s[%d] = %.17g, want %.17g", what, i, got[i], want[i])
			return
		}
	}
}

func checkRel(t *testing.T, what string, got, want []float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	for i := range want {
		if !scalar.EqualWithinAbsOrRel(got[i], want[i], goldenAbs, goldenRel) {
			t.Errorf("%s[%d] = %.17g, want %.17g", what, i, got[i], want[i])
			return
		}
	}
}

func checkParams(t *testing.T, what string, m *Model, flat []float64, want map[string]tensor) {
	t.Helper()
	got := byName(m, flat)
	for _, p := range m.Params() {
		checkRel(t, what+" "+p.Name, got[p.Name], want[p.Name])
	}
}

// lastStep returns the (B×H) rows of step T-1 of a B×T×H sequence.
func lastStep(seq []float64, b, steps, h int) []float64 {
	out := make([]float64, 0, b*h)
	for i := range b {
		r := i*steps + steps - 1
		out = append(out, seq[r*h:(r+1)*h]...)
	}
	return out
}

// checkIntermediates compares the layers' states in ws after a forward
// pass with g's intermediates: {cell}{k}_h_seq (B×T×H), and for an LSTM
// {cell}{k}_h_last and _c_last (B×H). Every key must be one of these.
func checkIntermediates(t *testing.T, g *golden, m *Model, ws *workspace) {
	t.Helper()
	B, T := g.Config.B, g.Config.T
	for name, want := range g.Inter {
		layer, what, _ := strings.Cut(name, "_")
		c, k := layerIndex(layer + ".weight_ih_l0")
		if k == 0 || c != m.Cell || k > len(m.Layers) {
			t.Fatalf("intermediate %q is of no layer of the model", name)
		}
		s, H := &ws.layers[k-1], m.Layers[k-1].Hidden
		switch what {
		case "h_seq":
			checkAbs(t, name, s.h[:B*T*H], want)
		case "h_last":
			checkAbs(t, name, lastStep(s.h, B, T, H), want)
		case "c_last":
			checkAbs(t, name, lastStep(s.c, B, T, H), want)
		default:
			t.Fatalf("unknown intermediate %q", name)
		}
	}
}

// testGolden checks the forward pass, the loss, the gradients and four
// Adam steps of the model of the golden file at path against PyTorch's.
func testGolden(t *testing.T, path string) {
	g := readGolden(t, path)
	c := g.Config
	m := g.model(t)
	ws := newWorkspace(m, newPackedModel(m), c.B, c.T)
	ws.forward(m, g.X, c.B)
	checkAbs(t, "outputs", ws.out, g.Out)
	checkIntermediates(t, g, m, ws)

	tr := newTrainer(m, c.T, c.B, TrainConfig{}.optimizer())
	loss := tr.gradients(g.X, g.Y)
	checkAbs(t, "loss", []float64{loss}, []float64{g.Loss})
	checkAbs(t, "trainer outputs", trainerOutputs(tr), g.Out)
	checkParams(t, "grad", m, tr.grad.Data, g.Grads)

	tr.applyGradients()
	checkParams(t, "step 1", m, m.Data, g.Params1)
	checkAdam := func(what string, want map[string]adamState) {
		t.Helper()
		ms, vs := byName(m, tr.opt.m), byName(m, tr.opt.v)
		for _, p := range m.Params() {
			checkRel(t, what+" exp_avg "+p.Name, ms[p.Name], want[p.Name].ExpAvg)
			checkRel(t, what+" exp_avg_sq "+p.Name, vs[p.Name], want[p.Name].ExpAvgSq)
		}
	}
	checkAdam("step 1", g.Adam1)

	for k := 1; k < 4; k++ {
		loss := tr.gradients(g.X, g.Y)
		tr.applyGradients()
		checkAbs(t, "loss before step "+string(rune('1'+k)), []float64{loss}, g.Losses[k:k+1])
	}
	checkParams(t, "step 4", m, m.Data, g.Params4)
	checkAdam("step 4", g.Adam4)

	out := m.Predict(g.X, c.T)
	checkAbs(t, "outputs after step 4", out, g.Out4)
	var sum float64
	for i, o := range out {
		sum += (o - g.Y[i]) * (o - g.Y[i])
	}
	checkAbs(t, "loss after step 4", []float64{sum / float64(len(out))}, []float64{g.Loss4})
}

func TestGoldenSmall(t *testing.T) {
	testGolden(t, filepath.Join("testdata", "golden_small.json"))
}

// sharedGolden is the directory of the shared golden files, beside the
// project's checkout; the large ones are read from there, not copied.
var sharedGolden = filepath.Join("..", "..", "..", "shared", "golden")

func TestGoldenSeed(t *testing.T) {
	testGolden(t, filepath.Join(sharedGolden, "golden_seed.json"))
}

// TestGoldenStack checks the other cells, several features and several
// outputs against PyTorch: the small files are in testdata, the 50-unit
// ones of the tutorial's shape in the shared directory.
func TestGoldenStack(t *testing.T) {
	for _, path := range []string{
		filepath.Join("testdata", "golden_gru_small.json"),
		filepath.Join("testdata", "golden_rnn_small.json"),
		filepath.Join("testdata", "golden_lstm_f3_o5_small.json"),
		filepath.Join("testdata", "golden_gru_f2_o3_small.json"),
		filepath.Join(sharedGolden, "golden_gru_seed.json"),
		filepath.Join(sharedGolden, "golden_rnn_seed.json"),
	} {
		t.Run(strings.TrimSuffix(filepath.Base(path), ".json"), func(t *testing.T) { testGolden(t, path) })
	}
}
