package metrics

import (
	"encoding/json"
	"fmt"
	"math"

	"gonum.org/v1/gonum/stat/distuv"
)

// Loss is the loss a Diebold–Mariano test compares forecasts by.
type Loss int

const (
	// Squared loss, e², the loss RMSE ranks by.
	Squared Loss = iota
	// Absolute loss, |e|, the loss MAE and MASE rank by.
	Absolute
)

// of returns the loss of error e.
func (l Loss) of(e float64) float64 {
	if l == Absolute {
		return math.Abs(e)
	}
	return e * e
}

// DM is the outcome of a Diebold–Mariano test of equal accuracy. Stat is
// positive when the first forecast's loss is the larger.
type DM struct {
	Stat float64 // the statistic, after the Harvey–Leybourne–Newbold correction
	P    float64 // two-sided p-value, from Student's t with N-1 degrees of freedom
	N    int     // loss differentials
}

// Significant reports whether the test rejects equal accuracy at the 5%
// level. An unknown p-value (NaN) is not significant.
func (d DM) Significant() bool { return d.P < 0.05 }

// MarshalJSON writes the test as {"statistic", "p_value", "n"}, an
// undefined statistic or p-value as null.
func (d DM) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Stat *float64 `json:"statistic"`
		P    *float64 `json:"p_value"`
		N    int      `json:"n"`
	}{finiteOrNil(d.Stat), finiteOrNil(d.P), d.N})
}

// UnmarshalJSON reads what MarshalJSON writes, null as NaN.
func (d *DM) UnmarshalJSON(b []byte) error {
	var w struct {
		Stat *float64 `json:"statistic"`
		P    *float64 `json:"p_value"`
		N    int      `json:"n"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*d = DM{Stat: valueOrNaN(w.Stat), P: valueOrNaN(w.P), N: w.N}
	return nil
}

// DieboldMariano tests whether the forecasts with errors e1 and e2 (actual
// minus predicted, of the same targets in time order) are equally accurate
// under loss. h is how many steps ahead the forecasts were made: h-step
// errors from consecutive origins overlap, so the variance of the mean loss
// differential d̄ counts the autocovariances γ₁…γ_{h-1} of d, each with
// divisor n:
//
//	DM = d̄ / √((γ₀ + 2 Σ_{k=1}^{h-1} γ_k) / n)
//
// and the Harvey–Leybourne–Newbold small-sample correction multiplies it by
// √((n + 1 - 2h + h(h-1)/n) / n) and reads it from Student's t with n-1
// degrees of freedom (Harvey, Leybourne and Newbold 1997), as R's
// forecast::dm.test does. When that variance is not positive, as
// truncated autocovariances can, the test falls back to h = 1, also as
// dm.test does.
//
// Identical losses throughout have no difference: Stat 0 and P 1. Stat and
// P are NaN with fewer than two differentials or when the correction
// factor is not positive (h too large for n). It panics when the lengths
// differ or h < 1.
func DieboldMariano(e1, e2 []float64, h int, loss Loss) DM {
	mustSameLength(e1, e2)
	if h < 1 {
		panic(fmt.Sprintf("metrics: Diebold–Mariano test of %d-step errors", h))
	}
	n := len(e1)
	res := DM{Stat: math.NaN(), P: math.NaN(), N: n}
	if n < 2 {
		return res
	}
	d := make([]float64, n)
	var mean float64
	for i := range d {
		d[i] = loss.of(e1[i]) - loss.of(e2[i])
		mean += d[i]
	}
	mean /= float64(n)
	autocov := func(k int) float64 {
		var s float64
		for i := k; i < n; i++ {
			s += (d[i] - mean) * (d[i-k] - mean)
		}
		return s / float64(n)
	}
	v := autocov(0)
	for k := 1; k < min(h, n); k++ {
		v += 2 * autocov(k)
	}
	if v <= 0 && h > 1 {
		return DieboldMariano(e1, e2, 1, loss)
	}
	nf, hf := float64(n), float64(h)
	corr := (nf + 1 - 2*hf + hf*(hf-1)/nf) / nf
	switch {
	case !(corr > 0):
		return res
	case v <= 0 && mean == 0:
		res.Stat, res.P = 0, 1
		return res
	}
	res.Stat = mean / math.Sqrt(v/nf) * math.Sqrt(corr)
	t := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: nf - 1}
	res.P = 2 * t.Survival(math.Abs(res.Stat))
	return res
}
