package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"guichet/internal/api"
	"guichet/internal/app"
	"guichet/internal/desk"
	"guichet/internal/markdown"
)

// names resolves the ids a page shows (space keys, people) once per request.
type names struct {
	ctx    context.Context
	svc    *app.Service
	a      *desk.Actor
	keys   map[int64]string
	people map[int64]string
}

func (p *Pages) names(r *http.Request, a *desk.Actor) *names {
	return &names{ctx: r.Context(), svc: p.svc, a: a, keys: map[int64]string{}, people: map[int64]string{}}
}

// Key is the key of space id ("?" when the visitor may not see it).
func (n *names) Key(id int64) string {
	if k, ok := n.keys[id]; ok {
		return k
	}
	k := "?"
	if sp, err := n.svc.Space(n.ctx, n.a, id); err == nil {
		k = sp.Key
	}
	n.keys[id] = k
	return k
}

// Person is the name of user id, or an empty string for nobody or a person the
// visitor may not know of.
func (n *names) Person(id int64) string {
	if id <= 0 {
		return ""
	}
	if s, ok := n.people[id]; ok {
		return s
	}
	s := ""
	if u, err := n.svc.User(n.ctx, n.a, id); err == nil {
		s = u.Name
	}
	n.people[id] = s
	return s
}

// Ref is the reference of ticket t.
func (n *names) Ref(t *desk.Ticket) string { return desk.Ref(n.Key(t.SpaceID), t.Number) }

// activeStatuses are every status but closed: what a list shows by default.
var activeStatuses = desk.Statuses[:len(desk.Statuses)-1]

// listQuery reads a ticket list's filters from the address; errs holds a message
// per filter that is not valid (the filter is then left out).
func listQuery(q url.Values, s *session) (app.TicketFilter, map[string]string) {
	f := app.TicketFilter{Limit: 50}
	errs := map[string]string{}
	bad := func(field string) { errs[field] = text(s.L, "filter.invalid") }
	if v := q.Get("project"); v != "" {
		if n, err := strconv.ParseInt(v, 10, 64); err == nil && n > 0 {
			f.ProjectID = n
		} else {
			bad("project")
		}
	}
	switch v := q.Get("status"); v {
	case "":
		f.Status = activeStatuses
	case "all":
	default:
		// One status from the form, or several (open,to_close) from a saved view.
		for st := range strings.SplitSeq(v, ",") {
			if desk.CheckStatus(desk.Status(st)) != nil {
				bad("status")
				f.Status = activeStatuses
				break
			}
			f.Status = append(f.Status, desk.Status(st))
		}
	}
	if v := q.Get("nature"); v != "" {
		if desk.CheckNature(desk.Nature(v)) == nil {
			f.Nature = desk.Nature(v)
		} else {
			bad("nature")
		}
	}
	if v := q.Get("criticality"); v != "" {
		if desk.CheckCriticality(desk.Criticality(v)) == nil {
			f.Criticality = desk.Criticality(v)
		} else {
			bad("criticality")
		}
	}
	if v := q.Get("priority"); v != "" && s.A.Staff() {
		if n, err := strconv.Atoi(v); err == nil && desk.CheckPriority(desk.Priority(n)) == nil {
			f.Priority = desk.Priority(n)
		} else {
			bad("priority")
		}
	}
	if q.Get("mine") == "1" {
		if s.A.Staff() {
			f.AssigneeID = s.A.UserID
		} else {
			f.AuthorID = s.A.UserID
		}
	}
	f.Text = strings.TrimSpace(q.Get("q"))
	if len([]rune(f.Text)) > desk.MaxTitleLen {
		errs["q"] = text(s.L, "filter.toolong")
		f.Text = ""
	}
	f.Sort = app.TicketSort(q.Get("sort"))
	f.Desc = q.Get("order") == "desc"
	if f.Sort == "" {
		// The defaults are orders an index serves on a large base: the agents'
		// queue by nearest deadline, a client's tickets newest first.
		f.Sort = sortChoices(s.A)[0]
		f.Desc = !s.A.Staff()
	}
	if !slices.Contains(sortChoices(s.A), f.Sort) {
		bad("sort")
		f.Sort = sortChoices(s.A)[0]
	}
	if f.Sort == app.SortDeadline && q.Get("status") == "" {
		// Tickets with no running objective (closed ones among them) have no
		// deadline and come last: the queue need not leave them out, which would
		// cost a sort of every active ticket.
		f.Status = nil
	}
	if v := q.Get("cursor"); v != "" {
		if c, ok := app.ParseCursor(v); ok {
			f.After = c
		} else {
			bad("cursor")
		}
	}
	return f, errs
}

// sortChoices are the orders a visitor may pick; the internal priority is
// support's alone.
func sortChoices(a *desk.Actor) []app.TicketSort {
	if a.Staff() {
		return []app.TicketSort{app.SortDeadline, app.SortPriority, app.SortCriticality, app.SortCreated, app.SortUpdated,
			app.SortStatus, app.SortNumber}
	}
	// Clients' lists cross the security rule of their scope: only the time orders
	// stay fast on a large base (see docs/BENCHMARKS.md).
	return []app.TicketSort{app.SortCreated, app.SortUpdated}
}

// Tickets is the ticket list: the agent's queue for provider staff, the tickets
// of one's spaces for client users, the read-only cross-space view for partners.
func (p *Pages) Tickets(w http.ResponseWriter, r *http.Request) {
	s, ok := p.signedIn(w, r)
	if !ok {
		return
	}
	p.ticketList(w, r, s, nil, http.StatusOK, nil)
}

// Space is a space's page: its projects and its tickets.
func (p *Pages) Space(w http.ResponseWriter, r *http.Request) {
	s, ok := p.signedIn(w, r)
	if !ok {
		return
	}
	sp, err := p.space(r, s)
	if err != nil {
		p.fail(w, r, s, err)
		return
	}
	p.ticketList(w, r, s, sp, http.StatusOK, nil)
}

// CreateProject adds a project to a space (administrators, account managers).
func (p *Pages) CreateProject(w http.ResponseWriter, r *http.Request) {
	s, ok := p.signedIn(w, r)
	if !ok {
		return
	}
	sp, err := p.space(r, s)
	if err != nil {
		p.fail(w, r, s, err)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFields)
	name := r.PostFormValue("name")
	if _, err := p.svc.CreateProject(r.Context(), s.A, sp.ID, name); err != nil {
		e, ok := desk.AsError(err)
		if !ok || (e.Code != desk.Invalid && e.Code != desk.Conflict) {
			p.fail(w, r, s, err)
			return
		}
		p.ticketList(w, r, s, sp, api.Status(e.Code), map[string]any{"ProjectName": name,
			"ProjectError": fieldMessage(s.L, e)})
		return
	}
	http.Redirect(w, r, "/spaces/"+strconv.FormatInt(sp.ID, 10), http.StatusSeeOther)
}

func (p *Pages) space(r *http.Request, s *session) (*desk.Space, error) {
	id, err := strconv.ParseInt(r.PathValue("space_id"), 10, 64)
	if err != nil {
		return nil, desk.ErrNotFound("space")
	}
	return p.svc.Space(r.Context(), s.A, id)
}

func (p *Pages) ticketList(w http.ResponseWriter, r *http.Request, s *session, sp *desk.Space, status int, data map[string]any) {
	q := r.URL.Query()
	f, errs := listQuery(q, s)
	if data == nil {
		data = map[string]any{}
	}
	data["Q"], data["Errors"], data["Sorts"] = q, errs, sortChoices(s.A)
	if sp != nil {
		f.SpaceID = sp.ID
		projects, err := p.svc.Projects(r.Context(), s.A, sp.ID, desk.Page{Limit: desk.MaxPageSize})
		if err != nil {
			p.fail(w, r, s, err)
			return
		}
		data["Space"], data["Projects"], data["CanOpen"] = sp, projects, s.A.CanOpenTicket(sp.ID)
		data["Manage"], data["ManageProjects"] = s.A.CanManageMembers(sp), s.A.CanManageProjects()
	} else if v := q.Get("space"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			errs["space"] = text(s.L, "filter.invalid")
		} else {
			f.SpaceID = id
		}
	}
	list, err := p.svc.Tickets(r.Context(), s.A, f)
	if err != nil {
		if e, ok := desk.AsError(err); ok && e.Code == desk.Invalid {
			errs[e.Field] = e.Message
			f.After = nil
			list, err = p.svc.Tickets(r.Context(), s.A, app.TicketFilter{SpaceID: f.SpaceID, Status: activeStatuses, Limit: f.Limit})
		}
		if err != nil {
			p.fail(w, r, s, err)
			return
		}
	}
	shown := map[int64]time.Time{} // the objectives' deadlines are support's business
	for i := range list {
		if d := list[i].Deadline; d != nil && s.A.Staff() {
			shown[list[i].ID] = *d
		}
	}
	data["Deadlines"], data["Now"] = shown, p.svc.Now()
	if len(list) == f.Limit {
		next := cloneValues(q)
		next.Set("cursor", app.CursorAfter(&list[len(list)-1], f.Sort))
		data["Next"] = "?" + next.Encode()
	}
	if q.Get("cursor") != "" {
		first := cloneValues(q)
		first.Del("cursor")
		data["First"] = "?" + first.Encode()
	}
	if sp == nil {
		spaces, err := p.svc.Spaces(r.Context(), s.A, desk.Page{Limit: desk.MaxPageSize})
		if err != nil {
			p.fail(w, r, s, err)
			return
		}
		data["Spaces"] = spaces
		data["ReadOnly"] = s.A.OrgKind == desk.Partner
		if err := p.queueSide(r, s, f, q, data); err != nil {
			p.fail(w, r, s, err)
			return
		}
	}
	data["Tickets"], data["N"], data["Filter"] = list, p.names(r, s.A), f
	p.show(w, r, s, status, "tickets.html", data)
}

// ticketForm is what the new-ticket form holds, as typed.
type ticketForm struct {
	Token, Title, Nature, Criticality, Project, ProductVersion, ModuleVersions, Description, LogExcerpt string
	Author                                                                                              string
}

func newToken() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// NewTicket shows the new-ticket form of a space.
func (p *Pages) NewTicket(w http.ResponseWriter, r *http.Request) {
	s, ok := p.signedIn(w, r)
	if !ok {
		return
	}
	sp, err := p.space(r, s)
	if err != nil {
		p.fail(w, r, s, err)
		return
	}
	form := ticketForm{Token: newToken(), Nature: string(desk.Question), Criticality: string(desk.Annoying),
		Project: r.URL.Query().Get("project")}
	// Versions are prefilled from the author's latest ticket in the space.
	if last, err := p.svc.Tickets(r.Context(), s.A, app.TicketFilter{SpaceID: sp.ID, AuthorID: s.A.UserID,
		Sort: app.SortCreated, Desc: true, Limit: 1}); err == nil && len(last) == 1 {
		form.ProductVersion, form.ModuleVersions = last[0].ProductVersion, last[0].ModuleVersions
	}
	p.ticketForm(w, r, s, sp, http.StatusOK, form, nil)
}

func (p *Pages) ticketForm(w http.ResponseWriter, r *http.Request, s *session, sp *desk.Space, status int, form ticketForm, errs map[string]string) {
	if !s.A.CanOpenTicket(sp.ID) {
		msg := "error.cannotopen"
		if s.A.OrgKind == desk.Partner {
			msg = "error.readonly"
		}
		p.fail(w, r, s, desk.Errorf(desk.Forbidden, "%s", text(s.L, msg)))
		return
	}
	projects, err := p.svc.Projects(r.Context(), s.A, sp.ID, desk.Page{Limit: desk.MaxPageSize})
	if err != nil {
		p.fail(w, r, s, err)
		return
	}
	data := map[string]any{"Space": sp, "Projects": projects, "Form": form, "Errors": errs}
	if s.A.Staff() {
		members, err := p.spaceMembers(r, s, sp.ID)
		if err != nil {
			p.fail(w, r, s, err)
			return
		}
		data["Authors"] = members
	}
	p.show(w, r, s, status, "newticket.html", data)
}

// CreateTicket opens a ticket from the new-ticket form (multipart, with files).
func (p *Pages) CreateTicket(w http.ResponseWriter, r *http.Request) {
	s, ok := p.signedIn(w, r)
	if !ok {
		return
	}
	sp, err := p.space(r, s)
	if err != nil {
		p.fail(w, r, s, err)
		return
	}
	if !s.A.CanOpenTicket(sp.ID) {
		p.ticketForm(w, r, s, sp, http.StatusForbidden, ticketForm{}, nil)
		return
	}
	up := &upload{maxFile: p.maxUpload()}
	defer up.close()
	fields, files, err := up.read(w, r)
	form := ticketForm{Token: fields.Get("token"), Title: fields.Get("title"), Nature: fields.Get("nature"),
		Criticality: fields.Get("criticality"), Project: fields.Get("project"), ProductVersion: fields.Get("product_version"),
		ModuleVersions: fields.Get("module_versions"), Description: fields.Get("description"),
		LogExcerpt: fields.Get("log_excerpt"), Author: fields.Get("author")}
	if err != nil {
		p.formError(w, r, s, sp, form, err)
		return
	}
	in := app.NewTicket{SpaceID: sp.ID, Title: form.Title, Nature: desk.Nature(form.Nature),
		Criticality: desk.Criticality(form.Criticality), ProductVersion: form.ProductVersion,
		ModuleVersions: form.ModuleVersions, Description: form.Description, LogExcerpt: form.LogExcerpt,
		Channel: desk.Web, Files: files}
	if form.Project != "" {
		if in.ProjectID, err = strconv.ParseInt(form.Project, 10, 64); err != nil {
			p.formError(w, r, s, sp, form, desk.FieldError("project_id", "is not a project of this space"))
			return
		}
	}
	if form.Author != "" {
		if in.AuthorID, err = strconv.ParseInt(form.Author, 10, 64); err != nil {
			p.formError(w, r, s, sp, form, desk.FieldError("author_id", "must be a contact of this space"))
			return
		}
	}
	if form.Token == "" {
		form.Token = newToken()
		p.formError(w, r, s, sp, form, desk.FieldError("token", "%s", text(s.L, "form.expired")))
		return
	}
	// A form sent twice (a double click, a reload) shows the ticket the first
	// sending created.
	t, err := p.svc.OpenTicketOnce(r.Context(), s.A, form.Token, in)
	if err != nil {
		p.formError(w, r, s, sp, form, err)
		return
	}
	http.Redirect(w, r, "/tickets/"+strconv.FormatInt(t.ID, 10), http.StatusSeeOther)
}

// formFields maps the use cases' field names to the form's.
var formFields = map[string]string{"project_id": "project", "author_id": "author", "files": "files",
	"title": "title", "nature": "nature", "criticality": "criticality", "product_version": "product_version",
	"module_versions": "module_versions", "description": "description", "log_excerpt": "log_excerpt"}

// formError shows the form again, as typed, with the message next to its field.
func (p *Pages) formError(w http.ResponseWriter, r *http.Request, s *session, sp *desk.Space, form ticketForm, err error) {
	e, ok := desk.AsError(err)
	if !ok || (e.Code != desk.Invalid && e.Code != desk.TooLarge) {
		p.fail(w, r, s, err)
		return
	}
	field := formFields[e.Field]
	if field == "" {
		field = "form"
	}
	p.ticketForm(w, r, s, sp, http.StatusUnprocessableEntity, form, map[string]string{field: fieldMessage(s.L, e)})
}

// fieldMessage is an invalid field's message in the page's language: the use
// case's own words, which name the rule, prefixed in French by a short notice.
func fieldMessage(l string, e *desk.Error) string {
	for prefix, key := range ruleMessages {
		if strings.HasPrefix(e.Message, prefix) {
			return text(l, key)
		}
	}
	return e.Message
}

// ruleMessages translates the rules' most frequent messages, by their start.
var ruleMessages = map[string]string{
	"is required":                          "form.required",
	"an anomaly needs the diagnostic file": "files.diagnostic",
	"must be at least":                     "form.tooshort",
	"an explanation is required":           "form.explanation",
	"must be 1 to 5":                       "form.rating",
	"must be one of answered":              "form.resolution",
	"must be a contact of this space":      "form.author",
	"is not a project of this space":       "form.project",
	"must be one of blocking, serious":     "form.criticality",
	"must be one of anomaly, evolution":    "form.nature",
}

// Similar lists the earlier tickets of a space whose title matches what is typed
// in the new-ticket form (an htmx fragment; a page of its own without script).
func (p *Pages) Similar(w http.ResponseWriter, r *http.Request) {
	s, ok := p.signedIn(w, r)
	if !ok {
		return
	}
	sp, err := p.space(r, s)
	if err != nil {
		p.fail(w, r, s, err)
		return
	}
	list, err := p.svc.SimilarTickets(r.Context(), s.A, sp.ID, r.URL.Query().Get("title"))
	if err != nil {
		p.fail(w, r, s, err)
		return
	}
	data := map[string]any{"L": s.L, "Tickets": list, "N": p.names(r, s.A), "Space": sp, "CanOpen": s.A.CanOpenTicket(sp.ID),
		"Typed": strings.TrimSpace(r.URL.Query().Get("title"))}
	if r.Header.Get("HX-Request") == "" { // followed as a link, without script: a page of its own
		p.show(w, r, s, http.StatusOK, "similar.html", data)
		return
	}
	p.render(w, r, http.StatusOK, "similar", data)
}

// Preview renders a Markdown text as it will show (an htmx fragment).
func (p *Pages) Preview(w http.ResponseWriter, r *http.Request) {
	s, ok := p.signedIn(w, r)
	if !ok {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, int64(desk.MaxTextLen)*4+4096)
	src := r.PostFormValue("description")
	if src == "" {
		src = r.PostFormValue("body")
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if strings.TrimSpace(src) == "" {
		_, _ = w.Write([]byte(`<p class="muted">` + text(s.L, "preview.empty") + `</p>`))
		return
	}
	_, _ = w.Write([]byte(markdown.HTML(src)))
}

func cloneValues(q url.Values) url.Values {
	out := url.Values{}
	for k, v := range q {
		out[k] = v
	}
	return out
}
