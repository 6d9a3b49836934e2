package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"guichet/internal/api"
	"guichet/internal/app"
	"guichet/internal/desk"
)

// statusWriter remembers the status code a handler wrote.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// observe gives each request an id and a logger, recovers panics, and records the
// request in the logs and the metrics under its route pattern.
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get("X-Request-Id")
		if !validRequestID(id) {
			id = newRequestID()
		}
		w.Header().Set("X-Request-Id", id)
		log := s.log.With("request_id", id)
		ctx := context.WithValue(r.Context(), api.RequestIDKey, id)
		ctx = context.WithValue(ctx, api.LoggerKey, log)
		matched := new(string)
		ctx = context.WithValue(ctx, routeKey{}, matched)
		r = r.WithContext(ctx)
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				api.WriteError(sw, r, fmt.Errorf("panic: %v", p))
			}
			route := *matched
			if route == "" {
				route = "unmatched"
			}
			elapsed := time.Since(start)
			status := sw.status
			if status == 0 {
				status = http.StatusOK
			}
			s.metrics.requests.WithLabelValues(route, r.Method, strconv.Itoa(status)).Inc()
			s.metrics.latency.WithLabelValues(route).Observe(elapsed.Seconds())
			log.LogAttrs(r.Context(), slog.LevelInfo, "request", slog.String("method", r.Method),
				slog.String("path", r.URL.Path), slog.String("route", route), slog.Int("status", status),
				slog.Duration("duration", elapsed))
		}()
		next.ServeHTTP(sw, r)
	})
}

type routeKey struct{}

// recordRoute tells observe which route pattern the mux matched: the mux sets it
// on the request it receives, a copy made further in than observe.
func recordRoute(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mux.ServeHTTP(w, r)
		if p, ok := r.Context().Value(routeKey{}).(*string); ok {
			*p = r.Pattern
		}
	})
}

func validRequestID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, c := range id {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

func newRequestID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// secureHeaders sets the headers every answer carries.
func secureHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
		next.ServeHTTP(w, r)
	})
}

// sessionUserKey is where a session keeps its user's id.
const sessionUserKey = "user_id"

// authenticate resolves the actor once per request, from a bearer token or the
// session, and stores it in the context. A bad token is refused outright rather
// than treated as anonymous.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		if h := r.Header.Get("Authorization"); h != "" {
			secret, ok := strings.CutPrefix(h, "Bearer ")
			if !ok {
				api.WriteError(w, r, desk.Errorf(desk.Unauthenticated, "the Authorization header must be: Bearer <token>"))
				return
			}
			a, err := s.svc.TokenActor(ctx, strings.TrimSpace(secret))
			if err != nil {
				api.WriteError(w, r, err)
				return
			}
			r = r.WithContext(app.WithActor(ctx, a))
		} else if uid := s.sessions.GetInt64(ctx, sessionUserKey); uid != 0 {
			a, err := s.svc.Actor(ctx, uid)
			switch {
			case err == nil:
				r = r.WithContext(app.WithActor(ctx, a))
			case desk.ErrorCode(err) == desk.Internal:
				api.WriteError(w, r, err)
				return
			default: // the user is gone or disabled: the session no longer holds
				_ = s.sessions.Destroy(ctx)
			}
		}
		next.ServeHTTP(w, r)
	})
}
