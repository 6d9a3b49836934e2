package main

import (
	"bytes"
	"context"
	"io"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// timersRun runs `guichet timers run args…` on db and returns its output and error.
func timersRun(t *testing.T, db string, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	getenv := func(k string) string { return map[string]string{"GUICHET_DB": db}[k] }
	err := run(context.Background(), append([]string{"timers", "run"}, args...), getenv, strings.NewReader(""), &out, io.Discard)
	return out.String(), err
}

var sweepLine = regexp.MustCompile(`: (\d+) due tickets, (\d+) timers (?:would fire|fired)`)

// dueCounts reads the due tickets and timers of a sweep's last line.
func dueCounts(t *testing.T, out string) (tickets, timers int) {
	t.Helper()
	m := sweepLine.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no sweep summary in %q", out)
	}
	a, _ := strconv.Atoi(m[1])
	b, _ := strconv.Atoi(m[2])
	return a, b
}

// TestTimersCatchUpAfterDowntime generates old tickets whose timers are all due,
// runs the server with its sweep off (down, as far as timers go), then starts it
// again with the sweep on and finds everything caught up, each timer once.
func TestTimersCatchUpAfterDowntime(t *testing.T) {
	db := dbFlag(t)
	env := map[string]string{"GUICHET_DB": db}
	getenv := func(k string) string { return env[k] }
	if err := run(context.Background(), []string{"demo", "--tickets", "80", "--seed", "3"}, getenv, nil, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	_, stop := started(t, env, "serve", "--addr", "127.0.0.1:0", "--sweep-interval", "0")
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	// Both dry runs look at the same instant, so their reports can be compared whole.
	now := time.Now().UTC().Format(time.RFC3339)
	out, err := timersRun(t, db, "--dry-run", "--now", now)
	if err != nil {
		t.Fatal(err)
	}
	due, timers := dueCounts(t, out)
	if due == 0 || timers == 0 {
		t.Fatalf("nothing due after the downtime: %s", out)
	}
	if again, _ := timersRun(t, db, "--dry-run", "--now", now); again != out {
		t.Fatalf("a dry run changed something:\n%s\nthen\n%s", out, again)
	}

	_, stop = started(t, env, "serve", "--addr", "127.0.0.1:0", "--sweep-interval", "50ms")
	deadline := time.Now().Add(20 * time.Second)
	for {
		out, err = timersRun(t, db, "--dry-run")
		if err != nil {
			t.Fatal(err)
		}
		if n, _ := dueCounts(t, out); n == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not caught up: %s", out)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if out, err := timersRun(t, db); err != nil {
		t.Fatal(err)
	} else if n, m := dueCounts(t, out); n != 0 || m != 0 {
		t.Fatalf("fired again after catching up: %s", out)
	}
	var verify bytes.Buffer
	if err := run(context.Background(), []string{"verify"}, getenv, nil, &verify, io.Discard); err != nil {
		t.Fatalf("verify: %v\n%s", err, verify.String())
	}
}

func TestTimersRunRefusesThePast(t *testing.T) {
	db := dbFlag(t)
	if _, err := timersRun(t, db, "--now", "2026-11-23T10:00:00+01:00"); err != nil {
		t.Fatal(err)
	}
	if _, err := timersRun(t, db, "--now", "2026-11-23T09:00:00+01:00"); err == nil || !strings.Contains(err.Error(), "before the last sweep") {
		t.Fatalf("a sweep in the past: %v", err)
	}
	if out, err := timersRun(t, db, "--now", "2026-11-23T09:00:00+01:00", "--dry-run"); err != nil || !strings.Contains(out, "would fire") {
		t.Fatalf("a dry run in the past: %v %s", err, out)
	}
	if _, err := timersRun(t, db, "--now", "tomorrow"); err == nil || !strings.Contains(err.Error(), "--now") {
		t.Fatalf("a bad --now: %v", err)
	}
}
