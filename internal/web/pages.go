// Package web serves Guichet's server-rendered pages: html/template, one file per
// page family, templates and static files embedded in the binary. Pages call the
// use cases of app, never the store or the JSON API; htmx (static/htmx.min.js)
// makes some of them livelier, and every core flow also works without script.
package web

import (
	"embed"
	"html/template"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

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
	assets   assets
	// MaxUpload is the largest attachment accepted, in bytes (default 25 MiB).
	MaxUpload int
	// PollEvery is how often an open ticket page asks whether it changed.
	PollEvery time.Duration
}

// New returns the pages; userKey is the session key holding the user's id.
func New(svc *app.Service, sessions *scs.SessionManager, userKey string) *Pages {
	sub, _ := fs.Sub(staticFS, "static")
	p := &Pages{svc: svc, sessions: sessions, userKey: userKey, assets: loadAssets(sub),
		PollEvery: 5 * time.Second}
	p.tmpl = template.Must(template.New("").Funcs(p.funcs()).ParseFS(templateFS, "templates/*.html"))
	return p
}

// Static serves the embedded static files under /static/, under their hashed
// names (cached for a year) and their plain names.
func (p *Pages) Static() http.Handler { return p.assets }

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
		logError(r, "rendering page", err, "page", name)
	}
}

func logError(r *http.Request, msg string, err error, args ...any) {
	if log, _ := r.Context().Value(api.LoggerKey).(*slog.Logger); log != nil {
		log.ErrorContext(r.Context(), msg, append(args, "err", err)...)
	}
}

// session is what every signed-in page knows about its visitor.
type session struct {
	A  *desk.Actor
	Me *desk.User
	L  string
}

// signedIn returns the visitor's session, or sends anonymous visitors to the
// sign-in page (and answers false).
func (p *Pages) signedIn(w http.ResponseWriter, r *http.Request) (*session, bool) {
	a := app.ActorFrom(r.Context())
	if a.Anonymous() {
		if r.Method == http.MethodGet && r.Header.Get("HX-Request") == "" {
			http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		} else {
			http.Error(w, "sign in first", http.StatusUnauthorized)
		}
		return nil, false
	}
	u, err := p.svc.User(r.Context(), a, a.UserID)
	if err != nil {
		p.fail(w, r, &session{L: lang(r, nil)}, err)
		return nil, false
	}
	return &session{A: a, Me: u, L: lang(r, u)}, true
}

// show renders a full page for s with data, adding what the layout needs.
func (p *Pages) show(w http.ResponseWriter, r *http.Request, s *session, status int, name string, data map[string]any) {
	if data == nil {
		data = map[string]any{}
	}
	data["L"], data["A"], data["Me"] = s.L, s.A, s.Me
	p.render(w, r, status, name, data)
}

// fail shows err as a page: not found, forbidden, conflict, or an internal error
// whose details go only to the log.
func (p *Pages) fail(w http.ResponseWriter, r *http.Request, s *session, err error) {
	code := desk.ErrorCode(err)
	status := api.Status(code)
	msg := text(s.L, "error."+string(code))
	if e, ok := desk.AsError(err); ok && code != desk.Internal && code != desk.NotFound {
		msg = e.Message
	}
	if code == desk.Internal {
		logError(r, "page", err)
	}
	if r.Header.Get("HX-Request") != "" {
		http.Error(w, msg, status)
		return
	}
	data := map[string]any{"Status": status, "Message": msg}
	if s.A == nil {
		data["L"] = s.L
		p.render(w, r, status, "error.html", data)
		return
	}
	p.show(w, r, s, status, "error.html", data)
}

// Home is the signed-in landing page: the spaces one sees, with their projects.
func (p *Pages) Home(w http.ResponseWriter, r *http.Request) {
	s, ok := p.signedIn(w, r)
	if !ok {
		return
	}
	spaces, err := p.svc.Spaces(r.Context(), s.A, desk.Page{Limit: desk.MaxPageSize})
	if err != nil {
		p.fail(w, r, s, err)
		return
	}
	type spaceView struct {
		desk.Space
		Projects []desk.Project
		CanOpen  bool
		Manage   bool
	}
	views := make([]spaceView, 0, len(spaces))
	for _, sp := range spaces {
		v := spaceView{Space: sp, CanOpen: s.A.CanOpenTicket(sp.ID), Manage: s.A.CanManageMembers(&sp)}
		if len(spaces) <= 20 { // a provider with hundreds of clients sees the list only
			if v.Projects, err = p.svc.Projects(r.Context(), s.A, sp.ID, desk.Page{Limit: desk.MaxPageSize}); err != nil {
				p.fail(w, r, s, err)
				return
			}
		}
		views = append(views, v)
	}
	p.show(w, r, s, http.StatusOK, "home.html", map[string]any{"User": s.Me, "Spaces": views})
}

// LoginForm shows the sign-in form.
func (p *Pages) LoginForm(w http.ResponseWriter, r *http.Request) {
	if !app.ActorFrom(r.Context()).Anonymous() {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	p.render(w, r, http.StatusOK, "login.html", map[string]any{"L": lang(r, nil), "Next": safeNext(r.URL.Query().Get("next"))})
}

// safeNext keeps a return address only when it is a path of this site.
func safeNext(s string) string {
	if !strings.HasPrefix(s, "/") || strings.HasPrefix(s, "//") || strings.ContainsAny(s, "\\\r\n") {
		return ""
	}
	return s
}

// Login checks the credentials and starts a session under a new id.
func (p *Pages) Login(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	email, password := r.PostFormValue("email"), r.PostFormValue("password")
	next := safeNext(r.PostFormValue("next"))
	l := lang(r, nil)
	u, err := p.svc.Login(r.Context(), email, password, clientAddr(r))
	if err != nil {
		msg, status := text(l, "login.failed"), http.StatusUnauthorized
		switch desk.ErrorCode(err) {
		case desk.RateLimited:
			msg, status = text(l, "login.limited"), http.StatusTooManyRequests
		case desk.Unauthenticated:
		default:
			logError(r, "signing in", err)
			msg, status = text(l, "error.internal"), http.StatusInternalServerError
		}
		p.render(w, r, status, "login.html", map[string]any{"L": l, "Email": email, "Error": msg, "Next": next})
		return
	}
	// A new session id at sign-in defeats session fixation.
	if err := p.sessions.RenewToken(r.Context()); err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	p.sessions.Put(r.Context(), p.userKey, u.ID)
	if next == "" {
		next = "/"
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
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
