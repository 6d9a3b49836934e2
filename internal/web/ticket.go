package web

import (
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"guichet/internal/api"
	"guichet/internal/app"
	"guichet/internal/desk"
)

// ticketState is what a ticket page shows besides the ticket: the form that was
// refused, as typed, and the message next to each field.
type ticketState struct {
	Form   string            // "comment", "assign", "priority" or a workflow action
	Typed  url.Values        // what was typed
	Errors map[string]string // field → message
	Notice string            // a message at the top of the page
}

func ticketID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("ticket_id"), 10, 64)
	if err != nil {
		return 0, desk.ErrNotFound("ticket")
	}
	return id, nil
}

// Ticket is a ticket's page: its description, public (and, for staff, private)
// comments, attachments, history, and the actions the visitor may take.
func (p *Pages) Ticket(w http.ResponseWriter, r *http.Request) {
	s, ok := p.signedIn(w, r)
	if !ok {
		return
	}
	id, err := ticketID(r)
	if err != nil {
		p.fail(w, r, s, err)
		return
	}
	p.ticketPage(w, r, s, id, http.StatusOK, ticketState{})
}

// thread is the part of a ticket page that live updates replace.
type thread struct {
	T           *desk.Ticket
	Ref         string
	Space       *desk.Space
	Project     string
	Comments    []desk.Comment
	Files       map[int64][]desk.Attachment // by comment id, 0 for the ticket's own
	Events      []eventLine
	LastSeq     int64
	Actions     []desk.Action
	N           *names
	Times       *app.TicketTimes
	Now         time.Time
	Staff       bool
	Author      bool
	CanComment  bool
	Resolutions []string
}

// eventLine is one entry of the history as the page shows it.
type eventLine struct {
	Seq     int64
	At      string
	Who     string
	What    string
	Private bool
}

func (p *Pages) thread(r *http.Request, s *session, id int64) (*thread, error) {
	ctx := r.Context()
	page := desk.Page{Limit: desk.MaxPageSize}
	v, err := p.svc.TicketView(ctx, s.A, id, app.ViewParts{Comments: &page, History: true})
	if err != nil {
		return nil, err
	}
	t := v.Ticket
	sp, err := p.svc.Space(ctx, s.A, t.SpaceID)
	if err != nil {
		return nil, err
	}
	n := p.names(r, s.A)
	n.keys[sp.ID] = sp.Key
	th := &thread{T: t, Ref: desk.Ref(sp.Key, t.Number), Space: sp, N: n, Staff: s.A.Staff(),
		Author: s.A.UserID == t.AuthorID, Now: p.svc.Now(),
		CanComment: t.Status != desk.Closed && (s.A.Staff() || s.A.IsClientMember(t.SpaceID)),
		Actions:    desk.Allowed(s.A, t), Files: map[int64][]desk.Attachment{}}
	if t.ProjectID != 0 {
		if pr, err := p.svc.Project(ctx, s.A, t.ProjectID); err == nil {
			th.Project = pr.Name
		}
	}
	th.Comments = v.Comments
	files, err := p.svc.Attachments(ctx, s.A, id)
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		th.Files[f.CommentID] = append(th.Files[f.CommentID], f)
	}
	for i := range v.Events {
		e := &v.Events[i]
		th.Events = append(th.Events, eventLine{Seq: e.Seq, At: when(e.At), Who: n.Person(e.ActorID),
			What: describe(s.L, e, n), Private: e.Private})
		th.LastSeq = e.Seq
	}
	if th.Resolutions, err = p.svc.Resolutions(ctx); err != nil {
		return nil, err
	}
	if th.Times, err = p.svc.TicketTimes(ctx, s.A, t); err != nil {
		return nil, err
	}
	return th, nil
}

func (p *Pages) ticketPage(w http.ResponseWriter, r *http.Request, s *session, id int64, status int, st ticketState) {
	th, err := p.thread(r, s, id)
	if err != nil {
		p.fail(w, r, s, err)
		return
	}
	if st.Typed == nil {
		st.Typed = url.Values{}
	}
	data := map[string]any{"Th": th, "St": st}
	if s.A.Staff() {
		staff, err := p.staff(r, s)
		if err != nil {
			p.fail(w, r, s, err)
			return
		}
		data["StaffUsers"] = staff
	}
	if slices.Contains(th.Actions, desk.Reassign) {
		members, err := p.spaceMembers(r, s, th.T.SpaceID)
		if err != nil {
			p.fail(w, r, s, err)
			return
		}
		data["Members"] = members
	}
	p.show(w, r, s, status, "ticket.html", data)
}

// staff lists the provider's people, for assignment.
func (p *Pages) staff(r *http.Request, s *session) ([]desk.User, error) {
	var out []desk.User
	pg := desk.Page{Limit: desk.MaxPageSize}
	for range 5 {
		users, err := p.svc.Users(r.Context(), s.A, pg)
		if err != nil {
			return nil, err
		}
		for _, u := range users {
			if u.OrgID == s.A.OrgID && !u.Disabled {
				out = append(out, u)
			}
		}
		if len(users) < pg.Limit {
			break
		}
		pg.After = users[len(users)-1].ID
	}
	return out, nil
}

// spaceMembers lists the people who are members of a space.
func (p *Pages) spaceMembers(r *http.Request, s *session, spaceID int64) ([]desk.User, error) {
	ms, err := p.svc.Members(r.Context(), s.A, spaceID, desk.Page{Limit: desk.MaxPageSize})
	if err != nil {
		return nil, err
	}
	out := make([]desk.User, 0, len(ms))
	for _, m := range ms {
		if u, err := p.svc.User(r.Context(), s.A, m.UserID); err == nil {
			out = append(out, *u)
		}
	}
	return out, nil
}

// describe says what an event did, in language l.
func describe(l string, e *desk.Event, n *names) string {
	var d map[string]any
	_ = json.Unmarshal(e.Data, &d)
	str := func(k string) string {
		if v, ok := d[k]; ok && v != nil {
			return fmt.Sprint(v)
		}
		return ""
	}
	switch e.Kind {
	case desk.EvCreated:
		return text(l, "ev.created")
	case desk.EvTransition:
		line := fmt.Sprintf(text(l, "ev.transition"), text(l, "status."+str("from")), text(l, "status."+str("to")))
		if r := str("resolution"); r != "" && str("to") == string(desk.ToClose) {
			line += " (" + text(l, "res."+r) + ")"
		}
		if r := str("rating"); r != "" {
			line += " — " + fmt.Sprintf(text(l, "ev.rating"), r)
		}
		return line
	case desk.EvFieldChange:
		field := str("field")
		before, after := str("before"), str("after")
		switch field {
		case "criticality":
			before, after = text(l, "crit."+before), text(l, "crit."+after)
		case "priority":
			before, after = "P"+before, "P"+after
		}
		return fmt.Sprintf(text(l, "ev.field"), text(l, "field."+field), before, after)
	case desk.EvAssigned:
		key := "ev.assigned"
		if str("field") == "engineer_id" {
			key = "ev.engineer"
		}
		return fmt.Sprintf(text(l, key), personOf(n, d["after"]))
	case desk.EvCommented:
		if e.Private {
			return text(l, "ev.commented.private")
		}
		return text(l, "ev.commented")
	case desk.EvAttached:
		return fmt.Sprintf(text(l, "ev.attached"), str("name"))
	case desk.EvReassigned:
		return fmt.Sprintf(text(l, "ev.reassigned"), personOf(n, d["author_after"]))
	case desk.EvLiked:
		return text(l, "ev.liked")
	}
	return string(e.Kind)
}

func personOf(n *names, v any) string {
	f, ok := v.(float64)
	if !ok || f == 0 {
		return "—"
	}
	if s := n.Person(int64(f)); s != "" {
		return s
	}
	return "—"
}

// Live answers an open ticket page's poll: 204 when nothing the visitor may see
// has happened since event seq, otherwise the page's changing parts. It reads the
// database, so it sees what any instance wrote.
func (p *Pages) Live(w http.ResponseWriter, r *http.Request) {
	s, ok := p.signedIn(w, r)
	if !ok {
		return
	}
	id, err := ticketID(r)
	if err != nil {
		p.fail(w, r, s, err)
		return
	}
	seq, _ := strconv.ParseInt(r.URL.Query().Get("seq"), 10, 64)
	// The history alone says whether anything changed: two queries per poll
	// while nothing happens.
	events, err := p.svc.History(r.Context(), s.A, id)
	if err != nil {
		p.fail(w, r, s, err)
		return
	}
	if len(events) > 0 && events[len(events)-1].Seq == seq {
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusNoContent)
		return
	}
	th, err := p.thread(r, s, id)
	if err != nil {
		p.fail(w, r, s, err)
		return
	}
	data := map[string]any{"L": s.L, "A": s.A, "Th": th, "St": ticketState{Typed: url.Values{}},
		"StatusChanged": r.URL.Query().Get("status") != string(th.T.Status)}
	if slices.Contains(th.Actions, desk.Reassign) {
		if data["Members"], err = p.spaceMembers(r, s, th.T.SpaceID); err != nil {
			p.fail(w, r, s, err)
			return
		}
	}
	p.render(w, r, http.StatusOK, "live", data)
}

// Comment adds a comment (public, or private for staff) with its files.
func (p *Pages) Comment(w http.ResponseWriter, r *http.Request) {
	s, ok := p.signedIn(w, r)
	if !ok {
		return
	}
	id, err := ticketID(r)
	if err != nil {
		p.fail(w, r, s, err)
		return
	}
	up := &upload{maxFile: p.maxUpload()}
	defer up.close()
	fields, files, err := up.read(w, r)
	if err == nil {
		_, err = p.svc.AddComment(r.Context(), s.A, id, app.NewComment{Body: fields.Get("body"),
			Private: fields.Get("private") != "", Files: files})
	}
	p.after(w, r, s, id, "comment", fields, err, "#comments")
}

// after ends a ticket form: back to the ticket page on success; otherwise the page
// again with the message next to the field and what was typed.
func (p *Pages) after(w http.ResponseWriter, r *http.Request, s *session, id int64, form string, typed url.Values, err error, anchor string) {
	if err == nil {
		http.Redirect(w, r, "/tickets/"+strconv.FormatInt(id, 10)+anchor, http.StatusSeeOther)
		return
	}
	e, ok := desk.AsError(err)
	if !ok || e.Code == desk.NotFound || e.Code == desk.Internal || e.Code == desk.Unauthenticated {
		p.fail(w, r, s, err)
		return
	}
	st := ticketState{Form: form, Typed: typed, Errors: map[string]string{}}
	status := api.Status(e.Code)
	if e.Field != "" {
		st.Errors[e.Field] = fieldMessage(s.L, e)
	} else {
		st.Errors["form"] = e.Message
	}
	p.ticketPage(w, r, s, id, status, st)
}

// Transition takes a workflow action with the fields it needs.
func (p *Pages) Transition(w http.ResponseWriter, r *http.Request) {
	s, ok := p.signedIn(w, r)
	if !ok {
		return
	}
	id, err := ticketID(r)
	if err != nil {
		p.fail(w, r, s, err)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFields)
	if err := r.ParseForm(); err != nil {
		p.fail(w, r, s, desk.FieldError("form", "could not be read"))
		return
	}
	f := r.PostForm
	in := desk.TransitionInput{Action: desk.Action(f.Get("action")), Resolution: f.Get("resolution"),
		RDIssue: f.Get("rd_issue"), Decision: desk.Decision(f.Get("decision")), DecisionNote: f.Get("decision_note"),
		TargetVersion: f.Get("target_version"), RatingComment: f.Get("rating_comment"), Reason: f.Get("reason")}
	if v := f.Get("rating"); v != "" {
		if in.Rating, err = strconv.Atoi(v); err != nil {
			in.Rating = -1
		}
	}
	if v := f.Get("new_author_id"); v != "" {
		in.NewAuthorID, _ = strconv.ParseInt(v, 10, 64)
	}
	_, err = p.svc.Transition(r.Context(), s.A, id, in)
	p.after(w, r, s, id, string(in.Action), f, err, "")
}

// Assign gives the ticket to an agent and an engineer (staff).
func (p *Pages) Assign(w http.ResponseWriter, r *http.Request) {
	s, ok := p.signedIn(w, r)
	if !ok {
		return
	}
	id, err := ticketID(r)
	if err != nil {
		p.fail(w, r, s, err)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFields)
	assignee, _ := strconv.ParseInt(r.PostFormValue("assignee_id"), 10, 64)
	engineer, _ := strconv.ParseInt(r.PostFormValue("engineer_id"), 10, 64)
	_, err = p.svc.Assign(r.Context(), s.A, id, &assignee, &engineer)
	p.after(w, r, s, id, "assign", r.PostForm, err, "")
}

// Priority sets the internal priority, or settles the criticality under
// discussion (staff).
func (p *Pages) Priority(w http.ResponseWriter, r *http.Request) {
	s, ok := p.signedIn(w, r)
	if !ok {
		return
	}
	id, err := ticketID(r)
	if err != nil {
		p.fail(w, r, s, err)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFields)
	var patch app.TicketPatch
	if v := r.PostFormValue("priority"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			n = 0
		}
		pr := desk.Priority(n)
		patch.Priority = &pr
	}
	patch.SettleDispute = r.PostFormValue("settle") != ""
	_, err = p.svc.UpdateTicket(r.Context(), s.A, id, patch)
	p.after(w, r, s, id, "priority", r.PostForm, err, "")
}

// Mentions suggests the people an @mention being typed may name: only those who
// would see the comment (an htmx fragment).
func (p *Pages) Mentions(w http.ResponseWriter, r *http.Request) {
	s, ok := p.signedIn(w, r)
	if !ok {
		return
	}
	id, err := ticketID(r)
	if err != nil {
		p.fail(w, r, s, err)
		return
	}
	q := r.URL.Query()
	body := q.Get("body")
	prefix, typing := mentionTyped(body)
	var people []desk.User
	if typing {
		people, err = p.svc.MentionCandidates(r.Context(), s.A, id, q.Get("private") != "", prefix)
		if err != nil {
			p.fail(w, r, s, err)
			return
		}
	}
	p.render(w, r, http.StatusOK, "mentions", map[string]any{"L": s.L, "People": people, "Typing": typing})
}

// mentionTyped returns the @word at the end of body, if one is being typed.
func mentionTyped(body string) (string, bool) {
	i := strings.LastIndexByte(body, '@')
	if i < 0 {
		return "", false
	}
	word := body[i+1:]
	if strings.ContainsAny(word, " \t\r\n") || len(word) > 100 || (i > 0 && !strings.ContainsRune(" \t\r\n(", rune(body[i-1]))) {
		return "", false
	}
	return word, true
}

// Attachment streams an attachment the visitor may see, always as a download.
func (p *Pages) Attachment(w http.ResponseWriter, r *http.Request) {
	s, ok := p.signedIn(w, r)
	if !ok {
		return
	}
	id, err := strconv.ParseInt(r.PathValue("attachment_id"), 10, 64)
	if err != nil {
		p.fail(w, r, s, desk.ErrNotFound("attachment"))
		return
	}
	att, body, err := p.svc.OpenAttachment(r.Context(), s.A, id)
	if err != nil {
		p.fail(w, r, s, err)
		return
	}
	defer body.Close()
	h := w.Header()
	h.Set("Content-Type", "application/octet-stream")
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": att.Name}))
	h.Set("Content-Length", strconv.FormatInt(att.Size, 10))
	h.Set("Cache-Control", "private, no-store")
	h.Set("Content-Security-Policy", "sandbox")
	_, _ = io.Copy(w, body)
}
