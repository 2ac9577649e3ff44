package series

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// errStop is the cause the tests cancel with.
var errStop = errors.New("stopped by the test")

// TestCROnly checks the detection of classic Mac OS line endings, and that
// CR LF and LF files are left alone.
func TestCROnly(t *testing.T) {
	for head, want := range map[string]bool{
		"Date,Close\r2020-01-02,1\r": true,
		"Date,Close\r\n2020-01-02,1": false,
		"Date,Close\n2020-01-02,1\r": false,
		"Date,Close\r":               false, // one line: nothing to tell
		"Date,Close":                 false,
	} {
		if got := crOnly([]byte(head)); got != want {
			t.Errorf("crOnly(%q) = %v, want %v", head, got, want)
		}
	}
}

// TestCROnlyLongFile reads a CR-only file longer than MaxLineBytes, which
// read as one line would be refused as too long.
func TestCROnlyLongFile(t *testing.T) {
	var b strings.Builder
	b.WriteString("Date,Close\r")
	d := time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)
	n := 0
	for b.Len() <= 2*MaxLineBytes {
		fmt.Fprintf(&b, "%s,%d.5\r", d.Format(time.DateOnly), 100+n%50)
		d = d.AddDate(0, 0, 1)
		n++
	}
	s, err := Load(strings.NewReader(b.String()), "mac.csv", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Values) != n {
		t.Errorf("%d values, want %d", len(s.Values), n)
	}
}

// TestOpenQuote checks that a quote never closed is refused once the record
// passes MaxLineBytes, naming the line it opened on, rather than buffered to
// the end of the file.
func TestOpenQuote(t *testing.T) {
	r := &countingReader{r: io.MultiReader(
		strings.NewReader("Date,Close\n2020-01-02,1\n2020-01-03,\"2\n"),
		strings.NewReader(strings.Repeat("2020-01-04,3\n", 3*MaxLineBytes/13)))}
	_, err := Load(r, "quote.csv", Options{})
	want := "quote.csv:3: a quoted field runs on for more than 1048576 bytes (1 MiB): is a quote left open?"
	if err == nil || err.Error() != want {
		t.Errorf("err = %v, want %s", err, want)
	}
	if r.n > 2*MaxLineBytes {
		t.Errorf("read %d bytes before refusing, want at most %d", r.n, 2*MaxLineBytes)
	}
	// A quoted field may hold line breaks and quotes, within the limit.
	s, err := Load(strings.NewReader("Date,Note,Close\n2020-01-02,\"two\nlines, \"\"quoted\"\"\",1\n2020-01-03,,2\n"), "notes.csv", Options{})
	if err != nil || len(s.Values) != 2 {
		t.Errorf("quoted line breaks: %v, %v", s, err)
	}
}

// countingReader counts the bytes read from r.
type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

func TestMaxColumns(t *testing.T) {
	for _, n := range []int{MaxColumns, MaxColumns + 1} {
		header := "Date,Close" + strings.Repeat(",x", n-2)
		row := "2020-01-02,1" + strings.Repeat(",", n-2)
		_, err := Load(strings.NewReader(header+"\n"+row+"\n"), "wide.csv", Options{})
		tooMany := err != nil && strings.Contains(err.Error(), "columns, more than")
		if tooMany != (n > MaxColumns) {
			t.Errorf("%d columns: err = %v", n, err)
		}
	}
	_, err := Load(strings.NewReader("a"+strings.Repeat(",a", MaxColumns)+"\n1\n"), "wide.csv", Options{})
	if want := "wide.csv:1: the header has 16385 columns, more than the 16384 lstmfc reads"; err == nil || err.Error() != want {
		t.Errorf("err = %v, want %s", err, want)
	}
}

func TestMaxRows(t *testing.T) {
	if testing.Short() {
		t.Skip("reads five million rows")
	}
	// Undated rows: a dated generator runs out of four-digit years.
	r := io.MultiReader(strings.NewReader("Close\n"), &repeatReader{row: "1.5\n", n: MaxRows + 1})
	_, err := Load(r, "long.csv", Options{})
	if want := fmt.Sprintf("long.csv:%d: more than %d data rows, the most lstmfc reads", MaxRows+2, MaxRows); err == nil || err.Error() != want {
		t.Errorf("err = %v, want %s", err, want)
	}
}

// repeatReader gives row n times.
type repeatReader struct {
	row string
	n   int
	buf []byte
}

func (r *repeatReader) Read(p []byte) (int, error) {
	for len(r.buf) < len(p) && r.n > 0 {
		r.buf = append(r.buf, r.row...)
		r.n--
	}
	if len(r.buf) == 0 {
		return 0, io.EOF
	}
	n := copy(p, r.buf)
	r.buf = r.buf[:copy(r.buf, r.buf[n:])]
	return n, nil
}

func TestLoadFileDirectory(t *testing.T) {
	dir := t.TempDir()
	_, err := LoadFile(context.Background(), dir, Options{})
	if err == nil || err.Error() != dir+" is a directory, not a file" {
		t.Errorf("err = %v, want the directory refused", err)
	}
}

func mkfifo(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "prices.csv")
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Skipf("cannot make a FIFO: %v", err)
	}
	return path
}

// loadCancelled runs LoadFile on path, cancelling it after 200 ms, and
// returns how long it took to return after the cancellation.
func loadCancelled(t *testing.T, path string) time.Duration {
	t.Helper()
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	const after = 200 * time.Millisecond
	time.AfterFunc(after, func() { cancel(errStop) })
	start := time.Now()
	_, err := LoadFile(ctx, path, Options{})
	latency := time.Since(start) - after
	if !errors.Is(err, errStop) {
		t.Fatalf("err = %v, want %v", err, errStop)
	}
	if latency > time.Second {
		t.Errorf("returned %v after the cancellation, want under a second", latency)
	}
	return latency
}

func TestLoadFileFIFOWithoutWriter(t *testing.T) {
	t.Logf("FIFO without a writer: returned %v after the cancellation", loadCancelled(t, mkfifo(t)))
}

// TestLoadFileEndlessFIFO reads a FIFO fed rows without end, and one whose
// writer falls silent: both stop when the context does.
func TestLoadFileEndlessFIFO(t *testing.T) {
	for _, silent := range []bool{false, true} {
		path := mkfifo(t)
		go func() {
			w, err := os.OpenFile(path, os.O_WRONLY, 0)
			if err != nil {
				return
			}
			defer w.Close()
			if silent {
				io.WriteString(w, "Date,Close\n2020-01-02,1\n")
				time.Sleep(5 * time.Second)
				return
			}
			io.Copy(w, newRowGenerator(MaxRows)) // ends when the reader goes
		}()
		t.Logf("FIFO, silent writer %v: returned %v after the cancellation", silent, loadCancelled(t, path))
	}
}
