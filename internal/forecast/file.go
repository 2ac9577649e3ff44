package forecast

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/lstmfc/lstmfc/internal/atomicfile"
	"github.com/lstmfc/lstmfc/internal/lstm"
)

// SaveFile writes net and meta to the model file at path, replacing it
// atomically, so a failed save leaves any previous file intact.
func SaveFile(path string, net *lstm.Model, meta map[string]string) error {
	return atomicfile.Write(path, func(w io.Writer) error { return lstm.Encode(w, net, meta) })
}

// LoadFile reads the model file at path, no further than one byte past
// the largest model file, so that a device or a huge file is refused
// rather than read until memory runs out. Errors start with path.
func LoadFile(path string) (*lstm.Model, map[string]string, error) {
	b, err := readAtMost(path, lstm.MaxFileSize+1)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	net, meta, err := lstm.Decode(b)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	return net, meta, nil
}

// readAtMost returns the first n bytes of the file at path, or all of it
// if it is shorter.
func readAtMost(path string, n int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, n))
}
