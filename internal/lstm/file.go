package lstm

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"math/bits"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Format is the value of the MetaFormat metadata key in the model files that
// this package writes and reads.
const Format = "lstmfc/1"

// Metadata keys that this package reads and writes. A model file may hold
// any other string keys; Decode returns them untouched.
const (
	// MetaFormat is required in every model file and must be Format.
	MetaFormat = "format"
	// MetaChecksum holds "sha256:" and the hex SHA-256 digest of the whole
	// file with the digest's 64 hex digits replaced by zeros, so that it
	// covers the header length, every other metadata key and value, the
	// tensors' descriptions and their bytes. Encode always writes it;
	// Decode verifies it when present and does not return it. Files without
	// it (written before lstmfc wrote checksums, or exported from PyTorch)
	// still decode.
	MetaChecksum = "checksum"
)

// MaxHeaderSize is the largest header, in bytes, that Encode writes and
// Decode reads. It is the limit of the reference safetensors reader
// (huggingface/safetensors' MAX_HEADER_SIZE), so every file lstmfc writes
// opens there too, and it bounds the memory that parsing an untrusted
// header takes before anything else is known about the file. The header
// holds the metadata, so this bounds the metadata as well: about three
// million prices and dates.
const MaxHeaderSize = 100_000_000

// MaxFileSize is the size of the largest model file that Decode reads: the
// header length, the largest header and the F64 tensors of the largest
// model. A reader may stop reading a file there.
const MaxFileSize = 8 + MaxHeaderSize + 8*MaxParams

// metadataName is the safetensors header entry holding the metadata.
const metadataName = "__metadata__"

// checksumPrefix starts a MetaChecksum value; checksumHexLen hex digits
// follow.
const (
	checksumPrefix = "sha256:"
	checksumHexLen = 2 * sha256.Size
)

// tensorEntry is a tensor's description in a safetensors header.
type tensorEntry struct {
	Dtype       string `json:"dtype"`
	Shape       []int  `json:"shape"`
	DataOffsets []int  `json:"data_offsets"` // [begin, end) in the data section
}

// Encode writes m to w as a safetensors file with the metadata meta.
// MetaFormat is set to Format and MetaChecksum to the file's checksum,
// whatever meta says; meta itself is not changed. Tensors are written as
// F64 in Params order, and the header's keys are sorted, so equal models
// and metadata give identical bytes. Encode refuses a model with a NaN or
// infinite parameter, metadata that is not valid UTF-8 and a header larger
// than MaxHeaderSize; it then writes nothing.
func Encode(w io.Writer, m *Model, meta map[string]string) error {
	b, err := encode(m, meta)
	if err != nil {
		return fmt.Errorf("cannot encode model: %w", err)
	}
	_, err = w.Write(b)
	return err
}

func encode(m *Model, meta map[string]string) ([]byte, error) {
	full := maps.Clone(meta)
	if full == nil {
		full = make(map[string]string, 2)
	}
	full[MetaFormat] = Format
	// A placeholder of the digest's length, so that the header's length
	// and layout are final before the digest is computed.
	full[MetaChecksum] = checksumPrefix + strings.Repeat("0", checksumHexLen)
	// JSON would replace invalid UTF-8 with U+FFFD, so the file would not
	// give back what the caller wrote.
	size := 0
	for _, k := range slices.Sorted(maps.Keys(full)) {
		if !utf8.ValidString(k) || !utf8.ValidString(full[k]) {
			return nil, fmt.Errorf("metadata %q is not valid UTF-8", k)
		}
		size += len(k) + len(full[k])
	}
	// The JSON is longer still: refuse before encoding it.
	if size > MaxHeaderSize {
		return nil, fmt.Errorf("metadata of %d bytes is over the header's %d-byte limit", size, MaxHeaderSize)
	}
	params := m.Params()
	header := make(map[string]any, len(params)+1)
	header[metadataName] = full
	size = 0
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
	if h.Len() > MaxHeaderSize {
		return nil, fmt.Errorf("header of %d bytes is over the %d-byte limit (too much metadata)", h.Len(), MaxHeaderSize)
	}
	b := make([]byte, 8, 8+h.Len()+size)
	binary.LittleEndian.PutUint64(b, uint64(h.Len()))
	b = append(b, h.Bytes()...)
	for _, p := range params {
		for _, v := range p.Data {
			b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
		}
	}
	// Keys and values are escaped JSON strings, so the key with its
	// unescaped quotes occurs once, as the key itself.
	at := bytes.Index(b, []byte(`"`+MetaChecksum+`":"`+checksumPrefix)) + len(MetaChecksum) + len(checksumPrefix) + 4
	sum := checksum(b, at)
	hex.Encode(b[at:at+checksumHexLen], sum[:])
	return b, nil
}

// checksum returns the SHA-256 digest of the file b with the checksumHexLen
// bytes at b[at:] taken as zeros, which is how Encode hashed the file
// before it wrote the digest there.
func checksum(b []byte, at int) [sha256.Size]byte {
	h := sha256.New()
	h.Write(b[:at])
	h.Write([]byte(strings.Repeat("0", checksumHexLen)))
	h.Write(b[at+checksumHexLen:])
	var sum [sha256.Size]byte
	h.Sum(sum[:0])
	return sum
}

// Decode reads a model file from b: a safetensors file with the tensors of
// Params and the MetaFormat key. The architecture (cell, inputs, number of
// layers, hidden sizes, outputs) comes from the tensors' names and shapes; F32 and F64 tensors are
// accepted. When the file has a MetaChecksum, Decode verifies it first; a
// file that fails is refused as damaged. It returns the model and the
// file's metadata without MetaChecksum. Errors are one line starting with
// "model file: " and say what is wrong.
func Decode(b []byte) (*Model, map[string]string, error) {
	m, meta, err := decode(b)
	if err != nil {
		return nil, nil, fmt.Errorf("model file: %w", err)
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
	if len(b) > MaxFileSize {
		return nil, nil, fmt.Errorf("file is over the %d-byte limit of a model file", MaxFileSize)
	}
	n := binary.LittleEndian.Uint64(b)
	if n > uint64(len(b)-8) {
		return nil, nil, fmt.Errorf("header length %d exceeds the %d bytes after it (truncated, or not a safetensors file)", n, len(b)-8)
	}
	if n > MaxHeaderSize {
		return nil, nil, fmt.Errorf("header length %d is over the %d-byte limit", n, MaxHeaderSize)
	}
	h := b[8 : 8+n]
	// The format requires UTF-8; JSON would read invalid bytes as U+FFFD,
	// so a damaged key could decode as another one.
	if !utf8.Valid(h) {
		return nil, nil, errors.New("header is not valid UTF-8")
	}
	hd, err := parseHeader(h)
	if err != nil {
		return nil, nil, err
	}
	if err := verifyChecksum(b, hd); err != nil {
		return nil, nil, err
	}
	if err := checkFormat(hd.meta); err != nil {
		return nil, nil, err
	}
	m, err := decodeTensors(hd.entries, b[8+n:])
	if err != nil {
		return nil, nil, err
	}
	return m, hd.meta, nil
}

// header is a parsed safetensors header.
type header struct {
	meta    map[string]string // without MetaChecksum
	entries map[string]tensorEntry
	// sum is the MetaChecksum value's digest in hex and sumAt its offset
	// in the header; sum is "" when the file has no checksum.
	sum   string
	sumAt int
}

// parseHeader splits the JSON header into its metadata and tensor entries.
// It walks the top-level object itself so that a repeated name, which
// readers could resolve differently, is an error rather than silently lost.
func parseHeader(h []byte) (*header, error) {
	if len(h) == 0 || h[0] != '{' {
		return nil, errors.New("header is not a JSON object")
	}
	// Check the whole header first: json.Unmarshal says where a syntax error
	// is, which the streaming decoder below does not do reliably.
	if err := json.Unmarshal(h, new(json.RawMessage)); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return nil, fmt.Errorf("header JSON is invalid at byte %d: %v", se.Offset, err)
		}
		return nil, fmt.Errorf("header JSON is invalid: %v", err)
	}
	dec := json.NewDecoder(bytes.NewReader(h))
	if _, err := dec.Token(); err != nil { // the '{' checked above
		return nil, fmt.Errorf("header JSON: %v", err)
	}
	hd := &header{entries: make(map[string]tensorEntry)}
	seen := make(map[string]bool)
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("header JSON: %v", err)
		}
		name := tok.(string) // the decoder only yields strings as object keys
		if seen[name] {
			return nil, fmt.Errorf("header has %q twice", name)
		}
		seen[name] = true
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, fmt.Errorf("header JSON: %v", err)
		}
		if name == metadataName {
			// raw holds the value's exact bytes, which end at the
			// decoder's offset.
			if err := hd.parseMetadata(raw, int(dec.InputOffset())-len(raw)); err != nil {
				return nil, err
			}
			continue
		}
		if raw[0] != '{' {
			return nil, fmt.Errorf("tensor %q: header entry is not a JSON object", name)
		}
		var e tensorEntry
		if err := json.Unmarshal(raw, &e); err != nil {
			return nil, fmt.Errorf("tensor %q: bad header entry: %v", name, err)
		}
		hd.entries[name] = e
	}
	return hd, nil
}

// parseMetadata decodes the __metadata__ entry raw, found at offset at in
// the header, whose values must all be strings and whose keys must differ.
// It sets hd.meta, and hd.sum and hd.sumAt if there is a checksum.
func (hd *header) parseMetadata(raw json.RawMessage, at int) error {
	if raw[0] != '{' {
		return fmt.Errorf("%s is not a JSON object", metadataName)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if _, err := dec.Token(); err != nil { // the '{' checked above
		return fmt.Errorf("%s: %v", metadataName, err)
	}
	hd.meta = make(map[string]string)
	hasSum := false
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return fmt.Errorf("%s: %v", metadataName, err)
		}
		k := tok.(string) // the decoder only yields strings as object keys
		if _, dup := hd.meta[k]; dup || (k == MetaChecksum && hasSum) {
			return fmt.Errorf("metadata has %q twice", k)
		}
		tok, err = dec.Token()
		if err != nil {
			return fmt.Errorf("%s: %v", metadataName, err)
		}
		v, ok := tok.(string)
		if !ok {
			return fmt.Errorf("metadata %q is not a string", k)
		}
		if k != MetaChecksum {
			hd.meta[k] = v
			continue
		}
		hasSum = true
		// The digest must be found at a known place in the file to be
		// replaced by zeros, so it must be written as Encode writes it:
		// the prefix and lowercase hex digits, unescaped.
		end := int(dec.InputOffset())
		digits, ok := strings.CutPrefix(v, checksumPrefix)
		if !ok || len(digits) != checksumHexLen || strings.Trim(digits, "0123456789abcdef") != "" ||
			end < len(v)+2 || string(raw[end-len(v)-2:end]) != strconv.Quote(v) {
			return errors.New("damaged: checksum is not " + checksumPrefix + " and 64 hex digits")
		}
		hd.sum, hd.sumAt = digits, at+end-1-checksumHexLen
	}
	return nil
}

// verifyChecksum checks the checksum of the file b whose header is hd, if
// it has one. A file without one is refused if a metadata key is one bit
// away from MetaChecksum: such a file is a checksummed one damaged where
// the damage would otherwise go unseen.
func verifyChecksum(b []byte, hd *header) error {
	if hd.sum == "" {
		for k := range hd.meta {
			if oneBitApart(k, MetaChecksum) {
				return fmt.Errorf("damaged: metadata key %q is one bit away from %q", k, MetaChecksum)
			}
		}
		return nil
	}
	at := 8 + hd.sumAt
	if sum := checksum(b, at); hex.EncodeToString(sum[:]) != hd.sum {
		return errors.New("damaged: checksum mismatch")
	}
	return nil
}

// oneBitApart reports whether a and b have the same length and differ in
// exactly one bit.
func oneBitApart(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	n := 0
	for i := range len(a) {
		n += bits.OnesCount8(a[i] ^ b[i])
	}
	return n == 1
}

// checkFormat returns an error unless meta says the file is an lstmfc
// model file of a format this package reads.
func checkFormat(meta map[string]string) error {
	format, ok := meta[MetaFormat]
	if !ok {
		return fmt.Errorf("not an lstmfc model: metadata has no %q key", MetaFormat)
	}
	if format != Format {
		if v, ok := strings.CutPrefix(format, "lstmfc/"); ok {
			if n, err := strconv.Atoi(v); err == nil && n > 1 {
				return fmt.Errorf("format %q was made by a newer lstmfc; this one reads %q", format, Format)
			}
		}
		return fmt.Errorf("not an lstmfc model: format is %q, want %q", format, Format)
	}
	return nil
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
	cell, layers, err := cellOf(names)
	if err != nil {
		return nil, err
	}
	if err := checkPresent(entries, cell, layers); err != nil {
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
	units, err := unitsOf(entries, cell, layers)
	if err != nil {
		return nil, err
	}
	outputs, err := outputsOf(entries, units[len(units)-1])
	if err != nil {
		return nil, err
	}
	m, err := NewCell(cell, entries[cell.String()+"1.weight_ih_l0"].Shape[1], units, outputs)
	if err != nil {
		return nil, err // unreachable: unitsOf and outputsOf checked every size
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

// cellOf returns the cell of the layers that the tensor names (sorted)
// describe and their number, the largest k of a name {cell}{k}.param. The
// cell is that of layer 1, or of the lowest layer named; a tensor of a
// layer of another cell is an error naming it, as is a name that is
// neither a layer's nor the head's. Without any layer's tensor the cell is
// LSTM, whose missing tensors checkPresent reports.
func cellOf(names []string) (Cell, int, error) {
	cell, lowest, layers := LSTM, 0, 0
	for _, name := range names {
		c, k := layerIndex(name)
		if k == 0 {
			if name != "dense.weight" && name != "dense.bias" {
				return 0, 0, fmt.Errorf("unknown tensor %q", name)
			}
			continue
		}
		if lowest == 0 || k < lowest {
			cell, lowest = c, k
		}
		layers = max(layers, k)
	}
	for _, name := range names {
		if c, k := layerIndex(name); k > 0 && c != cell {
			return 0, 0, fmt.Errorf("tensor %q is of a %v layer, but layer %d is %v: all layers of a model have one cell", name, c, lowest, cell)
		}
	}
	return cell, layers, nil
}

// layerIndex returns the cell and k when name is one of the four
// parameters of layer {cell}{k}, k written without leading zeros, and k = 0
// otherwise.
func layerIndex(name string) (Cell, int) {
	for c, prefix := range cellNames {
		rest, ok := strings.CutPrefix(name, prefix)
		if !ok {
			continue
		}
		digits, param, _ := strings.Cut(rest, ".")
		if !slices.Contains(layerParams(), param) {
			return 0, 0
		}
		k, err := strconv.Atoi(digits)
		if err != nil || k < 1 || strconv.Itoa(k) != digits {
			return 0, 0
		}
		return Cell(c), k
	}
	return 0, 0
}

// layerParams returns the names of a layer's parameters, which follow
// "{cell}{k}." in a tensor's name.
func layerParams() []string {
	return []string{"weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"}
}

// checkPresent checks that entries has every tensor of a model of the cell
// with the given number of layers. A name such as lstm999999999.bias_ih_l0
// claims many layers, so the names are checked one at a time rather than
// listed first.
func checkPresent(entries map[string]tensorEntry, cell Cell, layers int) error {
	present := func(name string) error {
		if _, ok := entries[name]; !ok {
			return fmt.Errorf("missing tensor %q", name)
		}
		return nil
	}
	for k := 1; k <= max(layers, 1); k++ {
		for _, param := range layerParams() {
			if err := present(cell.String() + strconv.Itoa(k) + "." + param); err != nil {
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

// unitsOf returns the hidden size of each of the layers of the cell, read
// from the input weights' shapes. It also checks the recurrent weights'
// shapes, which bounds the size of the model NewCell allocates by the size
// of the file.
func unitsOf(entries map[string]tensorEntry, cell Cell, layers int) ([]int, error) {
	var units []int
	g := cell.gates()
	rows := "hidden"
	if g > 1 {
		rows = strconv.Itoa(g) + "·hidden"
	}
	for k := 1; k <= layers; k++ {
		prefix := cell.String() + strconv.Itoa(k) + "."
		ih := entries[prefix+"weight_ih_l0"]
		want := fmt.Sprintf("[%s inputs] with hidden, inputs ≥ 1", rows)
		if k > 1 {
			want = fmt.Sprintf("[%s %d] with hidden ≥ 1", rows, units[k-2])
		}
		if len(ih.Shape) != 2 || ih.Shape[0] < g || ih.Shape[0]%g != 0 || ih.Shape[1] < 1 || (k > 1 && ih.Shape[1] != units[k-2]) {
			return nil, fmt.Errorf("tensor %q has shape %v, want %s (a %v layer)", prefix+"weight_ih_l0", ih.Shape, want, cell)
		}
		h := ih.Shape[0] / g
		hh := entries[prefix+"weight_hh_l0"]
		if !slices.Equal(hh.Shape, []int{g * h, h}) {
			return nil, fmt.Errorf("tensor %q has shape %v, want %v (a %v layer)", prefix+"weight_hh_l0", hh.Shape, []int{g * h, h}, cell)
		}
		units = append(units, h)
	}
	return units, nil
}

// outputsOf returns the number of outputs of the dense head, the rows of
// dense.weight, whose columns must be the last layer's hidden units.
func outputsOf(entries map[string]tensorEntry, hidden int) (int, error) {
	w := entries["dense.weight"].Shape
	if len(w) != 2 || w[0] < 1 || w[0] > MaxOutputs || w[1] != hidden {
		return 0, fmt.Errorf("tensor %q has shape %v, want [outputs %d] with 1 ≤ outputs ≤ %d", "dense.weight", w, hidden, MaxOutputs)
	}
	return w[0], nil
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
