package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"guichet/internal/app"
	"guichet/internal/demo"
	"guichet/internal/desk"
	"guichet/internal/sqlstore"
)

// seedHistory fills a new SQLite base at path with the demo installation and a
// ticket with a public and a private comment.
func seedHistory(t *testing.T, path string) {
	t.Helper()
	ctx := context.Background()
	store, err := sqlstore.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	if _, err := store.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	svc := app.New(store, app.Options{})
	if _, err := demo.Seed(ctx, svc); err != nil {
		t.Fatal(err)
	}
	actor := func(email string) *desk.Actor {
		u, _, err := store.UserByEmail(ctx, email)
		if err != nil {
			t.Fatal(err)
		}
		a, err := svc.Actor(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	contact, agent := actor("contact@acme.example"), actor("agent@vauban.example")
	spaces, err := svc.Spaces(ctx, contact, desk.Page{})
	if err != nil {
		t.Fatal(err)
	}
	tk, err := svc.OpenTicket(ctx, contact, app.NewTicket{SpaceID: spaces[0].ID, Title: "Export PDF en erreur",
		Nature: desk.Question, Criticality: desk.Serious})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []app.NewComment{{Body: "Pouvez-vous joindre le journal ?"}, {Body: "Police manquante ?", Private: true}} {
		if _, err := svc.AddComment(ctx, agent, tk.ID, c); err != nil {
			t.Fatal(err)
		}
	}
}

func TestExportThenImport(t *testing.T) {
	dir := t.TempDir()
	src, dst, file := filepath.Join(dir, "src.db"), filepath.Join(dir, "dst.db"), filepath.Join(dir, "base.jsonl")
	seedHistory(t, src)
	guichet := func(db string, args ...string) (string, string, error) {
		var out, errOut strings.Builder
		env := func(k string) string { return map[string]string{"GUICHET_DB": db}[k] }
		err := run(context.Background(), args, env, strings.NewReader(""), &out, &errOut)
		return out.String(), errOut.String(), err
	}

	out, _, err := guichet(src, "export", file)
	if err != nil || !strings.Contains(out, "exported to "+file) || !strings.Contains(out, "tickets        1") {
		t.Fatalf("export: %q %v", out, err)
	}
	info, err := os.Stat(file)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("the export is readable by others: mode %v", info.Mode().Perm())
	}
	exported, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}

	out, _, err = guichet(dst, "import", file)
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	for _, want := range []string{"organisations  5", "users          13", "tickets        1", "comments       2", "events         3"} {
		if !strings.Contains(out, want) {
			t.Errorf("import printed\n%s\nwithout %q", out, want)
		}
	}

	// With no file, the export goes to standard output and its counts to
	// standard error; it is the same file.
	out, errOut, err := guichet(dst, "export")
	if err != nil {
		t.Fatal(err)
	}
	if out != string(exported) {
		t.Error("the export of the imported base differs from the first export")
	}
	if !strings.Contains(errOut, "tickets        1") {
		t.Errorf("export printed %q on standard error", errOut)
	}
	if out, _, err := guichet(dst, "verify"); err != nil || !strings.Contains(out, "3 events checked") {
		t.Fatalf("verify after import: %q %v", out, err)
	}

	// Importing it again into the same base is refused, line by line.
	_, _, err = guichet(dst, "import", file)
	if err == nil || !strings.Contains(err.Error(), "nothing was imported") || !strings.Contains(err.Error(), "\nline 1: kind: there is already a provider") {
		t.Fatalf("second import: %v", err)
	}

	if _, _, err := guichet(src, "export", "--output", filepath.Join(dir, "a.jsonl"), filepath.Join(dir, "b.jsonl")); err == nil {
		t.Error("export accepted two different files")
	}
	if _, _, err := guichet(src, "export", "-o", filepath.Join(dir, "no", "such", "dir.jsonl")); err == nil {
		t.Error("export into a missing directory succeeded")
	}
	if _, _, err := guichet(dst, "import", filepath.Join(dir, "missing.jsonl")); err == nil {
		t.Error("import of a missing file succeeded")
	}
}

func TestImportRefusesABadFile(t *testing.T) {
	dir := t.TempDir()
	db, file := filepath.Join(dir, "g.db"), filepath.Join(dir, "bad.jsonl")
	lines := []string{
		`{"type":"organisation","kind":"provider","name":"Vauban","created_at":"2024-01-08T09:00:00Z"}`,
		`{"type":"organisation","kind":"customer","name":"Acme","created_at":"2024-01-08T09:00:00Z"}`,
		`{"type":"user","email":"agent@vauban.example","name":"Agent","org":"Vauban","org_kind":"provider","locale":"fr","roles":["agent"],"created_at":"yesterday"}`,
	}
	if err := os.WriteFile(file, []byte(strings.Join(lines, "\n")), 0o600); err != nil {
		t.Fatal(err)
	}
	env := func(k string) string { return map[string]string{"GUICHET_DB": db}[k] }
	var out bytes.Buffer
	err := run(context.Background(), []string{"import", file}, env, nil, &out, &out)
	if err == nil {
		t.Fatal("a bad file was imported")
	}
	for _, want := range []string{"the file has 2 errors; nothing was imported",
		"\nline 2: kind: must be one of provider, client, partner", "\nline 3: created_at: must be a time"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	out.Reset()
	if err := run(context.Background(), []string{"export"}, env, nil, &out, &bytes.Buffer{}); err != nil || out.Len() != 0 {
		t.Fatalf("the base is not empty after a refused import: %q %v", out.String(), err)
	}
}
