// Package desk holds Guichet's domain: the parties, their roles, what each actor
// may see and do, and the errors every layer speaks. It is pure: it imports no
// database, HTTP or mail package.
package desk

import (
	"errors"
	"fmt"
)

// Code classifies an error; the edges map each code to one HTTP status.
type Code string

// The error codes.
const (
	Invalid         Code = "invalid"         // input breaks a rule
	NotFound        Code = "not_found"       // absent, or not visible to the actor
	Conflict        Code = "conflict"        // duplicates or a state that forbids the change
	Forbidden       Code = "forbidden"       // visible, but the actor may not do this
	Unauthenticated Code = "unauthenticated" // no valid session or token
	TooLarge        Code = "too_large"       // body or file over the limit
	RateLimited     Code = "rate_limited"    // too many attempts
	Internal        Code = "internal"        // our fault; details only in the logs
)

// Error is a domain error: a code, a message safe to show to the actor, the field
// it concerns (if any), and the underlying cause (never shown).
type Error struct {
	Code    Code
	Field   string
	Message string
	Cause   error
}

func (e *Error) Error() string {
	msg := string(e.Code) + ": " + e.Message
	if e.Field != "" {
		msg = string(e.Code) + ": " + e.Field + ": " + e.Message
	}
	if e.Cause != nil {
		msg += ": " + e.Cause.Error()
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Cause }

// Errorf returns an Error with a formatted message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldError returns an Invalid error about one field.
func FieldError(field, format string, args ...any) *Error {
	return &Error{Code: Invalid, Field: field, Message: fmt.Sprintf(format, args...)}
}

// ErrNotFound is the answer for anything absent or invisible to the actor: the two
// cases are indistinguishable on purpose.
func ErrNotFound(what string) *Error {
	return &Error{Code: NotFound, Message: what + " not found"}
}

// ErrorCode returns the code of err, Internal for errors that are not ours.
func ErrorCode(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// AsError returns err as *Error when it is one.
func AsError(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}
