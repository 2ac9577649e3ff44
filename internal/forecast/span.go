package forecast

import "github.com/lstmfc/lstmfc/internal/window"

// Span names the part of a series a row of a Table belongs to. Its text is
// what the predictions file's split column holds.
type Span string

// The spans of a Table's rows.
const (
	SpanTrain      Span = "train"      // fitted on
	SpanValidation Span = "validation" // picked the best epoch and sized the intervals
	SpanTest       Span = "test"       // held out for the final score
	SpanData       Span = "data"       // a series the model was not fitted on
	SpanForecast   Span = "forecast"   // past the last value
)

// spanOf returns the span of value index t under split, or Data when
// split is nil.
func spanOf(split *window.Split, t int) Span {
	switch {
	case split == nil:
		return SpanData
	case t < split.TrainEnd:
		return SpanTrain
	case t < split.ValEnd:
		return SpanValidation
	}
	return SpanTest
}
