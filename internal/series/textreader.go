package series

import (
	"bytes"
	"fmt"
	"io"
)

// MaxLineBytes is the longest line Load accepts, and the longest record when
// a quoted field runs over several lines. A longer one is refused as soon as
// it is seen, so a file with one enormous line (or no line breaks at all, or
// a quote never closed) is never buffered whole.
const MaxLineBytes = 1 << 20

// textReader passes a CSV byte stream through while enforcing that it looks
// like text: no NUL bytes and no line or record longer than MaxLineBytes. It
// counts physical lines so its errors can name the line.
type textReader struct {
	r      io.Reader
	file   string
	line   int  // 1-based physical line of the next byte
	start  int  // line on which the current record began
	run    int  // bytes read so far of the current record
	quoted bool // inside a quoted field, where a line break does not end the record
	err    error
}

func newTextReader(r io.Reader, file string) *textReader {
	return &textReader{r: r, file: file, line: 1, start: 1}
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
		if t.start != t.line {
			t.err = &ParseError{File: t.file, Line: t.start, Msg: fmt.Sprintf("a quoted field runs on for more than %d bytes (1 MiB): is a quote left open?", MaxLineBytes)}
		}
		return 0, t.err
	}
	return n, err
}

// scan advances the counters over b. It reports false when the current
// record grows past MaxLineBytes, leaving t.line on the line it reached.
// An odd number of quotes on a line toggles t.quoted: encoding/csv refuses
// a quote anywhere but around a field, and a doubled quote inside one
// counts twice.
func (t *textReader) scan(b []byte) bool {
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		seg := b
		if i >= 0 {
			seg = b[:i]
		}
		if t.run+len(seg) > MaxLineBytes {
			return false
		}
		t.run += len(seg)
		if bytes.Count(seg, quote)%2 == 1 {
			t.quoted = !t.quoted
		}
		if i < 0 {
			return true
		}
		t.line++
		if t.quoted {
			t.run++
		} else {
			t.start, t.run = t.line, 0
		}
		b = b[i+1:]
	}
	return true
}

var quote = []byte{'"'}

// crReader turns the CR line endings of a classic Mac OS file into LF, the
// only line break encoding/csv knows.
type crReader struct{ r io.Reader }

func (c crReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	for i, b := range p[:n] {
		if b == '\r' {
			p[i] = '\n'
		}
	}
	return n, err
}

// crOnly reports whether head, the start of a file, ends its first line
// with a CR that no LF follows: a classic Mac OS file, whose lines encoding/csv
// would read as one.
func crOnly(head []byte) bool {
	i := bytes.IndexAny(head, "\r\n")
	return i >= 0 && head[i] == '\r' && i+1 < len(head) && head[i+1] != '\n'
}
