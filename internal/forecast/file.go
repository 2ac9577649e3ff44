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

// LoadFile reads the model file at path. Errors start with path.
func LoadFile(path string) (*lstm.Model, map[string]string, error) {
	b, err := os.ReadFile(path)
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
