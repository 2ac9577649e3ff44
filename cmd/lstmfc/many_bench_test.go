//go:build unix

package main

import (
	"context"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// sharedData is the folder of real series every helper of the project
// shares, beside the project's root.
const sharedData = "../../../shared/data"

// BenchmarkManyTrain trains every shared series at the default settings
// with 1 and with 2 jobs and reports series per hour; on two idle cores
// the 2-job rate should be at least 1.8 times the 1-job one. It also
// reports the CPU seconds the process spent per series, user and system,
// which other processes on a busy machine disturb less than the wall
// time. One iteration takes minutes: run it with -benchtime 1x.
func BenchmarkManyTrain(b *testing.B) {
	files, err := filepath.Glob(filepath.Join(sharedData, "*.csv"))
	if err != nil || len(files) == 0 {
		b.Skipf("no shared series in %s", sharedData)
	}
	for _, jobs := range []int{1, 2} {
		b.Run("jobs="+strconv.Itoa(jobs), func(b *testing.B) {
			var spent, cpu time.Duration
			for b.Loop() {
				args := append([]string{"train", "--quiet", "--jobs", strconv.Itoa(jobs), "--out-dir", b.TempDir()}, files...)
				start, cpu0 := time.Now(), cpuTime(b)
				var errb strings.Builder
				if code := execute(context.Background(), args, &streams{In: strings.NewReader(""), Out: io.Discard, Err: &errb}); code != 0 {
					b.Fatalf("exit %d: %s", code, errb.String())
				}
				spent += time.Since(start)
				cpu += cpuTime(b) - cpu0
			}
			n := float64(len(files) * b.N)
			b.ReportMetric(n/spent.Hours(), "series/hour")
			b.ReportMetric(cpu.Seconds()/n, "cpu-s/series")
		})
	}
}

// cpuTime returns the CPU time, user and system, the process has spent.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
