package storetest_test

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"guichet/internal/app"
	"guichet/internal/desk"
	"guichet/internal/sqlstore"
	"guichet/internal/storetest"
)

func content(t *testing.T, n int) ([]byte, string) {
	t.Helper()
	data := make([]byte, n)
	_, _ = rand.Read(data)
	sum := sha256.Sum256(data)
	return data, hex.EncodeToString(sum[:])
}

func readBlob(t *testing.T, q app.Queries, sha string) []byte {
	t.Helper()
	r, err := q.OpenBlob(t.Context(), sha)
	must(t, err)
	defer r.Close()
	b, err := io.ReadAll(r)
	must(t, err)
	return b
}

// filesIn lists the files under dir, temporary ones included.
func filesIn(t *testing.T, dir string) []string {
	t.Helper()
	var names []string
	_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			names = append(names, rel)
		}
		return nil
	})
	return names
}

func TestBlobFiles(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := t.Context()
		dir := filepath.Join(t.TempDir(), "attachments")
		must(t, s.SetAttachmentDir(dir, true))
		count := func(where string) (n int) {
			must(t, s.DB().QueryRowContext(ctx, `SELECT count(*) FROM `+where).Scan(&n))
			return n
		}

		data, sha := content(t, 1<<20+777)
		must(t, s.PutBlob(ctx, sha, int64(len(data)), bytes.NewReader(data)))
		if got := filesIn(t, dir); len(got) != 1 || got[0] != filepath.Join(sha[:2], sha) {
			t.Errorf("files = %v, want the one named by its SHA-256", got)
		}
		if n := count(`blob_chunks`); n != 0 {
			t.Errorf("%d chunks in the database, want none", n)
		}
		if n := count(`blobs WHERE stored_in = 'files'`); n != 1 {
			t.Errorf("%d blobs recorded as files, want 1", n)
		}
		if !bytes.Equal(readBlob(t, s, sha), data) {
			t.Error("the content read back differs")
		}
		// Stored already: not read again.
		must(t, s.PutBlob(ctx, strings.ToUpper(sha), int64(len(data)), failingReader{t}))

		// Wrong hash, wrong size, failing reader: refused, no row and no file left.
		small := []byte("hello files")
		sumSmall := sha256.Sum256(small)
		shaSmall := hex.EncodeToString(sumSmall[:])
		wantErr(t, s.PutBlob(ctx, strings.Repeat("00", 32), int64(len(small)), bytes.NewReader(small)), desk.Invalid, "sha256")
		wantErr(t, s.PutBlob(ctx, shaSmall, 4, bytes.NewReader(small)), desk.Invalid, "size")
		wantErr(t, s.PutBlob(ctx, shaSmall, 40, bytes.NewReader(small)), desk.Invalid, "size")
		boom := errors.New("boom")
		if err := s.PutBlob(ctx, shaSmall, int64(len(small)), io.MultiReader(bytes.NewReader(small[:3]), errReader{boom})); !errors.Is(err, boom) {
			t.Errorf("failing reader: %v", err)
		}
		if got := filesIn(t, dir); len(got) != 1 {
			t.Errorf("refused puts left files: %v", got)
		}
		if n := count(`blobs`); n != 1 {
			t.Errorf("refused puts left %d blobs, want 1", n)
		}

		// Inside a transaction: readable in it. A rollback forgets the row; the
		// file stays (content-addressed, harmless) and is reused by the next put.
		err := s.InTx(ctx, func(q app.Queries) error {
			must(t, q.PutBlob(ctx, shaSmall, int64(len(small)), bytes.NewReader(small)))
			if !bytes.Equal(readBlob(t, q, shaSmall), small) {
				t.Error("content put in the transaction reads back differently")
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatal(err)
		}
		_, err = s.OpenBlob(ctx, shaSmall)
		wantErr(t, err, desk.NotFound, "")
		must(t, s.PutBlob(ctx, shaSmall, int64(len(small)), bytes.NewReader(small)))
		if !bytes.Equal(readBlob(t, s, shaSmall), small) {
			t.Error("content put again reads back differently")
		}

		// Back to the database for new content: files already kept stay readable.
		must(t, s.SetAttachmentDir(dir, false))
		data2, sha2 := content(t, 300<<10)
		must(t, s.PutBlob(ctx, sha2, int64(len(data2)), bytes.NewReader(data2)))
		if n := count(`blob_chunks`); n != 2 {
			t.Errorf("%d chunks, want 2 (new content in the database)", n)
		}
		if !bytes.Equal(readBlob(t, s, sha), data) || !bytes.Equal(readBlob(t, s, sha2), data2) {
			t.Error("contents read back differ after the switch")
		}

		// A missing or truncated file is an error that says so, not wrong content.
		path := filepath.Join(dir, sha[:2], sha)
		must(t, os.Truncate(path, 10))
		if _, err := s.OpenBlob(ctx, sha); err == nil || !strings.Contains(err.Error(), "does not have") {
			t.Errorf("truncated file: %v", err)
		}
		must(t, os.Remove(path))
		if _, err := s.OpenBlob(ctx, sha); err == nil || !strings.Contains(err.Error(), "missing") {
			t.Errorf("missing file: %v", err)
		}
	})
}

func TestBlobFilesNeedTheirDirectory(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "guichet.db")
	s, err := sqlstore.Open(ctx, path)
	must(t, err)
	defer s.Close()
	_, err = s.Migrate(ctx)
	must(t, err)
	wantErr(t, s.SetAttachmentDir("", true), desk.Invalid, "attachment_dir")
	must(t, s.SetAttachmentDir(t.TempDir(), true))
	data, sha := content(t, 1000)
	must(t, s.PutBlob(ctx, sha, int64(len(data)), bytes.NewReader(data)))

	// Another instance without the directory cannot serve the content, and says why.
	other, err := sqlstore.Open(ctx, path)
	must(t, err)
	defer other.Close()
	if _, err := other.OpenBlob(ctx, sha); err == nil || !strings.Contains(err.Error(), "attachment directory") {
		t.Errorf("without a directory: %v", err)
	}
}
