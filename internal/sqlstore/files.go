package sqlstore

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"guichet/internal/desk"
)

// Attachment content is stored in the database by default, so that several
// instances share it with nothing else. A single instance, or several sharing a
// network file system, may keep it in files instead: the database then stays
// small and backups of content become file copies. Either way the blobs table
// records every content, and where it is (stored_in).

// fileBlobs keeps contents as files named by their SHA-256 under dir, in one
// sub-directory per first two hex digits so no directory grows too large.
type fileBlobs struct {
	dir string
	// keepNew says whether new content goes to files; when false the directory
	// is only read, for content stored there before.
	keepNew bool
}

// SetAttachmentDir names the directory of attachment content kept in files, and
// says whether new content goes there (keepNew) or to the database. Content
// already stored stays where it is and stays readable either way. The directory
// is created when the first file is written.
func (s *Store) SetAttachmentDir(dir string, keepNew bool) error {
	if dir == "" {
		return desk.FieldError("attachment_dir", "must not be empty")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return fmt.Errorf("attachment directory: %w", err)
	}
	s.files = &fileBlobs{dir: abs, keepNew: keepNew}
	return nil
}

func (f *fileBlobs) path(sum string) string {
	return filepath.Join(f.dir, sum[:2], sum)
}

// put writes size bytes of r as the file of sum, checking both. The content is
// written to a temporary file, flushed to disk and renamed into place, so the
// file of a SHA-256 is either absent or complete; two writers of the same
// content both succeed with one file.
func (f *fileBlobs) put(sum string, size int64, r io.Reader) (err error) {
	final := f.path(sum)
	if _, err := os.Stat(final); err == nil {
		return nil
	}
	dir := filepath.Dir(final)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return fmt.Errorf("put blob: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".incoming-*")
	if err != nil {
		return fmt.Errorf("put blob: %w", err)
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), io.LimitReader(r, size+1))
	switch {
	case err != nil:
		return fmt.Errorf("put blob: read: %w", err)
	case n > size:
		return desk.FieldError("size", "the content is longer than %d bytes", size)
	case n != size:
		return desk.FieldError("size", "the content has %d bytes, not %d", n, size)
	case hex.EncodeToString(h.Sum(nil)) != sum:
		return desk.FieldError("sha256", "does not match the content")
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("put blob: %w", err)
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("put blob: %w", err)
	}
	if err = os.Rename(tmp.Name(), final); err != nil {
		return fmt.Errorf("put blob: %w", err)
	}
	// The rename is durable once the directory itself is flushed.
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
	return nil
}

// open opens the file of sum, checking that it has the size recorded.
func (f *fileBlobs) open(sum string, size int64) (io.ReadCloser, error) {
	file, err := os.Open(f.path(sum))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("read blob %s: its file is missing from %s", sum, f.dir)
	}
	if err != nil {
		return nil, fmt.Errorf("read blob %s: %w", sum, err)
	}
	if st, err := file.Stat(); err != nil || st.Size() != size {
		_ = file.Close()
		return nil, fmt.Errorf("read blob %s: its file does not have the %d bytes recorded", sum, size)
	}
	return file, nil
}
