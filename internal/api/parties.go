package api

import (
	"net/http"
	"time"

	"guichet/internal/app"
	"guichet/internal/desk"
)

// Handler serves the API's endpoints over the use cases.
type Handler struct {
	svc       *app.Service
	maxUpload int
	tempDir   string
}

// Options configure the API; zero values take defaults.
type Options struct {
	// MaxUpload is the largest file accepted, in bytes (default 25 MiB).
	MaxUpload int
	// TempDir receives uploads while they are checked (default: the system's).
	TempDir string
}

// New returns the API handler.
func New(svc *app.Service, o Options) *Handler {
	if o.MaxUpload <= 0 {
		o.MaxUpload = DefaultMaxUpload
	}
	return &Handler{svc: svc, maxUpload: o.MaxUpload, tempDir: o.TempDir}
}

func actor(r *http.Request) *desk.Actor { return app.ActorFrom(r.Context()) }

// Me answers with the signed-in user.
func (h *Handler) Me(w http.ResponseWriter, r *http.Request) {
	u, err := h.svc.User(r.Context(), actor(r), actor(r).UserID)
	respond(w, r, http.StatusOK, u, err, userOf)
}

// ChangePassword changes the signed-in user's password.
func (h *Handler) ChangePassword(w http.ResponseWriter, r *http.Request) {
	var in struct {
		CurrentPassword string `json:"current_password"`
		NewPassword     string `json:"new_password"`
	}
	err := decode(w, r, &in)
	if err == nil {
		err = h.svc.ChangePassword(r.Context(), actor(r), in.CurrentPassword, in.NewPassword)
	}
	noContent(w, r, err)
}

// ListOrganisations lists the organisations the actor may see.
func (h *Handler) ListOrganisations(w http.ResponseWriter, r *http.Request) {
	writePage(w, r, func(p desk.Page) ([]desk.Organisation, error) {
		return h.svc.Organisations(r.Context(), actor(r), p)
	}, organisationOf, orgID)
}

// CreateOrganisation adds an organisation.
func (h *Handler) CreateOrganisation(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Kind      desk.OrgKind `json:"kind"`
		Name      string       `json:"name"`
		Trained   bool         `json:"trained"`
		TrainedOn *Date        `json:"trained_on"`
	}
	if err := decode(w, r, &in); err != nil {
		WriteError(w, r, err)
		return
	}
	o, err := h.svc.CreateOrganisation(r.Context(), actor(r), app.NewOrganisation{
		Kind: in.Kind, Name: in.Name, Trained: in.Trained, TrainedOn: timeOf(in.TrainedOn)})
	respond(w, r, http.StatusCreated, o, err, organisationOf)
}

func timeOf(d *Date) *time.Time {
	if d == nil {
		return nil
	}
	return &d.Time
}

// GetOrganisation answers with one organisation.
func (h *Handler) GetOrganisation(w http.ResponseWriter, r *http.Request) {
	o, err := withID(r, "org_id", func(id int64) (*desk.Organisation, error) {
		return h.svc.Organisation(r.Context(), actor(r), id)
	})
	respond(w, r, http.StatusOK, o, err, organisationOf)
}

// UpdateOrganisation changes an organisation's name or training.
func (h *Handler) UpdateOrganisation(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Name      *string        `json:"name"`
		Trained   *bool          `json:"trained"`
		TrainedOn Nullable[Date] `json:"trained_on"`
	}
	id, err := idAndBody(w, r, "org_id", &in)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	patch := app.OrganisationPatch{Name: in.Name, Trained: in.Trained}
	if in.TrainedOn.Set {
		t := timeOf(in.TrainedOn.Value)
		patch.TrainedOn = &t
	}
	o, err := h.svc.UpdateOrganisation(r.Context(), actor(r), id, patch)
	respond(w, r, http.StatusOK, o, err, organisationOf)
}

// ListUsers lists the users the actor may see.
func (h *Handler) ListUsers(w http.ResponseWriter, r *http.Request) {
	writePage(w, r, func(p desk.Page) ([]desk.User, error) {
		return h.svc.Users(r.Context(), actor(r), p)
	}, userOf, userID)
}

// CreateUser adds a user.
func (h *Handler) CreateUser(w http.ResponseWriter, r *http.Request) {
	var in struct {
		OrgID    int64       `json:"org_id"`
		Email    string      `json:"email"`
		Name     string      `json:"name"`
		Locale   string      `json:"locale"`
		Password string      `json:"password"`
		Roles    []desk.Role `json:"roles"`
	}
	if err := decode(w, r, &in); err != nil {
		WriteError(w, r, err)
		return
	}
	u, err := h.svc.CreateUser(r.Context(), actor(r), app.NewUser{OrgID: in.OrgID, Email: in.Email,
		Name: in.Name, Locale: in.Locale, Password: in.Password, Roles: in.Roles})
	respond(w, r, http.StatusCreated, u, err, userOf)
}

// GetUser answers with one user.
func (h *Handler) GetUser(w http.ResponseWriter, r *http.Request) {
	u, err := withID(r, "user_id", func(id int64) (*desk.User, error) {
		return h.svc.User(r.Context(), actor(r), id)
	})
	respond(w, r, http.StatusOK, u, err, userOf)
}

// UpdateUser changes a user's name, language, roles or state.
func (h *Handler) UpdateUser(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Name     *string      `json:"name"`
		Locale   *string      `json:"locale"`
		Disabled *bool        `json:"disabled"`
		Roles    *[]desk.Role `json:"roles"`
	}
	id, err := idAndBody(w, r, "user_id", &in)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	u, err := h.svc.UpdateUser(r.Context(), actor(r), id, app.UserPatch{Name: in.Name, Locale: in.Locale,
		Disabled: in.Disabled, Roles: in.Roles})
	respond(w, r, http.StatusOK, u, err, userOf)
}

// ListSpaces lists the spaces the actor may see.
func (h *Handler) ListSpaces(w http.ResponseWriter, r *http.Request) {
	writePage(w, r, func(p desk.Page) ([]desk.Space, error) {
		return h.svc.Spaces(r.Context(), actor(r), p)
	}, spaceOf, spaceID)
}

// CreateSpace adds a space to a client.
func (h *Handler) CreateSpace(w http.ResponseWriter, r *http.Request) {
	var in struct {
		ClientID          int64  `json:"client_id"`
		Key               string `json:"key"`
		Name              string `json:"name"`
		RequireDiagnostic *bool  `json:"require_diagnostic"`
	}
	if err := decode(w, r, &in); err != nil {
		WriteError(w, r, err)
		return
	}
	s, err := h.svc.CreateSpace(r.Context(), actor(r), app.NewSpace{ClientID: in.ClientID, Key: in.Key, Name: in.Name,
		RequireDiagnostic: in.RequireDiagnostic})
	respond(w, r, http.StatusCreated, s, err, spaceOf)
}

// GetSpace answers with one space.
func (h *Handler) GetSpace(w http.ResponseWriter, r *http.Request) {
	s, err := withID(r, "space_id", func(id int64) (*desk.Space, error) {
		return h.svc.Space(r.Context(), actor(r), id)
	})
	respond(w, r, http.StatusOK, s, err, spaceOf)
}

// UpdateSpace renames a space.
func (h *Handler) UpdateSpace(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Name              *string `json:"name"`
		RequireDiagnostic *bool   `json:"require_diagnostic"`
	}
	id, err := idAndBody(w, r, "space_id", &in)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	s, err := h.svc.UpdateSpace(r.Context(), actor(r), id, app.SpacePatch{Name: in.Name, RequireDiagnostic: in.RequireDiagnostic})
	respond(w, r, http.StatusOK, s, err, spaceOf)
}

// ListProjects lists a space's projects.
func (h *Handler) ListProjects(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "space_id")
	if err != nil {
		WriteError(w, r, err)
		return
	}
	writePage(w, r, func(p desk.Page) ([]desk.Project, error) {
		return h.svc.Projects(r.Context(), actor(r), id, p)
	}, projectOf, projectID)
}

// CreateProject adds a project to a space.
func (h *Handler) CreateProject(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Name string `json:"name"`
	}
	id, err := idAndBody(w, r, "space_id", &in)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	p, err := h.svc.CreateProject(r.Context(), actor(r), id, in.Name)
	respond(w, r, http.StatusCreated, p, err, projectOf)
}

// GetProject answers with one project.
func (h *Handler) GetProject(w http.ResponseWriter, r *http.Request) {
	p, err := withID(r, "project_id", func(id int64) (*desk.Project, error) {
		return h.svc.Project(r.Context(), actor(r), id)
	})
	respond(w, r, http.StatusOK, p, err, projectOf)
}

// UpdateProject renames a project.
func (h *Handler) UpdateProject(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Name string `json:"name"`
	}
	id, err := idAndBody(w, r, "project_id", &in)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	p, err := h.svc.UpdateProject(r.Context(), actor(r), id, in.Name)
	respond(w, r, http.StatusOK, p, err, projectOf)
}

// ListMembers lists a space's members.
func (h *Handler) ListMembers(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "space_id")
	if err != nil {
		WriteError(w, r, err)
		return
	}
	writePage(w, r, func(p desk.Page) ([]desk.Membership, error) {
		return h.svc.Members(r.Context(), actor(r), id, p)
	}, membershipOf, memberID)
}

// AddMember adds a user, by id or email, to a space.
func (h *Handler) AddMember(w http.ResponseWriter, r *http.Request) {
	var in struct {
		UserID int64  `json:"user_id"`
		Email  string `json:"email"`
	}
	id, err := idAndBody(w, r, "space_id", &in)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	m, err := h.svc.AddMember(r.Context(), actor(r), id, in.UserID, in.Email)
	respond(w, r, http.StatusCreated, m, err, membershipOf)
}

// RemoveMember removes a user from a space.
func (h *Handler) RemoveMember(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "space_id")
	if err == nil {
		var uid int64
		if uid, err = pathID(r, "user_id"); err == nil {
			err = h.svc.RemoveMember(r.Context(), actor(r), id, uid)
		}
	}
	noContent(w, r, err)
}

// ListTokens lists the actor's API tokens.
func (h *Handler) ListTokens(w http.ResponseWriter, r *http.Request) {
	writePage(w, r, func(p desk.Page) ([]desk.Token, error) {
		return h.svc.Tokens(r.Context(), actor(r), p)
	}, tokenOf, tokenID)
}

// CreateToken creates an API token and shows its secret, once.
func (h *Handler) CreateToken(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Name          string `json:"name"`
		UserID        int64  `json:"user_id"`
		ExpiresInDays int    `json:"expires_in_days"`
	}
	if err := decode(w, r, &in); err != nil {
		WriteError(w, r, err)
		return
	}
	if in.ExpiresInDays < 0 || in.ExpiresInDays > 366 { // checked here, before it can overflow a Duration
		WriteError(w, r, desk.FieldError("expires_in_days", "must be between 1 and 366 days"))
		return
	}
	secret, t, err := h.svc.NewToken(r.Context(), actor(r), in.UserID, in.Name, time.Duration(in.ExpiresInDays)*24*time.Hour)
	respond(w, r, http.StatusCreated, t, err, func(t *desk.Token) Token {
		out := tokenOf(t)
		out.Secret = secret
		return out
	})
}

// RevokeToken revokes an API token.
func (h *Handler) RevokeToken(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "token_id")
	if err == nil {
		err = h.svc.RevokeToken(r.Context(), actor(r), id)
	}
	noContent(w, r, err)
}
