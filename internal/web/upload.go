package web

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"strconv"

	"guichet/internal/api"
	"guichet/internal/app"
	"guichet/internal/desk"
)

// maxUpload is the largest file accepted.
func (p *Pages) maxUpload() int64 {
	if p.MaxUpload > 0 {
		return int64(p.MaxUpload)
	}
	return api.DefaultMaxUpload
}

// upload reads a multipart form: its text fields, and its "files" parts spooled
// to temporary files and hashed as they arrive, never held whole in memory.
type upload struct {
	maxFile int64
	tmp     []*os.File
}

// maxFields bounds the text of a form's fields, all together.
const maxFields = 1 << 20

func (u *upload) close() {
	for _, f := range u.tmp {
		f.Close()
		os.Remove(f.Name())
	}
}

func (u *upload) read(w http.ResponseWriter, r *http.Request) (url.Values, []app.File, error) {
	fields := url.Values{}
	r.Body = http.MaxBytesReader(w, r.Body, u.maxFile*8+maxFields)
	mr, err := r.MultipartReader()
	if err != nil { // a plain form: no file, but the fields still count
		if err := r.ParseForm(); err != nil {
			return fields, nil, desk.FieldError("form", "could not be read")
		}
		return r.PostForm, nil, nil
	}
	var files []app.File
	size := 0
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fields, nil, desk.FieldError("form", "could not be read: %v", err)
		}
		name := part.FormName()
		if name == "files" {
			if part.FileName() == "" { // the browser sends an empty part for no file
				continue
			}
			f, err := u.spool(part)
			if err != nil {
				return fields, nil, err
			}
			files = append(files, f)
			continue
		}
		b, err := io.ReadAll(io.LimitReader(part, int64(maxFields-size)+1))
		if err != nil {
			return fields, nil, desk.FieldError("form", "could not be read")
		}
		size += len(b)
		if size > maxFields {
			return fields, nil, &desk.Error{Code: desk.TooLarge, Field: "form", Message: "the form is too large"}
		}
		fields.Add(name, string(b))
	}
	return fields, files, nil
}

func (u *upload) spool(part *multipart.Part) (app.File, error) {
	name := app.CleanFileName(part.FileName())
	tmp, err := os.CreateTemp("", "guichet-upload-*")
	if err != nil {
		return app.File{}, err
	}
	u.tmp = append(u.tmp, tmp)
	sum := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, sum), io.LimitReader(part, u.maxFile+1))
	if err != nil {
		return app.File{}, desk.FieldError("files", "%s could not be read", name)
	}
	if n > u.maxFile {
		return app.File{}, &desk.Error{Code: desk.TooLarge, Field: "files",
			Message: name + " is larger than the limit of " + strconv.FormatInt(u.maxFile>>20, 10) + " MiB"}
	}
	if n == 0 {
		return app.File{}, desk.FieldError("files", "%s is empty", name)
	}
	path := tmp.Name()
	contentType := "application/octet-stream"
	if mt, _, err := mime.ParseMediaType(part.Header.Get("Content-Type")); err == nil {
		contentType = mt
	}
	return app.File{Name: name, ContentType: contentType, Size: n, SHA256: hex.EncodeToString(sum.Sum(nil)),
		Open: func() (io.ReadCloser, error) { return os.Open(path) }}, nil
}
