package server

import (
	"bytes"
	"io"
	"mime"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"

	"guichet/internal/api"
	"guichet/internal/app"
)

// admission lets at most a set number of requests be handled at once; the others
// wait their turn in the order they came (a Go channel serves its waiting senders
// first in, first out). Without it every request starts at once and then waits
// for a database connection, which database/sql hands to a waiter chosen at
// random, once per statement: a request's wait is a lottery drawn several times,
// and a few requests lose it often. Waiting once, in order, before any work,
// keeps every request's time close to the others'. A change on SQLite gives its
// turn back once all it waits for is the commit it shares with others (see
// app.Yield): the commit holds as many changes as wait together, and a limit
// on them would make it smaller.
//
// A slot is held for work, not for a client's network: a request's body (up to
// the API's limit) is read before it waits, and the requests whose time goes to
// the network do not wait at all (see queued).
type admission struct {
	slots   chan struct{} // nil: everything is admitted at once
	waiting atomic.Int64
}

func newAdmission(n int) *admission {
	g := &admission{}
	if n > 0 {
		g.slots = make(chan struct{}, n)
	}
	return g
}

// active is how many requests hold a slot.
func (g *admission) active() int { return len(g.slots) }

func (g *admission) wrap(next http.Handler) http.Handler {
	if g.slots == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !queued(r) {
			next.ServeHTTP(w, r)
			return
		}
		readAhead(r)
		g.waiting.Add(1)
		select {
		case g.slots <- struct{}{}:
			g.waiting.Add(-1)
		case <-r.Context().Done():
			g.waiting.Add(-1)
			return // the client left while waiting: nothing was done
		}
		release := sync.OnceFunc(func() { <-g.slots })
		defer release()
		next.ServeHTTP(w, r.WithContext(app.WithYield(r.Context(), release)))
	})
}

// queued tells whether r takes its turn. The probes and the metrics say how the
// server is, not how busy; static files, attachments downloaded and multipart
// uploads spend their time on the client's network, which a slot would wait for.
func queued(r *http.Request) bool {
	switch p := r.URL.Path; {
	case p == "/healthz" || p == "/readyz" || p == "/metrics":
		return false
	case strings.HasPrefix(p, "/static/"):
		return false
	case r.Method == http.MethodGet && (strings.HasPrefix(p, "/attachments/") || strings.HasPrefix(p, "/api/v1/attachments/")):
		return false
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return !strings.HasPrefix(mt, "multipart/")
}

// readAhead reads r's body, up to the API's limit, before r waits for a slot, so
// that a client sending slowly keeps no other request waiting. What it read is
// given to the handler first, then the rest, if any, or the error that stopped
// the reading: the handler's own limits and errors apply as before.
func readAhead(r *http.Request) {
	if r.Body == nil || r.Body == http.NoBody || r.ContentLength == 0 {
		return
	}
	buf, err := io.ReadAll(io.LimitReader(r.Body, api.MaxBodyBytes+1))
	rest := r.Body
	if err != nil {
		rest = io.NopCloser(errReader{err})
	}
	r.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(buf), rest), r.Body}
}

// errReader returns its error.
type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

// collectors are the admission's figures for /metrics.
func (g *admission) collectors() []prometheus.Collector {
	return []prometheus.Collector{
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "guichet_http_requests_active",
			Help: "Requests taking their turn being handled (at most --max-active).",
		}, func() float64 { return float64(g.active()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "guichet_http_requests_waiting",
			Help: "Requests waiting their turn to be handled (--max-active).",
		}, func() float64 { return float64(g.waiting.Load()) }),
	}
}
