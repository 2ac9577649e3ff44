// Package fleet runs one piece of work over each of a set of series files:
// it expands the command line into the files, picks a scheduler shard's
// stable part of them, runs them on a pool of workers, and stamps each
// result with what it was made from, so that a rerun skips the series that
// are already done.
//
// It knows nothing about forecasting: a series is a file path and a result
// is whatever the caller's work returns.
package fleet

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Expand turns command-line arguments into series paths: a file stays as
// given, a directory gives every *.csv and *.tsv file directly inside it in
// sorted order, and "-" (standard input) is allowed only alone. Two
// arguments naming the same file, or two files whose names without their
// extension are equal (their outputs would collide), are an error, as is a
// directory with no series in it.
func Expand(args []string) ([]string, error) {
	if len(args) == 0 {
		return nil, errors.New("no series given")
	}
	if slices.Contains(args, "-") {
		if len(args) > 1 {
			return nil, errors.New("- (standard input) can only be the only series")
		}
		return args, nil
	}
	var paths []string
	for _, a := range args {
		st, err := os.Stat(a)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", a, unwrap(err))
		}
		if !st.IsDir() {
			paths = append(paths, a)
			continue
		}
		inside, err := seriesIn(a)
		if err != nil {
			return nil, err
		}
		paths = append(paths, inside...)
	}
	seenFile := map[string]string{}
	seenName := map[string]string{}
	for _, p := range paths {
		abs, err := filepath.Abs(p)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		if q, ok := seenFile[abs]; ok {
			return nil, fmt.Errorf("%s and %s are the same file; give each series once", q, p)
		}
		seenFile[abs] = p
		if q, ok := seenName[Name(p)]; ok {
			return nil, fmt.Errorf("%s and %s have the same name %q, so their outputs would collide; rename one", q, p, Name(p))
		}
		seenName[Name(p)] = p
	}
	return paths, nil
}

// seriesIn returns the *.csv and *.tsv files directly inside dir, sorted.
func seriesIn(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir) // sorted by name
	if err != nil {
		return nil, fmt.Errorf("%s: %w", dir, unwrap(err))
	}
	var paths []string
	for _, e := range entries {
		ext := strings.ToLower(filepath.Ext(e.Name()))
		if e.IsDir() || (ext != ".csv" && ext != ".tsv") {
			continue
		}
		paths = append(paths, filepath.Join(dir, e.Name()))
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("%s: no *.csv or *.tsv files in the directory", dir)
	}
	return paths, nil
}

// Name is the name a series' outputs are called by: its file's base name
// without the extension ("data/AAPL.csv" is "AAPL").
func Name(path string) string {
	base := filepath.Base(path)
	return strings.TrimSuffix(base, filepath.Ext(base))
}

// unwrap drops the path an *os.PathError repeats, as callers name it.
func unwrap(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
