package main

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// listValue is a comma-separated list flag. Its help shows what a user
// types (--levels 0.8,0.95), not pflag's Go type names and bracketed
// defaults (float64Slice, [0.800000,0.950000]).
type listValue[T any] struct {
	p      *[]T
	parse  func(string) (T, error)
	format func(T) string
	typ    string // the placeholder in --help: "ints", "numbers"
	wants  string // what a bad value is told it should be
	set    bool
}

func (l *listValue[T]) String() string {
	s := make([]string, len(*l.p))
	for i, v := range *l.p {
		s[i] = l.format(v)
	}
	return strings.Join(s, ",")
}

// Type is the placeholder --help shows after the flag's name.
func (l *listValue[T]) Type() string { return l.typ }

// Set replaces the default with the first use of the flag, and appends the
// values of later uses, as pflag's own slices do.
func (l *listValue[T]) Set(s string) error {
	var vs []T
	for _, f := range strings.Split(s, ",") {
		v, err := l.parse(strings.TrimSpace(f))
		if err != nil {
			return errors.New(l.wants)
		}
		vs = append(vs, v)
	}
	if !l.set {
		*l.p = nil
		l.set = true
	}
	*l.p = append(*l.p, vs...)
	return nil
}

// intsFlag defines a flag of comma-separated whole numbers.
func intsFlag(fs *pflag.FlagSet, p *[]int, name string, def []int, usage string) {
	*p = def
	fs.Var(&listValue[int]{p: p, parse: strconv.Atoi, format: strconv.Itoa, typ: "ints",
		wants: "wants whole numbers separated by commas, such as 50,50"}, name, usage)
}

// numbersFlag defines a flag of comma-separated numbers.
func numbersFlag(fs *pflag.FlagSet, p *[]float64, name string, def []float64, usage string) {
	*p = def
	parse := func(s string) (float64, error) { return strconv.ParseFloat(s, 64) }
	format := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	fs.Var(&listValue[float64]{p: p, parse: parse, format: format, typ: "numbers",
		wants: "wants numbers separated by commas, such as 0.8,0.95"}, name, usage)
}

// labelsValue is a flag of key=text pairs separated by commas.
type labelsValue struct{ m map[string]string }

func (l *labelsValue) String() string {
	s := make([]string, 0, len(l.m))
	for _, k := range slices.Sorted(maps.Keys(l.m)) {
		s = append(s, k+"="+l.m[k])
	}
	return strings.Join(s, ",")
}

// Type is the placeholder --help shows after the flag's name.
func (l *labelsValue) Type() string { return "key=text,..." }

func (l *labelsValue) Set(s string) error {
	for _, kv := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return errors.New("wants key=text pairs separated by commas, such as actual=Close,y=USD")
		}
		l.m[strings.TrimSpace(k)] = v
	}
	return nil
}

// wants says what a flag of a pflag scalar type takes, for parse errors.
func wants(f *pflag.Flag) string {
	switch f.Value.Type() {
	case "int":
		return "wants a whole number"
	case "uint64":
		return "wants a whole number, 0 or more"
	case "float64":
		return "wants a number"
	case "bool":
		return "wants true or false"
	}
	return "wants a " + f.Value.Type()
}

// flagError turns pflag's parse errors into one line that names the flag
// and what it wants, and suggests the flags closest to a mistyped one, as
// cobra does for commands.
func flagError(cmd *cobra.Command, err error) error {
	var bad *pflag.InvalidValueError
	var unknown *pflag.NotExistError
	switch {
	case errors.As(err, &bad):
		f := bad.GetFlag()
		why := bad.Unwrap().Error()
		if !strings.HasPrefix(why, "must ") && !strings.HasPrefix(why, "wants ") {
			why = wants(f) // strconv's words name Go functions, not the flag's values
		}
		return flagErrorf(f.Name, "%s, got %q", why, bad.GetValue())
	case errors.As(err, &unknown) && unknown.GetSpecifiedShortnames() == "":
		name := unknown.GetSpecifiedName()
		if near := nearFlags(cmd, name); len(near) > 0 {
			return usageError{fmt.Sprintf("unknown flag --%s; did you mean --%s?", name, strings.Join(near, " or --"))}
		}
		return usageError{"unknown flag --" + name}
	}
	return usageError{err.Error()}
}

// nearFlags returns the flags of cmd whose names are within two edits of
// name, or that start with it.
func nearFlags(cmd *cobra.Command, name string) []string {
	var near []string
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		if !f.Hidden && (editDistance(name, f.Name) <= 2 || strings.HasPrefix(f.Name, name)) {
			near = append(near, f.Name)
		}
	})
	return near
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			sub := prev[j-1]
			if a[i-1] != b[j-1] {
				sub++
			}
			cur[j] = min(sub, prev[j]+1, cur[j-1]+1)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
