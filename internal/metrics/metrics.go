// Package metrics scores point forecasts against actual values, gives the
// simple baselines a model has to beat, and sizes split-conformal prediction
// intervals.
//
// Functions that compare slices panic when their lengths differ, as that is
// a programming error; a score with no terms to average is NaN.
package metrics

import (
	"encoding/json"
	"math"

	"gonum.org/v1/gonum/floats"
)

// Scores are the accuracy measures of one forecast.
type Scores struct {
	RMSE                float64 `json:"rmse"`
	MAE                 float64 `json:"mae"`
	MAPE                float64 `json:"mape"`  // percent
	SMAPE               float64 `json:"smape"` // percent
	MASE                float64 `json:"mase"`
	DirectionalAccuracy float64 `json:"directional_accuracy"` // fraction in [0, 1]
}

// Score compares the predictions pred with the actual values. prev[i] is the
// last value known before actual[i], the base for the direction of a move.
// naiveMAE is the in-sample mean absolute error of the naive one-step
// forecast on the training span (see NaiveMAE), the scale of MASE; MASE is
// NaN when naiveMAE is 0, negative or NaN (unknown).
func Score(prev, actual, pred []float64, naiveMAE float64) Scores {
	mae := MAE(actual, pred)
	mase := math.NaN()
	if naiveMAE > 0 {
		mase = mae / naiveMAE
	}
	return Scores{
		RMSE:                RMSE(actual, pred),
		MAE:                 mae,
		MAPE:                MAPE(actual, pred),
		SMAPE:               SMAPE(actual, pred),
		MASE:                mase,
		DirectionalAccuracy: DirectionalAccuracy(prev, actual, pred),
	}
}

// RMSE returns the root mean squared error of pred.
func RMSE(actual, pred []float64) float64 {
	return floats.Distance(actual, pred, 2) / math.Sqrt(float64(len(actual)))
}

// MAE returns the mean absolute error of pred.
func MAE(actual, pred []float64) float64 {
	return floats.Distance(actual, pred, 1) / float64(len(actual))
}

// MAPE returns the mean absolute percentage error of pred, in percent. Terms
// whose actual value is 0 have no percentage error and are skipped.
func MAPE(actual, pred []float64) float64 {
	mustSameLength(actual, pred)
	var sum float64
	var n int
	for i, a := range actual {
		if a != 0 {
			sum += math.Abs((a - pred[i]) / a)
			n++
		}
	}
	return 100 * sum / float64(n)
}

// SMAPE returns the symmetric mean absolute percentage error of pred,
// 100/n · Σ 2|a-p| / (|a|+|p|), in percent (from 0 to 200). A term whose
// actual and predicted values are both 0 is a perfect forecast and counts
// as 0.
func SMAPE(actual, pred []float64) float64 {
	mustSameLength(actual, pred)
	var sum float64
	for i, a := range actual {
		if d := math.Abs(a) + math.Abs(pred[i]); d != 0 {
			sum += 2 * math.Abs(a-pred[i]) / d
		}
	}
	return 100 * sum / float64(len(actual))
}

// DirectionalAccuracy returns the fraction of moves whose direction pred
// called: of the i where actual[i] differs from prev[i], those where
// pred[i]-prev[i] has the same sign as actual[i]-prev[i]. A prediction of no
// change calls no direction and counts as a miss; a step with no actual move
// has no direction to call and is skipped.
func DirectionalAccuracy(prev, actual, pred []float64) float64 {
	mustSameLength(actual, pred)
	mustSameLength(prev, actual)
	var hits, moves int
	for i, a := range actual {
		move := sign(a - prev[i])
		if move == 0 {
			continue
		}
		moves++
		if sign(pred[i]-prev[i]) == move {
			hits++
		}
	}
	return float64(hits) / float64(moves)
}

// NaiveMAE returns the mean absolute error of the naive forecast that
// tomorrow equals today over train, mean |x[t]-x[t-1]|: the scale of MASE.
// It is NaN for fewer than two values.
func NaiveMAE(train []float64) float64 {
	if len(train) < 2 {
		return math.NaN()
	}
	return MAE(train[1:], train[:len(train)-1])
}

// MarshalJSON writes s as a JSON object with the field tags as keys. Every
// ratio is a fraction, as lstmfc's JSON writes all ratios: mape and smape
// of 0.05 are 5%, like directional_accuracy's 0.5 is 50%. A score that is
// NaN or infinite, such as the MASE of an unknown scale, is written as
// null, since JSON has no such numbers.
func (s Scores) MarshalJSON() ([]byte, error) {
	return json.Marshal(wireScores{
		RMSE:                finiteOrNil(s.RMSE),
		MAE:                 finiteOrNil(s.MAE),
		MAPE:                finiteOrNil(s.MAPE / 100),
		SMAPE:               finiteOrNil(s.SMAPE / 100),
		MASE:                finiteOrNil(s.MASE),
		DirectionalAccuracy: finiteOrNil(s.DirectionalAccuracy),
	})
}

// UnmarshalJSON reads the object MarshalJSON writes, mape and smape back
// to percent; a null or missing score reads as NaN.
func (s *Scores) UnmarshalJSON(b []byte) error {
	var w wireScores
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*s = Scores{
		RMSE:                valueOrNaN(w.RMSE),
		MAE:                 valueOrNaN(w.MAE),
		MAPE:                100 * valueOrNaN(w.MAPE),
		SMAPE:               100 * valueOrNaN(w.SMAPE),
		MASE:                valueOrNaN(w.MASE),
		DirectionalAccuracy: valueOrNaN(w.DirectionalAccuracy),
	}
	return nil
}

// wireScores is the JSON form of Scores, with the same keys, in which a
// score may be null.
type wireScores struct {
	RMSE                *float64 `json:"rmse"`
	MAE                 *float64 `json:"mae"`
	MAPE                *float64 `json:"mape"`
	SMAPE               *float64 `json:"smape"`
	MASE                *float64 `json:"mase"`
	DirectionalAccuracy *float64 `json:"directional_accuracy"`
}

// finiteOrNil returns a pointer to v, or nil when v is NaN or infinite.
func finiteOrNil(v float64) *float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return &v
}

// valueOrNaN returns *p, or NaN when p is nil.
func valueOrNaN(p *float64) float64 {
	if p == nil {
		return math.NaN()
	}
	return *p
}

// sign returns -1, 0 or +1 as x is negative, zero or positive.
func sign(x float64) int {
	switch {
	case x > 0:
		return 1
	case x < 0:
		return -1
	}
	return 0
}

// mustSameLength panics when a and b differ in length.
func mustSameLength(a, b []float64) {
	if len(a) != len(b) {
		panic("metrics: slice length mismatch")
	}
}
