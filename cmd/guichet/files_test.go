package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"guichet/internal/sqlstore"
)

// TestAttachmentsInFiles fills a base whose attachment content goes to files and
// reads every content back from them, checked against its SHA-256.
func TestAttachmentsInFiles(t *testing.T) {
	ctx := context.Background()
	db, data := dbFlag(t), t.TempDir()
	getenv := func(k string) string {
		return map[string]string{"GUICHET_DB": db, "GUICHET_DATA_DIR": data, "GUICHET_ATTACHMENTS": "files"}[k]
	}
	if err := run(ctx, []string{"demo", "--tickets", "60"}, getenv, nil, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	store, err := sqlstore.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	var chunks, inFiles int
	if err := store.DB().QueryRowContext(ctx, `SELECT count(*) FROM blob_chunks`).Scan(&chunks); err != nil {
		t.Fatal(err)
	}
	rows, err := store.DB().QueryContext(ctx, `SELECT sha256 FROM blobs WHERE stored_in = 'files'`)
	if err != nil {
		t.Fatal(err)
	}
	var sums []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		sums = append(sums, s)
	}
	rows.Close()
	inFiles = len(sums)
	if chunks != 0 || inFiles == 0 {
		t.Fatalf("%d chunks in the database and %d contents in files; want none and some", chunks, inFiles)
	}
	if err := store.SetAttachmentDir(filepath.Join(data, "attachments"), false); err != nil {
		t.Fatal(err)
	}
	for _, sum := range sums {
		r, err := store.OpenBlob(ctx, sum)
		if err != nil {
			t.Fatal(err)
		}
		h := sha256.New()
		if _, err := io.Copy(h, r); err != nil {
			t.Fatal(err)
		}
		r.Close()
		if got := hex.EncodeToString(h.Sum(nil)); got != sum {
			t.Errorf("file of %s holds content hashing to %s", sum, got)
		}
		if _, err := os.Stat(filepath.Join(data, "attachments", sum[:2], sum)); err != nil {
			t.Error(err)
		}
	}
}

func TestAttachmentsSettingIsChecked(t *testing.T) {
	getenv := func(k string) string { return map[string]string{"GUICHET_DB": dbFlag(t)}[k] }
	err := run(context.Background(), []string{"demo", "--attachments", "cloud"}, getenv, nil, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "--attachments") || !strings.Contains(err.Error(), "cloud") {
		t.Fatalf("unknown storage: %v", err)
	}
}
