package userfile

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"testing/iotest"
	"time"
)

// errStop is the cause the tests cancel with, so they can tell it from
// context.Canceled.
var errStop = errors.New("stopped by the test")

// fifo makes a named pipe in a temporary directory.
func fifo(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "pipe")
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Skipf("cannot make a FIFO: %v", err)
	}
	return path
}

// cancelAfter returns a context cancelled with errStop after d.
func cancelAfter(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithCancelCause(context.Background())
	timer := time.AfterFunc(d, func() { cancel(errStop) })
	t.Cleanup(func() { timer.Stop(); cancel(nil) })
	return ctx
}

func TestOpenDirectory(t *testing.T) {
	dir := t.TempDir()
	_, err := Open(context.Background(), dir)
	if err == nil || err.Error() != dir+" is a directory, not a file" {
		t.Errorf("err = %v, want %q", err, dir+" is a directory, not a file")
	}
	if _, err := ReadFile(context.Background(), dir, 10); err == nil || !strings.Contains(err.Error(), "is a directory") {
		t.Errorf("ReadFile: err = %v, want a directory refused", err)
	}
}

func TestOpenMissing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "absent.csv")
	_, err := Open(context.Background(), path)
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("err = %v, want it to wrap fs.ErrNotExist", err)
	}
	if want := path + ": no such file or directory"; err.Error() != want {
		t.Errorf("err = %q, want %q", err, want)
	}
}

func TestReadFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.bin")
	want := []byte("exactly sixteen!")
	if err := os.WriteFile(path, want, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, limit := range []int64{16, 17, 1 << 20} {
		got, err := ReadFile(context.Background(), path, limit)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("limit %d: got %q, %v; want %q", limit, got, err, want)
		}
	}
	_, err := ReadFile(context.Background(), path, 15)
	var le *LimitError
	if !errors.As(err, &le) || le.Limit != 15 || le.Name != path {
		t.Fatalf("limit 15: err = %v, want a *LimitError naming %s and 15", err, path)
	}
	if want := path + ": larger than 15 bytes, the most lstmfc reads"; err.Error() != want {
		t.Errorf("err = %q, want %q", err, want)
	}
}

// TestReadFileLargeRegular checks that a regular file over the limit is
// refused from its size: a sparse file of 1 TiB reads no data.
func TestReadFileLargeRegular(t *testing.T) {
	path := filepath.Join(t.TempDir(), "huge.bin")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(1 << 40); err != nil {
		f.Close()
		t.Skipf("cannot make a sparse file: %v", err)
	}
	f.Close()
	start := time.Now()
	_, err = ReadFile(context.Background(), path, MaxModelBytes)
	if want := path + ": larger than 256 MiB, the most lstmfc reads"; err == nil || err.Error() != want {
		t.Errorf("err = %v, want %q", err, want)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("took %v to refuse a file by its size", d)
	}
}

// TestReadFileDevZero reads an endless device: it must stop at the limit.
func TestReadFileDevZero(t *testing.T) {
	for _, limit := range []int64{1, 4096, MaxFontBytes, MaxModelBytes} {
		if limit == MaxModelBytes && testing.Short() {
			continue
		}
		start := time.Now()
		_, err := ReadFile(context.Background(), "/dev/zero", limit)
		var le *LimitError
		if !errors.As(err, &le) || le.Limit != limit {
			t.Fatalf("limit %d: err = %v, want a *LimitError", limit, err)
		}
		t.Logf("/dev/zero with limit %s: %v in %v", bytesString(limit), err, time.Since(start))
	}
}

func TestReadAll(t *testing.T) {
	got, err := ReadAll(context.Background(), strings.NewReader("abc"), "stdin", 3)
	if err != nil || string(got) != "abc" {
		t.Errorf("got %q, %v; want abc", got, err)
	}
	_, err = ReadAll(context.Background(), strings.NewReader("abcd"), "stdin", 3)
	if err == nil || err.Error() != "stdin: larger than 3 bytes, the most lstmfc reads" {
		t.Errorf("err = %v, want stdin larger than 3 bytes", err)
	}
	ctx, cancel := context.WithCancelCause(context.Background())
	cancel(errStop)
	if _, err := ReadAll(ctx, strings.NewReader("abc"), "stdin", 3); !errors.Is(err, errStop) {
		t.Errorf("cancelled: err = %v, want %v", err, errStop)
	}
}

// TestOpenFIFOWithoutWriter checks that waiting for a FIFO's writer ends
// when the context does, and leaves no goroutine behind.
func TestOpenFIFOWithoutWriter(t *testing.T) {
	path := fifo(t)
	before := runtime.NumGoroutine()
	start := time.Now()
	_, err := ReadFile(cancelAfter(t, 100*time.Millisecond), path, 100)
	latency := time.Since(start) - 100*time.Millisecond
	if !errors.Is(err, errStop) {
		t.Fatalf("err = %v, want %v", err, errStop)
	}
	t.Logf("open of a FIFO without a writer returned %v after the cancellation", latency)
	if latency > time.Second {
		t.Errorf("returned %v after the cancellation, want under a second", latency)
	}
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Errorf("%d goroutines after the cancelled open, %d before", n, before)
	}
}

// TestReadFIFOSilentWriter checks that a read waiting on a writer that
// never writes ends when the context does.
func TestReadFIFOSilentWriter(t *testing.T) {
	path := fifo(t)
	ready := make(chan *os.File, 1)
	go func() {
		w, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err != nil {
			ready <- nil
			return
		}
		w.WriteString("some")
		ready <- w
	}()
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	f, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w := <-ready
	if w == nil {
		t.Fatal("the writer could not open the FIFO")
	}
	defer w.Close()
	buf := make([]byte, 10)
	if n, err := io.ReadAtLeast(f, buf, 4); err != nil || string(buf[:n]) != "some" {
		t.Fatalf("read %q, %v; want some", buf[:n], err)
	}
	time.AfterFunc(100*time.Millisecond, func() { cancel(errStop) })
	start := time.Now()
	_, err = f.Read(buf)
	if !errors.Is(err, errStop) {
		t.Fatalf("err = %v, want %v", err, errStop)
	}
	if latency := time.Since(start) - 100*time.Millisecond; latency > time.Second {
		t.Errorf("returned %v after the cancellation, want under a second", latency)
	}
}

// TestReadFIFO reads what a writer sends through a FIFO.
func TestReadFIFO(t *testing.T) {
	path := fifo(t)
	go func() {
		w, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err != nil {
			return
		}
		w.WriteString("Date,Close\n")
		w.Close()
	}()
	got, err := ReadFile(cancelAfter(t, 10*time.Second), path, 100)
	if err != nil || string(got) != "Date,Close\n" {
		t.Errorf("got %q, %v; want the writer's line", got, err)
	}
}

// TestReadCancelledRegular checks that a long read of a regular file stops
// at the next read once the context is done.
func TestReadCancelledRegular(t *testing.T) {
	path := filepath.Join(t.TempDir(), "prices.csv")
	if err := os.WriteFile(path, []byte("Date,Close\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancelCause(context.Background())
	f, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, 4)
	if _, err := f.Read(buf); err != nil {
		t.Fatal(err)
	}
	cancel(errStop)
	if _, err := f.Read(buf); !errors.Is(err, errStop) {
		t.Errorf("err = %v, want %v", err, errStop)
	}
}

func TestNewReader(t *testing.T) {
	ctx, cancel := context.WithCancelCause(context.Background())
	r := NewReader(ctx, strings.NewReader("abcdef"))
	buf := make([]byte, 3)
	if n, err := r.Read(buf); n != 3 || err != nil {
		t.Fatalf("read %d, %v; want 3 bytes", n, err)
	}
	cancel(errStop)
	if _, err := r.Read(buf); !errors.Is(err, errStop) {
		t.Errorf("err = %v, want %v", err, errStop)
	}
}

func TestBytesString(t *testing.T) {
	for n, want := range map[int64]string{
		15: "15 bytes", 1024: "1 KiB", 1536: "1536 bytes", 64 << 20: "64 MiB", 1 << 30: "1 GiB", 3 << 30: "3 GiB",
	} {
		if got := bytesString(n); got != want {
			t.Errorf("bytesString(%d) = %q, want %q", n, got, want)
		}
	}
}

func ExampleReadFile() {
	b, err := ReadFile(context.Background(), "/dev/zero", MaxFontBytes)
	fmt.Println(len(b), err)
	// Output:
	// 0 /dev/zero: larger than 64 MiB, the most lstmfc reads
}

// TestReadAllChunks reads streams whose ends fall on and around the
// chunk boundaries.
func TestReadAllChunks(t *testing.T) {
	for _, n := range []int{0, 1, 64<<10 - 1, 64 << 10, 64<<10 + 1, 3*64<<10 + 5, maxChunk + 64<<10} {
		want := bytes.Repeat([]byte("0123456789abcdef"), n/16+1)[:n]
		got, err := ReadAll(context.Background(), iotest.HalfReader(bytes.NewReader(want)), "stdin", int64(n))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%d bytes: got %d bytes, %v", n, len(got), err)
		}
		if n > 0 {
			if _, err := ReadAll(context.Background(), bytes.NewReader(want), "stdin", int64(n-1)); err == nil {
				t.Errorf("%d bytes with limit %d: no error", n, n-1)
			}
		}
	}
}
