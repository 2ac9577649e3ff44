// Package atomicfile replaces files so that a reader, or a crash, sees either
// the old content or the new content, never a partial write.
package atomicfile

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// Write creates or replaces the file at path with what write produces.
//
// The content goes to a temporary file in the same directory, which is
// synced, given mode 0644 and renamed over path, so path never holds a
// partial file. On any error, including one returned by write, the temporary
// file is removed and an existing file at path is left untouched. The writer
// passed to write is buffered. If path is a symbolic link, the link itself is
// replaced. Errors name path.
func Write(path string, write func(w io.Writer) error) error {
	// The temporary file must be in the same directory as path: rename is
	// only atomic within one file system.
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		// The temporary name is an implementation detail; report only why
		// the directory refused it.
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	if err := fill(f, write); err != nil {
		f.Close()
		os.Remove(f.Name())
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	return nil
}

// fill writes the content to f and makes it durable, closing f on success.
func fill(f *os.File, write func(w io.Writer) error) error {
	bw := bufio.NewWriter(f)
	if err := write(bw); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	// CreateTemp makes the file 0600; a saved model or output is meant to
	// be readable like any other file the user writes.
	if err := f.Chmod(0o644); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	return f.Close()
}
