package metrics

import (
	"fmt"
	"math"
	"slices"
)

// ConformalQuantile returns the split-conformal radius for coverage level
// (0 < level < 1) from the absolute residuals of a calibration span: the
// ⌈(n+1)·level⌉-th smallest of the n residuals. If the residuals and a new
// one are exchangeable, the new one is at most the radius with probability
// at least level, so forecast ± radius is a prediction interval.
//
// When ⌈(n+1)·level⌉ > n, too few residuals are known to promise that
// coverage and the radius is +Inf. A product (n+1)·level within a relative
// 1e-12 of an integer counts as that integer, so that level 0.7 with 9
// residuals is rank 7 although 10·0.7 is 7.000000000000001 in floating
// point. It panics when level is outside (0, 1).
func ConformalQuantile(absResiduals []float64, level float64) float64 {
	sorted := slices.Clone(absResiduals)
	slices.Sort(sorted)
	return ConformalQuantileSorted(sorted, level)
}

// ConformalQuantileSorted is ConformalQuantile of residuals already sorted
// in increasing order, which it does not copy: for a calibration set that
// grows one residual at a time and is asked for its radius after each.
func ConformalQuantileSorted(sorted []float64, level float64) float64 {
	if !(level > 0 && level < 1) {
		panic(fmt.Sprintf("metrics: conformal level %v outside (0, 1)", level))
	}
	n := len(sorted)
	k := int(math.Ceil(float64(n+1) * level * (1 - 1e-12)))
	if k > n {
		return math.Inf(1)
	}
	return sorted[k-1]
}

// ConformalMinSamples returns the fewest residuals from which
// ConformalQuantile gives a finite radius at level (0 < level < 1): the
// smallest n with ⌈(n+1)·level⌉ ≤ n, under the same rounding.
func ConformalMinSamples(level float64) int {
	if !(level > 0 && level < 1) {
		panic(fmt.Sprintf("metrics: conformal level %v outside (0, 1)", level))
	}
	n := int(level / (1 - level)) // within one of the answer, below it
	for int(math.Ceil(float64(n+1)*level*(1-1e-12))) > n {
		n++
	}
	return n
}
