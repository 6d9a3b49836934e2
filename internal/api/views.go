package api

import (
	"net/http"
	"time"

	"guichet/internal/app"
	"guichet/internal/desk"
)

// ViewFilter is a saved view's filter, in the words of the ticket list's query
// parameters. mine stands for whoever opens the view.
type ViewFilter struct {
	SpaceID     int64            `json:"space_id,omitempty"`
	ProjectID   int64            `json:"project_id,omitempty"`
	Status      []desk.Status    `json:"status,omitempty"`
	Nature      desk.Nature      `json:"nature,omitempty"`
	Criticality desk.Criticality `json:"criticality,omitempty"`
	Priority    desk.Priority    `json:"priority,omitempty"`
	Mine        bool             `json:"mine,omitempty"`
	Q           string           `json:"q,omitempty"`
	Sort        app.TicketSort   `json:"sort,omitempty"`
	Order       string           `json:"order,omitempty"`
}

func viewFilterOf(f app.ViewFilter) ViewFilter {
	out := ViewFilter{SpaceID: f.SpaceID, ProjectID: f.ProjectID, Status: f.Status, Nature: f.Nature,
		Criticality: f.Criticality, Priority: f.Priority, Mine: f.Mine, Q: f.Text, Sort: f.Sort}
	if f.Desc {
		out.Order = "desc"
	}
	return out
}

func (f ViewFilter) app() (app.ViewFilter, error) {
	out := app.ViewFilter{SpaceID: f.SpaceID, ProjectID: f.ProjectID, Status: f.Status, Nature: f.Nature,
		Criticality: f.Criticality, Priority: f.Priority, Mine: f.Mine, Text: f.Q, Sort: f.Sort}
	switch f.Order {
	case "", "asc":
	case "desc":
		out.Desc = true
	default:
		return out, desk.FieldError("filter.order", "must be asc or desc")
	}
	return out, nil
}

// View is the JSON form of a saved view.
type View struct {
	ID        int64      `json:"id"`
	OwnerID   int64      `json:"owner_id"`
	Name      string     `json:"name"`
	Shared    bool       `json:"shared"`
	Filter    ViewFilter `json:"filter"`
	CreatedAt time.Time  `json:"created_at"`
	UpdatedAt time.Time  `json:"updated_at"`
	// Count is the view's figure, with ?counts=true only.
	Count *Count `json:"count,omitempty"`
}

func viewOf(v *app.SavedView) View {
	return View{ID: v.ID, OwnerID: v.OwnerID, Name: v.Name, Shared: v.Shared, Filter: viewFilterOf(v.Filter),
		CreatedAt: v.CreatedAt, UpdatedAt: v.UpdatedAt}
}

// viewInput is the body of POST and PATCH /views.
type viewInput struct {
	Name   *string     `json:"name"`
	Shared *bool       `json:"shared"`
	Filter *ViewFilter `json:"filter"`
}

func (in viewInput) app() (app.SavedViewInput, error) {
	out := app.SavedViewInput{Name: in.Name, Shared: in.Shared}
	if in.Filter != nil {
		f, err := in.Filter.app()
		if err != nil {
			return out, err
		}
		out.Filter = &f
	}
	return out, nil
}

// ListViews lists the caller's saved views and those shared with them, each
// with its figure when asked (?counts=true).
func (h *Handler) ListViews(w http.ResponseWriter, r *http.Request) {
	list, err := h.svc.SavedViews(r.Context(), actor(r))
	var counts []app.Count
	switch c := r.URL.Query().Get("counts"); {
	case err != nil:
	case c == "true":
		counts, err = h.svc.SavedViewCounts(r.Context(), actor(r), list)
	case c != "" && c != "false":
		err = desk.FieldError("counts", "must be true or false")
	}
	respond(w, r, http.StatusOK, list, err, func(list []app.SavedView) List[View] {
		out := itemsOf(list, viewOf)
		for i := range counts {
			c := countOf(counts[i])
			out.Items[i].Count = &c
		}
		return out
	})
}

// CreateView saves a view of the ticket list.
func (h *Handler) CreateView(w http.ResponseWriter, r *http.Request) {
	var in viewInput
	err := decode(w, r, &in)
	var v *app.SavedView
	if err == nil {
		var sv app.SavedViewInput
		if sv, err = in.app(); err == nil {
			v, err = h.svc.CreateSavedView(r.Context(), actor(r), sv)
		}
	}
	respond(w, r, http.StatusCreated, v, err, viewOf)
}

// GetView reads one saved view.
func (h *Handler) GetView(w http.ResponseWriter, r *http.Request) {
	v, err := withID(r, "view_id", func(id int64) (*app.SavedView, error) {
		return h.svc.SavedView(r.Context(), actor(r), id)
	})
	respond(w, r, http.StatusOK, v, err, viewOf)
}

// UpdateView renames, shares or refilters one of the caller's views.
func (h *Handler) UpdateView(w http.ResponseWriter, r *http.Request) {
	var in viewInput
	id, err := idAndBody(w, r, "view_id", &in)
	var v *app.SavedView
	if err == nil {
		var sv app.SavedViewInput
		if sv, err = in.app(); err == nil {
			v, err = h.svc.UpdateSavedView(r.Context(), actor(r), id, sv)
		}
	}
	respond(w, r, http.StatusOK, v, err, viewOf)
}

// DeleteView deletes one of the caller's views.
func (h *Handler) DeleteView(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "view_id")
	if err == nil {
		err = h.svc.DeleteSavedView(r.Context(), actor(r), id)
	}
	noContent(w, r, err)
}

// viewOperations are the saved-view endpoints of the OpenAPI document, in the
// order of server.Routes.
var viewOperations = []apiOperation{
	{method: "GET", path: "/views", id: "listViews", tag: "views", query: []string{"view_counts"},
		summary: "List saved views", status: 200, result: "ViewList", errors: []int{422},
		description: "The caller's own views and, for provider staff, the views other staff share, by name. " +
			"Another person's private view is never listed. With `counts=true`, each view has its `count`: " +
			"the tickets it shows the caller, counted like `GET /tickets/counts` (capped at 1000, `more` past it)."},
	{method: "POST", path: "/views", id: "createView", tag: "views",
		summary: "Save a view of the ticket list", body: "ViewInput", status: 201, result: "View",
		errors: []int{409},
		description: "`name` is required, at most 80 characters, unique among the caller's views (409 naming " +
			"`name`). `filter` is checked as `GET /tickets` checks its parameters: an unknown value, a " +
			"filter the caller may not use (`priority` for anyone but provider staff) or a space they " +
			"cannot see answers 422 naming `filter.<parameter>`, and nothing is saved. Only provider staff " +
			"set `shared`, which shows the view to every member of the staff. At most 50 views per person (409)."},
	{method: "GET", path: "/views/{view_id}", id: "getView", tag: "views",
		summary: "Get a saved view", status: 200, result: "View",
		description: "Another person's private view answers 404, as if it did not exist."},
	{method: "PATCH", path: "/views/{view_id}", id: "updateView", tag: "views",
		summary: "Rename, share or refilter a saved view", body: "ViewInput", status: 200, result: "View",
		errors: []int{403, 409},
		description: "The owner only: a view shared with the caller answers 403, another person's private " +
			"view 404. Fields left out keep their value; `filter`, when given, replaces the whole filter " +
			"and is checked as on creation."},
	{method: "DELETE", path: "/views/{view_id}", id: "deleteView", tag: "views",
		summary: "Delete a saved view", status: 204, errors: []int{403},
		description: "The owner only, with the same answers as `PATCH`."},
}

// withViewSchemas adds the saved-view schemas.
func withViewSchemas(s jsonObject) jsonObject {
	instant := jsonObject{"type": "string", "format": "date-time"}
	name := jsonObject{"type": "string", "minLength": 1, "maxLength": app.MaxViewNameLen,
		"description": "The view's name, trimmed of surrounding spaces; unique among its owner's views."}
	s["ViewFilter"] = jsonObject{"type": "object", "additionalProperties": false,
		"description": "The filters and order of the ticket list, named as `GET /tickets` names its parameters. " +
			"An absent `status` means every status.",
		"properties": jsonObject{
			"space_id":    schemaID("Only the tickets of this space."),
			"project_id":  schemaID("Only the tickets of this project."),
			"status":      jsonObject{"type": "array", "items": schemaRef("Status")},
			"nature":      schemaRef("Nature"),
			"criticality": schemaRef("Criticality"),
			"priority":    schemaRef("Priority"),
			"mine": jsonObject{"type": "boolean", "description": "Only the tickets of whoever opens the view: " +
				"assigned to them for provider staff, written by them for everyone else."},
			"q": jsonObject{"type": "string", "maxLength": desk.MaxTitleLen},
			"sort": jsonObject{"type": "string", "enum": []string{"priority", "created", "updated", "status",
				"nature", "criticality", "assignee", "number", "deadline"}},
			"order": jsonObject{"type": "string", "enum": []string{"asc", "desc"}},
		}}
	s["View"] = schemaObject("A saved view of the ticket list.", jsonObject{
		"id":         schemaID("The view's id."),
		"owner_id":   schemaID("Who saved it; only they change it."),
		"name":       name,
		"shared":     jsonObject{"type": "boolean", "description": "Shown to every member of the provider's staff."},
		"filter":     schemaRef("ViewFilter"),
		"created_at": instant,
		"updated_at": instant,
		"count":      schemaRef("Count"),
	}, "id", "owner_id", "name", "shared", "filter", "created_at", "updated_at")
	s["ViewList"] = schemaList("View")
	s["ViewInput"] = schemaInput("A view to save, or the fields of a view to change.", jsonObject{
		"name":   name,
		"shared": jsonObject{"type": "boolean", "default": false, "description": "Provider staff only."},
		"filter": schemaRef("ViewFilter"),
	})
	return s
}

// Count is one figure: count tickets, or more than count when more is true.
type Count struct {
	Count int  `json:"count"`
	More  bool `json:"more"`
}

func countOf(c app.Count) Count { return Count{Count: c.N, More: c.More} }

// TicketCounts is the JSON form of the queue's figures.
type TicketCounts struct {
	ByStatus map[desk.Status]Count `json:"by_status"`
	Breached *Count                `json:"breached,omitempty"`
	DueSoon  *Count                `json:"due_soon,omitempty"`
	Cap      int                   `json:"cap"`
}

// CountTickets answers the queue's figures for the list's filter.
func (h *Handler) CountTickets(w http.ResponseWriter, r *http.Request) {
	f, err := ticketFilter(r)
	var tc *app.TicketCounts
	if err == nil {
		tc, err = h.svc.TicketCounts(r.Context(), actor(r), f)
	}
	respond(w, r, http.StatusOK, tc, err, func(tc *app.TicketCounts) TicketCounts {
		out := TicketCounts{ByStatus: map[desk.Status]Count{}, Cap: app.CountCap}
		for st, c := range tc.ByStatus {
			out.ByStatus[st] = countOf(c)
		}
		if tc.Breached != nil {
			b, d := countOf(*tc.Breached), countOf(*tc.DueSoon)
			out.Breached, out.DueSoon = &b, &d
		}
		return out
	})
}

// countOperations are the figures' endpoints of the OpenAPI document.
var countOperations = []apiOperation{
	{method: "GET", path: "/tickets/counts", id: "countTickets", tag: "tickets",
		query: []string{"filter_space_id", "filter_project_id", "filter_nature", "filter_criticality",
			"filter_priority", "filter_assignee_id", "filter_author_id", "filter_q"},
		summary: "Count the tickets of a list, per status", status: 200, result: "TicketCounts", errors: []int{422},
		description: "For the filters of `GET /tickets` (its `status`, `sort`, `order`, `limit` and `cursor` are " +
			"set aside), how many tickets of each status the caller would see, exactly as the list shows them: " +
			"another tenant's tickets and security tickets one may not see are never counted. For provider " +
			"staff, also the tickets whose nearest objective deadline has passed (`breached`) or falls within " +
			"24 hours (`due_soon`). Each figure stops at `cap` (1000): past it, `more` is true."},
}

// withCountSchemas adds the figures' schemas.
func withCountSchemas(s jsonObject) jsonObject {
	s["Count"] = schemaObject("A figure: `count` tickets, or more than `count` when `more` is true.", jsonObject{
		"count": jsonObject{"type": "integer", "minimum": 0},
		"more":  jsonObject{"type": "boolean"},
	}, "count", "more")
	s["TicketCounts"] = schemaObject("The figures of a ticket list.", jsonObject{
		"by_status": jsonObject{"type": "object", "additionalProperties": schemaRef("Count"),
			"description": "One figure per status."},
		"breached": schemaRef("Count"),
		"due_soon": schemaRef("Count"),
		"cap":      jsonObject{"type": "integer", "description": "Where figures stop counting."},
	}, "by_status", "cap")
	return s
}
