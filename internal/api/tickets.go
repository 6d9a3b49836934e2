package api

import (
	"encoding/hex"
	"encoding/json"
	"io"
	"maps"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"guichet/internal/app"
	"guichet/internal/desk"
	"guichet/internal/markdown"
)

// Ticket is the JSON form of a ticket. Priority is support's internal priority:
// it is left out of every answer to client and partner users.
type Ticket struct {
	ID                         int64            `json:"id"`
	Ref                        string           `json:"ref"`
	SpaceID                    int64            `json:"space_id"`
	Number                     int64            `json:"number"`
	ProjectID                  int64            `json:"project_id,omitempty"`
	Title                      string           `json:"title"`
	Nature                     desk.Nature      `json:"nature"`
	Criticality                desk.Criticality `json:"criticality"`
	Priority                   *desk.Priority   `json:"priority,omitempty"`
	CriticalityUnderDiscussion bool             `json:"criticality_under_discussion"`
	Category                   string           `json:"category"`
	Keywords                   []string         `json:"keywords"`
	ProductVersion             string           `json:"product_version"`
	ModuleVersions             string           `json:"module_versions"`
	Description                string           `json:"description"`
	DescriptionHTML            string           `json:"description_html"`
	LogExcerpt                 string           `json:"log_excerpt"`
	Channel                    desk.Channel     `json:"channel"`
	AuthorID                   int64            `json:"author_id"`
	AssigneeID                 int64            `json:"assignee_id,omitempty"`
	EngineerID                 int64            `json:"engineer_id,omitempty"`
	Status                     desk.Status      `json:"status"`
	Resolution                 string           `json:"resolution,omitempty"`
	RDIssue                    string           `json:"rd_issue,omitempty"`
	Decision                   desk.Decision    `json:"decision,omitempty"`
	DecisionNote               string           `json:"decision_note,omitempty"`
	TargetVersion              string           `json:"target_version,omitempty"`
	Rating                     int              `json:"rating,omitempty"`
	RatingComment              string           `json:"rating_comment,omitempty"`
	CreatedAt                  time.Time        `json:"created_at"`
	UpdatedAt                  time.Time        `json:"updated_at"`
	ClosedAt                   *time.Time       `json:"closed_at"`
	// Actions lists the workflow actions the caller may take now (single ticket only).
	Actions []desk.Action `json:"actions,omitempty"`
	// Objectives and Stale are the ticket's time rules (single ticket only).
	Objectives []Objective `json:"objectives,omitempty"`
	Stale      *Stale      `json:"stale,omitempty"`
	// Comments and Events are below the ticket when ?include= asks for them.
	Comments *List[Comment] `json:"comments,omitempty"`
	Events   *List[Event]   `json:"events,omitempty"`
}

func ticketOf(a *desk.Actor, keys map[int64]string, t *desk.Ticket, full bool) Ticket {
	out := Ticket{ID: t.ID, Ref: desk.Ref(keys[t.SpaceID], t.Number), SpaceID: t.SpaceID, Number: t.Number,
		ProjectID: t.ProjectID, Title: t.Title, Nature: t.Nature, Criticality: t.Criticality,
		CriticalityUnderDiscussion: t.PriorityDisputed, Category: t.Category, Keywords: t.Keywords,
		ProductVersion: t.ProductVersion, ModuleVersions: t.ModuleVersions, Channel: t.Channel,
		AuthorID: t.AuthorID, AssigneeID: t.AssigneeID, EngineerID: t.EngineerID, Status: t.Status,
		Resolution: t.Resolution, RDIssue: t.RDIssue, Decision: t.Decision, DecisionNote: t.DecisionNote,
		TargetVersion: t.TargetVersion, Rating: t.Rating, RatingComment: t.RatingComment,
		CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt, ClosedAt: t.ClosedAt}
	if out.Keywords == nil {
		out.Keywords = []string{}
	}
	if a.Staff() {
		p := t.Priority
		out.Priority = &p
	}
	if full {
		out.Description, out.DescriptionHTML, out.LogExcerpt = t.Description, markdown.HTML(t.Description), t.LogExcerpt
		out.Actions = desk.Allowed(a, t)
	}
	return out
}

// spaceKeys maps the spaces of tickets to their keys, for references.
func (h *Handler) spaceKeys(r *http.Request, tickets ...desk.Ticket) (map[int64]string, error) {
	keys := map[int64]string{}
	var ids []int64
	for _, t := range tickets {
		if _, ok := keys[t.SpaceID]; !ok {
			keys[t.SpaceID] = ""
			ids = append(ids, t.SpaceID)
		}
	}
	if len(ids) == 0 {
		return keys, nil
	}
	found, err := h.svc.SpaceKeys(r.Context(), ids)
	if err != nil {
		return nil, err
	}
	maps.Copy(keys, found)
	return keys, nil
}

// respondTicket answers with a ticket in full, or with err as a problem.
func (h *Handler) respondTicket(w http.ResponseWriter, r *http.Request, status int, t *desk.Ticket, err error) {
	var full Ticket
	if err == nil {
		full, err = h.fullTicket(r, t)
	}
	respond(w, r, status, full, err, func(t Ticket) Ticket { return t })
}

// fullTicket is the JSON form of one ticket: its reference, description, actions
// and time rules.
func (h *Handler) fullTicket(r *http.Request, t *desk.Ticket) (Ticket, error) {
	keys, err := h.spaceKeys(r, *t)
	if err != nil {
		return Ticket{}, err
	}
	full := ticketOf(actor(r), keys, t, true)
	return full, h.withTimes(r, t, &full)
}

// idAndUpload reads the numeric path parameter name, then the body: JSON into in,
// or multipart/form-data whose "json" part goes into in and whose "files" parts
// are spooled to sp.
func (h *Handler) idAndUpload(w http.ResponseWriter, r *http.Request, name string, in any, sp *spool) (int64, []app.File, error) {
	id, err := pathID(r, name)
	if err != nil {
		return 0, nil, err
	}
	if isMultipart(r) {
		files, err := h.readMultipart(w, r, in, sp)
		return id, files, err
	}
	return id, nil, decode(w, r, in)
}

type ticketInput struct {
	ProjectID      int64            `json:"project_id"`
	Title          string           `json:"title"`
	Nature         desk.Nature      `json:"nature"`
	Criticality    desk.Criticality `json:"criticality"`
	Category       string           `json:"category"`
	Keywords       []string         `json:"keywords"`
	ProductVersion string           `json:"product_version"`
	ModuleVersions string           `json:"module_versions"`
	Description    string           `json:"description"`
	LogExcerpt     string           `json:"log_excerpt"`
	Channel        desk.Channel     `json:"channel"`
	AuthorID       int64            `json:"author_id"`
}

// CreateTicket opens a ticket in a space: a JSON body, or multipart/form-data with
// a "json" part and "files" parts.
func (h *Handler) CreateTicket(w http.ResponseWriter, r *http.Request) {
	var in ticketInput
	sp := &spool{dir: h.tempDir}
	defer sp.close()
	spaceID, files, err := h.idAndUpload(w, r, "space_id", &in, sp)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	if in.Channel == "" {
		in.Channel = desk.API
	}
	t, err := h.svc.OpenTicket(r.Context(), actor(r), app.NewTicket{SpaceID: spaceID, ProjectID: in.ProjectID,
		Title: in.Title, Nature: in.Nature, Criticality: in.Criticality, Category: in.Category, Keywords: in.Keywords,
		ProductVersion: in.ProductVersion, ModuleVersions: in.ModuleVersions, Description: in.Description,
		LogExcerpt: in.LogExcerpt, Channel: in.Channel, AuthorID: in.AuthorID, Files: files})
	h.respondTicket(w, r, http.StatusCreated, t, err)
}

// GetTicket answers with one ticket, its description rendered, and the actions the
// caller may take; with ?include=comments,events, a page of its comments (?limit=,
// ?cursor=) and its history too: a ticket's page in one request.
func (h *Handler) GetTicket(w http.ResponseWriter, r *http.Request) {
	parts, err := viewPartsOf(r)
	var v *app.TicketView
	if err == nil {
		v, err = withID(r, "ticket_id", func(id int64) (*app.TicketView, error) {
			return h.svc.TicketView(r.Context(), actor(r), id, parts)
		})
	}
	var full Ticket
	if err == nil {
		full, err = h.fullTicket(r, v.Ticket)
	}
	if err == nil && parts.Comments != nil {
		comments := listOf(v.Comments, *parts.Comments, commentOf, commentID)
		full.Comments = &comments
	}
	if err == nil && parts.History {
		events := itemsOf(v.Events, eventOf)
		full.Events = &events
	}
	respond(w, r, http.StatusOK, full, err, func(t Ticket) Ticket { return t })
}

// viewPartsOf reads ?include=, a list of comments and events separated by commas,
// with the page of comments (?limit=, ?cursor=) it may ask for.
func viewPartsOf(r *http.Request) (app.ViewParts, error) {
	var parts app.ViewParts
	include := r.URL.Query().Get("include")
	if include == "" {
		return parts, nil
	}
	for part := range strings.SplitSeq(include, ",") {
		switch strings.TrimSpace(part) {
		case "comments":
			p, err := pageOf(r)
			if err != nil {
				return parts, err
			}
			parts.Comments = &p
		case "events":
			parts.History = true
		default:
			return parts, desk.FieldError("include", "%q: write comments, events or both, separated by a comma", part)
		}
	}
	return parts, nil
}

// GetTicketByRef answers with the ticket of a reference such as SUP-1042.
func (h *Handler) GetTicketByRef(w http.ResponseWriter, r *http.Request) {
	t, err := h.svc.TicketByRef(r.Context(), actor(r), r.PathValue("ref"))
	h.respondTicket(w, r, http.StatusOK, t, err)
}

// UpdateTicket changes a ticket's fields.
func (h *Handler) UpdateTicket(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Title                    *string           `json:"title"`
		ProjectID                *int64            `json:"project_id"`
		Criticality              *desk.Criticality `json:"criticality"`
		Priority                 *desk.Priority    `json:"priority"`
		SettleCriticalityDispute bool              `json:"settle_criticality_dispute"`
		Category                 *string           `json:"category"`
		Keywords                 *[]string         `json:"keywords"`
		ProductVersion           *string           `json:"product_version"`
		ModuleVersions           *string           `json:"module_versions"`
	}
	id, err := idAndBody(w, r, "ticket_id", &in)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	t, err := h.svc.UpdateTicket(r.Context(), actor(r), id, app.TicketPatch{Title: in.Title, ProjectID: in.ProjectID,
		Criticality: in.Criticality, Priority: in.Priority, SettleDispute: in.SettleCriticalityDispute,
		Category: in.Category, Keywords: in.Keywords, ProductVersion: in.ProductVersion, ModuleVersions: in.ModuleVersions})
	h.respondTicket(w, r, http.StatusOK, t, err)
}

// TransitionTicket takes a workflow action.
func (h *Handler) TransitionTicket(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Action        desk.Action   `json:"action"`
		Resolution    string        `json:"resolution"`
		RDIssue       string        `json:"rd_issue"`
		Decision      desk.Decision `json:"decision"`
		DecisionNote  string        `json:"decision_note"`
		TargetVersion string        `json:"target_version"`
		Rating        int           `json:"rating"`
		RatingComment string        `json:"rating_comment"`
		NewAuthorID   int64         `json:"new_author_id"`
		Reason        string        `json:"reason"`
	}
	id, err := idAndBody(w, r, "ticket_id", &in)
	if err == nil && in.Action == "" {
		err = desk.FieldError("action", "is required")
	}
	if err != nil {
		WriteError(w, r, err)
		return
	}
	t, err := h.svc.Transition(r.Context(), actor(r), id, desk.TransitionInput{Action: in.Action,
		Resolution: in.Resolution, RDIssue: in.RDIssue, Decision: in.Decision, DecisionNote: in.DecisionNote,
		TargetVersion: in.TargetVersion, Rating: in.Rating, RatingComment: in.RatingComment,
		NewAuthorID: in.NewAuthorID, Reason: in.Reason})
	h.respondTicket(w, r, http.StatusOK, t, err)
}

// AssignTicket sets the agent and the engineer of a ticket.
func (h *Handler) AssignTicket(w http.ResponseWriter, r *http.Request) {
	var in struct {
		AssigneeID *int64 `json:"assignee_id"`
		EngineerID *int64 `json:"engineer_id"`
	}
	id, err := idAndBody(w, r, "ticket_id", &in)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	t, err := h.svc.Assign(r.Context(), actor(r), id, in.AssigneeID, in.EngineerID)
	h.respondTicket(w, r, http.StatusOK, t, err)
}

// ticketFilter reads the list filters from the query string.
func ticketFilter(r *http.Request) (app.TicketFilter, error) {
	q := r.URL.Query()
	var f app.TicketFilter
	ints := []struct {
		name string
		dst  *int64
	}{{"space_id", &f.SpaceID}, {"project_id", &f.ProjectID}, {"assignee_id", &f.AssigneeID}, {"author_id", &f.AuthorID}}
	for _, p := range ints {
		if s := q.Get(p.name); s != "" {
			n, err := strconv.ParseInt(s, 10, 64)
			if err != nil || n < 0 {
				return f, desk.FieldError(p.name, "must be a whole number")
			}
			*p.dst = n
		}
	}
	for _, s := range q["status"] {
		for _, st := range strings.Split(s, ",") {
			if err := desk.CheckStatus(desk.Status(st)); err != nil {
				return f, err
			}
			f.Status = append(f.Status, desk.Status(st))
		}
	}
	if s := q.Get("nature"); s != "" {
		if err := desk.CheckNature(desk.Nature(s)); err != nil {
			return f, err
		}
		f.Nature = desk.Nature(s)
	}
	if s := q.Get("criticality"); s != "" {
		if err := desk.CheckCriticality(desk.Criticality(s)); err != nil {
			return f, err
		}
		f.Criticality = desk.Criticality(s)
	}
	if s := q.Get("priority"); s != "" {
		n, err := strconv.Atoi(strings.TrimPrefix(strings.ToUpper(s), "P"))
		if err != nil || desk.CheckPriority(desk.Priority(n)) != nil {
			return f, desk.FieldError("priority", "must be 1 to 4 (P1 to P4)")
		}
		f.Priority = desk.Priority(n)
	}
	f.Text = strings.TrimSpace(q.Get("q"))
	if len([]rune(f.Text)) > desk.MaxTitleLen {
		return f, desk.FieldError("q", "must be at most %d characters", desk.MaxTitleLen)
	}
	f.Sort = app.TicketSort(q.Get("sort"))
	switch q.Get("order") {
	case "", "asc":
	case "desc":
		f.Desc = true
	default:
		return f, desk.FieldError("order", "must be asc or desc")
	}
	n, err := limitOf(q)
	if err != nil {
		return f, err
	}
	f.Limit = n
	if s := q.Get("cursor"); s != "" {
		c, ok := app.ParseCursor(s)
		if !ok {
			return f, desk.FieldError("cursor", "is not a cursor this server gave")
		}
		f.After = c
	}
	return f, nil
}

// ListTickets lists the tickets the caller may see: the agent queue for provider
// staff, the tickets of their spaces for clients, the partner's read-only view.
func (h *Handler) ListTickets(w http.ResponseWriter, r *http.Request) {
	f, err := ticketFilter(r)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	h.listTickets(w, r, f)
}

// ListSpaceTickets lists the tickets of one space.
func (h *Handler) ListSpaceTickets(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "space_id")
	if err != nil {
		WriteError(w, r, err)
		return
	}
	f, err := ticketFilter(r)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	f.SpaceID = id
	h.listTickets(w, r, f)
}

func (h *Handler) listTickets(w http.ResponseWriter, r *http.Request, f app.TicketFilter) {
	a := actor(r)
	items, err := h.svc.Tickets(r.Context(), a, f)
	// The cursor follows the order the use case applied.
	if f.Limit == 0 {
		f.Limit = desk.DefaultPageSize
	}
	if f.Sort == "" || (f.Sort == app.SortPriority && !a.Staff()) {
		f.Sort = app.SortPriority
		if !a.Staff() {
			f.Sort = app.SortCriticality
		}
	}
	h.respondTickets(w, r, items, err, f.Limit, func(t *desk.Ticket) string { return app.CursorAfter(t, f.Sort) })
}

// SimilarTickets lists earlier tickets of a space whose title matches ?q=.
func (h *Handler) SimilarTickets(w http.ResponseWriter, r *http.Request) {
	items, err := withID(r, "space_id", func(id int64) ([]desk.Ticket, error) {
		return h.svc.SimilarTickets(r.Context(), actor(r), id, r.URL.Query().Get("q"))
	})
	h.respondTickets(w, r, items, err, 0, nil)
}

// respondTickets answers with a list of tickets, or with err as a problem. A full
// page (limit tickets, when limit is not 0) carries the cursor after its last one.
func (h *Handler) respondTickets(w http.ResponseWriter, r *http.Request, items []desk.Ticket, err error, limit int,
	cursor func(*desk.Ticket) string) {
	var keys map[int64]string
	if err == nil {
		keys, err = h.spaceKeys(r, items...)
	}
	respond(w, r, http.StatusOK, items, err, func(items []desk.Ticket) List[Ticket] {
		out := itemsOf(items, func(t *desk.Ticket) Ticket { return ticketOf(actor(r), keys, t, false) })
		if limit > 0 && len(items) == limit {
			out.NextCursor = cursor(&items[len(items)-1])
		}
		return out
	})
}

// Comment is the JSON form of a comment.
type Comment struct {
	ID        int64     `json:"id"`
	TicketID  int64     `json:"ticket_id"`
	AuthorID  int64     `json:"author_id"`
	Body      string    `json:"body"`
	BodyHTML  string    `json:"body_html"`
	Private   bool      `json:"private"`
	Mentions  []int64   `json:"mentions"`
	Likes     int       `json:"likes"`
	CreatedAt time.Time `json:"created_at"`
}

func commentOf(c *desk.Comment) Comment {
	m := c.Mentions
	if m == nil {
		m = []int64{}
	}
	return Comment{ID: c.ID, TicketID: c.TicketID, AuthorID: c.AuthorID, Body: c.Body, BodyHTML: markdown.HTML(c.Body),
		Private: c.Private, Mentions: m, Likes: c.Likes, CreatedAt: c.CreatedAt}
}

func commentID(c *desk.Comment) int64 { return c.ID }

// ListComments lists a ticket's comments the caller may see.
func (h *Handler) ListComments(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "ticket_id")
	if err != nil {
		WriteError(w, r, err)
		return
	}
	writePage(w, r, func(p desk.Page) ([]desk.Comment, error) {
		return h.svc.Comments(r.Context(), actor(r), id, p)
	}, commentOf, commentID)
}

// CreateComment comments on a ticket: JSON, or multipart with files.
func (h *Handler) CreateComment(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Body    string `json:"body"`
		Private bool   `json:"private"`
	}
	sp := &spool{dir: h.tempDir}
	defer sp.close()
	id, files, err := h.idAndUpload(w, r, "ticket_id", &in, sp)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	c, err := h.svc.AddComment(r.Context(), actor(r), id, app.NewComment{Body: in.Body, Private: in.Private, Files: files})
	respond(w, r, http.StatusCreated, c, err, commentOf)
}

// LikeComment recommends a comment.
func (h *Handler) LikeComment(w http.ResponseWriter, r *http.Request) {
	c, err := withID(r, "comment_id", func(id int64) (*desk.Comment, error) {
		return h.svc.LikeComment(r.Context(), actor(r), id)
	})
	respond(w, r, http.StatusOK, c, err, commentOf)
}

// Attachment is the JSON form of an attachment's description.
type Attachment struct {
	ID          int64     `json:"id"`
	TicketID    int64     `json:"ticket_id"`
	CommentID   int64     `json:"comment_id,omitempty"`
	Name        string    `json:"name"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	SHA256      string    `json:"sha256"`
	UploaderID  int64     `json:"uploader_id"`
	CreatedAt   time.Time `json:"created_at"`
	URL         string    `json:"url"`
}

func attachmentOf(a *desk.Attachment) Attachment {
	return Attachment{ID: a.ID, TicketID: a.TicketID, CommentID: a.CommentID, Name: a.Name, ContentType: a.ContentType,
		Size: a.Size, SHA256: a.SHA256, UploaderID: a.UploaderID, CreatedAt: a.CreatedAt,
		URL: "/api/v1/attachments/" + strconv.FormatInt(a.ID, 10)}
}

func attachmentList(items []desk.Attachment) List[Attachment] { return itemsOf(items, attachmentOf) }

// ListAttachments lists a ticket's attachments the caller may see.
func (h *Handler) ListAttachments(w http.ResponseWriter, r *http.Request) {
	items, err := withID(r, "ticket_id", func(id int64) ([]desk.Attachment, error) {
		return h.svc.Attachments(r.Context(), actor(r), id)
	})
	respond(w, r, http.StatusOK, items, err, attachmentList)
}

// CreateAttachments attaches files (multipart "files" parts) to a ticket.
func (h *Handler) CreateAttachments(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "ticket_id")
	if err == nil && !isMultipart(r) {
		err = desk.FieldError("files", "send the files as multipart/form-data parts named files")
	}
	if err != nil {
		WriteError(w, r, err)
		return
	}
	sp := &spool{dir: h.tempDir}
	defer sp.close()
	files, err := h.readMultipart(w, r, nil, sp)
	var items []desk.Attachment
	if err == nil {
		items, err = h.svc.AddAttachments(r.Context(), actor(r), id, files)
	}
	respond(w, r, http.StatusCreated, items, err, attachmentList)
}

// DownloadAttachment streams an attachment, always as a download.
func (h *Handler) DownloadAttachment(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "attachment_id")
	if err != nil {
		WriteError(w, r, err)
		return
	}
	att, body, err := h.svc.OpenAttachment(r.Context(), actor(r), id)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	defer body.Close()
	hd := w.Header()
	hd.Set("Content-Type", "application/octet-stream")
	hd.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": att.Name}))
	hd.Set("Content-Length", strconv.FormatInt(att.Size, 10))
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Cache-Control", "private, no-store")
	hd.Set("Content-Security-Policy", "sandbox")
	hd.Set("ETag", `"`+att.SHA256+`"`)
	_, _ = io.Copy(w, body)
}

// Event is the JSON form of a history entry.
type Event struct {
	Seq      int64           `json:"seq"`
	ActorID  int64           `json:"actor_id,omitempty"`
	At       time.Time       `json:"at"`
	Kind     desk.EventKind  `json:"kind"`
	Data     json.RawMessage `json:"data"`
	Hash     string          `json:"hash"`
	PrevHash string          `json:"prev_hash,omitempty"`
}

func eventOf(e *desk.Event) Event {
	return Event{Seq: e.Seq, ActorID: e.ActorID, At: e.At, Kind: e.Kind, Data: e.Data,
		Hash: hex.EncodeToString(e.Hash), PrevHash: hex.EncodeToString(e.PrevHash)}
}

// ListEvents answers with a ticket's history as the caller may see it.
func (h *Handler) ListEvents(w http.ResponseWriter, r *http.Request) {
	events, err := withID(r, "ticket_id", func(id int64) ([]desk.Event, error) {
		return h.svc.History(r.Context(), actor(r), id)
	})
	respond(w, r, http.StatusOK, events, err, func(events []desk.Event) List[Event] { return itemsOf(events, eventOf) })
}

// GetResolutions lists the resolution types in force.
func (h *Handler) GetResolutions(w http.ResponseWriter, r *http.Request) {
	if actor(r).Anonymous() {
		WriteError(w, r, desk.Errorf(desk.Unauthenticated, "sign in first"))
		return
	}
	list, err := h.svc.Resolutions(r.Context())
	if err != nil {
		WriteError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"resolutions": list})
}

// SetResolutions replaces the resolution types.
func (h *Handler) SetResolutions(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Resolutions []string `json:"resolutions"`
	}
	if err := decode(w, r, &in); err != nil {
		WriteError(w, r, err)
		return
	}
	if err := h.svc.SetResolutions(r.Context(), actor(r), in.Resolutions); err != nil {
		WriteError(w, r, err)
		return
	}
	h.GetResolutions(w, r)
}
