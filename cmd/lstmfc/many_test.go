package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lstmfc/lstmfc/internal/series"
)

// tiny makes a many-series run take well under a second a series.
var tiny = []string{"--lookback", "5", "--units", "4", "--epochs", "2", "--batch-size", "16", "--quiet"}

// writeSeries writes n synthetic dated series of 300 values to dir as
// s0.csv, s1.csv..., each from its own seed, and returns dir.
func writeSeries(t *testing.T, dir string, n int) string {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		s := series.GeometricWalk(300, uint64(i+1))
		var b strings.Builder
		b.WriteString("Date,Close\n")
		for j, v := range s.Values {
			fmt.Fprintf(&b, "%s,%s\n", s.Dates[j].Format(time.DateOnly), strconv.FormatFloat(v, 'g', -1, 64))
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("s%d.csv", i)), []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// jsonRows parses the JSON lines of a many-series run: the rows, then the
// summary.
// seriesAndBadFile writes three small series and one bad file, bad.csv,
// into dir/data, and returns the folder and the bad file.
func seriesAndBadFile(t *testing.T, dir string) (data, bad string) {
	t.Helper()
	data = writeSeries(t, filepath.Join(dir, "data"), 3)
	bad = filepath.Join(data, "bad.csv")
	if err := os.WriteFile(bad, []byte("Date,Close\n2020-01-01,abc\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return data, bad
}

// runOneFailure runs args over seriesAndBadFile's folder, which must fail
// on the bad file alone, and returns the --json rows and summary.
func runOneFailure(t *testing.T, args []string) ([]summaryRow, summaryLine) {
	t.Helper()
	code, stdout, stderr := run(t, args...)
	if code != exitFailure || !strings.Contains(stderr, "1 of 4 series failed") {
		t.Fatalf("%s: exit %d, stderr %q; want exit 1 and one failure", args[0], code, stderr)
	}
	return jsonRows(t, stdout)
}

func jsonRows(t *testing.T, stdout string) (rows []summaryRow, sum summaryLine) {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	for _, l := range lines[:len(lines)-1] {
		var r summaryRow
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatalf("row %q: %v", l, err)
		}
		rows = append(rows, r)
	}
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &sum); err != nil {
		t.Fatalf("summary %q: %v", lines[len(lines)-1], err)
	}
	return rows, sum
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestManySeries trains, backtests and predicts a folder of small series
// with one bad file among them: the bad one fails alone, each model is the
// one training its series alone gives, a rerun keeps what is complete and
// redoes what changed, and summary merges it all.
func TestManySeries(t *testing.T) {
	dir := t.TempDir()
	data, bad := seriesAndBadFile(t, dir)
	out := filepath.Join(dir, "out")
	trainArgs := append([]string{"train", "--jobs", "2", "--out-dir", out, "--json", data}, tiny...)
	rows, sum := runOneFailure(t, trainArgs)
	if names := []string{rows[0].Series, rows[1].Series, rows[2].Series, rows[3].Series}; !slices.Equal(names, []string{"bad", "s0", "s1", "s2"}) {
		t.Errorf("rows in order %q", names)
	}
	if rows[0].Status != statusFailed || !strings.Contains(rows[0].Error, `"abc" is not a number`) {
		t.Errorf("bad row %+v", rows[0])
	}
	for _, r := range rows[1:] {
		if r.Status != statusOK || r.RMSE == nil || r.NaiveRMSE == nil || r.MASE == nil || r.Verdict == "" || len(r.Coverage) == 0 {
			t.Errorf("row %+v lacks its scores", r)
		}
	}
	if sum.Series != 4 || sum.Done != 3 || sum.Failed != 1 || sum.Scored != 3 || sum.MedianMASE == nil || sum.MedianRMSERatio == nil {
		t.Errorf("summary %+v", sum)
	}
	if _, err := os.Stat(filepath.Join(out, "bad.train-error.json")); err != nil {
		t.Errorf("no error file: %v", err)
	}

	// The model is the one training the series alone writes: among two
	// jobs it trained serially, alone on two goroutines.
	single := filepath.Join(dir, "single.bin")
	if code, _, stderr := run(t, append([]string{"train", "--model", single, filepath.Join(data, "s1.csv")}, tiny...)...); code != 0 {
		t.Fatalf("train alone: exit %d: %s", code, stderr)
	}
	if !bytes.Equal(readFile(t, single), readFile(t, filepath.Join(out, "s1.bin"))) {
		t.Error("s1.bin differs from the model of training s1.csv alone")
	}

	// A rerun keeps the complete series; fixing the bad file runs it alone.
	before := readFile(t, filepath.Join(out, "s0.json"))
	if err := os.WriteFile(bad, readFile(t, filepath.Join(data, "s0.csv")), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := run(t, trainArgs...)
	if code != 0 {
		t.Fatalf("rerun: exit %d: %s", code, stderr)
	}
	rows, sum = jsonRows(t, stdout)
	if rows[0].Skipped || !rows[1].Skipped || !rows[2].Skipped || !rows[3].Skipped || sum.Skipped != 3 || sum.Failed != 0 {
		t.Errorf("rerun rows %+v, summary %+v; want the fixed file run and the others kept", rows, sum)
	}
	if !bytes.Equal(before, readFile(t, filepath.Join(out, "s0.json"))) {
		t.Error("a kept series' report changed")
	}
	if _, err := os.Stat(filepath.Join(out, "bad.train-error.json")); err == nil {
		t.Error("the error file outlived the fixed series")
	}
	// Another setting redoes everything.
	code, stdout, _ = run(t, append(trainArgs, "--seed", "2")...)
	if _, sum = jsonRows(t, stdout); code != 0 || sum.Skipped != 0 || sum.Done != 4 {
		t.Errorf("--seed 2: exit %d, summary %+v; want every series redone", code, sum)
	}
	// A damaged model is redone too, though the report's stamp matches.
	if err := os.WriteFile(filepath.Join(out, "s2.bin"), []byte("junk"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, _ = run(t, append(trainArgs, "--seed", "2")...)
	if rows, _ = jsonRows(t, stdout); code != 0 || rows[3].Skipped || !rows[2].Skipped {
		t.Errorf("damaged model: exit %d, rows %+v; want s2 redone alone", code, rows)
	}

	code, stdout, stderr = run(t, append([]string{"backtest", "--folds", "2", "--out-dir", out, data}, tiny...)...)
	if code != 0 || !strings.Contains(stdout, "backtest: 4 series, 4 done") || !strings.Contains(stdout, "NAIVE MASE") {
		t.Errorf("backtest: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	var bt backtestSeriesReport
	if err := json.Unmarshal(readFile(t, filepath.Join(out, "s0.backtest.json")), &bt); err != nil || bt.Stamp.Input == "" || !strings.Contains(string(bt.Backtest), `"folds"`) {
		t.Errorf("s0.backtest.json: %v, %+v", err, bt)
	}
	if err := os.Remove(filepath.Join(out, "s1.predictions.csv")); err != nil {
		t.Fatal(err)
	}
	code, _, stderr = run(t, "predict", "--quiet", "--horizon", "3", "--out-dir", out, data)
	if code != 0 {
		t.Fatalf("predict: exit %d: %s", code, stderr)
	}
	if !strings.Contains(string(readFile(t, filepath.Join(out, "s1.predictions.csv"))), ",forecast") {
		t.Error("predict wrote no forecast for s1")
	}

	code, stdout, stderr = run(t, "summary", out)
	for _, want := range []string{"train: 4 series, 4 done", "backtest: 4 series, 4 done", "predict: 4 series, 4 done", "beat the best baseline significantly"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("summary lacks %q:\n%s", want, stdout)
		}
	}
	if code != 0 {
		t.Errorf("summary: exit %d: %s", code, stderr)
	}
	// A series the outputs lack is missing, and summary exits 1.
	if err := os.Remove(filepath.Join(out, "s2.json")); err != nil {
		t.Fatal(err)
	}
	code, stdout, _ = run(t, "summary", out)
	if code != exitFailure || !strings.Contains(stdout, "missing (no outputs yet): s2") {
		t.Errorf("summary with s2 missing: exit %d:\n%s", code, stdout)
	}
}

// TestManyUsageErrors checks that what cannot run over several series, or
// make a global model of them, is refused in one line before any output.
func TestManyUsageErrors(t *testing.T) {
	for _, v := range []string{"JOB_COMPLETION_INDEX", "SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_MIN", "AWS_BATCH_JOB_ARRAY_INDEX"} {
		t.Setenv(v, "")
	}
	dir := t.TempDir()
	data := writeSeries(t, filepath.Join(dir, "data"), 2)
	other := writeSeries(t, filepath.Join(dir, "other"), 1)
	out := filepath.Join(dir, "out")
	for _, tc := range []struct {
		args []string
		msg  string
	}{
		{[]string{"train", data}, "--out-dir: is needed"},
		{[]string{"train", "--out-dir", out, "-"}, "not standard input"},
		{[]string{"train", "--out-dir", out, data, other}, `same name "s0"`},
		{[]string{"train", "--out-dir", out, "--shards", "2", data}, "no shard index in the environment"},
		{[]string{"train", "--out-dir", data + "/", filepath.Join(other, "s0.csv"), filepath.Join(data, "s1.csv")}, "holds the series " + filepath.Join(data, "s1.csv")},
		{[]string{"train", "--out-dir", out, "--shard", "2/2", data}, "out of range 0 to 1"},
		{[]string{"train", "--out-dir", out, "--shard", "0/2", "--shards", "2", data}, "not both"},
		{[]string{"backtest", "--out-dir", out, "--jobs", "-1", data}, "--jobs"},
		{[]string{"predict", "--out-dir", out, "--format", "json", data}, "--format"},
		// --global needs every series, at least two, in one process.
		{[]string{"train", "--global", filepath.Join(data, "s0.csv")}, "at least 2 series"},
		{[]string{"train", "--global", "--out-dir", out, other}, "at least 2 series"},
		{[]string{"backtest", "--global", "--out-dir", out, "-"}, "at least 2 series"},
		{[]string{"train", "--global", "--out-dir", out, "--shard", "0/2", data}, "does not take --shard"},
		{[]string{"backtest", "--global", "--out-dir", out, "--shards", "2", data}, "does not take --shard"},
		{[]string{"train", "--global", "--features", "dow", "--out-dir", out, data}, "does not take --features"},
		{[]string{"train", "--global", data}, "--out-dir: is needed"},
	} {
		code, _, stderr := run(t, tc.args...)
		if code != exitUsage || !strings.Contains(stderr, tc.msg) || strings.Count(stderr, "\n") != 1 {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 and one line with %q", tc.args, code, stderr, tc.msg)
		}
	}
	t.Setenv("JOB_COMPLETION_INDEX", "5")
	if code, _, stderr := run(t, "train", "--out-dir", out, "--shards", "2", data); code != exitUsage || !strings.Contains(stderr, "out of range") {
		t.Errorf("index 5 of 2: exit %d, %q", code, stderr)
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("a refused run made --out-dir")
	}
}

// seriesEnv is the environment of a child process with none of the
// scheduler's variables but those given.
func seriesEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if !strings.HasPrefix(name, "JOB_COMPLETION_INDEX") && !strings.HasPrefix(name, "SLURM_ARRAY_") && !strings.HasPrefix(name, "AWS_BATCH_") {
			env = append(env, kv)
		}
	}
	return append(env, extra...)
}

// outputs returns the files of a many-series output directory by name,
// leaving out the manifests, which name their shard.
func outputs(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), ".lstmfc-") {
			files[e.Name()] = readFile(t, filepath.Join(dir, e.Name()))
		}
	}
	return files
}

// sameOutputs fails unless two output directories hold the same files,
// byte for byte.
func sameOutputs(t *testing.T, what string, got, want map[string][]byte) {
	t.Helper()
	for name, b := range want {
		if g, ok := got[name]; !ok {
			t.Errorf("%s lacks %s", what, name)
		} else if !bytes.Equal(g, b) {
			t.Errorf("%s: %s differs", what, name)
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			t.Errorf("%s has %s, which one run over all does not", what, name)
		}
	}
}

// TestShardUnion runs three shard processes at once, each given its index
// the way one scheduler does, and checks that together they write the
// files one run over all the series writes, byte for byte.
func TestShardUnion(t *testing.T) {
	dir := t.TempDir()
	data := writeSeries(t, filepath.Join(dir, "data"), 7)
	whole, sharded := filepath.Join(dir, "whole"), filepath.Join(dir, "sharded")
	args := append([]string{"train", "--jobs", "1", data}, tiny...)
	if code, _, stderr := runBinary(t, dir, append(args, "--out-dir", whole)...); code != 0 {
		t.Fatalf("whole run: exit %d: %s", code, stderr)
	}
	envs := [][]string{
		{"JOB_COMPLETION_INDEX=0"},
		{"SLURM_ARRAY_TASK_ID=8", "SLURM_ARRAY_TASK_MIN=7"},
		{"AWS_BATCH_JOB_ARRAY_INDEX=2"},
	}
	procs := make([]*exec.Cmd, len(envs))
	for i, env := range envs {
		procs[i] = exec.Command(binary, append(args, "--out-dir", sharded, "--shards", "3")...)
		procs[i].Env = seriesEnv(env...)
		procs[i].Dir = dir
		if err := procs[i].Start(); err != nil {
			t.Fatal(err)
		}
	}
	for i, p := range procs {
		if err := p.Wait(); err != nil {
			t.Errorf("shard %d: %v", i, err)
		}
	}
	manifests, _ := filepath.Glob(filepath.Join(sharded, manifestPattern))
	if len(manifests) != 3 {
		t.Errorf("manifests %q, want one a shard", manifests)
	}
	w := outputs(t, whole)
	if len(w) != 7*3 {
		t.Errorf("one run wrote %d files, want 3 for each of 7 series", len(w))
	}
	sameOutputs(t, "the shards' union", outputs(t, sharded), w)
	if code, stdout, stderr := runBinary(t, dir, "summary", sharded); code != 0 || !strings.Contains(stdout, "train: 7 series, 7 done") {
		t.Errorf("summary of the shards: exit %d: %s%s", code, stdout, stderr)
	}
}

// TestRetryAfterKill kills a run once its first series is done, reruns
// it, and checks that the rerun kept that series and that the outputs are
// those of a run never killed.
func TestRetryAfterKill(t *testing.T) {
	dir := t.TempDir()
	data := writeSeries(t, filepath.Join(dir, "data"), 4)
	killed, clean := filepath.Join(dir, "killed"), filepath.Join(dir, "clean")
	args := []string{"train", "--jobs", "1", "--lookback", "5", "--units", "8", "--epochs", "40", "--patience", "0", "--batch-size", "8", data}
	cmd := exec.Command(binary, append(args, "--out-dir", killed)...)
	cmd.Dir = dir
	cmd.Env = seriesEnv()
	sc := startReadingStderr(t, cmd)
	for sc.Scan() && !strings.HasPrefix(sc.Text(), "1/4 series done") {
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	if done, _ := filepath.Glob(filepath.Join(killed, "s?.json")); len(done) == 4 {
		t.Skip("the run finished before it was killed")
	}
	code, stdout, errOut := runBinary(t, dir, append(args, "--out-dir", killed, "--json", "--quiet")...)
	if code != 0 {
		t.Fatalf("rerun: exit %d: %s", code, errOut)
	}
	if _, sum := jsonRows(t, stdout); sum.Skipped < 1 || sum.Skipped > 3 || sum.Done != 4 {
		t.Errorf("rerun summary %+v; want the series done before the kill kept, and the others made", sum)
	}
	if code, _, errOut := runBinary(t, dir, append(args, "--out-dir", clean, "--quiet")...); code != 0 {
		t.Fatalf("clean run: exit %d: %s", code, errOut)
	}
	got := outputs(t, killed)
	for name := range got {
		if strings.Contains(name, ".tmp") {
			delete(got, name) // the killed write's temporary file: hidden, never read
		}
	}
	sameOutputs(t, "killed and rerun", got, outputs(t, clean))
}

// TestSummaryNumbers checks the medians and the coverage column, whose
// levels sort as numbers (9 before 80 before 97.5), not as text.
func TestSummaryNumbers(t *testing.T) {
	for _, tc := range []struct {
		v    []float64
		want float64
	}{{[]float64{3, 1, 2}, 2}, {[]float64{4, 1, 3, 2}, 2.5}, {[]float64{7}, 7}} {
		if got := median(tc.v); got == nil || *got != tc.want {
			t.Errorf("median(%v) = %v, want %g", tc.v, got, tc.want)
		}
	}
	if median(nil) != nil {
		t.Error("median of nothing is a number")
	}
	if got, want := coverage(map[string]float64{"97.5": 0.96, "80": 0.8, "9": 0.1}), "9%:0.10 80%:0.80 97.5%:0.96"; got != want {
		t.Errorf("coverage = %q, want %q", got, want)
	}
	var b strings.Builder
	w := newSummaryWriter(&b, "train", true)
	rows := []summaryRow{
		{Series: "a", Status: statusOK, Verdict: "beats (best baseline drift)", RMSE: ptr(1), NaiveRMSE: ptr(2), MASE: ptr(0.5), NaiveMASE: ptr(1)},
		{Series: "b", Status: statusOK, Skipped: true, Verdict: "no skill", RMSE: ptr(3), NaiveRMSE: ptr(2), MASE: ptr(1.5), NaiveMASE: ptr(1)},
		{Series: "c", Status: statusFailed, Error: "bad"},
		{Series: "d", Status: statusMissing},
	}
	if err := w.finish(rows); err != nil {
		t.Fatal(err)
	}
	var sum summaryLine
	if err := json.Unmarshal([]byte(b.String()), &sum); err != nil {
		t.Fatal(err)
	}
	if sum.Series != 4 || sum.Done != 2 || sum.Skipped != 1 || sum.Failed != 1 || sum.Missing != 1 || sum.BeatBest != 1 || sum.Scored != 2 ||
		*sum.MedianMASE != 1 || *sum.MedianNaiveMASE != 1 || *sum.MedianRMSERatio != 1 {
		t.Errorf("summary %+v", sum)
	}
}

func ptr(v float64) *float64 { return &v }

// TestManyInterrupted checks that an interrupted run exits as the signal
// says, counts its unfinished series as missing, not failed, and leaves
// no error file to say they failed.
func TestManyInterrupted(t *testing.T) {
	dir := t.TempDir()
	data := writeSeries(t, filepath.Join(dir, "data"), 2)
	out := filepath.Join(dir, "out")
	ctx, cancel := context.WithCancelCause(context.Background())
	go func() { // once the run has begun its series
		for {
			if _, err := os.Stat(filepath.Join(out, ".lstmfc-train-shard-0-of-1.json")); err == nil {
				break
			}
			time.Sleep(time.Millisecond)
		}
		cancel(interrupted{syscall.SIGINT})
	}()
	var stdout, stderr strings.Builder
	args := []string{"train", "--out-dir", out, "--lookback", "5", "--units", "4", "--epochs", "100000", "--patience", "0", "--quiet", data}
	code := execute(ctx, args, &streams{In: strings.NewReader(""), Out: &stdout, Err: &stderr})
	if code != 130 || !strings.Contains(stdout.String(), "0 failed, 2 missing") || !strings.Contains(stderr.String(), "interrupted by SIGINT") {
		t.Errorf("exit %d, stdout %q, stderr %q", code, stdout.String(), stderr.String())
	}
	if errs, _ := filepath.Glob(filepath.Join(out, "*-error.json")); len(errs) > 0 {
		t.Errorf("error files %q for interrupted series", errs)
	}
}

func TestLargestFirst(t *testing.T) {
	dir := t.TempDir()
	var paths []string
	for i, n := range []int{3, 10, 1, 10} {
		p := filepath.Join(dir, strconv.Itoa(i))
		if err := os.WriteFile(p, make([]byte, n), 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	if got, want := largestFirst(paths), []int{1, 3, 0, 2}; !slices.Equal(got, want) {
		t.Errorf("largestFirst = %v, want %v", got, want)
	}
}
