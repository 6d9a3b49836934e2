package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"guichet/internal/demo"
)

// started runs `guichet args…` in-process and returns its base URL once it listens,
// and a function that stops it (as SIGTERM would) and returns run's error.
func started(t *testing.T, env map[string]string, args ...string) (string, func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	getenv := func(k string) string { return env[k] }
	go func() {
		done <- run(ctx, args, getenv, strings.NewReader(""), pw, io.Discard)
		pw.Close()
	}()
	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		re := regexp.MustCompile(`listening on (http://\S+)`)
		for sc.Scan() {
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				urls <- m[1]
			}
		}
	}()
	select {
	case u := <-urls:
		stop := sync.OnceValue(func() error { cancel(); return <-done })
		t.Cleanup(func() { _ = stop() })
		return u, stop
	case err := <-done:
		cancel()
		t.Fatalf("guichet %v stopped before listening: %v", args, err)
	case <-time.After(20 * time.Second):
		cancel()
		t.Fatalf("guichet %v did not listen within 20 s", args)
	}
	return "", nil
}

func dbFlag(t *testing.T) string {
	return filepath.Join(t.TempDir(), "guichet.db")
}

func get(t *testing.T, url, token string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

func TestServeDemoThenTokenThenAPI(t *testing.T) {
	db := dbFlag(t)
	env := map[string]string{"GUICHET_DB": db, "GUICHET_DATA_DIR": t.TempDir(), "GUICHET_LOG_LEVEL": "warn"}
	base, stop := started(t, env, "serve", "--demo", "--addr", "127.0.0.1:0")
	if code, body := get(t, base+"/readyz", ""); code != 200 || body != "ready\n" {
		t.Fatalf("readyz = %d %q", code, body)
	}
	if code, _ := get(t, base+"/api/v1/spaces", ""); code != 401 {
		t.Fatalf("anonymous spaces = %d, want 401", code)
	}
	if err := stop(); err != nil {
		t.Fatalf("serve returned %v after stop", err)
	}

	var out strings.Builder
	err := run(context.Background(), []string{"token", "create", "--user", "contact@acme.example", "--name", "ci"},
		func(k string) string { return env[k] }, nil, &out, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	secret := strings.TrimSpace(out.String())
	if !strings.HasPrefix(secret, "gch_") {
		t.Fatalf("token create printed %q", secret)
	}

	base, _ = started(t, env, "serve", "--addr", "127.0.0.1:0")
	code, body := get(t, base+"/api/v1/spaces", secret)
	if code != 200 {
		t.Fatalf("spaces = %d %s", code, body)
	}
	var list struct{ Items []struct{ Key string } }
	if err := json.Unmarshal([]byte(body), &list); err != nil {
		t.Fatal(err)
	}
	if len(list.Items) != 1 || list.Items[0].Key != "ACME" {
		t.Fatalf("the Acme contact sees %+v, want only ACME", list.Items)
	}
}

func TestDemoRefusesAFilledDatabase(t *testing.T) {
	env := map[string]string{"GUICHET_DB": dbFlag(t)}
	getenv := func(k string) string { return env[k] }
	var out strings.Builder
	if err := run(context.Background(), []string{"demo"}, getenv, nil, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "admin@vauban.example") || !strings.Contains(out.String(), demo.Password) {
		t.Fatalf("demo printed %q", out.String())
	}
	err := run(context.Background(), []string{"demo"}, getenv, nil, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "empty") {
		t.Fatalf("second demo: %v, want a refusal", err)
	}
}

func TestBootstrapCommands(t *testing.T) {
	env := map[string]string{"GUICHET_DB": dbFlag(t), "GUICHET_PASSWORD": "a long passphrase"}
	getenv := func(k string) string { return env[k] }
	cmd := func(args ...string) (string, error) {
		var out strings.Builder
		err := run(context.Background(), args, getenv, strings.NewReader(""), &out, io.Discard)
		return out.String(), err
	}
	if _, err := cmd("org", "add", "--kind", "provider", "--name", "Vauban"); err != nil {
		t.Fatal(err)
	}
	if _, err := cmd("org", "add", "--kind", "provider", "--name", "Other"); err == nil {
		t.Fatal("a second provider was accepted")
	}
	out, err := cmd("user", "add", "--org", "Vauban", "--email", "Admin@Vauban.example", "--name", "Alice", "--role", "admin")
	if err != nil || !strings.Contains(out, "admin@vauban.example") {
		t.Fatalf("user add: %q %v", out, err)
	}
	if _, err := cmd("user", "add", "--org", "Vauban", "--email", "admin@vauban.example", "--name", "Twin", "--role", "admin"); err == nil {
		t.Fatal("a duplicate email was accepted")
	}
	_, err = cmd("user", "add", "--org", "Vauban", "--email", "x@vauban.example", "--name", "X", "--role", "wizard")
	if err == nil || !strings.Contains(err.Error(), "--role") || !strings.Contains(err.Error(), "wizard") {
		t.Fatalf("unknown role: %v", err)
	}
	if _, err := cmd("token", "create", "--user", "nobody@vauban.example"); err == nil {
		t.Fatal("a token for an unknown user was created")
	}
	if out, err := cmd("migrate"); err != nil || !strings.Contains(out, "applied 0") {
		t.Fatalf("migrate on an up-to-date base: %q %v", out, err)
	}
	if out, _ := cmd("version"); !strings.HasPrefix(out, "guichet ") {
		t.Fatalf("version printed %q", out)
	}
}

func TestConfigurationErrorsNameTheSetting(t *testing.T) {
	getenv := func(k string) string {
		return map[string]string{"GUICHET_LOG_FORMAT": "xml", "GUICHET_DB": filepath.Join(t.TempDir(), "g.db")}[k]
	}
	err := run(context.Background(), []string{"serve", "--addr", "127.0.0.1:0"}, getenv, nil, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "--log-format") {
		t.Fatalf("bad log format: %v", err)
	}
	getenv = func(k string) string {
		return map[string]string{"GUICHET_MAX_ACTIVE": "-1", "GUICHET_DB": filepath.Join(t.TempDir(), "g.db")}[k]
	}
	err = run(context.Background(), []string{"serve", "--addr", "127.0.0.1:0"}, getenv, nil, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "--max-active") {
		t.Fatalf("a negative --max-active: %v", err)
	}
}

// TestShutdownFinishesInFlightRequests stops the server while a request is still
// arriving and checks that the request is answered before serve returns.
func TestShutdownFinishesInFlightRequests(t *testing.T) {
	env := map[string]string{"GUICHET_DB": dbFlag(t), "GUICHET_LOG_LEVEL": "warn"}
	base, stop := started(t, env, "serve", "--addr", "127.0.0.1:0")
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	body := `{"kind":"client","name":"Acme"}`
	if _, err := io.WriteString(conn, "POST /api/v1/organisations HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"+
		"Content-Length: "+strconv.Itoa(len(body))+"\r\n\r\n"+body[:10]); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond) // the request is now in flight
	stopped := make(chan error, 1)
	go func() { stopped <- stop() }()
	time.Sleep(200 * time.Millisecond)
	select {
	case err := <-stopped:
		t.Fatalf("serve returned (%v) before the in-flight request was answered", err)
	default:
	}
	if _, err := io.WriteString(conn, body[10:]); err != nil {
		t.Fatal(err)
	}
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("in-flight request lost: %v", err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("in-flight request answered %d, want 401", res.StatusCode)
	}
	if err := <-stopped; err != nil {
		t.Fatalf("serve: %v", err)
	}
}
