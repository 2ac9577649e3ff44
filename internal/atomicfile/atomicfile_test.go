package atomicfile

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// entries returns the names in dir, so tests can see leftover temporary files.
func entries(t *testing.T, dir string) []string {
	t.Helper()
	des, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	names := make([]string, len(des))
	for i, de := range des {
		names[i] = de.Name()
	}
	return names
}

// setUmask sets the process's umask for one test. The tests of this
// package do not run in parallel, so no other test sees it.
func setUmask(t *testing.T, mask int) {
	old := syscall.Umask(mask)
	t.Cleanup(func() { syscall.Umask(old) })
}

func TestWriteCreates(t *testing.T) {
	setUmask(t, 0o022)
	dir := t.TempDir()
	path := filepath.Join(dir, "m.bin")
	if err := Write(context.Background(), path, func(w io.Writer) error {
		_, err := io.WriteString(w, "new content")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != "new content" {
		t.Errorf("content = %q, want %q", got, "new content")
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if mode := fi.Mode().Perm(); mode != 0o644 {
		t.Errorf("mode = %v, want 0644", mode)
	}
	if names := entries(t, dir); len(names) != 1 {
		t.Errorf("directory holds %q, want only m.bin", names)
	}
}

func TestWriteReplaces(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "m.bin")
	if err := os.WriteFile(path, []byte("a longer old content"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := Write(context.Background(), path, func(w io.Writer) error {
		_, err := io.WriteString(w, "new")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != "new" {
		t.Errorf("content = %q, want %q", got, "new")
	}
}

func TestWriteErrorKeepsOldFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "m.bin")
	old := []byte("old content\x00\xff")
	if err := os.WriteFile(path, old, 0o600); err != nil {
		t.Fatal(err)
	}
	errEncode := errors.New("encoder failed")
	err := Write(context.Background(), path, func(w io.Writer) error {
		// Write more than the buffer holds so that part of it reaches
		// the temporary file before the failure.
		if _, err := w.Write(make([]byte, 1<<16)); err != nil {
			return err
		}
		return errEncode
	})
	if !errors.Is(err, errEncode) {
		t.Fatalf("err = %v, want it to wrap %v", err, errEncode)
	}
	if want := "cannot write " + path + ": encoder failed"; err.Error() != want {
		t.Errorf("err = %q, want %q", err, want)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(old) {
		t.Errorf("old file changed to %q, want %q", got, old)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if mode := fi.Mode().Perm(); mode != 0o600 {
		t.Errorf("old file's mode changed to %v, want 0600", mode)
	}
	if names := entries(t, dir); len(names) != 1 {
		t.Errorf("directory holds %q, want only m.bin", names)
	}
}

func TestWriteBadDirectory(t *testing.T) {
	dir := t.TempDir()
	// A regular file as the parent refuses creation even for root, who
	// ignores permission bits.
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, test := range []struct {
		path string
		want string
	}{
		{filepath.Join(dir, "missing", "m.bin"), "no such file or directory"},
		{filepath.Join(file, "m.bin"), "not a directory"},
	} {
		called := false
		err := Write(context.Background(), test.path, func(w io.Writer) error {
			called = true
			return nil
		})
		if err == nil {
			t.Errorf("Write(%s) succeeded, want error", test.path)
			continue
		}
		if want := fmt.Sprintf("cannot write %s: %s", test.path, test.want); err.Error() != want {
			t.Errorf("err = %q, want %q", err, want)
		}
		if called {
			t.Errorf("Write(%s) called write although the file cannot be created", test.path)
		}
	}
	if names := entries(t, dir); len(names) != 1 {
		t.Errorf("directory holds %q, want only file", names)
	}
}

func TestWriteUnwritableDirectory(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("running as root, which ignores directory permissions; TestWriteBadDirectory covers creation failures")
	}
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o555); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(dir, 0o755) })
	path := filepath.Join(dir, "m.bin")
	err := Write(context.Background(), path, func(w io.Writer) error { return nil })
	if !errors.Is(err, fs.ErrPermission) {
		t.Fatalf("err = %v, want permission denied", err)
	}
	if !strings.HasPrefix(err.Error(), "cannot write "+path+": ") {
		t.Errorf("err = %q does not name %s", err, path)
	}
}

func TestWriteOverDirectory(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "m.bin")
	if err := os.Mkdir(path, 0o755); err != nil {
		t.Fatal(err)
	}
	err := Write(context.Background(), path, func(w io.Writer) error {
		_, err := io.WriteString(w, "x")
		return err
	})
	if err == nil {
		t.Fatal("Write over a directory succeeded, want error")
	}
	if !strings.HasPrefix(err.Error(), "cannot write "+path+": ") {
		t.Errorf("err = %q does not name %s", err, path)
	}
	if fi, err := os.Stat(path); err != nil || !fi.IsDir() {
		t.Errorf("directory at %s was disturbed", path)
	}
	if names := entries(t, dir); len(names) != 1 {
		t.Errorf("directory holds %q, want only m.bin", names)
	}
}

func ExampleWrite() {
	dir, err := os.MkdirTemp("", "atomicfile")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "greeting.txt")
	err = Write(context.Background(), path, func(w io.Writer) error {
		_, err := fmt.Fprintln(w, "hello")
		return err
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	b, err := os.ReadFile(path)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(string(b))
	// Output:
	// hello
}
