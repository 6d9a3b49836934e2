package server_test

import (
	"context"
	"encoding/json"
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
	// parts, when set, are sent as multipart/form-data instead of body, with
	// placeholders in their file names and contents.
	parts []part
	// reset puts the data back before each role's request, so that every role
	// meets the same state whatever the roles before it did.
	reset func(t *testing.T, f *fixture)
	want  row
}

// The placeholders of paths and bodies: {space:KEY}, {org:acme|bolt|integra},
// {user:ROLE}, {project:acme|bolt} (Extranet fournisseurs, Entrepôt connecté),
// the tickets of seedTickets as {ticket:NAME}, {ref:NAME} and {title:NAME}, their
// comments and files as {comment:NAME} and {attachment:NAME}, what the check's
// reset made for this caller as {fresh:ticket} and {fresh:comment}, and, for the
// acting role, {self}, {self.email}, {self.name}, {self.spare} (the id of a spare
// token of theirs) and {role}. The anonymous caller borrows the contact's values.
// {admin.spare} is the id of the administrator's spare token.
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
	// Each caller's own notifications only: see TestNotificationsNeverLeak.
	"GET /api/v1/me/notifications": {{label: "own notifications", path: "/api/v1/me/notifications",
		want: row{200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 401}}},
	"POST /api/v1/me/notifications/read": {
		{label: "mark all read", path: "/api/v1/me/notifications/read", body: `{}`,
			want: row{204, 204, 204, 204, 204, 204, 204, 204, 204, 204, 204, 204, 401}},
		{label: "mark another's id read: changes nothing", path: "/api/v1/me/notifications/read", body: `{"ids": [1, 2, 3]}`,
			want: row{204, 204, 204, 204, 204, 204, 204, 204, 204, 204, 204, 204, 401}},
		{label: "not an id", path: "/api/v1/me/notifications/read", body: `{"ids": [0]}`,
			want: row{422, 422, 422, 422, 422, 422, 422, 422, 422, 422, 422, 422, 401}},
	},

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
	// Tickets: see seedTickets for "acme", "security", "acmex" and "bolt". The
	// partner reads ACMEX but writes nothing (403); the contract manager and the
	// DPO, who are not contacts, read and comment but do not open tickets (403).
	"GET /api/v1/tickets": {
		{label: "the queue", path: "/api/v1/tickets",
			//        adm  agt  eng  pm   am   cnt  ani  cm   sec  dpo  prt  oth  anon
			want: row{200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 401}},
		{label: "BOLT's", path: "/api/v1/tickets?space_id={space:BOLT}",
			want: row{200, 200, 200, 200, 200, 404, 404, 404, 404, 404, 404, 200, 401}},
		{label: "by internal priority", path: "/api/v1/tickets?priority=P3",
			want: row{200, 200, 200, 200, 200, 422, 422, 422, 422, 422, 422, 422, 401}},
	},
	"GET /api/v1/spaces/{space_id}/tickets": {
		{label: "ACME", path: "/api/v1/spaces/{space:ACME}/tickets", want: seesAcme},
		{label: "ACMEX", path: "/api/v1/spaces/{space:ACMEX}/tickets", want: seesAcmex},
	},
	"POST /api/v1/spaces/{space_id}/tickets": {
		{label: "a question in ACME", path: "/api/v1/spaces/{space:ACME}/tickets",
			body: `{"title": "Question of {role}", "nature": "question", "criticality": "minor", "author_id": {user:contact}}`,
			want: row{201, 201, 201, 201, 201, 201, 201, 403, 201, 403, 404, 404, 401}},
		{label: "an anomaly in ACME, with status.xml (multipart)", path: "/api/v1/spaces/{space:ACME}/tickets",
			parts: []part{{name: "json", content: `{"title": "Crash seen by {role}", "nature": "anomaly", "criticality": "serious", "author_id": {user:contact}}`},
				{name: "files", file: "status.xml", content: "<status>{role}</status>"}},
			want: row{201, 201, 201, 201, 201, 201, 201, 403, 201, 403, 404, 404, 401}},
		{label: "a question in ACMEX", path: "/api/v1/spaces/{space:ACMEX}/tickets",
			body: `{"title": "Question of {role}", "nature": "question", "criticality": "minor", "author_id": {user:animator}}`,
			want: row{201, 201, 201, 201, 201, 404, 201, 404, 404, 404, 403, 404, 401}},
		{label: "a question in BOLT", path: "/api/v1/spaces/{space:BOLT}/tickets",
			body: `{"title": "Question of {role}", "nature": "question", "criticality": "minor", "author_id": {user:other}}`,
			want: row{201, 201, 201, 201, 201, 404, 404, 404, 404, 404, 404, 201, 401}},
	},
	"GET /api/v1/spaces/{space_id}/tickets/similar": {
		{label: "ACME", path: "/api/v1/spaces/{space:ACME}/tickets/similar?q=printer+queue", want: seesAcme},
		{label: "ACMEX", path: "/api/v1/spaces/{space:ACMEX}/tickets/similar?q=connector", want: seesAcmex},
	},
	"GET /api/v1/tickets/{ticket_id}": append(append(ticketReads(""),
		check{label: "bolt", path: "/api/v1/tickets/{ticket:bolt}", want: seesBolt}),
		ticketReads("?include=comments,events")...),
	"GET /api/v1/refs/{ref}": {
		{label: "acme", path: "/api/v1/refs/{ref:acme}", want: seesAcme},
		{label: "security", path: "/api/v1/refs/{ref:security}", want: seesSecurity},
		{label: "bolt", path: "/api/v1/refs/{ref:bolt}", want: seesBolt},
	},
	"PATCH /api/v1/tickets/{ticket_id}": {
		// The same title: a change that changes nothing, so every role meets the
		// same ticket. Only the author and provider staff change a ticket.
		{label: "acme, same title", path: "/api/v1/tickets/{ticket:acme}", body: `{"title": "{title:acme}"}`,
			//        adm  agt  eng  pm   am   cnt  ani  cm   sec  dpo  prt  oth  anon
			want: row{200, 200, 200, 200, 200, 200, 403, 403, 403, 403, 404, 404, 401}},
		{label: "security, same title", path: "/api/v1/tickets/{ticket:security}", body: `{"title": "{title:security}"}`,
			want: row{200, 200, 200, 200, 200, 200, 404, 404, 403, 404, 404, 404, 401}},
		{label: "acmex, same title", path: "/api/v1/tickets/{ticket:acmex}", body: `{"title": "{title:acmex}"}`,
			want: row{200, 200, 200, 200, 200, 404, 200, 404, 404, 404, 403, 404, 401}},
	},
	"POST /api/v1/tickets/{ticket_id}/transitions": {
		// Each caller acts on a ticket of its own (reset), opened by the contact
		// (acme), the animator (acmex) or Bolt's contact (bolt). An action the caller
		// may not take is a 409 that says why; the partner's view is read-only.
		{label: "await_client on a new acme ticket", path: "/api/v1/tickets/{fresh:ticket}/transitions",
			body: `{"action": "await_client"}`, reset: freshTicket("ACME", "contact", ""),
			want: row{200, 200, 200, 200, 200, 409, 409, 409, 409, 409, 404, 404, 401}},
		{label: "reassign a new acme ticket to the security officer", path: "/api/v1/tickets/{fresh:ticket}/transitions",
			body: `{"action": "reassign", "new_author_id": {user:security}}`, reset: freshTicket("ACME", "contact", ""),
			want: row{200, 200, 200, 200, 200, 200, 200, 409, 409, 409, 404, 404, 401}},
		{label: "close a new acme ticket proposed for closing", path: "/api/v1/tickets/{fresh:ticket}/transitions",
			body: `{"action": "close", "rating": 5}`, reset: freshTicket("ACME", "contact", desk.ProposeClosing),
			want: row{409, 409, 409, 409, 409, 200, 409, 409, 409, 409, 404, 404, 401}},
		{label: "await_client on a new acmex ticket", path: "/api/v1/tickets/{fresh:ticket}/transitions",
			body: `{"action": "await_client"}`, reset: freshTicket("ACMEX", "animator", ""),
			want: row{200, 200, 200, 200, 200, 404, 409, 404, 404, 404, 403, 404, 401}},
		{label: "await_client on a new bolt ticket", path: "/api/v1/tickets/{fresh:ticket}/transitions",
			body: `{"action": "await_client"}`, reset: freshTicket("BOLT", "other", ""),
			want: row{200, 200, 200, 200, 200, 404, 404, 404, 404, 404, 404, 409, 401}},
	},
	"PUT /api/v1/tickets/{ticket_id}/assignment": {
		{label: "acme to the agent", path: "/api/v1/tickets/{ticket:acme}/assignment", body: `{"assignee_id": {user:agent}}`,
			//        adm  agt  eng  pm   am   cnt  ani  cm   sec  dpo  prt  oth  anon
			want: row{200, 200, 200, 200, 200, 403, 403, 403, 403, 403, 404, 404, 401}},
		{label: "acmex to the agent", path: "/api/v1/tickets/{ticket:acmex}/assignment", body: `{"assignee_id": {user:agent}}`,
			want: row{200, 200, 200, 200, 200, 404, 403, 404, 404, 404, 403, 404, 401}},
	},
	"GET /api/v1/tickets/{ticket_id}/comments": ticketReads("/comments"),
	"POST /api/v1/tickets/{ticket_id}/comments": {
		{label: "public, on acme", path: "/api/v1/tickets/{ticket:acme}/comments", body: `{"body": "Comment of {role}"}`,
			//        adm  agt  eng  pm   am   cnt  ani  cm   sec  dpo  prt  oth  anon
			want: row{201, 201, 201, 201, 201, 201, 201, 201, 201, 201, 404, 404, 401}},
		{label: "private, on acme", path: "/api/v1/tickets/{ticket:acme}/comments",
			body: `{"body": "Private note of {role}", "private": true}`,
			want: row{201, 201, 201, 201, 201, 422, 422, 422, 422, 422, 404, 404, 401}},
		{label: "public, with a file (multipart), on acme", path: "/api/v1/tickets/{ticket:acme}/comments",
			parts: []part{{name: "json", content: `{"body": "Screenshot of {role}"}`},
				{name: "files", file: "screen-{role}.txt", content: "screen of {role}"}},
			want: row{201, 201, 201, 201, 201, 201, 201, 201, 201, 201, 404, 404, 401}},
		{label: "public, on security", path: "/api/v1/tickets/{ticket:security}/comments", body: `{"body": "Comment of {role}"}`,
			want: row{201, 201, 201, 201, 201, 201, 404, 404, 201, 404, 404, 404, 401}},
		{label: "public, on acmex", path: "/api/v1/tickets/{ticket:acmex}/comments", body: `{"body": "Comment of {role}"}`,
			want: row{201, 201, 201, 201, 201, 404, 201, 404, 404, 404, 403, 404, 401}},
		{label: "private, on acmex", path: "/api/v1/tickets/{ticket:acmex}/comments",
			body: `{"body": "Private note of {role}", "private": true}`,
			want: row{201, 201, 201, 201, 201, 404, 422, 404, 404, 404, 403, 404, 401}},
	},
	"POST /api/v1/comments/{comment_id}/likes": {
		// Never one's own comment: the account manager wrote the public ones, the
		// agent the private one (409).
		{label: "a new comment on acme", path: "/api/v1/comments/{fresh:comment}/likes", reset: freshComment("acme"),
			//        adm  agt  eng  pm   am   cnt  ani  cm   sec  dpo  prt  oth  anon
			want: row{200, 200, 200, 200, 409, 200, 200, 200, 200, 200, 404, 404, 401}},
		{label: "the private comment on acme", path: "/api/v1/comments/{comment:private}/likes",
			want: row{200, 409, 200, 200, 200, 404, 404, 404, 404, 404, 404, 404, 401}},
		{label: "a new comment on acmex", path: "/api/v1/comments/{fresh:comment}/likes", reset: freshComment("acmex"),
			want: row{200, 200, 200, 200, 409, 404, 200, 404, 404, 404, 403, 404, 401}},
		{label: "the comment on bolt", path: "/api/v1/comments/{comment:bolt}/likes",
			want: row{200, 200, 200, 200, 409, 404, 404, 404, 404, 404, 404, 200, 401}},
	},
	"GET /api/v1/tickets/{ticket_id}/attachments": ticketReads("/attachments"),
	"POST /api/v1/tickets/{ticket_id}/attachments": {
		{label: "on acme", path: "/api/v1/tickets/{ticket:acme}/attachments",
			parts: []part{{name: "files", file: "trace-{role}.txt", content: "trace of {role}"}},
			//        adm  agt  eng  pm   am   cnt  ani  cm   sec  dpo  prt  oth  anon
			want: row{201, 201, 201, 201, 201, 201, 201, 201, 201, 201, 404, 404, 401}},
		{label: "on security", path: "/api/v1/tickets/{ticket:security}/attachments",
			parts: []part{{name: "files", file: "trace-{role}.txt", content: "trace of {role}"}},
			want:  row{201, 201, 201, 201, 201, 201, 404, 404, 201, 404, 404, 404, 401}},
		{label: "on acmex", path: "/api/v1/tickets/{ticket:acmex}/attachments",
			parts: []part{{name: "files", file: "trace-{role}.txt", content: "trace of {role}"}},
			want:  row{201, 201, 201, 201, 201, 404, 201, 404, 404, 404, 403, 404, 401}},
	},
	"GET /api/v1/attachments/{attachment_id}": {
		{label: "acme's", path: "/api/v1/attachments/{attachment:acme}", want: seesAcme},
		{label: "security's", path: "/api/v1/attachments/{attachment:security}", want: seesSecurity},
		{label: "the private comment's", path: "/api/v1/attachments/{attachment:private}",
			//        adm  agt  eng  pm   am   cnt  ani  cm   sec  dpo  prt  oth  anon
			want: row{200, 200, 200, 200, 200, 404, 404, 404, 404, 404, 404, 404, 401}},
		{label: "acmex's", path: "/api/v1/attachments/{attachment:acmex}", want: seesAcmex},
		{label: "bolt's", path: "/api/v1/attachments/{attachment:bolt}", want: seesBolt},
	},
	"GET /api/v1/tickets/{ticket_id}/events": ticketReads("/events"),
	"GET /api/v1/settings/resolutions": {{label: "the list", path: "/api/v1/settings/resolutions",
		want: row{200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 401}}},
	"PUT /api/v1/settings/resolutions": {{label: "the defaults again", path: "/api/v1/settings/resolutions",
		body: `{"resolutions": ` + jsonOf(desk.DefaultResolutions) + `}`,
		want: row{200, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 401}}},

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

// Who sees each ticket of seedTickets, and the objects in its space or on it.
var (
	//                  adm  agt  eng  pm   am   cnt  ani  cm   sec  dpo  prt  oth  anon
	seesAcme     = row{200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 404, 404, 401}
	seesSecurity = row{200, 200, 200, 200, 200, 200, 404, 404, 200, 404, 404, 404, 401}
	seesAcmex    = row{200, 200, 200, 200, 200, 404, 200, 404, 404, 404, 200, 404, 401}
	seesBolt     = row{200, 200, 200, 200, 200, 404, 404, 404, 404, 404, 404, 200, 401}
)

// ticketReads are the checks of a read of the tickets of seedTickets in Acme's
// spaces: the ticket itself (suffix "") or its comments, attachments or events.
// (Bolt's ticket answers 404 to everyone but staff and Bolt: see its GET row.)
func ticketReads(suffix string) []check {
	return []check{
		{label: "acme", path: "/api/v1/tickets/{ticket:acme}" + suffix, want: seesAcme},
		{label: "security", path: "/api/v1/tickets/{ticket:security}" + suffix, want: seesSecurity},
		{label: "acmex", path: "/api/v1/tickets/{ticket:acmex}" + suffix, want: seesAcmex},
	}
}

// freshTicket returns a reset that opens a ticket in space key as role, takes
// action on it as the agent when action is set, and names it {fresh:ticket}.
func freshTicket(key, role string, action desk.Action) func(*testing.T, *fixture) {
	return func(t *testing.T, f *fixture) {
		tk := f.openTicket(t, role, app.NewTicket{SpaceID: f.spaces[key], Title: "Fresh ticket",
			Nature: desk.Question, Criticality: desk.Minor})
		if action != "" {
			_, err := f.svc.Transition(context.Background(), f.actor(t, "agent"), tk.ID,
				desk.TransitionInput{Action: action, Resolution: "answered"})
			must(t, err)
		}
		f.fresh["ticket"] = tk.ID
	}
}

// freshComment returns a reset that has the account manager comment on ticket
// name, and names the comment {fresh:comment}.
func freshComment(name string) func(*testing.T, *fixture) {
	return func(t *testing.T, f *fixture) {
		f.fresh["comment"] = f.comment(t, "am", f.tickets[name].ID, "A fresh comment.", false).ID
	}
}

// jsonOf is v as JSON.
func jsonOf(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
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
	for k, tk := range f.tickets {
		kv = append(kv, "{ticket:"+k+"}", id(tk.ID), "{ref:"+k+"}", f.refs[k], "{title:"+k+"}", tk.Title)
	}
	for k, v := range f.comments {
		kv = append(kv, "{comment:"+k+"}", id(v))
	}
	for k, v := range f.attachments {
		kv = append(kv, "{attachment:"+k+"}", id(v))
	}
	for k, v := range f.fresh {
		kv = append(kv, "{fresh:"+k+"}", id(v))
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

func (c *caller) send(t *testing.T, f *fixture, method, path, body string, opts ...opt) *httptest.ResponseRecorder {
	t.Helper()
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
	t.Parallel()
	storetest.Each(t, func(t *testing.T, st *sqlstore.Store) {
		f := newFixture(t, st, app.Options{})
		f.seedTickets(t)

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
						if c.reset != nil {
							c.reset(t, f)
						}
						rep := f.replacer(cl.role, spare)
						path, body := rep.Replace(c.path), rep.Replace(c.body)
						var opts []opt
						if c.form {
							opts = append(opts, form)
						}
						if c.parts != nil {
							parts := slices.Clone(c.parts)
							for i := range parts {
								parts[i].file, parts[i].content = rep.Replace(parts[i].file), rep.Replace(parts[i].content)
							}
							var ct string
							body, ct = multipartBody(parts...)
							opts = append(opts, header("Content-Type", ct))
						}
						w := cl.send(t, f, methodOf(key), path, body, opts...)
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

	// Tickets: a security ticket only for staff, its author and the security
	// officer; nothing of another tenant; the partner's read-only view.
	refsOf := func(names ...string) []string {
		var out []string
		for _, n := range names {
			out = append(out, f.refs[n])
		}
		return out
	}
	tickets := "/api/v1/tickets?limit=200"
	each(staff, func(r string) { get(r, tickets, "ref", refsOf("acme", "security", "acmex", "bolt")) })
	for role, names := range map[string][]string{"contact": {"acme", "security"}, "animator": {"acme", "acmex"},
		"contract": {"acme"}, "security": {"acme", "security"}, "dpo": {"acme"}, "partner": {"acmex"},
		"other": {"bolt"}} {
		get(role, tickets, "ref", refsOf(names...))
		get(role, tickets+"&nature=security", "ref", refsOf(slices.DeleteFunc(slices.Clone(names),
			func(n string) bool { return n != "security" })...))
	}
	similar := fmt.Sprintf("/api/v1/spaces/%d/tickets/similar?q=cookie+session", f.spaces["ACME"])
	each(append(staff, "contact", "security"), func(r string) { get(r, similar, "ref", refsOf("security")) })
	each([]string{"animator", "contract", "dpo"}, func(r string) { get(r, similar, "ref", nil) })

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
