package fleet

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func touch(t *testing.T, paths ...string) {
	t.Helper()
	for _, p := range paths {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("x\n1\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestExpand(t *testing.T) {
	dir := t.TempDir()
	d := filepath.Join(dir, "d")
	touch(t, filepath.Join(d, "b.csv"), filepath.Join(d, "a.TSV"), filepath.Join(d, "notes.txt"), filepath.Join(d, "sub", "c.csv"), filepath.Join(dir, "z.csv"))
	got, err := Expand([]string{filepath.Join(dir, "z.csv"), d})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{filepath.Join(dir, "z.csv"), filepath.Join(d, "a.TSV"), filepath.Join(d, "b.csv")}
	if !slices.Equal(got, want) {
		t.Errorf("Expand = %q, want %q", got, want)
	}
	if got, err := Expand([]string{"-"}); err != nil || !slices.Equal(got, []string{"-"}) {
		t.Errorf("Expand(-) = %q, %v", got, err)
	}
	touch(t, filepath.Join(dir, "e", "b.tsv"), filepath.Join(dir, "empty", "x.txt"))
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "no series"},
		{[]string{"-", d}, "only series"},
		{[]string{d, filepath.Join(d, "b.csv")}, "same file"},
		{[]string{d, filepath.Join(dir, "e")}, `same name "b"`},
		{[]string{filepath.Join(dir, "empty")}, "no *.csv"},
		{[]string{filepath.Join(dir, "missing.csv")}, "no such file"},
	} {
		_, err := Expand(tc.args)
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("Expand(%q) error %v, want one line with %q", tc.args, err, tc.want)
		}
	}
}

func names(n int, prefix string) []string {
	p := make([]string, n)
	for i := range p {
		p[i] = fmt.Sprintf("data/%s%03d.csv", prefix, i)
	}
	return p
}

// TestShardPartition checks that the shards of a set are disjoint, cover
// it, are none of them empty for a set this large, and keep every series
// where it was when series are added.
func TestShardPartition(t *testing.T) {
	paths := names(200, "T")
	for _, n := range []int{1, 2, 3, 7} {
		owner := map[string]int{}
		for i := range n {
			mine := Shard{i, n}.Select(paths)
			if len(mine) == 0 {
				t.Errorf("shard %d/%d is empty", i, n)
			}
			for _, p := range mine {
				if j, ok := owner[p]; ok {
					t.Errorf("%s in shards %d and %d of %d", p, j, i, n)
				}
				owner[p] = i
			}
		}
		if len(owner) != len(paths) {
			t.Errorf("%d shards hold %d of %d series", n, len(owner), len(paths))
		}
		more := append(names(50, "U"), paths...)
		for i := range n {
			for _, p := range (Shard{i, n}).Select(more) {
				if j, ok := owner[p]; ok && j != i {
					t.Errorf("%s moved from shard %d to %d of %d when series were added", p, j, i, n)
				}
			}
		}
	}
	// The shard depends on the name, not the directory.
	if (Shard{0, 2}).Owns("a/x.csv") != (Shard{0, 2}).Owns("b/x.tsv") {
		t.Error("the same name in two directories lands in two shards")
	}
}

func TestParseShard(t *testing.T) {
	if s, err := ParseShard("2/5"); err != nil || s != (Shard{2, 5}) || s.String() != "2/5" {
		t.Errorf("ParseShard(2/5) = %v, %v", s, err)
	}
	if _, err := ParseShard("3/3"); err == nil || err.Error() != "shard index 3 is out of range 0 to 2" {
		t.Errorf("ParseShard(3/3) error %v", err)
	}
	for _, bad := range []string{"", "1", "5/5", "-1/3", "a/2", "0/0", "1/x"} {
		if _, err := ParseShard(bad); err == nil {
			t.Errorf("ParseShard(%q) took it", bad)
		}
	}
}

func TestShardFromEnv(t *testing.T) {
	env := func(kv ...string) func(string) string {
		return func(k string) string {
			for i := 0; i < len(kv); i += 2 {
				if kv[i] == k {
					return kv[i+1]
				}
			}
			return ""
		}
	}
	for _, tc := range []struct {
		env  func(string) string
		want int
	}{
		{env("JOB_COMPLETION_INDEX", "3"), 3},
		{env("SLURM_ARRAY_TASK_ID", "12", "SLURM_ARRAY_TASK_MIN", "10"), 2},
		{env("SLURM_ARRAY_TASK_ID", "1"), 1},
		{env("AWS_BATCH_JOB_ARRAY_INDEX", "0"), 0},
		{env("JOB_COMPLETION_INDEX", "1", "AWS_BATCH_JOB_ARRAY_INDEX", "2"), 1},
	} {
		s, err := ShardFromEnv(4, tc.env)
		if err != nil || s != (Shard{tc.want, 4}) {
			t.Errorf("ShardFromEnv = %v, %v; want %d/4", s, err, tc.want)
		}
	}
	for _, e := range []func(string) string{
		env(), env("JOB_COMPLETION_INDEX", "4"), env("JOB_COMPLETION_INDEX", "x"),
		env("SLURM_ARRAY_TASK_ID", "3", "SLURM_ARRAY_TASK_MIN", "5"), env("SLURM_ARRAY_TASK_ID", "2", "SLURM_ARRAY_TASK_MIN", "?"),
		// The difference of these wraps around to 1 in int arithmetic.
		env("SLURM_ARRAY_TASK_ID", "-9223372036854775808", "SLURM_ARRAY_TASK_MIN", "9223372036854775807"),
		env("SLURM_ARRAY_TASK_ID", "1", "SLURM_ARRAY_TASK_MIN", "-1"),
	} {
		if s, err := ShardFromEnv(4, e); err == nil {
			t.Errorf("ShardFromEnv took %v", s)
		}
	}
}

// TestRunOrder checks that results come out in input order when they
// finish out of order, that the work runs concurrently, and that progress
// counts every result.
func TestRunOrder(t *testing.T) {
	const n = 12
	var running, peak atomic.Int32
	var got []int
	var counts []int
	Run(context.Background(), n, 3, nil, func(_ context.Context, i int) int {
		r := running.Add(1)
		for {
			p := peak.Load()
			if r <= p || peak.CompareAndSwap(p, r) {
				break
			}
		}
		time.Sleep(time.Duration(n-i) * time.Millisecond) // later ones finish first
		running.Add(-1)
		return i * i
	}, func(done int) { counts = append(counts, done) }, func(i, r int) {
		if r != i*i {
			t.Errorf("result %d is %d", i, r)
		}
		got = append(got, i)
	})
	want := make([]int, n)
	for i := range want {
		want[i] = i
	}
	if !slices.Equal(got, want) {
		t.Errorf("emitted %v", got)
	}
	if len(counts) != n || counts[n-1] != n {
		t.Errorf("progress %v", counts)
	}
	if p := peak.Load(); p < 2 || p > 3 {
		t.Errorf("%d calls ran at once with 3 jobs", p)
	}
}

func TestStamp(t *testing.T) {
	type settings struct{ Epochs int }
	a, err := NewStamp([]byte("1,2"), settings{2})
	if err != nil {
		t.Fatal(err)
	}
	for _, other := range []struct {
		in []byte
		s  settings
	}{{[]byte("1,3"), settings{2}}, {[]byte("1,2"), settings{3}}} {
		b, _ := NewStamp(other.in, other.s)
		if a == b {
			t.Errorf("%q %v stamps like %q %v", other.in, other.s, "1,2", settings{2})
		}
	}
	if _, err := NewStamp(nil, func() {}); err == nil {
		t.Error("a function fingerprinted")
	}
	path := filepath.Join(t.TempDir(), "r.json")
	os.WriteFile(path, []byte(`{"x":1,"stamp":{"input_sha256":"`+a.Input+`","settings_sha256":"`+a.Settings+`"}}`), 0o644)
	if got, err := ReadStamp(path); err != nil || got != a {
		t.Errorf("ReadStamp = %v, %v; want %v", got, err, a)
	}
	for _, bad := range []string{`{"x":1}`, `{"stamp":`, ``} {
		os.WriteFile(path, []byte(bad), 0o644)
		if _, err := ReadStamp(path); err == nil {
			t.Errorf("ReadStamp took %q", bad)
		}
	}
}

// TestRunJobs checks that one job runs one call at a time, and that 0 jobs
// means one per CPU, which still runs every call.
func TestRunJobs(t *testing.T) {
	for _, jobs := range []int{1, 0} {
		var running, peak atomic.Int32
		var n int
		Run(context.Background(), 6, jobs, nil, func(context.Context, int) int {
			peak.Store(max(peak.Load(), running.Add(1)))
			time.Sleep(2 * time.Millisecond)
			running.Add(-1)
			return 0
		}, nil, func(int, int) { n++ })
		if n != 6 || (jobs == 1 && peak.Load() != 1) {
			t.Errorf("%d jobs: %d results, %d at once", jobs, n, peak.Load())
		}
	}
}

// TestRunStart checks that calls start in the order asked for, and are
// still emitted in index order.
func TestRunStart(t *testing.T) {
	start := []int{3, 0, 2, 1}
	var started, emitted []int
	Run(context.Background(), 4, 1, start, func(_ context.Context, i int) int {
		started = append(started, i) // one job: no two calls at once
		return i
	}, nil, func(i, _ int) { emitted = append(emitted, i) })
	if !slices.Equal(started, start) || !slices.Equal(emitted, []int{0, 1, 2, 3}) {
		t.Errorf("started %v, emitted %v", started, emitted)
	}
}
