package web_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"guichet/internal/app"
	"guichet/internal/demo"
	"guichet/internal/server"
	"guichet/internal/sqlstore"
)

// measureEnv names a database (an SQLite path or a postgres:// URL) holding a
// large demo base, already migrated; TestMeasurePages then times the pages'
// server-side rendering on it. It never writes to the tickets.
const measureEnv = "GUICHET_MEASURE_DB"

// TestMeasurePages times the queue and ticket pages, rendered in process through
// the whole server (session, actor, use cases, templates), and weighs a page with
// its assets. It reports figures; it asserts none.
func TestMeasurePages(t *testing.T) {
	dsn := os.Getenv(measureEnv)
	if dsn == "" {
		t.Skip(measureEnv + " is not set")
	}
	ctx := context.Background()
	st, err := sqlstore.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	svc := app.New(st, app.Options{})
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	srv := server.New(server.Config{}, server.Deps{Service: svc, Sessions: st.Sessions(), DB: st.DB(), Logger: log})
	agent, contact := session(t, srv, "agent@vauban.example"), session(t, srv, "contact@acme.example")

	var maxID int64
	if err := st.DB().QueryRowContext(ctx, `SELECT max(id) FROM tickets`).Scan(&maxID); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	ticket := func() string { return fmt.Sprintf("/tickets/%d", 1+rng.Int64N(maxID)) }
	n := 300
	if v, err := strconv.Atoi(os.Getenv("GUICHET_MEASURE_N")); err == nil && v > 0 {
		n = v
	}
	type page struct {
		name   string
		cookie *http.Cookie
		path   func() string
	}
	var extra []page // GUICHET_MEASURE_PATHS="agent /tickets?x=y,contact /tickets" measures these instead
	for _, p := range strings.Split(os.Getenv("GUICHET_MEASURE_PATHS"), ",") {
		if who, path, ok := strings.Cut(strings.TrimSpace(p), " "); ok {
			c := agent
			if who == "contact" {
				c = contact
			}
			extra = append(extra, page{p, c, fixed(path)})
		}
	}
	var lastSeq int64
	if err := st.DB().QueryRowContext(ctx, `SELECT max(seq) FROM ticket_events WHERE ticket_id = 1`).Scan(&lastSeq); err != nil {
		t.Fatal(err)
	}
	pages := []page{
		{"live poll of an open ticket page, nothing new (204)", agent, fixed(fmt.Sprintf("/tickets/1/live?seq=%d", lastSeq))},
		{"agent queue: default (nearest deadline)", agent, fixed("/tickets")},
		{"agent queue: by priority, active tickets", agent, fixed("/tickets?sort=priority")},
		{"agent queue: by priority, status open", agent, fixed("/tickets?sort=priority&status=open")},
		{"client list: default (newest first, active)", contact, fixed("/tickets")},
		{"client list: one space, newest first", contact, fixed("/spaces/1")},
		{"ticket page: agent", agent, ticket},
		{"ticket page: client (its spaces' tickets)", contact, ticket},
	}
	if len(extra) > 0 {
		pages = extra
	}
	for _, c := range pages {
		var times []time.Duration
		var bytesOut, misses int
		for i := 0; len(times) < n && i < 20*n; i++ {
			r := httptest.NewRequest("GET", c.path(), nil)
			r.AddCookie(c.cookie)
			w := httptest.NewRecorder()
			start := time.Now()
			srv.ServeHTTP(w, r)
			d := time.Since(start)
			if w.Code == http.StatusNotFound { // another client's ticket
				misses++
				continue
			}
			if w.Code != http.StatusOK && w.Code != http.StatusNoContent {
				t.Fatalf("%s: %s: status %d: %.300s", c.name, r.URL, w.Code, w.Body.String())
			}
			if i >= 10 || len(times) > 0 { // the first requests warm the caches
				times = append(times, d)
				bytesOut += w.Body.Len()
			}
		}
		slices.Sort(times)
		q := func(p float64) time.Duration { return times[min(len(times)-1, int(p*float64(len(times))))] }
		t.Logf("%-48s n=%d p50=%6.1fms p90=%6.1fms p99=%6.1fms max=%6.1fms html=%5.1fkB (404 skipped: %d)",
			c.name, len(times), ms(q(.5)), ms(q(.9)), ms(q(.99)), ms(times[len(times)-1]),
			float64(bytesOut)/float64(len(times))/1000, misses)
	}

	// Page weight: the agent's ticket page and everything it loads, compressed as
	// sent to a browser that accepts gzip.
	ticketPage := get(t, srv, agent, "/tickets/1")
	total := gz(ticketPage)
	t.Logf("ticket page HTML: %d B (%d B gzip)", len(ticketPage), gz(ticketPage))
	for _, src := range regexp.MustCompile(`(?:href|src)="(/static/[^"]+)"`).FindAllStringSubmatch(string(ticketPage), -1) {
		r := httptest.NewRequest("GET", src[1], nil)
		r.Header.Set("Accept-Encoding", "gzip")
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, r)
		t.Logf("asset %s: %d B as sent (%s), Cache-Control %q", src[1], w.Body.Len(), w.Header().Get("Content-Encoding"),
			w.Header().Get("Cache-Control"))
		total += w.Body.Len()
	}
	t.Logf("ticket page with its assets: %d B (%.1f kB) over the wire", total, float64(total)/1000)
	queue := get(t, srv, agent, "/tickets")
	t.Logf("queue page HTML: %d B (%d B gzip)", len(queue), gz(queue))
}

func fixed(p string) func() string { return func() string { return p } }

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func gz(b []byte) int {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_, _ = zw.Write(b)
	_ = zw.Close()
	return buf.Len()
}

// session signs in as email and returns the session cookie.
func session(t *testing.T, h http.Handler, email string) *http.Cookie {
	t.Helper()
	r := httptest.NewRequest("POST", "/login", strings.NewReader(url.Values{"email": {email}, "password": {demo.Password}}.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	for _, c := range w.Result().Cookies() {
		if c.Name == sessionCookie {
			return c
		}
	}
	t.Fatalf("signing in as %s: status %d, no session", email, w.Code)
	return nil
}

func get(t *testing.T, h http.Handler, c *http.Cookie, path string) []byte {
	t.Helper()
	r := httptest.NewRequest("GET", path, nil)
	r.AddCookie(c)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != http.StatusOK {
		t.Fatalf("%s: status %d", path, w.Code)
	}
	return w.Body.Bytes()
}
