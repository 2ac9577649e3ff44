package userfile

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

func TestCheckOutput(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "prices.csv")
	model := filepath.Join(dir, "m.bin")
	for _, p := range []string{in, model} {
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	hard := filepath.Join(dir, "hard.csv")
	if err := os.Link(in, hard); err != nil {
		t.Fatal(err)
	}
	sym := filepath.Join(dir, "sym.csv")
	if err := os.Symlink("prices.csv", sym); err != nil {
		t.Fatal(err)
	}
	// The same file by another spelling of its name.
	dotted := dir + "/./prices.csv"
	// A copy has the same content but is another file.
	other := filepath.Join(dir, "copy.csv")
	if err := os.WriteFile(other, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "pipe")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, test := range []struct {
		output string
		inputs []string
		want   string // "" for no error
	}{
		{in, []string{in}, "the output " + in + " is also an input; writing it would replace the input"},
		{in, []string{model, in}, "the output " + in + " is also an input; writing it would replace the input"},
		{hard, []string{in}, "the output " + hard + " is the input " + in + " (the same file); writing it would replace the input"},
		{in, []string{hard}, "the output " + in + " is the input " + hard + " (the same file); writing it would replace the input"},
		{sym, []string{in}, "the output " + sym + " is the input " + in + " (the same file); writing it would replace the input"},
		{in, []string{sym}, "the output " + in + " is the input " + sym + " (the same file); writing it would replace the input"},
		{dotted, []string{in}, "the output " + dotted + " is the input " + in + " (the same file); writing it would replace the input"},
		{model, []string{in, "-", ""}, ""},
		{other, []string{in}, ""},
		{filepath.Join(dir, "new.csv"), []string{in}, ""},
		{"-", []string{"-"}, ""},
		{"", []string{""}, ""},
		{fifo, []string{fifo}, ""},
		{in, []string{filepath.Join(dir, "absent.csv")}, ""},
	} {
		err := CheckOutput(test.output, test.inputs...)
		switch {
		case test.want == "" && err != nil:
			t.Errorf("CheckOutput(%s, %q) = %v, want nil", test.output, test.inputs, err)
		case test.want != "" && (err == nil || err.Error() != test.want):
			t.Errorf("CheckOutput(%s, %q) = %v, want %q", test.output, test.inputs, err, test.want)
		}
	}
}
