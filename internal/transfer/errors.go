package transfer

import (
	"fmt"
	"strings"
)

// MaxReported is how many line errors an InvalidFileError lists; it counts the
// others.
const MaxReported = 50

// LineError is one problem of an import file: the line, the field (empty when the
// whole line is at fault) and what is wrong.
type LineError struct {
	Line    int
	Field   string
	Message string
}

func (e LineError) String() string {
	if e.Field == "" {
		return fmt.Sprintf("line %d: %s", e.Line, e.Message)
	}
	return fmt.Sprintf("line %d: %s: %s", e.Line, e.Field, e.Message)
}

// InvalidFileError says that a file was refused, and why; nothing of it was
// imported. Errors holds the first MaxReported problems in line order; More counts
// the rest.
type InvalidFileError struct {
	Errors []LineError
	More   int
}

func (e *InvalidFileError) Error() string {
	var b strings.Builder
	n := len(e.Errors) + e.More
	if n == 1 {
		b.WriteString("the file has 1 error; nothing was imported")
	} else {
		fmt.Fprintf(&b, "the file has %d errors; nothing was imported", n)
	}
	for _, le := range e.Errors {
		b.WriteString("\n")
		b.WriteString(le.String())
	}
	if e.More > 0 {
		fmt.Fprintf(&b, "\n…and %d more", e.More)
	}
	return b.String()
}

// Lines lists the line numbers reported, in order, each once.
func (e *InvalidFileError) Lines() []int {
	var out []int
	for _, le := range e.Errors {
		if len(out) == 0 || out[len(out)-1] != le.Line {
			out = append(out, le.Line)
		}
	}
	return out
}

// errorList collects the problems of a file, keeping the first MaxReported.
type errorList struct {
	kept []LineError
	more int
}

func (l *errorList) add(line int, field, format string, args ...any) {
	if len(l.kept) >= MaxReported {
		l.more++
		return
	}
	l.kept = append(l.kept, LineError{Line: line, Field: field, Message: fmt.Sprintf(format, args...)})
}

func (l *errorList) addAll(line int, errs []fieldError) {
	for _, e := range errs {
		l.add(line, e.field, "%s", e.msg)
	}
}

func (l *errorList) empty() bool { return len(l.kept) == 0 && l.more == 0 }

func (l *errorList) err() error {
	if l.empty() {
		return nil
	}
	return &InvalidFileError{Errors: l.kept, More: l.more}
}

// fieldError is a problem of one field of a record, before the line is known.
type fieldError struct {
	field, msg string
}

// problems collects the field errors of one record.
type problems []fieldError

func (p *problems) add(field, format string, args ...any) {
	*p = append(*p, fieldError{field, fmt.Sprintf(format, args...)})
}
