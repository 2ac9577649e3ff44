package series

import (
	"fmt"
	"io"
	"runtime"
	"testing"
	"time"
)

// rowGenerator is a CSV file of n dated rows made as it is read, so the
// test itself holds no copy of the file.
type rowGenerator struct {
	n, row int
	date   time.Time
	buf    []byte
}

func newRowGenerator(n int) *rowGenerator {
	return &rowGenerator{n: n, date: time.Date(2000, 1, 3, 0, 0, 0, 0, time.UTC), buf: []byte("Date,Open,Close,Volume\n")}
}

func (g *rowGenerator) Read(p []byte) (int, error) {
	for len(g.buf) < len(p) && g.row < g.n {
		g.buf = g.date.AppendFormat(g.buf, time.DateOnly)
		g.buf = fmt.Appendf(g.buf, ",%d.25,%d.5,%d\n", 100+g.row%50, 100+g.row%70, 1000000+g.row)
		g.date = g.date.AddDate(0, 0, 1)
		g.row++
	}
	if len(g.buf) == 0 {
		return 0, io.EOF
	}
	n := copy(p, g.buf)
	g.buf = g.buf[:copy(g.buf, g.buf[n:])]
	return n, nil
}

// liveBytesPerRow loads n generated rows and returns the heap the result
// keeps per row after a collection.
func liveBytesPerRow(tb testing.TB, n int) float64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	s, err := Load(newRowGenerator(n), "generated.csv", Options{})
	if err != nil {
		tb.Fatal(err)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	if len(s.Values) != n {
		tb.Fatalf("%d values, want %d", len(s.Values), n)
	}
	runtime.KeepAlive(s)
	return float64(after.HeapAlloc-before.HeapAlloc) / float64(n)
}

// TestLoadMemory checks that a million-row file costs the memory of its
// data: a time.Time (24 bytes) and a float64 (8 bytes) per row, plus the
// spare capacity append leaves (at most a quarter for large slices).
func TestLoadMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("loads a million rows")
	}
	const n = 1_000_000
	perRow := liveBytesPerRow(t, n)
	t.Logf("%d rows: %.1f live bytes per row", n, perRow)
	if perRow > 1.25*(24+8)+1 {
		t.Errorf("%.1f live bytes per row, want at most 41", perRow)
	}
}

func BenchmarkLoad1M(b *testing.B) {
	for b.Loop() {
		b.ReportMetric(liveBytesPerRow(b, 1_000_000), "live-B/row")
	}
}
