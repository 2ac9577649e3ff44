package atomicfile

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// errStop is the cause the tests cancel with.
var errStop = errors.New("stopped by the test")

// writeString is a write function giving s.
func writeString(s string) func(w io.Writer) error {
	return func(w io.Writer) error {
		_, err := io.WriteString(w, s)
		return err
	}
}

// mustRead returns the content of path.
func mustRead(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestWriteUmask(t *testing.T) {
	for _, test := range []struct {
		umask int
		want  fs.FileMode
	}{{0o022, 0o644}, {0o077, 0o600}, {0o002, 0o664}} {
		setUmask(t, test.umask)
		path := filepath.Join(t.TempDir(), "m.bin")
		if err := Write(context.Background(), path, writeString("x")); err != nil {
			t.Fatal(err)
		}
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got != test.want {
			t.Errorf("umask %04o: new file's mode %v, want %v", test.umask, got, test.want)
		}
	}
}

func TestWriteKeepsMode(t *testing.T) {
	setUmask(t, 0o022)
	for _, mode := range []fs.FileMode{0o600, 0o640, 0o666, 0o755} {
		path := filepath.Join(t.TempDir(), "m.bin")
		if err := os.WriteFile(path, []byte("old"), 0); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(path, mode); err != nil {
			t.Fatal(err)
		}
		if err := Write(context.Background(), path, writeString("new")); err != nil {
			t.Fatal(err)
		}
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got != mode {
			t.Errorf("mode %v became %v", mode, got)
		}
		if got := mustRead(t, path); got != "new" {
			t.Errorf("content %q, want new", got)
		}
	}
}

// TestWriteSymlink checks that writing through links replaces the file
// they name, in that file's directory, and leaves the links as links.
func TestWriteSymlink(t *testing.T) {
	linkDir, fileDir := t.TempDir(), t.TempDir()
	target := filepath.Join(fileDir, "m.bin")
	if err := os.WriteFile(target, []byte("old"), 0o640); err != nil {
		t.Fatal(err)
	}
	abs := filepath.Join(linkDir, "abs")
	if err := os.Symlink(target, abs); err != nil {
		t.Fatal(err)
	}
	// A relative link in fileDir, reached through an absolute one.
	rel := filepath.Join(fileDir, "rel")
	if err := os.Symlink("m.bin", rel); err != nil {
		t.Fatal(err)
	}
	chain := filepath.Join(linkDir, "chain")
	if err := os.Symlink(rel, chain); err != nil {
		t.Fatal(err)
	}
	for _, link := range []string{abs, rel, chain} {
		if err := Write(context.Background(), link, writeString("via "+filepath.Base(link))); err != nil {
			t.Fatal(err)
		}
		if got, want := mustRead(t, target), "via "+filepath.Base(link); got != want {
			t.Errorf("%s: target holds %q, want %q", link, got, want)
		}
		if fi, err := os.Lstat(link); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
			t.Errorf("%s is no longer a symbolic link", link)
		}
	}
	if fi, err := os.Stat(target); err != nil || fi.Mode().Perm() != 0o640 {
		t.Errorf("target's mode changed: %v, %v", fi, err)
	}
	if names := entries(t, linkDir); len(names) != 2 {
		t.Errorf("link directory holds %q, want the two links", names)
	}
	if names := entries(t, fileDir); len(names) != 2 {
		t.Errorf("file directory holds %q, want m.bin and rel", names)
	}
}

// TestWriteDanglingSymlink creates the file a link names.
func TestWriteDanglingSymlink(t *testing.T) {
	dir := t.TempDir()
	link := filepath.Join(dir, "out.csv")
	if err := os.Symlink("made.csv", link); err != nil {
		t.Fatal(err)
	}
	if err := Write(context.Background(), link, writeString("made")); err != nil {
		t.Fatal(err)
	}
	if got := mustRead(t, filepath.Join(dir, "made.csv")); got != "made" {
		t.Errorf("made.csv holds %q", got)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		t.Errorf("%s is no longer a symbolic link", link)
	}
}

func TestWriteSymlinkLoop(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	if err := os.Symlink(b, a); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(a, b); err != nil {
		t.Fatal(err)
	}
	err := Write(context.Background(), a, writeString("x"))
	if err == nil || !strings.HasPrefix(err.Error(), "cannot write "+a+": ") {
		t.Errorf("err = %v, want a one-line refusal naming %s", err, a)
	}
}

// TestWriteLongName writes files whose names are as long as Linux allows:
// the temporary name must still fit.
func TestWriteLongName(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{
		strings.Repeat("m", 255),
		strings.Repeat("m", 250) + ".bin",
		strings.Repeat("股", 85), // 255 bytes, 3 to a rune
	} {
		path := filepath.Join(dir, name)
		if err := Write(context.Background(), path, writeString("long")); err != nil {
			t.Fatalf("%d-byte name: %v", len(name), err)
		}
		if got := mustRead(t, path); got != "long" {
			t.Errorf("%d-byte name: content %q", len(name), got)
		}
	}
	if names := entries(t, dir); len(names) != 3 {
		t.Errorf("directory holds %d names, want 3", len(names))
	}
}

func TestTruncate(t *testing.T) {
	for _, test := range []struct {
		s    string
		n    int
		want string
	}{{"abc", 5, "abc"}, {"abc", 2, "ab"}, {"a股", 3, "a"}, {"a股", 4, "a股"}, {"股", 0, ""}} {
		if got := truncate(test.s, test.n); got != test.want {
			t.Errorf("truncate(%q, %d) = %q, want %q", test.s, test.n, got, test.want)
		}
	}
}

// TestWriteCancelled checks that a write stopped by its context keeps the
// old file and leaves no temporary file.
func TestWriteCancelled(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "m.bin")
	if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancelCause(context.Background())
	err := Write(ctx, path, func(w io.Writer) error {
		cancel(errStop)
		// More than the buffer holds, so the cancelled writer sees it.
		_, err := w.Write(make([]byte, 1<<16))
		return err
	})
	if !errors.Is(err, errStop) {
		t.Fatalf("err = %v, want %v", err, errStop)
	}
	if got := mustRead(t, path); got != "old" {
		t.Errorf("old file changed to %q", got)
	}
	if names := entries(t, dir); len(names) != 1 {
		t.Errorf("directory holds %q, want only m.bin", names)
	}
	// Cancelled before the call: nothing is created at all.
	called := false
	err = Write(ctx, filepath.Join(dir, "new.bin"), func(w io.Writer) error { called = true; return nil })
	if !errors.Is(err, errStop) || called {
		t.Errorf("err = %v, called = %v; want %v before write is called", err, called, errStop)
	}
}

// TestWriteCancelRemovesTempAtOnce checks that the temporary file goes as
// soon as the context is cancelled, while write still runs: a process that
// exits then leaves nothing behind.
func TestWriteCancelRemovesTempAtOnce(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "m.bin")
	ctx, cancel := context.WithCancelCause(context.Background())
	writing, release := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- Write(ctx, path, func(w io.Writer) error {
			close(writing)
			<-release // a slow encoder or sync
			return nil
		})
	}()
	<-writing
	if names := entries(t, dir); len(names) != 1 || !strings.HasPrefix(names[0], ".m.bin.tmp") {
		t.Fatalf("directory holds %q, want one temporary file", names)
	}
	cancel(errStop)
	deadline := time.Now().Add(time.Second)
	for len(entries(t, dir)) > 0 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if names := entries(t, dir); len(names) != 0 {
		t.Errorf("directory holds %q after the cancellation, while write runs", names)
	}
	close(release)
	if err := <-done; !errors.Is(err, errStop) {
		t.Errorf("err = %v, want %v", err, errStop)
	}
	if names := entries(t, dir); len(names) != 0 {
		t.Errorf("directory holds %q, want nothing", names)
	}
}

// mknod makes a character device like /dev/null (1, 3) or /dev/full (1, 7)
// in a temporary directory, so a faulty Write cannot replace the real one.
func mknod(t *testing.T, minor int) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "dev")
	if err := syscall.Mknod(path, syscall.S_IFCHR|0o666, 1<<8|minor); err != nil {
		t.Skipf("cannot make a device node: %v", err)
	}
	return path
}

func TestWriteCharDevice(t *testing.T) {
	null := mknod(t, 3)
	if err := Write(context.Background(), null, writeString("discarded")); err != nil {
		t.Errorf("writing to a null device: %v", err)
	}
	full := mknod(t, 7)
	err := Write(context.Background(), full, writeString("no room"))
	if !errors.Is(err, syscall.ENOSPC) {
		t.Errorf("writing to a full device: err = %v, want no space left on device", err)
	}
	for _, dev := range []string{null, full} {
		fi, err := os.Lstat(dev)
		if err != nil || fi.Mode()&fs.ModeCharDevice == 0 {
			t.Errorf("%s is no longer a character device: %v, %v", dev, fi, err)
		}
		if names := entries(t, filepath.Dir(dev)); len(names) != 1 {
			t.Errorf("device directory holds %q", names)
		}
	}
}

// TestWriteDevFull writes to the real /dev/full, which Write must not
// replace; it is only run where Write could not replace it anyway.
func TestWriteDevFull(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("as root a faulty Write could replace /dev/full; TestWriteCharDevice covers it")
	}
	if err := Write(context.Background(), "/dev/full", writeString("x")); !errors.Is(err, syscall.ENOSPC) {
		t.Errorf("err = %v, want no space left on device", err)
	}
}

func mkfifo(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "pipe")
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Skipf("cannot make a FIFO: %v", err)
	}
	return path
}

func TestWriteFIFO(t *testing.T) {
	path := mkfifo(t)
	got := make(chan string, 1)
	go func() {
		f, err := os.Open(path)
		if err != nil {
			got <- err.Error()
			return
		}
		defer f.Close()
		b, _ := io.ReadAll(f)
		got <- string(b)
	}()
	if err := Write(context.Background(), path, writeString("to the reader")); err != nil {
		t.Fatal(err)
	}
	if s := <-got; s != "to the reader" {
		t.Errorf("reader got %q", s)
	}
	if fi, err := os.Lstat(path); err != nil || fi.Mode()&fs.ModeNamedPipe == 0 {
		t.Errorf("%s is no longer a FIFO", path)
	}
}

func TestWriteFIFOWithoutReader(t *testing.T) {
	path := mkfifo(t)
	ctx, cancel := context.WithCancelCause(context.Background())
	time.AfterFunc(100*time.Millisecond, func() { cancel(errStop) })
	start := time.Now()
	err := Write(ctx, path, writeString("nobody"))
	if !errors.Is(err, errStop) {
		t.Fatalf("err = %v, want %v", err, errStop)
	}
	latency := time.Since(start) - 100*time.Millisecond
	t.Logf("open of a FIFO without a reader returned %v after the cancellation", latency)
	if latency > time.Second {
		t.Errorf("returned %v after the cancellation", latency)
	}
	if names := entries(t, filepath.Dir(path)); len(names) != 1 {
		t.Errorf("directory holds %q, want only the FIFO", names)
	}
}

func TestWriteRefusesSocket(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sock")
	l, err := net.Listen("unix", path)
	if err != nil {
		t.Skipf("cannot make a socket: %v", err)
	}
	defer l.Close()
	err = Write(context.Background(), path, writeString("x"))
	if want := "cannot write " + path + ": is a socket, not a file"; err == nil || err.Error() != want {
		t.Errorf("err = %v, want %q", err, want)
	}
}

func TestDetach(t *testing.T) {
	run, stop := context.WithCancelCause(context.Background())
	stop(errStop)
	if ctx := Detach(run); ctx.Err() != nil {
		t.Errorf("Detach without WithAbort: %v, want a live context", ctx.Err())
	}
	abort, kill := context.WithCancelCause(context.Background())
	run, stop = context.WithCancelCause(abort)
	run = WithAbort(run, abort)
	stop(errStop)
	save := Detach(run)
	if save.Err() != nil {
		t.Fatalf("the save context is done after the first cancellation: %v", save.Err())
	}
	errAgain := errors.New("second signal")
	kill(errAgain)
	if !errors.Is(context.Cause(save), errAgain) {
		t.Errorf("the save context's cause is %v, want %v", context.Cause(save), errAgain)
	}
}

// TestWriteProcFD writes to a pipe named by /proc/self/fd, as /dev/stdout
// names standard output: its link does not name a file in any directory,
// so it must be written to, not replaced.
func TestWriteProcFD(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	path := "/proc/self/fd/" + strconv.Itoa(int(w.Fd()))
	if _, err := os.Stat(path); err != nil {
		w.Close()
		t.Skipf("no /proc: %v", err)
	}
	err = Write(context.Background(), path, writeString("through the pipe"))
	w.Close()
	if err != nil {
		t.Fatal(err)
	}
	if b, err := io.ReadAll(r); err != nil || string(b) != "through the pipe" {
		t.Errorf("read %q, %v", b, err)
	}
}
