// Package api serves Guichet's JSON API under /api/v1: request and response types,
// the handlers, RFC 9457 problem responses and the OpenAPI document.
package api

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"guichet/internal/desk"
)

// MaxBodyBytes bounds every JSON request body.
const MaxBodyBytes = 1 << 20

// Problem is an RFC 9457 problem document.
type Problem struct {
	Type      string         `json:"type"`
	Title     string         `json:"title"`
	Status    int            `json:"status"`
	Detail    string         `json:"detail,omitempty"`
	Instance  string         `json:"instance,omitempty"`
	Code      desk.Code      `json:"code"`
	Errors    []FieldProblem `json:"errors,omitempty"`
	RequestID string         `json:"request_id,omitempty"`
}

// FieldProblem names a field and what is wrong with it.
type FieldProblem struct {
	Field  string `json:"field"`
	Reason string `json:"reason"`
}

// statusOfCode maps error codes to HTTP statuses; any other code is a 500.
var statusOfCode = map[desk.Code]int{
	desk.Invalid:         http.StatusUnprocessableEntity,
	desk.NotFound:        http.StatusNotFound,
	desk.Conflict:        http.StatusConflict,
	desk.Forbidden:       http.StatusForbidden,
	desk.Unauthenticated: http.StatusUnauthorized,
	desk.TooLarge:        http.StatusRequestEntityTooLarge,
	desk.RateLimited:     http.StatusTooManyRequests,
}

// Status maps an error code to its HTTP status: the one place that does so.
func Status(c desk.Code) int {
	if s, ok := statusOfCode[c]; ok {
		return s
	}
	return http.StatusInternalServerError
}

type requestIDKey struct{}

// RequestIDKey is the context key under which the server stores the request id.
var RequestIDKey = requestIDKey{}

// LoggerKey is the context key under which the server stores the request's logger.
var LoggerKey = struct{ name string }{"logger"}

// WriteError answers with a problem document. Internal errors are logged once,
// here, and their cause is never shown.
func WriteError(w http.ResponseWriter, r *http.Request, err error) {
	e, ok := desk.AsError(err)
	if !ok {
		e = &desk.Error{Code: desk.Internal, Message: "internal error", Cause: err}
	}
	status := Status(e.Code)
	if status == http.StatusInternalServerError {
		log, _ := r.Context().Value(LoggerKey).(*slog.Logger)
		if log == nil {
			log = slog.Default()
		}
		log.ErrorContext(r.Context(), "internal error", "err", err)
		e = &desk.Error{Code: desk.Internal, Message: "internal error; see the server log"}
	}
	p := Problem{Type: "urn:guichet:problem:" + string(e.Code), Title: http.StatusText(status),
		Status: status, Detail: e.Message, Instance: r.URL.Path, Code: e.Code}
	if e.Field != "" {
		p.Detail = e.Field + ": " + e.Message
		p.Errors = []FieldProblem{{Field: e.Field, Reason: e.Message}}
	}
	p.RequestID, _ = r.Context().Value(RequestIDKey).(string)
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="guichet"`)
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(p)
}

// writeJSON answers with v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// respond answers with conv(v) as JSON in status or, when err is not nil, with err
// as a problem: the end of most handlers, after the use case.
func respond[S, T any](w http.ResponseWriter, r *http.Request, status int, v S, err error, conv func(S) T) {
	if err != nil {
		WriteError(w, r, err)
		return
	}
	writeJSON(w, status, conv(v))
}

// noContent answers 204 No Content or, when err is not nil, with err as a problem.
func noContent(w http.ResponseWriter, r *http.Request, err error) {
	if err != nil {
		WriteError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// withID calls fn with the numeric path parameter name, when it is one.
func withID[T any](r *http.Request, name string, fn func(id int64) (T, error)) (T, error) {
	id, err := pathID(r, name)
	if err != nil {
		var zero T
		return zero, err
	}
	return fn(id)
}

// idAndBody reads the numeric path parameter name, then the JSON body into in.
func idAndBody(w http.ResponseWriter, r *http.Request, name string, in any) (int64, error) {
	id, err := pathID(r, name)
	if err != nil {
		return 0, err
	}
	return id, decode(w, r, in)
}

// decode reads one JSON object into v, refusing unknown fields, trailing data and
// bodies over MaxBodyBytes, with an error naming the field and the reason.
func decode(w http.ResponseWriter, r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" && !isJSON(ct) {
		return desk.Errorf(desk.Invalid, "the body must be JSON (Content-Type: application/json)")
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return decodeError(err)
	}
	if err := dec.Decode(&struct{}{}); err != io.EOF {
		return desk.Errorf(desk.Invalid, "the body must hold a single JSON object")
	}
	return nil
}

func decodeError(err error) error {
	var maxErr *http.MaxBytesError
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	if e, ok := desk.AsError(err); ok {
		return e
	}
	switch {
	case errors.As(err, &maxErr):
		return desk.Errorf(desk.TooLarge, "the body is larger than %d bytes", maxErr.Limit)
	case errors.As(err, &typeErr):
		return desk.FieldError(typeErr.Field, "must be a JSON %s, not %s", jsonKind(typeErr.Type.Kind().String()), typeErr.Value)
	case errors.As(err, &syntaxErr):
		return desk.Errorf(desk.Invalid, "the body is not valid JSON (at byte %d)", syntaxErr.Offset)
	case errors.Is(err, io.EOF):
		return desk.Errorf(desk.Invalid, "the body is empty; a JSON object is expected")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return desk.FieldError(name, "is not a known field")
	}
	return desk.Errorf(desk.Invalid, "the body is not valid JSON: %v", err)
}

func jsonKind(goKind string) string {
	switch {
	case strings.HasPrefix(goKind, "int"), strings.HasPrefix(goKind, "uint"), strings.HasPrefix(goKind, "float"):
		return "number"
	case goKind == "bool":
		return "boolean"
	case goKind == "slice":
		return "array"
	case goKind == "struct", goKind == "map", goKind == "ptr":
		return "object"
	}
	return goKind
}

// pathID reads a numeric path parameter; a malformed one is simply not found.
func pathID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, desk.ErrNotFound(strings.TrimSuffix(name, "_id"))
	}
	return id, nil
}

// List is the envelope of every list response.
type List[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor,omitempty"`
}

// pageOf reads ?limit= and ?cursor=.
func pageOf(r *http.Request) (desk.Page, error) {
	var p desk.Page
	q := r.URL.Query()
	n, err := limitOf(q)
	if err != nil {
		return p, err
	}
	p.Limit = n
	if s := q.Get("cursor"); s != "" {
		b, err := base64.RawURLEncoding.DecodeString(s)
		id, err2 := strconv.ParseInt(string(b), 10, 64)
		if err != nil || err2 != nil || id < 0 {
			return p, desk.FieldError("cursor", "is not a cursor this server gave")
		}
		p.After = id
	}
	if p.Limit == 0 {
		p.Limit = desk.DefaultPageSize
	}
	return p, nil
}

// limitOf reads ?limit=; 0 when it is not given.
func limitOf(q url.Values) (int, error) {
	s := q.Get("limit")
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > desk.MaxPageSize {
		return 0, desk.FieldError("limit", "must be a whole number from 1 to %d", desk.MaxPageSize)
	}
	return n, nil
}

// itemsOf converts a whole list, which has no next page.
func itemsOf[S, T any](items []S, conv func(*S) T) List[T] {
	out := List[T]{Items: make([]T, 0, len(items))}
	for i := range items {
		out.Items = append(out.Items, conv(&items[i]))
	}
	return out
}

// listOf converts a page of items; a full page carries the cursor to the next one.
func listOf[S, T any](items []S, p desk.Page, conv func(*S) T, key func(*S) int64) List[T] {
	out := itemsOf(items, conv)
	if len(items) > 0 && len(items) == p.Limit {
		out.NextCursor = base64.RawURLEncoding.EncodeToString([]byte(fmt.Sprint(key(&items[len(items)-1]))))
	}
	return out
}

// writePage answers with the page of items that fetch returns for ?limit= and
// ?cursor=, or with the error.
func writePage[S, T any](w http.ResponseWriter, r *http.Request, fetch func(desk.Page) ([]S, error),
	conv func(*S) T, key func(*S) int64) {
	p, err := pageOf(r)
	var items []S
	if err == nil {
		items, err = fetch(p)
	}
	respond(w, r, http.StatusOK, items, err, func(items []S) List[T] { return listOf(items, p, conv, key) })
}

func isJSON(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && mt == "application/json"
}
