package lstm

import (
	"math"
	"testing"
)

func TestClipNorm(t *testing.T) {
	g := []float64{3, 4}
	if n := clipNorm(g, 10); n != 5 || g[0] != 3 || g[1] != 4 {
		t.Errorf("norm %v, clipped to %v with a threshold above the norm; want 5, unchanged", n, g)
	}
	clipNorm(g, 1)
	// torch.nn.utils.clip_grad_norm_ scales by max_norm/(norm+1e-6).
	coef := 1 / (5 + 1e-6)
	if g[0] != 3*coef || g[1] != 4*coef {
		t.Errorf("clipped to %v, want %v", g, []float64{3 * coef, 4 * coef})
	}
	if n := math.Hypot(g[0], g[1]); n > 1 {
		t.Errorf("norm after clipping is %v, above 1", n)
	}
}
