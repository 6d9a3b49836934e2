package main

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"guichet/internal/app"
	"guichet/internal/demo"
	"guichet/internal/desk"
	"guichet/internal/loadtest"
	"guichet/internal/server"
	"guichet/internal/sqlstore"
	"guichet/internal/storetest"
)

// benchTarget starts a real server on 127.0.0.1:0 over a demo installation on
// SQLite and returns its base URL and an API token of the demo administrator.
func benchTarget(t *testing.T) (base, token string) {
	t.Helper()
	base, token, _ = benchServer(t, 0, nil)
	return base, token
}

// benchServer starts a real server on 127.0.0.1:0 over a demo installation with
// tickets generated tickets, on SQLite. wrap, when not nil, stands between the
// listener and the server. It returns the base URL, an API token of the demo
// administrator, and the store.
func benchServer(t *testing.T, tickets int, wrap func(http.Handler) http.Handler) (base, token string, st *sqlstore.Store) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	st = storetest.OpenSQLite(t)
	svc := app.New(st, app.Options{})
	if _, err := demo.Seed(ctx, svc); err != nil {
		t.Fatal(err)
	}
	if tickets > 0 {
		bulk, err := st.Bulk(ctx)
		if err != nil {
			t.Fatal(err)
		}
		_, err = demo.Tickets(ctx, svc, bulk, demo.Options{Tickets: tickets, Seed: 1, Progress: io.Discard})
		bulk.Close()
		if err != nil {
			t.Fatal(err)
		}
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
	if wrap == nil {
		go func() { done <- srv.Serve(ctx, ln) }()
	} else {
		hs := &http.Server{Handler: wrap(srv)}
		go func() {
			if err := hs.Serve(ln); err != http.ErrServerClosed {
				done <- err
				return
			}
			done <- nil
		}()
		go func() { <-ctx.Done(); _ = hs.Close() }()
	}
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("server: %v", err)
		}
	})
	return base, token, st
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
		CPU *struct {
			ServerSeconds float64 `json:"server_seconds"`
			PerOperation  float64 `json:"server_ms_per_operation"`
			MachineBusy   float64 `json:"machine_busy"`
		} `json:"server_cpu"`
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
	// The server is this process, which served the requests.
	if runtime.GOOS == "linux" && (rep.CPU == nil || rep.CPU.ServerSeconds <= 0 || rep.CPU.MachineBusy <= 0 || rep.CPU.MachineBusy > 1 ||
		rep.CPU.PerOperation != 1000*rep.CPU.ServerSeconds/float64(rep.Total.Count)) {
		t.Errorf("server processor %+v, want the time of this process and a busy share in (0, 1]", rep.CPU)
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
	if strings.Contains(out, "server processor") {
		t.Errorf("a server known by its metrics page only has a processor figure:\n%s", out)
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

// benchReport is the JSON report of `guichet bench --json`.
type benchReport struct {
	Target      string  `json:"target"`
	Auth        string  `json:"auth"`
	Mix         string  `json:"mix"`
	Concurrency int     `json:"concurrency"`
	Elapsed     float64 `json:"elapsed_seconds"`
	Operations  []struct {
		Name         string   `json:"name"`
		Count        int      `json:"count"`
		Errors       int      `json:"errors"`
		Skipped      int      `json:"skipped"`
		Throughput   float64  `json:"throughput_per_second"`
		P50          float64  `json:"p50_ms"`
		P95          float64  `json:"p95_ms"`
		P99          float64  `json:"p99_ms"`
		Max          float64  `json:"max_ms"`
		ErrorSamples []string `json:"error_samples"`
	} `json:"operations"`
	Total *struct {
		Count   int `json:"count"`
		Errors  int `json:"errors"`
		Skipped int `json:"skipped"`
	} `json:"total"`
	Memory *struct {
		Source string `json:"source"`
		Before int64  `json:"rss_before_bytes"`
		Peak   int64  `json:"rss_peak_bytes"`
		After  int64  `json:"rss_after_bytes"`
	} `json:"server_memory"`
	CPU *struct {
		Source        string  `json:"source"`
		ServerSeconds float64 `json:"server_seconds"`
	} `json:"server_cpu"`
}

func benchJSON(t *testing.T, args ...string) (benchReport, error) {
	t.Helper()
	out, err := bench(t, append(args, "--json")...)
	var rep benchReport
	if jerr := json.Unmarshal([]byte(out), &rep); jerr != nil {
		t.Fatalf("bench --json printed %s: %v (bench: %v)", out, jerr, err)
	}
	return rep, err
}

func count(t *testing.T, st *sqlstore.Store, query string) int {
	t.Helper()
	var n int
	if err := st.DB().QueryRow(query).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestBenchRunsTheDemoUsersMix(t *testing.T) {
	base, _, st := benchServer(t, 300, nil)
	ticketsBefore := count(t, st, `SELECT count(*) FROM tickets`)
	commentsBefore := count(t, st, `SELECT count(*) FROM comments`)
	rep, err := benchJSON(t, "--url", base, "--users", "4", "--ops", "400", "--seed", "3")
	if err != nil {
		t.Fatalf("bench: %v\n%+v", err, rep)
	}
	if rep.Concurrency != 4 || !strings.Contains(rep.Auth, "demo users") || rep.Mix == "" {
		t.Errorf("concurrency %d, auth %q, mix %q", rep.Concurrency, rep.Auth, rep.Mix)
	}
	if len(rep.Operations) != len(loadtest.SessionOps) {
		t.Fatalf("%d operations in the report, want the %d of the mix", len(rep.Operations), len(loadtest.SessionOps))
	}
	byName := map[string]int{}
	done := 0
	for i, op := range rep.Operations {
		if op.Name != loadtest.SessionOps[i].Name {
			t.Errorf("operation %d is %q, want %q", i, op.Name, loadtest.SessionOps[i].Name)
		}
		if op.Errors != 0 {
			t.Errorf("%s: %d errors: %q", op.Name, op.Errors, op.ErrorSamples)
		}
		if op.Count == 0 {
			t.Errorf("%s never ran", op.Name)
		}
		if op.Count > 0 && (op.P50 <= 0 || op.P95 < op.P50 || op.P99 < op.P95 || op.Max < op.P99 || op.Throughput <= 0) {
			t.Errorf("%s: figures out of order: %+v", op.Name, op)
		}
		byName[op.Name] = op.Count
		done += op.Count + op.Skipped
	}
	if rep.Total == nil || done != 400 || rep.Total.Count+rep.Total.Skipped != 400 || rep.Total.Errors != 0 {
		t.Errorf("total %+v, operations add up to %d; want 400 and no error", rep.Total, done)
	}
	// Every creation and every comment the report counts is in the database.
	if got := count(t, st, `SELECT count(*) FROM tickets`) - ticketsBefore; got != byName["create"] {
		t.Errorf("%d tickets created, the report says %d", got, byName["create"])
	}
	comments := byName["client-comment"] + byName["answer"] + byName["note"]
	if got := count(t, st, `SELECT count(*) FROM comments`) - commentsBefore; got != comments {
		t.Errorf("%d comments written, the report says %d", got, comments)
	}
	if n := count(t, st, `SELECT count(*) FROM comments WHERE private AND id > (SELECT max(id) - `+
		strconv.Itoa(comments)+` FROM comments)`); n != byName["note"] {
		t.Errorf("%d private comments written, the report says %d notes", n, byName["note"])
	}
	// The tokens the demo users created are revoked at the end.
	if n := count(t, st, `SELECT count(*) FROM tokens WHERE name = 'guichet bench' AND revoked_at IS NULL`); n != 0 {
		t.Errorf("%d tokens of the load are still valid", n)
	}
	if n := count(t, st, `SELECT count(*) FROM tokens WHERE name = 'guichet bench'`); n != len(loadtest.DemoAccounts) {
		t.Errorf("%d tokens created, want one per demo account", n)
	}
	// The server runs in this process: its memory is found by its port.
	if runtime.GOOS == "linux" && (rep.Memory == nil || rep.Memory.Before <= 0 || rep.Memory.Peak < rep.Memory.Before ||
		!strings.Contains(rep.Memory.Source, "/proc/"+strconv.Itoa(os.Getpid())+"/")) {
		t.Errorf("server memory %+v, want VmRSS of this process", rep.Memory)
	}
	if runtime.GOOS == "linux" && (rep.CPU == nil || rep.CPU.ServerSeconds <= 0 ||
		!strings.Contains(rep.CPU.Source, "/proc/"+strconv.Itoa(os.Getpid())+"/")) {
		t.Errorf("server processor %+v, want the time of this process", rep.CPU)
	}
}

func TestBenchCreatesTicketsOnly(t *testing.T) {
	base, _, st := benchServer(t, 0, nil)
	out, err := bench(t, "--url", base, "--users", "3", "--ops", "30", "--mix", "create=1")
	if err != nil {
		t.Fatalf("bench: %v\n%s", err, out)
	}
	for _, want := range []string{"mix create=1", "create ", "3 concurrent users", "p99"} {
		if !strings.Contains(out, want) {
			t.Errorf("the table lacks %q:\n%s", want, out)
		}
	}
	for _, unwanted := range []string{"queue", "client-read", "total"} {
		if strings.Contains(out, unwanted) {
			t.Errorf("the table of a creation-only run shows %q:\n%s", unwanted, out)
		}
	}
	if n := count(t, st, `SELECT count(*) FROM tickets`); n != 30 {
		t.Errorf("%d tickets in the base, want 30", n)
	}
}

func TestBenchCountsTheServersRefusals(t *testing.T) {
	// Between the load and the real server, a proxy refuses every comment.
	refuse := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == "POST" && strings.HasSuffix(r.URL.Path, "/comments") {
				http.Error(w, "refused", http.StatusServiceUnavailable)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
	base, _, _ := benchServer(t, 200, refuse)
	rep, err := benchJSON(t, "--url", base, "--users", "2", "--ops", "60", "--mix", "answer=1,agent-read=1")
	if err == nil || !strings.Contains(err.Error(), "operations failed") {
		t.Errorf("bench: %v, want a failure", err)
	}
	if len(rep.Operations) != 2 {
		t.Fatalf("operations %+v", rep.Operations)
	}
	answer, read := rep.Operations[0], rep.Operations[1]
	if answer.Count == 0 || answer.Errors != answer.Count || read.Errors != 0 || rep.Total.Errors != answer.Count {
		t.Errorf("answers %d/%d failed, reads %d failed, total %d; want every answer and no read",
			answer.Errors, answer.Count, read.Errors, rep.Total.Errors)
	}
	if len(answer.ErrorSamples) != 1 || !strings.Contains(answer.ErrorSamples[0], "503") ||
		!strings.Contains(answer.ErrorSamples[0], "/api/v1/tickets/{id}/comments") {
		t.Errorf("error samples %q, want the 503 of the comments path", answer.ErrorSamples)
	}

	if _, err := bench(t, "--url", base, "--users", "1", "--ops", "5", "--password", "wrong"); err == nil ||
		!strings.Contains(err.Error(), "sign in") {
		t.Errorf("bench with a wrong demo password: %v, want a sign-in failure", err)
	}
	if _, err := bench(t, "--url", base, "--ops", "5", "--mix", "create=1,fly=2"); err == nil || !strings.Contains(err.Error(), "--mix") {
		t.Errorf("bench with an unknown operation: %v", err)
	}
}

func TestBenchRawRate(t *testing.T) {
	dsns := map[string]string{"sqlite": filepath.Join(t.TempDir(), "raw.db")}
	if os.Getenv(storetest.PostgresEnv) != "" {
		dsns["postgres"] = storetest.PostgresDSN(t)
	}
	for name, dsn := range dsns {
		t.Run(name, func(t *testing.T) {
			rep, err := benchJSON(t, "--raw", "--db", dsn, "--ops", "200")
			if err != nil {
				t.Fatalf("bench --raw: %v", err)
			}
			want := []string{"insert, 1 row per transaction, 1 writer", "insert, 1 row per transaction, 16 writers",
				"lookup by primary key, 1 reader", "lookup by primary key, 16 readers"}
			if len(rep.Operations) != len(want) || rep.Total != nil || rep.Target != name {
				t.Fatalf("report %+v, want the four phases on %s and no total", rep, name)
			}
			for i, op := range rep.Operations {
				if op.Name != want[i] || op.Count != 200 || op.Errors != 0 || op.Throughput <= 0 || op.Max < op.P50 {
					t.Errorf("phase %d: %+v, want %q, 200 operations, no error", i, op, want[i])
				}
			}
			st, err := sqlstore.Open(context.Background(), dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			tables := `SELECT count(*) FROM sqlite_master WHERE name LIKE 'guichet_bench_raw%'`
			if name == "postgres" {
				tables = `SELECT count(*) FROM pg_tables WHERE tablename LIKE 'guichet_bench_raw%' AND schemaname = current_schema()`
			}
			if n := count(t, st, tables); n != 0 {
				t.Errorf("%d scratch tables left behind", n)
			}
		})
	}
	if _, err := bench(t, "--raw"); err == nil || !strings.Contains(err.Error(), "--db") {
		t.Errorf("bench --raw without --db: %v", err)
	}
}
