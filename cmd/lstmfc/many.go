package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/lstmfc/lstmfc/internal/atomicfile"
	"github.com/lstmfc/lstmfc/internal/fleet"
	"github.com/lstmfc/lstmfc/internal/userfile"
)

// manyFlags are the flags of a run over several series.
type manyFlags struct {
	OutDir string
	Jobs   int
	Shard  string
	Shards int
	// SummaryJSON is predict's --json, which it has only for the
	// summary; train and backtest have their own.
	SummaryJSON bool
}

func (m *manyFlags) register(cmd *cobra.Command) {
	fs := cmd.Flags()
	fs.StringVar(&m.OutDir, "out-dir", "", "with several series (files, or directories of *.csv and *.tsv files): where each series' outputs go, named after its file")
	fs.IntVar(&m.Jobs, "jobs", 0, "with several series: how many run at once (0: one per CPU)")
	fs.StringVar(&m.Shard, "shard", "", "with --out-dir: run only part I of N (I/N, I from 0); a series always lands in the same part")
	fs.IntVar(&m.Shards, "shards", 0, "with --out-dir: run part I of N, I from the scheduler (JOB_COMPLETION_INDEX, SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN or AWS_BATCH_JOB_ARRAY_INDEX)")
	if cmd.Flags().Lookup("json") == nil {
		fs.BoolVar(&m.SummaryJSON, "json", false, "with several series: print one JSON line per series, then the summary")
	}
	if err := cmd.MarkFlagDirname("out-dir"); err != nil {
		panic(err) // only for a flag not defined just above, which every test would show
	}
}

// many reports whether the command line asks for a run over several
// series: more than one argument, a directory, or a flag only such a run
// has.
func (m *manyFlags) many(args []string) bool {
	if m.OutDir != "" || m.Shard != "" || m.Shards != 0 || len(args) > 1 {
		return true
	}
	if len(args) == 1 {
		st, err := os.Stat(args[0])
		return err == nil && st.IsDir()
	}
	return false
}

// shard returns the part of the series this run takes.
func (m *manyFlags) shard(getenv func(string) string) (fleet.Shard, error) {
	switch {
	case m.Shard != "" && m.Shards != 0:
		return fleet.Shard{}, flagErrorf("shards", "takes the index from the environment; give --shard I/N or --shards N, not both")
	case m.Shard != "":
		s, err := fleet.ParseShard(m.Shard)
		if err != nil {
			return s, flagErrorf("shard", "%v", err)
		}
		return s, nil
	case m.Shards != 0:
		if m.Shards < 1 {
			return fleet.Shard{}, flagErrorf("shards", "must be at least 1, got %d", m.Shards)
		}
		s, err := fleet.ShardFromEnv(m.Shards, getenv)
		if err != nil {
			return s, flagErrorf("shards", "%v", err)
		}
		return s, nil
	}
	return fleet.All, nil
}

// manyRun is one command run over several series.
type manyRun struct {
	kind *outputKind
	// settings are what shapes the outputs besides the input file, hashed
	// into each report's stamp.
	settings any
	// complete checks, past the stamp, that the outputs of the series
	// named name in dir are whole and usable (a model that loads).
	complete func(ctx context.Context, dir, name string) error
	// work makes the outputs of one series.
	work        func(ctx context.Context, j seriesJob) error
	quiet, json bool
	// serial trains each series on one goroutine (forecast.Config.Serial).
	serial bool
}

// seriesJob is one series of a run: its file, read once, so that the
// stamp and the outputs come from the same bytes.
type seriesJob struct {
	path, name, dir string
	input           []byte
	stamp           fleet.Stamp
	err             io.Writer // warnings
	serial          bool      // train on one goroutine: others keep the other cores busy
}

// output is the path of the named output of a series in dir.
func (j seriesJob) output(suffix string) string { return filepath.Join(j.dir, j.name+suffix) }

// manifest records which series a shard's run was given, all of them
// before the shard took its part, so that summary can tell which series
// have no outputs yet.
type manifest struct {
	Command string   `json:"command"`
	Shard   string   `json:"shard"`
	Series  []string `json:"series"`
}

// manifestPattern matches the manifests of every command and shard.
const manifestPattern = ".lstmfc-*-shard-*.json"

func manifestPath(dir, command string, s fleet.Shard) string {
	return filepath.Join(dir, fmt.Sprintf(".lstmfc-%s-shard-%d-of-%d.json", command, s.Index, s.Count))
}

// runMany runs r over the series args name, in parallel, writes each
// series' outputs to --out-dir and the summary to ios.Out. A series that
// fails is recorded and the others go on; the error then says how many
// failed.
func runMany(ctx context.Context, r manyRun, m *manyFlags, args []string, ios *streams) error {
	all, err := fleet.Expand(args)
	if err != nil {
		return usageError{err.Error()}
	}
	switch {
	case all[0] == "-":
		return usageError{"--out-dir: takes series files or directories, not standard input"}
	case m.OutDir == "":
		return flagErrorf("out-dir", "is needed with several series: each series' model, report and predictions go there")
	case m.Jobs < 0:
		return flagErrorf("jobs", "must be 0 (one per CPU) or more, got %d", m.Jobs)
	}
	if err := checkOutDir(m.OutDir, all); err != nil {
		return err
	}
	shard, err := m.shard(os.Getenv)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(m.OutDir, 0o777); err != nil {
		return fmt.Errorf("cannot make --out-dir: %w", err)
	}
	names := make([]string, len(all))
	for i, p := range all {
		names[i] = fleet.Name(p)
	}
	man := manifest{Command: r.kind.command, Shard: shard.String(), Series: names}
	if err := atomicfile.Write(ctx, manifestPath(m.OutDir, r.kind.command, shard), func(w io.Writer) error {
		return json.NewEncoder(w).Encode(man)
	}); err != nil {
		return err
	}
	mine := shard.Select(all)
	errw := &lockedWriter{w: ios.Err}
	jobs := m.Jobs
	if jobs == 0 {
		jobs = runtime.NumCPU()
	}
	// Several series at once fill the cores, so each trains on one
	// goroutine rather than two that hand each step to each other: the
	// same models, more series an hour.
	r.serial = min(jobs, len(mine)) > 1
	if !r.quiet {
		fmt.Fprintf(errw, "%s: %d series of %d in shard %s, %d at a time, outputs in %s\n", r.kind.command, len(mine), len(all), shard, min(jobs, max(len(mine), 1)), m.OutDir)
	}
	table := newSummaryWriter(ios.Out, r.kind.command, r.json || m.SummaryJSON)
	progress := func(int) {}
	if !r.quiet {
		progress = newManyProgress(ios, errw, len(mine))
	}
	var rows []summaryRow
	fleet.Run(ctx, len(mine), jobs, largestFirst(mine), func(ctx context.Context, i int) summaryRow {
		return r.one(ctx, mine[i], m.OutDir, errw)
	}, progress, func(_ int, row summaryRow) {
		rows = append(rows, row)
		table.row(row)
	})
	if err := table.finish(rows); err != nil {
		return err
	}
	if ctx.Err() != nil {
		return context.Cause(ctx)
	}
	if failed := countStatus(rows, statusFailed); failed > 0 {
		return fmt.Errorf("%d of %d series failed; their errors are in the summary and in %s", failed, len(rows), filepath.Join(m.OutDir, "*"+r.kind.errorSuffix()))
	}
	return nil
}

// largestFirst returns the indices of paths, largest file first: the
// time a series takes grows with its length, and a long one started last
// would leave the other workers idle at the end.
func largestFirst(paths []string) []int {
	size := make([]int64, len(paths))
	order := make([]int, len(paths))
	for i, p := range paths {
		order[i] = i
		if st, err := os.Stat(p); err == nil {
			size[i] = st.Size()
		}
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(size[b], size[a]) })
	return order
}

// checkOutDir refuses an --out-dir that holds one of the series: a
// series' outputs could replace it (X.json), and its predictions files
// would be read as series by the next run over that directory.
func checkOutDir(dir string, paths []string) error {
	out, err := os.Stat(dir)
	if err != nil {
		return nil // it is made later, so it holds no series
	}
	for _, p := range paths {
		if st, err := os.Stat(filepath.Dir(p)); err == nil && os.SameFile(st, out) {
			return flagErrorf("out-dir", "%s holds the series %s; give a directory of its own", dir, p)
		}
	}
	return nil
}

// one runs the series at path: skips it when its outputs in dir are
// complete for the same input and settings, else makes them, and returns
// its summary row. A failure is written to the series' error file, so that
// summary sees it; success removes that file.
func (r manyRun) one(ctx context.Context, path, dir string, errw io.Writer) summaryRow {
	j := seriesJob{path: path, name: fleet.Name(path), dir: dir, err: errw, serial: r.serial}
	fail := func(err error) summaryRow {
		if ctx.Err() != nil { // an interrupted series has not failed: it has no outputs yet
			return summaryRow{Series: j.name, Command: r.kind.command, Status: statusMissing, Error: context.Cause(ctx).Error()}
		}
		row := summaryRow{Series: j.name, Command: r.kind.command, Status: statusFailed, Error: oneLine(err.Error())}
		if werr := writeJSON(ctx, j.output(r.kind.errorSuffix()), failure{Series: path, Command: r.kind.command, Error: row.Error}); werr != nil {
			row.Error += "; " + oneLine(werr.Error())
		}
		return row
	}
	var err error
	if j.input, err = userfile.ReadFile(ctx, path, userfile.MaxTableBytes); err != nil {
		return fail(err)
	}
	if j.stamp, err = fleet.NewStamp(j.input, r.settings); err != nil {
		return fail(err)
	}
	if r.isComplete(ctx, j) {
		row := r.kind.read(dir, j.name)
		row.Skipped = true
		return row
	}
	if err := r.work(ctx, j); err != nil {
		return fail(err)
	}
	if err := os.Remove(j.output(r.kind.errorSuffix())); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fail(err)
	}
	return r.kind.read(dir, j.name)
}

// isComplete reports whether j's outputs are already in place: its report
// carries j's stamp and the outputs pass r.complete.
func (r manyRun) isComplete(ctx context.Context, j seriesJob) bool {
	if r.kind.report == "" {
		return false
	}
	st, err := fleet.ReadStamp(j.output(r.kind.report))
	return err == nil && st == j.stamp && r.complete(ctx, j.dir, j.name) == nil
}

// failure is the error file of a series that failed.
type failure struct {
	Series  string `json:"series"`
	Command string `json:"command"`
	Error   string `json:"error"`
}

// writeJSON writes v as indented JSON to path, atomically.
func writeJSON(ctx context.Context, path string, v any) error {
	return atomicfile.Write(ctx, path, func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	})
}

// lockedWriter serialises writes from the workers of a run, so that their
// lines do not interleave.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// newManyProgress returns a function to call with how many series are
// done, which shows that and the time left: a bar on a terminal, a line
// each otherwise.
func newManyProgress(ios *streams, w io.Writer, total int) func(done int) {
	start := time.Now()
	if ios.ErrIsTerminal {
		bar := progressbar.NewOptions(total,
			progressbar.OptionSetWriter(w),
			progressbar.OptionSetDescription("series"),
			progressbar.OptionShowCount(),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionSetWidth(30),
			progressbar.OptionOnCompletion(func() { fmt.Fprintln(w) }),
		)
		return func(int) { bar.Add(1) }
	}
	return func(done int) {
		spent := time.Since(start)
		left := time.Duration(float64(spent) / float64(done) * float64(total-done))
		fmt.Fprintf(w, "%d/%d series done, %s left\n", done, total, formatDuration(left))
	}
}
