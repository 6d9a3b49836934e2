package server_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"

	"guichet/internal/app"
	"guichet/internal/demo"
	"guichet/internal/desk"
	"guichet/internal/sqlstore"
	"guichet/internal/storetest"
)

// roles are the columns of the access matrix: every row lists one status per role,
// in this order. "contact", "animator", "contract", "security" and "dpo" are Acme
// users, members of the ACME space (the animator also of ACMEX); "partner" is a
// user of the trained partner Intégra, member of ACMEX; "other" is the contact and
// animator of another client, Bolt; "anon" is nobody.
var roles = []string{"admin", "agent", "engineer", "pm", "am",
	"contact", "animator", "contract", "security", "dpo", "partner", "other", "anon"}

// row holds the status each role gets, in the order of roles.
type row [13]int

// check is one request of the matrix, made in turn by every role.
type check struct {
	label string // what the request aims at, for messages
	path  string // with placeholders, see fixture.replacer
	body  string // with placeholders; sent as JSON unless form is set
	form  bool
	// reset puts the data back before each role's request, so that every role
	// meets the same state whatever the roles before it did.
	reset func(t *testing.T, f *fixture)
	want  row
}

// The placeholders of paths and bodies: {space:KEY}, {org:acme|bolt|integra},
// {user:ROLE}, {project:acme|bolt} (Extranet fournisseurs, Entrepôt connecté) and,
// for the acting role, {self}, {self.email}, {self.name}, {self.spare} (the id of a
// spare token of theirs) and {role}. The anonymous caller borrows the contact's
// values. {admin.spare} is the id of the administrator's spare token.
//
// matrix is the expected status of every route for every role, keyed by
// "METHOD /path" as in server.Routes() ("ANY" when the route takes any method).
// Another tenant's object is always 404, never 403.
var matrix = map[string][]check{
	"GET /healthz": {{label: "health", path: "/healthz",
		//        adm  agt  eng  pm   am   cnt  ani  cm   sec  dpo  prt  oth  anon
		want: row{200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200}}},
	"GET /readyz": {{label: "readiness", path: "/readyz",
		want: row{200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200}}},
	"GET /metrics": {{label: "metrics", path: "/metrics",
		want: row{200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200}}},
	"GET /{$}": {{label: "home page", path: "/",
		want: row{200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 303}}},
	"GET /login": {{label: "sign-in form", path: "/login",
		want: row{303, 303, 303, 303, 303, 303, 303, 303, 303, 303, 303, 303, 200}}},
	"POST /login": {{label: "sign in with the right password", path: "/login", form: true,
		body: "email={self.email}&password=" + demo.Password,
		want: row{303, 303, 303, 303, 303, 303, 303, 303, 303, 303, 303, 303, 303}}},
	"POST /logout": {{label: "sign out", path: "/logout", form: true,
		want: row{303, 303, 303, 303, 303, 303, 303, 303, 303, 303, 303, 303, 303}}},
	"GET /static/": {{label: "style sheet", path: "/static/style.css",
		want: row{200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200}}},
	"GET /api/v1/openapi.json": {{label: "OpenAPI document", path: "/api/v1/openapi.json",
		want: row{200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200}}},
	"GET /api/v1/me": {{label: "me", path: "/api/v1/me",
		want: row{200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 401}}},
	"PUT /api/v1/me/password": {{label: "same password again", path: "/api/v1/me/password",
		body: `{"current_password": "` + demo.Password + `", "new_password": "` + demo.Password + `"}`,
		want: row{204, 204, 204, 204, 204, 204, 204, 204, 204, 204, 204, 204, 401}}},

	"GET /api/v1/organisations": {{label: "list", path: "/api/v1/organisations",
		//        adm  agt  eng  pm   am   cnt  ani  cm   sec  dpo  prt  oth  anon
		want: row{200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 401}}},
	"POST /api/v1/organisations": {{label: "new client", path: "/api/v1/organisations",
		body: `{"kind": "client", "name": "Client of {role}"}`,
		want: row{201, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 401}}},
	"GET /api/v1/organisations/{org_id}": {
		{label: "Acme", path: "/api/v1/organisations/{org:acme}",
			want: row{200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 404, 404, 401}},
		{label: "Bolt", path: "/api/v1/organisations/{org:bolt}",
			want: row{200, 200, 200, 200, 200, 404, 404, 404, 404, 404, 404, 200, 401}},
		{label: "Intégra", path: "/api/v1/organisations/{org:integra}",
			want: row{200, 200, 200, 200, 200, 404, 404, 404, 404, 404, 200, 404, 401}},
	},
	"PATCH /api/v1/organisations/{org_id}": {
		// Visibility is checked before the right to change: other tenants get 404.
		{label: "Acme, same name", path: "/api/v1/organisations/{org:acme}",
			body: `{"name": "Acme Industrie"}`,
			want: row{200, 403, 403, 403, 403, 403, 403, 403, 403, 403, 404, 404, 401}},
		{label: "Bolt, same name", path: "/api/v1/organisations/{org:bolt}",
			body: `{"name": "Bolt Logistique"}`,
			want: row{200, 403, 403, 403, 403, 404, 404, 404, 404, 404, 404, 403, 401}},
	},

	"GET /api/v1/users": {{label: "list", path: "/api/v1/users",
		want: row{200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 401}}},
	"POST /api/v1/users": {{label: "new Acme user", path: "/api/v1/users",
		body: `{"org_id": {org:acme}, "email": "new-{role}@acme.example", "name": "New {role}", "password": "a long enough password"}`,
		want: row{201, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 401}}},
	"GET /api/v1/users/{user_id}": {
		{label: "Acme's contact", path: "/api/v1/users/{user:contact}",
			want: row{200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 404, 404, 401}},
		{label: "Bolt's contact", path: "/api/v1/users/{user:other}",
			want: row{200, 200, 200, 200, 200, 404, 404, 404, 404, 404, 404, 200, 401}},
		{label: "the partner user, member of ACMEX", path: "/api/v1/users/{user:partner}",
			want: row{200, 200, 200, 200, 200, 404, 200, 404, 404, 404, 200, 404, 401}},
		{label: "the untrained partner's user", path: "/api/v1/users/{user:novice}",
			want: row{200, 200, 200, 200, 200, 404, 404, 404, 404, 404, 404, 404, 401}},
	},
	"PATCH /api/v1/users/{user_id}": {
		{label: "oneself, same name", path: "/api/v1/users/{self}", body: `{"name": "{self.name}"}`,
			want: row{200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 401}},
		{label: "Acme's contact, same name", path: "/api/v1/users/{user:contact}", body: `{"name": "Fabien Contact"}`,
			want: row{200, 403, 403, 403, 403, 200, 403, 403, 403, 403, 404, 404, 401}},
		{label: "Bolt's contact, same name", path: "/api/v1/users/{user:other}", body: `{"name": "Léa Bolt"}`,
			want: row{200, 403, 403, 403, 403, 404, 404, 404, 404, 404, 404, 200, 401}},
	},

	"GET /api/v1/spaces": {{label: "list", path: "/api/v1/spaces",
		//        adm  agt  eng  pm   am   cnt  ani  cm   sec  dpo  prt  oth  anon
		want: row{200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 401}}},
	"POST /api/v1/spaces": {{label: "new Acme space", path: "/api/v1/spaces",
		body: `{"client_id": {org:acme}, "key": "NEWSP", "name": "New space"}`,
		want: row{201, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 401}}},
	"GET /api/v1/spaces/{space_id}": {
		{label: "ACME", path: "/api/v1/spaces/{space:ACME}",
			want: row{200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 404, 404, 401}},
		{label: "ACMEX", path: "/api/v1/spaces/{space:ACMEX}",
			want: row{200, 200, 200, 200, 200, 404, 200, 404, 404, 404, 200, 404, 401}},
		{label: "BOLT", path: "/api/v1/spaces/{space:BOLT}",
			want: row{200, 200, 200, 200, 200, 404, 404, 404, 404, 404, 404, 200, 401}},
	},
	"PATCH /api/v1/spaces/{space_id}": {
		{label: "ACME, same name", path: "/api/v1/spaces/{space:ACME}", body: `{"name": "Support Acme"}`,
			want: row{200, 403, 403, 403, 403, 403, 403, 403, 403, 403, 404, 404, 401}},
		{label: "BOLT, same name", path: "/api/v1/spaces/{space:BOLT}", body: `{"name": "Support Bolt"}`,
			want: row{200, 403, 403, 403, 403, 404, 404, 404, 404, 404, 404, 403, 401}},
	},
	"GET /api/v1/spaces/{space_id}/projects": {
		{label: "ACME", path: "/api/v1/spaces/{space:ACME}/projects",
			want: row{200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 404, 404, 401}},
		{label: "ACMEX", path: "/api/v1/spaces/{space:ACMEX}/projects",
			want: row{200, 200, 200, 200, 200, 404, 200, 404, 404, 404, 200, 404, 401}},
		{label: "BOLT", path: "/api/v1/spaces/{space:BOLT}/projects",
			want: row{200, 200, 200, 200, 200, 404, 404, 404, 404, 404, 404, 200, 401}},
	},
	"POST /api/v1/spaces/{space_id}/projects": {
		{label: "in ACME", path: "/api/v1/spaces/{space:ACME}/projects", body: `{"name": "Project of {role}"}`,
			want: row{201, 403, 403, 403, 201, 403, 403, 403, 403, 403, 404, 404, 401}},
		{label: "in BOLT", path: "/api/v1/spaces/{space:BOLT}/projects", body: `{"name": "Project of {role}"}`,
			want: row{201, 403, 403, 403, 201, 404, 404, 404, 404, 404, 404, 403, 401}},
	},
	"GET /api/v1/projects/{project_id}": {
		{label: "ACME's", path: "/api/v1/projects/{project:acme}",
			want: row{200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 404, 404, 401}},
		{label: "BOLT's", path: "/api/v1/projects/{project:bolt}",
			want: row{200, 200, 200, 200, 200, 404, 404, 404, 404, 404, 404, 200, 401}},
	},
	"PATCH /api/v1/projects/{project_id}": {
		{label: "ACME's, same name", path: "/api/v1/projects/{project:acme}", body: `{"name": "Extranet fournisseurs"}`,
			want: row{200, 403, 403, 403, 200, 403, 403, 403, 403, 403, 404, 404, 401}},
		{label: "BOLT's, same name", path: "/api/v1/projects/{project:bolt}", body: `{"name": "Entrepôt connecté"}`,
			want: row{200, 403, 403, 403, 200, 404, 404, 404, 404, 404, 404, 403, 401}},
	},
	"GET /api/v1/spaces/{space_id}/members": {
		{label: "ACME", path: "/api/v1/spaces/{space:ACME}/members",
			want: row{200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 404, 404, 401}},
		{label: "ACMEX", path: "/api/v1/spaces/{space:ACMEX}/members",
			want: row{200, 200, 200, 200, 200, 404, 200, 404, 404, 404, 200, 404, 401}},
		{label: "BOLT", path: "/api/v1/spaces/{space:BOLT}/members",
			want: row{200, 200, 200, 200, 200, 404, 404, 404, 404, 404, 404, 200, 401}},
	},
	"POST /api/v1/spaces/{space_id}/members": {
		{label: "an Acme user to ACME", path: "/api/v1/spaces/{space:ACME}/members",
			body: `{"user_id": {user:spare-acme}}`, reset: leave("ACME", "spare-acme"),
			want: row{201, 403, 403, 403, 201, 403, 201, 403, 403, 403, 404, 404, 401}},
		{label: "an Acme user to ACMEX, by email", path: "/api/v1/spaces/{space:ACMEX}/members",
			body: `{"email": "spare-acme@acme.example"}`, reset: leave("ACMEX", "spare-acme"),
			want: row{201, 403, 403, 403, 201, 404, 201, 404, 404, 404, 403, 404, 401}},
		{label: "a Bolt user to BOLT", path: "/api/v1/spaces/{space:BOLT}/members",
			body: `{"user_id": {user:spare-bolt}}`, reset: leave("BOLT", "spare-bolt"),
			want: row{201, 403, 403, 403, 201, 404, 404, 404, 404, 404, 404, 201, 401}},
	},
	"DELETE /api/v1/spaces/{space_id}/members/{user_id}": {
		{label: "an Acme user from ACME", path: "/api/v1/spaces/{space:ACME}/members/{user:spare-acme}",
			reset: join("ACME", "spare-acme"),
			want:  row{204, 403, 403, 403, 204, 403, 204, 403, 403, 403, 404, 404, 401}},
		{label: "a Bolt user from BOLT", path: "/api/v1/spaces/{space:BOLT}/members/{user:spare-bolt}",
			reset: join("BOLT", "spare-bolt"),
			want:  row{204, 403, 403, 403, 204, 404, 404, 404, 404, 404, 404, 204, 401}},
	},

	"GET /api/v1/tokens": {{label: "own tokens", path: "/api/v1/tokens",
		//        adm  agt  eng  pm   am   cnt  ani  cm   sec  dpo  prt  oth  anon
		want: row{200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 401}}},
	"POST /api/v1/tokens": {{label: "own token", path: "/api/v1/tokens", body: `{"name": "made by {role}"}`,
		want: row{201, 201, 201, 201, 201, 201, 201, 201, 201, 201, 201, 201, 401}}},
	"DELETE /api/v1/tokens/{token_id}": {
		{label: "an own spare token", path: "/api/v1/tokens/{self.spare}",
			want: row{204, 204, 204, 204, 204, 204, 204, 204, 204, 204, 204, 204, 401}},
		{label: "the administrator's spare token", path: "/api/v1/tokens/{admin.spare}",
			want: row{204, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 401}},
	},
	"ANY /api/": {
		{label: "unknown endpoint", path: "/api/v1/nowhere",
			want: row{404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404}},
	},
}

// methodOf returns the method a matrix key names; "ANY" routes are tried with GET.
func methodOf(key string) string {
	m, _, _ := strings.Cut(key, " ")
	if m == "ANY" {
		return "GET"
	}
	return m
}

// routeKey is how the matrix names a route.
func routeKey(method, path string) string {
	if method == "" {
		method = "ANY"
	}
	return method + " " + path
}

// leave returns a reset that makes sure user role is not a member of space key.
func leave(key, role string) func(*testing.T, *fixture) {
	return func(t *testing.T, f *fixture) {
		err := f.st.RemoveMember(context.Background(), f.spaces[key], f.users[role].ID)
		if err != nil && desk.ErrorCode(err) != desk.NotFound {
			t.Fatal(err)
		}
	}
}

// join returns a reset that makes sure user role is a member of space key.
func join(key, role string) func(*testing.T, *fixture) {
	return func(t *testing.T, f *fixture) {
		err := f.st.AddMember(context.Background(), &desk.Membership{SpaceID: f.spaces[key], UserID: f.users[role].ID})
		if err != nil && desk.ErrorCode(err) != desk.Conflict {
			t.Fatal(err)
		}
	}
}

// replacer fills the placeholders of paths and bodies for role; spare holds the id
// of a spare token of every role.
func (f *fixture) replacer(role string, spare map[string]int64) *strings.Replacer {
	self := role
	if self == "anon" {
		self = "contact"
	}
	id := func(n int64) string { return strconv.FormatInt(n, 10) }
	kv := []string{
		"{self}", id(f.users[self].ID), "{self.email}", f.users[self].Email, "{self.name}", f.users[self].Name,
		"{self.spare}", id(spare[self]), "{admin.spare}", id(spare["admin"]), "{role}", role,
		"{project:acme}", id(f.projects["Extranet fournisseurs"]), "{project:bolt}", id(f.projects["Entrepôt connecté"]),
	}
	for k, v := range f.spaces {
		kv = append(kv, "{space:"+k+"}", id(v))
	}
	for k, v := range f.orgs {
		kv = append(kv, "{org:"+k+"}", id(v))
	}
	for k, u := range f.users {
		kv = append(kv, "{user:"+k+"}", id(u.ID))
	}
	return strings.NewReplacer(kv...)
}

// caller sends requests as one role: with its API token, with a session cookie, or
// as nobody.
type caller struct {
	role   string
	name   string
	token  string
	cookie bool
	// session is the current session cookie of a cookie caller; nil until it signs
	// in, and again after it signs out.
	session *http.Cookie
}

func (c *caller) send(t *testing.T, f *fixture, method, path, body string, isForm bool) *httptest.ResponseRecorder {
	t.Helper()
	var opts []opt
	if isForm {
		opts = append(opts, form)
	}
	switch {
	case c.token != "":
		opts = append(opts, bearer(c.token))
	case c.cookie:
		if c.session == nil {
			c.session = login(t, f.srv, f.users[c.role].Email, demo.Password)
		}
		opts = append(opts, withCookie(c.session))
	}
	w := serve(f.srv, method, path, body, opts...)
	if c.cookie {
		if nc := cookieOf(w); nc != nil {
			if nc.Value == "" || nc.MaxAge < 0 {
				c.session = nil
			} else {
				c.session = nc
			}
		}
	}
	return w
}

// TestAccessMatrix sends every route of the server as every role and checks the
// status against matrix, on every store.
func TestAccessMatrix(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *sqlstore.Store) {
		f := newFixture(t, st, app.Options{})

		t.Run("the matrix names every route", func(t *testing.T) {
			routes := map[string]bool{}
			for _, rt := range f.srv.Routes() {
				k := routeKey(rt.Method, rt.Path)
				routes[k] = true
				if _, ok := matrix[k]; !ok {
					t.Errorf("route %q has no row in the access matrix", k)
				}
			}
			for k, checks := range matrix {
				if !routes[k] {
					t.Errorf("the access matrix names %q, which is not a route", k)
				}
				if len(checks) == 0 {
					t.Errorf("route %q has no check", k)
				}
			}
		})

		// Lists first, while the data is exactly the demo's.
		t.Run("lists show only what each role may see", func(t *testing.T) { checkLists(t, f) })

		spare := map[string]int64{}
		for role, u := range f.users {
			_, tok, err := f.svc.NewToken(context.Background(), desk.System(), u.ID, "spare", 0)
			must(t, err)
			spare[role] = tok.ID
		}
		var callers []*caller
		for _, r := range roles {
			callers = append(callers, &caller{role: r, name: r, token: f.tokens[r]})
		}
		// The contact once more, signed in through the form: a session must open
		// exactly the doors a token opens.
		callers = append(callers, &caller{role: "contact", name: "contact (session cookie)", cookie: true})

		for _, rt := range f.srv.Routes() {
			key := routeKey(rt.Method, rt.Path)
			for _, c := range matrix[key] {
				t.Run(key+" "+c.label, func(t *testing.T) {
					for _, cl := range callers {
						col := slices.Index(roles, cl.role)
						rep := f.replacer(cl.role, spare)
						if c.reset != nil {
							c.reset(t, f)
						}
						path, body := rep.Replace(c.path), rep.Replace(c.body)
						w := cl.send(t, f, methodOf(key), path, body, c.form)
						if w.Code != c.want[col] {
							t.Errorf("%s: %s %s: status %d, want %d; body: %s",
								cl.name, methodOf(key), path, w.Code, c.want[col], trim(w.Body.String()))
						}
						if w.Code == http.StatusForbidden && strings.HasPrefix(path, "/api/") &&
							w.Header().Get("Content-Type") != "application/problem+json" {
							t.Errorf("%s: %s %s: 403 is not a problem document", cl.name, methodOf(key), path)
						}
					}
				})
			}
		}

		t.Run("a bad token is refused, not taken for anonymous", func(t *testing.T) {
			for _, h := range []string{"Bearer gch_nonsense", "Bearer nonsense", "Basic YWRtaW46YWRtaW4=", "Bearer "} {
				w := serve(f.srv, "GET", "/api/v1/spaces", "", header("Authorization", h))
				wantProblem(t, w, http.StatusUnauthorized, "")
			}
		})
	})
}

// checkLists checks what every list answers for every role: other tenants' objects
// never appear.
func checkLists(t *testing.T, f *fixture) {
	staff := []string{"admin", "agent", "engineer", "pm", "am"}
	acme := []string{"contact", "contract", "security", "dpo"}
	each := func(roles []string, fn func(role string)) {
		for _, r := range roles {
			fn(r)
		}
	}
	emailsOf := func(roles ...string) []string {
		var out []string
		for _, r := range roles {
			out = append(out, f.users[r].Email)
		}
		return out
	}
	idsOf := func(roles ...string) []string {
		var out []string
		for _, r := range roles {
			out = append(out, strconv.FormatInt(f.users[r].ID, 10))
		}
		return out
	}
	get := func(role, path, field string, want []string) {
		t.Helper()
		w := f.as(role, "GET", path, "")
		if w.Code != http.StatusOK {
			t.Errorf("%s: GET %s: status %d; body: %s", role, path, w.Code, trim(w.Body.String()))
			return
		}
		got := decodeJSON[list](t, w).field(field)
		if !sameSet(got, want) {
			t.Errorf("%s: GET %s: %s = %v, want %v", role, path, field, got, want)
		}
	}

	spaces := "/api/v1/spaces"
	each(staff, func(r string) { get(r, spaces, "key", []string{"ACME", "ACMEX", "BOLT"}) })
	each(acme, func(r string) { get(r, spaces, "key", []string{"ACME"}) })
	get("animator", spaces, "key", []string{"ACME", "ACMEX"})
	get("partner", spaces, "key", []string{"ACMEX"})
	get("other", spaces, "key", []string{"BOLT"})

	orgs := "/api/v1/organisations"
	all := []string{"Logiciels Vauban", "Acme Industrie", "Bolt Logistique", "Intégra Conseil", "Novice Services"}
	each(staff, func(r string) { get(r, orgs, "name", all) })
	each(append(acme, "animator"), func(r string) { get(r, orgs, "name", []string{"Acme Industrie"}) })
	get("partner", orgs, "name", []string{"Intégra Conseil"})
	get("other", orgs, "name", []string{"Bolt Logistique"})

	users := "/api/v1/users"
	var everyone []string
	for r := range f.users {
		everyone = append(everyone, r)
	}
	acmeUsers := []string{"contact", "animator", "contract", "security", "dpo", "spare-acme"}
	each(staff, func(r string) { get(r, users, "email", emailsOf(everyone...)) })
	each(acme, func(r string) { get(r, users, "email", emailsOf(acmeUsers...)) })
	get("animator", users, "email", emailsOf(append(acmeUsers, "partner")...))
	get("partner", users, "email", emailsOf("partner", "animator"))
	get("other", users, "email", emailsOf("other", "spare-bolt"))

	acmeProjects := fmt.Sprintf("/api/v1/spaces/%d/projects", f.spaces["ACME"])
	each(append(staff, "contact", "animator"), func(r string) {
		get(r, acmeProjects, "name", []string{"Extranet fournisseurs", "Portail RH"})
	})
	acmeMembers := fmt.Sprintf("/api/v1/spaces/%d/members", f.spaces["ACME"])
	each(append(staff, "contact", "animator"), func(r string) {
		get(r, acmeMembers, "user_id", idsOf("contact", "animator", "contract", "security", "dpo"))
	})
	acmexMembers := fmt.Sprintf("/api/v1/spaces/%d/members", f.spaces["ACMEX"])
	get("partner", acmexMembers, "user_id", idsOf("animator", "partner"))
	boltMembers := fmt.Sprintf("/api/v1/spaces/%d/members", f.spaces["BOLT"])
	get("other", boltMembers, "user_id", idsOf("other"))

	for _, r := range roles[:len(roles)-1] {
		get(r, "/api/v1/tokens", "user_id", idsOf(r))
	}

	// The home page names the spaces one sees, and no other.
	names := map[string]string{"ACME": "Support Acme", "ACMEX": "Acme — extranet partenaires", "BOLT": "Support Bolt"}
	home := map[string][]string{"admin": {"ACME", "ACMEX", "BOLT"}, "contact": {"ACME"},
		"animator": {"ACME", "ACMEX"}, "partner": {"ACMEX"}, "other": {"BOLT"}}
	for role, keys := range home {
		w := f.as(role, "GET", "/", "")
		body := w.Body.String()
		for key, name := range names {
			if shown := strings.Contains(body, name); shown != slices.Contains(keys, key) {
				t.Errorf("%s: home page shows space %s: %v, want %v", role, key, shown, !shown)
			}
		}
	}
}
