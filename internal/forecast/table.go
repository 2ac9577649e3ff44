package forecast

import (
	"bufio"
	"cmp"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/lstmfc/lstmfc/internal/series"
)

// Table is the predictions file: one row per value of the series in date
// order, then one per forecast step.
type Table struct {
	Dates     []time.Time // one per row, nil when the series has none
	First     int         // position of the first row in its series, which labels rows without dates
	Actual    []float64   // NaN on forecast rows
	Predicted []float64   // NaN where there is no prediction
	Split     []Span
	Bands     []TableBand
}

// TableBand is one prediction interval's bounds per row, NaN where absent.
type TableBand struct {
	Level  float64
	Lo, Hi []float64
}

// Len is the number of rows.
func (t *Table) Len() int { return len(t.Actual) }

// dateLayout is how dates are written: ISO 8601, which every tool reads.
const dateLayout = "2006-01-02"

func (b TableBand) names() (lo, hi string) {
	p := levelKey(b.Level)
	return "lo" + p, "hi" + p
}

// WriteCSV writes the table with the header
// date,actual,predicted,split[,loNN,hiNN...]. Absent values are empty.
func (t *Table) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	head := []string{"date", "actual", "predicted", "split"}
	for _, b := range t.Bands {
		lo, hi := b.names()
		head = append(head, lo, hi)
	}
	if err := cw.Write(head); err != nil {
		return err
	}
	rec := make([]string, len(head))
	for i := range t.Len() {
		if t.Dates != nil {
			rec[0] = t.Dates[i].Format(dateLayout)
		} else {
			rec[0] = strconv.Itoa(t.First + i)
		}
		rec[1], rec[2], rec[3] = formatValue(t.Actual[i]), formatValue(t.Predicted[i]), string(t.Split[i])
		for k, b := range t.Bands {
			rec[4+2*k], rec[5+2*k] = formatValue(b.Lo[i]), formatValue(b.Hi[i])
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func formatValue(v float64) string {
	if math.IsNaN(v) {
		return ""
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// jsonRow is one row of the JSON form; absent values are null.
type jsonRow struct {
	Date      string              `json:"date"`
	Actual    *float64            `json:"actual"`
	Predicted *float64            `json:"predicted"`
	Split     Span                `json:"split"`
	Intervals map[string]*float64 `json:"intervals,omitempty"`
}

// WriteJSON writes the table as a JSON array of rows with the same fields
// as the CSV; absent values are null.
func (t *Table) WriteJSON(w io.Writer) error {
	rows := make([]jsonRow, t.Len())
	opt := func(v float64) *float64 {
		if math.IsNaN(v) {
			return nil
		}
		return &v
	}
	for i := range rows {
		r := jsonRow{Actual: opt(t.Actual[i]), Predicted: opt(t.Predicted[i]), Split: t.Split[i]}
		if t.Dates != nil {
			r.Date = t.Dates[i].Format(dateLayout)
		} else {
			r.Date = strconv.Itoa(t.First + i)
		}
		if len(t.Bands) > 0 {
			r.Intervals = make(map[string]*float64, 2*len(t.Bands))
			for _, b := range t.Bands {
				lo, hi := b.names()
				r.Intervals[lo], r.Intervals[hi] = opt(b.Lo[i]), opt(b.Hi[i])
			}
		}
		rows[i] = r
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(rows)
}

// ReadCSV reads a table written by WriteCSV. name labels errors.
func ReadCSV(r io.Reader, name string) (*Table, error) {
	cr := csv.NewReader(r)
	head, err := cr.Read()
	if err != nil {
		if err == io.EOF {
			return nil, fmt.Errorf("%s: empty file, expected a predictions CSV", name)
		}
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	want := []string{"date", "actual", "predicted", "split"}
	if len(head) < len(want) || len(head)%2 != 0 {
		return nil, fmt.Errorf("%s:1: header must start with %s, got %s", name, strings.Join(want, ","), strings.Join(head, ","))
	}
	for i, h := range want {
		if strings.TrimSpace(strings.ToLower(head[i])) != h {
			return nil, fmt.Errorf("%s:1:%d: header must start with %s, got %q", name, i+1, strings.Join(want, ","), head[i])
		}
	}
	t := &Table{}
	for k := 4; k < len(head); k += 2 {
		lo, hi := strings.ToLower(head[k]), strings.ToLower(head[k+1])
		if !strings.HasPrefix(lo, "lo") || hi != "hi"+lo[2:] {
			return nil, fmt.Errorf("%s:1:%d: expected a loNN,hiNN column pair, got %s,%s", name, k+1, head[k], head[k+1])
		}
		p, err := strconv.ParseFloat(lo[2:], 64)
		if err != nil || p <= 0 || p >= 100 {
			return nil, fmt.Errorf("%s:1:%d: %q does not name an interval level", name, k+1, head[k])
		}
		t.Bands = append(t.Bands, TableBand{Level: p / 100})
	}
	dated := true
	var dates []time.Time
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %v", name, err)
		}
		num := func(col int) (float64, error) {
			s := strings.TrimSpace(rec[col])
			if s == "" {
				return math.NaN(), nil
			}
			v, err := strconv.ParseFloat(s, 64)
			if err != nil || math.IsInf(v, 0) {
				return 0, fmt.Errorf("%s:%d:%d: %q is not a number", name, line, col+1, rec[col])
			}
			return v, nil
		}
		a, err := num(1)
		if err != nil {
			return nil, err
		}
		p, err := num(2)
		if err != nil {
			return nil, err
		}
		t.Actual, t.Predicted, t.Split = append(t.Actual, a), append(t.Predicted, p), append(t.Split, Span(rec[3]))
		for k := range t.Bands {
			lo, err := num(4 + 2*k)
			if err != nil {
				return nil, err
			}
			hi, err := num(5 + 2*k)
			if err != nil {
				return nil, err
			}
			t.Bands[k].Lo, t.Bands[k].Hi = append(t.Bands[k].Lo, lo), append(t.Bands[k].Hi, hi)
		}
		if t.Len() == 1 {
			t.First, _ = strconv.Atoi(rec[0]) // a position, when the rows have no dates
		}
		if dated {
			d, err := time.Parse(dateLayout, rec[0])
			if err != nil {
				dated = false // row positions instead of dates
				continue
			}
			dates = append(dates, d)
		}
	}
	if t.Len() == 0 {
		return nil, fmt.Errorf("%s: no rows after the header", name)
	}
	if dated {
		t.Dates = dates
	}
	return t, nil
}

// Tail returns the table cut to the last n rows of the series, followed by
// all its forecast rows; the whole table when n is 0 or covers it. The rows
// are shared with t, not copied.
func (t *Table) Tail(n int) *Table {
	series := t.Len()
	for series > 0 && t.Split[series-1] == SpanForecast {
		series--
	}
	if n <= 0 || n >= series {
		return t
	}
	return t.from(series - n)
}

// Future returns the table's forecast rows alone, the rows past the last
// value of the series. The rows are shared with t, not copied.
func (t *Table) Future() *Table {
	from := t.Len()
	for from > 0 && t.Split[from-1] == SpanForecast {
		from--
	}
	return t.from(from)
}

// from returns the rows of t from row i on, sharing them with t.
func (t *Table) from(i int) *Table {
	out := &Table{First: t.First + i, Actual: t.Actual[i:], Predicted: t.Predicted[i:], Split: t.Split[i:]}
	if t.Dates != nil {
		out.Dates = t.Dates[i:]
	}
	for _, b := range t.Bands {
		out.Bands = append(out.Bands, TableBand{Level: b.Level, Lo: b.Lo[i:], Hi: b.Hi[i:]})
	}
	return out
}

// ReadTable reads a table written by WriteJSON or WriteCSV, telling them
// apart by the first character that is not white space: JSON starts with
// [ (or {, which is refused as not an array).
// name labels errors.
func ReadTable(r io.Reader, name string) (*Table, error) {
	br := bufio.NewReader(r)
	for {
		c, _, err := br.ReadRune()
		if err != nil || !unicode.IsSpace(c) {
			if err == nil {
				err = br.UnreadRune()
			}
			if err == nil && (c == '[' || c == '{') {
				return ReadJSON(br, name)
			}
			break
		}
	}
	return ReadCSV(br, name)
}

// ReadJSON reads a table written by WriteJSON. name labels errors.
func ReadJSON(r io.Reader, name string) (*Table, error) {
	var rows []jsonRow
	if err := json.NewDecoder(r).Decode(&rows); err != nil {
		return nil, fmt.Errorf("%s: not a predictions JSON array: %v", name, err)
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("%s: no rows in the predictions JSON", name)
	}
	t := &Table{}
	for k := range rows[0].Intervals {
		if !strings.HasPrefix(k, "lo") {
			continue
		}
		p, err := strconv.ParseFloat(k[2:], 64)
		if err != nil || p <= 0 || p >= 100 {
			return nil, fmt.Errorf("%s: row 1: interval %q does not name a level", name, k)
		}
		t.Bands = append(t.Bands, TableBand{Level: p / 100})
	}
	slices.SortFunc(t.Bands, func(a, b TableBand) int { return cmp.Compare(a.Level, b.Level) })
	value := func(v *float64) float64 {
		if v == nil {
			return math.NaN()
		}
		return *v
	}
	dated := true
	for i, r := range rows {
		t.Actual, t.Predicted, t.Split = append(t.Actual, value(r.Actual)), append(t.Predicted, value(r.Predicted)), append(t.Split, r.Split)
		for k := range t.Bands {
			lo, hi := t.Bands[k].names()
			l, okLo := r.Intervals[lo]
			h, okHi := r.Intervals[hi]
			if !okLo || !okHi {
				return nil, fmt.Errorf("%s: row %d: no %s and %s, which row 1 has", name, i+1, lo, hi)
			}
			t.Bands[k].Lo, t.Bands[k].Hi = append(t.Bands[k].Lo, value(l)), append(t.Bands[k].Hi, value(h))
		}
		if i == 0 {
			t.First, _ = strconv.Atoi(r.Date) // a position, when the rows have no dates
		}
		if d, err := time.Parse(dateLayout, r.Date); err == nil && dated {
			t.Dates = append(t.Dates, d)
		} else {
			dated = false
		}
	}
	if !dated {
		t.Dates = nil
	}
	return t, nil
}

// Calendar is how the dates of a series step from one value to the next;
// a forecast's dates follow its series' calendar.
type Calendar int

// The calendars a series' dates can follow. No exchange's holidays are
// built in: Table.SkipHolidays takes a list of a market's closures.
const (
	BusinessDays Calendar = iota // Monday to Friday
	EveryDay                     // every day of the week
	Weekly                       // every seventh day
	Monthly                      // the same day of each month, or each month's last day
)

// String names the calendar for people.
func (c Calendar) String() string {
	return [...]string{"business days", "every day", "weekly", "monthly"}[c]
}

// CalendarOf returns the calendar of dates, in increasing order, from the
// usual step between them: a day (every day when more than a tenth of the
// dates are weekends, as in a crypto or weather series, else business
// days), a week or a month. An empty warning means the steps are regular;
// otherwise it says how many are not, and that the forecast takes the
// usual step anyway. Gaps of up to four days on business days are
// holidays, not irregular steps.
func CalendarOf(dates []time.Time) (Calendar, string) {
	if len(dates) < 2 {
		return BusinessDays, ""
	}
	gaps := make([]int, len(dates)-1)
	weekend := 0
	for i, d := range dates {
		if wd := d.Weekday(); wd == time.Saturday || wd == time.Sunday {
			weekend++
		}
		if i > 0 {
			gaps[i-1] = dayNumber(d) - dayNumber(dates[i-1])
		}
	}
	sorted := slices.Sorted(slices.Values(gaps))
	usual := sorted[len(sorted)/2]
	c, lo, hi := BusinessDays, 1, 4
	switch {
	case usual <= 1 && 10*weekend > len(dates):
		c, lo, hi = EveryDay, 1, 1
	case usual <= 4:
	case usual <= 8:
		c, lo, hi = Weekly, 6, 8
	case usual >= 28 && usual <= 31:
		c, lo, hi = Monthly, 28, 31
	default:
		return BusinessDays, fmt.Sprintf("warning: the dates usually step by %d days, which is not daily, weekly or monthly; the forecast is dated on business days", usual)
	}
	off := 0
	for _, g := range gaps {
		if g < lo || g > hi {
			off++
		}
	}
	if 20*off > len(gaps) {
		return c, fmt.Sprintf("warning: %d of the %d steps between dates are irregular for a series dated %s; the forecast is dated %s anyway", off, len(gaps), c, c)
	}
	return c, ""
}

// dayNumber counts days from the Unix epoch to the calendar date of t, so
// that a daylight-saving change does not make a day 23 or 25 hours.
func dayNumber(t time.Time) int {
	y, m, d := t.Date()
	return int(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

// Next returns the n dates after last in c.
func (c Calendar) Next(last time.Time, n int) []time.Time {
	if c == BusinessDays {
		return series.BusinessDays(last, n)
	}
	out := make([]time.Time, n)
	for i := range out {
		switch c {
		case EveryDay:
			out[i] = last.AddDate(0, 0, i+1)
		case Weekly:
			out[i] = last.AddDate(0, 0, 7*(i+1))
		case Monthly:
			out[i] = addMonths(last, i+1)
		}
	}
	return out
}

// addMonths returns the date k months after t: the same day of the month,
// or the month's last day when t is on its month's last day or the month
// is too short (so January 31 steps to February 28, then March 31).
func addMonths(t time.Time, k int) time.Time {
	y, m, d := t.Date()
	lastDay := func(y int, m time.Month) int { return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day() }
	target := time.Date(y, m+time.Month(k), 1, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), t.Location())
	ty, tm, _ := target.Date()
	if d == lastDay(y, m) || d > lastDay(ty, tm) {
		d = lastDay(ty, tm)
	}
	return time.Date(ty, tm, d, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), t.Location())
}
