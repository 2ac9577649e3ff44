package lstm

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"flag"
	"fmt"
	"image"
	"image/png"
	"maps"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

var updateFileFixtures = flag.Bool("update-file-fixtures", false, "rewrite the model file fixtures in testdata")

// filledModel returns a model of the given sizes whose parameters are drawn
// from a normal distribution seeded by seed.
func filledModel(t testing.TB, seed uint64, inputs int, units ...int) *Model {
	t.Helper()
	m, err := New(inputs, units)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(seed, seed))
	for i := range m.Data {
		m.Data[i] = rng.NormFloat64()
	}
	return m
}

// requiredMeta returns the metadata a model file must have besides its format.
func requiredMeta() map[string]string {
	return map[string]string{MetaLookback: "5", MetaScalerMin: "10", MetaScalerMax: "20"}
}

// encodeModel returns the model file of m and meta.
func encodeModel(t testing.TB, m *Model, meta map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Encode(&buf, m, meta); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// rawFile returns a safetensors file with the header text and data given.
func rawFile(header string, data []byte) []byte {
	b := binary.LittleEndian.AppendUint64(nil, uint64(len(header)))
	return append(append(b, header...), data...)
}

// splitFile returns the parsed header and the data section of the file b.
func splitFile(t testing.TB, b []byte) (map[string]any, []byte) {
	t.Helper()
	n := binary.LittleEndian.Uint64(b)
	var h map[string]any
	if err := json.Unmarshal(b[8:8+n], &h); err != nil {
		t.Fatal(err)
	}
	return h, b[8+n:]
}

// joinFile is the inverse of splitFile.
func joinFile(t testing.TB, h map[string]any, data []byte) []byte {
	t.Helper()
	header, err := json.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	return rawFile(string(header), data)
}

// edited returns a copy of the file b after edit has changed its header and
// data section, then returned the new data section.
func edited(t testing.TB, b []byte, edit func(h map[string]any, data []byte) []byte) []byte {
	t.Helper()
	h, data := splitFile(t, b)
	return joinFile(t, h, edit(h, slices.Clone(data)))
}

// entry returns the header entry of the named tensor.
func entry(h map[string]any, name string) map[string]any { return h[name].(map[string]any) }

// offsets returns the data_offsets of the named tensor.
func offsets(h map[string]any, name string) (begin, end int) {
	off := entry(h, name)["data_offsets"].([]any)
	return int(off[0].(float64)), int(off[1].(float64))
}

// toF32 returns the file b with the named tensors stored as F32, rounding
// their values, and the data section laid out again in the same order.
func toF32(t testing.TB, b []byte, names ...string) []byte {
	t.Helper()
	h, data := splitFile(t, b)
	type span struct {
		name       string
		begin, end int
	}
	var spans []span
	for name := range h {
		if name != metadataName {
			begin, end := offsets(h, name)
			spans = append(spans, span{name, begin, end})
		}
	}
	slices.SortFunc(spans, func(a, b span) int { return a.begin - b.begin })
	var out []byte
	for _, s := range spans {
		begin := len(out)
		raw := data[s.begin:s.end]
		if slices.Contains(names, s.name) {
			for i := 0; i < len(raw); i += 8 {
				v := float32(math.Float64frombits(binary.LittleEndian.Uint64(raw[i:])))
				out = binary.LittleEndian.AppendUint32(out, math.Float32bits(v))
			}
			entry(h, s.name)["dtype"] = "F32"
		} else {
			out = append(out, raw...)
		}
		entry(h, s.name)["data_offsets"] = []int{begin, len(out)}
	}
	return joinFile(t, h, out)
}

// smallPNG returns a 1x1 PNG image, a file that is certainly not a model.
func smallPNG(t testing.TB) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, 1, 1))); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// sameBits reports whether a and b hold the same float64 bit patterns.
func sameBits(a, b []float64) bool {
	return slices.EqualFunc(a, b, func(x, y float64) bool { return math.Float64bits(x) == math.Float64bits(y) })
}

func TestSaveLoadRoundTrip(t *testing.T) {
	m := filledModel(t, 1, 2, 3, 5)
	// Values whose bits a careless encoding would lose.
	m.Data[0] = math.Copysign(0, -1)
	m.Data[1] = math.SmallestNonzeroFloat64
	m.Data[2] = math.MaxFloat64
	m.Data[len(m.Data)-1] = math.Nextafter(1, 2)
	meta := map[string]string{
		MetaLookback:  "60",
		MetaScalerMin: "-3.25",
		MetaScalerMax: "1e300",
		"config":      `{"epochs": 10, "note": "a <b> & c"}`,
		"dates":       "2020-01-01\n2020-01-02",
		"ünïcode":     "价格",
		"":            "empty key",
	}
	sent := maps.Clone(meta)
	path := filepath.Join(t.TempDir(), "m.bin")
	if err := Save(path, m, meta); err != nil {
		t.Fatal(err)
	}
	if !maps.Equal(meta, sent) {
		t.Errorf("Save changed the caller's metadata to %v", meta)
	}
	got, gotMeta, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if got.Inputs() != 2 || !slices.Equal(got.Units(), []int{3, 5}) {
		t.Errorf("loaded inputs %d, units %v, want 2, [3 5]", got.Inputs(), got.Units())
	}
	if !sameBits(got.Data, m.Data) {
		t.Errorf("loaded parameters differ from the saved ones")
	}
	want := maps.Clone(meta)
	want[MetaFormat] = Format
	if !maps.Equal(gotMeta, want) {
		t.Errorf("loaded metadata %v, want %v", gotMeta, want)
	}
}

// TestSaveLoadPredictsTheSame checks the round trip where it matters: a
// trained model's predictions after Save and Load, bit for bit.
func TestSaveLoadPredictsTheSame(t *testing.T) {
	m, err := New(1, []int{6, 4})
	if err != nil {
		t.Fatal(err)
	}
	m.InitKeras(5)
	const steps = 8
	d := windows{s: sine(120, 0.4), steps: steps}
	if _, err := Train(context.Background(), m, d, nil, TrainConfig{Steps: steps, Epochs: 2, BatchSize: 16, Seed: 5}, nil); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "m.bin")
	if err := Save(path, m, requiredMeta()); err != nil {
		t.Fatal(err)
	}
	got, _, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	x := d.s[:10*steps]
	if want, have := m.Predict(x, steps), got.Predict(x, steps); !sameBits(have, want) {
		t.Errorf("predictions after Save and Load differ:\n%v\n%v", have, want)
	}
}

func TestEncodeSetsFormat(t *testing.T) {
	meta := requiredMeta()
	meta[MetaFormat] = "pt"
	_, got, err := Decode(encodeModel(t, filledModel(t, 1, 1, 2), meta))
	if err != nil {
		t.Fatal(err)
	}
	if got[MetaFormat] != Format {
		t.Errorf("format = %q, want %q", got[MetaFormat], Format)
	}
}

func TestEncodeDeterministic(t *testing.T) {
	m := filledModel(t, 2, 1, 4, 4)
	meta := requiredMeta()
	for i := range 20 {
		meta[fmt.Sprint("key", i)] = fmt.Sprint(i)
	}
	b := encodeModel(t, m, meta)
	// Go randomises map iteration, so repeated encodings would differ if
	// the order of the header's keys depended on it.
	for range 10 {
		if again := encodeModel(t, m.Clone(), maps.Clone(meta)); !bytes.Equal(again, b) {
			t.Fatal("two encodings of the same model differ")
		}
	}
	n := binary.LittleEndian.Uint64(b)
	if (8+n)%8 != 0 {
		t.Errorf("data section starts at byte %d, want a multiple of 8", 8+n)
	}
	if want := 8 + int(n) + 8*len(m.Data); len(b) != want {
		t.Errorf("file is %d bytes, want %d", len(b), want)
	}
	// The parameters follow in Params order, as float64.
	for i, v := range m.Data {
		if got := math.Float64frombits(binary.LittleEndian.Uint64(b[8+int(n)+8*i:])); got != v {
			t.Fatalf("data section value %d is %v, want %v", i, got, v)
		}
	}
}

func TestEncodeRefusesBadInput(t *testing.T) {
	m := filledModel(t, 3, 1, 2)
	noScaler := requiredMeta()
	delete(noScaler, MetaScalerMax)
	badUTF8 := requiredMeta()
	badUTF8["column"] = "Cl\xffose"
	nan := m.Clone()
	nan.Layers[0].Whh[5] = math.NaN()
	for _, test := range []struct {
		m    *Model
		meta map[string]string
		want string
	}{
		{m, nil, `cannot encode model: metadata has no "lookback" key`},
		{m, noScaler, `cannot encode model: metadata has no "scaler_max" key`},
		{nan, requiredMeta(), `cannot encode model: tensor "lstm1.weight_hh_l0" holds NaN at [2 1]`},
		{m, badUTF8, `cannot encode model: metadata "column" is not valid UTF-8`},
	} {
		var buf bytes.Buffer
		err := Encode(&buf, test.m, test.meta)
		if err == nil || err.Error() != test.want {
			t.Errorf("Encode error = %v, want %q", err, test.want)
		}
		if buf.Len() != 0 {
			t.Errorf("Encode wrote %d bytes before failing with %q", buf.Len(), test.want)
		}
	}
	path := filepath.Join(t.TempDir(), "m.bin")
	err := Save(path, nan, requiredMeta())
	if want := "cannot save model to " + path + `: tensor "lstm1.weight_hh_l0" holds NaN at [2 1]`; err == nil || err.Error() != want {
		t.Errorf("Save error = %v, want %q", err, want)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("a failed Save left a file at %s", path)
	}
}

func TestDecodeRequiredMetadataOnly(t *testing.T) {
	m := filledModel(t, 4, 1, 2)
	h, data := splitFile(t, encodeModel(t, m, requiredMeta()))
	if meta := h[metadataName].(map[string]any); len(meta) != 4 {
		t.Fatalf("encoded metadata %v, want the four required keys", meta)
	}
	// Padding the header with spaces, as the format allows, changes nothing.
	header, err := json.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	got, meta, err := Decode(rawFile(string(header)+"          ", data))
	if err != nil {
		t.Fatal(err)
	}
	if !sameBits(got.Data, m.Data) {
		t.Errorf("decoded parameters differ from the encoded ones")
	}
	want := requiredMeta()
	want[MetaFormat] = Format
	if !maps.Equal(meta, want) {
		t.Errorf("decoded metadata %v, want %v", meta, want)
	}
}

func TestDecodeF32(t *testing.T) {
	m := filledModel(t, 5, 2, 3, 2)
	var names []string
	for _, p := range m.Params() {
		names = append(names, p.Name)
	}
	for _, f32 := range [][]string{names, {"lstm1.weight_hh_l0", "lstm2.bias_ih_l0", "dense.bias"}} {
		got, _, err := Decode(toF32(t, encodeModel(t, m, requiredMeta()), f32...))
		if err != nil {
			t.Fatal(err)
		}
		params := got.Params()
		for i, p := range m.Params() {
			for j, v := range p.Data {
				want := v
				if slices.Contains(f32, p.Name) {
					want = float64(float32(v))
				}
				if params[i].Data[j] != want {
					t.Errorf("%s[%d] = %v, want %v", p.Name, j, params[i].Data[j], want)
				}
			}
		}
	}
}

func TestLoadPyTorchExport(t *testing.T) {
	const path = "testdata/file_golden_small.safetensors"
	_, _, err := Load(path)
	want := path + `: not an lstmfc model: format is "pt", want "lstmfc/1" (no lstmfc metadata "lookback", "scaler_min", "scaler_max")`
	if err == nil || err.Error() != want {
		t.Fatalf("Load error = %v, want %q", err, want)
	}

	// With the lstmfc metadata added, the same tensors load as the model
	// PyTorch exported, parameters in state_dict order.
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	h, data := splitFile(t, b)
	meta := h[metadataName].(map[string]any)
	meta[MetaFormat] = Format
	for k, v := range requiredMeta() {
		meta[k] = v
	}
	m, _, err := Decode(joinFile(t, h, data))
	if err != nil {
		t.Fatal(err)
	}
	if m.Inputs() != 1 || !slices.Equal(m.Units(), []int{4, 4}) || len(m.Data) != 277 {
		t.Fatalf("decoded inputs %d, units %v, %d parameters, want 1, [4 4], 277", m.Inputs(), m.Units(), len(m.Data))
	}
	for i, v := range m.Data {
		if want := math.Float64frombits(binary.LittleEndian.Uint64(data[8*i:])); v != want {
			t.Fatalf("parameter %d is %v, want %v", i, v, want)
		}
	}
}

func TestDecodeTruncated(t *testing.T) {
	b := encodeModel(t, filledModel(t, 6, 1, 2, 3), requiredMeta())
	for n := range len(b) {
		_, _, err := Decode(b[:n])
		if err == nil {
			t.Fatalf("Decode of the first %d of %d bytes succeeded", n, len(b))
		}
		if msg := err.Error(); !strings.HasPrefix(msg, "model file: ") || strings.Contains(msg, "\n") {
			t.Fatalf("Decode of the first %d bytes: error %q is not one line starting with %q", n, msg, "model file: ")
		}
	}
}

func TestDecodeBadFiles(t *testing.T) {
	// 2 inputs and layers of 3 and 5 units give every tensor a distinct shape.
	m := filledModel(t, 7, 2, 3, 5)
	good := encodeModel(t, m, requiredMeta())
	goodHeader, goodData := splitFile(t, good)
	validHeader := func(tensors string) string {
		return `{"__metadata__":{"format":"lstmfc/1","lookback":"5","scaler_min":"0","scaler_max":"1"}` + tensors + "}"
	}
	withMeta := func(key, value string) []byte {
		return edited(t, good, func(h map[string]any, data []byte) []byte {
			entry(h, metadataName)[key] = value
			return data
		})
	}
	withoutMeta := func(key string) []byte {
		return edited(t, good, func(h map[string]any, data []byte) []byte {
			delete(entry(h, metadataName), key)
			return data
		})
	}
	withEntry := func(name, field string, value any) []byte {
		return edited(t, good, func(h map[string]any, data []byte) []byte {
			entry(h, name)[field] = value
			return data
		})
	}
	withValue := func(name string, at int, v float64) []byte {
		return edited(t, good, func(h map[string]any, data []byte) []byte {
			begin, _ := offsets(h, name)
			binary.LittleEndian.PutUint64(data[begin+8*at:], math.Float64bits(v))
			return data
		})
	}
	biasIH := goodHeader["lstm1.bias_ih_l0"].(map[string]any)["data_offsets"]
	denseBegin, denseEnd := offsets(goodHeader, "dense.bias")
	dataLen := len(goodData)
	random := make([]byte, 1000)
	rng := rand.New(rand.NewPCG(8, 8))
	for i := range random {
		random[i] = byte(rng.Uint32())
	}

	for _, test := range []struct {
		name string
		file []byte
		want string
	}{
		{"empty", nil, "file is empty"},
		{"shorter than the header length", []byte{1, 2, 3}, "file is 3 bytes, too short for a safetensors header"},
		{"header length beyond the file", append(binary.LittleEndian.AppendUint64(nil, 1000), "{}"...),
			"header length 1000 exceeds the 2 bytes after it (truncated, or not a safetensors file)"},
		{"absurd header length", append(binary.LittleEndian.AppendUint64(nil, math.MaxUint64), "{}"...),
			"header length 18446744073709551615 exceeds the 2 bytes after it"},
		{"PNG", smallPNG(t), "exceeds the 63 bytes after it (truncated, or not a safetensors file)"},
		{"random bytes", random, "(truncated, or not a safetensors file)"},
		{"empty header", rawFile("", nil), "header is not a JSON object"},
		{"header an array", rawFile("[]", nil), "header is not a JSON object"},
		{"malformed JSON", rawFile(`{"a":}`, nil), "header JSON is invalid at byte 6: invalid character '}' looking for beginning of value"},
		{"unterminated JSON", rawFile(`{"a":{}`, nil), "header JSON is invalid at byte 7: unexpected end of JSON input"},
		{"data after the JSON", rawFile(`{}{}`, nil), "header JSON is invalid at byte 3: invalid character '{' after top-level value"},
		{"repeated name", rawFile(validHeader(`,"dense.bias":{},"dense.bias":{}`), nil), `header has "dense.bias" twice`},
		{"metadata not an object", rawFile(`{"__metadata__":[]}`, nil), "__metadata__ is not a JSON object"},
		{"metadata value not a string", rawFile(`{"__metadata__":{"lookback":60}}`, nil), `metadata "lookback" is not a string`},
		{"metadata value null", rawFile(`{"__metadata__":{"format":null}}`, nil), `metadata "format" is not a string`},
		{"tensor entry not an object", rawFile(validHeader(`,"dense.bias":[0,8]`), nil), `tensor "dense.bias": header entry is not a JSON object`},
		{"tensor entry with a bad field", rawFile(validHeader(`,"dense.bias":{"shape":"1"}`), nil), `tensor "dense.bias": bad header entry: json: cannot unmarshal`},
		{"no metadata", rawFile(`{}`, nil), `not an lstmfc model: metadata has no "format" key (no lstmfc metadata "lookback", "scaler_min", "scaler_max")`},
		{"no format", withoutMeta(MetaFormat), `not an lstmfc model: metadata has no "format" key`},
		{"no lookback", withoutMeta(MetaLookback), `metadata has no "lookback" key`},
		{"no scaler_min", withoutMeta(MetaScalerMin), `metadata has no "scaler_min" key`},
		{"no scaler_max", withoutMeta(MetaScalerMax), `metadata has no "scaler_max" key`},
		{"future format", withMeta(MetaFormat, "lstmfc/2"), `format "lstmfc/2" was made by a newer lstmfc; this one reads "lstmfc/1"`},
		{"other format", withMeta(MetaFormat, "pt"), `not an lstmfc model: format is "pt", want "lstmfc/1"`},
		{"lookback zero", withMeta(MetaLookback, "0"), `metadata "lookback" is "0", want an integer ≥ 1`},
		{"lookback fractional", withMeta(MetaLookback, "1.5"), `metadata "lookback" is "1.5", want an integer ≥ 1`},
		{"scaler_min NaN", withMeta(MetaScalerMin, "NaN"), `metadata "scaler_min" is "NaN", want a finite number`},
		{"scaler_max infinite", withMeta(MetaScalerMax, "+Inf"), `metadata "scaler_max" is "+Inf", want a finite number`},
		{"scaler_max not a number", withMeta(MetaScalerMax, "high"), `metadata "scaler_max" is "high", want a finite number`},
		{"scaler range empty", withMeta(MetaScalerMax, "10"), `metadata "scaler_max" 10 is not above "scaler_min" 10`},
		{"unknown tensor", rawFile(validHeader(`,"optimizer.step":{}`), nil), `unknown tensor "optimizer.step"`},
		{"layer number with a leading zero", rawFile(validHeader(`,"lstm01.bias_ih_l0":{}`), nil), `unknown tensor "lstm01.bias_ih_l0"`},
		{"unknown layer parameter", rawFile(validHeader(`,"lstm1.weight":{}`), nil), `unknown tensor "lstm1.weight"`},
		{"no tensors", rawFile(validHeader(""), nil), `missing tensor "lstm1.weight_ih_l0"`},
		{"missing tensor", edited(t, good, func(h map[string]any, data []byte) []byte {
			delete(h, "lstm2.bias_hh_l0")
			return data
		}), `missing tensor "lstm2.bias_hh_l0"`},
		{"layer gap", edited(t, good, func(h map[string]any, data []byte) []byte {
			for _, param := range layerParams() {
				h["lstm3."+param] = h["lstm2."+param]
				delete(h, "lstm2."+param)
			}
			return data
		}), `missing tensor "lstm2.weight_ih_l0"`},
		{"bad dtype", withEntry("dense.bias", "dtype", "BF16"), `tensor "dense.bias" has dtype "BF16", want F64 or F32`},
		{"integer dtype", withEntry("lstm1.weight_ih_l0", "dtype", "I64"), `tensor "lstm1.weight_ih_l0" has dtype "I64", want F64 or F32`},
		{"three offsets", withEntry("dense.bias", "data_offsets", []int{0, 8, 16}), `tensor "dense.bias" has data_offsets [0 8 16], want [begin, end]`},
		{"negative offset", withEntry("dense.bias", "data_offsets", []int{-8, 0}), `tensor "dense.bias" has data_offsets [-8, 0], want 0 ≤ begin ≤ end`},
		{"begin after end", withEntry("dense.bias", "data_offsets", []int{denseEnd, denseBegin}),
			fmt.Sprintf(`tensor "dense.bias" has data_offsets [%d, %d], want 0 ≤ begin ≤ end`, denseEnd, denseBegin)},
		{"offsets out of bounds", withEntry("dense.bias", "data_offsets", []int{dataLen, dataLen + 8}),
			fmt.Sprintf(`tensor "dense.bias" has data_offsets [%d, %d] past the end of the %d-byte data section (truncated file?)`, dataLen, dataLen+8, dataLen)},
		{"length not the shape's", withEntry("dense.bias", "shape", []int{2}),
			fmt.Sprintf(`tensor "dense.bias" of shape [2] and dtype F64 needs 16 bytes, but data_offsets [%d, %d] hold 8`, denseBegin, denseEnd)},
		{"absurd shape", withEntry("dense.bias", "shape", []int{1 << 40, 1 << 40}), `tensor "dense.bias" of shape [1099511627776 1099511627776] does not fit in the`},
		{"negative dimension", withEntry("dense.bias", "shape", []int{-1}), `tensor "dense.bias" has shape [-1] with a negative dimension`},
		{"overlapping tensors", withEntry("lstm1.bias_hh_l0", "data_offsets", biasIH), `tensors "lstm1.bias_hh_l0" and "lstm1.bias_ih_l0" overlap in the data section`},
		{"bytes after the tensors", edited(t, good, func(h map[string]any, data []byte) []byte { return append(data, 0, 0, 0, 0) }),
			fmt.Sprintf("data section bytes [%d, %d) belong to no tensor", dataLen, dataLen+4)},
		{"hole between tensors", edited(t, good, func(h map[string]any, data []byte) []byte {
			entry(h, "dense.bias")["data_offsets"] = []int{dataLen, dataLen + 8}
			return append(data, make([]byte, 8)...)
		}), fmt.Sprintf("data section bytes [%d, %d) belong to no tensor", denseBegin, denseEnd)},
		{"input weights of a wrong shape", withEntry("lstm1.weight_ih_l0", "shape", []int{6, 4}), `tensor "lstm1.weight_ih_l0" has shape [6 4], want [4·hidden inputs] with hidden, inputs ≥ 1`},
		{"input weights not matching the layer below", withEntry("lstm2.weight_ih_l0", "shape", []int{12, 5}), `tensor "lstm2.weight_ih_l0" has shape [12 5], want [4·hidden 3] with hidden ≥ 1`},
		{"recurrent weights transposed", withEntry("lstm1.weight_hh_l0", "shape", []int{3, 12}), `tensor "lstm1.weight_hh_l0" has shape [3 12], want [12 3]`},
		{"dense weights transposed", withEntry("dense.weight", "shape", []int{5, 1}), `tensor "dense.weight" has shape [5 1], want [1 5]`},
		{"bias of a wrong rank", withEntry("lstm2.bias_ih_l0", "shape", []int{4, 5}), `tensor "lstm2.bias_ih_l0" has shape [4 5], want [20]`},
		{"NaN weight", withValue("lstm1.weight_hh_l0", 7, math.NaN()), `tensor "lstm1.weight_hh_l0" holds NaN at [2 1]`},
		{"infinite bias", withValue("dense.bias", 0, math.Inf(-1)), `tensor "dense.bias" holds -Inf at [0]`},
	} {
		_, _, err := Decode(test.file)
		if err == nil {
			t.Errorf("%s: Decode succeeded, want error %q", test.name, test.want)
			continue
		}
		msg := err.Error()
		if !strings.HasPrefix(msg, "model file: ") || !strings.Contains(msg, test.want) {
			t.Errorf("%s: error %q, want %q after %q", test.name, msg, test.want, "model file: ")
		}
		if strings.Contains(msg, "\n") {
			t.Errorf("%s: error %q is not one line", test.name, msg)
		}
	}
}

func TestDecodeNaNInF32(t *testing.T) {
	b := toF32(t, encodeModel(t, filledModel(t, 9, 1, 2), requiredMeta()), "dense.weight")
	b = edited(t, b, func(h map[string]any, data []byte) []byte {
		begin, _ := offsets(h, "dense.weight")
		binary.LittleEndian.PutUint32(data[begin+4:], math.Float32bits(float32(math.NaN())))
		return data
	})
	_, _, err := Decode(b)
	if want := `model file: tensor "dense.weight" holds NaN at [0 1]`; err == nil || err.Error() != want {
		t.Errorf("error %v, want %q", err, want)
	}
}

func TestLoadMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "none.bin")
	_, _, err := Load(path)
	if want := path + ": no such file or directory"; err == nil || err.Error() != want {
		t.Errorf("error %v, want %q", err, want)
	}
}

// fileFixtures are the committed model files under testdata, for this
// package's tests and the command's end-to-end tests. Each is built
// reproducibly from a small model.
func fileFixtures(t *testing.T) []struct {
	name string
	file []byte
	want string // the error of Load, or "" for a valid file
} {
	m := filledModel(t, 10, 1, 4, 4)
	small := encodeModel(t, m, requiredMeta())
	withMeta := func(edit func(meta map[string]any)) []byte {
		return edited(t, small, func(h map[string]any, data []byte) []byte {
			edit(entry(h, metadataName))
			return data
		})
	}
	return []struct {
		name string
		file []byte
		want string
	}{
		{"file_small.safetensors", small, ""},
		{"file_truncated.safetensors", small[:len(small)-100], `tensor "dense.bias" has data_offsets [2208, 2216] past the end of the 2116-byte data section (truncated file?)`},
		{"file_future_format.safetensors", withMeta(func(meta map[string]any) { meta[MetaFormat] = "lstmfc/2" }),
			`format "lstmfc/2" was made by a newer lstmfc; this one reads "lstmfc/1"`},
		{"file_no_lookback.safetensors", withMeta(func(meta map[string]any) { delete(meta, MetaLookback) }), `metadata has no "lookback" key`},
		{"file_nan_weight.safetensors", edited(t, small, func(h map[string]any, data []byte) []byte {
			begin, _ := offsets(h, "lstm2.weight_hh_l0")
			binary.LittleEndian.PutUint64(data[begin+8*5:], math.Float64bits(math.NaN()))
			return data
		}), `tensor "lstm2.weight_hh_l0" holds NaN at [1 1]`},
		{"file_png.safetensors", smallPNG(t), "(truncated, or not a safetensors file)"},
	}
}

func TestFileFixtures(t *testing.T) {
	for _, f := range fileFixtures(t) {
		path := filepath.Join("testdata", f.name)
		if *updateFileFixtures {
			if err := os.WriteFile(path, f.file, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run go test -update-file-fixtures to create it)", err)
		}
		if !bytes.Equal(b, f.file) {
			t.Errorf("%s is stale: run go test -update-file-fixtures", path)
		}
		_, _, err = Load(path)
		switch {
		case f.want == "" && err != nil:
			t.Errorf("Load(%s): %v", path, err)
		case f.want != "" && (err == nil || !strings.HasPrefix(err.Error(), path+": ") || !strings.Contains(err.Error(), f.want)):
			t.Errorf("Load(%s) error %v, want %q after the path", path, err, f.want)
		}
	}
}

func ExampleSave() {
	m, err := New(1, []int{4, 4})
	if err != nil {
		fmt.Println(err)
		return
	}
	dir, err := os.MkdirTemp("", "lstm")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "m.bin")
	meta := map[string]string{
		MetaLookback:  "60",
		MetaScalerMin: "12.5",
		MetaScalerMax: "310.25",
		"column":      "Close",
	}
	if err := Save(path, m, meta); err != nil {
		fmt.Println(err)
		return
	}
	loaded, meta, err := Load(path)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("inputs:", loaded.Inputs(), "units:", loaded.Units())
	fmt.Println("format:", meta[MetaFormat], "lookback:", meta[MetaLookback], "column:", meta["column"])
	// Output:
	// inputs: 1 units: [4 4]
	// format: lstmfc/1 lookback: 60 column: Close
}
