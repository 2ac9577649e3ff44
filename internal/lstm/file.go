package lstm

import (
	"bytes"
	"cmp"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/lstmfc/lstmfc/internal/atomicfile"
)

// Format is the value of the MetaFormat metadata key in the model files that
// this package writes and reads.
const Format = "lstmfc/1"

// Metadata keys that every model file has. A model file may hold any other
// string keys; Decode returns them untouched.
const (
	MetaFormat    = "format"     // Format
	MetaLookback  = "lookback"   // the window length, an integer ≥ 1
	MetaScalerMin = "scaler_min" // the min-max scaler's minimum
	MetaScalerMax = "scaler_max" // the min-max scaler's maximum, above the minimum
)

// metadataName is the safetensors header entry holding the metadata.
const metadataName = "__metadata__"

// tensorEntry is a tensor's description in a safetensors header.
type tensorEntry struct {
	Dtype       string `json:"dtype"`
	Shape       []int  `json:"shape"`
	DataOffsets []int  `json:"data_offsets"` // [begin, end) in the data section
}

// Encode writes m to w as a safetensors file with the metadata meta, which
// must hold valid MetaLookback, MetaScalerMin and MetaScalerMax values.
// MetaFormat is set to Format whatever meta says; meta itself is not changed.
// Tensors are written as F64 in Params order, and the header's keys are
// sorted, so equal models and metadata give identical bytes. Encode refuses
// a model with a NaN or infinite parameter.
func Encode(w io.Writer, m *Model, meta map[string]string) error {
	b, err := encode(m, meta)
	if err != nil {
		return fmt.Errorf("cannot encode model: %w", err)
	}
	_, err = w.Write(b)
	return err
}

// Save writes m and meta to the file at path as Encode does. The file is
// replaced atomically, so a failed Save leaves any previous file intact.
func Save(path string, m *Model, meta map[string]string) error {
	b, err := encode(m, meta)
	if err != nil {
		return fmt.Errorf("cannot save model to %s: %w", path, err)
	}
	return atomicfile.Write(context.Background(), path, func(w io.Writer) error {
		_, err := w.Write(b)
		return err
	})
}

func encode(m *Model, meta map[string]string) ([]byte, error) {
	withFormat := maps.Clone(meta)
	if withFormat == nil {
		withFormat = make(map[string]string, 1)
	}
	withFormat[MetaFormat] = Format
	if err := checkMetadata(withFormat); err != nil {
		return nil, err
	}
	// JSON would replace invalid UTF-8 with U+FFFD, so the file would not
	// give back what the caller wrote.
	for _, k := range slices.Sorted(maps.Keys(withFormat)) {
		if !utf8.ValidString(k) || !utf8.ValidString(withFormat[k]) {
			return nil, fmt.Errorf("metadata %q is not valid UTF-8", k)
		}
	}
	params := m.Params()
	header := make(map[string]any, len(params)+1)
	header[metadataName] = withFormat
	size := 0
	for _, p := range params {
		if err := checkFinite(p); err != nil {
			return nil, err
		}
		header[p.Name] = tensorEntry{Dtype: "F64", Shape: p.Shape, DataOffsets: []int{size, size + 8*len(p.Data)}}
		size += 8 * len(p.Data)
	}
	var h bytes.Buffer
	enc := json.NewEncoder(&h)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(header); err != nil {
		return nil, err
	}
	h.Truncate(h.Len() - 1) // the newline Encode adds
	// Pad with spaces so that the data section starts 8-byte aligned, as
	// safetensors writers do, letting readers map F64 tensors in place.
	for h.Len()%8 != 0 {
		h.WriteByte(' ')
	}
	b := make([]byte, 8, 8+h.Len()+size)
	binary.LittleEndian.PutUint64(b, uint64(h.Len()))
	b = append(b, h.Bytes()...)
	for _, p := range params {
		for _, v := range p.Data {
			b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
		}
	}
	return b, nil
}

// Decode reads a model file from b: a safetensors file with the tensors of
// Params and the required metadata. The architecture (inputs, number of
// layers, hidden sizes) comes from the tensors' shapes; F32 and F64 tensors
// are accepted. It returns the model and all the file's metadata. Errors are
// one line starting with "model file: " and say what is wrong.
func Decode(b []byte) (*Model, map[string]string, error) {
	m, meta, err := decode(b)
	if err != nil {
		return nil, nil, fmt.Errorf("model file: %w", err)
	}
	return m, meta, nil
}

// Load reads the model file at path as Decode does. Errors start with path.
func Load(path string) (*Model, map[string]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	m, meta, err := decode(b)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, meta, nil
}

func decode(b []byte) (*Model, map[string]string, error) {
	if len(b) == 0 {
		return nil, nil, errors.New("file is empty")
	}
	if len(b) < 8 {
		return nil, nil, fmt.Errorf("file is %d bytes, too short for a safetensors header", len(b))
	}
	n := binary.LittleEndian.Uint64(b)
	if n > uint64(len(b)-8) {
		return nil, nil, fmt.Errorf("header length %d exceeds the %d bytes after it (truncated, or not a safetensors file)", n, len(b)-8)
	}
	meta, entries, err := parseHeader(b[8 : 8+n])
	if err != nil {
		return nil, nil, err
	}
	if err := checkMetadata(meta); err != nil {
		return nil, nil, err
	}
	m, err := decodeTensors(entries, b[8+n:])
	if err != nil {
		return nil, nil, err
	}
	return m, meta, nil
}

// parseHeader splits the JSON header into its metadata and tensor entries.
// It walks the top-level object itself so that a repeated name, which
// readers could resolve differently, is an error rather than silently lost.
func parseHeader(h []byte) (map[string]string, map[string]tensorEntry, error) {
	if len(h) == 0 || h[0] != '{' {
		return nil, nil, errors.New("header is not a JSON object")
	}
	// Check the whole header first: json.Unmarshal says where a syntax error
	// is, which the streaming decoder below does not do reliably.
	if err := json.Unmarshal(h, new(json.RawMessage)); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return nil, nil, fmt.Errorf("header JSON is invalid at byte %d: %v", se.Offset, err)
		}
		return nil, nil, fmt.Errorf("header JSON is invalid: %v", err)
	}
	dec := json.NewDecoder(bytes.NewReader(h))
	if _, err := dec.Token(); err != nil { // the '{' checked above
		return nil, nil, fmt.Errorf("header JSON: %v", err)
	}
	var meta map[string]string
	entries := make(map[string]tensorEntry)
	seen := make(map[string]bool)
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, nil, fmt.Errorf("header JSON: %v", err)
		}
		name := tok.(string) // the decoder only yields strings as object keys
		if seen[name] {
			return nil, nil, fmt.Errorf("header has %q twice", name)
		}
		seen[name] = true
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, nil, fmt.Errorf("header JSON: %v", err)
		}
		if name == metadataName {
			if meta, err = parseMetadata(raw); err != nil {
				return nil, nil, err
			}
			continue
		}
		if raw[0] != '{' {
			return nil, nil, fmt.Errorf("tensor %q: header entry is not a JSON object", name)
		}
		var e tensorEntry
		if err := json.Unmarshal(raw, &e); err != nil {
			return nil, nil, fmt.Errorf("tensor %q: bad header entry: %v", name, err)
		}
		entries[name] = e
	}
	return meta, entries, nil
}

// parseMetadata decodes the __metadata__ entry, whose values must all be
// strings.
func parseMetadata(raw json.RawMessage) (map[string]string, error) {
	if raw[0] != '{' {
		return nil, fmt.Errorf("%s is not a JSON object", metadataName)
	}
	var values map[string]json.RawMessage
	if err := json.Unmarshal(raw, &values); err != nil {
		return nil, fmt.Errorf("%s: %v", metadataName, err)
	}
	meta := make(map[string]string, len(values))
	for k, v := range values {
		var s string
		if v[0] != '"' || json.Unmarshal(v, &s) != nil {
			return nil, fmt.Errorf("metadata %q is not a string", k)
		}
		meta[k] = s
	}
	return meta, nil
}

// checkMetadata returns an error unless meta holds the required keys with
// valid values.
func checkMetadata(meta map[string]string) error {
	required := []string{MetaLookback, MetaScalerMin, MetaScalerMax}
	format, ok := meta[MetaFormat]
	if !ok {
		return fmt.Errorf("not an lstmfc model: metadata has no %q key%s", MetaFormat, missingKeys(meta, required))
	}
	if format != Format {
		if v, ok := strings.CutPrefix(format, "lstmfc/"); ok {
			if n, err := strconv.Atoi(v); err == nil && n > 1 {
				return fmt.Errorf("format %q was made by a newer lstmfc; this one reads %q", format, Format)
			}
		}
		return fmt.Errorf("not an lstmfc model: format is %q, want %q%s", format, Format, missingKeys(meta, required))
	}
	for _, k := range required {
		if _, ok := meta[k]; !ok {
			return fmt.Errorf("metadata has no %q key", k)
		}
	}
	if n, err := strconv.Atoi(meta[MetaLookback]); err != nil || n < 1 {
		return fmt.Errorf("metadata %q is %q, want an integer ≥ 1", MetaLookback, meta[MetaLookback])
	}
	var bounds [2]float64
	for i, k := range []string{MetaScalerMin, MetaScalerMax} {
		v, err := strconv.ParseFloat(meta[k], 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("metadata %q is %q, want a finite number", k, meta[k])
		}
		bounds[i] = v
	}
	if bounds[1] <= bounds[0] {
		return fmt.Errorf("metadata %q %s is not above %q %s", MetaScalerMax, meta[MetaScalerMax], MetaScalerMin, meta[MetaScalerMin])
	}
	return nil
}

// missingKeys lists the keys absent from meta as a parenthesised suffix for
// an error message, or returns "" when none is.
func missingKeys(meta map[string]string, keys []string) string {
	var missing []string
	for _, k := range keys {
		if _, ok := meta[k]; !ok {
			missing = append(missing, strconv.Quote(k))
		}
	}
	if len(missing) == 0 {
		return ""
	}
	return " (no lstmfc metadata " + strings.Join(missing, ", ") + ")"
}

// dtypeSize returns the byte size of an element of a dtype that a model
// file may use, or 0 for any other dtype.
func dtypeSize(dtype string) int {
	switch dtype {
	case "F32":
		return 4
	case "F64":
		return 8
	}
	return 0
}

// decodeTensors checks the tensor entries against the data section and
// against each other, and builds the model they describe.
func decodeTensors(entries map[string]tensorEntry, data []byte) (*Model, error) {
	names := slices.Sorted(maps.Keys(entries))
	layers := 0
	for _, name := range names {
		k := layerIndex(name)
		if k == 0 && name != "dense.weight" && name != "dense.bias" {
			return nil, fmt.Errorf("unknown tensor %q", name)
		}
		layers = max(layers, k)
	}
	if err := checkPresent(entries, layers); err != nil {
		return nil, err
	}
	for _, name := range names {
		if err := checkEntry(name, entries[name], len(data)); err != nil {
			return nil, err
		}
	}
	if err := checkCoverage(entries, len(data)); err != nil {
		return nil, err
	}
	units, err := unitsOf(entries, layers)
	if err != nil {
		return nil, err
	}
	m, err := New(entries["lstm1.weight_ih_l0"].Shape[1], units)
	if err != nil {
		return nil, err // unreachable: unitsOf checked every size
	}
	for _, p := range m.Params() {
		e := entries[p.Name]
		if !slices.Equal(e.Shape, p.Shape) {
			return nil, fmt.Errorf("tensor %q has shape %v, want %v", p.Name, e.Shape, p.Shape)
		}
		raw := data[e.DataOffsets[0]:e.DataOffsets[1]]
		for i := range p.Data {
			if e.Dtype == "F32" {
				p.Data[i] = float64(math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:])))
			} else {
				p.Data[i] = math.Float64frombits(binary.LittleEndian.Uint64(raw[8*i:]))
			}
		}
		if err := checkFinite(p); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// layerIndex returns k when name is one of the four parameters of layer
// lstm{k}, written without leading zeros, and 0 otherwise.
func layerIndex(name string) int {
	rest, ok := strings.CutPrefix(name, "lstm")
	if !ok {
		return 0
	}
	digits, param, _ := strings.Cut(rest, ".")
	if !slices.Contains(layerParams(), param) {
		return 0
	}
	k, err := strconv.Atoi(digits)
	if err != nil || k < 1 || strconv.Itoa(k) != digits {
		return 0
	}
	return k
}

// layerParams returns the names of an LSTM layer's parameters, which follow
// "lstm{k}." in a tensor's name.
func layerParams() []string {
	return []string{"weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"}
}

// checkPresent checks that entries has every tensor of a model with the given
// number of layers. A name such as lstm999999999.bias_ih_l0 claims many
// layers, so the names are checked one at a time rather than listed first.
func checkPresent(entries map[string]tensorEntry, layers int) error {
	present := func(name string) error {
		if _, ok := entries[name]; !ok {
			return fmt.Errorf("missing tensor %q", name)
		}
		return nil
	}
	for k := 1; k <= max(layers, 1); k++ {
		for _, param := range layerParams() {
			if err := present("lstm" + strconv.Itoa(k) + "." + param); err != nil {
				return err
			}
		}
	}
	return cmp.Or(present("dense.weight"), present("dense.bias"))
}

// checkEntry checks one tensor's dtype, shape and offsets against the size
// of the data section.
func checkEntry(name string, e tensorEntry, dataLen int) error {
	size := dtypeSize(e.Dtype)
	if size == 0 {
		return fmt.Errorf("tensor %q has dtype %q, want F64 or F32", name, e.Dtype)
	}
	if len(e.DataOffsets) != 2 {
		return fmt.Errorf("tensor %q has data_offsets %v, want [begin, end]", name, e.DataOffsets)
	}
	begin, end := e.DataOffsets[0], e.DataOffsets[1]
	switch {
	case begin < 0 || end < begin:
		return fmt.Errorf("tensor %q has data_offsets [%d, %d], want 0 ≤ begin ≤ end", name, begin, end)
	case end > dataLen:
		return fmt.Errorf("tensor %q has data_offsets [%d, %d] past the end of the %d-byte data section (truncated file?)", name, begin, end, dataLen)
	}
	// Multiply up to the data size only, so that absurd shapes can neither
	// overflow nor lead to a large allocation later.
	n := size
	for _, d := range e.Shape {
		if d < 0 {
			return fmt.Errorf("tensor %q has shape %v with a negative dimension", name, e.Shape)
		}
		if d > 0 && n > dataLen/d {
			return fmt.Errorf("tensor %q of shape %v does not fit in the %d-byte data section", name, e.Shape, dataLen)
		}
		n *= d
	}
	if n != end-begin {
		return fmt.Errorf("tensor %q of shape %v and dtype %s needs %d bytes, but data_offsets [%d, %d] hold %d", name, e.Shape, e.Dtype, n, begin, end, end-begin)
	}
	return nil
}

// checkCoverage checks that the tensors tile the data section exactly: no
// two overlap and no byte belongs to none, as the safetensors format
// requires.
func checkCoverage(entries map[string]tensorEntry, dataLen int) error {
	names := slices.SortedFunc(maps.Keys(entries), func(a, b string) int {
		return cmp.Or(cmp.Compare(entries[a].DataOffsets[0], entries[b].DataOffsets[0]), strings.Compare(a, b))
	})
	end, last := 0, ""
	for _, name := range names {
		off := entries[name].DataOffsets
		switch {
		case off[0] < end:
			return fmt.Errorf("tensors %q and %q overlap in the data section", last, name)
		case off[0] > end:
			return fmt.Errorf("data section bytes [%d, %d) belong to no tensor", end, off[0])
		}
		end, last = off[1], name
	}
	if end != dataLen {
		return fmt.Errorf("data section bytes [%d, %d) belong to no tensor", end, dataLen)
	}
	return nil
}

// unitsOf returns the hidden size of each of the layers, read from the
// input weights' shapes. It also checks the recurrent weights' shapes, which
// bounds the size of the model New allocates by the size of the file.
func unitsOf(entries map[string]tensorEntry, layers int) ([]int, error) {
	var units []int
	for k := 1; k <= layers; k++ {
		prefix := "lstm" + strconv.Itoa(k) + "."
		ih := entries[prefix+"weight_ih_l0"]
		want := "[4·hidden inputs] with hidden, inputs ≥ 1"
		if k > 1 {
			want = fmt.Sprintf("[4·hidden %d] with hidden ≥ 1", units[k-2])
		}
		if len(ih.Shape) != 2 || ih.Shape[0] < 4 || ih.Shape[0]%4 != 0 || ih.Shape[1] < 1 || (k > 1 && ih.Shape[1] != units[k-2]) {
			return nil, fmt.Errorf("tensor %q has shape %v, want %s", prefix+"weight_ih_l0", ih.Shape, want)
		}
		h := ih.Shape[0] / 4
		hh := entries[prefix+"weight_hh_l0"]
		if !slices.Equal(hh.Shape, []int{4 * h, h}) {
			return nil, fmt.Errorf("tensor %q has shape %v, want %v", prefix+"weight_hh_l0", hh.Shape, []int{4 * h, h})
		}
		units = append(units, h)
	}
	return units, nil
}

// checkFinite returns an error naming p and the position of its first NaN
// or infinite value, if any.
func checkFinite(p Param) error {
	for i, v := range p.Data {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			at := make([]int, len(p.Shape))
			for j := len(p.Shape) - 1; j >= 0; j-- {
				at[j] = i % p.Shape[j]
				i /= p.Shape[j]
			}
			return fmt.Errorf("tensor %q holds %v at %v", p.Name, v, at)
		}
	}
	return nil
}
