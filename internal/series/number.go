package series

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// decimalStyle is how a file writes the decimal separator.
type decimalStyle int

const (
	styleUnknown decimalStyle = iota
	stylePoint                // 1,234.56
	styleComma                // 1.234,56
)

func (s decimalStyle) String() string {
	if s == styleComma {
		return "a decimal comma"
	}
	return "a decimal point"
}

// numberReader reads price cells. Files separated by ';' or tabs may write
// decimals with a comma, so the reader learns the file's style from the
// first cell that shows it unambiguously and holds every later cell to it.
type numberReader struct {
	style     decimalStyle
	styleLine int    // where the style was learnt; 0 when it was given
	styleCell string // the cell that showed it
}

// isMissing reports whether a cell marks a missing value rather than a
// number.
func isMissing(cell string) bool {
	switch strings.ToLower(cell) {
	case "", "null", "nan", "n/a", "na", "#n/a", "-", ".":
		return true
	}
	return false
}

// errAmbiguousDecimal reports a cell such as "1,234" in a file whose decimal
// style is not known yet.
var errAmbiguousDecimal = errors.New("ambiguous decimal separator")

// parse reads one trimmed, non-missing cell found on line. Its errors are
// messages for a ParseError.
func (nr *numberReader) parse(cell string, line int) (float64, error) {
	body := cell
	sign := ""
	if body != "" && (body[0] == '-' || body[0] == '+') {
		sign, body = body[:1], body[1:]
	}
	body = strings.TrimPrefix(body, "$")
	mantissa, exponent := body, ""
	if i := strings.IndexAny(body, "eE"); i >= 0 {
		mantissa, exponent = body[:i], body[i:]
	}
	if mantissa == "" || !onlyOf(mantissa, "0123456789.,") || (exponent != "" && !onlyOf(exponent[1:], "0123456789+-")) {
		switch strings.ToLower(strings.TrimLeft(cell, "+-")) {
		case "inf", "infinity":
			return 0, fmt.Errorf("%q is not a finite number", cell)
		}
		return 0, fmt.Errorf("%q is not a number", cell)
	}
	dec, group, err := nr.separators(mantissa)
	if err != nil {
		if err == errAmbiguousDecimal {
			return 0, fmt.Errorf("cannot tell whether %q has a decimal or a thousands separator: no earlier cell shows which this file uses", cell)
		}
		return 0, fmt.Errorf("%q %v", cell, err)
	}
	if dec != 0 {
		style := stylePoint
		if dec == ',' {
			style = styleComma
		}
		switch nr.style {
		case styleUnknown:
			nr.style, nr.styleLine, nr.styleCell = style, line, cell
		case style:
		default:
			where := ""
			if nr.styleLine > 0 {
				where = fmt.Sprintf(" (%q on line %d)", nr.styleCell, nr.styleLine)
			}
			return 0, fmt.Errorf("%q has %v but this file uses %v%s", cell, style, nr.style, where)
		}
	}
	plain := mantissa
	if group != 0 {
		plain = strings.ReplaceAll(plain, string(group), "")
	}
	if dec == ',' {
		plain = strings.Replace(plain, ",", ".", 1)
	}
	v, err := strconv.ParseFloat(sign+plain+exponent, 64)
	if err != nil {
		if errors.Is(err, strconv.ErrRange) && math.IsInf(v, 0) {
			return 0, fmt.Errorf("%q is out of range for a 64-bit float", cell)
		}
		return 0, fmt.Errorf("%q is not a number", cell)
	}
	return v, nil
}

// separators works out which of '.' and ',' in a mantissa is the decimal
// separator and which groups thousands (0 for absent), and checks the
// grouping. A lone separator followed by exactly three digits, as in "1,234",
// is ambiguous unless the file's style is known.
func (nr *numberReader) separators(m string) (dec, group byte, err error) {
	lastDot, lastComma := strings.LastIndexByte(m, '.'), strings.LastIndexByte(m, ',')
	switch {
	case lastDot < 0 && lastComma < 0:
		return 0, 0, nil
	case lastDot >= 0 && lastComma >= 0:
		dec, group = '.', ','
		if lastComma > lastDot {
			dec, group = ',', '.'
		}
	default:
		c := byte('.')
		if lastComma >= 0 {
			c = ','
		}
		i := strings.IndexByte(m, c)
		switch {
		case strings.Count(m, string(c)) > 1:
			group = c
		case len(m)-i-1 != 3 || i == 0 || i > 3 || m[0] == '0':
			// "1,5", "0,125", "1234,567" cannot be thousands groups.
			dec = c
		case nr.style == styleUnknown:
			return 0, 0, errAmbiguousDecimal
		case (nr.style == styleComma) == (c == ','):
			dec = c
		default:
			group = c
		}
		if group != 0 {
			dec = '.'
			if group == '.' {
				dec = ','
			}
		}
	}
	intPart := m
	if i := strings.IndexByte(m, dec); i >= 0 {
		intPart = m[:i]
		if strings.IndexByte(m[i+1:], dec) >= 0 || strings.IndexByte(m[i+1:], group) >= 0 {
			return 0, 0, errors.New("has misplaced separators")
		}
	}
	if group != 0 && !validGroups(intPart, group) {
		return 0, 0, fmt.Errorf("has misplaced thousands separators")
	}
	if strings.IndexByte(m, dec) < 0 {
		// Only a group separator was present: the decimal style is implied
		// but not shown, so keep the file's style as it is.
		dec = 0
		if nr.style != styleUnknown && (nr.style == styleComma) == (group == ',') {
			return 0, 0, fmt.Errorf("uses %q to group thousands but this file uses it as the decimal separator", group)
		}
	}
	return dec, group, nil
}

// validGroups reports whether digits separated by sep form thousands groups:
// one to three digits, then groups of exactly three.
func validGroups(s string, sep byte) bool {
	parts := strings.Split(s, string(sep))
	if len(parts[0]) < 1 || len(parts[0]) > 3 {
		return false
	}
	for _, p := range parts[1:] {
		if len(p) != 3 {
			return false
		}
	}
	return true
}
