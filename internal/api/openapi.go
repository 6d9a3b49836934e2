package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"

	"guichet/internal/desk"
)

// openAPIVersion is the version of the API the document describes: the 1 of /api/v1.
const openAPIVersion = "1"

// OpenAPIHandler serves the OpenAPI 3.1 document of the API. Anyone may read it.
func OpenAPIHandler(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-cache")
	_, _ = w.Write(openAPIJSON())
}

// openAPIJSON is the document, marshalled once, on first use.
var openAPIJSON = sync.OnceValue(func() []byte {
	b, err := json.MarshalIndent(openAPIDocument(), "", "  ")
	if err != nil { // maps, slices, strings and numbers only: a programming error
		panic(fmt.Sprintf("api: marshal the OpenAPI document: %v", err))
	}
	return append(b, '\n')
})

// apiOperation is one endpoint as the document describes it. Paths are relative to
// the server URL, /api/v1, and each {name} in them is an integer id described in
// the parameters component. Some problem answers are implied and not listed in
// errors: 401 unless the operation is public, 404 when the path holds an id, 413
// and 422 when there is a body, 422 on lists (a bad limit or cursor).
type apiOperation struct {
	method, path string
	id           string // operationId
	tag          string
	summary      string
	description  string // the rules a caller needs to know
	list         bool   // takes ?limit= and ?cursor=
	body         string // request body schema, by component name
	status       int    // the status of success
	result       string // response body schema, by component name; "" for none
	errors       []int  // further problem statuses the operation may answer
	public       bool   // needs no credentials
}

// apiOperations is the API's surface, in the order of server.Routes.
var apiOperations = []apiOperation{
	{method: "GET", path: "/openapi.json", id: "getOpenAPI", tag: "meta", public: true,
		summary: "This OpenAPI document", status: 200, result: "OpenAPIDocument",
		description: "The OpenAPI 3.1 document of the API. It needs no credentials."},

	{method: "GET", path: "/me", id: "getMe", tag: "me",
		summary: "The signed-in user", status: 200, result: "User",
		description: "The user behind the session or the API token."},
	{method: "PUT", path: "/me/password", id: "changePassword", tag: "me",
		summary: "Change one's password", body: "PasswordChange", status: 204,
		description: "Checks `current_password`, then sets `new_password`. A wrong current password " +
			"answers 422 naming `current_password`."},

	{method: "GET", path: "/organisations", id: "listOrganisations", tag: "organisations", list: true,
		summary: "List organisations", status: 200, result: "OrganisationList",
		description: "Provider staff see every organisation; anyone else sees only their own."},
	{method: "POST", path: "/organisations", id: "createOrganisation", tag: "organisations",
		summary: "Add an organisation", body: "NewOrganisation", status: 201, result: "Organisation",
		errors: []int{403, 409},
		description: "Administrators only. There is exactly one provider, and names are unique per " +
			"kind (409). `trained` and `trained_on` apply to partners only: `trained_on` is required " +
			"when `trained` is true and must be null otherwise."},
	{method: "GET", path: "/organisations/{org_id}", id: "getOrganisation", tag: "organisations",
		summary: "Get an organisation", status: 200, result: "Organisation",
		description: "Anyone but provider staff gets 404 for an organisation other than their own."},
	{method: "PATCH", path: "/organisations/{org_id}", id: "updateOrganisation", tag: "organisations",
		summary: "Rename an organisation or record a partner's training", body: "OrganisationPatch",
		status: 200, result: "Organisation", errors: []int{403, 409},
		description: "Administrators only. Fields left out keep their value; `trained_on` may be set " +
			"to null. Setting `trained` to false clears `trained_on`."},

	{method: "GET", path: "/users", id: "listUsers", tag: "users", list: true,
		summary: "List users", status: 200, result: "UserList",
		description: "Provider staff see every user; anyone else sees the users of their own " +
			"organisation and the members of the spaces they see."},
	{method: "POST", path: "/users", id: "createUser", tag: "users",
		summary: "Add a user", body: "NewUser", status: 201, result: "User", errors: []int{403, 409},
		description: "Administrators only. Provider roles are for provider staff; client roles are for " +
			"client users and are held for their own client; partner users hold no role. Email " +
			"addresses are unique, whatever their case (409)."},
	{method: "GET", path: "/users/{user_id}", id: "getUser", tag: "users",
		summary: "Get a user", status: 200, result: "User",
		description: "A user the caller may not see answers 404."},
	{method: "PATCH", path: "/users/{user_id}", id: "updateUser", tag: "users",
		summary: "Change a user", body: "UserPatch", status: 200, result: "User", errors: []int{403},
		description: "Administrators change anyone. Other users may change their own `name` and " +
			"`locale` only (403 otherwise). `roles`, when given, replace all the user's roles. " +
			"Nobody may disable their own account."},

	{method: "GET", path: "/spaces", id: "listSpaces", tag: "spaces", list: true,
		summary: "List spaces", status: 200, result: "SpaceList",
		description: "Provider staff see every space; anyone else sees the spaces they are a member " +
			"of, and an animator every space of their client."},
	{method: "POST", path: "/spaces", id: "createSpace", tag: "spaces",
		summary: "Add a space to a client", body: "NewSpace", status: 201, result: "Space",
		errors: []int{403, 409},
		description: "Administrators only. `client_id` must name a client organisation. The key is " +
			"upper-cased, unique (409) and never changes."},
	{method: "GET", path: "/spaces/{space_id}", id: "getSpace", tag: "spaces",
		summary: "Get a space", status: 200, result: "Space",
		description: "Spaces are secret: one the caller may not see answers 404."},
	{method: "PATCH", path: "/spaces/{space_id}", id: "updateSpace", tag: "spaces",
		summary: "Rename a space", body: "SpacePatch", status: 200, result: "Space", errors: []int{403},
		description: "Administrators only. The key cannot change."},

	{method: "GET", path: "/spaces/{space_id}/projects", id: "listProjects", tag: "projects", list: true,
		summary: "List a space's projects", status: 200, result: "ProjectList",
		description: "The projects of a space the caller sees."},
	{method: "POST", path: "/spaces/{space_id}/projects", id: "createProject", tag: "projects",
		summary: "Add a project", body: "NewProject", status: 201, result: "Project", errors: []int{403, 409},
		description: "Administrators and account managers. Names are unique within a space (409)."},
	{method: "GET", path: "/projects/{project_id}", id: "getProject", tag: "projects",
		summary: "Get a project", status: 200, result: "Project",
		description: "A project of a space the caller may not see answers 404."},
	{method: "PATCH", path: "/projects/{project_id}", id: "updateProject", tag: "projects",
		summary: "Rename a project", body: "ProjectPatch", status: 200, result: "Project", errors: []int{403, 409},
		description: "Administrators and account managers. Names are unique within a space (409)."},

	{method: "GET", path: "/spaces/{space_id}/members", id: "listMembers", tag: "members", list: true,
		summary: "List a space's members", status: 200, result: "MembershipList",
		description: "Members come in order of user id; the cursor follows that order."},
	{method: "POST", path: "/spaces/{space_id}/members", id: "addMember", tag: "members",
		summary: "Add a member to a space", body: "NewMember", status: 201, result: "Membership",
		errors: []int{403, 409},
		description: "Administrators, account managers, and animators of the space's client may add " +
			"members. The user is named by `user_id`, or by `email` when `user_id` is left out. They " +
			"must belong to the space's client, or to a trained partner, and not be disabled (422); " +
			"provider staff see every space and are never members (422). An existing member answers 409."},
	{method: "DELETE", path: "/spaces/{space_id}/members/{user_id}", id: "removeMember", tag: "members",
		summary: "Remove a member from a space", status: 204, errors: []int{403},
		description: "Who may add members may remove them. A user who is not a member answers 404."},

	{method: "GET", path: "/tokens", id: "listTokens", tag: "tokens", list: true,
		summary: "List one's API tokens", status: 200, result: "TokenList",
		description: "The caller's own tokens, revoked and expired ones included; never their secrets."},
	{method: "POST", path: "/tokens", id: "createToken", tag: "tokens",
		summary: "Create an API token", body: "NewToken", status: 201, result: "CreatedToken",
		errors: []int{404},
		description: "Creates a token for the caller or, for an administrator, for `user_id`; " +
			"another user's `user_id` answers 404 to anyone else. The secret is shown in this answer " +
			"once: only its hash is kept, and it can never be shown again."},
	{method: "DELETE", path: "/tokens/{token_id}", id: "revokeToken", tag: "tokens",
		summary: "Revoke an API token", status: 204,
		description: "Revokes one of the caller's tokens (an administrator's: any token); another " +
			"user's token answers 404. Revoking a revoked token succeeds."},
}

// problems lists the problem statuses op may answer, implied ones included.
func (op apiOperation) problems() []int {
	s := slices.Clone(op.errors)
	if !op.public {
		s = append(s, http.StatusUnauthorized)
	}
	if len(pathParams(op.path)) > 0 {
		s = append(s, http.StatusNotFound)
	}
	if op.body != "" {
		s = append(s, http.StatusRequestEntityTooLarge, http.StatusUnprocessableEntity)
	}
	if op.list {
		s = append(s, http.StatusUnprocessableEntity)
	}
	slices.Sort(s)
	return slices.Compact(s)
}

// pathParams returns the names of the {parameters} of path.
func pathParams(path string) []string {
	var names []string
	for seg := range strings.SplitSeq(path, "/") {
		if name, ok := strings.CutPrefix(seg, "{"); ok {
			names = append(names, strings.TrimSuffix(name, "}"))
		}
	}
	return names
}

// jsonObject is a piece of the document: an operation, a response, a schema.
type jsonObject = map[string]any

// document returns op as an OpenAPI operation object.
func (op apiOperation) document() jsonObject {
	o := jsonObject{"operationId": op.id, "summary": op.summary, "description": op.description,
		"tags": []string{op.tag}}
	var params []jsonObject
	for _, name := range pathParams(op.path) {
		params = append(params, jsonObject{"$ref": "#/components/parameters/" + name})
	}
	if op.list {
		params = append(params, jsonObject{"$ref": "#/components/parameters/limit"},
			jsonObject{"$ref": "#/components/parameters/cursor"})
	}
	if len(params) > 0 {
		o["parameters"] = params
	}
	if op.body != "" {
		o["requestBody"] = jsonObject{"required": true,
			"content": jsonObject{"application/json": jsonObject{"schema": schemaRef(op.body)}}}
	}
	success := jsonObject{"description": http.StatusText(op.status)}
	if op.result != "" {
		success["content"] = jsonObject{"application/json": jsonObject{"schema": schemaRef(op.result)}}
	}
	responses := jsonObject{strconv.Itoa(op.status): success}
	for _, status := range op.problems() {
		responses[strconv.Itoa(status)] = jsonObject{"$ref": "#/components/responses/" + problemResponses[status].name}
	}
	o["responses"] = responses
	if op.public {
		o["security"] = []jsonObject{}
	}
	return o
}

// problemResponses are the problem answers, by status.
var problemResponses = map[int]struct{ name, description string }{
	http.StatusUnauthorized: {"Unauthenticated", "No valid credentials: no session and no token, or a " +
		"token that is invalid, expired or revoked (code `unauthenticated`)."},
	http.StatusForbidden: {"Forbidden", "The caller sees the object but may not do this (code `forbidden`)."},
	http.StatusNotFound: {"NotFound", "No such object, or one the caller may not see: another tenant's " +
		"object answers exactly like a missing one. A malformed id is not found either (code `not_found`)."},
	http.StatusConflict: {"Conflict", "The change collides with an existing object: a duplicate name, " +
		"key, email or membership; `errors` names the field (code `conflict`)."},
	http.StatusRequestEntityTooLarge: {"TooLarge", "The body is over 1 MiB, 1048576 bytes (code `too_large`)."},
	http.StatusUnprocessableEntity: {"Invalid", "The input breaks a rule, and `errors` names the field and " +
		"the reason: a missing or bad value, an unknown field, a wrong JSON type, a body that is not one " +
		"JSON object, a bad `limit` or `cursor` (code `invalid`)."},
}

// openAPIDocument builds the whole document.
func openAPIDocument() jsonObject {
	paths := jsonObject{}
	for _, op := range apiOperations {
		item, ok := paths[op.path].(jsonObject)
		if !ok {
			item = jsonObject{}
			paths[op.path] = item
		}
		item[strings.ToLower(op.method)] = op.document()
	}
	responses := jsonObject{}
	for status, p := range problemResponses {
		r := jsonObject{"description": p.description,
			"content": jsonObject{"application/problem+json": jsonObject{"schema": schemaRef("Problem")}}}
		if status == http.StatusUnauthorized {
			r["headers"] = jsonObject{"WWW-Authenticate": jsonObject{
				"description": `Bearer realm="guichet"`, "schema": jsonObject{"type": "string"}}}
		}
		responses[p.name] = r
	}
	return jsonObject{
		"openapi": "3.1.0",
		"info": jsonObject{
			"title":       "Guichet API",
			"version":     openAPIVersion,
			"description": apiDescription,
		},
		"servers":  []jsonObject{{"url": "/api/v1"}},
		"security": []jsonObject{{"bearerAuth": []string{}}, {"cookieAuth": []string{}}},
		"tags": []jsonObject{
			{"name": "meta", "description": "The API itself."},
			{"name": "me", "description": "The signed-in user."},
			{"name": "organisations", "description": "The provider, its clients and partner integrators."},
			{"name": "users", "description": "People who sign in, and their roles."},
			{"name": "spaces", "description": "Clients' support spaces, secret to non-members."},
			{"name": "projects", "description": "Groups of tickets inside a space."},
			{"name": "members", "description": "Who belongs to a space."},
			{"name": "tokens", "description": "API tokens."},
		},
		"paths": paths,
		"components": jsonObject{
			"securitySchemes": jsonObject{
				"bearerAuth": jsonObject{"type": "http", "scheme": "bearer", "bearerFormat": "gch_…",
					"description": "An API token, `gch_` followed by 43 base64url characters: " +
						"`Authorization: Bearer gch_…`. Create one with `POST /tokens`; its secret is shown once."},
				"cookieAuth": jsonObject{"type": "apiKey", "in": "cookie", "name": "guichet_session",
					"description": "The session cookie of the web interface, set by signing in there. " +
						"Requests that change something with it must come from Guichet's own origin."},
			},
			"parameters": jsonObject{
				"org_id":     pathParam("org_id", "The organisation's id."),
				"user_id":    pathParam("user_id", "The user's id."),
				"space_id":   pathParam("space_id", "The space's id."),
				"project_id": pathParam("project_id", "The project's id."),
				"token_id":   pathParam("token_id", "The token's id."),
				"limit": jsonObject{"name": "limit", "in": "query", "required": false,
					"description": "How many items to answer at most.",
					"schema": jsonObject{"type": "integer", "minimum": 1, "maximum": desk.MaxPageSize,
						"default": desk.DefaultPageSize}},
				"cursor": jsonObject{"name": "cursor", "in": "query", "required": false,
					"description": "Where to resume: the `next_cursor` of the previous page, as given.",
					"schema":      jsonObject{"type": "string"}},
			},
			"responses": responses,
			"schemas":   apiSchemas(),
		},
	}
}

// apiDescription is what every caller should know.
const apiDescription = `Guichet's JSON API: the parties of a support desk (organisations, users, spaces,
projects, members) and API tokens.

**Credentials.** Send an API token, ` + "`Authorization: Bearer gch_…`" + `, or the session cookie of
the web interface. A bad, expired or revoked token answers 401: it never falls back to anonymous.
With the cookie, requests that change something must come from Guichet's own origin.

**Visibility.** What a caller sees follows from their organisation, roles and space memberships.
An object they may not see, such as another tenant's space, project, user or organisation, answers
404 exactly like one that does not exist.

**Lists** are paginated by key (a cursor), in ascending order of id (of user id for members): ask for up to ` + "`limit`" + `
items (1 to 200, 50 by default) and pass a page's ` + "`next_cursor`" + ` as ` + "`cursor`" + ` to get the
next one. A page has a ` + "`next_cursor`" + ` only when it is full, and the next page may then be empty.
There are no totals.

**Bodies** are one JSON object (` + "`Content-Type: application/json`" + `). Unknown fields are
refused (422), and so are bodies over 1 MiB (413).

**Errors** are RFC 9457 problem documents (` + "`application/problem+json`" + `) with a stable
` + "`code`" + ` and, when a field is at fault, ` + "`errors`" + `. Every answer carries an
` + "`X-Request-Id`" + ` header, repeated in problems as ` + "`request_id`" + `; send one to trace a request.

**Times** are RFC 3339 instants in UTC; dates are written YYYY-MM-DD.`

func pathParam(name, description string) jsonObject {
	return jsonObject{"name": name, "in": "path", "required": true, "description": description,
		"schema": jsonObject{"type": "integer", "format": "int64", "minimum": 1}}
}

// apiSchemas are the component schemas: what the handlers read and answer.
func apiSchemas() jsonObject {
	var roles []string
	for _, r := range slices.Concat(desk.ProviderRoles, desk.ClientRoles) {
		roles = append(roles, string(r))
	}
	name := jsonObject{"type": "string", "minLength": 1, "maxLength": desk.MaxNameLen,
		"description": "A name, trimmed of surrounding spaces."}
	instant := jsonObject{"type": "string", "format": "date-time"}
	trainedOn := jsonObject{"type": []string{"string", "null"}, "format": "date",
		"description": "When the partner was trained, YYYY-MM-DD; null unless trained."}
	email := jsonObject{"type": "string", "format": "email", "maxLength": desk.MaxEmailLen,
		"description": "An email address, unique whatever its case."}

	return jsonObject{
		"OpenAPIDocument": jsonObject{"type": "object", "description": "An OpenAPI 3.1 document."},

		"Role": jsonObject{"type": "string", "enum": roles,
			"description": "Provider roles: agent (level-2 support), engineer (level-3 R&D), " +
				"product_manager, account_manager, admin. Client roles, held for the user's own client: " +
				"contact (may open tickets), animator (manages the members of the client's spaces), " +
				"contract_manager, security_officer, dpo."},
		"OrgKind": jsonObject{"type": "string",
			"enum":        []string{string(desk.Provider), string(desk.Client), string(desk.Partner)},
			"description": "Which side an organisation is on: the one provider, a client, or a partner integrator."},
		"Locale": jsonObject{"type": "string", "enum": desk.Locales,
			"description": "The language of the user's interface and notifications."},

		"Organisation": schemaObject("The provider, a client, or a partner integrator.", jsonObject{
			"id":         schemaID("The organisation's id."),
			"kind":       schemaRef("OrgKind"),
			"name":       name,
			"trained":    jsonObject{"type": "boolean", "description": "Partners only: whether it was trained; only users of a trained partner may join a client's space."},
			"trained_on": trainedOn,
			"created_at": instant,
		}, "id", "kind", "name", "trained", "trained_on", "created_at"),
		"RoleGrant": schemaObject("A role held by a user.", jsonObject{
			"role":      schemaRef("Role"),
			"client_id": schemaID("For a client role, the client it is held for; absent for a provider role."),
		}, "role"),
		"User": schemaObject("A person who signs in: provider staff, a client's user or a partner's user.", jsonObject{
			"id":         schemaID("The user's id."),
			"org_id":     schemaID("The organisation the user belongs to."),
			"email":      email,
			"name":       name,
			"locale":     schemaRef("Locale"),
			"roles":      jsonObject{"type": "array", "items": schemaRef("RoleGrant")},
			"disabled":   jsonObject{"type": "boolean", "description": "A disabled user cannot sign in, and their tokens do not work."},
			"created_at": instant,
		}, "id", "org_id", "email", "name", "locale", "roles", "disabled", "created_at"),
		"Space": schemaObject("A client's support space.", jsonObject{
			"id":        schemaID("The space's id."),
			"client_id": schemaID("The client organisation the space belongs to."),
			"key": jsonObject{"type": "string", "pattern": "^[A-Z][A-Z0-9]{1,9}$",
				"description": "The prefix of the space's ticket numbers, e.g. SUP for SUP-1042."},
			"name":       name,
			"created_at": instant,
		}, "id", "client_id", "key", "name", "created_at"),
		"Project": schemaObject("A group of tickets inside a space.", jsonObject{
			"id":         schemaID("The project's id."),
			"space_id":   schemaID("The space the project belongs to."),
			"name":       name,
			"created_at": instant,
		}, "id", "space_id", "name", "created_at"),
		"Membership": schemaObject("A client's or partner's user belonging to a space.", jsonObject{
			"space_id": schemaID("The space."),
			"user_id":  schemaID("The member."),
			"added_by": schemaID("Who added the member; absent when it was the command line."),
			"added_at": instant,
		}, "space_id", "user_id", "added_at"),
		"Token": schemaObject("An API token. Its secret is never shown again after its creation.", jsonObject{
			"id":           schemaID("The token's id."),
			"user_id":      schemaID("The user the token acts as."),
			"name":         name,
			"created_at":   instant,
			"expires_at":   instant,
			"revoked_at":   jsonObject{"type": []string{"string", "null"}, "format": "date-time"},
			"last_used_at": jsonObject{"type": []string{"string", "null"}, "format": "date-time", "description": "Recorded at most once a minute."},
		}, "id", "user_id", "name", "created_at", "expires_at", "revoked_at", "last_used_at"),
		"CreatedToken": jsonObject{
			"description": "A token just created, with its secret: shown this once and never again.",
			"allOf": []jsonObject{schemaRef("Token"), {
				"type":     "object",
				"required": []string{"secret"},
				"properties": jsonObject{"secret": jsonObject{"type": "string", "pattern": "^gch_[A-Za-z0-9_-]{43}$",
					"description": "The bearer secret. Keep it: only its hash is stored."}},
			}},
		},

		"OrganisationList": schemaList("Organisation"),
		"UserList":         schemaList("User"),
		"SpaceList":        schemaList("Space"),
		"ProjectList":      schemaList("Project"),
		"MembershipList":   schemaList("Membership"),
		"TokenList":        schemaList("Token"),

		"PasswordChange": schemaInput("A new password for the signed-in user.", jsonObject{
			"current_password": jsonObject{"type": "string"},
			"new_password": jsonObject{"type": "string", "minLength": desk.MinPasswordLen,
				"description": "At least 10 characters, at most 1024 bytes."},
		}, "current_password", "new_password"),
		"NewOrganisation": schemaInput("An organisation to add.", jsonObject{
			"kind":       schemaRef("OrgKind"),
			"name":       name,
			"trained":    jsonObject{"type": "boolean", "default": false, "description": "Partners only."},
			"trained_on": trainedOn,
		}, "kind", "name"),
		"OrganisationPatch": schemaInput("The fields to change; those left out keep their value.", jsonObject{
			"name":       name,
			"trained":    jsonObject{"type": "boolean", "description": "Partners only; false clears trained_on."},
			"trained_on": trainedOn,
		}),
		"NewUser": schemaInput("A user to add.", jsonObject{
			"org_id":   schemaID("The organisation the user belongs to."),
			"email":    email,
			"name":     name,
			"locale":   jsonObject{"$ref": "#/components/schemas/Locale", "default": "fr"},
			"password": jsonObject{"type": "string", "minLength": desk.MinPasswordLen, "description": "At least 10 characters, at most 1024 bytes."},
			"roles": jsonObject{"type": "array", "items": schemaRef("Role"), "uniqueItems": true,
				"description": "Role names: provider roles for provider staff, client roles for a client's users; none for partners."},
		}, "org_id", "email", "name", "password"),
		"UserPatch": schemaInput("The fields to change; those left out keep their value.", jsonObject{
			"name":     name,
			"locale":   schemaRef("Locale"),
			"disabled": jsonObject{"type": "boolean", "description": "Administrators only; nobody may disable themselves."},
			"roles": jsonObject{"type": "array", "items": schemaRef("Role"), "uniqueItems": true,
				"description": "Administrators only: the user's new roles, replacing all of them."},
		}),
		"NewSpace": schemaInput("A space to add to a client.", jsonObject{
			"client_id": schemaID("The client organisation."),
			"key": jsonObject{"type": "string", "pattern": "^[A-Za-z][A-Za-z0-9]{1,9}$",
				"description": "The prefix of ticket numbers: 2 to 10 letters or digits starting with a letter, upper-cased."},
			"name": name,
		}, "client_id", "key", "name"),
		"SpacePatch":   schemaInput("A space's new name.", jsonObject{"name": name}, "name"),
		"NewProject":   schemaInput("A project to add.", jsonObject{"name": name}, "name"),
		"ProjectPatch": schemaInput("A project's new name.", jsonObject{"name": name}, "name"),
		"NewMember": func() jsonObject {
			s := schemaInput("The user to add, by id or by email.", jsonObject{
				"user_id": schemaID("The user; takes precedence over email."),
				"email":   jsonObject{"type": "string", "description": "The user's email address, whatever its case."},
			})
			s["anyOf"] = []jsonObject{{"required": []string{"user_id"}}, {"required": []string{"email"}}}
			return s
		}(),
		"NewToken": schemaInput("An API token to create.", jsonObject{
			"name":    name,
			"user_id": schemaID("Administrators only: the user the token acts as; the caller when left out."),
			"expires_in_days": jsonObject{"type": "integer", "minimum": 1, "maximum": 366, "default": 90,
				"description": "How many days the token works."},
		}, "name"),

		"Problem": schemaObject("An RFC 9457 problem document.", jsonObject{
			"type": jsonObject{"type": "string", "format": "uri",
				"description": "urn:guichet:problem: followed by the code."},
			"title":    jsonObject{"type": "string", "description": "The HTTP status text."},
			"status":   jsonObject{"type": "integer", "description": "The HTTP status."},
			"detail":   jsonObject{"type": "string", "description": "What went wrong, safe to show."},
			"instance": jsonObject{"type": "string", "format": "uri-reference", "description": "The request's path."},
			"code": jsonObject{"type": "string", "description": "Stable: invalid (422), not_found (404), " +
				"conflict (409), forbidden (403), unauthenticated (401), too_large (413), rate_limited (429), internal (500).",
				"enum": []string{string(desk.Invalid), string(desk.NotFound), string(desk.Conflict), string(desk.Forbidden),
					string(desk.Unauthenticated), string(desk.TooLarge), string(desk.RateLimited), string(desk.Internal)}},
			"errors":     jsonObject{"type": "array", "items": schemaRef("FieldProblem")},
			"request_id": jsonObject{"type": "string", "description": "The X-Request-Id of the request; quote it when asking for help."},
		}, "type", "title", "status", "code"),
		"FieldProblem": schemaObject("What is wrong with one field.", jsonObject{
			"field":  jsonObject{"type": "string"},
			"reason": jsonObject{"type": "string"},
		}, "field", "reason"),
	}
}

func schemaRef(name string) jsonObject { return jsonObject{"$ref": "#/components/schemas/" + name} }

func schemaID(description string) jsonObject {
	return jsonObject{"type": "integer", "format": "int64", "minimum": 1, "description": description}
}

// schemaObject describes an answer's object; answers may gain fields over time.
func schemaObject(description string, properties jsonObject, required ...string) jsonObject {
	s := jsonObject{"type": "object", "description": description, "properties": properties}
	if len(required) > 0 {
		s["required"] = required
	}
	return s
}

// schemaInput describes a request body: unknown fields are refused.
func schemaInput(description string, properties jsonObject, required ...string) jsonObject {
	s := schemaObject(description, properties, required...)
	s["additionalProperties"] = false
	return s
}

// schemaList describes the envelope of a list of items.
func schemaList(item string) jsonObject {
	return schemaObject("A page of a list of "+item+" objects.", jsonObject{
		"items": jsonObject{"type": "array", "items": schemaRef(item)},
		"next_cursor": jsonObject{"type": "string",
			"description": "Present when the page is full: pass it as `cursor` to get the next page."},
	}, "items")
}
