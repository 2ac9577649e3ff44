package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// writeManifest writes a manifest of body into a new directory and
// returns the directory.
func writeManifest(t *testing.T, name, body string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o666); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestSummaryHostileManifests checks that a manifest summary cannot trust
// gets one line naming it and exit 1, not a silent success, a read
// outside DIR, or a loop over every shard a huge count names.
func TestSummaryHostileManifests(t *testing.T) {
	for _, tc := range []struct {
		name, body, want string
	}{
		{".lstmfc-bogus-shard-0-of-1.json", `{"command":"bogus","shard":"0/1","series":["x"]}`, `command "bogus"`},
		{".lstmfc-train-shard-0-of-1.json", `{"command":"train","shard":"0/1","series":["../../etc/passwd"]}`, `series name "../../etc/passwd"`},
		{".lstmfc-train-shard-0-of-1.json", `{"command":"train","shard":"0/1","series":[""]}`, `series name ""`},
		{".lstmfc-train-shard-0-of-1.json", `{"command":"train","shard":"0/1","series":[".."]}`, `series name ".."`},
	} {
		dir := writeManifest(t, tc.name, tc.body)
		code, stdout, stderr := run(t, "summary", dir)
		if code != 1 || !strings.Contains(stderr, tc.want) || strings.Count(stderr, "\n") != 1 {
			t.Errorf("manifest %s: exit %d, stdout %q, stderr %q; want exit 1 and one line naming %s", tc.body, code, stdout, stderr, tc.want)
		}
	}

	// One shard of 2^62: the other shards are counted, not listed one by one.
	dir := writeManifest(t, ".lstmfc-train-shard-0-of-4611686018427387904.json", `{"command":"train","shard":"0/4611686018427387904","series":["x"]}`)
	start := time.Now()
	code, _, stderr := run(t, "summary", dir)
	if code != 1 || time.Since(start) > 5*time.Second || strings.Count(stderr, "\n") > 20 || !strings.Contains(stderr, "4611686018427387903 shards") {
		t.Errorf("a shard of 2^62: exit %d after %v, stderr %.500q", code, time.Since(start), stderr)
	}
}

// TestSummaryNotADirectory checks that summary of a file says it is not a
// directory rather than that it holds no outputs.
func TestSummaryNotADirectory(t *testing.T) {
	file := filepath.Join(t.TempDir(), "f.csv")
	if err := os.WriteFile(file, []byte("x\n1\n"), 0o666); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := run(t, "summary", file)
	if code != 1 || !strings.Contains(stderr, "not a directory") {
		t.Errorf("summary of a file: exit %d, stderr %q", code, stderr)
	}
}

// TestSummaryDamagedReport checks that a train report that parses but is
// empty ({} or null) is summarised as failed, not as a series done.
func TestSummaryDamagedReport(t *testing.T) {
	for _, body := range []string{`{}`, `null`} {
		dir := writeManifest(t, ".lstmfc-train-shard-0-of-1.json", `{"command":"train","shard":"0/1","series":["a"]}`)
		if err := os.WriteFile(filepath.Join(dir, "a.json"), []byte(body), 0o666); err != nil {
			t.Fatal(err)
		}
		code, stdout, _ := run(t, "summary", dir)
		if code != 1 || !strings.Contains(stdout, "not a complete report") {
			t.Errorf("report %s: exit %d, stdout %q; want exit 1 and the series failed", body, code, stdout)
		}
	}
}
