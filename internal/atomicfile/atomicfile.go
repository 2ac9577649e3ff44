// Package atomicfile replaces files so that a reader, or a crash, sees either
// the old content or the new content, never a partial write.
//
// Only regular files (and paths that do not exist yet) are replaced that way:
// a character device such as /dev/null or a terminal, and a FIFO, are written
// to directly, and a symbolic link is followed to the file it names, which is
// replaced in its own directory while the link stays a link.
package atomicfile

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"time"
	"unicode/utf8"
)

// maxNameBytes is the longest file name Linux file systems accept.
const maxNameBytes = 255

// maxLinks is how many symbolic links Write follows, as the kernel does
// before it gives ELOOP.
const maxLinks = 40

// Write creates or replaces the file at path with what write produces.
//
// For a regular file or a missing path, the content goes to a temporary file
// in the same directory, which is synced and renamed over path, so path never
// holds a partial file. An existing file keeps its permission bits; a new
// one gets 0666 less the process's umask. A character device or a FIFO is
// written to directly (opening a FIFO waits for its reader); a directory,
// socket or block device is refused.
//
// When ctx is done before the content is in place, Write stops, removes its
// temporary file at once (even while write or a sync is still running) and
// returns the context's cause; path is left as it was. So a context cancelled
// by a signal leaves no temporary file behind. A save that must still happen
// after a first signal should use a context only a later signal cancels (see
// Detach).
//
// On any error, including one returned by write, the temporary file is
// removed and an existing file at path is left untouched. The writer passed
// to write is buffered. Errors name path.
func Write(ctx context.Context, path string, write func(w io.Writer) error) error {
	if err := writeFile(ctx, path, write); err != nil {
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	return nil
}

func writeFile(ctx context.Context, path string, write func(w io.Writer) error) error {
	if ctx.Err() != nil {
		return context.Cause(ctx)
	}
	// Stat follows links as open does, /proc/self/fd's included, so
	// /dev/stdout is seen as the pipe or terminal it stands for.
	fi, err := os.Stat(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return unwrap(err)
	}
	if err != nil || fi.Mode().IsRegular() {
		target, err := resolve(path)
		if err != nil {
			return err
		}
		return replace(ctx, target, fi, write)
	}
	switch mode := fi.Mode(); {
	case mode&fs.ModeCharDevice != 0, mode&fs.ModeNamedPipe != 0:
		return writeStream(ctx, path, mode, write)
	case mode.IsDir():
		return errors.New("is a directory")
	case mode&fs.ModeSocket != 0:
		return errors.New("is a socket, not a file")
	case mode&fs.ModeDevice != 0:
		// Writing would overwrite a disk, and renaming over it would
		// remove the device node: neither is what an output means.
		return errors.New("is a block device; refusing to write to it")
	}
	return fmt.Errorf("is not a regular file (%v)", fi.Mode().Type())
}

// resolve follows symbolic links from path to the file they name, which may
// not exist yet: a link may name a file still to be created.
func resolve(path string) (string, error) {
	for range maxLinks {
		fi, err := os.Lstat(path)
		if errors.Is(err, fs.ErrNotExist) {
			return path, nil
		}
		if err != nil {
			return "", unwrap(err)
		}
		if fi.Mode()&fs.ModeSymlink == 0 {
			return path, nil
		}
		dest, err := os.Readlink(path)
		if err != nil {
			return "", unwrap(err)
		}
		if !filepath.IsAbs(dest) {
			// Relative to the link's directory, not ours.
			dest = filepath.Join(filepath.Dir(path), dest)
		}
		path = dest
	}
	return "", errors.New("too many levels of symbolic links")
}

// unwrap drops the operation and file name of an *fs.PathError, which name
// an internal path such as a temporary file's; Write names the user's path.
func unwrap(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// replace writes a temporary file next to path and renames it over path.
// old is path's information, nil when path does not exist.
func replace(ctx context.Context, path string, old fs.FileInfo, write func(w io.Writer) error) (err error) {
	// A new file is created 0666 so the kernel applies the umask; a
	// replacement starts private and gets old's bits once it is complete.
	perm := fs.FileMode(0o666)
	if old != nil {
		perm = 0o600
	}
	f, err := createTemp(path, perm)
	if err != nil {
		return err
	}
	tmp := f.Name()
	// The goroutine running write may be deep in a sync when a second
	// signal comes and the process is about to exit: remove the temporary
	// file from the signal's side at once rather than wait for it.
	removed := context.AfterFunc(ctx, func() { os.Remove(tmp) })
	defer func() {
		if err != nil {
			removed()
			f.Close()
			os.Remove(tmp)
		}
	}()
	if err := fill(ctx, f, write); err != nil {
		return err
	}
	if old != nil {
		if err := f.Chmod(old.Mode().Perm()); err != nil {
			return unwrap(err)
		}
	}
	if err := f.Sync(); err != nil {
		return unwrap(err)
	}
	if err := f.Close(); err != nil {
		return unwrap(err)
	}
	if !removed() {
		// ctx is done and the temporary file is gone or going.
		return context.Cause(ctx)
	}
	return unwrap(os.Rename(tmp, path))
}

// createTemp creates a new file for path's content in path's directory,
// with a name that fits the file system's limit however long path's name
// is.
func createTemp(path string, perm fs.FileMode) (*os.File, error) {
	dir, base := filepath.Split(path)
	for range 10000 {
		suffix := ".tmp" + strconv.FormatUint(uint64(rand.Uint32()), 10)
		name := "." + truncate(base, maxNameBytes-1-len(suffix)) + suffix
		f, err := os.OpenFile(filepath.Join(dir, name), os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return nil, unwrap(err)
		}
		return f, nil
	}
	return nil, errors.New("cannot find an unused temporary file name")
}

// truncate shortens s to at most n bytes without splitting a UTF-8
// sequence.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// pollInterval is how often Write retries opening a FIFO that has no
// reader yet.
const pollInterval = 50 * time.Millisecond

// writeStream writes straight to a character device or FIFO, which cannot
// be replaced and must not be: a rename would put a regular file where
// /dev/null was, and a FIFO's reader would get nothing.
func writeStream(ctx context.Context, path string, mode fs.FileMode, write func(w io.Writer) error) error {
	f, err := openStream(ctx, path, mode)
	if err != nil {
		return err
	}
	// A FIFO is in Go's poller, so a deadline ends a write blocked on a
	// reader that stopped reading.
	stop := context.AfterFunc(ctx, func() { f.SetWriteDeadline(time.Now()) })
	defer stop()
	if err := fill(ctx, f, write); err != nil {
		f.Close()
		return err
	}
	return unwrap(f.Close())
}

// openStream opens a character device or FIFO for writing. Opening a FIFO
// without O_NONBLOCK blocks in the kernel until a reader comes, out of reach
// of ctx; with it the open fails with ENXIO until then, so it is retried
// until a reader comes or ctx is done.
func openStream(ctx context.Context, path string, mode fs.FileMode) (*os.File, error) {
	if mode&fs.ModeNamedPipe == 0 {
		f, err := os.OpenFile(path, os.O_WRONLY, 0)
		return f, unwrap(err)
	}
	tick := time.NewTicker(pollInterval)
	defer tick.Stop()
	for {
		f, err := os.OpenFile(path, os.O_WRONLY|syscall.O_NONBLOCK, 0)
		if !errors.Is(err, syscall.ENXIO) {
			return f, unwrap(err)
		}
		select {
		case <-ctx.Done():
			return nil, context.Cause(ctx)
		case <-tick.C:
		}
	}
}

// fill writes the content to f through a buffer, stopping when ctx is done.
func fill(ctx context.Context, f *os.File, write func(w io.Writer) error) error {
	bw := bufio.NewWriter(ctxWriter{ctx, f})
	if err := write(bw); err != nil {
		return err
	}
	return bw.Flush()
}

// ctxWriter writes to f until ctx is done.
type ctxWriter struct {
	ctx context.Context
	f   *os.File
}

func (w ctxWriter) Write(p []byte) (int, error) {
	if w.ctx.Err() != nil {
		return 0, context.Cause(w.ctx)
	}
	n, err := w.f.Write(p)
	if err != nil && w.ctx.Err() != nil {
		return n, context.Cause(w.ctx) // the deadline set when ctx was done
	}
	return n, unwrap(err)
}

// abortKey is the context key of the context WithAbort stores.
type abortKey struct{}

// WithAbort returns a copy of ctx carrying abort, a context cancelled only
// after ctx is (by a second signal where ctx is cancelled by the first), for
// Detach to return.
func WithAbort(ctx, abort context.Context) context.Context {
	return context.WithValue(ctx, abortKey{}, abort)
}

// Detach returns the context for a write that must still happen once ctx is
// cancelled, such as saving the model of an interrupted run: the context
// stored by WithAbort, or else ctx without its cancellation. So the save
// survives the first signal, and a second signal still stops it and removes
// its temporary file.
func Detach(ctx context.Context) context.Context {
	if abort, ok := ctx.Value(abortKey{}).(context.Context); ok {
		return abort
	}
	return context.WithoutCancel(ctx)
}
