package features

import (
	"strings"
	"testing"
)

// FuzzParse checks that Parse never panics, that its errors are one line,
// and that a parsed list reads back to itself with return first.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"", "range,gap,dow", "month, Return ,adj close", "range,,gap", "a,A", "volume,\x00", "return,return"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, list string) {
		s, err := Parse(list)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("Parse(%q): a multi-line error %q", list, err)
			}
			return
		}
		names := s.Names()
		if len(names) == 0 || names[0] != "return" {
			t.Fatalf("Parse(%q) = %q: return is not first", list, s)
		}
		again, err := Parse(s.String())
		if err != nil || again.String() != s.String() {
			t.Fatalf("Parse(%q) = %q reads back as %q, %v", list, s, again, err)
		}
		if s.Width() != len(s.Inputs()) || s.Width() < len(names) {
			t.Fatalf("Parse(%q): width %d, inputs %q", list, s.Width(), s.Inputs())
		}
	})
}
