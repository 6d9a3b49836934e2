package api

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"os"
	"strconv"
	"strings"

	"guichet/internal/app"
	"guichet/internal/desk"
)

// DefaultMaxUpload is the largest file accepted when the server sets no limit.
const DefaultMaxUpload = 25 << 20

// spool holds the files of one multipart request in temporary files, hashed as
// they arrive, so that no upload is ever held whole in memory.
type spool struct {
	dir   string
	files []*os.File
}

func (s *spool) close() {
	for _, f := range s.files {
		f.Close()
		os.Remove(f.Name())
	}
}

// readMultipart streams a multipart/form-data body: the JSON part named "json"
// (if any) is decoded into v, and every part named "files" is spooled to disk.
func (h *Handler) readMultipart(w http.ResponseWriter, r *http.Request, v any, sp *spool) ([]app.File, error) {
	if actor(r).Anonymous() { // refused before a byte of the files is read
		return nil, desk.Errorf(desk.Unauthenticated, "sign in first")
	}
	r.Body = http.MaxBytesReader(w, r.Body, int64(h.maxUpload)*8+MaxBodyBytes)
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, desk.Errorf(desk.Invalid, "the body must be multipart/form-data: %v", err)
	}
	var files []app.File
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, decodeError(err)
		}
		switch part.FormName() {
		case "json":
			if v == nil {
				return nil, desk.FieldError("json", "is not expected here")
			}
			dec := json.NewDecoder(io.LimitReader(part, MaxBodyBytes))
			dec.DisallowUnknownFields()
			if err := dec.Decode(v); err != nil {
				return nil, decodeError(err)
			}
		case "files":
			f, err := h.spoolFile(part.FileName(), part.Header.Get("Content-Type"), part, sp)
			if err != nil {
				return nil, err
			}
			files = append(files, f)
		default:
			return nil, desk.FieldError(part.FormName(), "is not a known part (expected json and files)")
		}
	}
	return files, nil
}

func (h *Handler) spoolFile(name, contentType string, r io.Reader, sp *spool) (app.File, error) {
	name = app.CleanFileName(name)
	tmp, err := os.CreateTemp(sp.dir, "upload-*")
	if err != nil {
		return app.File{}, err
	}
	sp.files = append(sp.files, tmp)
	sum := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, sum), io.LimitReader(r, int64(h.maxUpload)+1))
	if err != nil {
		return app.File{}, decodeError(err)
	}
	if n > int64(h.maxUpload) {
		return app.File{}, &desk.Error{Code: desk.TooLarge, Field: "files",
			Message: name + " is larger than the limit of " + humanBytes(h.maxUpload)}
	}
	if n == 0 {
		return app.File{}, desk.FieldError("files", "%s is empty", name)
	}
	if mt, _, err := mime.ParseMediaType(contentType); err == nil {
		contentType = mt
	} else {
		contentType = "application/octet-stream"
	}
	path := tmp.Name()
	return app.File{Name: name, ContentType: contentType, Size: n, SHA256: hex.EncodeToString(sum.Sum(nil)),
		Open: func() (io.ReadCloser, error) { return os.Open(path) }}, nil
}

func humanBytes(n int) string {
	if n%(1<<20) == 0 {
		return strconv.Itoa(n>>20) + " MiB"
	}
	return strconv.Itoa(n) + " bytes"
}

func isMultipart(r *http.Request) bool {
	return strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data")
}
