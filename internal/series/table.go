package series

import (
	"context"
	"fmt"
	"io"
	"math"
	"slices"
)

// Table is a cleaned price file with every numeric column, in date order:
// the target column Load would read and the others, such as Open, High, Low
// and Volume, that features are computed from.
type Table struct {
	// Series is the target column exactly as Load returns it with the same
	// Options: its Dates, Values, Dropped, Filled and Notes.
	Series
	// Names are the numeric columns' headers normalised for matching (lower
	// case without spaces, '_' or '-': "Adj Close" is "adjclose"), in the
	// file's order; the target column is among them.
	Names []string
	// Headers are the same columns' headers as spelled in the file.
	Headers []string
	// Columns holds each named column's values, one per date; the target's
	// is Series.Values itself. A missing cell in a column other than the
	// target holds the column's previous value (the last one known on that
	// day), or NaN before the column's first value.
	Columns [][]float64
	// Carried counts, per column, the missing cells that were carried
	// forward from the previous row, including those of rows dropped later
	// for a missing target; it is 0 for the target column, whose missing
	// values are counted in Dropped or Filled.
	Carried []int
}

// LoadTableFile loads the CSV file at path as LoadTable does, honouring ctx
// as LoadFile does.
func LoadTableFile(ctx context.Context, path string, opt Options) (*Table, error) {
	return loadFile(ctx, path, opt, LoadTable)
}

// LoadTable reads a price file with all its numeric columns. The dates, the
// target column and their handling (column choice, order, missing targets
// as opt.Fill says, notes) are exactly those of Load; the file's other
// numeric columns come along in Columns.
//
// A column is numeric when its cell in the first data row is a number or
// missing; every later cell of such a column must then be a number or
// missing, or LoadTable returns a *ParseError naming it, where Load would
// not read it at all. A row whose target is missing is dropped (or filled)
// with all its cells. A missing cell in another column is carried forward
// from the previous row, before rows with a missing target are dropped: it
// is the last value known on that day, so no value from a later day leaks
// in. Cells before a column's first value stay NaN.
func LoadTable(r io.Reader, name string, opt Options) (*Table, error) {
	l, err := start(r, name, opt)
	if err != nil {
		return nil, err
	}
	numeric := l.numericColumns()
	if !slices.Contains(numeric, l.valueCol) {
		// A column chosen by name, such as one whose first cell is text.
		numeric = append(numeric, l.valueCol)
		slices.Sort(numeric)
	}
	for _, c := range numeric {
		// Two columns that match one name would make Lookup ambiguous.
		if _, err := l.find(l.header[c]); err != nil {
			return nil, err
		}
		if c != l.valueCol {
			l.others = append(l.others, c)
		}
	}
	l.cells = make([]float64, len(l.others))
	l.otherValues = make([][]float64, len(l.others))
	l.carried = make([]int, len(l.others))
	if err := l.readRows(); err != nil {
		return nil, err
	}
	s, err := l.finish()
	if err != nil {
		return nil, err
	}
	t := &Table{Series: *s}
	other := 0
	for _, c := range numeric {
		t.Names = append(t.Names, NormalizeName(l.header[c]))
		t.Headers = append(t.Headers, l.header[c])
		if c == l.valueCol {
			t.Columns = append(t.Columns, t.Values)
			t.Carried = append(t.Carried, 0)
			continue
		}
		col, carried := l.otherValues[other], l.carried[other]
		other++
		if carried > 0 {
			t.Notes = append(t.Notes, fmt.Sprintf("carried %d missing value(s) of column %q forward from the day before", carried, l.header[c]))
		}
		t.Columns = append(t.Columns, col)
		t.Carried = append(t.Carried, carried)
	}
	return t, nil
}

// carryForward replaces each NaN of x after its first number with the value
// before it, and returns how many it replaced.
func carryForward(x []float64) int {
	n := 0
	for i := 1; i < len(x); i++ {
		if math.IsNaN(x[i]) && !math.IsNaN(x[i-1]) {
			x[i] = x[i-1]
			n++
		}
	}
	return n
}

// Lookup returns the values of the column whose header matches name
// ignoring case, spaces, '_' and '-', or nil when the file has none. (The
// target column's header is Series.Column.)
func (t *Table) Lookup(name string) []float64 {
	if i := slices.Index(t.Names, NormalizeName(name)); i >= 0 {
		return t.Columns[i]
	}
	return nil
}

// ColumnList lists the numeric columns' headers, quoted, for an error
// message.
func (t *Table) ColumnList() string { return quoteList(t.Headers) }

// Len returns the number of rows.
func (t *Table) Len() int { return len(t.Values) }
