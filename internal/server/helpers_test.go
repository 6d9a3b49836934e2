package server_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"net/url"
	"slices"
	"strings"
	"testing"

	"guichet/internal/app"
	"guichet/internal/demo"
	"guichet/internal/desk"
	"guichet/internal/server"
	"guichet/internal/sqlstore"
)

// sessionCookie is the name of the session cookie the server sets.
const sessionCookie = "guichet_session"

// The demo accounts, by the role each one plays in these tests.
var emails = map[string]string{
	"admin":    "admin@vauban.example",
	"agent":    "agent@vauban.example",
	"engineer": "engineer@vauban.example",
	"pm":       "pm@vauban.example",
	"am":       "am@vauban.example",
	"contact":  "contact@acme.example",
	"animator": "animator@acme.example",
	"contract": "contract@acme.example",
	"security": "security@acme.example",
	"dpo":      "dpo@acme.example",
	"partner":  "partner@integra.example",
	"other":    "contact@bolt.example",
	"novice":   "novice@novice.example",
}

// fixture is one store holding the demo installation, with the ids the tests name
// and an API token for every demo account.
type fixture struct {
	st  *sqlstore.Store
	svc *app.Service
	srv *server.Server

	orgs     map[string]int64 // "provider", "acme", "bolt", "integra", "novice"
	spaces   map[string]int64 // by key: ACME, ACMEX, BOLT
	projects map[string]int64 // by name
	users    map[string]*desk.User
	tokens   map[string]string // API token secret, by role

	// Set by seedTickets, by name: see there.
	tickets     map[string]*desk.Ticket
	refs        map[string]string
	comments    map[string]int64
	attachments map[string]int64
	// fresh holds what a check's reset made for the caller at hand.
	fresh map[string]int64
}

// newFixture seeds the demo installation into st (which must be empty), adds a
// member-less user to Acme and to Bolt ("spare-acme", "spare-bolt"), and creates a
// token for every account.
func newFixture(t *testing.T, st *sqlstore.Store, opts app.Options) *fixture {
	t.Helper()
	ctx := context.Background()
	svc := app.New(st, opts)
	if _, err := demo.Seed(ctx, svc); err != nil {
		t.Fatalf("demo.Seed: %v", err)
	}
	f := &fixture{st: st, svc: svc, srv: newServer(svc, st),
		orgs: map[string]int64{}, spaces: map[string]int64{}, projects: map[string]int64{},
		users: map[string]*desk.User{}, tokens: map[string]string{}}

	orgs, err := st.ListOrganisations(ctx, desk.OrgScope{All: true}, desk.Page{Limit: desk.MaxPageSize})
	must(t, err)
	byName := map[string]string{"Logiciels Vauban": "provider", "Acme Industrie": "acme",
		"Bolt Logistique": "bolt", "Intégra Conseil": "integra", "Novice Services": "novice"}
	for _, o := range orgs {
		if k, ok := byName[o.Name]; ok {
			f.orgs[k] = o.ID
		}
	}
	if len(f.orgs) != len(byName) {
		t.Fatalf("demo organisations: found %v", f.orgs)
	}
	spaces, err := st.ListSpaces(ctx, desk.SpaceScope{All: true}, desk.Page{Limit: desk.MaxPageSize})
	must(t, err)
	for _, s := range spaces {
		f.spaces[s.Key] = s.ID
		projects, err := st.ListProjects(ctx, s.ID, desk.Page{Limit: desk.MaxPageSize})
		must(t, err)
		for _, p := range projects {
			f.projects[p.Name] = p.ID
		}
	}
	for role, email := range emails {
		u, _, err := st.UserByEmail(ctx, email)
		if err != nil {
			t.Fatalf("demo user %s: %v", email, err)
		}
		f.users[role] = u
	}
	for role, org := range map[string]string{"spare-acme": "acme", "spare-bolt": "bolt"} {
		u, err := svc.CreateUser(ctx, desk.System(), app.NewUser{OrgID: f.orgs[org],
			Email: role + "@" + org + ".example", Name: "Spare " + org, Password: demo.Password})
		must(t, err)
		f.users[role] = u
	}
	for role, u := range f.users {
		f.tokens[role] = f.token(t, u.ID, "test")
	}
	return f
}

// The titles of the tickets seedTickets opens.
var ticketTitles = map[string]string{
	"acme":     "Printer queue stuck",
	"security": "Session cookie readable by scripts",
	"acmex":    "Connector to Integra's ERP",
	"bolt":     "Barcode scanner offline",
}

// seedTickets opens, through the service, the tickets the access matrix reads:
// "acme", a question of the ACME contact with an attached file; "security", a
// security ticket of the same contact; "acmex", a question of the animator in
// ACMEX (the partner's view); "bolt", a question of Bolt's contact. Each has a
// file ("acme", "security", "acmex", "bolt" in attachments) and a public comment
// of the account manager (in comments); "acme" also has a private comment of the
// agent with a file ("private" in both maps).
func (f *fixture) seedTickets(t *testing.T) {
	t.Helper()
	f.tickets, f.refs = map[string]*desk.Ticket{}, map[string]string{}
	f.comments, f.attachments, f.fresh = map[string]int64{}, map[string]int64{}, map[string]int64{}
	for _, c := range []struct{ name, space, author string }{
		{"acme", "ACME", "contact"}, {"security", "ACME", "contact"}, {"acmex", "ACMEX", "animator"},
		{"bolt", "BOLT", "other"},
	} {
		nature := desk.Question
		if c.name == "security" {
			nature = desk.Security
		}
		tk := f.openTicket(t, c.author, app.NewTicket{SpaceID: f.spaces[c.space], Title: ticketTitles[c.name],
			Nature: nature, Criticality: desk.Annoying, Description: "Seen since Monday.",
			Files: []app.File{memFile(c.name+".log", "log of "+c.name)}})
		f.tickets[c.name] = tk
		f.refs[c.name] = desk.Ref(c.space, tk.Number)
		atts, err := f.svc.Attachments(context.Background(), f.actor(t, "admin"), tk.ID)
		must(t, err)
		f.attachments[c.name] = atts[0].ID
		f.comments[c.name] = f.comment(t, "am", tk.ID, "Looking into it.", false).ID
	}
	c := f.comment(t, "agent", f.tickets["acme"].ID, "Internal: the customer runs an old driver.", true,
		memFile("driver.txt", "driver 1.2"))
	f.comments["private"] = c.ID
	atts, err := f.svc.Attachments(context.Background(), f.actor(t, "admin"), f.tickets["acme"].ID)
	must(t, err)
	for _, a := range atts {
		if a.CommentID == c.ID {
			f.attachments["private"] = a.ID
		}
	}
}

// actor is the actor of role, as the server builds it for a request.
func (f *fixture) actor(t *testing.T, role string) *desk.Actor {
	t.Helper()
	a, err := f.svc.Actor(context.Background(), f.users[role].ID)
	must(t, err)
	return a
}

// openTicket opens a ticket as role through the service.
func (f *fixture) openTicket(t *testing.T, role string, in app.NewTicket) *desk.Ticket {
	t.Helper()
	tk, err := f.svc.OpenTicket(context.Background(), f.actor(t, role), in)
	must(t, err)
	return tk
}

// comment comments on a ticket as role through the service.
func (f *fixture) comment(t *testing.T, role string, ticketID int64, body string, private bool, files ...app.File) *desk.Comment {
	t.Helper()
	c, err := f.svc.AddComment(context.Background(), f.actor(t, role), ticketID,
		app.NewComment{Body: body, Private: private, Files: files})
	must(t, err)
	return c
}

// memFile is an upload held in memory.
func memFile(name, content string) app.File {
	sum := sha256.Sum256([]byte(content))
	return app.File{Name: name, ContentType: "text/plain", Size: int64(len(content)),
		SHA256: hex.EncodeToString(sum[:]),
		Open:   func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(content)), nil }}
}

// part is one part of a multipart/form-data body: a file when file is set, of
// type ctype (application/octet-stream when empty).
type part struct {
	name, file, content string
	ctype               string
}

// multipartBody encodes parts and returns the body and its Content-Type.
func multipartBody(parts ...part) (string, string) {
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for _, p := range parts {
		var err error
		var pw io.Writer
		switch {
		case p.ctype != "":
			h := textproto.MIMEHeader{}
			h.Set("Content-Disposition", mime.FormatMediaType("form-data", map[string]string{"name": p.name, "filename": p.file}))
			h.Set("Content-Type", p.ctype)
			pw, err = w.CreatePart(h)
		case p.file != "":
			pw, err = w.CreateFormFile(p.name, p.file)
		default:
			pw, err = w.CreateFormField(p.name)
		}
		if err != nil {
			panic(err)
		}
		_, _ = io.WriteString(pw, p.content)
	}
	_ = w.Close()
	return b.String(), w.FormDataContentType()
}

// upload sends parts as multipart/form-data as role.
func (f *fixture) upload(h http.Handler, role, method, path string, parts ...part) *httptest.ResponseRecorder {
	body, ct := multipartBody(parts...)
	return serve(h, method, path, body, bearer(f.tokens[role]), header("Content-Type", ct))
}

// newServer builds the server the way the command does.
func newServer(svc *app.Service, st *sqlstore.Store) *server.Server {
	return server.New(server.Config{}, server.Deps{Service: svc, Sessions: st.Sessions(), DB: st.DB()})
}

// token creates an API token for user id and returns its secret.
func (f *fixture) token(t *testing.T, userID int64, name string) string {
	t.Helper()
	secret, _, err := f.svc.NewToken(context.Background(), desk.System(), userID, name, 0)
	must(t, err)
	return secret
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// opt changes a request before it is served.
type opt func(*http.Request)

// bearer authenticates the request with an API token.
func bearer(secret string) opt {
	return func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+secret) }
}

// withCookie sends a session cookie.
func withCookie(c *http.Cookie) opt {
	return func(r *http.Request) {
		if c != nil {
			r.AddCookie(c)
		}
	}
}

// header sets a request header.
func header(k, v string) opt { return func(r *http.Request) { r.Header.Set(k, v) } }

// form sends the body as an HTML form.
var form opt = header("Content-Type", "application/x-www-form-urlencoded")

// from sets the peer's address, the key of per-address sign-in limits.
func from(addr string) opt { return func(r *http.Request) { r.RemoteAddr = addr } }

// serve sends one request to h and returns the recorded answer. A body is sent as
// JSON unless an option sets another Content-Type.
func serve(h http.Handler, method, path, body string, opts ...opt) *httptest.ResponseRecorder {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	r := httptest.NewRequest(method, path, rd)
	if body != "" {
		r.Header.Set("Content-Type", "application/json")
	}
	for _, o := range opts {
		o(r)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// as is serve with role's API token.
func (f *fixture) as(role, method, path, body string, opts ...opt) *httptest.ResponseRecorder {
	return serve(f.srv, method, path, body, append([]opt{bearer(f.tokens[role])}, opts...)...)
}

// wantStatus fails the test when w's status is not want.
func wantStatus(t *testing.T, w *httptest.ResponseRecorder, want int, what string) {
	t.Helper()
	if w.Code != want {
		t.Errorf("%s: status %d, want %d; body: %s", what, w.Code, want, trim(w.Body.String()))
	}
}

func trim(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > 300 {
		return s[:300] + "…"
	}
	return s
}

// decodeJSON reads w's body into a value of type T.
func decodeJSON[T any](t *testing.T, w *httptest.ResponseRecorder) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(w.Body.Bytes(), &v); err != nil {
		t.Fatalf("decoding %q: %v", trim(w.Body.String()), err)
	}
	return v
}

// list is the envelope of list answers, kept loose so tests read any item.
type list struct {
	Items      []map[string]any `json:"items"`
	NextCursor string           `json:"next_cursor"`
}

// field collects field name of every item, as strings.
func (l list) field(name string) []string {
	out := make([]string, 0, len(l.Items))
	for _, it := range l.Items {
		switch v := it[name].(type) {
		case string:
			out = append(out, v)
		case float64:
			out = append(out, jsonNumber(v))
		default:
			out = append(out, "?")
		}
	}
	return out
}

func jsonNumber(v float64) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// sameSet tells whether a and b hold the same strings, in any order.
func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// problem is an RFC 9457 problem document as the API writes it.
type problem struct {
	Type      string `json:"type"`
	Title     string `json:"title"`
	Status    int    `json:"status"`
	Detail    string `json:"detail"`
	Instance  string `json:"instance"`
	Code      string `json:"code"`
	RequestID string `json:"request_id"`
	Errors    []struct {
		Field  string `json:"field"`
		Reason string `json:"reason"`
	} `json:"errors"`
}

// wantProblem checks that w is a problem document with this status and, when
// field is not empty, an error about that field; it returns the document.
func wantProblem(t *testing.T, w *httptest.ResponseRecorder, status int, field string) problem {
	t.Helper()
	if w.Code != status {
		t.Errorf("status %d, want %d; body: %s", w.Code, status, trim(w.Body.String()))
	}
	if ct := w.Header().Get("Content-Type"); ct != "application/problem+json" {
		t.Errorf("Content-Type %q, want application/problem+json", ct)
		return problem{}
	}
	p := decodeJSON[problem](t, w)
	if p.Status != w.Code {
		t.Errorf("problem status %d, answer status %d", p.Status, w.Code)
	}
	if field != "" && (len(p.Errors) != 1 || p.Errors[0].Field != field) {
		t.Errorf("problem errors %+v, want one about field %q (detail %q)", p.Errors, field, p.Detail)
	}
	return p
}

// cookieOf returns the session cookie w sets, or nil.
func cookieOf(w *httptest.ResponseRecorder) *http.Cookie {
	for _, c := range w.Result().Cookies() {
		if c.Name == sessionCookie {
			return c
		}
	}
	return nil
}

// login signs in through the form and returns the new session cookie.
func login(t *testing.T, h http.Handler, email, password string, opts ...opt) *http.Cookie {
	t.Helper()
	w := serve(h, "POST", "/login", formBody(email, password), append([]opt{form}, opts...)...)
	if w.Code != http.StatusSeeOther {
		t.Fatalf("login %s: status %d, want 303; body: %s", email, w.Code, trim(w.Body.String()))
	}
	c := cookieOf(w)
	if c == nil || c.Value == "" {
		t.Fatalf("login %s: no session cookie in %v", email, w.Header()["Set-Cookie"])
	}
	return c
}

func formBody(email, password string) string {
	return url.Values{"email": {email}, "password": {password}}.Encode()
}
