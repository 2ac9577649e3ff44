package lstm

import (
	"bytes"
	"hash/crc32"
	"maps"
	"os"
	"slices"
	"strings"
	"testing"
)

// FuzzDecode checks that Decode never panics, that its errors are one line,
// that whatever it accepts encodes and decodes again to the same model and
// metadata, and that the re-encoded file with one bit flipped (at a place
// drawn from the input) is refused.
func FuzzDecode(f *testing.F) {
	small := encodeModel(f, filledModel(f, 11, 1, 2, 3), someMeta())
	f.Add(small)
	f.Add(toF32(f, small, "lstm1.weight_ih_l0", "dense.weight"))
	for _, n := range []int{0, 7, 8, 100, len(small) - 8} {
		f.Add(small[:n])
	}
	for _, bit := range []int{3, 8 * 20, 8 * 60, 8*len(small) - 1} {
		damaged := slices.Clone(small)
		damaged[bit/8] ^= 1 << (bit % 8)
		f.Add(damaged)
	}
	f.Add(edited(f, small, func(h map[string]any, data []byte) []byte { return data })) // no checksum
	f.Add(rawFile(`{"__metadata__":{"format":"lstmfc/1","a":"1","a":"2"}}`, nil))
	for _, cell := range []Cell{GRU, RNN} {
		m, err := NewCell(cell, 2, []int{3, 2}, 3)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(encodeModel(f, m, someMeta()))
	}
	for _, name := range []string{"file_golden_small.safetensors", "file_small.safetensors", "file_golden_gru_f2_o3_small.safetensors"} {
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add(smallPNG(f))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, meta, err := Decode(b)
		if err != nil {
			if msg := err.Error(); !strings.HasPrefix(msg, "model file: ") || strings.Contains(msg, "\n") {
				t.Fatalf("error %q is not one line starting with %q", msg, "model file: ")
			}
			return
		}
		if _, ok := meta[MetaChecksum]; ok {
			t.Fatalf("Decode returned the checksum in the metadata")
		}
		var buf bytes.Buffer
		if err := Encode(&buf, m, meta); err != nil {
			t.Fatalf("Encode of a decoded model: %v", err)
		}
		again, againMeta, err := Decode(buf.Bytes())
		if err != nil {
			t.Fatalf("Decode of a re-encoded model: %v", err)
		}
		if again.Cell != m.Cell || again.Inputs() != m.Inputs() || !slices.Equal(again.Units(), m.Units()) ||
			again.Outputs() != m.Outputs() || !sameBits(again.Data, m.Data) {
			t.Fatal("re-encoded model differs from the decoded one")
		}
		if !maps.Equal(againMeta, meta) {
			t.Fatalf("re-encoded metadata %v differs from the decoded %v", againMeta, meta)
		}
		damaged := buf.Bytes()
		bit := int(crc32.ChecksumIEEE(b) % uint32(8*len(damaged)))
		damaged[bit/8] ^= 1 << (bit % 8)
		if _, _, err := Decode(damaged); err == nil {
			t.Fatalf("Decode accepted a re-encoded file with bit %d of byte %d flipped", bit%8, bit/8)
		}
	})
}
