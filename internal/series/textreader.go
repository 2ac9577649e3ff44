package series

import (
	"bytes"
	"fmt"
	"io"
)

// MaxLineBytes is the longest physical line Load accepts. A longer line is
// refused as soon as it is seen, so a file with one enormous line (or no line
// breaks at all) is never buffered whole.
const MaxLineBytes = 1 << 20

// textReader passes a CSV byte stream through while enforcing that it looks
// like text: no NUL bytes and no line longer than MaxLineBytes. It counts
// physical lines so its errors can name the line.
type textReader struct {
	r    io.Reader
	file string
	line int // 1-based physical line of the next byte
	run  int // bytes read so far on the current line
	err  error
}

func newTextReader(r io.Reader, file string) *textReader {
	return &textReader{r: r, file: file, line: 1}
}

// Read implements io.Reader.
func (t *textReader) Read(p []byte) (int, error) {
	if t.err != nil {
		return 0, t.err
	}
	n, err := t.r.Read(p)
	if i := bytes.IndexByte(p[:n], 0); i >= 0 {
		t.scan(p[:i])
		t.err = &ParseError{File: t.file, Line: t.line, Msg: "NUL byte: not a text CSV file (binary data or UTF-16?)"}
		return 0, t.err
	}
	if !t.scan(p[:n]) {
		t.err = &ParseError{File: t.file, Line: t.line, Msg: fmt.Sprintf("line is longer than %d bytes (1 MiB)", MaxLineBytes)}
		return 0, t.err
	}
	return n, err
}

// scan advances the line counters over b. It reports false when the
// current line grows past MaxLineBytes, leaving t.line on that line.
func (t *textReader) scan(b []byte) bool {
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			t.run += len(b)
			return t.run <= MaxLineBytes
		}
		if t.run+i > MaxLineBytes {
			return false
		}
		t.line++
		t.run = 0
		b = b[i+1:]
	}
	return true
}
