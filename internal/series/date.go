package series

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// dateOrder is the order of day and month in dates such as 01/02/2006.
type dateOrder int

const (
	orderUnknown dateOrder = iota
	monthFirst
	dayFirst
)

func (o dateOrder) String() string {
	if o == dayFirst {
		return "day-first (DD/MM/YYYY)"
	}
	return "month-first (MM/DD/YYYY)"
}

// dateReader reads the cells of a date column. A date such as 01/02/2006 can
// be read month-first or day-first; the column's order is learnt from the
// first cell whose leading or middle number is above 12.
type dateReader struct {
	compact   bool // also accept YYYYMMDD, for columns whose header names a date
	order     dateOrder
	orderLine int    // where the order was learnt
	orderCell string // the cell that showed it
	guessSep  byte   // separator of the first ambiguous cell, for the fallback guess
}

var (
	// errTimeOnly reports a cell that is a time of day without a date.
	errTimeOnly = errors.New("time of day without a date")
	// errOrderUnknown reports a cell such as 01/02/2006 read before the
	// column's day/month order is known.
	errOrderUnknown = errors.New("day/month order not known yet")
)

// monthNameLayouts are the accepted spellings with a month name. Month names
// are matched case-insensitively by time.Parse.
var monthNameLayouts = []string{
	"Jan 2, 2006", "January 2, 2006", "Jan 2 2006", "January 2 2006",
	"2 Jan 2006", "2 January 2006", "2-Jan-2006", "2-January-2006",
	"2006-Jan-2", "Mon, 2 Jan 2006", "Monday, January 2, 2006",
}

// parse reads a trimmed date cell found on line. Times of day are kept; a UTC
// offset or zone suffix is dropped, so a date is the local calendar day the
// file shows. It returns errTimeOnly for a bare time of day and
// errOrderUnknown for a day/month-ambiguous cell while the order is unknown;
// other errors are messages for a ParseError.
func (dr *dateReader) parse(cell string, line int) (time.Time, error) {
	if cell == "" {
		return time.Time{}, errors.New("the date is missing")
	}
	datePart, clockPart, _ := strings.Cut(strings.Replace(cell, "T", " ", 1), " ")
	if isClock(cell) {
		return time.Time{}, errTimeOnly
	}
	if !isNumericDate(datePart) {
		for _, layout := range monthNameLayouts {
			if t, err := time.Parse(layout, cell); err == nil {
				return t, nil
			}
		}
		return time.Time{}, errNotDate{cell}
	}
	var clock time.Duration
	if clockPart != "" {
		c, ok := parseClock(clockPart)
		if !ok {
			return time.Time{}, fmt.Errorf("cannot read %q as a date: bad time of day", cell)
		}
		clock = c
	}
	y, m, d, err := dr.fields(datePart, line, cell)
	if err != nil {
		return time.Time{}, err
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Year() != y || t.Month() != time.Month(m) || t.Day() != d {
		return time.Time{}, fmt.Errorf("cannot read %q as a date: no such day", cell)
	}
	return t.Add(clock), nil
}

// errNotDate reports a cell that is not a date in any accepted spelling.
// It is a type, not fmt.Errorf, because probing cells makes many of them.
type errNotDate struct{ cell string }

func (e errNotDate) Error() string { return fmt.Sprintf("cannot read %q as a date", e.cell) }

// onlyOf reports whether every byte of s is in set.
func onlyOf(s, set string) bool {
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(set, s[i]) < 0 {
			return false
		}
	}
	return true
}

// isNumericDate reports whether s is digits and separators only.
func isNumericDate(s string) bool {
	return s != "" && onlyOf(s, "0123456789-/.")
}

// fields splits a numeric date into year, month and day.
func (dr *dateReader) fields(s string, line int, cell string) (y, m, d int, err error) {
	bad := errNotDate{cell}
	if len(s) == 8 && onlyOf(s, "0123456789") {
		if !dr.compact {
			return 0, 0, 0, bad
		}
		y, _ = strconv.Atoi(s[:4])
		m, _ = strconv.Atoi(s[4:6])
		d, _ = strconv.Atoi(s[6:])
		return y, m, d, nil
	}
	i := strings.IndexAny(s, "-/.")
	if i < 0 {
		return 0, 0, 0, bad
	}
	sep := s[i]
	parts := strings.Split(s, string(sep))
	if len(parts) != 3 {
		return 0, 0, 0, bad
	}
	var n [3]int
	for k, p := range parts {
		if p == "" || !onlyOf(p, "0123456789") || len(p) > 4 {
			return 0, 0, 0, bad
		}
		n[k], _ = strconv.Atoi(p)
	}
	switch {
	case len(parts[0]) == 4 && len(parts[1]) <= 2 && len(parts[2]) <= 2:
		return n[0], n[1], n[2], nil
	case len(parts[2]) == 4 && len(parts[0]) <= 2 && len(parts[1]) <= 2:
	default:
		return 0, 0, 0, bad
	}
	y = n[2]
	shows := orderUnknown
	switch {
	case n[0] > 12 && n[1] > 12:
		return 0, 0, 0, bad
	case n[0] > 12:
		shows = dayFirst
	case n[1] > 12:
		shows = monthFirst
	}
	switch {
	case shows == orderUnknown && dr.order == orderUnknown:
		if dr.guessSep == 0 {
			dr.guessSep = sep
		}
		return 0, 0, 0, errOrderUnknown
	case shows == orderUnknown:
	case dr.order == orderUnknown:
		dr.order, dr.orderLine, dr.orderCell = shows, line, cell
	case shows != dr.order:
		return 0, 0, 0, fmt.Errorf("date %q is %v but %q on line %d is %v", cell, shows, dr.orderCell, dr.orderLine, dr.order)
	}
	if dr.order == dayFirst {
		return y, n[1], n[0], nil
	}
	return y, n[0], n[1], nil
}

// guessOrder settles the day/month order when no cell showed it: slashes
// suggest the US month-first habit, dots and dashes the day-first one.
func (dr *dateReader) guessOrder() {
	dr.order = dayFirst
	if dr.guessSep == '/' {
		dr.order = monthFirst
	}
}

// isClock reports whether s is a bare time of day such as 11:34, 09:30:00 or
// 4:00 PM.
func isClock(s string) bool {
	_, ok := parseClock(s)
	return ok
}

// parseClock reads HH:MM[:SS[.fff]] with an optional AM/PM and an optional
// zone (Z, +hh:mm, -hhmm, or a space and a name), returning the time since
// midnight; the zone is ignored.
func parseClock(s string) (time.Duration, bool) {
	s = strings.TrimSpace(s)
	pm, am := false, false
	if n := len(s); n >= 2 {
		pm, am = strings.EqualFold(s[n-2:], "PM"), strings.EqualFold(s[n-2:], "AM")
		if am || pm {
			s = strings.TrimSpace(s[:n-2])
		}
	}
	if i := strings.IndexAny(s, "Z+- "); i > 0 {
		s = s[:i]
	}
	parts := strings.Split(s, ":")
	if len(parts) < 2 || len(parts) > 3 {
		return 0, false
	}
	var hms [3]float64
	for k, p := range parts {
		if p == "" || len(p) > 2 && k < 2 || !onlyOf(p, "0123456789.") || k < 2 && strings.Contains(p, ".") {
			return 0, false
		}
		v, err := strconv.ParseFloat(p, 64)
		if err != nil {
			return 0, false
		}
		hms[k] = v
	}
	h := hms[0]
	if am || pm {
		if h < 1 || h > 12 {
			return 0, false
		}
		if h == 12 {
			h = 0
		}
		if pm {
			h += 12
		}
	}
	if h > 23 || hms[1] > 59 || hms[2] >= 61 {
		return 0, false
	}
	secs := h*3600 + hms[1]*60 + hms[2]
	return time.Duration(secs * float64(time.Second)), true
}
