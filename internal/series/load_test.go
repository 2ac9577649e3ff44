package series

import (
	"context"
	"errors"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func day(s string) time.Time {
	t, err := time.Parse(time.DateTime, s)
	if err != nil {
		t, err = time.Parse(time.DateOnly, s)
	}
	if err != nil {
		panic(err)
	}
	return t
}

func days(s ...string) []time.Time {
	t := make([]time.Time, len(s))
	for i := range s {
		t[i] = day(s[i])
	}
	return t
}

// TestLoadQuirks loads small files that each show a quirk of real exports.
func TestLoadQuirks(t *testing.T) {
	tests := []struct {
		file    string
		opt     Options
		column  string
		dates   []time.Time
		values  []float64
		dropped int
		filled  int
		nonPos  int
		notes   []string // substrings, each of which some note must contain
	}{
		{file: "yfinance.csv", column: "Adj Close",
			dates:  days("2020-01-02", "2020-01-03", "2020-01-06"),
			values: []float64{72.876106, 72.167603, 72.742661},
			notes:  []string{"yfinance download (ticker AAPL)", `using column "Adj Close": the adjusted close`}},
		{file: "yfinance.csv", opt: Options{Column: "close"}, column: "Close",
			dates:  days("2020-01-02", "2020-01-03", "2020-01-06"),
			values: []float64{75.087502, 74.357498, 74.949997},
			notes:  []string{`using column "Close", as asked`}},
		{file: "cr_only.csv", column: "Close",
			dates:  days("2020-01-02", "2020-01-03", "2020-01-06"),
			values: []float64{10.5, 11, 11.5},
			notes:  []string{"the lines end in CR alone (a classic Mac OS file)"}},
		{file: "bom_crlf_quoted.csv", column: "Close",
			dates:  days("2021-03-01", "2021-03-02", "2021-03-03"),
			values: []float64{10.5, 11.25, 12},
			notes:  []string{"there is no Adj Close column"}},
		{file: "bom_crlf_quoted.csv", opt: Options{Column: "VOLUME"}, column: "Volume",
			dates:  days("2021-03-01", "2021-03-02", "2021-03-03"),
			values: []float64{1200, 3400500, 900}},
		{file: "semicolon_comma.csv", column: "Close",
			dates:  days("2020-01-02", "2020-01-03", "2020-01-06"),
			values: []float64{1240.10, 1250, 1245.5},
			notes:  []string{`decimal comma, as "1.234,56" on line 2 shows`, `assumed day-first (DD/MM/YYYY)`}},
		{file: "tab.tsv", column: "close",
			dates: days("2020-01-02", "2020-01-03"), values: []float64{11.5, 12.25}},
		{file: "thousands.csv", column: "Close",
			dates:  days("2020-01-02", "2020-01-03", "2020-01-06"),
			values: []float64{1234.5, 1240.75, 1250}},
		{file: "newest_first.csv", column: "Close",
			dates:  days("2020-01-02", "2020-01-03", "2020-01-06"),
			values: []float64{1, 2, 3},
			notes:  []string{"newest first; reversed"}},
		{file: "datetime.csv", column: "close",
			dates:  days("2020-01-02", "2020-01-03", "2020-01-03 12:30:00"),
			values: []float64{1.5, 2.5, 3.5}},
		{file: "us_dates.csv", column: "Close",
			dates:  days("2020-01-02", "2020-01-03", "2020-01-13"),
			values: []float64{1.5, 2.5, 3.5}},
		{file: "us_dates.csv", opt: Options{Column: "close/last"}, column: "Close/Last",
			dates:  days("2020-01-02", "2020-01-03", "2020-01-13"),
			values: []float64{1, 2, 3}},
		{file: "day_first.csv", column: "Close",
			dates:  days("2020-01-02", "2020-01-03", "2020-01-13"),
			values: []float64{1, 2, 3}},
		{file: "ambiguous_dates.csv", column: "Close",
			dates:  days("2020-01-02", "2020-02-02", "2020-03-02"),
			values: []float64{1, 2, 3},
			notes:  []string{`dates such as "01/02/2020" can be read either way`, "assumed month-first (MM/DD/YYYY)"}},
		{file: "missing.csv", column: "Close",
			dates:   days("2020-01-02", "2020-01-07", "2020-01-13"),
			values:  []float64{1, 2, 3},
			dropped: 6,
			notes:   []string{"dropped 6 row(s) with a missing value, the first on line 2"}},
		{file: "missing.csv", opt: Options{Fill: "ffill"}, column: "Close",
			dates:   days("2020-01-02", "2020-01-03", "2020-01-06", "2020-01-07", "2020-01-08", "2020-01-09", "2020-01-10", "2020-01-13"),
			values:  []float64{1, 1, 1, 2, 2, 2, 2, 3},
			dropped: 1, filled: 5,
			notes: []string{"forward-filled 5 missing value(s)", "dropped 1 leading missing value(s)"}},
		{file: "no_final_newline.csv", column: "Close",
			dates: days("2020-01-02", "2020-01-03"), values: []float64{1, 2}},
		{file: "no_date.csv", column: "Close", values: []float64{5, 6, 7}},
		{file: "non_positive.csv", column: "Close",
			dates:  days("2020-04-17", "2020-04-20", "2020-04-21", "2020-04-22"),
			values: []float64{18.27, -37.63, 0, 13.78},
			nonPos: 2,
			notes:  []string{"2 value(s) are zero or negative, the first -37.63 on 2020-04-20"}},
		{file: "month_names.csv", column: "Close",
			dates: days("2020-01-02", "2020-01-03"), values: []float64{1, 2}},
	}
	for _, tt := range tests {
		t.Run(tt.file+"/"+tt.opt.Column+tt.opt.Fill, func(t *testing.T) {
			s, err := LoadFile(context.Background(), filepath.Join("testdata", tt.file), tt.opt)
			if err != nil {
				t.Fatal(err)
			}
			if s.Column != tt.column {
				t.Errorf("column %q, want %q", s.Column, tt.column)
			}
			if !slices.EqualFunc(s.Dates, tt.dates, time.Time.Equal) || (s.Dates == nil) != (tt.dates == nil) {
				t.Errorf("dates %v, want %v", s.Dates, tt.dates)
			}
			if !slices.Equal(s.Values, tt.values) {
				t.Errorf("values %v, want %v", s.Values, tt.values)
			}
			if s.Dropped != tt.dropped || s.Filled != tt.filled || s.NonPositive != tt.nonPos {
				t.Errorf("dropped %d, filled %d, non-positive %d; want %d, %d, %d", s.Dropped, s.Filled, s.NonPositive, tt.dropped, tt.filled, tt.nonPos)
			}
			for _, want := range tt.notes {
				if !slices.ContainsFunc(s.Notes, func(n string) bool { return strings.Contains(n, want) }) {
					t.Errorf("no note contains %q; notes: %q", want, s.Notes)
				}
			}
		})
	}
}

// TestLoadTimeOnlyRow checks that an intraday snapshot dated by a bare time
// is dropped, wherever it is, and said.
func TestLoadTimeOnlyRow(t *testing.T) {
	const in = "date,close\n\"11:34\",\"270.49\"\n2018/10/15,259.59\n2018/10/12,258.78\n"
	s, err := Load(strings.NewReader(in), "tsla.csv", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(s.Values, []float64{258.78, 259.59}) {
		t.Errorf("values %v, want [258.78 259.59]", s.Values)
	}
	want := `dropped 1 row(s) dated by a time of day only, such as "11:34" on line 2`
	if !slices.ContainsFunc(s.Notes, func(n string) bool { return strings.Contains(n, want) }) {
		t.Errorf("notes %q lack %q", s.Notes, want)
	}
}

// TestLoadErrors checks the one-line message of every kind of bad input,
// including where it points.
func TestLoadErrors(t *testing.T) {
	tests := []struct {
		file string
		opt  Options
		want string
	}{
		{"bad_empty.csv", Options{}, "testdata/bad_empty.csv: empty file"},
		{"bad_header_only.csv", Options{}, "testdata/bad_header_only.csv: no data rows after the header"},
		{"bad_binary.csv", Options{}, "testdata/bad_binary.csv:1: NUL byte: not a text CSV file (binary data or UTF-16?)"},
		{"bad_utf8.csv", Options{}, "testdata/bad_utf8.csv:3:2: invalid UTF-8: not a text CSV file"},
		{"bad_no_numeric.csv", Options{}, `testdata/bad_no_numeric.csv:1: no numeric column; the columns are "Date", "Symbol"`},
		{"bad_several_numeric.csv", Options{}, `testdata/bad_several_numeric.csv:1: several numeric columns and none is Close or Adj Close; choose one with --column: "Date", "Open", "High"`},
		{"bad_several_numeric.csv", Options{Column: "Volume"}, `testdata/bad_several_numeric.csv:1: no column "Volume"; the columns are "Date", "Open", "High"`},
		{"bad_several_numeric.csv", Options{Column: "date"}, `testdata/bad_several_numeric.csv:1:1: column "Date" holds the dates, not prices`},
		{"bad_text_number.csv", Options{}, `testdata/bad_text_number.csv:3:3: column "Close": "abc" is not a number`},
		{"bad_overflow.csv", Options{}, `testdata/bad_overflow.csv:3:2: column "Close": "1e400" is out of range for a 64-bit float`},
		{"bad_inf.csv", Options{}, `testdata/bad_inf.csv:3:2: column "Close": "Inf" is not a finite number`},
		{"bad_date.csv", Options{}, `testdata/bad_date.csv:3:1: column "Date": cannot read "2020-13-45" as a date: no such day`},
		{"bad_duplicate_date.csv", Options{}, `testdata/bad_duplicate_date.csv:4:1: date 2020-01-03 repeats line 3`},
		{"bad_out_of_order.csv", Options{}, `testdata/bad_out_of_order.csv:4:1: date 2020-01-03 is out of order after 2020-01-06 on line 3: dates must all rise or all fall`},
		{"bad_field_count.csv", Options{}, `testdata/bad_field_count.csv:3: 3 fields, but the header has 2`},
		{"bad_ambiguous_decimal.csv", Options{}, `testdata/bad_ambiguous_decimal.csv:2:2: column "Close": cannot tell whether "1,234" has a decimal or a thousands separator: no earlier cell shows which this file uses`},
		{"bad_day_order.csv", Options{}, `testdata/bad_day_order.csv:3:1: column "Date": date "13/01/2020" is day-first (DD/MM/YYYY) but "01/13/2020" on line 2 is month-first (MM/DD/YYYY)`},
		{"bad_quote.csv", Options{}, `testdata/bad_quote.csv:2: bare " in non-quoted-field (at byte 13 of the line)`},
		{"bad_no_header.csv", Options{}, `testdata/bad_no_header.csv:1:1: the first line must be a header naming the columns, but "2020-01-02" looks like data`},
		{"bad_all_missing.csv", Options{}, `testdata/bad_all_missing.csv: no values: all 2 values in column "Close" are missing`},
		{"bad_yfinance_cell.csv", Options{}, `testdata/bad_yfinance_cell.csv:5:2: column "Adj Close": "x" is not a number`},
		{"time_only.csv", Options{}, "testdata/time_only.csv: no dated rows: all 2 rows have a time of day but no date"},
		{"tab.tsv", Options{Fill: "bfill"}, `unknown fill "bfill": want drop or ffill`},
	}
	for _, tt := range tests {
		t.Run(tt.file+"/"+tt.opt.Column+tt.opt.Fill, func(t *testing.T) {
			s, err := LoadFile(context.Background(), filepath.Join("testdata", tt.file), tt.opt)
			if err == nil {
				t.Fatalf("loaded %d values, want error %q", len(s.Values), tt.want)
			}
			if err.Error() != tt.want {
				t.Errorf("error\n%s\nwant\n%s", err, tt.want)
			}
		})
	}
}

// TestParseErrorFields checks that a cell error is a *ParseError whose
// fields locate the cell, counting CRLF lines and a multi-line header.
func TestParseErrorFields(t *testing.T) {
	_, err := LoadFile(context.Background(), "testdata/bad_yfinance_cell.csv", Options{})
	var pe *ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("error %v is not a *ParseError", err)
	}
	want := ParseError{File: "testdata/bad_yfinance_cell.csv", Line: 5, Column: 2, Msg: `column "Adj Close": "x" is not a number`}
	if *pe != want {
		t.Errorf("got %+v, want %+v", *pe, want)
	}
}

// TestLoadStdinName checks that "-" is shown as stdin.
func TestLoadStdinName(t *testing.T) {
	_, err := Load(strings.NewReader("Date,Close\n2020-01-02,x\n"), "-", Options{})
	if want := `stdin:2:2: column "Close": "x" is not a number`; err == nil || err.Error() != want {
		t.Errorf("error %v, want %s", err, want)
	}
}

// endlessLine is a reader of a header and then one line that never ends.
type endlessLine struct {
	header string
	read   int64
}

func (e *endlessLine) Read(p []byte) (int, error) {
	n := copy(p, e.header)
	e.header = e.header[n:]
	for i := n; i < len(p); i++ {
		p[i] = '7'
	}
	e.read += int64(len(p))
	if e.read > 1<<30 {
		return 0, io.ErrUnexpectedEOF
	}
	return len(p), nil
}

// TestLoadLongLine checks that a line without end is refused once it passes
// 1 MiB, naming the line, rather than read to the end.
func TestLoadLongLine(t *testing.T) {
	r := &endlessLine{header: "Date,Close\n2020-01-02,1\n2020-01-03,"}
	_, err := Load(r, "long.csv", Options{})
	if want := "long.csv:3: line is longer than 1048576 bytes (1 MiB)"; err == nil || err.Error() != want {
		t.Errorf("error %v, want %s", err, want)
	}
	if r.read > 2*MaxLineBytes {
		t.Errorf("read %d bytes before refusing the line, want at most %d", r.read, 2*MaxLineBytes)
	}
}

// TestNumberReader checks the reading of separators one cell at a time.
func TestNumberReader(t *testing.T) {
	tests := []struct {
		style decimalStyle
		cell  string
		want  float64
		err   string
	}{
		{stylePoint, "1234.5", 1234.5, ""},
		{stylePoint, "4,787,699", 4787699, ""},
		{stylePoint, "1,234.56", 1234.56, ""},
		{stylePoint, "1,234", 1234, ""},
		{stylePoint, "-$5.25", -5.25, ""},
		{stylePoint, "1e3", 1000, ""},
		{stylePoint, "1,5", 0, `"1,5" has a decimal comma but this file uses a decimal point`},
		{stylePoint, "12,34,567", 0, `"12,34,567" has misplaced thousands separators`},
		{stylePoint, "1.234.567", 0, `"1.234.567" uses '.' to group thousands but this file uses it as the decimal separator`},
		{stylePoint, "0x10", 0, `"0x10" is not a number`},
		{stylePoint, "-Infinity", 0, `"-Infinity" is not a finite number`},
		{styleComma, "1.234,56", 1234.56, ""},
		{styleComma, "1234,5", 1234.5, ""},
		{styleComma, "1,234", 1.234, ""},
		{styleComma, "1.234", 1234, ""},
		{styleComma, "1,234.5", 0, `"1,234.5" has a decimal point but this file uses a decimal comma`},
		{styleUnknown, "1,234", 0, `cannot tell whether "1,234" has a decimal or a thousands separator: no earlier cell shows which this file uses`},
		{styleUnknown, "0,125", 0.125, ""},
		{styleUnknown, "1234,567", 1234.567, ""},
		{styleUnknown, "1.234,5", 1234.5, ""},
	}
	for _, tt := range tests {
		nr := numberReader{style: tt.style}
		got, err := nr.parse(tt.cell, 1)
		switch {
		case tt.err != "" && (err == nil || err.Error() != tt.err):
			t.Errorf("%v %q: error %v, want %s", tt.style, tt.cell, err, tt.err)
		case tt.err == "" && (err != nil || got != tt.want):
			t.Errorf("%v %q: %v, %v; want %v", tt.style, tt.cell, got, err, tt.want)
		}
	}
}

// TestNumberReaderLearnsStyle checks that an unambiguous cell settles a
// ';' file's decimal style for the cells after it.
func TestNumberReaderLearnsStyle(t *testing.T) {
	var nr numberReader
	if _, err := nr.parse("17,25", 2); err != nil {
		t.Fatal(err)
	}
	if got, err := nr.parse("1,234", 3); err != nil || got != 1.234 {
		t.Errorf(`"1,234" after "17,25": %v, %v; want 1.234`, got, err)
	}
}

// TestDateReader checks the date spellings one cell at a time.
func TestDateReader(t *testing.T) {
	tests := []struct {
		cell string
		want string
		err  error
	}{
		{"2020-01-02", "2020-01-02", nil},
		{"2018/10/15", "2018-10-15", nil},
		{"2020-01-02 00:00:00", "2020-01-02", nil},
		{"2020-01-02T09:30:00Z", "2020-01-02 09:30:00", nil},
		{"2020-01-02 00:00:00-05:00", "2020-01-02", nil},
		{"1/13/2020 4:00:00 PM", "2020-01-13 16:00:00", nil},
		{"20200102", "2020-01-02", nil},
		{"Jan 2, 2020", "2020-01-02", nil},
		{"02-Jan-2020", "2020-01-02", nil},
		{"11:34", "", errTimeOnly},
		{"09:30:00", "", errTimeOnly},
		{"01/02/2020", "", errOrderUnknown},
	}
	for _, tt := range tests {
		dr := dateReader{compact: true}
		got, err := dr.parse(tt.cell, 1)
		if err != tt.err || tt.err == nil && !got.Equal(day(tt.want)) {
			t.Errorf("%q: %v, %v; want %s, %v", tt.cell, got, err, tt.want, tt.err)
		}
	}
	for _, cell := range []string{"2020-02-30", "13/13/2020", "2020", "soon", "1/2/20", "25:00"} {
		dr := dateReader{compact: true}
		if got, err := dr.parse(cell, 1); err == nil || err == errTimeOnly || err == errOrderUnknown {
			t.Errorf("%q: %v, %v; want an error", cell, got, err)
		}
	}
}

// TestPrefer checks that Options.Prefer picks its column when the file has
// it, and the default pick, with a note, when it does not.
func TestPrefer(t *testing.T) {
	const csv = "Date,Open,Adj Close\n2020-01-02,1,10\n2020-01-03,2,20\n"
	s, err := Load(strings.NewReader(csv), "p.csv", Options{Prefer: "open"})
	if err != nil || s.Column != "Open" || s.Values[1] != 2 {
		t.Errorf("Prefer open: %v, %v", s, err)
	}
	s, err = Load(strings.NewReader(csv), "p.csv", Options{Prefer: "close"})
	if err != nil || s.Column != "Adj Close" || !strings.Contains(strings.Join(s.Notes, "\n"), `no column "close", the preferred one`) {
		t.Errorf("Prefer close: %v, %v", s, err)
	}
	s, err = Load(strings.NewReader(csv), "p.csv", Options{Column: "Adj Close", Prefer: "open"})
	if err != nil || s.Column != "Adj Close" {
		t.Errorf("Column beats Prefer: %v, %v", s, err)
	}
}
