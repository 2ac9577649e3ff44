// Package series loads a daily price series from a CSV file, as exported by
// Yahoo Finance, yfinance, FRED, Nasdaq-style sites and spreadsheets, and
// makes synthetic series for experiments.
//
// Load streams the file: it holds the cleaned dates and values and little
// else, whatever the file's size, and refuses any line longer than
// MaxLineBytes, a header of more than MaxColumns columns and a file of more
// than MaxRows rows. Everything it decides on the reader's behalf (which column it
// used, rows it dropped or reordered) is written down in Series.Notes.
package series

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/lstmfc/lstmfc/internal/userfile"
)

// Series is a cleaned price series in date order.
type Series struct {
	Source      string      // file name, "-" shown as "stdin", or "synthetic"
	Column      string      // the chosen column as spelled in the header
	Dates       []time.Time // one per value, nil when the file has no date column
	Values      []float64   // finite; one per date
	Dropped     int         // missing values dropped (empty, null, NaN)
	Filled      int         // missing values forward-filled
	NonPositive int         // values <= 0 (allowed, reported)
	Notes       []string    // human sentences for stderr: which column was chosen and why, drops, reversal, non-positive values
}

// Options says how Load picks and cleans the price column.
type Options struct {
	// Column is the header of the price column, matched ignoring case,
	// spaces, '_' and '-'. Empty means Adj Close, else Close, else the only
	// numeric column.
	Column string
	// Prefer, when Column is empty, is the header of the column to use if
	// the file has one (such as the column a model was trained on); when
	// it has none, the column is chosen as if Prefer were empty.
	Prefer string
	// Fill says what to do with a missing value: "drop" (the default, also
	// "") drops its row, "ffill" repeats the previous value.
	Fill string
}

// ParseError is a problem with the content of a file, located as precisely
// as the problem allows.
type ParseError struct {
	File   string
	Line   int // 1-based physical line; 0 when the problem is the whole file
	Column int // 1-based field number on the line; 0 when the whole line is at fault
	Msg    string
}

// Error returns "FILE:LINE:COL: MSG", leaving out a zero line or column.
func (e *ParseError) Error() string {
	switch {
	case e.Line == 0:
		return fmt.Sprintf("%s: %s", e.File, e.Msg)
	case e.Column == 0:
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Column, e.Msg)
}

// LoadFile loads the price series in the CSV file at path, as Load does. A
// directory is refused, and opening or reading stops with the context's
// cause once ctx is done, even on a FIFO that no process writes to. For
// standard input, call Load (with userfile.NewReader to honour ctx).
func LoadFile(ctx context.Context, path string, opt Options) (*Series, error) {
	return loadFile(ctx, path, opt, Load)
}

// loadFile opens path for LoadFile or LoadTableFile and reads it with load.
func loadFile[T any](ctx context.Context, path string, opt Options, load func(io.Reader, string, Options) (T, error)) (T, error) {
	f, err := userfile.Open(ctx, path)
	if err != nil {
		var zero T
		return zero, err
	}
	defer f.Close()
	return load(f, path, opt)
}

// Load reads a price series from CSV text. The name is used as Series.Source
// and in errors; "-" is shown as "stdin".
//
// The separator (',', ';' or tab) is sniffed from the header line. The date
// column is the one whose header is Date, Time, Timestamp, Datetime or
// observation_date, else the first column whose first value reads as a date;
// a file without one gives a series without dates. Rows are put in date
// order: a newest-first file is reversed, and a file whose dates go both ways
// or repeat is an error. A row whose date is a bare time of day, such as an
// intraday snapshot at the top of a daily file, is dropped with a note.
//
// A value that is empty, null, NaN, N/A or "-" is missing and handled as
// opt.Fill says. Quoted numbers may group thousands ("4,787,699"); a ';' or
// tab separated file may use a decimal comma ("1.234,56"). A cell that cannot
// be read is a *ParseError naming its line and column.
func Load(r io.Reader, name string, opt Options) (*Series, error) {
	l, err := start(r, name, opt)
	if err != nil {
		return nil, err
	}
	if err := l.readRows(); err != nil {
		return nil, err
	}
	return l.finish()
}

// start checks opt and reads the header for Load or LoadTable.
func start(r io.Reader, name string, opt Options) (*loader, error) {
	if name == "-" {
		name = "stdin"
	}
	switch opt.Fill {
	case "", "drop", "ffill":
	default:
		return nil, fmt.Errorf("unknown fill %q: want drop or ffill", opt.Fill)
	}
	return newLoader(r, name, opt)
}
