package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"guichet/internal/app"
	"guichet/internal/desk"
)

// spaceForm is a space as its form holds it.
type spaceForm struct {
	Client, Key, Name string
	Diagnostic        bool
}

func readSpaceForm(r *http.Request) spaceForm {
	return spaceForm{Client: r.PostFormValue("client"), Key: strings.TrimSpace(r.PostFormValue("key")),
		Name: r.PostFormValue("name"), Diagnostic: r.PostFormValue("require_diagnostic") != ""}
}

// spaceFields maps the use case's fields to the form's.
var spaceFields = map[string]string{"client_id": "client", "key": "key", "name": "name"}

// spaceRow is a space in the list.
type spaceRow struct {
	desk.Space
	Client string
}

// AdminSpaces lists the spaces, of one client when the filter names one, with
// the form of a new space.
func (p *Pages) AdminSpaces(w http.ResponseWriter, r *http.Request) {
	s, ok := p.staffOnly(w, r)
	if !ok {
		return
	}
	p.spacesPage(w, r, s, http.StatusOK, spaceForm{Client: r.URL.Query().Get("client"), Diagnostic: true}, nil)
}

func (p *Pages) spacesPage(w http.ResponseWriter, r *http.Request, s *session, status int, f spaceForm, errs map[string]string) {
	orgs, err := p.allOrganisations(r, s)
	if err != nil {
		p.fail(w, r, s, err)
		return
	}
	names := map[int64]string{}
	for _, o := range orgs {
		names[o.ID] = o.Name
	}
	client, _ := formID(r.URL.Query().Get("client"), "client")
	var spaces []desk.Space
	if client != 0 {
		spaces, err = p.svc.SpacesOf(r.Context(), s.A, client)
	} else {
		spaces, err = p.allSpaces(r, s)
	}
	if err != nil {
		p.fail(w, r, s, err)
		return
	}
	rows := make([]spaceRow, len(spaces))
	for i, sp := range spaces {
		rows[i] = spaceRow{Space: sp, Client: names[sp.ClientID]}
	}
	p.show(w, r, s, status, "admin_spaces.html", map[string]any{"Spaces": rows, "Clients": clientsOf(orgs),
		"ClientFilter": idText(client), "Form": f, "Errors": errs, "Admin": isAdmin(s.A),
		"Done": r.URL.Query().Get("done")})
}

// clientsOf keeps the clients of orgs.
func clientsOf(orgs []desk.Organisation) []desk.Organisation {
	out := make([]desk.Organisation, 0, len(orgs))
	for _, o := range orgs {
		if o.Kind == desk.Client {
			out = append(out, o)
		}
	}
	return out
}

// allSpaces reads every space the visitor sees.
func (p *Pages) allSpaces(r *http.Request, s *session) ([]desk.Space, error) {
	return everyPage(func(pg desk.Page) ([]desk.Space, error) { return p.svc.Spaces(r.Context(), s.A, pg) },
		func(sp desk.Space) int64 { return sp.ID })
}

// CreateSpace adds a support space to a client.
func (p *Pages) CreateSpace(w http.ResponseWriter, r *http.Request) {
	s, ok := p.adminOnly(w, r, (*desk.Actor).CanManageParties)
	if !ok {
		return
	}
	f := readSpaceForm(r)
	client, err := formID(f.Client, "client_id")
	var sp *desk.Space
	if err == nil {
		sp, err = p.svc.CreateSpace(r.Context(), s.A, app.NewSpace{ClientID: client, Key: f.Key, Name: f.Name,
			RequireDiagnostic: &f.Diagnostic})
	}
	if sentTwice(w, r, err, p.spaceWithKey(r, s, client, f.Key)) {
		return
	}
	if err != nil {
		errs, status, ok := formErrors(s.L, err, spaceFields, "key")
		if !ok {
			p.fail(w, r, s, err)
			return
		}
		p.spacesPage(w, r, s, status, f, errs)
		return
	}
	afterSave(w, r, "/admin/spaces/"+strconv.FormatInt(sp.ID, 10), "created")
}

// AdminSpace shows a space with its projects: forms for administrators (and,
// for projects, account managers), and the way to its members page.
func (p *Pages) AdminSpace(w http.ResponseWriter, r *http.Request) {
	s, ok := p.staffOnly(w, r)
	if !ok {
		return
	}
	sp, err := p.space(r, s)
	if err != nil {
		p.fail(w, r, s, err)
		return
	}
	p.spacePage(w, r, s, http.StatusOK, sp, spaceForm{Name: sp.Name, Diagnostic: sp.RequireDiagnostic}, nil)
}

// spacePage shows a space's page; errs may hold "name" (the space's), "project"
// (the new project's) and "project-ID" (a renamed one's), typed values in f and
// typed.
func (p *Pages) spacePage(w http.ResponseWriter, r *http.Request, s *session, status int, sp *desk.Space, f spaceForm, errs map[string]string, typed ...string) {
	projects, err := p.svc.Projects(r.Context(), s.A, sp.ID, desk.Page{Limit: desk.MaxPageSize})
	if err != nil {
		p.fail(w, r, s, err)
		return
	}
	client, err := p.svc.Organisation(r.Context(), s.A, sp.ClientID)
	if err != nil {
		p.fail(w, r, s, err)
		return
	}
	data := map[string]any{"Space": sp, "Client": client, "Projects": projects, "Form": f, "Errors": errs,
		"Admin": isAdmin(s.A), "ManageProjects": s.A.CanManageProjects(), "Done": r.URL.Query().Get("done"),
		"TypedFor": "", "Typed": ""}
	contracts, err := p.contractsWhere(r, s, func(c *desk.Contract) bool { return slices.Contains(c.SpaceIDs, sp.ID) })
	if err != nil {
		p.fail(w, r, s, err)
		return
	}
	data["Contracts"] = contracts
	if len(typed) == 2 {
		data["TypedFor"], data["Typed"] = typed[0], typed[1]
	}
	p.show(w, r, s, status, "admin_space.html", data)
}

// UpdateSpace renames a space or changes whether anomalies need the diagnostic.
func (p *Pages) UpdateSpace(w http.ResponseWriter, r *http.Request) {
	s, ok := p.adminOnly(w, r, (*desk.Actor).CanManageParties)
	if !ok {
		return
	}
	sp, err := p.space(r, s)
	if err != nil {
		p.fail(w, r, s, err)
		return
	}
	f := readSpaceForm(r)
	if _, err := p.svc.UpdateSpace(r.Context(), s.A, sp.ID, app.SpacePatch{Name: &f.Name, RequireDiagnostic: &f.Diagnostic}); err != nil {
		errs, status, ok := formErrors(s.L, err, spaceFields, "name")
		if !ok {
			p.fail(w, r, s, err)
			return
		}
		p.spacePage(w, r, s, status, sp, f, errs)
		return
	}
	afterSave(w, r, "/admin/spaces/"+strconv.FormatInt(sp.ID, 10), "saved")
}

// AddProject adds a project to a space from the space's administration page.
func (p *Pages) AddProject(w http.ResponseWriter, r *http.Request) {
	s, ok := p.adminOnly(w, r, (*desk.Actor).CanManageProjects)
	if !ok {
		return
	}
	sp, err := p.space(r, s)
	if err != nil {
		p.fail(w, r, s, err)
		return
	}
	name := r.PostFormValue("name")
	if _, err := p.svc.CreateProject(r.Context(), s.A, sp.ID, name); err != nil {
		p.projectError(w, r, s, sp, "new", name, err)
		return
	}
	afterSave(w, r, "/admin/spaces/"+strconv.FormatInt(sp.ID, 10), "saved")
}

// RenameProject renames a project.
func (p *Pages) RenameProject(w http.ResponseWriter, r *http.Request) {
	s, ok := p.adminOnly(w, r, (*desk.Actor).CanManageProjects)
	if !ok {
		return
	}
	id, err := pathID(r, "project_id", "project")
	var pr *desk.Project
	if err == nil {
		pr, err = p.svc.Project(r.Context(), s.A, id)
	}
	if err != nil {
		p.fail(w, r, s, err)
		return
	}
	name := r.PostFormValue("name")
	if _, err := p.svc.UpdateProject(r.Context(), s.A, pr.ID, name); err != nil {
		sp, serr := p.svc.Space(r.Context(), s.A, pr.SpaceID)
		if serr != nil {
			p.fail(w, r, s, serr)
			return
		}
		p.projectError(w, r, s, sp, strconv.FormatInt(pr.ID, 10), name, err)
		return
	}
	afterSave(w, r, "/admin/spaces/"+strconv.FormatInt(pr.SpaceID, 10), "saved")
}

// projectError shows the space page again with a project form's error: which
// is "new" or the renamed project's id.
func (p *Pages) projectError(w http.ResponseWriter, r *http.Request, s *session, sp *desk.Space, which, name string, err error) {
	errs, status, ok := formErrors(s.L, err, map[string]string{"name": "project-" + which}, "name")
	if !ok {
		p.fail(w, r, s, err)
		return
	}
	p.spacePage(w, r, s, status, sp, spaceForm{Name: sp.Name, Diagnostic: sp.RequireDiagnostic}, errs, which, name)
}
