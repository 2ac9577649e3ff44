package main

import (
	"context"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// sharedData is the folder of real series every helper of the project
// shares, beside the project's root.
const sharedData = "../../../shared/data"

// BenchmarkManyTrain trains every shared series at the default settings
// with 1 and with 2 jobs and reports series per hour; on two idle cores
// the 2-job rate should be at least 1.8 times the 1-job one. One
// iteration takes minutes: run it with -benchtime 1x.
func BenchmarkManyTrain(b *testing.B) {
	files, err := filepath.Glob(filepath.Join(sharedData, "*.csv"))
	if err != nil || len(files) == 0 {
		b.Skipf("no shared series in %s", sharedData)
	}
	for _, jobs := range []int{1, 2} {
		b.Run("jobs="+strconv.Itoa(jobs), func(b *testing.B) {
			var spent time.Duration
			for b.Loop() {
				args := append([]string{"train", "--quiet", "--jobs", strconv.Itoa(jobs), "--out-dir", b.TempDir()}, files...)
				start := time.Now()
				var errb strings.Builder
				if code := execute(context.Background(), args, &streams{In: strings.NewReader(""), Out: io.Discard, Err: &errb}); code != 0 {
					b.Fatalf("exit %d: %s", code, errb.String())
				}
				spent += time.Since(start)
			}
			b.ReportMetric(float64(len(files)*b.N)/spent.Hours(), "series/hour")
		})
	}
}
