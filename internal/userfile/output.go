package userfile

import (
	"fmt"
	"os"
)

// CheckOutput returns an error when the regular file at output is one of
// the files at inputs, so that writing the output would replace an input.
// Files are compared by identity (device and inode, after following
// links), not by name: a hard link or a symbolic link to an input is that
// input. An output that does not exist yet or is not a regular file (a
// device or FIFO is written to, not replaced), and a path of "" or "-"
// (standard input or output), pass; so does a path that cannot be examined,
// which its reader or writer reports.
func CheckOutput(output string, inputs ...string) error {
	if output == "" || output == "-" {
		return nil
	}
	out, err := os.Stat(output)
	if err != nil || !out.Mode().IsRegular() {
		return nil
	}
	for _, input := range inputs {
		if input == "" || input == "-" {
			continue
		}
		in, err := os.Stat(input)
		if err == nil && os.SameFile(out, in) {
			if input == output {
				return fmt.Errorf("the output %s is also an input; writing it would replace the input", output)
			}
			return fmt.Errorf("the output %s is the input %s (the same file); writing it would replace the input", output, input)
		}
	}
	return nil
}
