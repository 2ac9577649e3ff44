package main

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/spf13/pflag"

	"github.com/lstmfc/lstmfc/internal/forecast"
)

// TestImportsOnlyForecast keeps cmd speaking to forecast and the packages
// beside it (loading series, charts, files, running many series): no file
// of the command, tests included, imports the engine, the windowing, the
// scalers or the metrics directly. (They are still in its dependencies,
// through forecast.)
func TestImportsOnlyForecast(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil || len(files) == 0 {
		t.Fatalf("no Go files (%v)", err)
	}
	const internal = "github.com/lstmfc/lstmfc/internal/"
	allowed := []string{"forecast", "series", "plot", "atomicfile", "userfile", "fleet"}
	for _, name := range files {
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			if pkg, ok := strings.CutPrefix(path, internal); ok && !slices.Contains(allowed, pkg) {
				t.Errorf("%s imports %s; cmd must go through forecast", name, path)
			}
		}
	}
}

// TestEveryConfigFieldHasAFlag checks that each field a forecast.FieldError
// can name maps to a flag of train or backtest.
func TestEveryConfigFieldHasAFlag(t *testing.T) {
	root := newRootCmd(&streams{})
	flags := map[string]bool{}
	for _, c := range root.Commands() {
		if c.Name() == "train" || c.Name() == "backtest" {
			c.Flags().VisitAll(func(f *pflag.Flag) { flags[f.Name] = true })
		}
	}
	for _, typ := range []reflect.Type{reflect.TypeFor[forecast.Config](), reflect.TypeFor[forecast.Walk]()} {
		for i := range typ.NumField() {
			field := typ.Field(i).Name
			if flag := fieldFlag(field); !flags[flag] {
				t.Errorf("%s.%s maps to flag %q, which train and backtest do not have", typ.Name(), field, flag)
			}
		}
	}
}

// TestEnumFlags checks that each enum flag refuses a value outside its set
// when parsed, naming the values it takes, and that the shell completion
// offers exactly those values.
func TestEnumFlags(t *testing.T) {
	for _, tc := range []struct {
		cmd, flag string
		values    []string
	}{
		{"train", "target", []string{"auto", "price", "return", "delta"}},
		{"train", "scaler", []string{"minmax", "standard"}},
		{"train", "synthetic", []string{"uniform", "geometric", "longmemory"}},
		{"train", "cell", []string{"lstm", "gru", "rnn"}},
		{"backtest", "cell", []string{"lstm", "gru", "rnn"}},
		{"backtest", "fill", []string{"drop", "ffill"}},
		{"predict", "format", []string{"csv", "json"}},
		{"plot", "fill", []string{"drop", "ffill"}},
		{"plot", "lang", []string{"en", "zh"}},
	} {
		code, stdout, stderr := run(t, "__complete", tc.cmd, "--"+tc.flag, "")
		lines := strings.Split(strings.TrimSpace(stdout), "\n")
		if code != exitOK || len(lines) == 0 || !slices.Equal(lines[:len(lines)-1], tc.values) || lines[len(lines)-1] != ":4" {
			t.Errorf("completing %s --%s: exit %d, %q (stderr %q); want %v and directive :4 (no file completion)", tc.cmd, tc.flag, code, stdout, stderr, tc.values)
		}
		code, _, stderr = run(t, tc.cmd, "--"+tc.flag, "bogus")
		want := `--` + tc.flag + `: must be ` + orList(tc.values) + `, got "bogus"`
		if code != exitUsage || !strings.Contains(stderr, want) {
			t.Errorf("%s --%s bogus: exit %d, %q; want exit 2 and %q", tc.cmd, tc.flag, code, stderr, want)
		}
	}
}
