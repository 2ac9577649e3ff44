// Package features turns the columns and dates of a price file into the
// model's inputs: one row of F numbers per day, each a named, documented
// transform of what is known at that day's close.
//
// The built-in features are
//
//	return     log(p[t]/p[t-1]) of the target column p (the one the model
//	           forecasts); always the first feature
//	range      log(high[t]/low[t]), the day's high-low range
//	gap        log(open[t]/close[t-1]), the opening gap; when the file has
//	           an Adj Close column, Open and Close are first multiplied by
//	           that day's Adj Close/Close ratio, so a split or dividend
//	           between two days is not read as a gap. (The ratio cancels in
//	           range.)
//	logvolume  log(1+volume[t]): zero volume, as index files report, is 0
//	volchange  log((1+volume[t])/(1+volume[t-1])), the change in volume
//	dow        sin and cos of 2π·weekday/7 of the date of t (two inputs)
//	month      sin and cos of 2π·(month-1)/12 of the date of t (two inputs)
//
// Any other name is a numeric column of the file, taken as it is, such as
// "volume" or "open". Names match ignoring case, spaces, '_' and '-'; a
// column named like a built-in is reachable only through the built-in.
//
// Row t uses only values known at the close of day t: that day's and
// earlier rows, and the date of t itself. The calendar features use the
// date of t, not of t+1: t+1 is known at t on a regular calendar, but using
// t keeps every row a function of the file up to t, which the tests check by
// changing later rows.
//
// A value that cannot be defined is NaN in the Matrix: the lagged features
// (return, gap, volchange) on the first row, which has no day before, and
// any feature of a column before its first value (see series.Table).
// Scaling fits each input on the defined values of the training rows and
// maps NaN to 0, the scaled mean, which carries no information, as the
// target encoding does for the first return.
package features

import (
	"fmt"
	"strings"

	"github.com/lstmfc/lstmfc/internal/series"
)

// MaxFeatures is the most features a list may name.
const MaxFeatures = 64

// MaxNameLen is the longest name, in bytes, a list may hold: far longer
// than any column's name, and short enough that an error quoting it stays
// a readable line.
const MaxNameLen = 256

// builtins are the built-in features in the order documented above, with
// the number of inputs each gives.
var builtins = []struct {
	name  string
	width int
}{
	{"return", 1}, {"range", 1}, {"gap", 1}, {"logvolume", 1}, {"volchange", 1}, {"dow", 2}, {"month", 2},
}

// builtinWidth returns the number of inputs of built-in name, or 0 when name
// is not a built-in.
func builtinWidth(name string) int {
	for _, b := range builtins {
		if b.name == name {
			return b.width
		}
	}
	return 0
}

// builtinList lists the built-ins for an error message.
func builtinList() string {
	names := make([]string, len(builtins))
	for i, b := range builtins {
		names[i] = b.name
	}
	return strings.Join(names, ", ")
}

// Set is a parsed feature list: return first, then the others in the order
// given. The zero Set is not valid; Parse("") is return alone.
type Set struct {
	names []string // normalised
}

// Parse reads a comma-separated feature list such as "range,gap,dow". The
// target's own return is always the first feature: it is added when the
// list leaves it out and moved to the front when the list names it later.
// An empty list is return alone. An empty item, a name given twice or more
// than MaxFeatures names is an error; a name that is not a built-in is a
// column name, checked against a file by Compute.
func Parse(list string) (Set, error) {
	s := Set{names: []string{"return"}}
	if strings.TrimSpace(list) == "" {
		return s, nil
	}
	items := strings.Split(list, ",")
	if len(items) > MaxFeatures {
		return Set{}, fmt.Errorf("features: %d features, more than the %d lstmfc takes", len(items), MaxFeatures)
	}
	seen := map[string]string{}
	for i, item := range items {
		item = strings.TrimSpace(item)
		if len(item) > MaxNameLen {
			return Set{}, fmt.Errorf("features: item %d is %d bytes long, more than the %d a name may be; it begins %.40q", i+1, len(item), MaxNameLen, item)
		}
		name := series.NormalizeName(item)
		switch {
		case name == "":
			return Set{}, fmt.Errorf("features: item %d of %q is empty; want names such as %s", i+1, list, builtinList())
		case strings.ContainsFunc(item, isControl):
			return Set{}, fmt.Errorf("features: item %d of %q holds a control character", i+1, list)
		case seen[name] != "":
			return Set{}, fmt.Errorf("features: %q and %q name the same feature", seen[name], item)
		}
		seen[name] = item
		if name != "return" {
			s.names = append(s.names, name)
		}
	}
	return s, nil
}

func isControl(r rune) bool { return r < ' ' || r == 0x7f }

// String returns the list in the form Parse reads, return first: the form a
// model file stores.
func (s Set) String() string { return strings.Join(s.names, ",") }

// Names returns the features in order, return first.
func (s Set) Names() []string { return append([]string(nil), s.names...) }

// Inputs returns the names of the F model inputs in order: a feature's name,
// or name_sin and name_cos for dow and month.
func (s Set) Inputs() []string {
	var in []string
	for _, n := range s.names {
		if builtinWidth(n) == 2 {
			in = append(in, n+"_sin", n+"_cos")
			continue
		}
		in = append(in, n)
	}
	return in
}

// Width returns F, the number of model inputs: the first layer's weight_ih
// is 4H×F for an LSTM.
func (s Set) Width() int {
	f := 0
	for _, n := range s.names {
		f += max(builtinWidth(n), 1)
	}
	return f
}
