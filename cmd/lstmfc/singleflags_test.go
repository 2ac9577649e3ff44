package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestManyRefusesSingleSeriesFlags checks that a flag naming the one
// model, output or series of a single-series run is refused with several
// series, whose files are named after each series in --out-dir, instead of
// being silently ignored.
func TestManyRefusesSingleSeriesFlags(t *testing.T) {
	dir := t.TempDir()
	var files []string
	for _, name := range []string{"a.csv", "b.csv"} {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("Close\n1\n2\n"), 0o666); err != nil {
			t.Fatal(err)
		}
		files = append(files, p)
	}
	out := filepath.Join(dir, "out")
	for _, tc := range []struct {
		args []string
		flag string
	}{
		{[]string{"train", "--model", filepath.Join(dir, "one.bin")}, "--model"},
		{[]string{"predict", "--model", filepath.Join(dir, "one.bin")}, "--model"},
		{[]string{"predict", "--out", filepath.Join(dir, "p.csv")}, "--out"},
		{[]string{"predict", "--data", files[0]}, "--data"},
	} {
		code, _, stderr := run(t, append(append(tc.args, "--out-dir", out), files...)...)
		if code != 2 || !strings.Contains(stderr, tc.flag+":") || strings.Count(stderr, "\n") != 1 {
			t.Errorf("%q with several series: exit %d, stderr %q; want exit 2 naming %s", tc.args, code, stderr, tc.flag)
		}
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("a refused run made --out-dir")
	}
}
