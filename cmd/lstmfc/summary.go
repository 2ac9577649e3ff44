package main

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/lstmfc/lstmfc/internal/fleet"
	"github.com/lstmfc/lstmfc/internal/forecast"
)

// summaryOptions are the inputs of lstmfc summary.
type summaryOptions struct {
	Dir  string
	JSON bool
}

func newSummaryCmd(ios *streams) *cobra.Command {
	o := &summaryOptions{}
	cmd := &cobra.Command{
		Use:   "summary DIR",
		Short: "Merge what every shard of a many-series run wrote into one summary",
		Long: `Summary reads the outputs that train, backtest and predict wrote to DIR with
--out-dir, from one run or from every shard of a run spread over machines,
and prints the summary table those runs print: per series the test-span RMSE
and MASE of the model and of the naive forecast, the verdict and the
interval coverage, then the medians and how many series beat the best baseline significantly. It names
the series that failed, with their errors, and those with no outputs yet (a
shard that has not run or not finished). It exits 1 when any series failed
or is missing.`,
		Example: `  lstmfc summary out/
  lstmfc summary --json out/ | tail -1`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Dir = args[0]
			return runSummary(o, ios)
		},
	}
	cmd.Flags().BoolVar(&o.JSON, "json", false, "print one JSON line per series, then the summary")
	return cmd
}

func runSummary(o *summaryOptions, ios *streams) error {
	if fi, err := os.Stat(o.Dir); err != nil {
		return fmt.Errorf("%s: %w", o.Dir, unwrapPath(err))
	} else if !fi.IsDir() {
		return fmt.Errorf("%s is not a directory: give the --out-dir of a run", o.Dir)
	}
	found, err := filepath.Glob(filepath.Join(o.Dir, manifestPattern))
	if err != nil {
		return err
	}
	if len(found) == 0 {
		return fmt.Errorf("%s holds no run's outputs: run train, backtest or predict with --out-dir %s first", o.Dir, o.Dir)
	}
	known := map[string]bool{}
	for _, kind := range outputKinds() {
		known[kind.command] = true
	}
	runs := map[string]*mergedRun{}
	for _, path := range found {
		var m manifest
		b, err := os.ReadFile(path)
		if err == nil {
			err = json.Unmarshal(b, &m)
		}
		if err != nil {
			return fmt.Errorf("%s: %v", path, err)
		}
		shard, err := fleet.ParseShard(m.Shard)
		if err != nil {
			return fmt.Errorf("%s: %v", path, err)
		}
		if !known[m.Command] {
			return fmt.Errorf("%s: command %q is not one of train, backtest or predict", path, m.Command)
		}
		r := runs[m.Command]
		if r == nil {
			r = &mergedRun{ran: map[fleet.Shard]bool{}, given: map[string]bool{}}
			runs[m.Command] = r
		}
		r.ran[shard] = true
		for _, name := range m.Series {
			// A run names each series after its file, so a name that
			// is not a plain file name is a damaged manifest, and
			// reading outputs by it would reach outside DIR.
			if name == "" || name == "." || name == ".." || strings.ContainsAny(name, `/\`) {
				return fmt.Errorf("%s: series name %q is not a file name", path, name)
			}
			if !r.given[name] {
				r.given[name] = true
				r.series = append(r.series, name)
			}
		}
	}
	incomplete := 0
	for _, kind := range outputKinds() {
		r := runs[kind.command]
		if r == nil {
			continue
		}
		listed, idle := r.notRun(maxListedShards)
		for _, s := range listed {
			fmt.Fprintf(ios.Err, "%s: shard %s has not started\n", kind.command, s)
		}
		if idle > len(listed) {
			fmt.Fprintf(ios.Err, "%s: %d shards have not started\n", kind.command, idle)
		}
		table := newSummaryWriter(ios.Out, kind.command, o.JSON)
		rows := make([]summaryRow, len(r.series))
		for i, name := range r.series {
			rows[i] = kind.merged(o.Dir, name)
			table.row(rows[i])
		}
		if err := table.finish(rows); err != nil {
			return err
		}
		incomplete += countStatus(rows, statusFailed) + countStatus(rows, statusMissing)
	}
	if incomplete > 0 {
		return fmt.Errorf("%d series failed or have no outputs yet", incomplete)
	}
	return nil
}

// mergedRun is what the manifests of one command's shards say.
type mergedRun struct {
	series []string             // every series given, in the first manifest's order
	given  map[string]bool      // the names in series
	ran    map[fleet.Shard]bool // the shards that started
}

// maxListedShards is how many shards that have not started summary names
// one by one; it counts the rest, as a count from a damaged manifest can
// be as large as an int.
const maxListedShards = 10

// notRun returns the first max shards of a sharded run that have not
// started, and how many have not, when all started shards agree on the
// count.
func (r *mergedRun) notRun(max int) (listed []fleet.Shard, idle int) {
	counts := map[int]bool{}
	for s := range r.ran {
		counts[s.Count] = true
	}
	if len(counts) != 1 {
		return nil, 0
	}
	for n := range counts {
		idle = n - len(r.ran)
		// At most len(r.ran) indices are skipped, so this stops early.
		for i := 0; i < n && len(listed) < max; i++ {
			if s := (fleet.Shard{Index: i, Count: n}); !r.ran[s] {
				listed = append(listed, s)
			}
		}
	}
	return listed, idle
}

// outputKind says which files a command writes for each series and how
// to read them back into a summary row.
type outputKind struct {
	command string
	// report is the suffix of the JSON report holding the series' stamp,
	// "" when the command writes none and always redoes its work.
	report string
	// done is the suffix of the output whose presence says the series is
	// done: written last.
	done string
	// read returns the summary row of a series whose outputs are done.
	read func(dir, name string) summaryRow
}

// outputKinds are the kinds of run summary merges, in the order it
// prints them.
func outputKinds() []*outputKind {
	return []*outputKind{trainKind(), backtestKind(), predictKind()}
}

// errorSuffix is the suffix of the file recording why a series failed.
func (k *outputKind) errorSuffix() string { return "." + k.command + "-error.json" }

// merged returns the row of the series name in dir: failed when its error
// file is there, else done when its outputs are, else missing.
func (k *outputKind) merged(dir, name string) summaryRow {
	row := summaryRow{Series: name, Command: k.command}
	b, err := os.ReadFile(filepath.Join(dir, name+k.errorSuffix()))
	if err == nil {
		var f failure
		if err := json.Unmarshal(b, &f); err != nil {
			f.Error = "unreadable error file: " + err.Error()
		}
		row.Status, row.Error = statusFailed, f.Error
		return row
	}
	if _, err := os.Stat(filepath.Join(dir, name+k.done)); err != nil {
		row.Status = statusMissing
		return row
	}
	return k.read(dir, name)
}

// readReport reads the JSON report at path into v.
func readReport(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// Row statuses.
const (
	statusOK      = "ok"
	statusFailed  = "failed"
	statusMissing = "missing"
)

// summaryRow is one series in the summary of a many-series run.
type summaryRow struct {
	Series  string `json:"series"`
	Command string `json:"command"`
	Status  string `json:"status"` // ok, failed or missing
	// Skipped says the run found the series' outputs complete and
	// left them as they were.
	Skipped bool   `json:"skipped,omitempty"`
	Error   string `json:"error,omitempty"`
	// The scores of the span the report scores: the test span of train,
	// every fold of backtest; none for predict.
	RMSE      *float64           `json:"rmse,omitempty"`
	NaiveRMSE *float64           `json:"naive_rmse,omitempty"`
	MASE      *float64           `json:"mase,omitempty"`
	NaiveMASE *float64           `json:"naive_mase,omitempty"`
	Verdict   string             `json:"verdict,omitempty"`
	Coverage  map[string]float64 `json:"coverage,omitempty"`
}

// scoredRow is the row of a series whose report scored the span r.
func scoredRow(name, command string, r *forecast.Report) summaryRow {
	row := summaryRow{Series: name, Command: command, Status: statusOK}
	if r == nil {
		return row
	}
	row.RMSE, row.NaiveRMSE = finite(r.LSTM.RMSE), finite(r.Naive.RMSE)
	row.MASE, row.NaiveMASE = finite(r.LSTM.MASE), finite(r.Naive.MASE)
	row.Coverage = r.Coverage
	row.Verdict = r.Outcome()
	if r.Verdict.Best != "" {
		row.Verdict += " (best baseline " + strings.ReplaceAll(r.Verdict.Best, "_", " ") + ")"
	}
	return row
}

// failedRow is the row of a series whose outputs could not be read.
func failedRow(name, command string, err error) summaryRow {
	return summaryRow{Series: name, Command: command, Status: statusFailed, Error: oneLine(err.Error())}
}

// finite returns a pointer to v, or nil when v is NaN or infinite, which
// JSON cannot hold.
func finite(v float64) *float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return &v
}

func countStatus(rows []summaryRow, status string) int {
	n := 0
	for _, r := range rows {
		if r.Status == status {
			n++
		}
	}
	return n
}

// summaryWriter prints the rows of a run of command and then its summary:
// a table, or with JSON one line per row as it comes and the summary as a
// last line.
type summaryWriter struct {
	w       io.Writer
	command string
	json    bool
	tw      *tabwriter.Writer
	rows    int // rows written to tw
}

func newSummaryWriter(w io.Writer, command string, asJSON bool) *summaryWriter {
	return &summaryWriter{w: w, command: command, json: asJSON, tw: tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)}
}

func (s *summaryWriter) row(r summaryRow) {
	if s.json {
		b, _ := json.Marshal(r) // plain fields and finite numbers always marshal
		fmt.Fprintf(s.w, "%s\n", b)
		return
	}
	if s.rows == 0 {
		fmt.Fprintln(s.tw, "SERIES\tRESULT\tRMSE\tNAIVE RMSE\tMASE\tNAIVE MASE\tCOVERAGE")
	}
	s.rows++
	result := r.Status
	switch {
	case r.Status == statusOK && r.Verdict != "":
		result = r.Verdict
	case r.Status == statusOK:
		result = "done"
	}
	if r.Skipped {
		result += " (kept)"
	}
	fmt.Fprintf(s.tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Series, result, number(r.RMSE), number(r.NaiveRMSE), number(r.MASE), number(r.NaiveMASE), coverage(r.Coverage))
}

// summaryLine is the last line of a run's summary.
type summaryLine struct {
	Command string `json:"command"`
	Series  int    `json:"series"`
	Done    int    `json:"done"`
	Skipped int    `json:"skipped"`
	Failed  int    `json:"failed"`
	Missing int    `json:"missing"`
	// Medians over the series done with scores.
	MedianMASE      *float64 `json:"median_mase"`
	MedianNaiveMASE *float64 `json:"median_naive_mase"`
	// MedianRMSERatio is the median of each series' model RMSE over its
	// naive RMSE: below 1 when the typical series beats naive.
	MedianRMSERatio *float64 `json:"median_rmse_ratio"`
	Scored          int      `json:"scored"`
	// BeatBest counts the series whose model beats the best baseline
	// significantly (Diebold–Mariano at 5%, RMSE and MASE agreeing).
	BeatBest int `json:"beat_best_baseline"`
}

func (s *summaryWriter) finish(rows []summaryRow) error {
	sum := summaryLine{Command: s.command, Series: len(rows), Failed: countStatus(rows, statusFailed), Missing: countStatus(rows, statusMissing)}
	var mase, naive, ratio []float64
	for _, r := range rows {
		if r.Status != statusOK {
			continue
		}
		sum.Done++
		if r.Skipped {
			sum.Skipped++
		}
		if r.Verdict == "" {
			continue
		}
		sum.Scored++
		if strings.HasPrefix(r.Verdict, "beats") {
			sum.BeatBest++
		}
		if r.MASE != nil && r.NaiveMASE != nil {
			mase, naive = append(mase, *r.MASE), append(naive, *r.NaiveMASE)
		}
		if r.RMSE != nil && r.NaiveRMSE != nil && *r.NaiveRMSE > 0 {
			ratio = append(ratio, *r.RMSE / *r.NaiveRMSE)
		}
	}
	sum.MedianMASE, sum.MedianNaiveMASE, sum.MedianRMSERatio = median(mase), median(naive), median(ratio)
	if s.json {
		b, err := json.Marshal(sum)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(s.w, "%s\n", b)
		return err
	}
	if err := s.tw.Flush(); err != nil {
		return err
	}
	if len(rows) == 0 {
		_, err := fmt.Fprintf(s.w, "%s: no series in this shard\n", s.command)
		return err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %d series, %d done (%d kept from an earlier run), %d failed, %d missing\n", sum.Command, sum.Series, sum.Done, sum.Skipped, sum.Failed, sum.Missing)
	if sum.Scored > 0 {
		fmt.Fprintf(&b, "median MASE %s (naive %s), median RMSE / naive RMSE %s; %d of %d series beat the best baseline significantly\n",
			number(sum.MedianMASE), number(sum.MedianNaiveMASE), number(sum.MedianRMSERatio), sum.BeatBest, sum.Scored)
	}
	for _, r := range rows {
		if r.Status == statusFailed {
			fmt.Fprintf(&b, "failed: %s: %s\n", r.Series, r.Error)
		}
	}
	if sum.Missing > 0 {
		var names []string
		for _, r := range rows {
			if r.Status == statusMissing {
				names = append(names, r.Series)
			}
		}
		fmt.Fprintf(&b, "missing (no outputs yet): %s\n", strings.Join(names, ", "))
	}
	_, err := io.WriteString(s.w, b.String())
	return err
}

// median returns the median of v, nil for none.
func median(v []float64) *float64 {
	if len(v) == 0 {
		return nil
	}
	slices.Sort(v)
	m := v[len(v)/2]
	if len(v)%2 == 0 {
		m = (v[len(v)/2-1] + m) / 2
	}
	return &m
}

// number formats a score for the table, "-" for none.
func number(v *float64) string {
	if v == nil {
		return "-"
	}
	return strconv.FormatFloat(*v, 'g', 4, 64)
}

// coverage formats interval coverage as "80%:0.81 95%:0.94", by level.
func coverage(c map[string]float64) string {
	if len(c) == 0 {
		return "-"
	}
	levels := make([]string, 0, len(c))
	for l := range c {
		levels = append(levels, l)
	}
	slices.SortFunc(levels, func(a, b string) int {
		x, _ := strconv.ParseFloat(a, 64)
		y, _ := strconv.ParseFloat(b, 64)
		return cmp.Compare(x, y)
	})
	parts := make([]string, len(levels))
	for i, l := range levels {
		parts[i] = fmt.Sprintf("%s%%:%.2f", l, c[l])
	}
	return strings.Join(parts, " ")
}

// errNoSpan is the error of a report that scores no span.
var errNoSpan = errors.New("the report scores no span")

// errNotReport is a report file that parses but lacks what every report
// of its kind holds: damaged, or not written by lstmfc.
var errNotReport = errors.New("not a complete report: no stamp, values or model")
