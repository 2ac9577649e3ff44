package lstm

import (
	"bytes"
	"maps"
	"os"
	"slices"
	"strings"
	"testing"
)

// FuzzDecode checks that Decode never panics, that its errors are one line,
// and that whatever it accepts encodes and decodes again to the same model
// and metadata.
func FuzzDecode(f *testing.F) {
	small := encodeModel(f, filledModel(f, 11, 1, 2, 3), requiredMeta())
	f.Add(small)
	f.Add(toF32(f, small, "lstm1.weight_ih_l0", "dense.weight"))
	for _, n := range []int{0, 7, 8, 100, len(small) - 8} {
		f.Add(small[:n])
	}
	golden, err := os.ReadFile("testdata/file_golden_small.safetensors")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(golden)
	f.Add(smallPNG(f))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, meta, err := Decode(b)
		if err != nil {
			if msg := err.Error(); !strings.HasPrefix(msg, "model file: ") || strings.Contains(msg, "\n") {
				t.Fatalf("error %q is not one line starting with %q", msg, "model file: ")
			}
			return
		}
		var buf bytes.Buffer
		if err := Encode(&buf, m, meta); err != nil {
			t.Fatalf("Encode of a decoded model: %v", err)
		}
		again, againMeta, err := Decode(buf.Bytes())
		if err != nil {
			t.Fatalf("Decode of a re-encoded model: %v", err)
		}
		if again.Inputs() != m.Inputs() || !slices.Equal(again.Units(), m.Units()) || !sameBits(again.Data, m.Data) {
			t.Fatal("re-encoded model differs from the decoded one")
		}
		if !maps.Equal(againMeta, meta) {
			t.Fatalf("re-encoded metadata %v differs from the decoded %v", againMeta, meta)
		}
	})
}
