package main

import (
	"context"
	"database/sql"
	"io"
	"path/filepath"
	"strings"
	"testing"

	_ "modernc.org/sqlite"

	"guichet/internal/app"
	"guichet/internal/demo"
	"guichet/internal/desk"
	"guichet/internal/sqlstore"
)

// TestVerifyFindsARewrittenEvent builds a ticket's history, rewrites one event
// behind the database's back (dropping the append-only trigger, as an intruder
// with database access could), and expects `guichet verify` to name it.
func TestVerifyFindsARewrittenEvent(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "g.db")
	store, err := sqlstore.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	svc := app.New(store, app.Options{})
	if _, err := demo.Seed(ctx, svc); err != nil {
		t.Fatal(err)
	}
	contact, _, err := store.UserByEmail(ctx, "contact@acme.example")
	if err != nil {
		t.Fatal(err)
	}
	a, err := svc.Actor(ctx, contact.ID)
	if err != nil {
		t.Fatal(err)
	}
	spaces, _ := svc.Spaces(ctx, a, desk.Page{})
	var tk *desk.Ticket
	for i := 0; i < 3; i++ {
		if tk, err = svc.OpenTicket(ctx, a, app.NewTicket{SpaceID: spaces[0].ID, Title: "Export PDF en erreur",
			Nature: desk.Question, Criticality: desk.Serious}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.AddComment(ctx, a, tk.ID, app.NewComment{Body: "Toujours en erreur ce matin."}); err != nil {
			t.Fatal(err)
		}
	}
	store.Close()

	env := func(k string) string { return map[string]string{"GUICHET_DB": path}[k] }
	var out strings.Builder
	if err := run(ctx, []string{"verify"}, env, nil, &out, io.Discard); err != nil {
		t.Fatalf("verify on an intact base: %v", err)
	}
	if !strings.Contains(out.String(), "6 events checked") {
		t.Fatalf("verify printed %q", out.String())
	}

	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`DROP TRIGGER ticket_events_no_update`,
		`UPDATE ticket_events SET data = '{"comment_id":1,"private":true}' WHERE ticket_id = 2 AND seq = 2`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	db.Close()
	err = run(ctx, []string{"verify"}, env, nil, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "ticket 2, event 2") {
		t.Fatalf("verify after tampering: %v, want ticket 2, event 2 named", err)
	}
}
