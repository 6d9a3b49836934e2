package server

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"guichet/internal/api"
	"guichet/internal/app"
)

// TestAdmissionTakesTurnsInOrder holds the one slot with a request, queues others
// one after the other, and checks that they are served in the order they came,
// that the probes never wait, and that a request given up while waiting is never
// served.
func TestAdmissionTakesTurnsInOrder(t *testing.T) {
	release := make(chan struct{})
	var mu sync.Mutex
	var served []string
	g := newAdmission(1)
	h := g.wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/first" {
			<-release
		}
		mu.Lock()
		served = append(served, r.URL.Path)
		mu.Unlock()
	}))
	var wg sync.WaitGroup
	serve := func(ctx context.Context, path string) {
		wg.Go(func() { h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequestWithContext(ctx, "GET", path, nil)) })
	}
	serve(context.Background(), "/first")
	waitUntil(t, "the first request holds the slot", func() bool { return g.active() == 1 })
	gone, leave := context.WithCancel(context.Background())
	serve(gone, "/gone")
	waitUntil(t, "one request waits", func() bool { return g.waiting.Load() == 1 })
	for i, p := range []string{"/a", "/b", "/c"} {
		serve(context.Background(), p)
		waitUntil(t, p+" waits", func() bool { return g.waiting.Load() == int64(i+2) })
	}
	leave()
	waitUntil(t, "the request given up stops waiting", func() bool { return g.waiting.Load() == 3 })

	for _, p := range []string{"/healthz", "/readyz", "/metrics"} {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", p, nil))
	}
	close(release)
	wg.Wait()
	want := []string{"/healthz", "/readyz", "/metrics", "/first", "/a", "/b", "/c"}
	if !slices.Equal(served, want) {
		t.Fatalf("served %v, want %v", served, want)
	}
	if g.active() != 0 || g.waiting.Load() != 0 {
		t.Errorf("after the requests: %d active, %d waiting", g.active(), g.waiting.Load())
	}
}

// TestAdmissionUnlimited checks that 0 lets every request in at once.
func TestAdmissionUnlimited(t *testing.T) {
	release := make(chan struct{})
	var inside atomic.Int64
	h := newAdmission(0).wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		inside.Add(1)
		<-release
	}))
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() { h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil)) })
	}
	waitUntil(t, "three requests inside at once", func() bool { return inside.Load() == 3 })
	close(release)
	wg.Wait()
}

// waitUntil polls cond until it holds, failing the test after 5 s.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not after 5 s", what)
		}
	}
}

// TestAdmissionReadsBodiesFirst sends a body slowly while the one slot is free,
// and checks that the slot stays free until the body has come, and that the
// handler reads the body whole, a long one included.
func TestAdmissionReadsBodiesFirst(t *testing.T) {
	g := newAdmission(1)
	got := make(chan string, 1)
	h := g.wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			t.Errorf("read the body: %v", err)
		}
		got <- string(b)
	}))

	pr, pw := io.Pipe()
	r := httptest.NewRequest("POST", "/api/v1/tickets/1/comments", pr)
	r.ContentLength = -1
	done := make(chan struct{})
	go func() { h.ServeHTTP(httptest.NewRecorder(), r); close(done) }()
	_, _ = pw.Write([]byte(`{"body": `))
	time.Sleep(20 * time.Millisecond) // the sender pauses mid-body
	if g.active() != 0 {
		t.Fatalf("a request holds a slot while its body is still coming")
	}
	_, _ = pw.Write([]byte(`"slow"}`))
	_ = pw.Close()
	<-done
	if b := <-got; b != `{"body": "slow"}` {
		t.Errorf("the handler read %q", b)
	}

	long := strings.Repeat("x", api.MaxBodyBytes+10)
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("POST", "/api/v1/tickets/1/comments", strings.NewReader(long)))
	if b := <-got; b != long {
		t.Errorf("a body over the limit reached the handler cut at %d bytes", len(b))
	}
}

// TestAdmissionLetsOthersPass holds the one slot and checks that the probes,
// static files, attachment downloads and multipart uploads never wait, and that
// a read and a change do.
func TestAdmissionLetsOthersPass(t *testing.T) {
	g := newAdmission(1)
	var served atomic.Int64
	h := g.wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { served.Add(1) }))
	g.slots <- struct{}{}
	upload := httptest.NewRequest("POST", "/api/v1/tickets/1/attachments", strings.NewReader("--b--"))
	upload.Header.Set("Content-Type", "multipart/form-data; boundary=b")
	requests := []*http.Request{upload,
		httptest.NewRequest("GET", "/healthz", nil),
		httptest.NewRequest("GET", "/readyz", nil),
		httptest.NewRequest("GET", "/metrics", nil),
		httptest.NewRequest("GET", "/static/style.css", nil),
		httptest.NewRequest("GET", "/attachments/4", nil),
		httptest.NewRequest("GET", "/api/v1/attachments/4", nil),
	}
	for _, r := range requests {
		h.ServeHTTP(httptest.NewRecorder(), r)
	}
	if n := served.Load(); n != int64(len(requests)) {
		t.Fatalf("%d of %d requests served while the slot was held", n, len(requests))
	}
	for _, r := range []*http.Request{httptest.NewRequest("GET", "/api/v1/tickets", nil),
		httptest.NewRequest("POST", "/api/v1/tickets/1/comments", strings.NewReader(`{"body": "b"}`))} {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
		h.ServeHTTP(httptest.NewRecorder(), r.WithContext(ctx))
		cancel()
		if served.Load() != int64(len(requests)) {
			t.Fatalf("%s %s was served while the slot was held", r.Method, r.URL.Path)
		}
	}
	<-g.slots
}

// TestAdmissionYield checks that a request that yields lets the next one in
// while it still runs, and gives its slot back once only.
func TestAdmissionYield(t *testing.T) {
	g := newAdmission(1)
	yielded, finish := make(chan struct{}), make(chan struct{})
	second := make(chan struct{})
	h := g.wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/second" {
			close(second)
			return
		}
		app.Yield(r.Context())
		app.Yield(r.Context()) // a second call changes nothing
		close(yielded)
		<-finish
	}))
	var wg sync.WaitGroup
	wg.Go(func() { h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("POST", "/first", nil)) })
	<-yielded
	wg.Go(func() { h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/second", nil)) })
	select {
	case <-second:
	case <-time.After(5 * time.Second):
		t.Fatal("the second request waits for the first, which yielded")
	}
	close(finish)
	wg.Wait()
	if g.active() != 0 {
		t.Errorf("%d slots held after both requests", g.active())
	}
}
