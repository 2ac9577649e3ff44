package lstm

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
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

// someMeta returns metadata of the kind lstmfc writes, which this package
// stores without reading.
func someMeta() map[string]string {
	return map[string]string{"lookback": "5", "scaler_min": "10", "scaler_max": "20"}
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

// edited returns a copy of the file b without its checksum after edit has
// changed its header and data section, then returned the new data section.
// Without the checksum, the decoder's other checks are what refuse a bad
// edit.
func edited(t testing.TB, b []byte, edit func(h map[string]any, data []byte) []byte) []byte {
	t.Helper()
	h, data := splitFile(t, b)
	delete(entry(h, metadataName), MetaChecksum)
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
	delete(entry(h, metadataName), MetaChecksum)
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

func TestEncodeDecodeRoundTrip(t *testing.T) {
	m := filledModel(t, 1, 2, 3, 5)
	// Values whose bits a careless encoding would lose.
	m.Data[0] = math.Copysign(0, -1)
	m.Data[1] = math.SmallestNonzeroFloat64
	m.Data[2] = math.MaxFloat64
	m.Data[len(m.Data)-1] = math.Nextafter(1, 2)
	meta := map[string]string{
		"lookback":   "60",
		"scaler_min": "-3.25",
		"config":     `{"epochs": 10, "note": "a <b> & c"}`,
		"dates":      "2020-01-01\n2020-01-02",
		"ünïcode":    "价格",
		"":           "empty key",
		// Written as the key's placeholder is, and to be replaced.
		MetaChecksum: checksumPrefix + strings.Repeat("0", checksumHexLen),
	}
	sent := maps.Clone(meta)
	b := encodeModel(t, m, meta)
	if !maps.Equal(meta, sent) {
		t.Errorf("Encode changed the caller's metadata to %v", meta)
	}
	got, gotMeta, err := Decode(b)
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
	delete(want, MetaChecksum)
	if !maps.Equal(gotMeta, want) {
		t.Errorf("loaded metadata %v, want %v", gotMeta, want)
	}
}

// TestEncodeDecodeCells round-trips a model of every cell and several
// outputs bit for bit, and a file's cell and head come from its tensors.
func TestEncodeDecodeCells(t *testing.T) {
	for _, cell := range cells {
		m, err := NewCell(cell, 2, []int{3, 5}, 4)
		if err != nil {
			t.Fatal(err)
		}
		rng := rand.New(rand.NewPCG(3, 4))
		for i := range m.Data {
			m.Data[i] = rng.NormFloat64()
		}
		got, _, err := Decode(encodeModel(t, m, someMeta()))
		if err != nil {
			t.Fatalf("%v: %v", cell, err)
		}
		if got.Cell != cell || got.Inputs() != 2 || !slices.Equal(got.Units(), []int{3, 5}) || got.Outputs() != 4 {
			t.Errorf("%v: loaded %v, inputs %d, units %v, %d outputs; want %v, 2, [3 5], 4",
				cell, got.Cell, got.Inputs(), got.Units(), got.Outputs(), cell)
		}
		if !sameBits(got.Data, m.Data) {
			t.Errorf("%v: loaded parameters differ from the saved ones", cell)
		}
	}
}

// TestDecodeCellsRefused refuses, with one line naming the tensor, a layer
// of one cell followed by another and a GRU or RNN layer of another
// cell's shape.
func TestDecodeCellsRefused(t *testing.T) {
	renamed := func(m *Model, from, to string) []byte {
		return edited(t, encodeModel(t, m, someMeta()), func(h map[string]any, data []byte) []byte {
			for name, e := range h {
				if rest, ok := strings.CutPrefix(name, from); ok {
					delete(h, name)
					h[to+rest] = e
				}
			}
			return data
		})
	}
	lstm := filledModel(t, 1, 2, 3, 5)
	gru, err := NewCell(GRU, 2, []int{3, 5}, 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		file []byte
		want string
	}{
		{"lstm then gru", renamed(lstm, "lstm2.", "gru2."), `tensor "gru2.bias_hh_l0" is of a gru layer, but layer 1 is lstm: all layers of a model have one cell`},
		{"gru then rnn", renamed(gru, "gru2.", "rnn2."), `tensor "rnn2.bias_hh_l0" is of a rnn layer, but layer 1 is gru: all layers of a model have one cell`},
		{"gru of lstm shape", renamed(filledModel(t, 2, 2, 5, 3), "lstm", "gru"), `tensor "gru1.weight_ih_l0" has shape [20 2], want [3·hidden inputs] with hidden, inputs ≥ 1 (a gru layer)`},
		// 4·3 rows are also 3·4: the recurrent weights tell.
		{"gru of lstm shape, rows a multiple of 3", renamed(lstm, "lstm", "gru"), `tensor "gru1.weight_hh_l0" has shape [12 3], want [12 4] (a gru layer)`},
		{"rnn of gru shape", renamed(gru, "gru", "rnn"), `tensor "rnn1.weight_hh_l0" has shape [9 3], want [9 9] (a rnn layer)`},
		{"lstm of gru shape", renamed(gru, "gru", "lstm"), `tensor "lstm1.weight_ih_l0" has shape [9 2], want [4·hidden inputs] with hidden, inputs ≥ 1 (a lstm layer)`},
	} {
		_, _, err := Decode(c.file)
		if want := "model file: " + c.want; err == nil || err.Error() != want {
			t.Errorf("%s: error %v, want %q", c.name, err, want)
		}
	}
}

// TestDecodePyTorchStackExports loads the golden files' PyTorch exports of
// GRU and RNN stacks and of heads of several outputs, with the lstmfc
// format added, as the models whose parameters the JSON files list.
func TestDecodePyTorchStackExports(t *testing.T) {
	for _, name := range []string{"golden_gru_small", "golden_rnn_small", "golden_lstm_f3_o5_small", "golden_gru_f2_o3_small"} {
		b, err := os.ReadFile(filepath.Join("testdata", "file_"+name+".safetensors"))
		if err != nil {
			t.Fatal(err)
		}
		h, data := splitFile(t, b)
		h[metadataName].(map[string]any)[MetaFormat] = Format
		m, _, err := Decode(joinFile(t, h, data))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		g := readGolden(t, filepath.Join("testdata", name+".json"))
		want := g.model(t)
		if m.Cell != want.Cell || m.Inputs() != want.Inputs() || !slices.Equal(m.Units(), want.Units()) || m.Outputs() != want.Outputs() {
			t.Errorf("%s: decoded %v, %d inputs, units %v, %d outputs; want %v, %d, %v, %d", name,
				m.Cell, m.Inputs(), m.Units(), m.Outputs(), want.Cell, want.Inputs(), want.Units(), want.Outputs())
			continue
		}
		if !sameBits(m.Data, want.Data) {
			t.Errorf("%s: decoded parameters differ from the JSON's", name)
		}
	}
}

// TestEncodeDecodePredictsTheSame checks the round trip where it matters: a
// trained model's predictions after Encode and Decode, bit for bit.
func TestEncodeDecodePredictsTheSame(t *testing.T) {
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
	got, _, err := Decode(encodeModel(t, m, someMeta()))
	if err != nil {
		t.Fatal(err)
	}
	x := d.s[:10*steps]
	if want, have := m.Predict(x, steps), got.Predict(x, steps); !sameBits(have, want) {
		t.Errorf("predictions after Encode and Decode differ:\n%v\n%v", have, want)
	}
}

func TestEncodeSetsFormat(t *testing.T) {
	meta := someMeta()
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
	meta := someMeta()
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
	tooBig := map[string]string{"series": strings.Repeat("1", MaxHeaderSize)}
	badUTF8 := someMeta()
	badUTF8["column"] = "Cl\xffose"
	nan := m.Clone()
	nan.Layers[0].Whh[5] = math.NaN()
	for _, test := range []struct {
		m    *Model
		meta map[string]string
		want string
	}{
		{m, tooBig, fmt.Sprintf("cannot encode model: metadata of %d bytes is over the header's %d-byte limit", MaxHeaderSize+len("series"+MetaFormat+Format+MetaChecksum+checksumPrefix)+checksumHexLen, MaxHeaderSize)},
		{nan, someMeta(), `cannot encode model: tensor "lstm1.weight_hh_l0" holds NaN at [2 1]`},
		{m, badUTF8, `cannot encode model: metadata "column" is not valid UTF-8`},
	} {
		var buf bytes.Buffer
		err := Encode(&buf, test.m, test.meta)
		if err == nil || !strings.HasPrefix(err.Error(), test.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("Encode error = %v, want %q", err, test.want)
		}
		if buf.Len() != 0 {
			t.Errorf("Encode wrote %d bytes before failing with %q", buf.Len(), test.want)
		}
	}
}

// TestDecodeFormatOnly decodes a file whose only metadata is its format,
// with no checksum, as PyTorch exports and files written before checksums
// are.
func TestDecodeFormatOnly(t *testing.T) {
	m := filledModel(t, 4, 1, 2)
	h, data := splitFile(t, encodeModel(t, m, nil))
	written := entry(h, metadataName)
	delete(written, MetaChecksum)
	if len(written) != 1 {
		t.Fatalf("encoded metadata %v, want the format only", written)
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
	if want := map[string]string{MetaFormat: Format}; !maps.Equal(meta, want) {
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
		got, _, err := Decode(toF32(t, encodeModel(t, m, someMeta()), f32...))
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

func TestDecodePyTorchExport(t *testing.T) {
	b, err := os.ReadFile("testdata/file_golden_small.safetensors")
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = Decode(b)
	want := `model file: not an lstmfc model: format is "pt", want "lstmfc/1"`
	if err == nil || err.Error() != want {
		t.Fatalf("Decode error = %v, want %q", err, want)
	}

	// With the lstmfc format added, the same tensors load as the model
	// PyTorch exported, parameters in state_dict order.
	h, data := splitFile(t, b)
	meta := h[metadataName].(map[string]any)
	meta[MetaFormat] = Format
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
	b := encodeModel(t, filledModel(t, 6, 1, 2, 3), someMeta())
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
	good := encodeModel(t, m, someMeta())
	goodHeader, goodData := splitFile(t, good)
	validHeader := func(tensors string) string {
		return `{"__metadata__":{"format":"lstmfc/1","lookback":"5"}` + tensors + "}"
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
	zeroSum := checksumPrefix + strings.Repeat("0", checksumHexLen)
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
		{"no metadata", rawFile(`{}`, nil), `not an lstmfc model: metadata has no "format" key`},
		{"no format", withoutMeta(MetaFormat), `not an lstmfc model: metadata has no "format" key`},
		{"repeated metadata key", rawFile(`{"__metadata__":{"format":"lstmfc/1","lookback":"5","lookback":"6"}}`, nil), `metadata has "lookback" twice`},
		{"repeated checksum", rawFile(`{"__metadata__":{"checksum":"`+zeroSum+`","checksum":"`+zeroSum+`"}}`, nil), `metadata has "checksum" twice`},
		{"checksum not sha256", withMeta(MetaChecksum, "md5:"+strings.Repeat("0", 32)), "damaged: checksum is not sha256: and 64 hex digits"},
		{"checksum too short", withMeta(MetaChecksum, zeroSum[:len(zeroSum)-1]), "damaged: checksum is not sha256: and 64 hex digits"},
		{"checksum in upper case", withMeta(MetaChecksum, strings.ToUpper(zeroSum)), "damaged: checksum is not sha256: and 64 hex digits"},
		{"checksum escaped", rawFile(`{"__metadata__":{"checksum":"\u0073`+zeroSum[1:]+`"}}`, nil), "damaged: checksum is not sha256: and 64 hex digits"},
		{"checksum wrong", withMeta(MetaChecksum, zeroSum), "damaged: checksum mismatch"},
		{"checksum key damaged", withMeta("checksul", zeroSum), `damaged: metadata key "checksul" is one bit away from "checksum"`},
		{"header not UTF-8", rawFile("{\"__metadata__\":{\"format\":\"lstmfc/1\",\"note\":\"\xff\"}}", nil), "header is not valid UTF-8"},
		{"future format", withMeta(MetaFormat, "lstmfc/2"), `format "lstmfc/2" was made by a newer lstmfc; this one reads "lstmfc/1"`},
		{"other format", withMeta(MetaFormat, "pt"), `not an lstmfc model: format is "pt", want "lstmfc/1"`},
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
		{"dense weights transposed", withEntry("dense.weight", "shape", []int{5, 1}), `tensor "dense.weight" has shape [5 1], want [outputs 5] with 1 ≤ outputs ≤ 1024`},
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
	b := toF32(t, encodeModel(t, filledModel(t, 9, 1, 2), someMeta()), "dense.weight")
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

// TestFilesBeforeChecksums decodes the model files under testdata, which
// lstmfc wrote before it wrote checksums, so they must keep decoding to the
// same model and metadata, or failing with the same error. They are not
// regenerated: they are what older versions left on users' disks.
func TestFilesBeforeChecksums(t *testing.T) {
	small := filledModel(t, 10, 1, 4, 4)
	smallMeta := map[string]string{MetaFormat: Format, "lookback": "5", "scaler_min": "10", "scaler_max": "20"}
	noLookback := maps.Clone(smallMeta)
	delete(noLookback, "lookback")
	for _, f := range []struct {
		name string
		meta map[string]string // the metadata of a valid file
		want string            // the error of Decode, or "" for a valid file
	}{
		{"file_small.safetensors", smallMeta, ""},
		{"file_no_lookback.safetensors", noLookback, ""},
		{"file_truncated.safetensors", nil, `tensor "dense.bias" has data_offsets [2208, 2216] past the end of the 2116-byte data section (truncated file?)`},
		{"file_future_format.safetensors", nil, `format "lstmfc/2" was made by a newer lstmfc; this one reads "lstmfc/1"`},
		{"file_nan_weight.safetensors", nil, `tensor "lstm2.weight_hh_l0" holds NaN at [1 1]`},
		{"file_png.safetensors", nil, "(truncated, or not a safetensors file)"},
	} {
		b, err := os.ReadFile(filepath.Join("testdata", f.name))
		if err != nil {
			t.Fatal(err)
		}
		m, meta, err := Decode(b)
		switch {
		case f.want == "" && err != nil:
			t.Errorf("%s: %v", f.name, err)
		case f.want == "" && (!sameBits(m.Data, small.Data) || !slices.Equal(m.Units(), small.Units()) || !maps.Equal(meta, f.meta)):
			t.Errorf("%s decodes to units %v, metadata %v; want %v, %v and the parameters it was written with", f.name, m.Units(), meta, small.Units(), f.meta)
		case f.want != "" && (err == nil || !strings.HasPrefix(err.Error(), "model file: ") || !strings.Contains(err.Error(), f.want)):
			t.Errorf("%s: error %v, want %q", f.name, err, f.want)
		}
	}
}

// TestEncodeWritesChecksum checks the checksum against one computed here
// from its definition: SHA-256 of the file with its digits zeroed.
func TestEncodeWritesChecksum(t *testing.T) {
	b := encodeModel(t, filledModel(t, 12, 1, 3), someMeta())
	h, _ := splitFile(t, b)
	sum := entry(h, metadataName)[MetaChecksum].(string)
	digits, ok := strings.CutPrefix(sum, checksumPrefix)
	if !ok || len(digits) != 64 {
		t.Fatalf("checksum %q, want sha256: and 64 hex digits", sum)
	}
	if bytes.Count(b, []byte(digits)) != 1 {
		t.Fatalf("the digest occurs %d times in the file, want once", bytes.Count(b, []byte(digits)))
	}
	zeroed := bytes.Replace(b, []byte(digits), bytes.Repeat([]byte("0"), 64), 1)
	if want := sha256.Sum256(zeroed); digits != hex.EncodeToString(want[:]) {
		t.Errorf("checksum %s, want sha256:%x", digits, want)
	}
}

// TestDecodeChecksumWithSpaces checks that a checksum is found wherever the
// JSON puts it, as another safetensors writer may lay the header out with
// spaces and other key orders.
func TestDecodeChecksumWithSpaces(t *testing.T) {
	m := filledModel(t, 13, 1, 2)
	h, data := splitFile(t, encodeModel(t, m, someMeta()))
	delete(entry(h, metadataName), MetaChecksum)
	var tensors []string
	for _, p := range m.Params() {
		e, err := json.Marshal(h[p.Name])
		if err != nil {
			t.Fatal(err)
		}
		tensors = append(tensors, fmt.Sprintf("%q : %s", p.Name, e))
	}
	zero := strings.Repeat("0", 64)
	header := fmt.Sprintf(`{ %s , "__metadata__" : { "zz" : "1" , "checksum" : "sha256:%s" , "format" : "lstmfc/1" } }  `,
		strings.Join(tensors, " , "), zero)
	b := rawFile(header, data)
	sum := sha256.Sum256(b)
	b = bytes.Replace(b, []byte(zero), []byte(hex.EncodeToString(sum[:])), 1)
	got, meta, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if !sameBits(got.Data, m.Data) || !maps.Equal(meta, map[string]string{MetaFormat: Format, "zz": "1"}) {
		t.Errorf("decoded metadata %v and parameters differing: %t", meta, !sameBits(got.Data, m.Data))
	}
	b[len(b)-1] ^= 1
	if _, _, err := Decode(b); err == nil || err.Error() != "model file: damaged: checksum mismatch" {
		t.Errorf("after a flip in the data, error %v, want the checksum mismatch", err)
	}
}

// TestDecodeHeaderLimit checks that a header over MaxHeaderSize is refused
// from its length alone.
func TestDecodeHeaderLimit(t *testing.T) {
	b := make([]byte, 8+MaxHeaderSize+1)
	binary.LittleEndian.PutUint64(b, MaxHeaderSize+1)
	_, _, err := Decode(b)
	if want := fmt.Sprintf("model file: header length %d is over the %d-byte limit", MaxHeaderSize+1, MaxHeaderSize); err == nil || err.Error() != want {
		t.Errorf("error %v, want %q", err, want)
	}
}

// TestDecodeFileLimit checks that a file larger than any model is refused
// from its length alone.
func TestDecodeFileLimit(t *testing.T) {
	_, _, err := Decode(make([]byte, MaxFileSize+1))
	if want := fmt.Sprintf("model file: file is over the %d-byte limit of a model file", MaxFileSize); err == nil || err.Error() != want {
		t.Errorf("error %v, want %q", err, want)
	}
}

// TestDecodeBitFlips flips every bit of a small model file, one at a time,
// and checks that each damaged file is refused or decodes to exactly the
// model and metadata written.
func TestDecodeBitFlips(t *testing.T) {
	m := filledModel(t, 14, 1, 3, 2)
	meta := map[string]string{"lookback": "20", "target": "return", "series": "[1.5,2,3]"}
	b := encodeModel(t, m, meta)
	want := maps.Clone(meta)
	want[MetaFormat] = Format
	refused := 0
	for i := range 8 * len(b) {
		damaged := slices.Clone(b)
		damaged[i/8] ^= 1 << (i % 8)
		got, gotMeta, err := Decode(damaged)
		if err != nil {
			if msg := err.Error(); !strings.HasPrefix(msg, "model file: ") || strings.Contains(msg, "\n") {
				t.Fatalf("bit %d: error %q is not one line starting with %q", i, msg, "model file: ")
			}
			refused++
			continue
		}
		if !sameBits(got.Data, m.Data) || !slices.Equal(got.Units(), m.Units()) || !maps.Equal(gotMeta, want) {
			t.Errorf("bit %d of byte %d (%q) flipped: decoded units %v, metadata %v, parameters equal %t",
				i%8, i/8, b[i/8], got.Units(), gotMeta, sameBits(got.Data, m.Data))
		}
	}
	t.Logf("%d of %d flips refused", refused, 8*len(b))
}

func ExampleEncode() {
	m, err := New(1, []int{4, 4})
	if err != nil {
		fmt.Println(err)
		return
	}
	var buf bytes.Buffer
	if err := Encode(&buf, m, map[string]string{"lookback": "60", "column": "Close"}); err != nil {
		fmt.Println(err)
		return
	}
	loaded, meta, err := Decode(buf.Bytes())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("inputs:", loaded.Inputs(), "units:", loaded.Units())
	fmt.Println("format:", meta[MetaFormat], "lookback:", meta["lookback"], "column:", meta["column"])
	// Output:
	// inputs: 1 units: [4 4]
	// format: lstmfc/1 lookback: 60 column: Close
}
