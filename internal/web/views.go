package web

import (
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"guichet/internal/api"
	"guichet/internal/app"
	"guichet/internal/desk"
)

// Saved views and the queue's figures: the views are listed beside the ticket
// list with the number of tickets each shows; a view opens as the list's own
// address, so that its filters show in the form and can be changed from there.

// viewMessages are the saved views' words, merged into messages at start.
var viewMessages = map[string]map[string]string{
	"fr": {
		"views.title":     "Vues enregistrées",
		"views.none":      "Aucune vue enregistrée : filtrez la liste, puis enregistrez-la ici.",
		"views.save":      "Enregistrer cette vue",
		"views.name":      "Nom de la vue",
		"views.shared":    "Partagée avec toute l'équipe support",
		"views.sharedby":  "partagée",
		"views.rename":    "Renommer",
		"views.change":    "Modifier",
		"views.delete":    "Supprimer",
		"counts.title":    "Compteurs",
		"counts.hint":     "Pour les filtres actuels, tous statuts confondus.",
		"counts.breached": "Délai dépassé",
		"counts.soon":     "Échéance sous 24 h",
	},
	"en": {
		"views.title":     "Saved views",
		"views.none":      "No saved view: filter the list, then save it here.",
		"views.save":      "Save this view",
		"views.name":      "View name",
		"views.shared":    "Shared with the whole support team",
		"views.sharedby":  "shared",
		"views.rename":    "Rename",
		"views.change":    "Change",
		"views.delete":    "Delete",
		"counts.title":    "Counts",
		"counts.hint":     "For the current filters, whatever the status.",
		"counts.breached": "Deadline missed",
		"counts.soon":     "Due within 24 h",
	},
}

func init() {
	for l, m := range viewMessages {
		maps.Copy(messages[l], m)
	}
}

// countText shows a figure: "1 000+" past the cap.
func countText(l string, c app.Count) string {
	s := strconv.Itoa(c.N)
	if l == "fr" && c.N >= 1000 {
		s = s[:len(s)-3] + "\u202f" + s[len(s)-3:]
	} else if c.N >= 1000 {
		s = s[:len(s)-3] + "," + s[len(s)-3:]
	}
	if c.More {
		s += "+"
	}
	return s
}

// viewLink is one saved view as the queue lists it.
type viewLink struct {
	app.SavedView
	Count   string
	Own     bool
	Current bool
}

// statusCount is one figure of the queue, with the list it stands for.
type statusCount struct {
	Status desk.Status
	Count  string
	Link   string
}

// queueSide adds to data what the queue shows beside its list: the visitor's
// saved views with their figures, and the counts of the current filter.
func (p *Pages) queueSide(r *http.Request, s *session, f app.TicketFilter, q url.Values, data map[string]any) error {
	ctx := r.Context()
	views, err := p.svc.SavedViews(ctx, s.A)
	if err != nil {
		return err
	}
	counts, err := p.svc.SavedViewCounts(ctx, s.A, views)
	if err != nil {
		return err
	}
	links := make([]viewLink, len(views))
	for i, v := range views {
		links[i] = viewLink{SavedView: v, Count: countText(s.L, counts[i]), Own: v.OwnerID == s.A.UserID,
			Current: q.Get("view") == strconv.FormatInt(v.ID, 10)}
	}
	data["Views"], data["Query"] = links, q.Encode()
	if _, ok := data["RenameID"]; !ok {
		data["RenameID"] = int64(0) // no rename form refused: the template compares ids
	}
	tc, err := p.svc.TicketCounts(ctx, s.A, f)
	if desk.ErrorCode(err) == desk.Invalid {
		return nil // the list shows why; no figures for a filter it refused
	}
	if err != nil {
		return err
	}
	var byStatus []statusCount
	for _, st := range desk.Statuses {
		link := cloneValues(q)
		link.Del("cursor")
		link.Del("view")
		link.Set("status", string(st))
		byStatus = append(byStatus, statusCount{Status: st, Count: countText(s.L, tc.ByStatus[st]), Link: "?" + link.Encode()})
	}
	data["Counts"] = byStatus
	if tc.Breached != nil {
		data["Breached"], data["DueSoon"] = countText(s.L, *tc.Breached), countText(s.L, *tc.DueSoon)
	}
	return nil
}

// viewFilterOf is the saved-view form of the list's address q, read as the list
// reads it (listQuery); a filter the list refuses is refused here, at its field.
func viewFilterOf(q url.Values, s *session) (app.ViewFilter, error) {
	f, errs := listQuery(q, s)
	for _, field := range slices.Sorted(maps.Keys(errs)) {
		if field != "cursor" {
			return app.ViewFilter{}, desk.FieldError("filter."+field, "%s", errs[field])
		}
	}
	v := app.ViewFilter{ProjectID: f.ProjectID, Nature: f.Nature, Criticality: f.Criticality, Priority: f.Priority,
		Mine: q.Get("mine") == "1", Text: f.Text, Sort: f.Sort, Desc: f.Desc}
	switch st := q.Get("status"); st {
	case "":
		v.Status = slices.Clone(activeStatuses)
	case "all":
	default:
		v.Status = f.Status
	}
	if sp := q.Get("space"); sp != "" {
		id, err := strconv.ParseInt(sp, 10, 64)
		if err != nil || id <= 0 {
			return v, desk.FieldError("filter.space", "%s", text(s.L, "filter.invalid"))
		}
		v.SpaceID = id
	}
	return v, nil
}

// viewQuery is the list's address for view v: what viewFilterOf reads back.
func viewQuery(v *app.SavedView) url.Values {
	f, q := v.Filter, url.Values{}
	if f.SpaceID > 0 {
		q.Set("space", strconv.FormatInt(f.SpaceID, 10))
	}
	if f.ProjectID > 0 {
		q.Set("project", strconv.FormatInt(f.ProjectID, 10))
	}
	switch {
	case len(f.Status) == 0:
		q.Set("status", "all")
	case slices.Equal(f.Status, activeStatuses):
	default:
		sts := make([]string, len(f.Status))
		for i, st := range f.Status {
			sts[i] = string(st)
		}
		q.Set("status", strings.Join(sts, ","))
	}
	for k, val := range map[string]string{"nature": string(f.Nature), "criticality": string(f.Criticality),
		"q": f.Text, "sort": string(f.Sort)} {
		if val != "" {
			q.Set(k, val)
		}
	}
	if f.Priority != 0 {
		q.Set("priority", strconv.Itoa(int(f.Priority)))
	}
	if f.Mine {
		q.Set("mine", "1")
	}
	if f.Desc {
		q.Set("order", "desc")
	} else if f.Sort != "" {
		q.Set("order", "asc")
	}
	q.Set("view", strconv.FormatInt(v.ID, 10))
	return q
}

// CreateView saves the queue's current filters (the form's "query") as a view.
func (p *Pages) CreateView(w http.ResponseWriter, r *http.Request) {
	s, ok := p.signedIn(w, r)
	if !ok {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFields)
	name, query := r.PostFormValue("name"), r.PostFormValue("query")
	q, err := url.ParseQuery(query)
	if err != nil {
		p.fail(w, r, s, desk.FieldError("query", "is not a list address"))
		return
	}
	q.Del("view")
	f, err := viewFilterOf(q, s)
	var v *app.SavedView
	if err == nil {
		shared := r.PostFormValue("shared") == "1"
		v, err = p.svc.CreateSavedView(r.Context(), s.A, app.SavedViewInput{Name: &name, Shared: &shared, Filter: &f})
	}
	if err != nil {
		p.viewError(w, r, s, q, err, map[string]any{"ViewName": name})
		return
	}
	http.Redirect(w, r, "/tickets?"+viewQuery(v).Encode(), http.StatusSeeOther)
}

// OpenView opens a saved view: the list at the view's address.
func (p *Pages) OpenView(w http.ResponseWriter, r *http.Request) {
	s, ok := p.signedIn(w, r)
	if !ok {
		return
	}
	v, err := p.view(r, s)
	if err != nil {
		p.fail(w, r, s, err)
		return
	}
	http.Redirect(w, r, "/tickets?"+viewQuery(v).Encode(), http.StatusSeeOther)
}

// UpdateView renames a view, or shares it or not.
func (p *Pages) UpdateView(w http.ResponseWriter, r *http.Request) {
	s, ok := p.signedIn(w, r)
	if !ok {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFields)
	id, err := pathID(r, "view_id", "view")
	if err != nil {
		p.fail(w, r, s, err)
		return
	}
	name, shared := r.PostFormValue("name"), r.PostFormValue("shared") == "1"
	in := app.SavedViewInput{Name: &name}
	if s.A.Staff() {
		in.Shared = &shared
	}
	v, err := p.svc.UpdateSavedView(r.Context(), s.A, id, in)
	if err != nil {
		p.viewError(w, r, s, url.Values{}, err, map[string]any{"RenameID": id, "RenameName": name})
		return
	}
	http.Redirect(w, r, "/tickets?"+viewQuery(v).Encode(), http.StatusSeeOther)
}

// DeleteView deletes one of the visitor's views.
func (p *Pages) DeleteView(w http.ResponseWriter, r *http.Request) {
	s, ok := p.signedIn(w, r)
	if !ok {
		return
	}
	id, err := pathID(r, "view_id", "view")
	if err == nil {
		err = p.svc.DeleteSavedView(r.Context(), s.A, id)
	}
	if err != nil {
		p.fail(w, r, s, err)
		return
	}
	http.Redirect(w, r, "/tickets", http.StatusSeeOther)
}

func (p *Pages) view(r *http.Request, s *session) (*app.SavedView, error) {
	id, err := pathID(r, "view_id", "view")
	if err != nil {
		return nil, err
	}
	return p.svc.SavedView(r.Context(), s.A, id)
}

// viewError shows the queue again at address q with the message of a refused
// view form; anything but a refused input is an error page.
func (p *Pages) viewError(w http.ResponseWriter, r *http.Request, s *session, q url.Values, err error, data map[string]any) {
	e, ok := desk.AsError(err)
	if !ok || (e.Code != desk.Invalid && e.Code != desk.Conflict) {
		p.fail(w, r, s, err)
		return
	}
	msg := fieldMessage(s.L, e)
	if strings.HasPrefix(e.Field, "filter.") {
		msg = e.Field + " : " + msg
	}
	data["ViewError"] = msg
	r.URL.RawQuery = q.Encode()
	p.ticketList(w, r, s, nil, api.Status(e.Code), data)
}
