package server_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"guichet/internal/app"
	"guichet/internal/demo"
	"guichet/internal/desk"
	"guichet/internal/server"
	"guichet/internal/sqlstore"
	"guichet/internal/storetest"
)

// TestAPI checks the API's answers to bad input and its behaviour, on every store.
func TestAPI(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, st *sqlstore.Store) {
		f := newFixture(t, st, app.Options{})
		t.Run("bad input is refused, named, and changes nothing", func(t *testing.T) { testBadInput(t, f) })
		t.Run("problem documents", func(t *testing.T) { testProblems(t, f) })
		t.Run("space members", func(t *testing.T) { testMembers(t, f) })
		t.Run("revoked tokens", func(t *testing.T) { testRevokedToken(t, f) })
		t.Run("expired tokens", func(t *testing.T) { testExpiredToken(t, f) })
		t.Run("cursor pagination", func(t *testing.T) { testPagination(t, f) })
		t.Run("sign-in", func(t *testing.T) { testLogin(t, f) })
		t.Run("cross-site requests", func(t *testing.T) { testCSRF(t, f) })
		t.Run("users cannot raise their own rights", func(t *testing.T) { testSelfService(t, f) })
	})
}

// snapshot is everything the administrator can list: organisations, users,
// spaces, and every space's projects and members.
func (f *fixture) snapshot(t *testing.T) string {
	t.Helper()
	var b strings.Builder
	get := func(path string) string {
		w := f.as("admin", "GET", path, "")
		if w.Code != http.StatusOK {
			t.Fatalf("snapshot: GET %s: status %d; body: %s", path, w.Code, trim(w.Body.String()))
		}
		b.WriteString(path + " " + w.Body.String())
		return w.Body.String()
	}
	get("/api/v1/organisations?limit=200")
	get("/api/v1/users?limit=200")
	w := f.as("admin", "GET", "/api/v1/spaces?limit=200", "")
	b.WriteString(w.Body.String())
	for _, id := range decodeJSON[list](t, w).field("id") {
		get("/api/v1/spaces/" + id + "/projects?limit=200")
		get("/api/v1/spaces/" + id + "/members?limit=200")
	}
	return b.String()
}

// membersOf lists the user ids of the members of space key, as the administrator
// sees them.
func (f *fixture) membersOf(t *testing.T, key string) []string {
	t.Helper()
	w := f.as("admin", "GET", fmt.Sprintf("/api/v1/spaces/%d/members?limit=200", f.spaces[key]), "")
	wantStatus(t, w, http.StatusOK, "list members of "+key)
	ids := decodeJSON[list](t, w).field("user_id")
	slices.Sort(ids)
	return ids
}

func (f *fixture) id(role string) string { return strconv.FormatInt(f.users[role].ID, 10) }

func testBadInput(t *testing.T, f *fixture) {
	long := strings.Repeat("a", desk.MaxNameLen+1)
	longAccents := strings.Repeat("é", desk.MaxNameLen+1)
	longEmail := strings.Repeat("a", desk.MaxEmailLen-len("@acme.example")+1) + "@acme.example"
	user := func(fields string) string {
		return `{"org_id": {org:acme}, "name": "New user", "password": "a long enough password", ` + fields + `}`
	}
	cases := []struct {
		name         string
		as           string // role; the administrator when empty
		method, path string
		body         string
		opts         []opt
		status       int
		field        string
		detail       string // a part of the detail
	}{
		// Wrong JSON types name the field.
		{name: "number for a string", method: "POST", path: "/api/v1/organisations",
			body: `{"kind": "client", "name": 5}`, status: 422, field: "name", detail: "string"},
		{name: "string for a boolean", method: "POST", path: "/api/v1/organisations",
			body: `{"kind": "partner", "name": "P", "trained": "yes"}`, status: 422, field: "trained", detail: "boolean"},
		{name: "string for a number", method: "POST", path: "/api/v1/users",
			body:   `{"org_id": "{org:acme}", "email": "typed@acme.example", "name": "N", "password": "a long enough password"}`,
			status: 422, field: "org_id", detail: "number"},
		{name: "string for an array", method: "POST", path: "/api/v1/users",
			body: user(`"email": "typed@acme.example", "roles": "contact"`), status: 422, field: "roles", detail: "array"},
		{name: "string for a boolean in a patch", method: "PATCH", path: "/api/v1/users/{user:contact}",
			body: `{"disabled": "no"}`, status: 422, field: "disabled"},
		{name: "number for a date", method: "PATCH", path: "/api/v1/organisations/{org:novice}",
			body: `{"trained": true, "trained_on": 20260501}`, status: 422, field: "trained_on"},
		{name: "date in another format", method: "PATCH", path: "/api/v1/organisations/{org:novice}",
			body: `{"trained": true, "trained_on": "01/05/2026"}`, status: 422, field: "trained_on", detail: "YYYY-MM-DD"},
		{name: "string for a user id", method: "POST", path: "/api/v1/spaces/{space:ACME}/members",
			body: `{"user_id": "{user:spare-acme}"}`, status: 422, field: "user_id"},
		{name: "string for a number of days", method: "POST", path: "/api/v1/tokens",
			body: `{"name": "t", "expires_in_days": "30"}`, status: 422, field: "expires_in_days"},
		{name: "array for a key", method: "POST", path: "/api/v1/spaces",
			body: `{"client_id": {org:acme}, "key": ["NEW"], "name": "N"}`, status: 422, field: "key"},

		// Missing fields.
		{name: "organisation without kind", method: "POST", path: "/api/v1/organisations",
			body: `{"name": "Kindless"}`, status: 422, field: "kind"},
		{name: "organisation without name", method: "POST", path: "/api/v1/organisations",
			body: `{"kind": "client"}`, status: 422, field: "name", detail: "required"},
		{name: "blank name", method: "POST", path: "/api/v1/organisations",
			body: `{"kind": "client", "name": "   "}`, status: 422, field: "name", detail: "required"},
		{name: "trained partner without date", method: "POST", path: "/api/v1/organisations",
			body: `{"kind": "partner", "name": "Dateless", "trained": true}`, status: 422, field: "trained_on"},
		{name: "user without email", method: "POST", path: "/api/v1/users",
			body: user(`"locale": "fr"`), status: 422, field: "email", detail: "required"},
		{name: "user without name", method: "POST", path: "/api/v1/users",
			body:   `{"org_id": {org:acme}, "email": "nameless@acme.example", "password": "a long enough password"}`,
			status: 422, field: "name"},
		{name: "user without password", method: "POST", path: "/api/v1/users",
			body: `{"org_id": {org:acme}, "email": "nopass@acme.example", "name": "N"}`, status: 422, field: "password"},
		{name: "user without organisation", method: "POST", path: "/api/v1/users",
			body:   `{"email": "orgless@acme.example", "name": "N", "password": "a long enough password"}`,
			status: 422, field: "org_id"},
		{name: "space without key", method: "POST", path: "/api/v1/spaces",
			body: `{"client_id": {org:acme}, "name": "N"}`, status: 422, field: "key"},
		{name: "space without client", method: "POST", path: "/api/v1/spaces",
			body: `{"key": "ORPHAN", "name": "N"}`, status: 422, field: "client_id"},
		{name: "project without name", method: "POST", path: "/api/v1/spaces/{space:ACME}/projects",
			body: `{}`, status: 422, field: "name"},
		{name: "space renamed to nothing", method: "PATCH", path: "/api/v1/spaces/{space:ACME}",
			body: `{"name": "  "}`, status: 422, field: "name"},
		{name: "member without user", method: "POST", path: "/api/v1/spaces/{space:ACME}/members",
			body: `{}`, status: 422, field: "user_id"},
		{name: "token without name", method: "POST", path: "/api/v1/tokens", body: `{}`, status: 422, field: "name"},
		{name: "password change without current password", as: "contact", method: "PUT", path: "/api/v1/me/password",
			body: `{"new_password": "another long password"}`, status: 422, field: "current_password"},
		{name: "wrong current password", as: "contact", method: "PUT", path: "/api/v1/me/password",
			body:   `{"current_password": "not my password", "new_password": "another long password"}`,
			status: 422, field: "current_password"},
		// The error names the request's field, new_password.
		{name: "new password too short", as: "contact", method: "PUT", path: "/api/v1/me/password",
			body:   `{"current_password": "` + demo.Password + `", "new_password": "short"}`,
			status: 422, field: "new_password"},

		// Too long.
		{name: "organisation name of 201 characters", method: "POST", path: "/api/v1/organisations",
			body: `{"kind": "client", "name": "` + long + `"}`, status: 422, field: "name", detail: "200"},
		{name: "organisation name of 201 accented characters", method: "POST", path: "/api/v1/organisations",
			body: `{"kind": "client", "name": "` + longAccents + `"}`, status: 422, field: "name", detail: "200"},
		{name: "user name of 201 characters", method: "POST", path: "/api/v1/users",
			body: user(`"email": "long@acme.example", "name": "` + long + `"`), status: 422, field: "name"},
		{name: "own name of 201 characters", as: "contact", method: "PATCH", path: "/api/v1/users/{self}",
			body: `{"name": "` + long + `"}`, status: 422, field: "name"},
		{name: "space name of 201 characters", method: "PATCH", path: "/api/v1/spaces/{space:ACME}",
			body: `{"name": "` + long + `"}`, status: 422, field: "name"},
		{name: "project name of 201 characters", method: "POST", path: "/api/v1/spaces/{space:ACME}/projects",
			body: `{"name": "` + long + `"}`, status: 422, field: "name"},
		{name: "project renamed to 201 characters", method: "PATCH", path: "/api/v1/projects/{project:acme}",
			body: `{"name": "` + long + `"}`, status: 422, field: "name"},
		{name: "token name of 201 characters", method: "POST", path: "/api/v1/tokens",
			body: `{"name": "` + long + `"}`, status: 422, field: "name"},
		{name: "space key of 11 characters", method: "POST", path: "/api/v1/spaces",
			body: `{"client_id": {org:acme}, "key": "ABCDEFGHIJK", "name": "N"}`, status: 422, field: "key"},
		{name: "email of 255 characters", method: "POST", path: "/api/v1/users",
			body: user(`"email": "` + longEmail + `"`), status: 422, field: "email"},

		// Invalid values.
		{name: "email without @", method: "POST", path: "/api/v1/users",
			body: user(`"email": "not-an-email"`), status: 422, field: "email", detail: "valid"},
		{name: "email without a dot in the domain", method: "POST", path: "/api/v1/users",
			body: user(`"email": "a@b"`), status: 422, field: "email"},
		{name: "email with a display name", method: "POST", path: "/api/v1/users",
			body: user(`"email": "Fabien <fabien@acme.example>"`), status: 422, field: "email"},
		{name: "two emails", method: "POST", path: "/api/v1/users",
			body: user(`"email": "a@acme.example, b@acme.example"`), status: 422, field: "email"},
		{name: "email with a space", method: "POST", path: "/api/v1/users",
			body: user(`"email": "a b@acme.example"`), status: 422, field: "email"},
		{name: "email without local part", method: "POST", path: "/api/v1/users",
			body: user(`"email": "@acme.example"`), status: 422, field: "email"},
		{name: "unknown locale", method: "POST", path: "/api/v1/users",
			body: user(`"email": "de@acme.example", "locale": "de"`), status: 422, field: "locale"},
		{name: "own locale unknown", as: "contact", method: "PATCH", path: "/api/v1/users/{self}",
			body: `{"locale": "xx"}`, status: 422, field: "locale"},
		{name: "unknown organisation kind", method: "POST", path: "/api/v1/organisations",
			body: `{"kind": "supplier", "name": "S"}`, status: 422, field: "kind"},
		{name: "space key with a dash", method: "POST", path: "/api/v1/spaces",
			body: `{"client_id": {org:acme}, "key": "AC-ME", "name": "N"}`, status: 422, field: "key"},
		{name: "space key of one letter", method: "POST", path: "/api/v1/spaces",
			body: `{"client_id": {org:acme}, "key": "A", "name": "N"}`, status: 422, field: "key"},
		{name: "training for a client", method: "PATCH", path: "/api/v1/organisations/{org:acme}",
			body: `{"trained": true, "trained_on": "2026-05-01"}`, status: 422, field: "trained"},
		{name: "token lifetime negative", method: "POST", path: "/api/v1/tokens",
			body: `{"name": "t", "expires_in_days": -1}`, status: 422, field: "expires_in_days"},
		{name: "token lifetime over a year", method: "POST", path: "/api/v1/tokens",
			body: `{"name": "t", "expires_in_days": 367}`, status: 422, field: "expires_in_days"},
		// Days × 24 h would overflow time.Duration: refused before converting.
		{name: "token lifetime that overflows", method: "POST", path: "/api/v1/tokens",
			body: `{"name": "t", "expires_in_days": 213505}`, status: 422, field: "expires_in_days"},
		{name: "administrator disabling themselves", method: "PATCH", path: "/api/v1/users/{self}",
			body: `{"disabled": true}`, status: 422, field: "disabled"},

		// Duplicates.
		{name: "duplicate email", method: "POST", path: "/api/v1/users",
			body: user(`"email": "contact@acme.example"`), status: 409, field: "email"},
		{name: "duplicate email in another case, with spaces", method: "POST", path: "/api/v1/users",
			body: user(`"email": "  Contact@ACME.example "`), status: 409, field: "email"},
		{name: "duplicate space key", method: "POST", path: "/api/v1/spaces",
			body: `{"client_id": {org:bolt}, "key": "acme", "name": "N"}`, status: 409, field: "key"},
		{name: "duplicate project name", method: "POST", path: "/api/v1/spaces/{space:ACME}/projects",
			body: `{"name": "Portail RH"}`, status: 409, field: "name"},
		{name: "duplicate organisation name", method: "POST", path: "/api/v1/organisations",
			body: `{"kind": "client", "name": "acme industrie"}`, status: 409, field: "name"},
		{name: "a second provider", method: "POST", path: "/api/v1/organisations",
			body: `{"kind": "provider", "name": "Another provider"}`, status: 409, field: "kind"},
		{name: "already a member", method: "POST", path: "/api/v1/spaces/{space:ACME}/members",
			body: `{"user_id": {user:contact}}`, status: 409, field: "user_id"},

		// Roles.
		{name: "unknown role", method: "POST", path: "/api/v1/users",
			body: user(`"email": "root@acme.example", "roles": ["superuser"]`), status: 422, field: "roles", detail: "superuser"},
		{name: "provider role for a client user", method: "POST", path: "/api/v1/users",
			body: user(`"email": "boss@acme.example", "roles": ["admin"]`), status: 422, field: "roles", detail: "admin"},
		{name: "client role for a partner user", method: "POST", path: "/api/v1/users",
			body:   `{"org_id": {org:integra}, "email": "p2@integra.example", "name": "N", "password": "a long enough password", "roles": ["contact"]}`,
			status: 422, field: "roles", detail: "contact"},
		{name: "role given twice", method: "POST", path: "/api/v1/users",
			body: user(`"email": "twice@acme.example", "roles": ["contact", "contact"]`), status: 422, field: "roles"},
		{name: "unknown role in a patch", method: "PATCH", path: "/api/v1/users/{user:contact}",
			body: `{"roles": ["root"]}`, status: 422, field: "roles", detail: "root"},

		// References that do not resolve are bad input.
		{name: "no such organisation", method: "POST", path: "/api/v1/users",
			body:   `{"org_id": 999999, "email": "ghost@acme.example", "name": "N", "password": "a long enough password"}`,
			status: 422, field: "org_id"},
		{name: "no such client", method: "POST", path: "/api/v1/spaces",
			body: `{"client_id": 999999, "key": "GHOST", "name": "N"}`, status: 422, field: "client_id"},
		{name: "space for a partner", method: "POST", path: "/api/v1/spaces",
			body: `{"client_id": {org:integra}, "key": "INTEG", "name": "N"}`, status: 422, field: "client_id"},
		{name: "no such user", method: "POST", path: "/api/v1/spaces/{space:ACME}/members",
			body: `{"user_id": 999999}`, status: 422, field: "user_id"},
		{name: "no user with this email", method: "POST", path: "/api/v1/spaces/{space:ACME}/members",
			body: `{"email": "nobody@acme.example"}`, status: 422, field: "email"},
		{name: "provider staff as a member", method: "POST", path: "/api/v1/spaces/{space:ACME}/members",
			body: `{"user_id": {user:agent}}`, status: 422, field: "user_id"},

		// The body itself.
		{name: "unknown field", method: "POST", path: "/api/v1/organisations",
			body: `{"kind": "client", "name": "Colourful", "colour": "red"}`, status: 422, field: "colour", detail: "not a known field"},
		{name: "the key of a space cannot be changed", method: "PATCH", path: "/api/v1/spaces/{space:ACME}",
			body: `{"name": "Support Acme", "key": "ACME2"}`, status: 422, field: "key"},
		{name: "body over 1 MiB", method: "POST", path: "/api/v1/organisations",
			body: `{"kind": "client", "name": "` + strings.Repeat("a", 1<<20) + `"}`, status: 413},
		{name: "trailing garbage", method: "POST", path: "/api/v1/organisations",
			body: `{"kind": "client", "name": "Trailing"} garbage`, status: 422, detail: "single JSON object"},
		{name: "two objects", method: "POST", path: "/api/v1/organisations",
			body: `{"kind": "client", "name": "Twice"}{"kind": "client", "name": "Twice"}`, status: 422},
		{name: "text/plain", method: "POST", path: "/api/v1/organisations",
			body: `{"kind": "client", "name": "Plain"}`, opts: []opt{header("Content-Type", "text/plain")},
			status: 422, detail: "JSON"},
		{name: "a form", method: "POST", path: "/api/v1/organisations", body: `kind=client&name=Form`, opts: []opt{form},
			status: 422, detail: "JSON"},
		{name: "empty body", method: "POST", path: "/api/v1/organisations", status: 422, detail: "empty"},
		{name: "truncated JSON", method: "POST", path: "/api/v1/organisations", body: `{"kind": "client", "name": `, status: 422},
		{name: "an array", method: "POST", path: "/api/v1/organisations", body: `[{"kind": "client", "name": "A"}]`, status: 422},

		// Query parameters and paths.
		{name: "limit 0", method: "GET", path: "/api/v1/spaces?limit=0", status: 422, field: "limit"},
		{name: "limit over 200", method: "GET", path: "/api/v1/spaces?limit=201", status: 422, field: "limit"},
		{name: "limit not a number", method: "GET", path: "/api/v1/users?limit=two", status: 422, field: "limit"},
		{name: "cursor not base64", method: "GET", path: "/api/v1/spaces?cursor=%25%25%25", status: 422, field: "cursor"},
		{name: "cursor not a number", method: "GET", path: "/api/v1/spaces?cursor=" + b64("abc"), status: 422, field: "cursor"},
		{name: "cursor negative", method: "GET", path: "/api/v1/organisations?cursor=" + b64("-1"), status: 422, field: "cursor"},
		{name: "id not a number", method: "GET", path: "/api/v1/spaces/abc", status: 404},
		{name: "id zero", method: "GET", path: "/api/v1/spaces/0", status: 404},
		{name: "no such space", method: "PATCH", path: "/api/v1/spaces/999999", body: `{"name": "N"}`, status: 404},
		{name: "no such membership", method: "DELETE", path: "/api/v1/spaces/{space:ACME}/members/{user:other}", status: 404},
		{name: "no such token", method: "DELETE", path: "/api/v1/tokens/999999", status: 404},
		{name: "no such method", method: "DELETE", path: "/api/v1/spaces", status: 404},
	}
	// Each case compares the data after it with the data before it: the state
	// after one case is the state before the next.
	before := f.snapshot(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			role := c.as
			if role == "" {
				role = "admin"
			}
			rep := f.replacer(role, nil)
			w := f.as(role, c.method, rep.Replace(c.path), rep.Replace(c.body), c.opts...)
			p := wantProblem(t, w, c.status, c.field)
			if c.field == "" && len(p.Errors) != 0 {
				t.Errorf("errors %+v, want none", p.Errors)
			}
			if !strings.Contains(p.Detail, c.detail) {
				t.Errorf("detail %q does not say %q", p.Detail, c.detail)
			}
			if c.field != "" && !strings.HasPrefix(p.Detail, c.field+": ") {
				t.Errorf("detail %q does not name field %q", p.Detail, c.field)
			}
			after := f.snapshot(t)
			if after != before {
				t.Errorf("the refused request changed the data:\nbefore %s\nafter  %s", trim(before), trim(after))
			}
			before = after
		})
	}
}

func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

var hexID = regexp.MustCompile(`^[0-9a-f]{16}$`)

func testProblems(t *testing.T, f *fixture) {
	t.Run("shape of a field error", func(t *testing.T) {
		w := f.as("admin", "POST", "/api/v1/organisations", `{"kind": "client", "name": 5}`,
			header("X-Request-Id", "req-abc_123"))
		p := wantProblem(t, w, http.StatusUnprocessableEntity, "name")
		if got := w.Header().Get("X-Request-Id"); got != "req-abc_123" {
			t.Errorf("X-Request-Id %q, want the caller's req-abc_123", got)
		}
		want := problem{Type: "urn:guichet:problem:invalid", Title: "Unprocessable Entity", Status: 422,
			Instance: "/api/v1/organisations", Code: "invalid", RequestID: "req-abc_123"}
		got := p
		got.Detail, got.Errors = "", nil
		if !reflect.DeepEqual(got, want) {
			t.Errorf("problem %+v, want %+v", got, want)
		}
		if p.Detail == "" || p.Errors[0].Reason == "" || !strings.Contains(p.Detail, p.Errors[0].Reason) {
			t.Errorf("detail %q and reason %q should both explain", p.Detail, p.Errors[0].Reason)
		}
		if cc := w.Header().Get("Cache-Control"); cc != "no-store" {
			t.Errorf("Cache-Control %q, want no-store", cc)
		}
	})
	t.Run("request ids", func(t *testing.T) {
		for _, given := range []string{"", "has spaces in it", strings.Repeat("x", 65), "<script>"} {
			w := f.as("contact", "GET", "/api/v1/spaces/999999", "", header("X-Request-Id", given))
			p := wantProblem(t, w, http.StatusNotFound, "")
			id := w.Header().Get("X-Request-Id")
			if !hexID.MatchString(id) {
				t.Errorf("given %q: X-Request-Id %q, want a fresh id", given, id)
			}
			if p.RequestID != id {
				t.Errorf("given %q: request_id %q, header %q", given, p.RequestID, id)
			}
		}
		w := f.as("contact", "GET", "/api/v1/me", "")
		if !hexID.MatchString(w.Header().Get("X-Request-Id")) {
			t.Errorf("a success carries no request id: %v", w.Header())
		}
	})
	t.Run("another tenant's space reads as no space at all", func(t *testing.T) {
		for _, path := range []string{"/api/v1/spaces/%d", "/api/v1/spaces/%d/projects", "/api/v1/spaces/%d/members"} {
			bolt := wantProblem(t, f.as("contact", "GET", fmt.Sprintf(path, f.spaces["BOLT"]), ""), 404, "")
			none := wantProblem(t, f.as("contact", "GET", fmt.Sprintf(path, 999999), ""), 404, "")
			if bolt.Type != none.Type || bolt.Title != none.Title || bolt.Detail != none.Detail || bolt.Code != none.Code {
				t.Errorf("%s: Bolt's answer %+v differs from a missing space's %+v", path, bolt, none)
			}
			if bolt.Code != "not_found" || bolt.Type != "urn:guichet:problem:not_found" {
				t.Errorf("%s: problem %+v, want not_found", path, bolt)
			}
		}
		bolt := wantProblem(t, f.as("contact", "POST", fmt.Sprintf("/api/v1/spaces/%d/members", f.spaces["BOLT"]),
			`{"user_id": 1}`), 404, "")
		none := wantProblem(t, f.as("contact", "POST", "/api/v1/spaces/999999/members", `{"user_id": 1}`), 404, "")
		if bolt.Detail != none.Detail {
			t.Errorf("adding to Bolt's space says %q, to no space %q", bolt.Detail, none.Detail)
		}
	})
	t.Run("unauthenticated", func(t *testing.T) {
		w := serve(f.srv, "GET", "/api/v1/me", "")
		p := wantProblem(t, w, http.StatusUnauthorized, "")
		if p.Code != "unauthenticated" || p.Type != "urn:guichet:problem:unauthenticated" || p.Title != "Unauthorized" {
			t.Errorf("problem %+v", p)
		}
		if h := w.Header().Get("WWW-Authenticate"); !strings.HasPrefix(h, "Bearer") {
			t.Errorf("WWW-Authenticate %q, want a Bearer challenge", h)
		}
	})
	t.Run("forbidden", func(t *testing.T) {
		p := wantProblem(t, f.as("agent", "POST", "/api/v1/organisations", `{"kind": "client", "name": "No"}`), 403, "")
		if p.Code != "forbidden" || p.Type != "urn:guichet:problem:forbidden" || p.Detail == "" {
			t.Errorf("problem %+v", p)
		}
	})
}

func testMembers(t *testing.T, f *fixture) {
	acme := fmt.Sprintf("/api/v1/spaces/%d/members", f.spaces["ACME"])
	acmex := fmt.Sprintf("/api/v1/spaces/%d/members", f.spaces["ACMEX"])
	bolt := fmt.Sprintf("/api/v1/spaces/%d/members", f.spaces["BOLT"])

	t.Run("a user of another client is refused", func(t *testing.T) {
		before := f.membersOf(t, "ACME")
		for _, role := range []string{"admin", "am"} { // staff are told why
			w := f.as(role, "POST", acme, `{"user_id": `+f.id("other")+`}`)
			p := wantProblem(t, w, http.StatusUnprocessableEntity, "user_id")
			if !strings.Contains(p.Detail, "another client") {
				t.Errorf("%s: detail %q should say the user belongs to another client", role, p.Detail)
			}
			w = f.as(role, "POST", acme, `{"email": "contact@bolt.example"}`)
			wantProblem(t, w, http.StatusUnprocessableEntity, "user_id")
		}
		// To an animator, another client's users are secret: they do not exist,
		// exactly like an unknown address.
		w := f.as("animator", "POST", acme, `{"user_id": `+f.id("other")+`}`)
		if p := wantProblem(t, w, http.StatusUnprocessableEntity, "user_id"); p.Detail != "user_id: no such user" {
			t.Errorf("animator, other client's user by id: detail %q", p.Detail)
		}
		for _, email := range []string{"contact@bolt.example", "nobody@nowhere.example"} {
			w = f.as("animator", "POST", acme, `{"email": "`+email+`"}`)
			if p := wantProblem(t, w, http.StatusUnprocessableEntity, "email"); p.Detail != "email: no such user" {
				t.Errorf("animator, %s: detail %q", email, p.Detail)
			}
		}
		if after := f.membersOf(t, "ACME"); !slices.Equal(after, before) {
			t.Errorf("members of ACME changed from %v to %v", before, after)
		}
	})

	t.Run("a user of an untrained partner is refused until it is trained", func(t *testing.T) {
		before := f.membersOf(t, "ACMEX")
		for _, body := range []string{`{"email": "novice@novice.example"}`, `{"user_id": ` + f.id("novice") + `}`} {
			w := f.as("animator", "POST", acmex, body)
			p := wantProblem(t, w, http.StatusUnprocessableEntity, "user_id")
			if !strings.Contains(p.Detail, "not trained") || !strings.Contains(p.Detail, "Novice Services") {
				t.Errorf("detail %q should say that partner Novice Services is not trained", p.Detail)
			}
		}
		if after := f.membersOf(t, "ACMEX"); !slices.Equal(after, before) {
			t.Fatalf("members of ACMEX changed from %v to %v", before, after)
		}
		org := fmt.Sprintf("/api/v1/organisations/%d", f.orgs["novice"])
		// Only an administrator records a training.
		wantProblem(t, f.as("animator", "PATCH", org, `{"trained": true, "trained_on": "2026-05-01"}`), 404, "")
		wantProblem(t, f.as("am", "PATCH", org, `{"trained": true, "trained_on": "2026-05-01"}`), 403, "")
		w := f.as("admin", "PATCH", org, `{"trained": true, "trained_on": "2026-05-01"}`)
		wantStatus(t, w, http.StatusOK, "record the training")
		got := decodeJSON[map[string]any](t, w)
		if got["trained"] != true || got["trained_on"] != "2026-05-01" {
			t.Errorf("after training: %v", got)
		}
		if got := decodeJSON[map[string]any](t, f.as("admin", "GET", org, "")); got["trained_on"] != "2026-05-01" {
			t.Errorf("GET after training: %v", got)
		}
		w = f.as("animator", "POST", acmex, `{"email": "novice@novice.example"}`)
		wantStatus(t, w, http.StatusCreated, "add the trained partner's user")
		if m := decodeJSON[map[string]any](t, w); m["user_id"] != float64(f.users["novice"].ID) ||
			m["added_by"] != float64(f.users["animator"].ID) {
			t.Errorf("membership %v", m)
		}
		if after := f.membersOf(t, "ACMEX"); !slices.Contains(after, f.id("novice")) {
			t.Errorf("members of ACMEX %v lack the novice", after)
		}
		// The novice now sees that space, and only it.
		w = f.as("novice", "GET", "/api/v1/spaces", "")
		if keys := decodeJSON[list](t, w).field("key"); !slices.Equal(keys, []string{"ACMEX"}) {
			t.Errorf("the novice sees %v, want [ACMEX]", keys)
		}
	})

	t.Run("an animator manages their client's spaces only", func(t *testing.T) {
		before := f.membersOf(t, "ACMEX")
		w := f.as("animator", "POST", acmex, `{"user_id": `+f.id("contract")+`}`)
		wantStatus(t, w, http.StatusCreated, "animator adds the contract manager to ACMEX")
		if after := f.membersOf(t, "ACMEX"); !slices.Contains(after, f.id("contract")) {
			t.Errorf("members of ACMEX %v lack the contract manager", after)
		}
		if w := f.as("contract", "GET", fmt.Sprintf("/api/v1/spaces/%d", f.spaces["ACMEX"]), ""); w.Code != 200 {
			t.Errorf("the new member cannot see ACMEX: %d", w.Code)
		}
		w = f.as("animator", "DELETE", acmex+"/"+f.id("contract"), "")
		wantStatus(t, w, http.StatusNoContent, "animator removes the contract manager from ACMEX")
		if after := f.membersOf(t, "ACMEX"); !slices.Equal(after, before) {
			t.Errorf("members of ACMEX %v, want %v again", after, before)
		}
		if w := f.as("contract", "GET", fmt.Sprintf("/api/v1/spaces/%d", f.spaces["ACMEX"]), ""); w.Code != 404 {
			t.Errorf("the former member still sees ACMEX: %d", w.Code)
		}
		wantProblem(t, f.as("animator", "DELETE", acmex+"/"+f.id("contract"), ""), 404, "")

		boltBefore := f.membersOf(t, "BOLT")
		wantProblem(t, f.as("animator", "POST", bolt, `{"user_id": `+f.id("spare-bolt")+`}`), 404, "")
		wantProblem(t, f.as("animator", "POST", bolt, `{"user_id": `+f.id("contract")+`}`), 404, "")
		wantProblem(t, f.as("animator", "DELETE", bolt+"/"+f.id("other"), ""), 404, "")
		wantProblem(t, f.as("animator", "GET", bolt, ""), 404, "")
		if after := f.membersOf(t, "BOLT"); !slices.Equal(after, boltBefore) {
			t.Errorf("members of BOLT changed from %v to %v", boltBefore, after)
		}
		// A plain contact may not change members of their own space: 403, since
		// they see it.
		wantProblem(t, f.as("contact", "POST", acme, `{"user_id": `+f.id("spare-acme")+`}`), 403, "")
		wantProblem(t, f.as("contact", "DELETE", acme+"/"+f.id("dpo"), ""), 403, "")
		if after := f.membersOf(t, "ACME"); slices.Contains(after, f.id("spare-acme")) || !slices.Contains(after, f.id("dpo")) {
			t.Errorf("members of ACME changed: %v", after)
		}
	})
}

func testRevokedToken(t *testing.T, f *fixture) {
	w := f.as("contact", "POST", "/api/v1/tokens", `{"name": "laptop"}`)
	wantStatus(t, w, http.StatusCreated, "create a token")
	tok := decodeJSON[map[string]any](t, w)
	secret, _ := tok["secret"].(string)
	id := strconv.FormatFloat(tok["id"].(float64), 'f', 0, 64)
	if !strings.HasPrefix(secret, "gch_") || tok["user_id"] != float64(f.users["contact"].ID) {
		t.Fatalf("token %v", tok)
	}
	me := func() int { return serve(f.srv, "GET", "/api/v1/me", "", bearer(secret)).Code }
	if got := me(); got != http.StatusOK {
		t.Fatalf("new token: GET /me %d", got)
	}
	// The list never shows secrets.
	w = f.as("contact", "GET", "/api/v1/tokens", "")
	if strings.Contains(w.Body.String(), secret) || strings.Contains(w.Body.String(), `"secret"`) {
		t.Errorf("the token list shows secrets: %s", trim(w.Body.String()))
	}
	// Someone else may not revoke it, nor learn that it exists.
	wantProblem(t, f.as("contract", "DELETE", "/api/v1/tokens/"+id, ""), 404, "")
	wantProblem(t, f.as("am", "DELETE", "/api/v1/tokens/"+id, ""), 404, "")
	if got := me(); got != http.StatusOK {
		t.Fatalf("after refused revocations: GET /me %d", got)
	}
	// The owner revokes it with the token itself.
	wantStatus(t, serve(f.srv, "DELETE", "/api/v1/tokens/"+id, "", bearer(secret)), http.StatusNoContent, "revoke")
	w = serve(f.srv, "GET", "/api/v1/me", "", bearer(secret))
	wantProblem(t, w, http.StatusUnauthorized, "")
	wantProblem(t, serve(f.srv, "GET", "/healthz", "", bearer(secret)), http.StatusUnauthorized, "")
	w = f.as("contact", "GET", "/api/v1/tokens?limit=200", "")
	for _, it := range decodeJSON[list](t, w).Items {
		if fmt.Sprint(it["id"]) == id && it["revoked_at"] == nil {
			t.Errorf("revoked token listed without revoked_at: %v", it)
		}
	}

	// An administrator revokes anyone's.
	secret2, tok2, err := f.svc.NewToken(context.Background(), desk.System(), f.users["partner"].ID, "ci", 0)
	must(t, err)
	wantStatus(t, f.as("admin", "DELETE", fmt.Sprintf("/api/v1/tokens/%d", tok2.ID), ""), http.StatusNoContent, "admin revokes")
	wantProblem(t, serve(f.srv, "GET", "/api/v1/me", "", bearer(secret2)), http.StatusUnauthorized, "")
	if w := f.as("partner", "GET", "/api/v1/me", ""); w.Code != http.StatusOK {
		t.Errorf("the partner's other token stopped working: %d", w.Code)
	}

	// A disabled user's tokens stop working, with the same answer.
	ctx := context.Background()
	u := &desk.User{OrgID: f.orgs["acme"], Email: "leaving@acme.example", Name: "Leaving", Locale: "fr",
		Roles: []desk.RoleGrant{{Role: desk.Contact, ClientID: f.orgs["acme"]}}}
	must(t, f.st.CreateUser(ctx, u, "x"))
	secret3, _, err := f.svc.NewToken(ctx, desk.System(), u.ID, "ci", 0)
	must(t, err)
	if got := serve(f.srv, "GET", "/api/v1/me", "", bearer(secret3)).Code; got != http.StatusOK {
		t.Fatalf("a new user's token: GET /me %d", got)
	}
	wantStatus(t, f.as("admin", "PATCH", "/api/v1/users/"+strconv.FormatInt(u.ID, 10), `{"disabled": true}`), 200, "disable")
	w = serve(f.srv, "GET", "/api/v1/me", "", bearer(secret3))
	wantProblem(t, w, http.StatusUnauthorized, "")
	if !strings.Contains(w.Body.String(), "invalid, expired or revoked token") {
		t.Errorf("a disabled user's token: %s", trim(w.Body.String()))
	}
}

func testExpiredToken(t *testing.T, f *fixture) {
	ctx := context.Background()
	c := storetest.NewClock(time.Now())
	svc := app.New(f.st, app.Options{Clock: c.Now})
	srv := newServer(svc, f.st)
	me := func(secret string) int { return serve(srv, "GET", "/api/v1/me", "", bearer(secret)).Code }

	short, _, err := svc.NewToken(ctx, desk.System(), f.users["contact"].ID, "short", time.Hour)
	must(t, err)
	long, _, err := svc.NewToken(ctx, desk.System(), f.users["contact"].ID, "long", 0)
	must(t, err)
	if got := me(short); got != http.StatusOK {
		t.Fatalf("fresh token: %d", got)
	}
	c.Add(59 * time.Minute)
	if got := me(short); got != http.StatusOK {
		t.Fatalf("token 59 minutes old: %d", got)
	}
	c.Add(2 * time.Minute)
	wantProblem(t, serve(srv, "GET", "/api/v1/me", "", bearer(short)), http.StatusUnauthorized, "")

	// A token made through the API lives the days it asks for.
	w := serve(srv, "POST", "/api/v1/tokens", `{"name": "one day", "expires_in_days": 1}`, bearer(long))
	wantStatus(t, w, http.StatusCreated, "create a one-day token")
	tok := decodeJSON[struct {
		Secret    string    `json:"secret"`
		CreatedAt time.Time `json:"created_at"`
		ExpiresAt time.Time `json:"expires_at"`
	}](t, w)
	if d := tok.ExpiresAt.Sub(tok.CreatedAt); d != 24*time.Hour {
		t.Errorf("one-day token lives %v", d)
	}
	c.Add(24*time.Hour - time.Second)
	if got := me(tok.Secret); got != http.StatusOK {
		t.Errorf("one-day token before its end: %d", got)
	}
	c.Add(2 * time.Second)
	wantProblem(t, serve(srv, "GET", "/api/v1/me", "", bearer(tok.Secret)), http.StatusUnauthorized, "")
	// The default lifetime is 90 days.
	c.Add(88 * 24 * time.Hour)
	if got := me(long); got != http.StatusOK {
		t.Errorf("default token after 89 days: %d", got)
	}
	c.Add(2 * 24 * time.Hour)
	if got := me(long); got != http.StatusUnauthorized {
		t.Errorf("default token after 91 days: %d, want 401", got)
	}
}

func testPagination(t *testing.T, f *fixture) {
	for _, key := range []string{"PAGEA", "PAGEB", "PAGEC", "PAGED"} {
		w := f.as("admin", "POST", "/api/v1/spaces", fmt.Sprintf(`{"client_id": %d, "key": %q, "name": "Page %s"}`,
			f.orgs["bolt"], key, key))
		wantStatus(t, w, http.StatusCreated, "create space "+key)
	}
	walk := func(role, path string, limit int) []string {
		t.Helper()
		var ids []string
		cursor := ""
		for pages := 0; ; pages++ {
			if pages > 100 {
				t.Fatalf("%s: %s: more than 100 pages", role, path)
			}
			url := fmt.Sprintf("%s?limit=%d", path, limit)
			if cursor != "" {
				url += "&cursor=" + cursor
			}
			w := f.as(role, "GET", url, "")
			if w.Code != http.StatusOK {
				t.Fatalf("%s: GET %s: %d %s", role, url, w.Code, trim(w.Body.String()))
			}
			l := decodeJSON[list](t, w)
			if len(l.Items) > limit {
				t.Errorf("%s: GET %s: %d items, limit %d", role, url, len(l.Items), limit)
			}
			ids = append(ids, l.field("id")...)
			if l.NextCursor == "" {
				return ids
			}
			cursor = l.NextCursor
		}
	}
	check := func(role, path, idField string, limit int) {
		t.Helper()
		got := walk(role, path, limit)
		w := f.as(role, "GET", path+"?limit=200", "")
		all := decodeJSON[list](t, w).field(idField)
		seen := map[string]bool{}
		for _, id := range got {
			if seen[id] {
				t.Errorf("%s: %s: id %s on two pages", role, path, id)
			}
			seen[id] = true
		}
		if !slices.Equal(got, all) {
			t.Errorf("%s: %s by %d: %v, want %v", role, path, limit, got, all)
		}
	}
	check("admin", "/api/v1/spaces", "id", 2)
	check("admin", "/api/v1/spaces", "id", 1)
	check("admin", "/api/v1/users", "id", 3)
	check("admin", "/api/v1/organisations", "id", 2)
	check("animator", "/api/v1/users", "id", 2)
	check("other", "/api/v1/spaces", "id", 2)
	if got := walk("contact", "/api/v1/spaces", 1); !slices.Equal(got, []string{strconv.FormatInt(f.spaces["ACME"], 10)}) {
		t.Errorf("contact walks spaces %v, want only ACME", got)
	}
	// A cursor from someone else's list shows nothing more.
	w := f.as("admin", "GET", "/api/v1/spaces?limit=1", "")
	cursor := decodeJSON[list](t, w).NextCursor
	w = f.as("partner", "GET", "/api/v1/spaces?cursor="+cursor, "")
	if keys := decodeJSON[list](t, w).field("key"); !slices.Equal(keys, []string{"ACMEX"}) {
		t.Errorf("partner with the admin's cursor sees %v", keys)
	}
	wantProblem(t, f.as("admin", "GET", "/api/v1/spaces?cursor=not-a-cursor", ""), 422, "cursor")
}

func testLogin(t *testing.T, f *fixture) {
	fresh := func() (*app.Service, *storetest.Clock, http.Handler) {
		c := storetest.NewClock(time.Now())
		svc := app.New(f.st, app.Options{Clock: c.Now})
		return svc, c, newServer(svc, f.st)
	}
	en := header("Accept-Language", "en")
	me := func(h http.Handler, c *http.Cookie) string {
		w := serve(h, "GET", "/api/v1/me", "", withCookie(c))
		if w.Code != http.StatusOK {
			return strconv.Itoa(w.Code)
		}
		return decodeJSON[map[string]any](t, w)["email"].(string)
	}

	t.Run("wrong password", func(t *testing.T) {
		_, _, h := fresh()
		for _, body := range []string{formBody("contact@acme.example", "wrong password"),
			formBody("nobody@acme.example", demo.Password), formBody("contact@acme.example", "")} {
			w := serve(h, "POST", "/login", body, form, en, from("198.51.100.1:1000"))
			if w.Code != http.StatusUnauthorized {
				t.Errorf("%s: status %d, want 401", body, w.Code)
			}
			if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
				t.Errorf("%s: Content-Type %q, want a page", body, ct)
			}
			if !strings.Contains(w.Body.String(), "Wrong email address or password.") {
				t.Errorf("%s: page does not say the sign-in failed: %s", body, trim(w.Body.String()))
			}
			if c := cookieOf(w); c != nil && me(h, c) != "401" {
				t.Errorf("%s: a failed sign-in opened a session", body)
			}
		}
	})

	t.Run("five failures lock the account, even with the right password", func(t *testing.T) {
		_, c, h := fresh()
		// From five addresses: the limit is per account.
		for i := range 5 {
			w := serve(h, "POST", "/login", formBody("dpo@acme.example", "wrong password"), form, en,
				from(fmt.Sprintf("198.51.100.%d:1000", 10+i)))
			if w.Code != http.StatusUnauthorized {
				t.Fatalf("failure %d: status %d, want 401", i+1, w.Code)
			}
		}
		w := serve(h, "POST", "/login", formBody("DPO@acme.example", demo.Password), form, en, from("198.51.100.99:1000"))
		if w.Code != http.StatusTooManyRequests {
			t.Fatalf("right password after 5 failures: status %d, want 429", w.Code)
		}
		if !strings.Contains(w.Body.String(), "Too many failed attempts") {
			t.Errorf("the page does not say why: %s", trim(w.Body.String()))
		}
		if cookieOf(w) != nil && me(h, cookieOf(w)) != "401" {
			t.Errorf("a refused sign-in opened a session")
		}
		// Other accounts, from the same address, are not locked.
		login(t, h, "security@acme.example", demo.Password, from("198.51.100.99:1000"))
		// The lock lifts after the window.
		c.Add(16 * time.Minute)
		login(t, h, "dpo@acme.example", demo.Password, from("198.51.100.99:1000"))
	})

	t.Run("sign-in renews the session id and sign-out ends it", func(t *testing.T) {
		_, _, h := fresh()
		a := login(t, h, "contact@acme.example", demo.Password)
		if got := me(h, a); got != "contact@acme.example" {
			t.Fatalf("session A is %s", got)
		}
		if w := serve(h, "GET", "/", "", withCookie(a)); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "Fabien Contact") {
			t.Errorf("home page with session A: %d", w.Code)
		}
		b := login(t, h, "animator@acme.example", demo.Password, withCookie(a))
		if b.Value == a.Value {
			t.Fatalf("signing in kept the session id")
		}
		if got := me(h, a); got != "401" {
			t.Errorf("the old session id still answers: %s", got)
		}
		if got := me(h, b); got != "animator@acme.example" {
			t.Errorf("session B is %s", got)
		}
		// A session id planted before sign-in is not adopted.
		planted := &http.Cookie{Name: sessionCookie, Value: "planted-by-an-attacker-0123456789abcdef"}
		c := login(t, h, "contract@acme.example", demo.Password, withCookie(planted))
		if c.Value == planted.Value {
			t.Errorf("sign-in adopted a planted session id")
		}
		if got := me(h, planted); got != "401" {
			t.Errorf("the planted id authenticates: %s", got)
		}

		w := serve(h, "POST", "/logout", "", form, withCookie(b))
		if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/login" {
			t.Errorf("sign-out: %d to %q", w.Code, w.Header().Get("Location"))
		}
		if got := me(h, b); got != "401" {
			t.Errorf("after sign-out the old cookie still answers: %s", got)
		}
		if w := serve(h, "GET", "/", "", withCookie(b)); w.Code != http.StatusSeeOther {
			t.Errorf("home page after sign-out: %d, want 303", w.Code)
		}
		if got := me(h, c); got != "contract@acme.example" {
			t.Errorf("signing out B ended another session: %s", got)
		}
	})

	t.Run("a new password replaces the old one", func(t *testing.T) {
		_, _, h := fresh()
		w := f.as("spare-bolt", "PUT", "/api/v1/me/password",
			`{"current_password": "`+demo.Password+`", "new_password": "a brand new password"}`)
		wantStatus(t, w, http.StatusNoContent, "change password")
		w = serve(h, "POST", "/login", formBody("spare-bolt@bolt.example", demo.Password), form)
		if w.Code != http.StatusUnauthorized {
			t.Errorf("the old password still signs in: %d", w.Code)
		}
		login(t, h, "spare-bolt@bolt.example", "a brand new password")
		w = f.as("spare-bolt", "PUT", "/api/v1/me/password",
			`{"current_password": "a brand new password", "new_password": "`+demo.Password+`"}`)
		wantStatus(t, w, http.StatusNoContent, "change password back")
	})

	t.Run("session cookie attributes", func(t *testing.T) {
		_, _, h := fresh()
		c := login(t, h, "contact@acme.example", demo.Password)
		if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" || c.Secure {
			t.Errorf("cookie %+v: want HttpOnly, SameSite=Lax, Path=/, not Secure over http", c)
		}
		if len(c.Value) < 32 {
			t.Errorf("session id %q is short", c.Value)
		}
		svc := app.New(f.st, app.Options{})
		https := server.New(server.Config{BaseURL: "https://desk.example"},
			server.Deps{Service: svc, Sessions: f.st.Sessions(), DB: f.st.DB()})
		c = login(t, https, "contact@acme.example", demo.Password, header("Origin", "https://desk.example"))
		if !c.Secure {
			t.Errorf("cookie %+v under an https base URL: want Secure", c)
		}
	})

	t.Run("a disabled user's session ends", func(t *testing.T) {
		// h is another instance than f's, which disables the account: h sees
		// the change within a second.
		_, clk, h := fresh()
		c := login(t, h, "spare-acme@acme.example", demo.Password)
		if got := me(h, c); got != "spare-acme@acme.example" {
			t.Fatalf("session is %s", got)
		}
		wantStatus(t, f.as("admin", "PATCH", "/api/v1/users/"+f.id("spare-acme"), `{"disabled": true}`), 200, "disable")
		clk.Add(time.Second)
		if got := me(h, c); got != "401" {
			t.Errorf("a disabled user's session still answers: %s", got)
		}
		w := serve(h, "POST", "/login", formBody("spare-acme@acme.example", demo.Password), form)
		if w.Code != http.StatusUnauthorized {
			t.Errorf("a disabled user signs in: %d", w.Code)
		}
		wantStatus(t, f.as("admin", "PATCH", "/api/v1/users/"+f.id("spare-acme"), `{"disabled": false}`), 200, "enable")
	})
}

func testCSRF(t *testing.T, f *fixture) {
	right := formBody("contact@acme.example", demo.Password)
	for _, c := range []struct {
		name string
		opts []opt
	}{
		{"Sec-Fetch-Site: cross-site", []opt{header("Sec-Fetch-Site", "cross-site")}},
		{"Sec-Fetch-Site: same-site", []opt{header("Sec-Fetch-Site", "same-site")}},
		{"Origin of another site", []opt{header("Origin", "https://evil.example")}},
	} {
		w := serve(f.srv, "POST", "/login", right, append([]opt{form}, c.opts...)...)
		if w.Code != http.StatusForbidden {
			t.Errorf("POST /login with %s: status %d, want 403", c.name, w.Code)
		}
		if cookieOf(w) != nil {
			t.Errorf("POST /login with %s: a session cookie was set", c.name)
		}
	}
	// The same request from the site itself signs in.
	login(t, f.srv, "contact@acme.example", demo.Password, header("Sec-Fetch-Site", "same-origin"))
	login(t, f.srv, "contact@acme.example", demo.Password, header("Origin", "http://example.com"))

	// Signing someone out from another site is refused too.
	s := login(t, f.srv, "contact@acme.example", demo.Password)
	w := serve(f.srv, "POST", "/logout", "", form, withCookie(s), header("Sec-Fetch-Site", "cross-site"))
	if w.Code != http.StatusForbidden {
		t.Errorf("cross-site POST /logout: status %d, want 403", w.Code)
	}
	if w := serve(f.srv, "GET", "/api/v1/me", "", withCookie(s)); w.Code != http.StatusOK {
		t.Errorf("the session ended after a refused cross-site sign-out: %d", w.Code)
	}
	// A cross-site write through the API with the session cookie is refused.
	w = serve(f.srv, "PATCH", fmt.Sprintf("/api/v1/users/%d", f.users["contact"].ID), `{"name": "Pwned"}`,
		withCookie(s), header("Sec-Fetch-Site", "cross-site"))
	if w.Code != http.StatusForbidden {
		t.Errorf("cross-site PATCH with a session: status %d, want 403", w.Code)
	}
	if u := decodeJSON[map[string]any](t, f.as("contact", "GET", "/api/v1/me", "")); u["name"] != "Fabien Contact" {
		t.Errorf("the cross-site PATCH changed the name: %v", u["name"])
	}
}

// TestMetrics checks that /metrics counts requests under their route pattern.
func TestMetrics(t *testing.T) {
	st := storetest.OpenSQLite(t)
	srv := server.New(server.Config{MaxActive: 2}, server.Deps{Service: app.New(st, app.Options{}), Sessions: st.Sessions(), DB: st.DB()})
	serve(srv, "GET", "/healthz", "")
	serve(srv, "GET", "/api/v1/spaces/12", "")
	serve(srv, "GET", "/no/such/page", "")
	body := serve(srv, "GET", "/metrics", "").Body.String()
	// Requests are counted under the route pattern the mux matched.
	for _, want := range []string{
		`guichet_http_requests_total{code="200",method="GET",route="GET /healthz"} 1`,
		`guichet_http_requests_total{code="401",method="GET",route="GET /api/v1/spaces/{space_id}"} 1`,
		`guichet_http_requests_total{code="404",method="GET",route="unmatched"} 1`,
		// The requests above took their turns and gave them back; /metrics takes none.
		"guichet_http_requests_active 0",
		"guichet_http_requests_waiting 0",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if t.Failed() {
		for _, l := range strings.Split(body, "\n") {
			if strings.HasPrefix(l, "guichet_http_requests_total") {
				t.Log(l)
			}
		}
	}
}

func testSelfService(t *testing.T, f *fixture) {
	self := "/api/v1/users/" + f.id("contact")
	before := f.snapshot(t)
	for _, body := range []string{`{"roles": ["admin"]}`, `{"roles": ["contact", "animator"]}`, `{"disabled": false}`,
		`{"name": "Fabien Contact", "roles": []}`} {
		wantProblem(t, f.as("contact", "PATCH", self, body), http.StatusForbidden, "")
	}
	// Nor can an animator promote a member of their space.
	wantProblem(t, f.as("animator", "PATCH", "/api/v1/users/"+f.id("dpo"), `{"roles": ["dpo", "animator"]}`),
		http.StatusForbidden, "")
	// Nor make a token for somebody else, whom they see or not.
	wantProblem(t, f.as("animator", "POST", "/api/v1/tokens", `{"name": "t", "user_id": `+f.id("dpo")+`}`), 404, "")
	wantProblem(t, f.as("agent", "POST", "/api/v1/tokens", `{"name": "t", "user_id": `+f.id("admin")+`}`), 404, "")
	if after := f.snapshot(t); after != before {
		t.Errorf("refused requests changed the data")
	}
	// An administrator may make a token for someone, and it acts as them.
	w := f.as("admin", "POST", "/api/v1/tokens", `{"name": "for dpo", "user_id": `+f.id("dpo")+`}`)
	wantStatus(t, w, http.StatusCreated, "admin makes a token for the DPO")
	secret, _ := decodeJSON[map[string]any](t, w)["secret"].(string)
	w = serve(f.srv, "GET", "/api/v1/me", "", bearer(secret))
	if got := decodeJSON[map[string]any](t, w)["email"]; got != "dpo@acme.example" {
		t.Errorf("the token made for the DPO acts as %v", got)
	}
	// A disabled user's tokens stop working, and come back when enabled again.
	spare := "/api/v1/users/" + f.id("spare-bolt")
	wantStatus(t, f.as("admin", "PATCH", spare, `{"disabled": true}`), 200, "disable")
	wantProblem(t, f.as("spare-bolt", "GET", "/api/v1/me", ""), http.StatusUnauthorized, "")
	wantProblem(t, f.as("admin", "POST", "/api/v1/tokens", `{"name": "t", "user_id": `+f.id("spare-bolt")+`}`), 422, "user_id")
	wantStatus(t, f.as("admin", "PATCH", spare, `{"disabled": false}`), 200, "enable")
	wantStatus(t, f.as("spare-bolt", "GET", "/api/v1/me", ""), 200, "enabled again")
}
