package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"net/http"
	"path"
	"strconv"
	"strings"
)

// asset is one embedded static file, served under a name that carries a hash of
// its content (style.3f2a9c1d.css) so that browsers may keep it for a year: a new
// content is a new name.
type asset struct {
	name        string // hashed name, e.g. style.3f2a9c1d.css
	contentType string
	body        []byte
	gzipped     []byte // nil when compressing does not pay
	etag        string
}

// assets maps both the plain and the hashed name of every static file to it.
type assets struct {
	byName map[string]*asset
	hashed map[string]string // plain name → hashed name
}

func loadAssets(files fs.FS) assets {
	as := assets{byName: map[string]*asset{}, hashed: map[string]string{}}
	_ = fs.WalkDir(files, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := fs.ReadFile(files, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		h := hex.EncodeToString(sum[:4])
		ext := path.Ext(p)
		a := &asset{name: strings.TrimSuffix(p, ext) + "." + h + ext, body: body, etag: `"` + h + `"`,
			contentType: contentTypes[ext]}
		if a.contentType == "" {
			a.contentType = "text/plain; charset=utf-8"
		}
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		_, _ = zw.Write(body)
		_ = zw.Close()
		if buf.Len() < len(body)*9/10 {
			a.gzipped = buf.Bytes()
		}
		as.byName[p], as.byName[a.name], as.hashed[p] = a, a, a.name
		return nil
	})
	return as
}

var contentTypes = map[string]string{
	".css": "text/css; charset=utf-8",
	".js":  "text/javascript; charset=utf-8",
}

// url is the address of the static file name under its hashed name.
func (as assets) url(name string) string {
	if h, ok := as.hashed[name]; ok {
		return "/static/" + h
	}
	return "/static/" + name
}

// ServeHTTP answers /static/NAME: hashed names are immutable for a year, plain
// names (kept for old links) are revalidated after an hour.
func (as assets) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimPrefix(r.URL.Path, "/static/")
	a, ok := as.byName[name]
	if !ok {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", a.contentType)
	h.Set("ETag", a.etag)
	h.Set("Vary", "Accept-Encoding")
	if name == a.name {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "public, max-age=3600")
	}
	if r.Header.Get("If-None-Match") == a.etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	body := a.body
	if a.gzipped != nil && strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
		h.Set("Content-Encoding", "gzip")
		body = a.gzipped
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	if r.Method == http.MethodHead {
		return
	}
	_, _ = w.Write(body)
}
