// Package userfile reads files named by the user without trusting them: a
// directory is refused with a clear message, opening a FIFO that no process
// writes to and reading a file that never ends both stop when the context is
// done, and whole-file reads stop at a stated size before the data is held
// in memory. CheckOutput keeps an output from replacing an input.
package userfile

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"
	"time"
)

// Limits on whole-file reads, generous for real use and small enough that a
// wrong path (/dev/zero, a disk image) fails in a second or two instead of
// filling memory: a stream's size is known only by reading it, and every
// byte read is held.
const (
	// MaxModelBytes bounds a model file: room for 20 million float64
	// weights (two LSTM layers of 1,200 units) beside a stored series of
	// series.MaxRows prices (about 100 MB as JSON text).
	MaxModelBytes = 256 << 20
	// MaxTableBytes bounds a predictions CSV: 2.5 million rows at about
	// 100 bytes a row (date, split, actual, predicted and an interval),
	// far more points than a chart can show.
	MaxTableBytes = 256 << 20
	// MaxFontBytes bounds a font file: three times the largest font the
	// chart looks for (Noto Sans CJK Regular, a 20 MB collection).
	MaxFontBytes = 64 << 20
)

// LimitError is a file larger than the limit a whole-file read allows.
type LimitError struct {
	Name  string // the path, or the name given for a stream
	Limit int64  // bytes
}

func (e *LimitError) Error() string {
	return fmt.Sprintf("%s: larger than %s, the most lstmfc reads", e.Name, bytesString(e.Limit))
}

// bytesString shows a limit in the largest binary unit that divides it.
func bytesString(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// File is a file opened for reading by Open. Its reads return the context's
// cause once the context is done, even a read blocked on a FIFO or
// terminal that has nothing to say.
type File struct {
	f    *os.File
	ctx  context.Context
	stop func() bool // unregisters the deadline set when ctx is done
	size int64       // for a regular file; -1 for a stream
}

// Open opens the file at path for reading. A directory is refused. Opening a
// FIFO waits for a writer, as reading one should, but returns the context's
// cause as soon as ctx is done. Errors start with path.
func Open(ctx context.Context, path string) (*File, error) {
	f, err := open(ctx, path)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, pathError(path, err)
	}
	if fi.IsDir() {
		f.Close()
		return nil, fmt.Errorf("%s is a directory, not a file", path)
	}
	size := int64(-1)
	if fi.Mode().IsRegular() {
		size = fi.Size()
	}
	// A FIFO or terminal is in Go's poller, so a deadline ends a read that
	// waits on it; a regular file ignores deadlines, but its reads never
	// wait long, and Read checks ctx before each one.
	stop := context.AfterFunc(ctx, func() { f.SetReadDeadline(time.Now()) })
	return &File{f: f, ctx: ctx, stop: stop, size: size}, nil
}

// open opens path, giving up when ctx is done. open(2) of a FIFO blocks in
// the kernel until a writer arrives, beyond the reach of any deadline, so it
// runs in a goroutine of its own.
func open(ctx context.Context, path string) (*os.File, error) {
	if err := ctx.Err(); err != nil {
		return nil, context.Cause(ctx)
	}
	type result struct {
		f   *os.File
		err error
	}
	done := make(chan result, 1)
	go func() {
		f, err := os.Open(path)
		done <- result{f, err}
	}()
	select {
	case r := <-done:
		if r.err != nil {
			return nil, pathError(path, r.err)
		}
		return r.f, nil
	case <-ctx.Done():
	}
	// The open is waiting for a FIFO's writer. Be that writer for an
	// instant, so the goroutine's open returns and nothing is left blocked.
	// Only a FIFO: opening a device to write may do something (a watchdog
	// starts counting).
	if fi, err := os.Stat(path); err == nil && fi.Mode()&fs.ModeNamedPipe != 0 {
		if w, err := os.OpenFile(path, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
			w.Close()
		}
	}
	go func() {
		if r := <-done; r.f != nil {
			r.f.Close()
		}
	}()
	return nil, context.Cause(ctx)
}

// pathError puts path at the start of err, without the operation's name
// that *fs.PathError adds.
func pathError(path string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return fmt.Errorf("%s: %w", path, err)
}

// Read reads from the file, or returns the context's cause once it is done.
func (f *File) Read(p []byte) (int, error) {
	if f.ctx.Err() != nil {
		return 0, context.Cause(f.ctx)
	}
	n, err := f.f.Read(p)
	if err != nil && f.ctx.Err() != nil {
		// The deadline set when ctx was done, not a fault of the file.
		return n, context.Cause(f.ctx)
	}
	return n, err
}

// Close closes the file.
func (f *File) Close() error {
	f.stop()
	return f.f.Close()
}

// ReadFile reads the whole file at path, as os.ReadFile does, refusing a
// file of more than limit bytes with a *LimitError. A regular file's size is
// checked before anything is read; a device or FIFO is read until it passes
// the limit, so memory never holds more than limit bytes of a file refused.
func ReadFile(ctx context.Context, path string, limit int64) ([]byte, error) {
	f, err := Open(ctx, path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if f.size > limit {
		return nil, &LimitError{Name: path, Limit: limit}
	}
	return readAll(f, path, limit, f.size)
}

// ReadAll reads r to its end, as io.ReadAll does, stopping with the
// context's cause when ctx is done and with a *LimitError naming name when r
// holds more than limit bytes. It is for streams such as standard input.
func ReadAll(ctx context.Context, r io.Reader, name string, limit int64) ([]byte, error) {
	return readAll(NewReader(ctx, r), name, limit, -1)
}

// readAll reads r to its end or past limit. size, when known, sizes the
// first read to take the whole file at once; a file that grows meanwhile,
// or a stream, is read in chunks of growing size, so that an endless stream
// costs at most limit bytes (no copying while it grows) before it is
// refused.
func readAll(r io.Reader, name string, limit, size int64) ([]byte, error) {
	next := int64(64 << 10)
	if size >= 0 {
		next = size + 1 // +1 to see the end
	}
	var chunks [][]byte
	total := int64(0)
	for {
		chunk := make([]byte, min(next, limit+1-total))
		n, err := io.ReadFull(r, chunk)
		chunks = append(chunks, chunk[:n])
		total += int64(n)
		if total > limit {
			return nil, &LimitError{Name: name, Limit: limit}
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			if len(chunks) == 1 {
				return chunks[0], nil
			}
			return bytes.Join(chunks, nil), nil
		}
		if err != nil {
			return nil, err
		}
		next = min(max(2*next, 64<<10), maxChunk)
	}
}

// maxChunk is the largest single read of a stream.
const maxChunk = 16 << 20

// reader is an io.Reader that stops when its context is done.
type reader struct {
	ctx context.Context
	r   io.Reader
}

// NewReader returns a reader that reads from r until ctx is done, and then
// returns the context's cause. It is for streams that Open did not open,
// such as standard input: a read already waiting on r is not interrupted,
// but the next one does not start.
func NewReader(ctx context.Context, r io.Reader) io.Reader {
	return &reader{ctx: ctx, r: r}
}

func (r *reader) Read(p []byte) (int, error) {
	if r.ctx.Err() != nil {
		return 0, context.Cause(r.ctx)
	}
	return r.r.Read(p)
}
