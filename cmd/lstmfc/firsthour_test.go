package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
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
