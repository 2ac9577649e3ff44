package forecast

import (
	"fmt"
	"math"
	"strings"

	"github.com/lstmfc/lstmfc/internal/metrics"
)

// Verdict compares a model's forecasts with the best of the baselines
// scored next to them: beating the naive forecast means little when drift
// beats both.
type Verdict struct {
	// Best names the baseline with the lowest RMSE, as its key in JSON
	// ("naive", "drift", "moving_average", "seasonal_naive").
	Best string `json:"best_baseline"`
	// BestScores are Best's scores, kept here so that the verdict can be
	// put in words alone; in JSON they are under Best's key.
	BestScores metrics.Scores `json:"-"`
	// DM tests the model's squared errors against Best's; a positive
	// statistic means the model's are the larger.
	DM metrics.DM `json:"diebold_mariano"`
}

// candidate is a baseline to judge a model against: its name, its scores
// and its errors (actual minus predicted), in the order of the model's.
type candidate struct {
	name   string
	scores metrics.Scores
	err    []float64
}

// judge finds the baseline with the lowest RMSE (the first of equals) and
// tests the model's errors modelErr against its with a Diebold–Mariano
// test for h-step forecasts.
func judge(modelErr []float64, h int, baselines []candidate) Verdict {
	best := baselines[0]
	for _, c := range baselines[1:] {
		if c.scores.RMSE < best.scores.RMSE {
			best = c
		}
	}
	return Verdict{Best: best.name, BestScores: best.scores, DM: metrics.DieboldMariano(modelErr, best.err, h, metrics.Squared)}
}

// residuals returns actual minus pred.
func residuals(actual, pred []float64) []float64 {
	e := make([]float64, len(actual))
	for i, a := range actual {
		e[i] = a - pred[i]
	}
	return e
}

// outcome is what a verdict says.
type outcome int

const (
	unscored     outcome = iota // no predictions
	noDifference                // the test cannot tell them apart
	beats                       // significantly better, by RMSE and MASE
	worse                       // significantly worse, by RMSE and MASE
	mixed                       // significant by squared error, but MASE disagrees with RMSE
)

// outcome says whether the model, scored m, beats the best baseline. It claims a difference only when the Diebold–Mariano test
// finds one at 5%, and a winner only when RMSE and MASE agree on it, so
// the sentence never contradicts the table. An unknown MASE (no scale)
// defers to RMSE.
func (v Verdict) outcome(m metrics.Scores) outcome {
	best := v.BestScores
	switch {
	case math.IsNaN(m.RMSE) || v.Best == "":
		return unscored
	case !v.DM.Significant():
		return noDifference
	}
	lowerRMSE := m.RMSE < best.RMSE
	lowerMASE := m.MASE < best.MASE
	if math.IsNaN(m.MASE) || math.IsNaN(best.MASE) {
		lowerMASE = lowerRMSE
	}
	switch {
	case lowerRMSE && lowerMASE:
		return beats
	case !lowerRMSE && !lowerMASE:
		return worse
	}
	return mixed
}

// word names an outcome in a table column.
func (o outcome) word() string {
	return [...]string{"-", "no difference", "beats", "worse", "mixed"}[o]
}

// sentence is the verdict in words, on the model named model, scored m.
func (v Verdict) sentence(model string, m metrics.Scores) string {
	o := v.outcome(m)
	best := v.BestScores
	if o == unscored {
		return "No predictions to score in this span."
	}
	name := strings.ReplaceAll(v.Best, "_", " ")
	rmse := fmt.Sprintf("RMSE %.1f%% lower", 100*(1-m.RMSE/best.RMSE))
	if m.RMSE >= best.RMSE {
		rmse = fmt.Sprintf("RMSE %.1f%% higher", 100*(m.RMSE/best.RMSE-1))
	}
	evidence := fmt.Sprintf("%s, MASE %.3f against %.3f (Diebold–Mariano %s)", rmse, m.MASE, best.MASE, pText(v.DM))
	switch o {
	case beats:
		return fmt.Sprintf("The %s beats the best baseline, %s: %s.", model, name, evidence)
	case worse:
		return fmt.Sprintf("The %s is worse than the best baseline, %s: %s. Do not trade on it.", model, name, evidence)
	case mixed:
		return fmt.Sprintf("The %s and the best baseline, %s, disagree by measure: %s. Do not trade on it.", model, name, evidence)
	}
	return fmt.Sprintf("No significant difference between the %s and the best baseline, %s: %s. Do not trade on it.", model, name, evidence)
}

// pText writes a test's p-value for people: to three decimals, or below
// 0.001, or "undefined" with too few values to test.
func pText(d metrics.DM) string {
	switch {
	case math.IsNaN(d.P):
		return "test undefined for so few values"
	case d.P < 0.001:
		return "p < 0.001"
	}
	return fmt.Sprintf("p = %.3f", d.P)
}
