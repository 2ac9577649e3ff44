package forecast

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
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
	from := series - n
	out := &Table{First: t.First + from, Actual: t.Actual[from:], Predicted: t.Predicted[from:], Split: t.Split[from:]}
	if t.Dates != nil {
		out.Dates = t.Dates[from:]
	}
	for _, b := range t.Bands {
		out.Bands = append(out.Bands, TableBand{Level: b.Level, Lo: b.Lo[from:], Hi: b.Hi[from:]})
	}
	return out
}
