package forecast

import (
	"strings"
	"testing"
)

// TestLoadFileStopsReading checks that an endless file is refused once it
// is longer than any model file, not read until memory runs out.
func TestLoadFileStopsReading(t *testing.T) {
	_, _, err := LoadFile("/dev/zero")
	if want := "/dev/zero: model file: file is over the"; err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("error %v, want %q…", err, want)
	}
}
