package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/lstmfc/lstmfc/internal/forecast"
)

// TestHelpShowsWhatUsersType checks that no --help names a Go type or
// prints a default in Go's notation.
func TestHelpShowsWhatUsersType(t *testing.T) {
	goish := regexp.MustCompile(`float64|Slice|stringTo|uint64|\(default \[`)
	for _, c := range []string{"train", "predict", "plot", "backtest"} {
		code, stdout, _ := run(t, c, "--help")
		if code != exitOK {
			t.Fatalf("%s --help: exit %d", c, code)
		}
		for _, line := range strings.Split(stdout, "\n") {
			if strings.HasPrefix(strings.TrimSpace(line), "-") && goish.MatchString(line) {
				t.Errorf("%s --help: %q shows Go notation", c, line)
			}
		}
	}
	_, stdout, _ := run(t, "train", "--help")
	for _, want := range []string{"--levels numbers", "(default 0.8,0.95)", "--units ints", "(default 50,50)"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("train --help lacks %q", want)
		}
	}
	_, stdout, _ = run(t, "plot", "--help")
	if !strings.Contains(stdout, "--labels key=text,...") {
		t.Errorf("plot --help does not show --labels key=text,...:\n%s", stdout)
	}
}

// TestFlagParseErrors checks that a value a flag cannot take is named with
// the flag and what it wants, and a mistyped flag gets suggestions.
func TestFlagParseErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"train", "--epochs", "abc"}, `lstmfc train: --epochs: wants a whole number, got "abc" (see --help)`},
		{[]string{"train", "--lr", "fast"}, `--lr: wants a number, got "fast"`},
		{[]string{"train", "--seed", "-1"}, `--seed: wants a whole number, 0 or more, got "-1"`},
		{[]string{"train", "--quiet=maybe"}, `--quiet: wants true or false, got "maybe"`},
		{[]string{"train", "--levels", "0.8,x"}, `--levels: wants numbers separated by commas, such as 0.8,0.95, got "0.8,x"`},
		{[]string{"train", "--units", "50,5.5"}, `--units: wants whole numbers separated by commas, such as 50,50, got "50,5.5"`},
		{[]string{"plot", "--labels", "title"}, `--labels: wants key=text pairs separated by commas, such as actual=Close,y=USD, got "title"`},
		{[]string{"train", "--epoch", "3"}, "lstmfc train: unknown flag --epoch; did you mean --epochs? (see --help)"},
		{[]string{"predict", "--horizn", "3"}, "unknown flag --horizn; did you mean --horizon?"},
		{[]string{"plot", "--zzzzzz"}, "lstmfc plot: unknown flag --zzzzzz (see --help)"},
	} {
		code, _, stderr := run(t, tc.args...)
		if code != exitUsage || !strings.Contains(stderr, tc.want) || strings.Contains(stderr, "strconv") {
			t.Errorf("%v: exit %d, %q; want exit 2 and %q", tc.args, code, stderr, tc.want)
		}
	}
}

// TestListFlagsReplaceTheirDefault checks that a list flag given replaces
// its default, and that given twice it takes both values.
func TestListFlagsReplaceTheirDefault(t *testing.T) {
	cmd := newTrainCmd(&streams{})
	if err := cmd.ParseFlags([]string{"--units", "7", "--units", "8,9", "--levels", "0.5"}); err != nil {
		t.Fatal(err)
	}
	if got := cmd.Flags().Lookup("units").Value.String(); got != "7,8,9" {
		t.Errorf("--units 7 --units 8,9 = %s, want 7,8,9", got)
	}
	if got := cmd.Flags().Lookup("levels").Value.String(); got != "0.5" {
		t.Errorf("--levels 0.5 = %s, want 0.5", got)
	}
}

// TestCompletion checks the values and file extensions the shell completion
// offers, and that an unknown shell is a usage error.
func TestCompletion(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"train", ""}, "csv txt :8"},
		{[]string{"backtest", ""}, "csv txt :8"},
		{[]string{"predict", ""}, "csv txt :8"},
		{[]string{"plot", ""}, "csv json txt :8"},
		{[]string{"train", "--model", ""}, "bin safetensors :8"},
		{[]string{"predict", "--model", ""}, "bin safetensors :8"},
		{[]string{"predict", "--data", ""}, "csv txt :8"},
		{[]string{"predict", "--out", ""}, "csv json :8"},
		{[]string{"plot", "--predictions", ""}, "csv json :8"},
		{[]string{"plot", "--out", ""}, "png svg pdf :8"},
		{[]string{"plot", "--font", ""}, "ttf otf ttc :8"},
		{[]string{"train", "--target", ""}, "auto price return delta :4"},
		{[]string{"backtest", "--scaler", ""}, "minmax standard :4"},
		{[]string{"train", "--fill", ""}, "drop ffill :4"},
		{[]string{"predict", "--format", ""}, "csv json :4"},
		{[]string{"plot", "--lang", ""}, "en zh :4"},
	} {
		code, stdout, stderr := run(t, append([]string{"__complete"}, tc.args...)...)
		if got := strings.Join(strings.Fields(stdout), " "); code != exitOK || got != tc.want {
			t.Errorf("completing %v: exit %d, %q (stderr %q); want %q", tc.args, code, got, stderr, tc.want)
		}
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"completion", "tcsh"}, `lstmfc completion: no completion for shell "tcsh"; lstmfc writes it for bash, zsh, fish or powershell (see --help)` + "\n"},
		{[]string{"completion"}, "lstmfc completion: needs a shell: bash, zsh, fish or powershell (see --help)\n"},
	} {
		code, stdout, stderr := run(t, tc.args...)
		if code != exitUsage || stderr != tc.want || stdout != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit 2 and only %q", tc.args, code, stdout, stderr, tc.want)
		}
	}
	code, stdout, _ := run(t, "completion", "bash")
	if code != exitOK || !strings.Contains(stdout, "bash completion") {
		t.Errorf("completion bash: exit %d, %.60q", code, stdout)
	}
}

// TestLossUnitInHelp checks that train --help says what the loss measures.
func TestLossUnitInHelp(t *testing.T) {
	_, stdout, _ := run(t, "train", "--help")
	for _, want := range []string{"mean squared error", "typical training step", "validation"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("train --help does not say %q about the loss", want)
		}
	}
}

// TestTableFormat checks how predict picks its output format.
func TestTableFormat(t *testing.T) {
	for _, tc := range []struct{ out, format, want string }{
		{"q.json", "", "json"}, {"Q.JSON", "", "json"}, {"q.csv", "", "csv"}, {"q.txt", "", "csv"},
		{"-", "", "csv"}, {"q.json", "csv", "csv"}, {"q.csv", "json", "json"},
	} {
		if got := tableFormat(tc.out, tc.format); got != tc.want {
			t.Errorf("tableFormat(%q, %q) = %s, want %s", tc.out, tc.format, got, tc.want)
		}
	}
}

// TestPredictOutputs runs predict with a positional series, the format from
// --out's extension and --forecast-only, and plots its JSON.
func TestPredictOutputs(t *testing.T) {
	dir := t.TempDir()
	model := trainSmall(t, dir)
	js := filepath.Join(dir, "q.json")
	code, _, stderr := run(t, "predict", "--model", model, "--horizon", "5", "--out", js, realCSV)
	if code != exitOK {
		t.Fatalf("predict FILE: exit %d: %s", code, stderr)
	}
	b, err := os.ReadFile(js)
	if err != nil {
		t.Fatal(err)
	}
	var rows []struct{ Date, Split string }
	if err := json.Unmarshal(b, &rows); err != nil {
		t.Fatalf("--out q.json is not JSON: %v: %.80q", err, b)
	}
	if n := len(rows); n != 7436+5 || rows[n-1].Split != "forecast" {
		t.Errorf("q.json: %d rows ending %+v; want 7436 values and 5 forecast", n, rows[n-1])
	}
	chart := filepath.Join(dir, "c.svg")
	if code, _, stderr := run(t, "plot", "--quiet", "--out", chart, js); code != exitOK {
		t.Errorf("plot q.json: exit %d: %s", code, stderr)
	}

	code, stdout, stderr := run(t, "predict", "--model", model, "--horizon", "3", "--forecast-only", "--out", "-", "--data", realCSV)
	if code != exitOK {
		t.Fatalf("--forecast-only: exit %d: %s", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if len(lines) != 4 || !strings.HasPrefix(lines[0], "date,actual,predicted,split") {
		t.Fatalf("--forecast-only wrote %q, want a header and 3 rows", stdout)
	}
	for _, l := range lines[1:] {
		if f := strings.Split(l, ","); f[1] != "" || f[3] != "forecast" || f[2] == "" {
			t.Errorf("--forecast-only row %q is not a forecast", l)
		}
	}
	if code, _, stderr := run(t, "predict", "--model", model, "--data", realCSV, realCSV); code != exitUsage || !strings.Contains(stderr, "--data: names the series a second time") {
		t.Errorf("predict --data F F: exit %d, %q; want a usage error", code, stderr)
	}
}

// TestForecastCalendar predicts a weekly series and one with an irregular
// step: the forecast is dated weekly, and the irregular series warns.
func TestForecastCalendar(t *testing.T) {
	dir := t.TempDir()
	model := trainSmall(t, dir)
	var weekly, gappy strings.Builder
	weekly.WriteString("Date,Close\n")
	gappy.WriteString("Date,Close\n")
	d := time.Date(2020, 1, 3, 0, 0, 0, 0, time.UTC)
	for i := range 80 {
		fmt.Fprintf(&weekly, "%s,%g\n", d.AddDate(0, 0, 7*i).Format(time.DateOnly), 3+0.01*float64(i%7))
		fmt.Fprintf(&gappy, "%s,%g\n", d.AddDate(0, 0, 10*i+i%3).Format(time.DateOnly), 3+0.01*float64(i%7))
	}
	for _, tc := range []struct {
		name, csv, note string
		step            int
	}{
		{"weekly", weekly.String(), "the series is dated weekly, and so is its forecast", 7},
		{"gappy", gappy.String(), "warning: the dates usually step by 11 days", 0},
	} {
		path := filepath.Join(dir, tc.name+".csv")
		if err := os.WriteFile(path, []byte(tc.csv), 0o644); err != nil {
			t.Fatal(err)
		}
		code, stdout, stderr := run(t, "predict", "--model", model, "--horizon", "3", "--forecast-only", "--out", "-", path)
		if code != exitOK || !strings.Contains(stderr, tc.note) {
			t.Errorf("%s: exit %d, stderr %q; want %q", tc.name, code, stderr, tc.note)
			continue
		}
		if tc.step == 0 {
			continue
		}
		lines := strings.Split(strings.TrimSpace(stdout), "\n")
		for i, l := range lines[1:] {
			want := d.AddDate(0, 0, 7*(79+i+1)).Format(time.DateOnly)
			if !strings.HasPrefix(l, want+",") {
				t.Errorf("%s: forecast row %d is %q, want date %s", tc.name, i+1, l, want)
			}
		}
	}
	code, _, stderr := run(t, "predict", "--model", model, "--quiet", "--horizon", "3", "--out", "-", filepath.Join(dir, "weekly.csv"))
	if code != exitOK || stderr != "" {
		t.Errorf("--quiet on a weekly series: exit %d, stderr %q; want no note", code, stderr)
	}
}

// TestBacktestFoldDates checks that backtest names folds by rows and dates.
func TestBacktestFoldDates(t *testing.T) {
	code, stdout, stderr := run(t, append([]string{"backtest", "--folds", "2", "--json", realCSV}, small...)...)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var bt struct {
		Folds []struct{ Start, End int }
	}
	if err := json.Unmarshal([]byte(stdout), &bt); err != nil {
		t.Fatal(err)
	}
	var dates struct {
		Folds []struct {
			First string `json:"first_date"`
			Last  string `json:"last_date"`
		}
	}
	if err := json.Unmarshal([]byte(stdout), &dates); err != nil {
		t.Fatal(err)
	}
	rows := readCSV(t, realCSV)
	for i, f := range dates.Folds {
		// realCSV has one header line and one missing price, dropped,
		// before the folds: row r of the series is line r+2 or r+3.
		if f.First == "" || f.Last == "" || f.First >= f.Last {
			t.Errorf("fold %d: dates %q to %q", i+1, f.First, f.Last)
		}
		if s := bt.Folds[i].Start; rows[s+1][0] != f.First && rows[s+2][0] != f.First {
			t.Errorf("fold %d starts at row %d, dated %s in the file, but first_date is %s", i+1, s, rows[s+1][0], f.First)
		}
	}
	code, stdout, _ = run(t, append([]string{"backtest", "--folds", "2", realCSV}, small...)...)
	if code != exitOK || !strings.Contains(stdout, "Fold 1 (rows ") || !strings.Contains(stdout, dates.Folds[0].First+" to "+dates.Folds[0].Last) {
		t.Errorf("backtest text does not name fold 1 by rows and dates %s to %s:\n%s", dates.Folds[0].First, dates.Folds[0].Last, stdout)
	}
}

// TestZoomChoice checks the zoomed panel's default size.
func TestZoomChoice(t *testing.T) {
	table := func(series, future int) *forecast.Table {
		tb := &forecast.Table{}
		for i := range series + future {
			s := forecast.SpanData
			if i >= series {
				s = forecast.SpanForecast
			}
			tb.Actual, tb.Predicted, tb.Split = append(tb.Actual, 1), append(tb.Predicted, 1), append(tb.Split, s)
		}
		return tb
	}
	for _, tc := range []struct {
		zoom, series, future, want int
	}{
		{-1, 5000, 10, 60}, {-1, 5000, 30, 180}, {-1, 179, 10, 0}, {-1, 180, 10, 60}, {-1, 5000, 0, 0},
		{0, 5000, 10, 0}, {25, 100, 10, 25},
	} {
		o := plotOptions{Zoom: tc.zoom}
		if got := o.zoom(table(tc.series, tc.future)); got != tc.want {
			t.Errorf("--zoom %d with %d values and %d forecast: %d, want %d", tc.zoom, tc.series, tc.future, got, tc.want)
		}
	}
}
