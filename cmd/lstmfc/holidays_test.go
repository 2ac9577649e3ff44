package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPredictSkipsHolidays: the bundled series ends on Tuesday 2026-08-18;
// with Thursday and Friday listed as holidays the forecast runs Wednesday,
// then the next Monday to Wednesday. A malformed list is refused naming
// its line.
func TestPredictSkipsHolidays(t *testing.T) {
	dir := t.TempDir()
	model := trainSmall(t, dir)
	holidays := filepath.Join(dir, "closed.txt")
	if err := os.WriteFile(holidays, []byte("# closures\n2026-08-20\n2026-08-21\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := run(t, "predict", "-q", "--model", model, "--horizon", "4", "--forecast-only", "--holidays", holidays, "--out", "-")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var dates []string
	for _, line := range strings.Split(strings.TrimSpace(stdout), "\n")[1:] {
		dates = append(dates, strings.SplitN(line, ",", 2)[0])
	}
	if got, want := strings.Join(dates, " "), "2026-08-19 2026-08-24 2026-08-25 2026-08-26"; got != want {
		t.Errorf("forecast dates %s, want %s", got, want)
	}
	if err := os.WriteFile(holidays, []byte("2026-08-20\n20/08/2026\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr = run(t, "predict", "-q", "--model", model, "--holidays", holidays, "--out", filepath.Join(dir, "p.csv"))
	if code != exitFailure || !strings.Contains(stderr, `closed.txt:2: "20/08/2026" is not a date as YYYY-MM-DD`) {
		t.Errorf("a malformed list: exit %d, %q", code, stderr)
	}
}
