package main

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "v0.1.0"

func newVersionCmd(ios *streams) *cobra.Command {
	return &cobra.Command{
		Use:     "version",
		Short:   "Print the version of lstmfc",
		Example: "  lstmfc version",
		Args:    cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			_, err := fmt.Fprintln(ios.Out, versionString())
			return err
		},
	}
}

func versionString() string {
	s := "lstmfc " + version + " (" + runtime.Version() + ")"
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, kv := range bi.Settings {
			if kv.Key == "vcs.revision" && len(kv.Value) >= 12 {
				s += " " + kv.Value[:12]
			}
		}
	}
	return s
}
