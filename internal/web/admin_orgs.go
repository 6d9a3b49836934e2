package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"guichet/internal/app"
	"guichet/internal/desk"
)

// orgForm is an organisation as its form holds it.
type orgForm struct {
	Name, Kind, TrainedOn string
	Trained               bool
}

func orgFormOf(o *desk.Organisation) orgForm {
	f := orgForm{Name: o.Name, Kind: string(o.Kind), Trained: o.Trained}
	if o.TrainedOn != nil {
		f.TrainedOn = o.TrainedOn.UTC().Format(time.DateOnly)
	}
	return f
}

func readOrgForm(r *http.Request) orgForm {
	return orgForm{Name: r.PostFormValue("name"), Kind: r.PostFormValue("kind"),
		TrainedOn: strings.TrimSpace(r.PostFormValue("trained_on")), Trained: r.PostFormValue("trained") != ""}
}

// trainedOn reads the training date; empty is none.
func (f orgForm) trainedOn() (*time.Time, error) {
	if f.TrainedOn == "" {
		return nil, nil
	}
	d, err := time.Parse(time.DateOnly, f.TrainedOn)
	if err != nil {
		return nil, desk.FieldError("trained_on", "must be a date such as 2026-03-15")
	}
	return &d, nil
}

// orgFields maps the use case's fields to the form's.
var orgFields = map[string]string{"name": "name", "kind": "kind", "trained": "trained", "trained_on": "trained_on"}

// orgRow is an organisation in the list.
type orgRow struct {
	desk.Organisation
	TrainedOn string
}

// AdminOrganisations lists the organisations, by kind, with the form of a new one.
func (p *Pages) AdminOrganisations(w http.ResponseWriter, r *http.Request) {
	s, ok := p.staffOnly(w, r)
	if !ok {
		return
	}
	p.orgsPage(w, r, s, http.StatusOK, orgForm{Kind: string(desk.Client)}, nil)
}

func (p *Pages) orgsPage(w http.ResponseWriter, r *http.Request, s *session, status int, f orgForm, errs map[string]string) {
	orgs, err := p.allOrganisations(r, s)
	if err != nil {
		p.fail(w, r, s, err)
		return
	}
	kind := desk.OrgKind(r.URL.Query().Get("kind"))
	rows := make([]orgRow, 0, len(orgs))
	for _, o := range orgs {
		if kind != "" && o.Kind != kind {
			continue
		}
		rows = append(rows, orgRow{Organisation: o, TrainedOn: orgFormOf(&o).TrainedOn})
	}
	p.show(w, r, s, status, "admin_orgs.html", map[string]any{"Orgs": rows, "Kind": string(kind), "Form": f,
		"Errors": errs, "Admin": isAdmin(s.A), "Done": r.URL.Query().Get("done"), "NewKinds": orgKinds,
		"AllKinds": []desk.OrgKind{desk.Provider, desk.Client, desk.Partner}})
}

// CreateOrganisation adds a client or a partner from the list's form.
func (p *Pages) CreateOrganisation(w http.ResponseWriter, r *http.Request) {
	s, ok := p.adminOnly(w, r, (*desk.Actor).CanManageParties)
	if !ok {
		return
	}
	f := readOrgForm(r)
	on, err := f.trainedOn()
	var o *desk.Organisation
	if err == nil {
		o, err = p.svc.CreateOrganisation(r.Context(), s.A, app.NewOrganisation{Kind: desk.OrgKind(f.Kind), Name: f.Name,
			Trained: f.Trained, TrainedOn: on})
	}
	if sentTwice(w, r, err, p.organisationNamed(r, s, f.Kind, f.Name)) {
		return
	}
	if err != nil {
		errs, status, ok := formErrors(s.L, err, orgFields, "name")
		if !ok {
			p.fail(w, r, s, err)
			return
		}
		p.orgsPage(w, r, s, status, f, errs)
		return
	}
	afterSave(w, r, "/admin/organisations/"+strconv.FormatInt(o.ID, 10), "created")
}

// AdminOrganisation shows an organisation, as a form for administrators.
func (p *Pages) AdminOrganisation(w http.ResponseWriter, r *http.Request) {
	s, ok := p.staffOnly(w, r)
	if !ok {
		return
	}
	o, err := p.organisationOf(r, s)
	if err != nil {
		p.fail(w, r, s, err)
		return
	}
	p.orgPage(w, r, s, http.StatusOK, o, orgFormOf(o), nil)
}

func (p *Pages) organisationOf(r *http.Request, s *session) (*desk.Organisation, error) {
	id, err := pathID(r, "org_id", "organisation")
	if err != nil {
		return nil, err
	}
	return p.svc.Organisation(r.Context(), s.A, id)
}

func (p *Pages) orgPage(w http.ResponseWriter, r *http.Request, s *session, status int, o *desk.Organisation, f orgForm, errs map[string]string) {
	data := map[string]any{"Org": o, "Form": f, "Errors": errs, "Admin": isAdmin(s.A), "Done": r.URL.Query().Get("done")}
	if o.Kind == desk.Client {
		spaces, err := p.svc.SpacesOf(r.Context(), s.A, o.ID)
		if err != nil {
			p.fail(w, r, s, err)
			return
		}
		data["Spaces"] = spaces
		if data["Contracts"], err = p.contractsWhere(r, s, func(c *desk.Contract) bool { return c.ClientID == o.ID }); err != nil {
			p.fail(w, r, s, err)
			return
		}
	}
	p.show(w, r, s, status, "admin_org.html", data)
}

// UpdateOrganisation renames an organisation or records a partner's training.
func (p *Pages) UpdateOrganisation(w http.ResponseWriter, r *http.Request) {
	s, ok := p.adminOnly(w, r, (*desk.Actor).CanManageParties)
	if !ok {
		return
	}
	o, err := p.organisationOf(r, s)
	if err != nil {
		p.fail(w, r, s, err)
		return
	}
	f := readOrgForm(r)
	f.Kind = string(o.Kind)
	patch := app.OrganisationPatch{Name: &f.Name}
	on, err := f.trainedOn()
	if err == nil && o.Kind == desk.Partner {
		patch.Trained, patch.TrainedOn = &f.Trained, &on
	}
	if err == nil {
		_, err = p.svc.UpdateOrganisation(r.Context(), s.A, o.ID, patch)
	}
	if err != nil {
		errs, status, ok := formErrors(s.L, err, orgFields, "name")
		if !ok {
			p.fail(w, r, s, err)
			return
		}
		p.orgPage(w, r, s, status, o, f, errs)
		return
	}
	afterSave(w, r, "/admin/organisations/"+strconv.FormatInt(o.ID, 10), "saved")
}

// orgKinds are the kinds an administrator creates: the provider exists once.
var orgKinds = []desk.OrgKind{desk.Client, desk.Partner}
