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
// the server URL, /api/v1, and each {name} in them is described in the parameters
// component: an integer id, or a ticket reference for {ref}. Some problem answers
// are implied and not listed in errors: 401 unless the operation is public, 404
// when the path holds an id, 413 and 422 when there is a body, 422 on lists (a bad
// limit, cursor or filter).
type apiOperation struct {
	method, path string
	id           string // operationId
	tag          string
	summary      string
	description  string   // the rules a caller needs to know
	list         bool     // takes ?limit= and ?cursor=
	query        []string // further query parameters, by component name
	body         string   // application/json request body schema, by component name
	multipart    string   // multipart/form-data request body schema, by component name
	download     bool     // the success answer is the raw content of a file
	status       int      // the status of success
	result       string   // response body schema, by component name; "" for none
	errors       []int    // further problem statuses the operation may answer
	public       bool     // needs no credentials
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
	{method: "GET", path: "/me/notifications", id: "listNotifications", tag: "me", list: true,
		summary: "One's notifications", status: 200, result: "NotificationList",
		description: "The caller's own notifications (objective warnings and breaches of the tickets " +
			"they are assigned to or manage the account of), newest first, with the number of unread " +
			"ones (at most 100: 100 means 100 or more). A notification about a ticket the caller can " +
			"no longer see is left out of both. Each names the ticket by reference and title only."},
	{method: "POST", path: "/me/notifications/read", id: "markNotificationsRead", tag: "me",
		summary: "Mark notifications read", body: "NotificationsRead", status: 204,
		description: "Marks the caller's notifications of `ids` read, or all of them when `ids` is " +
			"absent or empty (at most 200 ids). Ids of other people's notifications change nothing."},

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
		summary: "Rename a space or change its settings", body: "SpacePatch", status: 200, result: "Space", errors: []int{403},
		description: "Administrators only. Fields left out keep their value. The key cannot change."},

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

	{method: "GET", path: "/tickets", id: "listTickets", tag: "tickets", list: true, query: ticketFilters(true),
		summary: "List tickets", status: 200, result: "TicketList", errors: []int{404},
		description: "The tickets the caller may see, filtered and ordered: every ticket for provider staff " +
			"(the agents' queue); for client users, the tickets of their spaces; for a partner's users, the " +
			"read-only view of the client spaces they belong to. A `security` ticket is listed only to " +
			"provider staff, its author and the client's security officers. `priority` is present only for " +
			"provider staff, who alone may filter by it (422 otherwise); for anyone else `sort=priority` " +
			"orders by criticality. Pages follow the chosen order: pass `next_cursor` back with the same " +
			"filters, `sort` and `order`. There are no totals. Items leave out `description`, " +
			"`description_html` and `log_excerpt` (empty) and `actions`."},
	{method: "GET", path: "/spaces/{space_id}/tickets", id: "listSpaceTickets", tag: "tickets", list: true,
		query: ticketFilters(false), summary: "List a space's tickets", status: 200, result: "TicketList",
		description: "As `GET /tickets?space_id=`, for one space the caller sees (404 otherwise)."},
	{method: "POST", path: "/spaces/{space_id}/tickets", id: "createTicket", tag: "tickets",
		summary: "Open a ticket", body: "NewTicket", multipart: "NewTicketForm", status: 201, result: "Ticket",
		errors: []int{403},
		description: "A contact of the space opens a ticket; provider staff open one on a contact's behalf " +
			"and name them in `author_id` (ignored for anyone else). Other client users (a contract manager, " +
			"a DPO without the contact role) and partner users, whose view is read-only, get 403. Send " +
			"`application/json`, or `multipart/form-data` with one `json` part (the same object) and " +
			"`files` parts, one per attachment. The ticket gets the next number of its space, without gaps " +
			"(`ref` SUP-1042), status `open`, and the internal priority its criticality implies " +
			"(blocking P1, serious P2, annoying P3, minor P4). A `security` ticket is always `blocking` and " +
			"visible only to provider staff, its author and the client's security officers. An `anomaly` " +
			"needs the diagnostic file `status.xml` among its files when the space requires it " +
			"(`require_diagnostic`, the default): 422 naming `files` otherwise. An empty file answers 422, " +
			"a file over the upload limit (25 MiB by default) 413; then nothing is created. File names " +
			"are kept without their directories or unsafe characters."},
	{method: "GET", path: "/spaces/{space_id}/tickets/similar", id: "similarTickets", tag: "tickets",
		query: []string{"similar_q"}, summary: "Earlier tickets like the one being written", status: 200,
		result: "TicketList",
		description: "Up to 10 tickets of the space whose title contains every word of `q`, newest first, " +
			"among those the caller may see: shown before a new ticket is submitted. `priority` is present " +
			"only for provider staff."},
	{method: "GET", path: "/tickets/{ticket_id}", id: "getTicket", tag: "tickets",
		query: []string{"include", "limit", "cursor"}, summary: "Get a ticket", status: 200, result: "Ticket",
		errors: []int{422},
		description: "One ticket, its description rendered as safe HTML, and `actions`: the workflow " +
			"actions the caller may take now. A ticket the caller may not see answers 404: another " +
			"tenant's, or a `security` ticket for anyone but provider staff, its author and the client's " +
			"security officers. `priority` is present only for provider staff. `include=comments,events` " +
			"adds a page of its comments (`limit`, `cursor`, as `GET /tickets/{ticket_id}/comments` " +
			"lists them) and its history (as `GET /tickets/{ticket_id}/events`): a ticket's page in one " +
			"request."},
	{method: "GET", path: "/refs/{ref}", id: "getTicketByRef", tag: "tickets",
		summary: "Get a ticket by its reference", status: 200, result: "Ticket",
		description: "As `GET /tickets/{ticket_id}`, for a reference such as SUP-1042."},
	{method: "PATCH", path: "/tickets/{ticket_id}", id: "updateTicket", tag: "tickets",
		summary: "Change a ticket's fields", body: "TicketPatch", status: 200, result: "Ticket",
		errors: []int{403, 409},
		description: "The author and provider staff change a ticket (403 for anyone else who sees it). The " +
			"author changes the title, project, criticality and versions; provider staff also the internal " +
			"`priority`, the category and the keywords (422 naming the field for the author). When " +
			"support sets a priority other than the one the criticality implies, the ticket is flagged " +
			"`criticality_under_discussion` until the author or support settles it with " +
			"`settle_criticality_dispute`, or the two agree again. A `security` ticket stays `blocking`. " +
			"Each change is an event of the history; those about the priority are private to provider " +
			"staff. A closed ticket never changes (409)."},
	{method: "POST", path: "/tickets/{ticket_id}/transitions", id: "transitionTicket", tag: "tickets",
		summary: "Take a workflow action", body: "TransitionRequest", status: 200, result: "Ticket",
		errors: []int{403, 409},
		description: "Moves the ticket along the workflow. Who may take each action: `await_client` " +
			"(open → awaiting_client), `submit_to_rd` (open → awaiting_rd_decision, evolutions only), " +
			"`await_delivery` (open → awaiting_delivery, with `rd_issue`) and `propose_closing` (open → " +
			"to_close, with a `resolution` from `GET /settings/resolutions`): provider staff. `decide` " +
			"(awaiting_rd_decision → awaiting_delivery for `accepted_planned`, with `target_version`, or " +
			"`accepted_backlog`; → closed for `not_retained`, or `interesting_not_retained` with " +
			"`decision_note`): the product manager. `reopen` (to_close → open) and `close` (to_close → " +
			"closed, with an optional `rating` 1–5 and `rating_comment`): the author only. `reassign` " +
			"(another contact of the space who may see the ticket becomes the author, `new_author_id`): " +
			"the author, an animator of the space, or provider staff. A public comment by a client member " +
			"brings an awaiting_client ticket back to open by itself. An action that is not possible now, " +
			"or not for this caller, answers 409 with the reason; a missing or bad field 422; a partner's " +
			"read-only view 403. A closed ticket never changes. `actions` on the ticket lists what the " +
			"caller may do now; `reason` is recorded in the event."},
	{method: "PUT", path: "/tickets/{ticket_id}/assignment", id: "assignTicket", tag: "tickets",
		summary: "Assign a ticket", body: "Assignment", status: 200, result: "Ticket", errors: []int{403, 409},
		description: "Provider staff only (403 for anyone else who sees the ticket): sets the level-2 " +
			"agent (any member of the provider's staff) and the level-3 engineer (a user with the " +
			"engineer role); 0 removes, a field left out keeps its value. A closed ticket never changes (409)."},
	{method: "GET", path: "/tickets/{ticket_id}/comments", id: "listComments", tag: "comments", list: true,
		summary: "List a ticket's comments", status: 200, result: "CommentList",
		description: "Oldest first. Private comments are listed to provider staff only."},
	{method: "POST", path: "/tickets/{ticket_id}/comments", id: "createComment", tag: "comments",
		summary: "Comment on a ticket", body: "NewComment", multipart: "NewCommentForm", status: 201,
		result: "Comment", errors: []int{403, 409},
		description: "Provider staff and the client users of the ticket's space comment, whatever their " +
			"role; a partner's view is read-only (403). `application/json`, or `multipart/form-data` " +
			"with a `json` part and `files` parts (files over the upload limit: 413). Only provider staff " +
			"write `private` comments (422 naming `private` for anyone else); they, their attachments and " +
			"their events are shown to provider staff only. `@email` mentions must name people who can " +
			"see the comment (422 naming `body` otherwise). A public comment by a client member moves an " +
			"awaiting_client ticket back to open (an automatic `resume` event). A closed ticket takes no " +
			"comment (409): open a new ticket that refers to it."},
	{method: "POST", path: "/comments/{comment_id}/likes", id: "likeComment", tag: "comments",
		summary: "Recommend a comment", status: 200, result: "Comment", errors: []int{403, 409},
		description: "Once per person (409 the second time), never one's own comment (409). A partner's " +
			"view is read-only (403); a private comment is not found for anyone but provider staff."},
	{method: "GET", path: "/tickets/{ticket_id}/attachments", id: "listAttachments", tag: "attachments",
		summary: "List a ticket's attachments", status: 200, result: "AttachmentList",
		description: "The files of the ticket and of its comments, those of private comments for provider " +
			"staff only."},
	{method: "POST", path: "/tickets/{ticket_id}/attachments", id: "createAttachments", tag: "attachments",
		summary: "Attach files to a ticket", multipart: "AttachmentForm", status: 201, result: "AttachmentList",
		errors: []int{403, 409},
		description: "`multipart/form-data` with one `files` part per file. Provider staff and the client " +
			"users of the space attach files; a partner's view is read-only (403). A file over the upload " +
			"limit (25 MiB by default) answers 413 and an empty file 422: then nothing is attached. Names " +
			"are kept without directories or unsafe characters. A closed ticket takes no file (409). " +
			"Answers with every attachment of the ticket the caller sees."},
	{method: "GET", path: "/attachments/{attachment_id}", id: "downloadAttachment", tag: "attachments",
		summary: "Download an attachment", status: 200, download: true,
		description: "The file itself, always as `application/octet-stream` with `Content-Disposition: " +
			"attachment` and `X-Content-Type-Options: nosniff`, whatever type it claims. An attachment of a " +
			"ticket the caller may not see, or of a private comment for anyone but provider staff, answers 404."},
	{method: "GET", path: "/tickets/{ticket_id}/events", id: "listEvents", tag: "tickets",
		summary: "A ticket's history", status: 200, result: "EventList",
		description: "Every change to the ticket, oldest first: who, when, what (`data`: before and after " +
			"values, the action and its fields…). Events are never changed or deleted, and each carries " +
			"the hash of the one before it (`prev_hash`), so that a rewritten history shows. Private " +
			"events (private comments and their files, the internal priority) are listed to provider " +
			"staff only; the others then see gaps in `seq`."},
	{method: "GET", path: "/settings/resolutions", id: "getResolutions", tag: "settings",
		summary: "The resolution types", status: 200, result: "Resolutions",
		description: "The resolution types `propose_closing` accepts."},
	{method: "PUT", path: "/settings/resolutions", id: "setResolutions", tag: "settings",
		summary: "Replace the resolution types", body: "NewResolutions", status: 200, result: "Resolutions",
		errors: []int{403},
		description: "Administrators only. Names are trimmed and de-duplicated; `no_reply`, which the " +
			"awaiting-client timer uses, is always kept."},

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

// ticketFilters are the query parameters of the ticket lists, with space_id when
// the path does not name the space.
func ticketFilters(withSpace bool) []string {
	var names []string
	if withSpace {
		names = append(names, "filter_space_id")
	}
	return append(names, "filter_project_id", "filter_status", "filter_nature", "filter_criticality",
		"filter_priority", "filter_assignee_id", "filter_author_id", "filter_q", "sort", "order")
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
	if op.body != "" || op.multipart != "" {
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
	for _, name := range op.query {
		params = append(params, jsonObject{"$ref": "#/components/parameters/" + name})
	}
	if op.list {
		params = append(params, jsonObject{"$ref": "#/components/parameters/limit"},
			jsonObject{"$ref": "#/components/parameters/cursor"})
	}
	if len(params) > 0 {
		o["parameters"] = params
	}
	if op.body != "" || op.multipart != "" {
		content := jsonObject{}
		if op.body != "" {
			content["application/json"] = jsonObject{"schema": schemaRef(op.body)}
		}
		if op.multipart != "" {
			// The json part is one JSON object; each files part is one file.
			content["multipart/form-data"] = jsonObject{"schema": schemaRef(op.multipart),
				"encoding": jsonObject{"json": jsonObject{"contentType": "application/json"}}}
		}
		o["requestBody"] = jsonObject{"required": true, "content": content}
	}
	success := jsonObject{"description": http.StatusText(op.status)}
	if op.result != "" {
		success["content"] = jsonObject{"application/json": jsonObject{"schema": schemaRef(op.result)}}
	}
	if op.download {
		success["description"] = "The file's bytes, exactly as uploaded, always as a download."
		success["content"] = jsonObject{"application/octet-stream": jsonObject{
			"schema": jsonObject{"type": "string", "contentMediaType": "application/octet-stream"}}}
		success["headers"] = jsonObject{
			"Content-Disposition": jsonObject{"description": "`attachment; filename=…`, with the attachment's (cleaned) name: browsers save the file, never display it.",
				"schema": jsonObject{"type": "string"}},
			"X-Content-Type-Options": jsonObject{"description": "`nosniff`.", "schema": jsonObject{"type": "string", "const": "nosniff"}},
			"Content-Length":         jsonObject{"description": "The file's size in bytes.", "schema": jsonObject{"type": "integer"}},
			"ETag":                   jsonObject{"description": "The file's SHA-256, in quotes.", "schema": jsonObject{"type": "string"}},
		}
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
	http.StatusConflict: {"Conflict", "The change collides with an existing object (a duplicate name, " +
		"key, email, membership or like; `errors` names the field), or the object's state forbids it: a " +
		"workflow action that is not possible now, or not for this caller, with the reason in `detail`; " +
		"any change to a closed ticket (code `conflict`)."},
	http.StatusRequestEntityTooLarge: {"TooLarge", "A JSON body over 1 MiB (1048576 bytes), or an uploaded " +
		"file over the upload limit: 25 MiB (26214400 bytes) unless the server is configured otherwise. " +
		"Nothing is saved (code `too_large`)."},
	http.StatusUnprocessableEntity: {"Invalid", "The input breaks a rule, and `errors` names the field and " +
		"the reason: a missing or bad value, an unknown field, a wrong JSON type, a body that is not one " +
		"JSON object, a bad `limit`, `cursor` or filter, a missing or empty file (code `invalid`)."},
}

// openAPIDocument builds the whole document.
func openAPIDocument() jsonObject {
	paths := jsonObject{}
	for _, op := range slices.Concat(apiOperations, contractOperations, viewOperations, countOperations) {
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
			{"name": "tickets", "description": "Support requests, their workflow and their history."},
			{"name": "comments", "description": "Public and private messages on tickets."},
			{"name": "attachments", "description": "Files on tickets and comments."},
			{"name": "settings", "description": "Installation settings."},
			{"name": "contracts", "description": "Business calendars and contracts: tiers, objectives, timers."},
			{"name": "views", "description": "Saved views of the ticket list: named filters and orders."},
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
				"org_id":        pathParam("org_id", "The organisation's id."),
				"user_id":       pathParam("user_id", "The user's id."),
				"space_id":      pathParam("space_id", "The space's id."),
				"project_id":    pathParam("project_id", "The project's id."),
				"token_id":      pathParam("token_id", "The token's id."),
				"ticket_id":     pathParam("ticket_id", "The ticket's id."),
				"comment_id":    pathParam("comment_id", "The comment's id."),
				"attachment_id": pathParam("attachment_id", "The attachment's id."),
				"calendar_id":   pathParam("calendar_id", "The calendar's id."),
				"contract_id":   pathParam("contract_id", "The contract's id."),
				"view_id":       pathParam("view_id", "The saved view's id."),
				"ref": jsonObject{"name": "ref", "in": "path", "required": true,
					"description": "A ticket's reference: its space's key, a dash and its number, e.g. SUP-1042 (the key in any case).",
					"schema":      jsonObject{"type": "string", "pattern": "^[A-Za-z][A-Za-z0-9]{1,9}-[1-9][0-9]*$"}},
				"limit": jsonObject{"name": "limit", "in": "query", "required": false,
					"description": "How many items to answer at most.",
					"schema": jsonObject{"type": "integer", "minimum": 1, "maximum": desk.MaxPageSize,
						"default": desk.DefaultPageSize}},
				"cursor": jsonObject{"name": "cursor", "in": "query", "required": false,
					"description": "Where to resume: the `next_cursor` of the previous page, as given. Cursors " +
						"are opaque: do not build or change them.",
					"schema": jsonObject{"type": "string"}},
				"filter_space_id":    queryID("space_id", "Only the tickets of this space; a space the caller may not see answers 404."),
				"filter_project_id":  queryID("project_id", "Only the tickets of this project."),
				"filter_assignee_id": queryID("assignee_id", "Only the tickets assigned to this agent."),
				"filter_author_id":   queryID("author_id", "Only the tickets this user wrote (or was made the author of)."),
				"filter_status": jsonObject{"name": "status", "in": "query", "required": false,
					"description": "Only the tickets in these statuses: repeat the parameter or give a " +
						"comma-separated list (`status=open,to_close`).",
					"style": "form", "explode": true,
					"schema": jsonObject{"type": "array", "items": schemaRef("Status")}},
				"filter_nature": jsonObject{"name": "nature", "in": "query", "required": false,
					"description": "Only the tickets of this nature.", "schema": schemaRef("Nature")},
				"filter_criticality": jsonObject{"name": "criticality", "in": "query", "required": false,
					"description": "Only the tickets of this criticality.", "schema": schemaRef("Criticality")},
				"filter_priority": jsonObject{"name": "priority", "in": "query", "required": false,
					"description": "Provider staff only (422 for anyone else): only the tickets of this internal " +
						"priority, 1 to 4 or P1 to P4.",
					"schema": jsonObject{"type": "string", "pattern": "^[Pp]?[1-4]$"}},
				"filter_q": jsonObject{"name": "q", "in": "query", "required": false,
					"description": "Only the tickets whose title contains this text, whatever its case.",
					"schema":      jsonObject{"type": "string", "maxLength": desk.MaxTitleLen}},
				"sort": jsonObject{"name": "sort", "in": "query", "required": false,
					"description": "The order: `priority` (internal priority, then age; the default for provider " +
						"staff), `created`, `updated`, `status`, `nature`, `criticality` (then age; the default, and " +
						"what `priority` means, for everyone else), `assignee`, `number` (creation order), `deadline` (the nearest objective due first; tickets without one last). Ties are " +
						"broken by creation time, then id.",
					"schema": jsonObject{"type": "string", "enum": []string{"priority", "created", "updated", "status",
						"nature", "criticality", "assignee", "number", "deadline"}}},
				"order": jsonObject{"name": "order", "in": "query", "required": false,
					"description": "The direction of the order.",
					"schema":      jsonObject{"type": "string", "enum": []string{"asc", "desc"}, "default": "asc"}},
				"view_counts": jsonObject{"name": "counts", "in": "query", "required": false,
					"description": "Whether each view comes with its figure.",
					"schema":      jsonObject{"type": "boolean", "default": false}},
				"include": jsonObject{"name": "include", "in": "query", "required": false,
					"description": "What to add below the ticket, separated by commas: `comments` (a page of them, " +
						"with `limit` and `cursor`), `events` (its history). Anything else answers 422 naming `include`.",
					"schema": jsonObject{"type": "string", "examples": []string{"comments,events"}}},
				"similar_q": jsonObject{"name": "q", "in": "query", "required": false,
					"description": "Words of the title being written: tickets whose title contains every word " +
						"(at most 10 taken) match. Under 3 characters, the answer is empty.",
					"schema": jsonObject{"type": "string"}},
			},
			"responses": responses,
			"schemas":   withCountSchemas(withViewSchemas(withContractSchemas(apiSchemas()))),
		},
	}
}

// apiDescription is what every caller should know.
const apiDescription = `Guichet's JSON API: the parties of a support desk (organisations, users, spaces,
projects, members), API tokens, and tickets with their workflow, comments, attachments and history.

**Credentials.** Send an API token, ` + "`Authorization: Bearer gch_…`" + `, or the session cookie of
the web interface. A bad, expired or revoked token answers 401: it never falls back to anonymous.
With the cookie, requests that change something must come from Guichet's own origin.

**Visibility.** What a caller sees follows from their organisation, roles and space memberships.
An object they may not see, such as another tenant's space, project, user, organisation, ticket,
comment or attachment, answers 404 exactly like one that does not exist. A security ticket is seen
only by provider staff, its author and the client's security officers; private comments, and the
internal priority of tickets, only by provider staff. A partner's users read the tickets of the
client spaces they belong to, and change nothing (403).

**Lists** are paginated by key (a cursor), in ascending order of id (of user id for members; tickets
in the order their ` + "`sort`" + ` and ` + "`order`" + ` choose): ask for up to ` + "`limit`" + `
items (1 to 200, 50 by default) and pass a page's ` + "`next_cursor`" + ` as ` + "`cursor`" + ` to get the
next one. Cursors are opaque. A page has a ` + "`next_cursor`" + ` only when it is full, and the next page
may then be empty. There are no totals.

**Bodies** are one JSON object (` + "`Content-Type: application/json`" + `). Unknown fields are
refused (422), and so are bodies over 1 MiB (413). Files are sent as ` + "`multipart/form-data`" + `:
a ` + "`json`" + ` part holding the object, and one ` + "`files`" + ` part per file; a file over the upload limit
(25 MiB by default) answers 413, and nothing is saved.

**Errors** are RFC 9457 problem documents (` + "`application/problem+json`" + `) with a stable
` + "`code`" + ` and, when a field is at fault, ` + "`errors`" + `. Every answer carries an
` + "`X-Request-Id`" + ` header, repeated in problems as ` + "`request_id`" + `; send one to trace a request.

**Times** are RFC 3339 instants in UTC; dates are written YYYY-MM-DD.`

func queryID(name, description string) jsonObject {
	return jsonObject{"name": name, "in": "query", "required": false, "description": description,
		"schema": jsonObject{"type": "integer", "format": "int64", "minimum": 1}}
}

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
	files := jsonObject{"type": "array", "description": "One part per file, each with its file name.",
		"items": jsonObject{"type": "string", "contentMediaType": "application/octet-stream"}}
	var statuses, natures, criticalities, actions, eventKinds []string
	for _, x := range desk.Statuses {
		statuses = append(statuses, string(x))
	}
	for _, x := range desk.Natures {
		natures = append(natures, string(x))
	}
	for _, x := range desk.Criticalities {
		criticalities = append(criticalities, string(x))
	}
	for _, row := range desk.Workflow {
		if row.Who != desk.WhoAutomatic {
			actions = append(actions, string(row.Action))
		}
	}
	for _, k := range []desk.EventKind{desk.EvCreated, desk.EvTransition, desk.EvFieldChange, desk.EvAssigned,
		desk.EvCommented, desk.EvAttached, desk.EvReassigned, desk.EvLiked, desk.EvImported, desk.EvSLOWarning, desk.EvSLOBreach} {
		eventKinds = append(eventKinds, string(k))
	}

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
			"name": name,
			"require_diagnostic": jsonObject{"type": "boolean",
				"description": "Whether an anomaly must come with the diagnostic file status.xml (the contract's choice)."},
			"created_at": instant,
		}, "id", "client_id", "key", "name", "require_diagnostic", "created_at"),
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
		"Status": jsonObject{"type": "string", "enum": statuses,
			"description": "Where a ticket stands: open (support works on it), awaiting_client (support needs " +
				"details), awaiting_rd_decision (an evolution waits for the product manager), awaiting_delivery " +
				"(waits for a release), to_close (solved for support; the author confirms or reopens), closed (final)."},
		"Nature": jsonObject{"type": "string", "enum": natures,
			"description": "What a ticket is about. Security tickets are always blocking, and visible only to " +
				"provider staff, their author and the client's security officers."},
		"Criticality": jsonObject{"type": "string", "enum": criticalities,
			"description": "The client's view of the impact: blocking (production does not work), serious, " +
				"annoying (a workaround exists), minor."},
		"Priority": jsonObject{"type": "integer", "minimum": 1, "maximum": 4,
			"description": "Support's internal priority, 1 (P1) to 4 (P4). Shown to provider staff only."},
		"Action": jsonObject{"type": "string", "enum": actions,
			"description": "A workflow action a person may take; see `POST /tickets/{ticket_id}/transitions`."},
		"Decision": jsonObject{"type": "string", "enum": []string{string(desk.NotRetained),
			string(desk.InterestingNotRetained), string(desk.AcceptedBacklog), string(desk.AcceptedPlanned)},
			"description": "The product manager's answer to an evolution request."},
		"Channel": jsonObject{"type": "string", "enum": []string{string(desk.Web), string(desk.API),
			string(desk.Email), string(desk.Phone)}, "description": "How the ticket arrived."},
		"Keywords": jsonObject{"type": "array", "maxItems": desk.MaxKeywords,
			"items":       jsonObject{"type": "string", "maxLength": desk.MaxKeywordLen},
			"description": "Trimmed, lower-cased, without duplicates."},

		"Ticket": schemaObject("A support request.", jsonObject{
			"id":          schemaID("The ticket's id."),
			"ref":         jsonObject{"type": "string", "description": "The human reference: the space's key and the ticket's number in it, e.g. SUP-1042."},
			"space_id":    schemaID("The space the ticket belongs to."),
			"number":      jsonObject{"type": "integer", "minimum": 1, "description": "The ticket's number in its space: 1, 2, 3… without gaps."},
			"project_id":  schemaID("The project, when there is one."),
			"title":       shortText(desk.MaxTitleLen, "The title."),
			"nature":      schemaRef("Nature"),
			"criticality": schemaRef("Criticality"),
			"priority": jsonObject{"$ref": "#/components/schemas/Priority",
				"description": "Support's internal priority: present for provider staff only, never for client or partner users."},
			"criticality_under_discussion": jsonObject{"type": "boolean",
				"description": "Raised while the internal priority and the criticality disagree, until the author or support settles it."},
			"category":        shortText(desk.MaxShortFieldLen, "From the contract's service catalogue; set by support."),
			"keywords":        schemaRef("Keywords"),
			"product_version": shortText(desk.MaxShortFieldLen, "The product version concerned."),
			"module_versions": shortText(desk.MaxModuleVersions, "The versions of the modules concerned."),
			"description":     shortText(desk.MaxTextLen, "Markdown; empty in lists."),
			"description_html": jsonObject{"type": "string",
				"description": "The description rendered as sanitised HTML: no scripts, event handlers or javascript: links. Empty in lists."},
			"log_excerpt":    shortText(desk.MaxLogExcerptLen, "A log excerpt or stack trace; empty in lists."),
			"channel":        schemaRef("Channel"),
			"author_id":      schemaID("The client contact the ticket belongs to; reassign changes it."),
			"assignee_id":    schemaID("The level-2 agent, when assigned."),
			"engineer_id":    schemaID("The level-3 engineer, when assigned."),
			"status":         schemaRef("Status"),
			"resolution":     shortText(desk.MaxShortFieldLen, "How it was solved, once support proposes closing."),
			"rd_issue":       shortText(desk.MaxShortFieldLen, "The linked R&D issue."),
			"decision":       schemaRef("Decision"),
			"decision_note":  shortText(desk.MaxTextLen, "The product manager's explanation."),
			"target_version": shortText(desk.MaxShortFieldLen, "The version an accepted, planned evolution ships in."),
			"rating":         jsonObject{"type": "integer", "minimum": 1, "maximum": 5, "description": "The author's satisfaction when closing, if given."},
			"rating_comment": shortText(desk.MaxShortFieldLen*20, "The author's comment when closing."),
			"created_at":     instant,
			"updated_at":     instant,
			"closed_at":      jsonObject{"type": []string{"string", "null"}, "format": "date-time"},
			"actions": jsonObject{"type": "array", "items": schemaRef("Action"),
				"description": "The workflow actions the caller may take now. In answers about one ticket only; absent when there is none."},
			"objectives": jsonObject{"type": "array", "items": schemaRef("Objective"),
				"description": "The response-time objectives of the ticket's contract, computed from its history; for a closed ticket, the figures of the rules that applied when it closed. In answers about one ticket only; absent when no clock runs (no contract, or a channel the contract does not count)."},
			"stale": jsonObject{"$ref": "#/components/schemas/Stale",
				"description": "For the author and provider staff, on an open ticket without public news from support for longer than the contract allows for its priority."},
			"comments": jsonObject{"$ref": "#/components/schemas/CommentList",
				"description": "With `include=comments` only: the page of comments the caller may see, as `GET /tickets/{ticket_id}/comments` gives it."},
			"events": jsonObject{"$ref": "#/components/schemas/EventList",
				"description": "With `include=events` only: the history the caller may see, as `GET /tickets/{ticket_id}/events` gives it."},
		}, "id", "ref", "space_id", "number", "title", "nature", "criticality", "criticality_under_discussion",
			"category", "keywords", "product_version", "module_versions", "description", "description_html",
			"log_excerpt", "channel", "author_id", "status", "created_at", "updated_at", "closed_at"),
		"Comment": schemaObject("A message on a ticket.", jsonObject{
			"id":         schemaID("The comment's id."),
			"ticket_id":  schemaID("The ticket."),
			"author_id":  schemaID("Who wrote it."),
			"body":       shortText(desk.MaxTextLen, "Markdown."),
			"body_html":  jsonObject{"type": "string", "description": "The body rendered as sanitised HTML."},
			"private":    jsonObject{"type": "boolean", "description": "Written by and shown to provider staff only."},
			"mentions":   jsonObject{"type": "array", "items": jsonObject{"type": "integer", "format": "int64"}, "description": "The ids of the users mentioned as @email."},
			"likes":      jsonObject{"type": "integer", "minimum": 0, "description": "How many people recommend it."},
			"created_at": instant,
		}, "id", "ticket_id", "author_id", "body", "body_html", "private", "mentions", "likes", "created_at"),
		"Attachment": schemaObject("A file on a ticket or on one of its comments.", jsonObject{
			"id":           schemaID("The attachment's id."),
			"ticket_id":    schemaID("The ticket."),
			"comment_id":   schemaID("The comment it came with, if any."),
			"name":         jsonObject{"type": "string", "description": "The file's name, without directories or unsafe characters."},
			"content_type": jsonObject{"type": "string", "description": "The type the uploader claimed; downloads are always application/octet-stream."},
			"size":         jsonObject{"type": "integer", "minimum": 1, "description": "In bytes."},
			"sha256":       jsonObject{"type": "string", "pattern": "^[0-9a-f]{64}$", "description": "The SHA-256 of the content, in hex."},
			"uploader_id":  schemaID("Who attached it."),
			"created_at":   instant,
			"url":          jsonObject{"type": "string", "format": "uri-reference", "description": "Where to download it."},
		}, "id", "ticket_id", "name", "content_type", "size", "sha256", "uploader_id", "created_at", "url"),
		"Event": schemaObject("One entry of a ticket's history, never changed or deleted.", jsonObject{
			"seq":      jsonObject{"type": "integer", "minimum": 1, "description": "1, 2, 3… per ticket; private events leave gaps for those who do not see them."},
			"actor_id": schemaID("Who did it; absent for automatic events (a comment that resumes a ticket, timers)."),
			"at":       instant,
			"kind": jsonObject{"type": "string", "enum": eventKinds,
				"description": "What happened."},
			"data": jsonObject{"type": "object",
				"description": "The details: before and after values (`field`, `before`, `after`), the action and its fields, the comment or attachment id…"},
			"hash":      jsonObject{"type": "string", "pattern": "^[0-9a-f]{64}$", "description": "SHA-256 of the event's content and of prev_hash, in hex."},
			"prev_hash": jsonObject{"type": "string", "pattern": "^[0-9a-f]{64}$", "description": "The hash of the event before it; absent for the first."},
		}, "seq", "at", "kind", "data", "hash"),
		"Resolutions": schemaObject("The resolution types in force.", jsonObject{
			"resolutions": jsonObject{"type": "array", "items": jsonObject{"type": "string"}},
		}, "resolutions"),

		"TicketList":     schemaList("Ticket"),
		"CommentList":    schemaList("Comment"),
		"AttachmentList": schemaObject("Every attachment, in one answer.", jsonObject{"items": jsonObject{"type": "array", "items": schemaRef("Attachment")}}, "items"),
		"EventList":      schemaObject("The whole history, in one answer.", jsonObject{"items": jsonObject{"type": "array", "items": schemaRef("Event")}}, "items"),

		"NewTicket": func() jsonObject {
			s := schemaInput("A ticket to open.", jsonObject{
				"project_id":      schemaID("A project of the space."),
				"title":           shortText(desk.MaxTitleLen, "Required."),
				"nature":          schemaRef("Nature"),
				"criticality":     jsonObject{"$ref": "#/components/schemas/Criticality", "description": "Required, except for security tickets, which are always blocking."},
				"category":        shortText(desk.MaxShortFieldLen, ""),
				"keywords":        schemaRef("Keywords"),
				"product_version": shortText(desk.MaxShortFieldLen, ""),
				"module_versions": shortText(desk.MaxModuleVersions, ""),
				"description":     shortText(desk.MaxTextLen, "Markdown."),
				"log_excerpt":     shortText(desk.MaxLogExcerptLen, ""),
				"channel":         jsonObject{"$ref": "#/components/schemas/Channel", "description": "api by default."},
				"author_id":       schemaID("Provider staff only, and then required: the contact of the space the ticket is opened for."),
			}, "title", "nature")
			s["if"] = jsonObject{"properties": jsonObject{"nature": jsonObject{"const": string(desk.Security)}}}
			s["else"] = jsonObject{"required": []string{"criticality"}}
			return s
		}(),
		"NewTicketForm": schemaObject("A ticket to open, with files.", jsonObject{
			"json":  schemaRef("NewTicket"),
			"files": files,
		}, "json"),
		"TicketPatch": schemaInput("The fields to change; those left out keep their value.", jsonObject{
			"title":       shortText(desk.MaxTitleLen, ""),
			"project_id":  jsonObject{"type": "integer", "format": "int64", "minimum": 0, "description": "A project of the space; 0 for none."},
			"criticality": schemaRef("Criticality"),
			"priority": jsonObject{"$ref": "#/components/schemas/Priority",
				"description": "Provider staff only. Raises criticality_under_discussion when it differs from what the criticality implies."},
			"settle_criticality_dispute": jsonObject{"type": "boolean", "default": false,
				"description": "The author or support accepts the current priority: lowers criticality_under_discussion."},
			"category":        jsonObject{"type": "string", "maxLength": desk.MaxShortFieldLen, "description": "Provider staff only."},
			"keywords":        jsonObject{"$ref": "#/components/schemas/Keywords", "description": "Provider staff only."},
			"product_version": shortText(desk.MaxShortFieldLen, ""),
			"module_versions": shortText(desk.MaxModuleVersions, ""),
		}),
		"TransitionRequest": func() jsonObject {
			s := schemaInput("A workflow action and the fields it needs; fields another action needs are ignored.", jsonObject{
				"action":         schemaRef("Action"),
				"resolution":     jsonObject{"type": "string", "description": "propose_closing: required, one of GET /settings/resolutions."},
				"rd_issue":       shortText(desk.MaxShortFieldLen, "await_delivery: required, the R&D issue fixing it."),
				"decision":       jsonObject{"$ref": "#/components/schemas/Decision", "description": "decide: required."},
				"decision_note":  shortText(desk.MaxTextLen, "decide: the explanation, required for interesting_not_retained."),
				"target_version": shortText(desk.MaxShortFieldLen, "decide: required for accepted_planned."),
				"rating":         jsonObject{"type": "integer", "minimum": 1, "maximum": 5, "description": "close: the author's satisfaction, optional."},
				"rating_comment": shortText(desk.MaxShortFieldLen*20, "close: optional."),
				"new_author_id":  schemaID("reassign: required, a contact of the space who may see the ticket."),
				"reason":         jsonObject{"type": "string", "description": "Optional, recorded in the event."},
			}, "action")
			when := func(action string, required ...string) jsonObject {
				return jsonObject{"if": jsonObject{"properties": jsonObject{"action": jsonObject{"const": action}}},
					"then": jsonObject{"required": required}}
			}
			s["allOf"] = []jsonObject{
				when(string(desk.ProposeClosing), "resolution"),
				when(string(desk.AwaitDelivery), "rd_issue"),
				when(string(desk.Decide), "decision"),
				when(string(desk.Reassign), "new_author_id"),
				{"if": jsonObject{"properties": jsonObject{"action": jsonObject{"const": string(desk.Decide)},
					"decision": jsonObject{"const": string(desk.AcceptedPlanned)}}, "required": []string{"action", "decision"}},
					"then": jsonObject{"required": []string{"target_version"}}},
				{"if": jsonObject{"properties": jsonObject{"action": jsonObject{"const": string(desk.Decide)},
					"decision": jsonObject{"const": string(desk.InterestingNotRetained)}}, "required": []string{"action", "decision"}},
					"then": jsonObject{"required": []string{"decision_note"}}},
			}
			return s
		}(),
		"Assignment": schemaInput("Who works on the ticket; a field left out keeps its value, 0 removes.", jsonObject{
			"assignee_id": jsonObject{"type": "integer", "format": "int64", "minimum": 0, "description": "A member of the provider's staff."},
			"engineer_id": jsonObject{"type": "integer", "format": "int64", "minimum": 0, "description": "A level-3 engineer."},
		}),
		"NewComment": schemaInput("A comment.", jsonObject{
			"body": shortText(desk.MaxTextLen, "Markdown; required unless files come with it. @email mentions must name people who can see the comment."),
			"private": jsonObject{"type": "boolean", "default": false,
				"description": "Provider staff only: shown to provider staff only."},
		}),
		"NewCommentForm": schemaObject("A comment with files.", jsonObject{
			"json":  schemaRef("NewComment"),
			"files": files,
		}, "json"),
		"AttachmentForm": schemaObject("Files to attach.", jsonObject{"files": files}, "files"),
		"NewResolutions": schemaInput("The new list of resolution types.", jsonObject{
			"resolutions": jsonObject{"type": "array", "minItems": 1,
				"items": jsonObject{"type": "string", "minLength": 1, "maxLength": desk.MaxShortFieldLen}},
		}, "resolutions"),

		"OrganisationList": schemaList("Organisation"),
		"UserList":         schemaList("User"),
		"SpaceList":        schemaList("Space"),
		"ProjectList":      schemaList("Project"),
		"MembershipList":   schemaList("Membership"),
		"TokenList":        schemaList("Token"),

		"Notification": schemaObject("An in-app notification: what happened to which ticket, and when.", jsonObject{
			"id":           jsonObject{"type": "integer"},
			"kind":         jsonObject{"type": "string", "enum": []string{"slo_warning", "slo_breach"}},
			"ticket_id":    jsonObject{"type": "integer"},
			"ticket_ref":   jsonObject{"type": "string", "description": "The ticket's reference, e.g. SUP-1042."},
			"ticket_title": jsonObject{"type": "string"},
			"created_at":   jsonObject{"type": "string", "format": "date-time"},
			"read_at":      jsonObject{"type": []string{"string", "null"}, "format": "date-time"},
		}, "id", "kind", "ticket_id", "ticket_ref", "ticket_title", "created_at", "read_at"),
		"NotificationList": schemaObject("A page of the caller's notifications.", jsonObject{
			"items": jsonObject{"type": "array", "items": schemaRef("Notification")},
			"next_cursor": jsonObject{"type": "string",
				"description": "Present when the page is full: pass it as `cursor` to get the next page."},
			"unread": jsonObject{"type": "integer", "maximum": 100,
				"description": "Unread notifications, counted up to 100 (100 means 100 or more)."},
		}, "items", "unread"),
		"NotificationsRead": schemaInput("The notifications to mark read.", jsonObject{
			"ids": jsonObject{"type": "array", "items": jsonObject{"type": "integer"}, "maxItems": 200,
				"description": "Absent or empty: all of the caller's notifications."},
		}),
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
			"require_diagnostic": jsonObject{"type": "boolean", "default": true,
				"description": "Whether an anomaly must come with the diagnostic file status.xml."},
		}, "client_id", "key", "name"),
		"SpacePatch": schemaInput("The fields to change; those left out keep their value.", jsonObject{
			"name": name,
			"require_diagnostic": jsonObject{"type": "boolean",
				"description": "Whether an anomaly must come with the diagnostic file status.xml."},
		}),
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

// shortText is a string of at most max characters.
func shortText(max int, description string) jsonObject {
	s := jsonObject{"type": "string", "maxLength": max}
	if description != "" {
		s["description"] = description
	}
	return s
}

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
