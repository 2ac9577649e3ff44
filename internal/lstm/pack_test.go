package lstm

import (
	"fmt"
	"testing"
)

// TestTranspose checks transpose against its definition on shapes whose
// rows are and are not whole groups of four, with gaps after the rows of
// both matrices that must be left as they were.
func TestTranspose(t *testing.T) {
	fill := uniformFill(7, 8)
	for r := 1; r <= 9; r++ {
		for _, c := range []int{1, 3, 8, 13} {
			name := fmt.Sprintf("%d×%d", r, c)
			lds, ldd := c+2, r+3
			src := fill(r * lds)
			dst := fill(c * ldd)
			before := append([]float64(nil), dst...)
			transpose(dst, ldd, src, lds, r, c)
			for j := range c {
				for i := range ldd {
					got := dst[j*ldd+i]
					want := before[j*ldd+i]
					if i < r {
						want = src[i*lds+j]
					}
					if got != want {
						t.Fatalf("%s: dst[%d][%d] = %v, want %v", name, j, i, got, want)
					}
				}
			}
		}
	}
}
