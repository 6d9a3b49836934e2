package server_test

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"guichet/internal/app"
	"guichet/internal/desk"
	"guichet/internal/server"
	"guichet/internal/sqlstore"
	"guichet/internal/storetest"
)

// TestTickets checks SPEC §2–3 through the API, on every store: numbering,
// priority, visibility, the workflow, comments, attachments and the history.
func TestTickets(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, st *sqlstore.Store) {
		f := newFixture(t, st, app.Options{})
		t.Run("numbers have no gaps under concurrent creation", func(t *testing.T) { testNumbers(t, f) })
		t.Run("priority follows criticality until support disagrees", func(t *testing.T) { testPriority(t, f) })
		t.Run("security tickets", func(t *testing.T) { testSecurityTickets(t, f) })
		t.Run("the internal priority never reaches clients or partners", func(t *testing.T) { testPriorityHidden(t, f) })
		t.Run("anomalies need the diagnostic file", func(t *testing.T) { testDiagnostic(t, f) })
		t.Run("the workflow from open to closed", func(t *testing.T) { testWorkflow(t, f) })
		t.Run("evolutions and the product manager's decision", func(t *testing.T) { testEvolutions(t, f) })
		t.Run("reassign", func(t *testing.T) { testReassign(t, f) })
		t.Run("private comments", func(t *testing.T) { testPrivateComments(t, f) })
		t.Run("a ticket's page in one request", func(t *testing.T) { testTicketView(t, f) })
		t.Run("mentions", func(t *testing.T) { testMentions(t, f) })
		t.Run("likes", func(t *testing.T) { testLikes(t, f) })
		t.Run("attachments", func(t *testing.T) { testAttachments(t, f) })
		t.Run("markdown is rendered harmless", func(t *testing.T) { testMarkdown(t, f) })
		t.Run("keyset pagination of the queue", func(t *testing.T) { testTicketPages(t, f) })
		t.Run("the history is a hash chain", func(t *testing.T) { testEventChain(t, f) })
	})
}

// obj is a JSON object as the API answers it.
type obj map[string]any

func (o obj) id() int64           { return num(o["id"]) }
func (o obj) str(k string) string { s, _ := o[k].(string); return s }

// num reads a JSON number as an int64 (0 when absent).
func num(v any) int64 {
	n, _ := v.(float64)
	return int64(n)
}

func (f *fixture) spacePath(key string, more ...string) string {
	return fmt.Sprintf("/api/v1/spaces/%d", f.spaces[key]) + strings.Join(more, "")
}

func ticketURL(id int64, more ...string) string {
	return fmt.Sprintf("/api/v1/tickets/%d", id) + strings.Join(more, "")
}

// open opens a ticket in space key as role with a JSON body, and fails the test
// unless it is created.
func (f *fixture) open(t *testing.T, role, key, body string) obj {
	t.Helper()
	w := f.as(role, "POST", f.spacePath(key, "/tickets"), body)
	if w.Code != http.StatusCreated {
		t.Fatalf("%s opens a ticket in %s: status %d; body: %s", role, key, w.Code, trim(w.Body.String()))
	}
	return decodeJSON[obj](t, w)
}

// question opens a question of role (a contact) in space key.
func (f *fixture) question(t *testing.T, role, key, title string) obj {
	t.Helper()
	return f.open(t, role, key, fmt.Sprintf(`{"title": %q, "nature": "question", "criticality": "annoying"}`, title))
}

// get reads ticket id as role and fails the test unless it answers 200.
func (f *fixture) get(t *testing.T, role string, id int64) obj {
	t.Helper()
	w := f.as(role, "GET", ticketURL(id), "")
	if w.Code != http.StatusOK {
		t.Fatalf("%s reads ticket %d: status %d; body: %s", role, id, w.Code, trim(w.Body.String()))
	}
	return decodeJSON[obj](t, w)
}

// act takes a workflow action as role.
func (f *fixture) act(role string, id int64, body string) *httptest.ResponseRecorder {
	return f.as(role, "POST", ticketURL(id, "/transitions"), body)
}

// mustAct takes a workflow action as role and returns the ticket, which must be
// in status want.
func (f *fixture) mustAct(t *testing.T, role string, id int64, body string, want desk.Status) obj {
	t.Helper()
	w := f.act(role, id, body)
	if w.Code != http.StatusOK {
		t.Fatalf("%s %s: status %d; body: %s", role, body, w.Code, trim(w.Body.String()))
	}
	tk := decodeJSON[obj](t, w)
	if got := tk.str("status"); got != string(want) {
		t.Fatalf("%s %s: status %s, want %s", role, body, got, want)
	}
	return tk
}

// items lists what a list answer holds, as objects; the answer must be a 200.
func (f *fixture) items(t *testing.T, role, path string) []obj {
	t.Helper()
	w := f.as(role, "GET", path, "")
	if w.Code != http.StatusOK {
		t.Fatalf("%s: GET %s: status %d; body: %s", role, path, w.Code, trim(w.Body.String()))
	}
	var l struct {
		Items []obj `json:"items"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &l); err != nil {
		t.Fatalf("%s: GET %s: %v", role, path, err)
	}
	return l.Items
}

// ids are the ids of list items, or of the field named.
func ids(items []obj, field ...string) []int64 {
	k := "id"
	if len(field) > 0 {
		k = field[0]
	}
	out := []int64{}
	for _, it := range items {
		out = append(out, num(it[k]))
	}
	return out
}

// comment posts a JSON comment as role and returns the answer.
func (f *fixture) postComment(role string, ticketID int64, body string) *httptest.ResponseRecorder {
	return f.as(role, "POST", ticketURL(ticketID, "/comments"), body)
}

func testNumbers(t *testing.T, f *fixture) {
	// Whatever the space already holds, the next 20 numbers follow it.
	var last int64
	for _, it := range f.items(t, "admin", f.spacePath("ACME", "/tickets?sort=number&order=desc&limit=1")) {
		last = num(it["number"])
	}
	const n = 20
	authors := []string{"contact", "animator", "security"}
	type answer struct {
		code int
		body string
	}
	answers := make([]answer, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			w := f.as(authors[i%len(authors)], "POST", f.spacePath("ACME", "/tickets"),
				fmt.Sprintf(`{"title": "Concurrent question %d", "nature": "question", "criticality": "minor"}`, i))
			answers[i] = answer{w.Code, w.Body.String()}
		})
	}
	wg.Wait()
	var numbers []int64
	refs := map[string]bool{}
	for i, a := range answers {
		if a.code != http.StatusCreated {
			t.Errorf("creation %d: status %d; body: %s", i, a.code, trim(a.body))
			continue
		}
		var tk obj
		must(t, json.Unmarshal([]byte(a.body), &tk))
		numbers = append(numbers, num(tk["number"]))
		if tk.str("ref") != "ACME-"+strconv.FormatInt(num(tk["number"]), 10) {
			t.Errorf("ticket %v: ref %q does not match its number", tk["id"], tk.str("ref"))
		}
		refs[tk.str("ref")] = true
	}
	slices.Sort(numbers)
	var want []int64
	for i := range int64(n) {
		want = append(want, last+1+i)
	}
	if !slices.Equal(numbers, want) {
		t.Errorf("numbers %v, want %v: no gaps, no duplicates", numbers, want)
	}
	for ref := range refs {
		if got := decodeJSON[obj](t, f.as("contact", "GET", "/api/v1/refs/"+ref, "")); got.str("ref") != ref {
			t.Errorf("GET /refs/%s answers %q", ref, got.str("ref"))
		}
	}
	// References are case-insensitive on the key, and nothing else resolves.
	lower := strings.ToLower(answersRef(t, answers[0].body))
	wantStatus(t, f.as("contact", "GET", "/api/v1/refs/"+lower, ""), http.StatusOK, "lower-case reference")
	for _, ref := range []string{"ACME-0", "ACME-", "ACME", "ACME-1x", "BOLT-1", "NOPE-1", "ACME--1"} {
		wantProblem(t, f.as("contact", "GET", "/api/v1/refs/"+ref, ""), http.StatusNotFound, "")
	}
}

func answersRef(t *testing.T, body string) string {
	var tk obj
	must(t, json.Unmarshal([]byte(body), &tk))
	return tk.str("ref")
}

func testPriority(t *testing.T, f *fixture) {
	byCrit := map[desk.Criticality]int64{}
	for _, c := range desk.Criticalities {
		tk := f.open(t, "contact", "ACME", fmt.Sprintf(`{"title": "Impact %s", "nature": "question", "criticality": %q}`, c, c))
		byCrit[c] = tk.id()
		got := f.get(t, "agent", tk.id())
		if num(got["priority"]) != int64(desk.DefaultPriority(c)) || got["criticality_under_discussion"] != false {
			t.Errorf("%s: priority %v, under discussion %v; want P%d and no dispute", c, got["priority"],
				got["criticality_under_discussion"], desk.DefaultPriority(c))
		}
	}
	want := map[desk.Criticality]int64{desk.Blocking: 1, desk.Serious: 2, desk.Annoying: 3, desk.Minor: 4}
	for c, p := range want {
		if got := num(f.get(t, "agent", byCrit[c])["priority"]); got != p {
			t.Errorf("%s gives P%d, want P%d", c, got, p)
		}
	}
	patch := func(role string, id int64, body string) obj {
		t.Helper()
		w := f.as(role, "PATCH", ticketURL(id), body)
		if w.Code != http.StatusOK {
			t.Fatalf("%s PATCH %s: status %d; body: %s", role, body, w.Code, trim(w.Body.String()))
		}
		return decodeJSON[obj](t, w)
	}
	disputed := func(role string, id int64) bool {
		t.Helper()
		return f.get(t, role, id)["criticality_under_discussion"] == true
	}

	// Support raises a minor ticket to P1: the criticality is under discussion,
	// for the author too, who still does not see the priority.
	minor := byCrit[desk.Minor]
	if got := patch("agent", minor, `{"priority": 1}`); num(got["priority"]) != 1 || got["criticality_under_discussion"] != true {
		t.Errorf("after P1 on a minor ticket: %v, %v", got["priority"], got["criticality_under_discussion"])
	}
	if !disputed("contact", minor) {
		t.Errorf("the author does not see the criticality under discussion")
	}
	// The author may not set the priority, but settles the dispute.
	wantProblem(t, f.as("contact", "PATCH", ticketURL(minor), `{"priority": 4}`), http.StatusUnprocessableEntity, "priority")
	wantProblem(t, f.as("agent", "PATCH", ticketURL(minor), `{"priority": 5}`), http.StatusUnprocessableEntity, "priority")
	if got := patch("contact", minor, `{"settle_criticality_dispute": true}`); got["criticality_under_discussion"] != false {
		t.Errorf("the author settled, but the flag stays: %v", got)
	}
	if got := f.get(t, "agent", minor); num(got["priority"]) != 1 || got["criticality"] != "minor" {
		t.Errorf("settling changed the ticket: priority %v, criticality %v", got["priority"], got["criticality"])
	}

	// Support settles too.
	blocking := byCrit[desk.Blocking]
	patch("agent", blocking, `{"priority": 4}`)
	if !disputed("agent", blocking) {
		t.Errorf("P4 on a blocking ticket is not disputed")
	}
	patch("engineer", blocking, `{"settle_criticality_dispute": true}`)
	if disputed("agent", blocking) {
		t.Errorf("support settled, but the flag stays")
	}

	// The flag falls when the two agree again: support goes back, or the author
	// changes the criticality to what the priority says.
	serious := byCrit[desk.Serious]
	patch("agent", serious, `{"priority": 3}`)
	if !disputed("contact", serious) {
		t.Errorf("P3 on a serious ticket is not disputed")
	}
	patch("agent", serious, `{"priority": 2}`)
	if disputed("contact", serious) {
		t.Errorf("back to P2, the serious ticket is still disputed")
	}
	annoying := byCrit[desk.Annoying]
	patch("agent", annoying, `{"priority": 1}`)
	if got := patch("contact", annoying, `{"criticality": "blocking"}`); got["criticality_under_discussion"] != false {
		t.Errorf("criticality blocking and P1 agree, yet disputed: %v", got)
	}
	// Without a dispute, the priority follows the criticality.
	patch("contact", serious, `{"criticality": "minor"}`)
	if got := f.get(t, "agent", serious); num(got["priority"]) != 4 || got["criticality_under_discussion"] != false {
		t.Errorf("serious → minor without dispute: priority %v, disputed %v; want P4", got["priority"],
			got["criticality_under_discussion"])
	}

	// Priority changes are in the history for support only.
	kinds := func(role string) (n int) {
		for _, e := range f.items(t, role, ticketURL(minor, "/events")) {
			if d, _ := e["data"].(map[string]any); d["field"] == "priority" || d["field"] == "priority_disputed" {
				n++
			}
		}
		return n
	}
	if got := kinds("agent"); got != 3 { // priority 4 → 1, disputed false → true → false
		t.Errorf("staff see %d priority events, want 3", got)
	}
	if got := kinds("contact"); got != 0 {
		t.Errorf("the author sees %d priority events", got)
	}
	// Other fields are support's as well.
	wantProblem(t, f.as("contact", "PATCH", ticketURL(minor), `{"category": "billing"}`), http.StatusUnprocessableEntity, "category")
	wantProblem(t, f.as("contact", "PATCH", ticketURL(minor), `{"keywords": ["x"]}`), http.StatusUnprocessableEntity, "keywords")
	if got := patch("agent", minor, `{"category": "Billing", "keywords": [" Login ", "login", "SSO"]}`); !slices.Equal(
		strs(got["keywords"]), []string{"login", "sso"}) || got["category"] != "Billing" {
		t.Errorf("category and keywords: %v %v", got["category"], got["keywords"])
	}
	wantProblem(t, f.as("contact", "PATCH", ticketURL(minor), `{"criticality": "urgent"}`), http.StatusUnprocessableEntity, "criticality")
	wantProblem(t, f.as("contact", "PATCH", ticketURL(minor), `{"project_id": `+strconv.FormatInt(f.projects["Entrepôt connecté"], 10)+`}`),
		http.StatusUnprocessableEntity, "project_id")
}

// strs reads a JSON array of strings.
func strs(v any) []string {
	var out []string
	list, _ := v.([]any)
	for _, x := range list {
		s, _ := x.(string)
		out = append(out, s)
	}
	return out
}

func testSecurityTickets(t *testing.T, f *fixture) {
	sec := f.open(t, "contact", "ACME", `{"title": "Stored XSS in the supplier form", "nature": "security", "criticality": "minor"}`)
	if sec.str("criticality") != "blocking" {
		t.Errorf("a security ticket opened as minor is %s, want blocking", sec.str("criticality"))
	}
	if got := f.get(t, "agent", sec.id()); num(got["priority"]) != 1 {
		t.Errorf("a security ticket has priority %v, want P1", got["priority"])
	}
	bare := f.open(t, "contact", "ACME", `{"title": "Stored XSS without criticality", "nature": "security"}`)
	if bare.str("criticality") != "blocking" {
		t.Errorf("a security ticket opened without criticality is %s", bare.str("criticality"))
	}
	wantProblem(t, f.as("contact", "PATCH", ticketURL(sec.id()), `{"criticality": "minor"}`), http.StatusUnprocessableEntity, "criticality")
	// Anything but a security ticket needs a criticality.
	wantProblem(t, f.as("contact", "POST", f.spacePath("ACME", "/tickets"), `{"title": "No criticality", "nature": "question"}`),
		http.StatusUnprocessableEntity, "criticality")

	id := sec.id()
	ref := sec.str("ref")
	missing := wantProblem(t, f.as("animator", "GET", "/api/v1/tickets/999999", ""), http.StatusNotFound, "")
	for _, role := range []string{"animator", "contract", "dpo", "partner", "other"} {
		// Invisible: exactly like a ticket that does not exist.
		p := wantProblem(t, f.as(role, "GET", ticketURL(id), ""), http.StatusNotFound, "")
		if p.Detail != missing.Detail {
			t.Errorf("%s: the security ticket answers %q, a missing one %q", role, p.Detail, missing.Detail)
		}
		wantProblem(t, f.as(role, "GET", "/api/v1/refs/"+ref, ""), http.StatusNotFound, "")
		for _, sub := range []string{"/comments", "/attachments", "/events"} {
			wantProblem(t, f.as(role, "GET", ticketURL(id, sub), ""), http.StatusNotFound, "")
		}
		wantProblem(t, f.postComment(role, id, `{"body": "hello?"}`), http.StatusNotFound, "")
		// Absent from lists, searches and similar tickets; a page of one holds
		// nothing and says nothing more.
		lists := []string{"/api/v1/tickets?limit=200", "/api/v1/tickets?nature=security",
			"/api/v1/tickets?q=XSS", "/api/v1/tickets?q=XSS&limit=1", "/api/v1/tickets?nature=security&status=open,to_close&limit=1"}
		if role != "partner" && role != "other" {
			lists = append(lists, f.spacePath("ACME", "/tickets?limit=200"), f.spacePath("ACME", "/tickets?q=stored+xss"),
				f.spacePath("ACME", "/tickets/similar?q=stored+xss"), f.spacePath("ACME", "/tickets?nature=security&limit=1"))
		}
		for _, path := range lists {
			w := f.as(role, "GET", path, "")
			wantStatus(t, w, http.StatusOK, role+" "+path)
			l := decodeJSON[list](t, w)
			for _, it := range l.Items {
				if it["nature"] == "security" {
					t.Errorf("%s: GET %s lists security ticket %v", role, path, it["ref"])
				}
			}
			if strings.Contains(w.Body.String(), "XSS") {
				t.Errorf("%s: GET %s shows the title of a security ticket", role, path)
			}
			if strings.Contains(path, "limit=1") && l.NextCursor != "" {
				t.Errorf("%s: GET %s: a next cursor hints at an invisible ticket", role, path)
			}
		}
	}
	// The author and the security officer see it everywhere.
	for _, role := range []string{"contact", "security", "agent", "admin"} {
		f.get(t, role, id)
		if !slices.Contains(ids(f.items(t, role, "/api/v1/tickets?limit=200&nature=security")), id) {
			t.Errorf("%s does not find the security ticket in the list", role)
		}
		if !slices.Contains(ids(f.items(t, role, f.spacePath("ACME", "/tickets/similar?q=stored+xss"))), id) {
			t.Errorf("%s does not find the security ticket among similar ones", role)
		}
	}
	// The security officer is not the author: may read and comment, not act.
	wantStatus(t, f.postComment("security", id, `{"body": "Confirmed on our side."}`), http.StatusCreated, "officer comments")
	wantProblem(t, f.as("security", "PATCH", ticketURL(id), `{"title": "Renamed"}`), http.StatusForbidden, "")
}

// hasPriority finds a "priority" key anywhere in a JSON answer.
var hasPriority = regexp.MustCompile(`"priority"\s*:`)

func testPriorityHidden(t *testing.T, f *fixture) {
	acme := f.question(t, "contact", "ACME", "Hidden priority question")
	acmex := f.question(t, "animator", "ACMEX", "Hidden priority in the partner's view")
	for _, id := range []int64{acme.id(), acmex.id()} {
		wantStatus(t, f.as("agent", "PATCH", ticketURL(id), `{"priority": 1}`), http.StatusOK, "set P1")
		wantStatus(t, f.as("agent", "PUT", ticketURL(id, "/assignment"), `{"assignee_id": `+f.id("agent")+`}`), http.StatusOK, "assign")
		wantStatus(t, f.postComment("agent", id, `{"body": "We are on it."}`), http.StatusCreated, "comment")
	}
	// Staff see it.
	if !hasPriority.MatchString(f.as("agent", "GET", ticketURL(acme.id()), "").Body.String()) {
		t.Fatalf("staff do not see the priority")
	}
	check := func(role string, w *httptest.ResponseRecorder, what string) {
		t.Helper()
		if w.Code >= 300 {
			t.Errorf("%s: %s: status %d; body: %s", role, what, w.Code, trim(w.Body.String()))
		}
		if hasPriority.MatchString(w.Body.String()) {
			t.Errorf("%s: %s shows a priority: %s", role, what, trim(w.Body.String()))
		}
	}
	views := map[string]obj{"contact": acme, "animator": acme, "contract": acme, "security": acme, "dpo": acme,
		"partner": acmex}
	for role, tk := range views {
		id := tk.id()
		space := "ACME"
		if role == "partner" {
			space = "ACMEX"
		}
		for _, path := range []string{ticketURL(id), ticketURL(id, "?include=comments,events"),
			"/api/v1/refs/" + tk.str("ref"), ticketURL(id, "/events"),
			ticketURL(id, "/comments"), "/api/v1/tickets", "/api/v1/tickets?sort=priority",
			"/api/v1/tickets?sort=priority&order=desc&limit=1", f.spacePath(space, "/tickets"),
			f.spacePath(space, "/tickets/similar?q=hidden+priority")} {
			check(role, f.as(role, "GET", path, ""), "GET "+path)
		}
		// A client may neither filter by it.
		wantProblem(t, f.as(role, "GET", "/api/v1/tickets?priority=1", ""), http.StatusUnprocessableEntity, "priority")
		wantProblem(t, f.as(role, "GET", f.spacePath(space, "/tickets?priority=P1"), ""), http.StatusUnprocessableEntity, "priority")
	}
	// Nor through the answers of their own changes.
	check("contact", f.as("contact", "PATCH", ticketURL(acme.id()), `{"criticality": "serious"}`), "PATCH")
	check("contact", f.act("contact", acme.id(), `{"action": "reassign", "new_author_id": `+f.id("security")+`}`), "reassign")
	check("contact", f.as("contact", "POST", f.spacePath("ACME", "/tickets"),
		`{"title": "Created", "nature": "question", "criticality": "minor"}`), "POST")
	// For clients sort=priority orders by criticality.
	var ranks []int64
	for _, it := range f.items(t, "contact", "/api/v1/tickets?sort=priority&limit=200") {
		ranks = append(ranks, int64(desk.DefaultPriority(desk.Criticality(it.str("criticality")))))
	}
	if !slices.IsSorted(ranks) {
		t.Errorf("the contact's tickets by priority are not in criticality order: %v", ranks)
	}
}

func testDiagnostic(t *testing.T, f *fixture) {
	anomaly := `{"title": "Crash on export", "nature": "anomaly", "criticality": "serious"}`
	before := f.items(t, "admin", f.spacePath("ACME", "/tickets?sort=number&order=desc&limit=1"))
	p := wantProblem(t, f.as("contact", "POST", f.spacePath("ACME", "/tickets"), anomaly), http.StatusUnprocessableEntity, "files")
	if !strings.Contains(p.Detail, "status.xml") {
		t.Errorf("detail %q does not name status.xml", p.Detail)
	}
	// Another file does not do; nor does an empty status.xml.
	wantProblem(t, f.upload(f.srv, "contact", "POST", f.spacePath("ACME", "/tickets"), part{name: "json", content: anomaly},
		part{name: "files", file: "screenshot.png", content: "png"}), http.StatusUnprocessableEntity, "files")
	wantProblem(t, f.upload(f.srv, "contact", "POST", f.spacePath("ACME", "/tickets"), part{name: "json", content: anomaly},
		part{name: "files", file: "status.xml", content: ""}), http.StatusUnprocessableEntity, "files")

	w := f.upload(f.srv, "contact", "POST", f.spacePath("ACME", "/tickets"), part{name: "json", content: anomaly},
		part{name: "files", file: "status.xml", content: "<status><version>5.1</version></status>"},
		part{name: "files", file: "server.log", content: "java.lang.NullPointerException"})
	wantStatus(t, w, http.StatusCreated, "anomaly with status.xml")
	tk := decodeJSON[obj](t, w)
	if len(before) == 1 && num(tk["number"]) != num(before[0]["number"])+1 {
		t.Errorf("number %v after %v: the refused creations used numbers", tk["number"], before[0]["number"])
	}
	var names []string
	for _, a := range f.items(t, "contact", ticketURL(tk.id(), "/attachments")) {
		names = append(names, a.str("name"))
	}
	if !sameSet(names, []string{"status.xml", "server.log"}) {
		t.Errorf("attachments %v", names)
	}
	// Any case of the name does.
	wantStatus(t, f.upload(f.srv, "contact", "POST", f.spacePath("ACME", "/tickets"), part{name: "json", content: anomaly},
		part{name: "files", file: "STATUS.XML", content: "<status/>"}), http.StatusCreated, "STATUS.XML")
	// Staff opening it for a contact need it too; other natures do not.
	wantProblem(t, f.as("agent", "POST", f.spacePath("ACME", "/tickets"),
		`{"title": "Crash", "nature": "anomaly", "criticality": "serious", "author_id": `+f.id("contact")+`}`),
		http.StatusUnprocessableEntity, "files")
	f.open(t, "contact", "ACME", `{"title": "Evolution", "nature": "evolution", "criticality": "minor"}`)

	// A space whose contract does not require it.
	w = f.as("admin", "POST", "/api/v1/spaces", fmt.Sprintf(`{"client_id": %d, "key": "NODIAG", "name": "No diagnostic", "require_diagnostic": false}`, f.orgs["acme"]))
	wantStatus(t, w, http.StatusCreated, "space without diagnostic")
	sp := decodeJSON[obj](t, w)
	if sp["require_diagnostic"] != false {
		t.Errorf("space %v", sp)
	}
	f.spaces["NODIAG"] = sp.id()
	wantStatus(t, f.as("admin", "POST", f.spacePath("NODIAG", "/members"), `{"user_id": `+f.id("contact")+`}`), http.StatusCreated, "member")
	f.open(t, "contact", "NODIAG", anomaly)
	// And back: the setting is the space's.
	wantStatus(t, f.as("admin", "PATCH", f.spacePath("NODIAG"), `{"require_diagnostic": true}`), http.StatusOK, "require again")
	wantProblem(t, f.as("contact", "POST", f.spacePath("NODIAG", "/tickets"), anomaly), http.StatusUnprocessableEntity, "files")
	// Staff must name a contact of the space as the author.
	for _, body := range []string{`{"title": "T", "nature": "question", "criticality": "minor"}`,
		`{"title": "T", "nature": "question", "criticality": "minor", "author_id": ` + f.id("dpo") + `}`,
		`{"title": "T", "nature": "question", "criticality": "minor", "author_id": ` + f.id("other") + `}`,
		`{"title": "T", "nature": "question", "criticality": "minor", "author_id": ` + f.id("agent") + `}`} {
		wantProblem(t, f.as("agent", "POST", f.spacePath("ACME", "/tickets"), body), http.StatusUnprocessableEntity, "author_id")
	}
	onBehalf := f.open(t, "agent", "ACME", `{"title": "By phone", "nature": "question", "criticality": "minor", "channel": "phone", "author_id": `+f.id("contact")+`}`)
	if num(onBehalf["author_id"]) != f.users["contact"].ID || onBehalf.str("channel") != "phone" {
		t.Errorf("opened on behalf: author %v, channel %v", onBehalf["author_id"], onBehalf["channel"])
	}
	// A client's author_id is ignored: they are the author.
	own := f.open(t, "contact", "ACME", `{"title": "Mine", "nature": "question", "criticality": "minor", "author_id": `+f.id("security")+`}`)
	if num(own["author_id"]) != f.users["contact"].ID || own.str("channel") != "api" {
		t.Errorf("a contact's ticket: author %v, channel %v", own["author_id"], own["channel"])
	}
}

// eventsOf lists a ticket's events as role.
func (f *fixture) eventsOf(t *testing.T, role string, id int64) []obj {
	t.Helper()
	return f.items(t, role, ticketURL(id, "/events"))
}

// actions are the actions a ticket answer lists.
func actions(tk obj) []string { return strs(tk["actions"]) }

func testWorkflow(t *testing.T, f *fixture) {
	tk := f.question(t, "contact", "ACME", "Export to CSV fails")
	id := tk.id()
	if tk.str("status") != "open" {
		t.Fatalf("a new ticket is %s", tk.str("status"))
	}
	if got := actions(f.get(t, "contact", id)); !slices.Equal(got, []string{"reassign"}) {
		t.Errorf("the author's actions on an open ticket: %v", got)
	}
	if got := actions(f.get(t, "agent", id)); !slices.Equal(got, []string{"await_client", "await_delivery", "propose_closing", "reassign"}) {
		t.Errorf("the agent's actions on an open question: %v", got)
	}
	if got := actions(f.get(t, "dpo", id)); len(got) != 0 {
		t.Errorf("the DPO's actions: %v", got)
	}

	// Support asks for details; a public comment of the client brings it back.
	f.mustAct(t, "agent", id, `{"action": "await_client", "reason": "Which version?"}`, desk.AwaitingClient)
	wantProblem(t, f.act("agent", id, `{"action": "await_client"}`), http.StatusConflict, "")
	wantStatus(t, f.postComment("agent", id, `{"body": "Any news?"}`), http.StatusCreated, "staff comment")
	wantStatus(t, f.postComment("agent", id, `{"body": "Waiting.", "private": true}`), http.StatusCreated, "private comment")
	if got := f.get(t, "agent", id).str("status"); got != "awaiting_client" {
		t.Fatalf("staff comments moved the ticket to %s", got)
	}
	wantStatus(t, f.postComment("contact", id, `{"body": "Version 5.1."}`), http.StatusCreated, "client comment")
	if got := f.get(t, "contact", id).str("status"); got != "open" {
		t.Fatalf("after the author's comment the ticket is %s, want open", got)
	}
	events := f.eventsOf(t, "contact", id)
	last := events[len(events)-1]
	data, _ := last["data"].(map[string]any)
	if last.str("kind") != "transition" || data["action"] != "resume" || data["from"] != "awaiting_client" ||
		data["to"] != "open" || num(last["actor_id"]) != 0 {
		t.Errorf("the automatic resume event: %v", last)
	}
	// Another client member of the space resumes it too.
	f.mustAct(t, "engineer", id, `{"action": "await_client"}`, desk.AwaitingClient)
	wantStatus(t, f.postComment("contract", id, `{"body": "I answer for Fabien."}`), http.StatusCreated, "colleague comment")
	if got := f.get(t, "contact", id).str("status"); got != "open" {
		t.Fatalf("after a colleague's comment the ticket is %s, want open", got)
	}

	// Proposing to close needs a known resolution.
	wantProblem(t, f.act("agent", id, `{"action": "propose_closing"}`), http.StatusUnprocessableEntity, "resolution")
	wantProblem(t, f.act("agent", id, `{"action": "propose_closing", "resolution": "magic"}`), http.StatusUnprocessableEntity, "resolution")
	wantProblem(t, f.act("contact", id, `{"action": "propose_closing", "resolution": "answered"}`), http.StatusConflict, "")
	got := f.mustAct(t, "agent", id, `{"action": "propose_closing", "resolution": "answered"}`, desk.ToClose)
	if got.str("resolution") != "answered" {
		t.Errorf("resolution %q", got.str("resolution"))
	}
	if got := actions(f.get(t, "contact", id)); !slices.Equal(got, []string{"reopen", "close", "reassign"}) {
		t.Errorf("the author's actions on a ticket to close: %v", got)
	}
	if got := actions(f.get(t, "security", id)); len(got) != 0 {
		t.Errorf("a colleague's actions on a ticket to close: %v", got)
	}
	// Only the author reopens; a comment alone does not.
	for _, role := range []string{"security", "animator", "agent", "admin"} {
		p := wantProblem(t, f.act(role, id, `{"action": "reopen"}`), http.StatusConflict, "")
		if !strings.Contains(p.Detail, "author") {
			t.Errorf("%s reopening: detail %q does not say only the author may", role, p.Detail)
		}
	}
	wantStatus(t, f.postComment("contact", id, `{"body": "Hmm, not quite."}`), http.StatusCreated, "comment on to_close")
	if got := f.get(t, "contact", id).str("status"); got != "to_close" {
		t.Fatalf("a comment moved a ticket to close to %s", got)
	}
	if got := f.mustAct(t, "contact", id, `{"action": "reopen", "reason": "Still failing"}`, desk.Open); got.str("resolution") != "" {
		t.Errorf("reopened with resolution %q", got.str("resolution"))
	}
	// Automatic steps are never taken by hand; unknown actions are bad input.
	for _, act := range []string{"deliver", "resume", "time_out"} {
		wantProblem(t, f.act("admin", id, `{"action": "`+act+`"}`), http.StatusConflict, "")
	}
	wantProblem(t, f.act("agent", id, `{"action": "fly"}`), http.StatusUnprocessableEntity, "action")
	wantProblem(t, f.act("agent", id, `{}`), http.StatusUnprocessableEntity, "action")
	wantProblem(t, f.act("agent", id, `{"action": "reopen", "colour": "red"}`), http.StatusUnprocessableEntity, "colour")
	// Around again, then closed by the author with a rating.
	f.mustAct(t, "agent", id, `{"action": "propose_closing", "resolution": "workaround"}`, desk.ToClose)
	wantProblem(t, f.act("contact", id, `{"action": "close", "rating": 6}`), http.StatusUnprocessableEntity, "rating")
	wantProblem(t, f.act("security", id, `{"action": "close", "rating": 5}`), http.StatusConflict, "")
	closed := f.mustAct(t, "contact", id, `{"action": "close", "rating": 5, "rating_comment": "Merci !"}`, desk.Closed)
	if num(closed["rating"]) != 5 || closed.str("rating_comment") != "Merci !" || closed["closed_at"] == nil {
		t.Errorf("closed ticket: rating %v, comment %v, closed_at %v", closed["rating"], closed["rating_comment"], closed["closed_at"])
	}
	if got := actions(f.get(t, "contact", id)); len(got) != 0 {
		t.Errorf("actions on a closed ticket: %v", got)
	}

	// Nothing changes a closed ticket.
	before := len(f.eventsOf(t, "agent", id))
	wantProblem(t, f.postComment("contact", id, `{"body": "One more thing"}`), http.StatusConflict, "")
	wantProblem(t, f.postComment("agent", id, `{"body": "Noted", "private": true}`), http.StatusConflict, "")
	for _, act := range []string{"reopen", "close", "await_client", "propose_closing"} {
		wantProblem(t, f.act("contact", id, `{"action": "`+act+`"}`), http.StatusConflict, "")
		wantProblem(t, f.act("admin", id, `{"action": "`+act+`", "resolution": "answered"}`), http.StatusConflict, "")
	}
	wantProblem(t, f.act("contact", id, `{"action": "reassign", "new_author_id": `+f.id("security")+`}`), http.StatusConflict, "")
	wantProblem(t, f.as("contact", "PATCH", ticketURL(id), `{"title": "Renamed"}`), http.StatusConflict, "")
	wantProblem(t, f.as("agent", "PATCH", ticketURL(id), `{"priority": 1}`), http.StatusConflict, "")
	wantProblem(t, f.as("agent", "PUT", ticketURL(id, "/assignment"), `{"assignee_id": `+f.id("agent")+`}`), http.StatusConflict, "")
	wantProblem(t, f.upload(f.srv, "contact", "POST", ticketURL(id, "/attachments"),
		part{name: "files", file: "late.txt", content: "late"}), http.StatusConflict, "")
	if after := len(f.eventsOf(t, "agent", id)); after != before {
		t.Errorf("refused changes to a closed ticket added %d events", after-before)
	}

	// The history tells the whole story, in order.
	var story []string
	for _, e := range f.eventsOf(t, "agent", id) {
		d, _ := e["data"].(map[string]any)
		if e.str("kind") == "transition" {
			story = append(story, fmt.Sprint(d["action"]))
		}
	}
	want := []string{"await_client", "resume", "await_client", "resume", "propose_closing", "reopen",
		"propose_closing", "close"}
	if !slices.Equal(story, want) {
		t.Errorf("transitions %v, want %v", story, want)
	}

	// A fix waits for its delivery, which only a release brings (§7).
	fix := f.question(t, "contact", "ACME", "Fixed in the next release").id()
	wantProblem(t, f.act("agent", fix, `{"action": "await_delivery"}`), http.StatusUnprocessableEntity, "rd_issue")
	wantProblem(t, f.act("contact", fix, `{"action": "await_delivery", "rd_issue": "RD-512"}`), http.StatusConflict, "")
	if got := f.mustAct(t, "agent", fix, `{"action": "await_delivery", "rd_issue": " RD-512 "}`, desk.AwaitingDelivery); got.str("rd_issue") != "RD-512" {
		t.Errorf("rd_issue %q", got.str("rd_issue"))
	}
	for _, act := range []string{"propose_closing", "await_client", "reopen", "close", "deliver"} {
		wantProblem(t, f.act("agent", fix, `{"action": "`+act+`", "resolution": "answered"}`), http.StatusConflict, "")
	}
}

func testEvolutions(t *testing.T, f *fixture) {
	evolution := func(title string) int64 {
		t.Helper()
		tk := f.open(t, "contact", "ACME", fmt.Sprintf(`{"title": %q, "nature": "evolution", "criticality": "minor"}`, title))
		if got := actions(f.get(t, "agent", tk.id())); !slices.Contains(got, "submit_to_rd") {
			t.Errorf("the agent may not submit an evolution: %v", got)
		}
		wantProblem(t, f.act("contact", tk.id(), `{"action": "submit_to_rd"}`), http.StatusConflict, "")
		f.mustAct(t, "agent", tk.id(), `{"action": "submit_to_rd"}`, desk.AwaitingRDDecision)
		return tk.id()
	}
	// Questions do not go to R&D.
	q := f.question(t, "contact", "ACME", "Not an evolution")
	if got := actions(f.get(t, "agent", q.id())); slices.Contains(got, "submit_to_rd") {
		t.Errorf("submit_to_rd offered on a question: %v", got)
	}
	wantProblem(t, f.act("agent", q.id(), `{"action": "submit_to_rd"}`), http.StatusConflict, "")

	planned := evolution("Export to XLSX")
	if got := actions(f.get(t, "pm", planned)); !slices.Contains(got, "decide") {
		t.Errorf("the product manager may not decide: %v", got)
	}
	if got := actions(f.get(t, "agent", planned)); slices.Contains(got, "decide") {
		t.Errorf("an agent may decide: %v", got)
	}
	for _, role := range []string{"agent", "admin", "contact"} {
		wantProblem(t, f.act(role, planned, `{"action": "decide", "decision": "accepted_backlog"}`), http.StatusConflict, "")
	}
	wantProblem(t, f.act("pm", planned, `{"action": "decide"}`), http.StatusUnprocessableEntity, "decision")
	wantProblem(t, f.act("pm", planned, `{"action": "decide", "decision": "maybe"}`), http.StatusUnprocessableEntity, "decision")
	wantProblem(t, f.act("pm", planned, `{"action": "decide", "decision": "accepted_planned"}`), http.StatusUnprocessableEntity, "target_version")
	wantProblem(t, f.act("pm", planned, `{"action": "decide", "decision": "accepted_planned", "target_version": "  "}`),
		http.StatusUnprocessableEntity, "target_version")
	got := f.mustAct(t, "pm", planned, `{"action": "decide", "decision": "accepted_planned", "target_version": "5.2"}`, desk.AwaitingDelivery)
	if got.str("decision") != "accepted_planned" || got.str("target_version") != "5.2" {
		t.Errorf("decided: %v %v", got["decision"], got["target_version"])
	}
	wantProblem(t, f.act("pm", planned, `{"action": "decide", "decision": "accepted_backlog"}`), http.StatusConflict, "")

	backlog := evolution("Dark mode")
	f.mustAct(t, "pm", backlog, `{"action": "decide", "decision": "accepted_backlog"}`, desk.AwaitingDelivery)

	interesting := evolution("Voice input")
	wantProblem(t, f.act("pm", interesting, `{"action": "decide", "decision": "interesting_not_retained"}`),
		http.StatusUnprocessableEntity, "decision_note")
	got = f.mustAct(t, "pm", interesting, `{"action": "decide", "decision": "interesting_not_retained", "decision_note": "Not in the roadmap."}`, desk.Closed)
	if got.str("decision_note") != "Not in the roadmap." || got["closed_at"] == nil {
		t.Errorf("not retained: note %v, closed_at %v", got["decision_note"], got["closed_at"])
	}
	refused := evolution("Blockchain")
	f.mustAct(t, "pm", refused, `{"action": "decide", "decision": "not_retained"}`, desk.Closed)
	wantProblem(t, f.postComment("contact", refused, `{"body": "Why?"}`), http.StatusConflict, "")

	// The decision is recorded in the history, for the client too.
	var found bool
	for _, e := range f.eventsOf(t, "contact", planned) {
		d, _ := e["data"].(map[string]any)
		if d["action"] == "decide" && d["decision"] == "accepted_planned" && d["target_version"] == "5.2" &&
			num(e["actor_id"]) == f.users["pm"].ID {
			found = true
		}
	}
	if !found {
		t.Errorf("no decide event in the history")
	}
}

func testReassign(t *testing.T, f *fixture) {
	tk := f.question(t, "contact", "ACME", "Handing over")
	id := tk.id()
	for _, who := range []string{"dpo", "contract", "other", "partner", "agent", "spare-acme"} {
		wantProblem(t, f.act("contact", id, `{"action": "reassign", "new_author_id": `+f.id(who)+`}`),
			http.StatusUnprocessableEntity, "new_author_id")
	}
	wantProblem(t, f.act("contact", id, `{"action": "reassign"}`), http.StatusUnprocessableEntity, "new_author_id")
	wantProblem(t, f.act("contact", id, `{"action": "reassign", "new_author_id": 999999}`), http.StatusUnprocessableEntity, "new_author_id")
	wantProblem(t, f.act("contact", id, `{"action": "reassign", "new_author_id": `+f.id("contact")+`}`),
		http.StatusUnprocessableEntity, "new_author_id")
	// A colleague who is neither the author nor an animator may not.
	wantProblem(t, f.act("security", id, `{"action": "reassign", "new_author_id": `+f.id("security")+`}`), http.StatusConflict, "")

	got := f.mustAct(t, "contact", id, `{"action": "reassign", "new_author_id": `+f.id("security")+`, "reason": "Holidays"}`, desk.Open)
	if num(got["author_id"]) != f.users["security"].ID {
		t.Fatalf("author %v after reassigning to the security officer", got["author_id"])
	}
	// The former author is now a colleague; the new one acts.
	wantProblem(t, f.act("contact", id, `{"action": "reassign", "new_author_id": `+f.id("contact")+`}`), http.StatusConflict, "")
	wantProblem(t, f.as("contact", "PATCH", ticketURL(id), `{"title": "Mine again"}`), http.StatusForbidden, "")
	wantStatus(t, f.as("security", "PATCH", ticketURL(id), `{"title": "Handed over"}`), http.StatusOK, "new author edits")
	// An animator of the space, and staff, reassign too.
	f.mustAct(t, "animator", id, `{"action": "reassign", "new_author_id": `+f.id("contact")+`}`, desk.Open)
	f.mustAct(t, "agent", id, `{"action": "reassign", "new_author_id": `+f.id("animator")+`}`, desk.Open)
	events := f.eventsOf(t, "contact", id)
	var moves [][2]int64
	for _, e := range events {
		if e.str("kind") == "reassigned" {
			d, _ := e["data"].(map[string]any)
			moves = append(moves, [2]int64{num(d["author_before"]), num(d["author_after"])})
		}
	}
	u := func(r string) int64 { return f.users[r].ID }
	if want := [][2]int64{{u("contact"), u("security")}, {u("security"), u("contact")}, {u("contact"), u("animator")}}; !slices.Equal(moves, want) {
		t.Errorf("reassigned events %v, want %v", moves, want)
	}
	// A security ticket goes only to someone who may see it.
	sec := f.open(t, "contact", "ACME", `{"title": "Leak", "nature": "security"}`)
	wantProblem(t, f.act("contact", sec.id(), `{"action": "reassign", "new_author_id": `+f.id("animator")+`}`),
		http.StatusUnprocessableEntity, "new_author_id")
	f.mustAct(t, "contact", sec.id(), `{"action": "reassign", "new_author_id": `+f.id("security")+`}`, desk.Open)
}

// testTicketView reads a ticket with ?include=: its comments and history must be
// exactly what their own routes give each reader, private ones to staff only.
func testTicketView(t *testing.T, f *fixture) {
	tk := f.question(t, "animator", "ACMEX", "One request for the whole page")
	id := tk.id()
	for i := range 3 {
		wantStatus(t, f.postComment("agent", id, fmt.Sprintf(`{"body": "Public answer %d"}`, i)), http.StatusCreated, "answer")
	}
	wantStatus(t, f.postComment("agent", id, `{"body": "Internal: the pool is too small.", "private": true}`),
		http.StatusCreated, "private comment")
	wantStatus(t, f.as("agent", "PATCH", ticketURL(id), `{"priority": 1}`), http.StatusOK, "priority")

	type view struct {
		Priority *int `json:"priority"`
		Comments *struct {
			Items      []obj  `json:"items"`
			NextCursor string `json:"next_cursor"`
		} `json:"comments"`
		Events *struct {
			Items []obj `json:"items"`
		} `json:"events"`
	}
	read := func(role, query string) (view, string) {
		t.Helper()
		w := f.as(role, "GET", ticketURL(id, query), "")
		if w.Code != http.StatusOK {
			t.Fatalf("%s: GET %s: status %d; body: %s", role, query, w.Code, trim(w.Body.String()))
		}
		return decodeJSON[view](t, w), w.Body.String()
	}
	for _, role := range []string{"agent", "animator", "partner"} {
		v, raw := read(role, "?include=comments,events")
		if v.Comments == nil || v.Events == nil {
			t.Fatalf("%s: include=comments,events answers without them: %s", role, trim(raw))
		}
		if got, want := ids(v.Comments.Items), ids(f.items(t, role, ticketURL(id, "/comments"))); !slices.Equal(got, want) {
			t.Errorf("%s: included comments %v, the comments route %v", role, got, want)
		}
		if got, want := ids(v.Events.Items, "seq"), ids(f.eventsOf(t, role, id), "seq"); !slices.Equal(got, want) {
			t.Errorf("%s: included events %v, the events route %v", role, got, want)
		}
		staff := role == "agent"
		if strings.Contains(raw, "pool is too small") != staff || (v.Priority != nil) != staff {
			t.Errorf("%s: private comment or priority shown to %v (staff %v): %s", role, role, staff, trim(raw))
		}
		if staff && len(v.Comments.Items) != 4 || !staff && len(v.Comments.Items) != 3 {
			t.Errorf("%s: %d comments included", role, len(v.Comments.Items))
		}
	}
	// Only what is asked for; the page of comments as the comments route pages it.
	if v, _ := read("agent", ""); v.Comments != nil || v.Events != nil {
		t.Errorf("a plain read includes comments or events")
	}
	if v, _ := read("agent", "?include=events"); v.Comments != nil || v.Events == nil {
		t.Errorf("include=events: comments %v, events %v", v.Comments != nil, v.Events != nil)
	}
	first, _ := read("animator", "?include=comments&limit=2")
	if first.Comments == nil || len(first.Comments.Items) != 2 || first.Comments.NextCursor == "" || first.Events != nil {
		t.Fatalf("include=comments&limit=2: %+v", first.Comments)
	}
	next, _ := read("animator", "?include=comments&limit=2&cursor="+first.Comments.NextCursor)
	all := ids(f.items(t, "animator", ticketURL(id, "/comments")))
	if got := append(ids(first.Comments.Items), ids(next.Comments.Items)...); !slices.Equal(got, all) {
		t.Errorf("two pages of comments %v, all of them %v", got, all)
	}
	// Bad input names the parameter; another tenant's ticket is not found.
	wantProblem(t, f.as("agent", "GET", ticketURL(id, "?include=attachments"), ""), http.StatusUnprocessableEntity, "include")
	wantProblem(t, f.as("agent", "GET", ticketURL(id, "?include=comments&limit=0"), ""), http.StatusUnprocessableEntity, "limit")
	wantProblem(t, f.as("other", "GET", ticketURL(id, "?include=comments,events"), ""), http.StatusNotFound, "")
}

func testPrivateComments(t *testing.T, f *fixture) {
	// In ACMEX, which the animator (a client member) and the partner both read.
	tk := f.question(t, "animator", "ACMEX", "Connector times out")
	id := tk.id()
	public := decodeJSON[obj](t, f.postComment("agent", id, `{"body": "We reproduce it."}`))
	body, ct := multipartBody(part{name: "json", content: `{"body": "Level 3: the pool is too small.", "private": true}`},
		part{name: "files", file: "heap.txt", content: "heap dump"})
	w := serve(f.srv, "POST", ticketURL(id, "/comments"), body, bearer(f.tokens["agent"]), header("Content-Type", ct))
	wantStatus(t, w, http.StatusCreated, "private comment with a file")
	private := decodeJSON[obj](t, w)
	if private["private"] != true {
		t.Fatalf("private comment %v", private)
	}
	var privateFile int64
	for _, a := range f.items(t, "agent", ticketURL(id, "/attachments")) {
		if num(a["comment_id"]) == private.id() {
			privateFile = a.id()
		}
	}
	if privateFile == 0 {
		t.Fatalf("staff do not see the private comment's file")
	}
	// Staff see everything.
	if got := ids(f.items(t, "engineer", ticketURL(id, "/comments"))); !slices.Contains(got, private.id()) {
		t.Errorf("staff comments %v lack the private one", got)
	}
	staffEvents := f.eventsOf(t, "engineer", id)
	wantStatus(t, f.as("engineer", "GET", fmt.Sprintf("/api/v1/attachments/%d", privateFile), ""), http.StatusOK, "staff download")

	for _, role := range []string{"animator", "partner"} {
		comments := ids(f.items(t, role, ticketURL(id, "/comments")))
		if slices.Contains(comments, private.id()) || !slices.Contains(comments, public.id()) {
			t.Errorf("%s sees comments %v (private %d, public %d)", role, comments, private.id(), public.id())
		}
		for _, a := range f.items(t, role, ticketURL(id, "/attachments")) {
			if num(a["comment_id"]) == private.id() || a.id() == privateFile {
				t.Errorf("%s sees the private comment's file %v", role, a)
			}
		}
		events := f.eventsOf(t, role, id)
		if len(events) >= len(staffEvents) {
			t.Errorf("%s sees %d events, staff %d: private ones are not hidden", role, len(events), len(staffEvents))
		}
		for _, e := range events {
			d, _ := e["data"].(map[string]any)
			if num(d["comment_id"]) == private.id() || num(d["attachment_id"]) == privateFile || d["private"] == true {
				t.Errorf("%s sees a private event: %v", role, e)
			}
		}
		if raw := f.as(role, "GET", ticketURL(id, "/events"), "").Body.String(); strings.Contains(raw, "heap.txt") {
			t.Errorf("%s's history names the private file", role)
		}
		wantProblem(t, f.as(role, "GET", fmt.Sprintf("/api/v1/attachments/%d", privateFile), ""), http.StatusNotFound, "")
		wantProblem(t, f.as(role, "POST", fmt.Sprintf("/api/v1/comments/%d/likes", private.id()), ""), http.StatusNotFound, "")
	}
	// Clients may not write private comments; partners write nothing.
	wantProblem(t, f.postComment("animator", id, `{"body": "Just between us", "private": true}`), http.StatusUnprocessableEntity, "private")
	wantProblem(t, f.postComment("partner", id, `{"body": "Hello"}`), http.StatusForbidden, "")
	wantProblem(t, f.postComment("partner", id, `{"body": "Hello", "private": true}`), http.StatusForbidden, "")
	wantProblem(t, f.upload(f.srv, "partner", "POST", ticketURL(id, "/attachments"), part{name: "files", file: "p.txt", content: "p"}),
		http.StatusForbidden, "")
	// An empty comment is refused, unless files come with it.
	wantProblem(t, f.postComment("animator", id, `{"body": "  "}`), http.StatusUnprocessableEntity, "body")
	wantStatus(t, f.upload(f.srv, "animator", "POST", ticketURL(id, "/comments"), part{name: "json", content: `{}`},
		part{name: "files", file: "only-a-file.txt", content: "file"}), http.StatusCreated, "comment of a file alone")
}

func testMentions(t *testing.T, f *fixture) {
	tk := f.question(t, "contact", "ACME", "Mentions")
	id := tk.id()
	w := f.postComment("contact", id, `{"body": "@agent@vauban.example could you look? Also cc @Security@ACME.example."}`)
	wantStatus(t, w, http.StatusCreated, "public mention")
	if got := decodeJSON[obj](t, w)["mentions"]; !sameSet(strsOfNums(got), []string{f.id("agent"), f.id("security")}) {
		t.Errorf("mentions %v", got)
	}
	for _, c := range []struct{ role, body string }{
		{"agent", `{"body": "Ask @contact@acme.example", "private": true}`},
		{"contact", `{"body": "Hello @x@y.example"}`},
		{"contact", `{"body": "Hello @contact@bolt.example"}`},
		{"contact", `{"body": "Hello @partner@integra.example"}`},
	} {
		p := wantProblem(t, f.postComment(c.role, id, c.body), http.StatusUnprocessableEntity, "body")
		if !strings.Contains(p.Detail, "@") {
			t.Errorf("%s: detail %q does not name the mention", c.body, p.Detail)
		}
	}
	wantStatus(t, f.postComment("agent", id, `{"body": "@engineer@vauban.example see the logs", "private": true}`),
		http.StatusCreated, "private mention of staff")
	// On a security ticket, only those who see it.
	sec := f.open(t, "contact", "ACME", `{"title": "Mentions on security", "nature": "security"}`)
	wantProblem(t, f.postComment("contact", sec.id(), `{"body": "@animator@acme.example FYI"}`), http.StatusUnprocessableEntity, "body")
	wantStatus(t, f.postComment("contact", sec.id(), `{"body": "@security@acme.example FYI"}`), http.StatusCreated, "officer mention")
	// An address without @ in front is no mention.
	w = f.postComment("contact", id, `{"body": "Write to x@y.example"}`)
	wantStatus(t, w, http.StatusCreated, "no mention")
	if got := decodeJSON[obj](t, w)["mentions"]; len(got.([]any)) != 0 {
		t.Errorf("mentions %v in a body without any", got)
	}
}

func strsOfNums(v any) []string {
	var out []string
	list, _ := v.([]any)
	for _, x := range list {
		out = append(out, strconv.FormatInt(num(x), 10))
	}
	return out
}

func testLikes(t *testing.T, f *fixture) {
	tk := f.question(t, "contact", "ACME", "Likes")
	c := decodeJSON[obj](t, f.postComment("agent", tk.id(), `{"body": "Try clearing the cache."}`))
	like := func(role string) *httptest.ResponseRecorder {
		return f.as(role, "POST", fmt.Sprintf("/api/v1/comments/%d/likes", c.id()), "")
	}
	w := like("contact")
	wantStatus(t, w, http.StatusOK, "like")
	if got := num(decodeJSON[obj](t, w)["likes"]); got != 1 {
		t.Errorf("likes %d after one", got)
	}
	wantProblem(t, like("contact"), http.StatusConflict, "")
	wantProblem(t, like("agent"), http.StatusConflict, "")
	wantProblem(t, like("other"), http.StatusNotFound, "")
	if got := num(decodeJSON[obj](t, like("security"))["likes"]); got != 2 {
		t.Errorf("likes %d after two", got)
	}
	for _, it := range f.items(t, "dpo", ticketURL(tk.id(), "/comments")) {
		if it.id() == c.id() && num(it["likes"]) != 2 {
			t.Errorf("listed with %v likes", it["likes"])
		}
	}
	var liked int
	for _, e := range f.eventsOf(t, "contact", tk.id()) {
		if e.str("kind") == "comment_liked" {
			liked++
		}
	}
	if liked != 2 {
		t.Errorf("%d comment_liked events, want 2", liked)
	}
}

func testAttachments(t *testing.T, f *fixture) {
	tk := f.question(t, "contact", "ACME", "Attachments")
	id := tk.id()
	url := ticketURL(id, "/attachments")
	html := `<html><script>alert(document.cookie)</script></html>`
	var binary bytes.Buffer
	for i := range 3 * 256 {
		binary.WriteByte(byte(i))
	}
	body, ct := multipartBody(part{name: "files", file: "report.html", content: html, ctype: "text/html; charset=utf-8"},
		part{name: "files", file: "../../etc/passwd", content: "root:x:0:0"},
		part{name: "files", file: `C:\Users\Zoé\Compte rendu d'essai.txt`, content: "essai"},
		part{name: "files", file: "..", content: "dots"},
		part{name: "files", file: "blob.bin", content: binary.String()})
	w := serve(f.srv, "POST", url, body, bearer(f.tokens["contact"]), header("Content-Type", ct))
	wantStatus(t, w, http.StatusCreated, "upload")
	byName := map[string]obj{}
	for _, a := range f.items(t, "contact", url) {
		byName[a.str("name")] = a
	}
	if _, ok := byName["passwd"]; !ok {
		t.Errorf("../../etc/passwd was not kept as passwd: %v", keys(byName))
	}
	for name, content := range map[string]string{"report.html": html, "passwd": "root:x:0:0", "blob.bin": binary.String(),
		"Compte rendu d_essai.txt": "essai", "file": "dots"} {
		a, ok := byName[name]
		if !ok {
			t.Errorf("no attachment %s among %v", name, keys(byName))
			continue
		}
		sum := sha256.Sum256([]byte(content))
		if a.str("sha256") != hex.EncodeToString(sum[:]) || num(a["size"]) != int64(len(content)) ||
			num(a["uploader_id"]) != f.users["contact"].ID || a.str("url") != fmt.Sprintf("/api/v1/attachments/%d", a.id()) {
			t.Errorf("%s: %v", name, a)
		}
		for _, role := range []string{"contact", "dpo", "agent"} {
			d := f.as(role, "GET", a.str("url"), "")
			wantStatus(t, d, http.StatusOK, role+" downloads "+name)
			if d.Body.String() != content {
				t.Errorf("%s: %s downloads other bytes (%d, want %d)", name, role, d.Body.Len(), len(content))
			}
			h := d.Header()
			disp, params, err := mime.ParseMediaType(h.Get("Content-Disposition"))
			if err != nil || disp != "attachment" || params["filename"] != name {
				t.Errorf("%s: Content-Disposition %q", name, h.Get("Content-Disposition"))
			}
			if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Content-Type") != "application/octet-stream" ||
				h.Get("Content-Length") != strconv.Itoa(len(content)) {
				t.Errorf("%s: headers %v", name, h)
			}
		}
	}
	if byName["report.html"].str("content_type") != "text/html" {
		t.Errorf("the claimed type is not recorded: %v", byName["report.html"])
	}

	count := func() (atts, events int) {
		return len(f.items(t, "agent", url)), len(f.eventsOf(t, "agent", id))
	}
	atts, events := count()
	unchanged := func(what string) {
		t.Helper()
		if a, e := count(); a != atts || e != events {
			t.Errorf("%s: attachments %d → %d, events %d → %d", what, atts, a, events, e)
		}
	}
	// An empty file, or no file, is refused.
	wantProblem(t, f.upload(f.srv, "contact", "POST", url, part{name: "files", file: "empty.txt", content: ""}),
		http.StatusUnprocessableEntity, "files")
	wantProblem(t, f.upload(f.srv, "contact", "POST", url, part{name: "files", file: "ok.txt", content: "ok"},
		part{name: "files", file: "empty.txt", content: ""}), http.StatusUnprocessableEntity, "files")
	wantProblem(t, f.upload(f.srv, "contact", "POST", url), http.StatusUnprocessableEntity, "files")
	wantProblem(t, f.upload(f.srv, "contact", "POST", url, part{name: "other", content: "x"}), http.StatusUnprocessableEntity, "other")
	wantProblem(t, f.as("contact", "POST", url, `{"files": []}`), http.StatusUnprocessableEntity, "files")
	unchanged("refused uploads")

	// Over the limit: 413, and nothing is created.
	small := server.New(server.Config{MaxUpload: 1024}, server.Deps{Service: f.svc, Sessions: f.st.Sessions(), DB: f.st.DB()})
	big := strings.Repeat("x", 1025)
	p := wantProblem(t, f.upload(small, "contact", "POST", url, part{name: "files", file: "ok.txt", content: "ok"},
		part{name: "files", file: "big.txt", content: big}), http.StatusRequestEntityTooLarge, "files")
	if p.Code != "too_large" || !strings.Contains(p.Detail, "big.txt") || !strings.Contains(p.Detail, "1024") {
		t.Errorf("problem %+v", p)
	}
	wantProblem(t, f.upload(small, "contact", "POST", ticketURL(id, "/comments"), part{name: "json", content: `{"body": "big"}`},
		part{name: "files", file: "big.txt", content: big}), http.StatusRequestEntityTooLarge, "files")
	unchanged("oversized uploads")
	last := f.items(t, "admin", f.spacePath("ACME", "/tickets?sort=number&order=desc&limit=1"))
	wantProblem(t, f.upload(small, "contact", "POST", f.spacePath("ACME", "/tickets"),
		part{name: "json", content: `{"title": "Big", "nature": "anomaly", "criticality": "minor"}`},
		part{name: "files", file: "status.xml", content: big}), http.StatusRequestEntityTooLarge, "files")
	if now := f.items(t, "admin", f.spacePath("ACME", "/tickets?sort=number&order=desc&limit=1")); num(now[0]["id"]) != num(last[0]["id"]) {
		t.Errorf("an oversized ticket was created: %v", now[0]["ref"])
	}
	wantStatus(t, f.upload(small, "contact", "POST", url, part{name: "files", file: "exact.txt", content: big[:1024]}),
		http.StatusCreated, "a file of exactly the limit")
	// Nobody signed in is refused before the files are read.
	for _, path := range []string{url, ticketURL(id, "/comments"), f.spacePath("ACME", "/tickets")} {
		body, ct := multipartBody(part{name: "json", content: `{}`}, part{name: "files", file: "big.txt", content: big})
		wantProblem(t, serve(small, "POST", path, body, header("Content-Type", ct)), http.StatusUnauthorized, "")
	}
	// The default limit is 25 MiB.
	huge := strings.Repeat("y", 25<<20+1)
	p = wantProblem(t, f.upload(f.srv, "contact", "POST", url, part{name: "files", file: "huge.bin", content: huge}),
		http.StatusRequestEntityTooLarge, "files")
	if !strings.Contains(p.Detail, "25 MiB") {
		t.Errorf("detail %q does not give the limit", p.Detail)
	}

	// Another tenant's file is not found, like a missing one; so is a private
	// comment's, for clients.
	bolt := f.question(t, "other", "BOLT", "Bolt's file")
	wantStatus(t, f.upload(f.srv, "other", "POST", ticketURL(bolt.id(), "/attachments"),
		part{name: "files", file: "bolt.txt", content: "bolt secret"}), http.StatusCreated, "bolt upload")
	boltFile := f.items(t, "other", ticketURL(bolt.id(), "/attachments"))[0].id()
	missing := wantProblem(t, f.as("contact", "GET", "/api/v1/attachments/999999", ""), http.StatusNotFound, "")
	p = wantProblem(t, f.as("contact", "GET", fmt.Sprintf("/api/v1/attachments/%d", boltFile), ""), http.StatusNotFound, "")
	if p.Detail != missing.Detail {
		t.Errorf("Bolt's file answers %q, a missing one %q", p.Detail, missing.Detail)
	}
	wantProblem(t, f.upload(f.srv, "contact", "POST", ticketURL(bolt.id(), "/attachments"),
		part{name: "files", file: "x.txt", content: "x"}), http.StatusNotFound, "")
	c := decodeJSON[obj](t, f.upload(f.srv, "agent", "POST", ticketURL(id, "/comments"),
		part{name: "json", content: `{"body": "internal", "private": true}`}, part{name: "files", file: "internal.txt", content: "internal"}))
	for _, a := range f.items(t, "agent", url) {
		if num(a["comment_id"]) == c.id() {
			wantProblem(t, f.as("contact", "GET", a.str("url"), ""), http.StatusNotFound, "")
			wantStatus(t, f.as("agent", "GET", a.str("url"), ""), http.StatusOK, "staff download the private file")
		}
	}
}

func keys(m map[string]obj) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func testMarkdown(t *testing.T, f *fixture) {
	evil := "Hello **world** <script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)> " +
		"<a href=\"javascript:alert(2)\">y</a>"
	tk := f.open(t, "contact", "ACME", fmt.Sprintf(`{"title": "Markdown", "nature": "question", "criticality": "minor", "description": %q}`, evil))
	c := decodeJSON[obj](t, f.postComment("contact", tk.id(), fmt.Sprintf(`{"body": %q}`, evil)))
	got := f.get(t, "agent", tk.id())
	if got.str("description") != evil {
		t.Errorf("the description is not kept as written: %q", got.str("description"))
	}
	for what, html := range map[string]string{"description_html": got.str("description_html"), "body_html": c.str("body_html")} {
		if !strings.Contains(html, "<strong>world</strong>") {
			t.Errorf("%s is not rendered Markdown: %q", what, html)
		}
		low := strings.ToLower(html)
		for _, bad := range []string{"<script", "javascript:", "onerror", "<img src=x"} {
			if strings.Contains(low, bad) {
				t.Errorf("%s holds %q: %s", what, bad, html)
			}
		}
	}
	// Lists leave the description out.
	for _, it := range f.items(t, "contact", "/api/v1/tickets?q=Markdown") {
		if it.str("description") != "" || it.str("description_html") != "" || it["actions"] != nil {
			t.Errorf("a list item holds the description or actions: %v", it)
		}
	}
}

func testTicketPages(t *testing.T, f *fixture) {
	w := f.as("admin", "POST", "/api/v1/spaces", fmt.Sprintf(`{"client_id": %d, "key": "QUEUE", "name": "Queue", "require_diagnostic": false}`, f.orgs["acme"]))
	wantStatus(t, w, http.StatusCreated, "space QUEUE")
	f.spaces["QUEUE"] = decodeJSON[obj](t, w).id()
	for _, r := range []string{"contact", "security"} {
		wantStatus(t, f.as("admin", "POST", f.spacePath("QUEUE", "/members"), `{"user_id": `+f.id(r)+`}`), http.StatusCreated, "member")
	}
	// Eleven tickets of every kind, in every state, some assigned, some changed later.
	crits := []string{"minor", "blocking", "annoying", "serious", "minor", "blocking", "annoying", "serious", "minor", "annoying", "serious"}
	natures := []string{"question", "anomaly", "evolution", "question", "anomaly", "evolution", "question", "anomaly", "evolution", "question", "security"}
	var made []int64
	for i := range crits {
		author := "contact"
		if i%3 == 2 {
			author = "security"
		}
		tk := f.open(t, author, "QUEUE", fmt.Sprintf(`{"title": "Queued %d", "nature": %q, "criticality": %q}`, i, natures[i], crits[i]))
		made = append(made, tk.id())
	}
	wantStatus(t, f.as("agent", "PATCH", ticketURL(made[0]), `{"priority": 1}`), http.StatusOK, "priority")
	wantStatus(t, f.as("agent", "PATCH", ticketURL(made[5]), `{"priority": 4}`), http.StatusOK, "priority")
	for i, who := range map[int]string{1: "agent", 3: "engineer", 4: "agent", 8: "pm"} {
		wantStatus(t, f.as("agent", "PUT", ticketURL(made[i], "/assignment"), `{"assignee_id": `+f.id(who)+`}`), http.StatusOK, "assign")
	}
	f.mustAct(t, "agent", made[2], `{"action": "await_client"}`, desk.AwaitingClient)
	f.mustAct(t, "agent", made[6], `{"action": "propose_closing", "resolution": "answered"}`, desk.ToClose)
	f.mustAct(t, "agent", made[7], `{"action": "await_delivery", "rd_issue": "RD-1"}`, desk.AwaitingDelivery)
	f.mustAct(t, "agent", made[8], `{"action": "submit_to_rd"}`, desk.AwaitingRDDecision)
	wantStatus(t, f.postComment("agent", made[0], `{"body": "bump"}`), http.StatusCreated, "bump")

	// The truth, as staff see it.
	all := map[int64]obj{}
	for _, id := range made {
		all[id] = f.get(t, "agent", id)
	}
	at := func(o obj, k string) time.Time {
		v, err := time.Parse(time.RFC3339Nano, o.str(k))
		must(t, err)
		return v
	}
	rank := func(o obj) int64 { return int64(desk.DefaultPriority(desk.Criticality(o.str("criticality")))) }
	key := func(sort string, o obj) (string, int64, time.Time) {
		switch sort {
		case "priority":
			return "", num(o["priority"]), at(o, "created_at")
		case "created", "number":
			return "", 0, at(o, "created_at")
		case "updated":
			return "", 0, at(o, "updated_at")
		case "status":
			return o.str("status"), 0, at(o, "created_at")
		case "nature":
			return o.str("nature"), 0, at(o, "created_at")
		case "criticality":
			return "", rank(o), at(o, "created_at")
		case "assignee":
			return "", num(o["assignee_id"]), at(o, "created_at")
		}
		t.Fatalf("sort %s", sort)
		return "", 0, time.Time{}
	}
	expected := func(role, sort string, desc bool, filter func(obj) bool) []int64 {
		var list []obj
		for _, id := range made {
			o := all[id]
			if role != "agent" && o.str("nature") == "security" && num(o["author_id"]) != f.users[role].ID &&
				role != "security" {
				continue
			}
			if filter == nil || filter(o) {
				list = append(list, o)
			}
		}
		if role != "agent" && sort == "priority" {
			sort = "criticality"
		}
		slices.SortFunc(list, func(a, b obj) int {
			as, an, at := key(sort, a)
			bs, bn, bt := key(sort, b)
			c := cmp.Or(strings.Compare(as, bs), cmp.Compare(an, bn), at.Compare(bt), cmp.Compare(a.id(), b.id()))
			if sort == "number" {
				c = cmp.Compare(a.id(), b.id())
			}
			if desc {
				c = -c
			}
			return c
		})
		return ids(list)
	}
	walk := func(role, path string, limit int) []int64 {
		t.Helper()
		var got []int64
		cursor := ""
		for pages := 0; ; pages++ {
			if pages > 50 {
				t.Fatalf("%s: %s: more than 50 pages", role, path)
			}
			url := fmt.Sprintf("%s&limit=%d", path, limit)
			if cursor != "" {
				url += "&cursor=" + cursor
			}
			w := f.as(role, "GET", url, "")
			if w.Code != http.StatusOK {
				t.Fatalf("%s: GET %s: %d %s", role, url, w.Code, trim(w.Body.String()))
			}
			l := decodeJSON[list](t, w)
			if len(l.Items) > limit {
				t.Fatalf("%s: GET %s: %d items", role, url, len(l.Items))
			}
			for _, it := range l.Items {
				got = append(got, num(it["id"]))
			}
			if (l.NextCursor != "") != (len(l.Items) == limit) {
				t.Errorf("%s: GET %s: %d items and next_cursor %q", role, url, len(l.Items), l.NextCursor)
			}
			if l.NextCursor == "" {
				return got
			}
			cursor = l.NextCursor
		}
	}
	// Every order both ways, as staff and as a client, through both lists; pages
	// of 3 cut the eleven tickets at every kind of boundary.
	for _, role := range []string{"agent", "contact"} {
		for i, sort := range []string{"priority", "created", "updated", "status", "nature", "criticality", "assignee", "number"} {
			for _, desc := range []bool{false, true} {
				order := "asc"
				if desc {
					order = "desc"
				}
				path := f.spacePath("QUEUE", "/tickets?sort="+sort+"&order="+order)
				if (i%2 == 0) != desc {
					path = fmt.Sprintf("/api/v1/tickets?space_id=%d&sort=%s&order=%s", f.spaces["QUEUE"], sort, order)
				}
				if got, want := walk(role, path, 3), expected(role, sort, desc, nil); !slices.Equal(got, want) {
					t.Errorf("%s: %s: %v, want %v", role, path, got, want)
				}
			}
		}
	}
	// Several statuses at once page the same way (one query per status, merged).
	open := func(o obj) bool { return o.str("status") == "open" || o.str("status") == "to_close" }
	some := func(o obj) bool {
		return slices.Contains([]string{"open", "awaiting_client", "awaiting_rd_decision"}, o.str("status"))
	}
	for _, sort := range []string{"priority", "updated", "status", "assignee"} {
		for _, desc := range []bool{false, true} {
			order := "asc"
			if desc {
				order = "desc"
			}
			path := f.spacePath("QUEUE", "/tickets?status=open,to_close&sort="+sort+"&order="+order)
			if got, want := walk("agent", path, 2), expected("agent", sort, desc, open); !slices.Equal(got, want) {
				t.Errorf("agent: %s: %v, want %v", path, got, want)
			}
		}
	}
	path := f.spacePath("QUEUE", "/tickets?status=open&status=awaiting_client&status=awaiting_rd_decision&sort=criticality&order=desc")
	if got, want := walk("contact", path, 2), expected("contact", "criticality", true, some); !slices.Equal(got, want) {
		t.Errorf("contact: %s: %v, want %v", path, got, want)
	}
	// Filters.
	filters := map[string]func(obj) bool{
		"criticality=serious":                      func(o obj) bool { return o.str("criticality") == "serious" },
		"nature=question":                          func(o obj) bool { return o.str("nature") == "question" },
		"assignee_id=" + f.id("agent"):             func(o obj) bool { return num(o["assignee_id"]) == f.users["agent"].ID },
		"author_id=" + f.id("security"):            func(o obj) bool { return num(o["author_id"]) == f.users["security"].ID },
		"q=queued+1":                               func(o obj) bool { return strings.Contains(strings.ToLower(o.str("title")), "queued 1") },
		"status=awaiting_delivery":                 func(o obj) bool { return o.str("status") == "awaiting_delivery" },
		"priority=P1":                              func(o obj) bool { return num(o["priority"]) == 1 },
		"status=open&criticality=annoying&q=queue": func(o obj) bool { return o.str("status") == "open" && o.str("criticality") == "annoying" },
	}
	for q, fn := range filters {
		path := f.spacePath("QUEUE", "/tickets?sort=created&"+q)
		if got, want := walk("agent", path, 2), expected("agent", "created", false, fn); !slices.Equal(got, want) {
			t.Errorf("agent: %s: %v, want %v", path, got, want)
		}
	}
	// Bad filters name themselves.
	for q, field := range map[string]string{"sort=age": "sort", "order=up": "order", "status=pending": "status",
		"status=open,": "status", "nature=bug": "nature", "criticality=high": "criticality", "priority=P5": "priority",
		"space_id=x": "space_id", "assignee_id=-1": "assignee_id", "limit=0": "limit", "limit=201": "limit",
		"cursor=bm9wZQ": "cursor", "cursor=%25": "cursor", "q=" + strings.Repeat("q", 201): "q"} {
		wantProblem(t, f.as("agent", "GET", "/api/v1/tickets?"+q, ""), http.StatusUnprocessableEntity, field)
	}
	// A space one does not see is not found.
	wantProblem(t, f.as("contact", "GET", "/api/v1/tickets?space_id="+strconv.FormatInt(f.spaces["BOLT"], 10), ""), http.StatusNotFound, "")
	// A cursor of one order is refused by another whose key it cannot hold.
	l := decodeJSON[list](t, f.as("agent", "GET", f.spacePath("QUEUE", "/tickets?sort=status&limit=1"), ""))
	wantProblem(t, f.as("agent", "GET", f.spacePath("QUEUE", "/tickets?sort=priority&cursor="+l.NextCursor), ""),
		http.StatusUnprocessableEntity, "cursor")
}

func testEventChain(t *testing.T, f *fixture) {
	tk := f.question(t, "contact", "ACME", "Chained history")
	id := tk.id()
	f.mustAct(t, "agent", id, `{"action": "await_client"}`, desk.AwaitingClient)
	wantStatus(t, f.postComment("agent", id, `{"body": "internal", "private": true}`), http.StatusCreated, "private")
	wantStatus(t, f.postComment("contact", id, `{"body": "details"}`), http.StatusCreated, "public")
	wantStatus(t, f.as("agent", "PATCH", ticketURL(id), `{"priority": 2, "category": "export"}`), http.StatusOK, "patch")
	wantStatus(t, f.upload(f.srv, "contact", "POST", ticketURL(id, "/attachments"), part{name: "files", file: "a.txt", content: "a"}),
		http.StatusCreated, "attach")
	f.mustAct(t, "agent", id, `{"action": "propose_closing", "resolution": "answered"}`, desk.ToClose)
	f.mustAct(t, "contact", id, `{"action": "close", "rating": 4}`, desk.Closed)

	events := f.eventsOf(t, "agent", id)
	if len(events) < 10 {
		t.Fatalf("%d events", len(events))
	}
	var raw struct {
		Items []struct {
			Data json.RawMessage `json:"data"`
		} `json:"items"`
	}
	must(t, json.Unmarshal(f.as("agent", "GET", ticketURL(id, "/events"), "").Body.Bytes(), &raw))
	var prev string
	for i, e := range events {
		if num(e["seq"]) != int64(i+1) {
			t.Errorf("event %d has seq %v", i+1, e["seq"])
		}
		if e.str("prev_hash") != prev {
			t.Errorf("event %d: prev_hash %q, want the hash of event %d, %q", i+1, e.str("prev_hash"), i, prev)
		}
		if len(e.str("hash")) != 64 {
			t.Errorf("event %d: hash %q", i+1, e.str("hash"))
		}
		// Anyone holding the history can recompute the hash: it covers the
		// ticket, the number, the actor, the time, the kind, the data and whether
		// it is private.
		if !resealed(t, id, e, raw.Items[i].Data) {
			t.Errorf("event %d: its hash is not the hash of its content: %v", i+1, e)
		}
		prev = e.str("hash")
	}
	if events[0].str("kind") != "created" || num(events[0]["actor_id"]) != f.users["contact"].ID {
		t.Errorf("first event %v", events[0])
	}
	// The client's history is the same chain with the private links left out.
	byHash := map[string]obj{}
	for _, e := range events {
		byHash[e.str("hash")] = e
	}
	client := f.eventsOf(t, "contact", id)
	if len(client) >= len(events) {
		t.Errorf("the client sees %d of %d events", len(client), len(events))
	}
	for _, e := range client {
		if s, ok := byHash[e.str("hash")]; !ok || num(s["seq"]) != num(e["seq"]) || s.str("prev_hash") != e.str("prev_hash") {
			t.Errorf("the client's event %v is not in the chain", e)
		}
	}
	broken, checked, err := f.svc.Verify(context.Background())
	must(t, err)
	if broken != nil {
		t.Errorf("Verify: %+v", broken)
	}
	if checked < len(events) {
		t.Errorf("Verify checked %d events, fewer than this ticket's %d", checked, len(events))
	}
}

// resealed tells whether the hash of event e of ticket id, as the API shows it,
// is the hash of its content, whether it is private or not.
func resealed(t *testing.T, id int64, e obj, data json.RawMessage) bool {
	t.Helper()
	at, err := time.Parse(time.RFC3339Nano, e.str("at"))
	must(t, err)
	var prev []byte
	if p := e.str("prev_hash"); p != "" {
		prev, err = hex.DecodeString(p)
		must(t, err)
	}
	for _, private := range []bool{false, true} {
		ev := desk.Event{TicketID: id, Seq: num(e["seq"]), ActorID: num(e["actor_id"]), At: at,
			Kind: desk.EventKind(e.str("kind")), Data: data, Private: private}
		ev.Seal(prev)
		if hex.EncodeToString(ev.Hash) == e.str("hash") {
			return true
		}
	}
	return false
}
