package series

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// sniffBytes is how much of the file's start is examined to choose the
// separator.
const sniffBytes = 64 << 10

// Limits on what Load holds, checked before the memory is taken.
const (
	// MaxRows is the most data rows Load reads: fifty years of one-minute
	// bars, or 13,000 years of daily prices. The series costs 32 bytes a
	// row (a date and a value), 160 MB at the limit.
	MaxRows = 5_000_000
	// MaxColumns is the most columns the header may name: as many as a
	// spreadsheet has (Excel stops at 16,384).
	MaxColumns = 16_384
)

// loader holds the state of one Load while the rows stream past.
type loader struct {
	file   string
	opt    Options
	csv    *csv.Reader
	header []string
	first  []string // the first data row, read while looking for the header's end
	notes  []string

	dateCol, valueCol int // -1 when there is no date column
	dates             dateReader
	numbers           numberReader

	// others are the other numeric columns, read only by LoadTable (nil
	// for Load); cells holds the current row's values of them, and
	// otherValues their values so far, one slice per column.
	others      []int
	cells       []float64
	otherValues [][]float64
	carried     []int // cells of otherValues carried forward

	// pending holds rows whose dates wait for the column's day/month order.
	pending []pendingRow

	s          *Series
	rows       int // data rows read
	lastLine   int // line of the last accepted row
	descending int // +1 dates increase, -1 decrease, 0 not known yet

	missing, missingLine   int // missing values, and the first one's line
	timeOnly, timeOnlyLine int // rows dated by a bare time of day
	timeOnlyCell           string
}

// pendingRow is a data row kept back until its date can be read.
type pendingRow struct {
	line   int
	date   string
	value  float64
	others []float64
}

// newLoader sniffs the line breaks and the separator, reads the header and
// chooses the columns.
func newLoader(r io.Reader, name string, opt Options) (*loader, error) {
	l := &loader{file: name, opt: opt, dateCol: -1}
	raw := bufio.NewReaderSize(r, sniffBytes)
	head, err := raw.Peek(sniffBytes)
	if err != nil && err != io.EOF && err != bufio.ErrBufferFull {
		return nil, err
	}
	var text io.Reader = raw
	if crOnly(head) {
		text = crReader{raw}
		l.note("the lines end in CR alone (a classic Mac OS file); read each CR as a line break")
	}
	br := bufio.NewReaderSize(newTextReader(text, name), sniffBytes)
	head, err = br.Peek(sniffBytes)
	if err != nil && err != io.EOF && err != bufio.ErrBufferFull {
		return nil, err
	}
	if bytes.HasPrefix(head, []byte("\xef\xbb\xbf")) {
		br.Discard(3)
		head = head[3:]
	}
	if len(bytes.TrimSpace(head)) == 0 {
		return nil, &ParseError{File: name, Msg: "empty file"}
	}
	l.csv = csv.NewReader(br)
	l.csv.Comma = sniffSeparator(head)
	l.csv.FieldsPerRecord = -1
	l.csv.ReuseRecord = true
	if l.csv.Comma == ',' {
		l.numbers.style = stylePoint
	}
	if err := l.readHeader(); err != nil {
		return nil, err
	}
	if err := l.chooseColumns(); err != nil {
		return nil, err
	}
	return l, nil
}

// sniffSeparator picks the most frequent of ',', ';' and tab outside quotes
// on the first non-blank line, preferring ',' on a tie.
func sniffSeparator(head []byte) rune {
	head = bytes.TrimLeft(head, "\r\n\t ")
	if i := bytes.IndexByte(head, '\n'); i >= 0 {
		head = head[:i]
	}
	var count [3]int
	quoted := false
	for _, c := range head {
		switch {
		case c == '"':
			quoted = !quoted
		case quoted:
		case c == ',':
			count[0]++
		case c == ';':
			count[1]++
		case c == '\t':
			count[2]++
		}
	}
	seps := [3]rune{',', ';', '\t'}
	best := 0
	for i := range count {
		if count[i] > count[best] {
			best = i
		}
	}
	return seps[best]
}

// read returns the next record and the line it starts on, checking that it
// is UTF-8 text. At the end of the file it returns io.EOF.
func (l *loader) read() ([]string, int, error) {
	rec, err := l.csv.Read()
	if err != nil {
		var pe *ParseError
		var ce *csv.ParseError
		switch {
		case err == io.EOF, errors.As(err, &pe):
			return nil, 0, err
		case errors.As(err, &ce):
			return nil, 0, &ParseError{File: l.file, Line: ce.Line, Msg: fmt.Sprintf("%v (at byte %d of the line)", ce.Err, ce.Column)}
		}
		return nil, 0, err
	}
	line, _ := l.csv.FieldPos(0)
	for i, f := range rec {
		if !utf8.ValidString(f) {
			return nil, 0, &ParseError{File: l.file, Line: l.lineOf(i), Column: i + 1, Msg: "invalid UTF-8: not a text CSV file"}
		}
	}
	return rec, line, nil
}

// lineOf is the line of field i of the record just read.
func (l *loader) lineOf(i int) int {
	line, _ := l.csv.FieldPos(i)
	return line
}

// readHeader reads the header line, and the extra header lines of a
// yfinance download (a "Ticker,AAPL,..." line and a "Date,,," line), and
// keeps the first data row in l.first.
func (l *loader) readHeader() error {
	rec, _, err := l.read()
	if err == io.EOF {
		return &ParseError{File: l.file, Msg: "empty file"}
	}
	if err != nil {
		return err
	}
	if len(rec) > MaxColumns {
		return &ParseError{File: l.file, Line: l.lineOf(0), Msg: fmt.Sprintf("the header has %d columns, more than the %d lstmfc reads", len(rec), MaxColumns)}
	}
	l.header = make([]string, len(rec))
	for i, h := range rec {
		l.header[i] = strings.TrimSpace(h)
		if looksLikeData(l.header[i]) {
			return &ParseError{File: l.file, Line: l.lineOf(i), Column: i + 1,
				Msg: fmt.Sprintf("the first line must be a header naming the columns, but %q looks like data", l.header[i])}
		}
	}
	var tickers []string
	for {
		rec, line, err := l.read()
		if err == io.EOF {
			return &ParseError{File: l.file, Msg: "no data rows after the header"}
		}
		if err != nil {
			return err
		}
		first := strings.TrimSpace(rec[0])
		switch {
		case len(rec) != len(l.header):
			return l.fieldCountError(line, len(rec))
		case NormalizeName(first) == "ticker":
			for _, t := range rec[1:] {
				if t = strings.TrimSpace(t); t != "" && !slices.Contains(tickers, t) {
					tickers = append(tickers, t)
				}
			}
		case isDateName(first) && allBlank(rec[1:]):
			l.header[0] = first
		default:
			l.first = slices.Clone(rec)
			if len(tickers) > 0 {
				l.note("read the multi-line header of a yfinance download (ticker %s)", strings.Join(tickers, ", "))
			}
			return nil
		}
	}
}

// looksLikeData reports whether a header cell is a number or a numeric
// date, which means the file has no header line.
func looksLikeData(h string) bool {
	if _, err := strconv.ParseFloat(h, 64); err == nil {
		return true
	}
	var dr dateReader
	_, err := dr.parse(h, 1)
	return isNumericDate(h) && (err == nil || err == errOrderUnknown)
}

func allBlank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// NormalizeName folds a header for matching: lower case without spaces,
// '_' or '-', so "Adj Close", "adj_close" and "adjclose" are one name.
func NormalizeName(h string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case ' ', '_', '-':
			return -1
		}
		return r
	}, strings.ToLower(strings.TrimSpace(h)))
}

// isDateName reports whether a header names a date column.
func isDateName(h string) bool {
	switch NormalizeName(h) {
	case "date", "time", "observationdate", "timestamp", "datetime":
		return true
	}
	return false
}

// chooseColumns finds the date column and the price column.
func (l *loader) chooseColumns() error {
	for i, h := range l.header {
		if isDateName(h) {
			l.dateCol = i
			l.dates.compact = true
			break
		}
	}
	if l.dateCol < 0 {
		for i, c := range l.first {
			var probe dateReader
			if _, err := probe.parse(strings.TrimSpace(c), 0); err == nil || err == errOrderUnknown {
				l.dateCol = i
				break
			}
		}
	}
	if l.opt.Column != "" {
		col, err := l.find(l.opt.Column)
		if err != nil {
			return err
		}
		if col < 0 {
			return &ParseError{File: l.file, Line: 1, Msg: fmt.Sprintf("no column %q; the columns are %s", l.opt.Column, l.columnList())}
		}
		if col == l.dateCol {
			return &ParseError{File: l.file, Line: 1, Column: col + 1, Msg: fmt.Sprintf("column %q holds the dates, not prices", l.header[col])}
		}
		l.valueCol = col
		l.note("using column %q, as asked", l.header[col])
		return nil
	}
	if l.opt.Prefer != "" {
		col, err := l.find(l.opt.Prefer)
		if err != nil {
			return err
		}
		if col >= 0 && col != l.dateCol {
			l.valueCol = col
			l.note("using column %q, the preferred one", l.header[col])
			return nil
		}
		l.note("no column %q, the preferred one", l.opt.Prefer)
	}
	for _, want := range []struct{ name, why string }{
		{"Adj Close", "the adjusted close"},
		{"Adjusted Close", "the adjusted close"},
		{"Close", "there is no Adj Close column"},
	} {
		col, err := l.find(want.name)
		if err != nil {
			return err
		}
		if col >= 0 && col != l.dateCol {
			l.valueCol = col
			l.note("using column %q: %s", l.header[col], want.why)
			return nil
		}
	}
	numeric := l.numericColumns()
	switch len(numeric) {
	case 0:
		return &ParseError{File: l.file, Line: 1, Msg: fmt.Sprintf("no numeric column; the columns are %s", l.columnList())}
	case 1:
		l.valueCol = numeric[0]
		l.note("using column %q: the only numeric column", l.header[l.valueCol])
		return nil
	}
	return &ParseError{File: l.file, Line: 1, Msg: fmt.Sprintf("several numeric columns and none is Close or Adj Close; choose one with --column: %s", l.columnList())}
}

// numericColumns returns the columns other than the date whose cell in the
// first data row is a number or missing.
func (l *loader) numericColumns() []int {
	var numeric []int
	for i, c := range l.first {
		probe := l.numbers
		c = strings.TrimSpace(c)
		if i == l.dateCol {
			continue
		}
		if _, err := probe.parse(c, 0); err == nil || isMissing(c) || errors.Is(err, errAmbiguousDecimal) {
			numeric = append(numeric, i)
		}
	}
	return numeric
}

// find returns the column whose header matches name, or -1. A name that
// matches several columns is an error.
func (l *loader) find(name string) (int, error) {
	found := -1
	for i, h := range l.header {
		if NormalizeName(h) != NormalizeName(name) {
			continue
		}
		if found >= 0 {
			return 0, &ParseError{File: l.file, Line: 1, Msg: fmt.Sprintf("columns %d and %d are both named %q", found+1, i+1, name)}
		}
		found = i
	}
	return found, nil
}

// columnList lists the headers for an error message.
func (l *loader) columnList() string { return quoteList(l.header) }

// quoteList quotes and joins headers for an error message.
func quoteList(headers []string) string {
	q := make([]string, len(headers))
	for i, h := range headers {
		q[i] = strconv.Quote(h)
	}
	return strings.Join(q, ", ")
}

func (l *loader) note(format string, args ...any) {
	l.notes = append(l.notes, fmt.Sprintf(format, args...))
}

func (l *loader) fieldCountError(line, n int) error {
	return &ParseError{File: l.file, Line: line, Msg: fmt.Sprintf("%d fields, but the header has %d", n, len(l.header))}
}

// cellError locates a problem with field col of the record just read.
func (l *loader) cellError(col int, err error) error {
	return &ParseError{File: l.file, Line: l.lineOf(col), Column: col + 1, Msg: fmt.Sprintf("column %q: %v", l.header[col], err)}
}

// readRows streams the data rows into l.s.
func (l *loader) readRows() error {
	l.s = &Series{Source: l.file, Column: l.header[l.valueCol]}
	rec, line := l.first, l.lineOf(0)
	for {
		if err := l.row(rec, line); err != nil {
			return err
		}
		var err error
		rec, line, err = l.read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
	}
	if len(l.pending) > 0 {
		l.dates.guessOrder()
		l.note("dates such as %q can be read either way and no day above 12 shows which; assumed %v", l.pending[0].date, l.dates.order)
		return l.flush()
	}
	return nil
}

// row handles one data row found on line.
func (l *loader) row(rec []string, line int) error {
	if l.rows++; l.rows > MaxRows {
		return &ParseError{File: l.file, Line: line, Msg: fmt.Sprintf("more than %d data rows, the most lstmfc reads", MaxRows)}
	}
	if len(rec) != len(l.header) {
		return l.fieldCountError(line, len(rec))
	}
	if l.numbers.style == styleUnknown {
		// Any cell of the row may show the file's decimal style, such as
		// an Open of "17,25" before a Close of "1,234"; errors here are the
		// price cell's to report, below.
		for i, c := range rec {
			if i != l.dateCol {
				l.numbers.parse(strings.TrimSpace(c), line)
			}
		}
	}
	var t time.Time
	var dateErr error
	if l.dateCol >= 0 {
		cell := strings.TrimSpace(rec[l.dateCol])
		t, dateErr = l.dates.parse(cell, line)
		switch {
		case dateErr == errTimeOnly:
			if l.timeOnly == 0 {
				l.timeOnlyLine, l.timeOnlyCell = line, cell
			}
			l.timeOnly++
			return nil
		case dateErr != nil && dateErr != errOrderUnknown:
			return l.cellError(l.dateCol, dateErr)
		}
	}
	v, err := l.cell(rec, l.valueCol, line)
	if err != nil {
		return err
	}
	for j, col := range l.others {
		if l.cells[j], err = l.cell(rec, col, line); err != nil {
			return err
		}
	}
	if l.dateCol < 0 {
		l.add(line, v)
		return nil
	}
	if dateErr == errOrderUnknown || len(l.pending) > 0 && l.dates.order == orderUnknown {
		l.pending = append(l.pending, pendingRow{line: line, date: strings.TrimSpace(rec[l.dateCol]), value: v, others: slices.Clone(l.cells)})
		return nil
	}
	if len(l.pending) > 0 {
		if err := l.flush(); err != nil {
			return err
		}
	}
	return l.addDated(line, t, v)
}

// cell reads field col of a row found on line: NaN when it is missing.
func (l *loader) cell(rec []string, col, line int) (float64, error) {
	c := strings.TrimSpace(rec[col])
	if isMissing(c) {
		return math.NaN(), nil
	}
	v, err := l.numbers.parse(c, line)
	if err != nil {
		return 0, l.cellError(col, err)
	}
	return v, nil
}

// flush adds the pending rows once the day/month order is known.
func (l *loader) flush() error {
	// The pending rows' other cells pass through l.cells, which holds those
	// of the row that ended the wait.
	current := slices.Clone(l.cells)
	defer copy(l.cells, current)
	for _, p := range l.pending {
		t, err := l.dates.parse(p.date, p.line)
		if err != nil {
			return &ParseError{File: l.file, Line: p.line, Column: l.dateCol + 1, Msg: fmt.Sprintf("column %q: %v", l.header[l.dateCol], err)}
		}
		copy(l.cells, p.others)
		if err := l.addDated(p.line, t, p.value); err != nil {
			return err
		}
	}
	l.pending = nil
	return nil
}

// add appends a value, NaN for missing.
func (l *loader) add(line int, v float64) {
	if math.IsNaN(v) {
		if l.missing == 0 {
			l.missingLine = line
		}
		l.missing++
	}
	l.s.Values = append(l.s.Values, v)
	for j, c := range l.cells {
		l.otherValues[j] = append(l.otherValues[j], c)
	}
}

// addDated appends a dated value, checking that the dates run one way
// without repeats.
func (l *loader) addDated(line int, t time.Time, v float64) error {
	if n := len(l.s.Dates); n > 0 {
		prev := l.s.Dates[n-1]
		dir := t.Compare(prev)
		if dir == 0 {
			return &ParseError{File: l.file, Line: line, Column: l.dateCol + 1, Msg: fmt.Sprintf("date %s repeats line %d", formatDate(t), l.lastLine)}
		}
		if l.descending == 0 {
			l.descending = dir
		}
		if dir != l.descending {
			return &ParseError{File: l.file, Line: line, Column: l.dateCol + 1,
				Msg: fmt.Sprintf("date %s is out of order after %s on line %d: dates must all rise or all fall", formatDate(t), formatDate(prev), l.lastLine)}
		}
	}
	l.lastLine = line
	l.s.Dates = append(l.s.Dates, t)
	l.add(line, v)
	return nil
}

// formatDate shows a date, with its time of day only when it has one.
func formatDate(t time.Time) string {
	if t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 && t.Nanosecond() == 0 {
		return t.Format(time.DateOnly)
	}
	return t.Format(time.DateTime)
}

// finish puts the series in date order and deals with missing values.
func (l *loader) finish() (*Series, error) {
	s := l.s
	if l.timeOnly > 0 {
		l.note("dropped %d row(s) dated by a time of day only, such as %q on line %d (an intraday snapshot in a daily file)", l.timeOnly, l.timeOnlyCell, l.timeOnlyLine)
	}
	if len(s.Values) == 0 {
		return nil, &ParseError{File: l.file, Msg: fmt.Sprintf("no dated rows: all %d rows have a time of day but no date", l.timeOnly)}
	}
	if l.descending < 0 {
		slices.Reverse(s.Dates)
		slices.Reverse(s.Values)
		for _, o := range l.otherValues {
			slices.Reverse(o)
		}
		l.note("the rows were newest first; reversed into date order")
	}
	if l.numbers.style == styleComma {
		l.note("numbers use a decimal comma, as %q on line %d shows", l.numbers.styleCell, l.numbers.styleLine)
	}
	// Carried before the rows with a missing target go, so a cell of such
	// a row still counts as the last value known.
	for j, o := range l.otherValues {
		l.carried[j] = carryForward(o)
	}
	l.cleanMissing()
	if len(s.Values) == 0 {
		return nil, &ParseError{File: l.file, Msg: fmt.Sprintf("no values: all %d values in column %q are missing", l.missing, s.Column)}
	}
	first := -1
	for i, v := range s.Values {
		if v <= 0 {
			if first < 0 {
				first = i
			}
			s.NonPositive++
		}
	}
	if first >= 0 {
		where := fmt.Sprintf("at position %d", first+1)
		if s.Dates != nil {
			where = "on " + formatDate(s.Dates[first])
		}
		l.note("%d value(s) are zero or negative, the first %g %s", s.NonPositive, s.Values[first], where)
	}
	s.Notes = l.notes
	return s, nil
}

// cleanMissing drops or forward-fills the NaNs that mark missing values.
func (l *loader) cleanMissing() {
	if l.missing == 0 {
		return
	}
	s := l.s
	ffill := l.opt.Fill == "ffill"
	keep := 0
	for i, v := range s.Values {
		if math.IsNaN(v) {
			if !ffill || keep == 0 {
				s.Dropped++
				continue
			}
			v = s.Values[keep-1]
			s.Filled++
		}
		s.Values[keep] = v
		if s.Dates != nil {
			s.Dates[keep] = s.Dates[i]
		}
		for _, o := range l.otherValues {
			o[keep] = o[i]
		}
		keep++
	}
	s.Values = s.Values[:keep]
	if s.Dates != nil {
		s.Dates = s.Dates[:keep]
	}
	for j := range l.otherValues {
		l.otherValues[j] = l.otherValues[j][:keep]
	}
	if s.Filled > 0 {
		l.note("forward-filled %d missing value(s)", s.Filled)
	}
	switch {
	case s.Dropped > 0 && ffill:
		l.note("dropped %d leading missing value(s) that have nothing before them to fill from", s.Dropped)
	case s.Dropped > 0:
		l.note("dropped %d row(s) with a missing value, the first on line %d", s.Dropped, l.missingLine)
	}
}
