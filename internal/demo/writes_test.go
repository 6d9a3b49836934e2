package demo_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"guichet/internal/loadtest"
)

// The environment of TestWriteLatencyOnAGeneratedBase: a running server on this
// machine, an API token of a support agent, and how long to load it per
// operation (default 15s).
const (
	BenchURLEnv      = "GUICHET_BENCH_URL"
	BenchTokenEnv    = "GUICHET_BENCH_TOKEN"
	BenchDurationEnv = "GUICHET_BENCH_DURATION"
)

// TestWriteLatencyOnAGeneratedBase measures, with the engine of `guichet bench`,
// opening a ticket and commenting on one through the API, 16 clients at a time,
// each operation on its own. `guichet bench` sends only GETs; this is its
// counterpart for writes. It adds tickets and comments to the base it loads.
//
//	GUICHET_BENCH_URL=http://127.0.0.1:8091 GUICHET_BENCH_TOKEN=… \
//	    go test ./internal/demo -run WriteLatency -v
func TestWriteLatencyOnAGeneratedBase(t *testing.T) {
	target, token := os.Getenv(BenchURLEnv), os.Getenv(BenchTokenEnv)
	if target == "" || token == "" {
		t.Skip(BenchURLEnv + " and " + BenchTokenEnv + " are not both set")
	}
	duration := 15 * time.Second
	if s := os.Getenv(BenchDurationEnv); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil {
			t.Fatalf("%s: %v", BenchDurationEnv, err)
		}
		duration = d
	}
	base, err := loadtest.ParseTarget(target, false)
	if err != nil {
		t.Fatal(err)
	}
	const concurrency = 16
	c := loadtest.NewClient(base, concurrency, 10*time.Second)
	defer c.Close()
	c.SetToken(token)
	ctx := t.Context()

	// Open tickets to comment on, and their spaces and authors to open others for.
	var open struct {
		Items []struct {
			ID       int64 `json:"id"`
			SpaceID  int64 `json:"space_id"`
			AuthorID int64 `json:"author_id"`
		} `json:"items"`
	}
	if err := send(ctx, c, "GET", "/api/v1/tickets?status=open&limit=200", nil, http.StatusOK, &open); err != nil {
		t.Fatal(err)
	}
	if len(open.Items) == 0 {
		t.Fatal("no open ticket to comment on")
	}
	ops := []loadtest.Operation{
		{Name: "POST /api/v1/spaces/{id}/tickets", Do: func(ctx context.Context, c *loadtest.Client) error {
			tk := open.Items[rand.IntN(len(open.Items))]
			return send(ctx, c, "POST", fmt.Sprintf("/api/v1/spaces/%d/tickets", tk.SpaceID), map[string]any{
				"title": "Export PDF vide depuis la mise à jour", "nature": "question", "criticality": "minor",
				"description": "Bonjour,\n\nL'export PDF des factures sort une page blanche.\n\nMerci,",
				"channel":     "phone", "author_id": tk.AuthorID}, http.StatusCreated, nil)
		}},
		{Name: "POST /api/v1/tickets/{id}/comments", Do: func(ctx context.Context, c *loadtest.Client) error {
			tk := open.Items[rand.IntN(len(open.Items))]
			return send(ctx, c, "POST", fmt.Sprintf("/api/v1/tickets/%d/comments", tk.ID), map[string]any{
				"body": "Nous analysons le problème et revenons vers vous rapidement.", "private": rand.IntN(4) == 0},
				http.StatusCreated, nil)
		}},
	}
	for _, op := range ops {
		rep, err := loadtest.Run(ctx, c, []loadtest.Operation{op}, loadtest.Options{Concurrency: concurrency, Duration: duration})
		if err != nil {
			t.Fatal(err)
		}
		rep.Target, rep.Auth = base.String(), "API token"
		var out strings.Builder
		if err := rep.WriteTable(&out); err != nil {
			t.Fatal(err)
		}
		t.Logf("%s\n%s", op.Name, out.String())
		if rep.Total.Errors > 0 {
			t.Errorf("%s: %d of %d failed: %v", op.Name, rep.Total.Errors, rep.Total.Count, rep.Operations[0].ErrorSamples)
		}
	}
}

// send sends a JSON request and expects status; it decodes the answer into out
// when out is not nil.
func send(ctx context.Context, c *loadtest.Client, method, path string, body any, status int, out any) error {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.URL(path), r)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := c.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != status {
		msg, _ := io.ReadAll(io.LimitReader(res.Body, 512))
		return fmt.Errorf("%s %s: %s: %s", method, path, res.Status, msg)
	}
	if out != nil {
		return json.NewDecoder(res.Body).Decode(out)
	}
	_, err = io.Copy(io.Discard, res.Body)
	return err
}
