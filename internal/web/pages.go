// Package web serves Guichet's server-rendered pages: html/template, one file per
// page family, templates and static files embedded in the binary.
package web

import (
	"embed"
	"html/template"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"strings"

	"github.com/alexedwards/scs/v2"
	"golang.org/x/text/language"

	"guichet/internal/api"
	"guichet/internal/app"
	"guichet/internal/desk"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Pages serves the web interface.
type Pages struct {
	svc      *app.Service
	sessions *scs.SessionManager
	userKey  string
	tmpl     *template.Template
}

// New returns the pages; userKey is the session key holding the user's id.
func New(svc *app.Service, sessions *scs.SessionManager, userKey string) *Pages {
	t := template.Must(template.New("").Funcs(template.FuncMap{"t": text, "dict": dict}).
		ParseFS(templateFS, "templates/*.html"))
	return &Pages{svc: svc, sessions: sessions, userKey: userKey, tmpl: t}
}

// Static serves the embedded static files under /static/.
func (p *Pages) Static() http.Handler {
	sub, _ := fs.Sub(staticFS, "static")
	files := http.StripPrefix("/static/", http.FileServerFS(sub))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		files.ServeHTTP(w, r)
	})
}

var matcher = language.NewMatcher([]language.Tag{language.French, language.English})

// lang picks the page language: the user's preference, then Accept-Language.
func lang(r *http.Request, u *desk.User) string {
	if u != nil && u.Locale != "" {
		return u.Locale
	}
	tags, _, _ := language.ParseAcceptLanguage(r.Header.Get("Accept-Language"))
	if len(tags) == 0 {
		return "fr"
	}
	_, i, _ := matcher.Match(tags...)
	return []string{"fr", "en"}[i]
}

func (p *Pages) render(w http.ResponseWriter, r *http.Request, status int, name string, data map[string]any) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	if err := p.tmpl.ExecuteTemplate(w, name, data); err != nil {
		log, _ := r.Context().Value(api.LoggerKey).(*slog.Logger)
		if log != nil {
			log.ErrorContext(r.Context(), "rendering page", "page", name, "err", err)
		}
	}
}

// Home is the signed-in landing page: who you are and the spaces you see.
func (p *Pages) Home(w http.ResponseWriter, r *http.Request) {
	a := app.ActorFrom(r.Context())
	if a.Anonymous() {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	u, err := p.svc.User(r.Context(), a, a.UserID)
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	spaces, err := p.svc.Spaces(r.Context(), a, desk.Page{Limit: desk.MaxPageSize})
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	p.render(w, r, http.StatusOK, "home.html", map[string]any{"L": lang(r, u), "User": u, "Spaces": spaces})
}

// LoginForm shows the sign-in form.
func (p *Pages) LoginForm(w http.ResponseWriter, r *http.Request) {
	if !app.ActorFrom(r.Context()).Anonymous() {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	p.render(w, r, http.StatusOK, "login.html", map[string]any{"L": lang(r, nil)})
}

// Login checks the credentials and starts a session under a new id.
func (p *Pages) Login(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	email, password := r.PostFormValue("email"), r.PostFormValue("password")
	l := lang(r, nil)
	u, err := p.svc.Login(r.Context(), email, password, clientAddr(r))
	if err != nil {
		msg, status := text(l, "login.failed"), http.StatusUnauthorized
		switch desk.ErrorCode(err) {
		case desk.RateLimited:
			msg, status = text(l, "login.limited"), http.StatusTooManyRequests
		case desk.Unauthenticated:
		default:
			log, _ := r.Context().Value(api.LoggerKey).(*slog.Logger)
			if log != nil {
				log.ErrorContext(r.Context(), "signing in", "err", err)
			}
			msg, status = text(l, "error.internal"), http.StatusInternalServerError
		}
		p.render(w, r, status, "login.html", map[string]any{"L": l, "Email": email, "Error": msg})
		return
	}
	// A new session id at sign-in defeats session fixation.
	if err := p.sessions.RenewToken(r.Context()); err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	p.sessions.Put(r.Context(), p.userKey, u.ID)
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// Logout ends the session.
func (p *Pages) Logout(w http.ResponseWriter, r *http.Request) {
	if err := p.sessions.Destroy(r.Context()); err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// clientAddr is the peer's IP address, the key of per-address sign-in limits.
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return strings.TrimSpace(host)
}

// dict builds a map from key, value pairs, to pass several values to a template.
func dict(kv ...any) map[string]any {
	m := make(map[string]any, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		k, _ := kv[i].(string)
		m[k] = kv[i+1]
	}
	return m
}
