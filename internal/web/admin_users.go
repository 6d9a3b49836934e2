package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"guichet/internal/app"
	"guichet/internal/desk"
)

// userForm is a user as its form holds it. The password is never shown again.
type userForm struct {
	Org, Email, Name, Locale string
	Roles                    []string
	Disabled                 bool
}

func userFormOf(u *desk.User) userForm {
	f := userForm{Org: idText(u.OrgID), Email: u.Email, Name: u.Name, Locale: u.Locale, Disabled: u.Disabled}
	for _, g := range u.Roles {
		f.Roles = append(f.Roles, string(g.Role))
	}
	return f
}

func readUserForm(r *http.Request) userForm {
	return userForm{Org: r.PostFormValue("org"), Email: strings.TrimSpace(r.PostFormValue("email")),
		Name: r.PostFormValue("name"), Locale: r.PostFormValue("locale"), Roles: r.PostForm["roles"],
		Disabled: r.PostFormValue("disabled") != ""}
}

// HasRole tells whether the form gives role r.
func (f userForm) HasRole(r desk.Role) bool { return slices.Contains(f.Roles, string(r)) }

func (f userForm) roles() []desk.Role {
	out := make([]desk.Role, 0, len(f.Roles))
	for _, r := range f.Roles {
		out = append(out, desk.Role(r))
	}
	return out
}

// userFields maps the use case's fields to the form's.
var userFields = map[string]string{"org_id": "org", "email": "email", "name": "name", "locale": "locale",
	"password": "password", "roles": "roles", "disabled": "disabled"}

// userRow is a user in the list.
type userRow struct {
	desk.User
	Org   string
	Roles []desk.Role
}

// AdminUsers lists the users, of one organisation when the filter names one.
func (p *Pages) AdminUsers(w http.ResponseWriter, r *http.Request) {
	s, ok := p.staffOnly(w, r)
	if !ok {
		return
	}
	orgs, err := p.allOrganisations(r, s)
	if err != nil {
		p.fail(w, r, s, err)
		return
	}
	names := map[int64]string{}
	for _, o := range orgs {
		names[o.ID] = o.Name
	}
	page := desk.Page{After: afterParam(r), Limit: desk.DefaultPageSize}
	org, _ := formID(r.URL.Query().Get("org"), "org")
	var users []desk.User
	if org != 0 {
		users, err = p.svc.UsersOf(r.Context(), s.A, org, page)
	} else {
		users, err = p.svc.Users(r.Context(), s.A, page)
	}
	if err != nil {
		p.fail(w, r, s, err)
		return
	}
	rows := make([]userRow, len(users))
	for i, u := range users {
		rows[i] = userRow{User: u, Org: names[u.OrgID]}
		for _, g := range u.Roles {
			rows[i].Roles = append(rows[i].Roles, g.Role)
		}
	}
	data := map[string]any{"Users": rows, "Orgs": orgs, "OrgFilter": idText(org), "Admin": isAdmin(s.A),
		"Done": r.URL.Query().Get("done")}
	if len(users) == page.Limit {
		data["Next"] = users[len(users)-1].ID
	}
	p.show(w, r, s, http.StatusOK, "admin_users.html", data)
}

// NewUser shows the form of a new user, for the organisation of the filter.
func (p *Pages) NewUser(w http.ResponseWriter, r *http.Request) {
	s, ok := p.staffOnly(w, r)
	if !ok {
		return
	}
	p.userPage(w, r, s, http.StatusOK, nil, userForm{Org: r.URL.Query().Get("org"), Locale: s.L}, nil)
}

// AdminUser shows a user, as a form for administrators.
func (p *Pages) AdminUser(w http.ResponseWriter, r *http.Request) {
	s, ok := p.staffOnly(w, r)
	if !ok {
		return
	}
	u, err := p.userOf(r, s)
	if err != nil {
		p.fail(w, r, s, err)
		return
	}
	p.userPage(w, r, s, http.StatusOK, u, userFormOf(u), nil)
}

func (p *Pages) userOf(r *http.Request, s *session) (*desk.User, error) {
	id, err := pathID(r, "user_id", "user")
	if err != nil {
		return nil, err
	}
	return p.svc.User(r.Context(), s.A, id)
}

// userPage shows the user form (a new one when u is nil). The roles offered
// are those of the organisation's kind, both sides while none is chosen.
func (p *Pages) userPage(w http.ResponseWriter, r *http.Request, s *session, status int, u *desk.User, f userForm, errs map[string]string) {
	orgs, err := p.allOrganisations(r, s)
	if err != nil {
		p.fail(w, r, s, err)
		return
	}
	data := map[string]any{"User": u, "Form": f, "Errors": errs, "Admin": isAdmin(s.A), "Orgs": orgs,
		"ProviderRoles": desk.ProviderRoles, "ClientRoles": desk.ClientRoles, "Self": u != nil && u.ID == s.A.UserID,
		"Done": r.URL.Query().Get("done")}
	org, _ := formID(f.Org, "org")
	if i := slices.IndexFunc(orgs, func(o desk.Organisation) bool { return o.ID == org }); i >= 0 {
		data["Org"] = orgs[i]
	}
	p.show(w, r, s, status, "admin_user.html", data)
}

// CreateUser adds a person with their organisation, roles, language and first
// password.
func (p *Pages) CreateUser(w http.ResponseWriter, r *http.Request) {
	s, ok := p.adminOnly(w, r, (*desk.Actor).CanManageParties)
	if !ok {
		return
	}
	f := readUserForm(r)
	org, err := formID(f.Org, "org_id")
	var u *desk.User
	if err == nil {
		u, err = p.svc.CreateUser(r.Context(), s.A, app.NewUser{OrgID: org, Email: f.Email, Name: f.Name,
			Locale: f.Locale, Password: r.PostFormValue("password"), Roles: f.roles()})
	}
	if sentTwice(w, r, err, p.userWithEmail(r, s, org, f.Email)) {
		return
	}
	if err != nil {
		p.userError(w, r, s, nil, f, err)
		return
	}
	afterSave(w, r, "/admin/users/"+strconv.FormatInt(u.ID, 10), "created")
}

// UpdateUser changes a user's name, language, roles, or disables the account.
func (p *Pages) UpdateUser(w http.ResponseWriter, r *http.Request) {
	s, ok := p.adminOnly(w, r, (*desk.Actor).CanManageParties)
	if !ok {
		return
	}
	u, err := p.userOf(r, s)
	if err != nil {
		p.fail(w, r, s, err)
		return
	}
	f := readUserForm(r)
	f.Org, f.Email = idText(u.OrgID), u.Email
	roles := f.roles()
	_, err = p.svc.UpdateUser(r.Context(), s.A, u.ID, app.UserPatch{Name: &f.Name, Locale: &f.Locale,
		Disabled: &f.Disabled, Roles: &roles})
	if err != nil {
		p.userError(w, r, s, u, f, err)
		return
	}
	afterSave(w, r, "/admin/users/"+strconv.FormatInt(u.ID, 10), "saved")
}

func (p *Pages) userError(w http.ResponseWriter, r *http.Request, s *session, u *desk.User, f userForm, err error) {
	errs, status, ok := formErrors(s.L, err, userFields, "email")
	if !ok {
		p.fail(w, r, s, err)
		return
	}
	p.userPage(w, r, s, status, u, f, errs)
}
