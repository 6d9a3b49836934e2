package transfer

import (
	"bufio"
	"bytes"
	"errors"
	"io"
)

// MaxLineBytes is the longest line an import reads: enough for a ticket whose
// every text field is at its longest.
const MaxLineBytes = 32 << 20

// lineReader reads a file line by line, counting lines from 1, without holding
// more than one line.
type lineReader struct {
	r   *bufio.Reader
	n   int // number of the line last returned
	buf []byte
	max int
}

func newLineReader(r io.Reader) *lineReader {
	return &lineReader{r: bufio.NewReaderSize(r, 256<<10), max: MaxLineBytes}
}

// next returns the next line without its line ending, and whether it was longer
// than the limit (what it returns of such a line is then meaningless). It returns
// io.EOF after the last line.
func (l *lineReader) next() (line []byte, tooLong bool, err error) {
	l.buf = l.buf[:0]
	read := false
	for {
		frag, err := l.r.ReadSlice('\n')
		if len(frag) > 0 {
			read = true
		}
		if len(l.buf)+len(frag) <= l.max {
			l.buf = append(l.buf, frag...)
		} else {
			tooLong = true
		}
		switch {
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case errors.Is(err, io.EOF):
			if !read {
				return nil, false, io.EOF
			}
		case err != nil:
			return nil, false, err
		}
		l.n++
		line = bytes.TrimRight(l.buf, "\r\n")
		if l.n == 1 {
			line = bytes.TrimPrefix(line, []byte("\xef\xbb\xbf")) // a byte-order mark
		}
		return line, tooLong, nil
	}
}
