package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"guichet/internal/sqlstore"
	"guichet/internal/storetest"
)

// pendingOutbox counts the notifications of db not yet delivered.
func pendingOutbox(t *testing.T, db string) int {
	t.Helper()
	s, err := sqlstore.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ids, err := s.PendingOutbox(context.Background(), 0, 10000)
	if err != nil {
		t.Fatal(err)
	}
	return len(ids)
}

// TestServeDeliversWhatTimersLeft fires timers with the command (no queue
// runs: the outbox fills), then starts serve with its sweep off: its relay
// enqueues the rows and its workers deliver each once; `jobs run` then finds
// nothing left, and migrate runs again on the existing database.
func TestServeDeliversWhatTimersLeft(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { serveDelivers(t, dbFlag(t)) })
	if os.Getenv(storetest.PostgresEnv) != "" {
		t.Run("postgres", func(t *testing.T) { serveDelivers(t, storetest.PostgresDSN(t)) })
	}
}

func serveDelivers(t *testing.T, db string) {
	env := map[string]string{"GUICHET_DB": db}
	getenv := func(k string) string { return env[k] }
	if err := run(context.Background(), []string{"demo", "--tickets", "20", "--seed", "3"}, getenv, nil, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	if _, err := timersRun(t, db); err != nil {
		t.Fatal(err)
	}
	if pendingOutbox(t, db) == 0 {
		t.Skip("the demo's timers notified no one")
	}
	_, stop := started(t, env, "serve", "--addr", "127.0.0.1:0", "--sweep-interval", "0")
	deadline := time.Now().Add(20 * time.Second)
	for pendingOutbox(t, db) > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("%d notifications still pending", pendingOutbox(t, db))
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := run(context.Background(), []string{"jobs", "run"}, getenv, nil, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "delivered 0 notification(s)") {
		t.Fatalf("jobs run: %s", out.String())
	}
	out.Reset()
	if err := run(context.Background(), []string{"migrate"}, getenv, nil, &out, io.Discard); err != nil {
		t.Fatalf("migrate an existing database: %v", err)
	}
}

// TestJobsRunDelivers delivers by hand what timers left, once.
func TestJobsRunDelivers(t *testing.T) {
	db := dbFlag(t)
	getenv := func(k string) string { return map[string]string{"GUICHET_DB": db}[k] }
	if err := run(context.Background(), []string{"demo", "--tickets", "20", "--seed", "3"}, getenv, nil, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	if _, err := timersRun(t, db); err != nil {
		t.Fatal(err)
	}
	n := pendingOutbox(t, db)
	var out bytes.Buffer
	if err := run(context.Background(), []string{"jobs", "run"}, getenv, nil, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if want := "delivered " + strconv.Itoa(n) + " notification(s)"; !strings.Contains(out.String(), want) || pendingOutbox(t, db) != 0 {
		t.Fatalf("jobs run: %q, want %q", out.String(), want)
	}
}

// TestServeRefusesANewerDatabase: the queue's tables are created only after
// the schema check, which still refuses a database newer than the binary.
func TestServeRefusesANewerDatabase(t *testing.T) {
	db := dbFlag(t)
	getenv := func(k string) string { return map[string]string{"GUICHET_DB": db}[k] }
	if err := run(context.Background(), []string{"migrate"}, getenv, nil, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	s, err := sqlstore.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.DB().Exec(`INSERT INTO schema_migrations (version, applied_at) VALUES (9999, $1)`, time.Now().UTC())
	s.Close()
	if err != nil {
		t.Fatal(err)
	}
	err = run(context.Background(), []string{"serve", "--addr", "127.0.0.1:0"}, getenv, strings.NewReader(""), io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "newer than this program") {
		t.Fatalf("serve on a newer database: %v", err)
	}
}
