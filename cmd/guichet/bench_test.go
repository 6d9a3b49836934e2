package main

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"guichet/internal/app"
	"guichet/internal/demo"
	"guichet/internal/desk"
	"guichet/internal/server"
	"guichet/internal/storetest"
)

// benchTarget starts a real server on 127.0.0.1:0 over a demo installation on
// SQLite and returns its base URL and an API token of the demo administrator.
func benchTarget(t *testing.T) (base, token string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	st := storetest.OpenSQLite(t)
	svc := app.New(st, app.Options{})
	if _, err := demo.Seed(ctx, svc); err != nil {
		t.Fatal(err)
	}
	admin, _, err := st.UserByEmail(ctx, "admin@vauban.example")
	if err != nil {
		t.Fatal(err)
	}
	token, _, err = svc.NewToken(ctx, desk.System(), admin.ID, "bench", 0)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base = "http://" + ln.Addr().String()
	srv := server.New(server.Config{BaseURL: base}, server.Deps{Service: svc, Sessions: st.Sessions(), DB: st.DB()})
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("server: %v", err)
		}
	})
	return base, token
}

// bench runs `guichet bench args…` in-process and returns its output.
func bench(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out strings.Builder
	err := run(context.Background(), append([]string{"bench"}, args...), func(string) string { return "" },
		strings.NewReader(""), &out, io.Discard)
	return out.String(), err
}

func TestBenchWithATokenForOneSecond(t *testing.T) {
	base, token := benchTarget(t)
	args := []string{"--url", base, "--token", token, "--concurrency", "4", "--duration", "1s", "--json"}
	if runtime.GOOS == "linux" { // the server runs in this process
		args = append(args, "--pid", strconv.Itoa(os.Getpid()))
	}
	out, err := bench(t, args...)
	if err != nil {
		t.Fatalf("bench: %v\n%s", err, out)
	}
	var rep struct {
		Concurrency int     `json:"concurrency"`
		Elapsed     float64 `json:"elapsed_seconds"`
		Operations  []struct {
			Name       string
			Throughput float64 `json:"throughput_per_second"`
		} `json:"operations"`
		Total struct {
			Count  int
			P50    float64 `json:"p50_ms"`
			P99    float64 `json:"p99_ms"`
			Max    float64 `json:"max_ms"`
			Errors int
		} `json:"total"`
		Memory *struct {
			Before int64 `json:"rss_before_bytes"`
			After  int64 `json:"rss_after_bytes"`
		} `json:"server_memory"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("bench --json printed %s: %v", out, err)
	}
	if rep.Concurrency != 4 || rep.Elapsed < 1 || rep.Elapsed > 3 {
		t.Errorf("concurrency %d, elapsed %v s; want 4 and about 1 s", rep.Concurrency, rep.Elapsed)
	}
	if len(rep.Operations) != 1 || rep.Operations[0].Name != "GET /api/v1/spaces" {
		t.Fatalf("operations %+v, want GET /api/v1/spaces", rep.Operations)
	}
	if rep.Total.Count < 50 || rep.Total.Errors != 0 || rep.Operations[0].Throughput <= 0 {
		t.Errorf("total %+v, throughput %v: want many requests and no error", rep.Total, rep.Operations[0].Throughput)
	}
	if rep.Total.P50 <= 0 || rep.Total.P99 < rep.Total.P50 || rep.Total.Max < rep.Total.P99 {
		t.Errorf("latencies p50 %v p99 %v max %v ms out of order", rep.Total.P50, rep.Total.P99, rep.Total.Max)
	}
	if runtime.GOOS == "linux" && (rep.Memory == nil || rep.Memory.Before <= 0 || rep.Memory.After <= 0) {
		t.Errorf("server memory %+v, want VmRSS before and after", rep.Memory)
	}
}

func TestBenchSignedInWithARequestCount(t *testing.T) {
	base, _ := benchTarget(t)
	out, err := bench(t, "--url", base, "--email", "contact@acme.example", "--password", demo.Password,
		"--concurrency", "2", "--requests", "40", "--path", "/api/v1/me", "--path", "/api/v1/spaces",
		"--metrics-url", base+"/metrics")
	if err != nil {
		t.Fatalf("bench: %v\n%s", err, out)
	}
	for _, want := range []string{"session of contact@acme.example", "GET /api/v1/me", "GET /api/v1/spaces",
		"total", "p99", "server resident memory"} {
		if !strings.Contains(out, want) {
			t.Errorf("the table lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(out, "  40  ") {
		t.Errorf("the total is not 40 requests:\n%s", out)
	}
}

func TestBenchFailsWhenTheServerRefuses(t *testing.T) {
	base, _ := benchTarget(t)
	out, err := bench(t, "--url", base, "--token", "gch_not-a-token", "--requests", "5")
	if err == nil || !strings.Contains(err.Error(), "5 of 5 operations failed") {
		t.Errorf("bench with a bad token: %v, want 5 failures", err)
	}
	if !strings.Contains(out, "401") {
		t.Errorf("the report does not show the 401:\n%s", out)
	}
	if _, err := bench(t, "--url", base, "--email", "contact@acme.example", "--password", "wrong", "--requests", "5"); err == nil {
		t.Error("bench signed in with a wrong password")
	}
}

func TestBenchRefusesRemoteAndUnboundedLoads(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--url", "http://192.0.2.10:8080", "--duration", "1s"}, "--allow-remote"},
		{[]string{"--url", "http://guichet.example.com", "--requests", "1"}, "--allow-remote"},
		{[]string{"--duration", "1s", "--metrics-url", "http://192.0.2.10/metrics"}, "--metrics-url"},
		{[]string{}, "never end"},
		{[]string{"--concurrency", "0", "--requests", "1"}, "--concurrency"},
		{[]string{"--requests", "1", "--token", "t", "--email", "a@b.example"}, "one or the other"},
		{[]string{"--requests", "1", "--path", "api/v1/spaces"}, "must start with /"},
	}
	for _, c := range cases {
		_, err := bench(t, c.args...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("bench %v: %v, want an error mentioning %q", c.args, err, c.want)
		}
	}
}
