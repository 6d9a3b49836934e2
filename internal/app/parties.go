package app

import (
	"context"
	"slices"
	"strings"
	"time"

	"guichet/internal/desk"
)

// NewOrganisation is the input of CreateOrganisation.
type NewOrganisation struct {
	Kind      desk.OrgKind
	Name      string
	Trained   bool
	TrainedOn *time.Time
}

// CreateOrganisation adds the provider, a client or a partner.
func (s *Service) CreateOrganisation(ctx context.Context, a *desk.Actor, in NewOrganisation) (*desk.Organisation, error) {
	if err := s.mayManageParties(a); err != nil {
		return nil, err
	}
	if err := desk.CheckOrgKind(in.Kind); err != nil {
		return nil, err
	}
	if err := desk.CheckName("name", in.Name); err != nil {
		return nil, err
	}
	if err := checkTraining(in.Kind, in.Trained, in.TrainedOn); err != nil {
		return nil, err
	}
	o := &desk.Organisation{Kind: in.Kind, Name: strings.TrimSpace(in.Name), Trained: in.Trained,
		TrainedOn: in.TrainedOn, CreatedAt: s.now()}
	if err := s.store.CreateOrganisation(ctx, o); err != nil {
		return nil, err
	}
	return o, nil
}

func checkTraining(kind desk.OrgKind, trained bool, on *time.Time) error {
	if kind != desk.Partner && (trained || on != nil) {
		return desk.FieldError("trained", "only partners are trained")
	}
	if trained && on == nil {
		return desk.FieldError("trained_on", "is required when the partner is trained")
	}
	if !trained && on != nil {
		return desk.FieldError("trained_on", "must be empty when the partner is not trained")
	}
	return nil
}

// OrganisationPatch holds the fields to change; nil leaves a field as it is.
type OrganisationPatch struct {
	Name      *string
	Trained   *bool
	TrainedOn **time.Time
}

// UpdateOrganisation renames an organisation or records a partner's training.
func (s *Service) UpdateOrganisation(ctx context.Context, a *desk.Actor, id int64, p OrganisationPatch) (*desk.Organisation, error) {
	o, err := s.Organisation(ctx, a, id) // another tenant's organisation is not found, not forbidden
	if err != nil {
		return nil, err
	}
	if err := s.mayManageParties(a); err != nil {
		return nil, err
	}
	if p.Name != nil {
		if err := desk.CheckName("name", *p.Name); err != nil {
			return nil, err
		}
		o.Name = strings.TrimSpace(*p.Name)
	}
	if p.Trained != nil {
		o.Trained = *p.Trained
		if !o.Trained {
			o.TrainedOn = nil
		}
	}
	if p.TrainedOn != nil {
		o.TrainedOn = *p.TrainedOn
	}
	if err := checkTraining(o.Kind, o.Trained, o.TrainedOn); err != nil {
		return nil, err
	}
	if err := s.store.UpdateOrganisation(ctx, o); err != nil {
		return nil, err
	}
	return o, nil
}

// Organisation returns one organisation the actor may see.
func (s *Service) Organisation(ctx context.Context, a *desk.Actor, id int64) (*desk.Organisation, error) {
	if err := requireSignedIn(a); err != nil {
		return nil, err
	}
	if !a.Staff() && id != a.OrgID {
		return nil, desk.ErrNotFound("organisation")
	}
	return s.store.Organisation(ctx, id)
}

// Organisations lists the organisations the actor may see.
func (s *Service) Organisations(ctx context.Context, a *desk.Actor, p desk.Page) ([]desk.Organisation, error) {
	if err := requireSignedIn(a); err != nil {
		return nil, err
	}
	return s.store.ListOrganisations(ctx, a.VisibleOrgs(), page(p))
}

func (s *Service) mayManageParties(a *desk.Actor) error {
	if err := requireSignedIn(a); err != nil {
		return err
	}
	if !a.CanManageParties() {
		return desk.Errorf(desk.Forbidden, "only an administrator may do this")
	}
	return nil
}

// NewUser is the input of CreateUser.
type NewUser struct {
	OrgID    int64
	Email    string
	Name     string
	Locale   string
	Password string
	Roles    []desk.Role
}

// CreateUser adds a person to an organisation with their roles. Client roles are
// held for the user's own client.
func (s *Service) CreateUser(ctx context.Context, a *desk.Actor, in NewUser) (*desk.User, error) {
	if err := s.mayManageParties(a); err != nil {
		return nil, err
	}
	email := desk.NormaliseEmail(in.Email)
	if err := desk.CheckEmail(email); err != nil {
		return nil, err
	}
	if err := desk.CheckName("name", in.Name); err != nil {
		return nil, err
	}
	if in.Locale == "" {
		in.Locale = "fr"
	}
	if err := desk.CheckLocale(in.Locale); err != nil {
		return nil, err
	}
	if err := desk.CheckPassword(in.Password); err != nil {
		return nil, err
	}
	if in.OrgID == 0 {
		return nil, desk.FieldError("org_id", "is required")
	}
	org, err := s.store.Organisation(ctx, in.OrgID)
	if err != nil {
		return nil, asField(err, "org_id", "no such organisation")
	}
	grants := grantsFor(org, in.Roles)
	if err := desk.CheckGrants(org, grants); err != nil {
		return nil, err
	}
	hash, err := HashPassword(in.Password)
	if err != nil {
		return nil, err
	}
	u := &desk.User{OrgID: org.ID, Email: email, Name: strings.TrimSpace(in.Name), Locale: in.Locale,
		Roles: grants, CreatedAt: s.now()}
	err = s.store.InTx(ctx, func(q Queries) error {
		return q.CreateUser(ctx, u, hash)
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// grantsFor turns role names into grants: client roles for the user's own client.
func grantsFor(org *desk.Organisation, roles []desk.Role) []desk.RoleGrant {
	grants := make([]desk.RoleGrant, 0, len(roles))
	for _, r := range roles {
		g := desk.RoleGrant{Role: r}
		if desk.IsClientRole(r) {
			g.ClientID = org.ID
		}
		grants = append(grants, g)
	}
	return grants
}

// asField turns a NotFound into an Invalid error on field: a reference in a body
// that does not resolve is bad input, not a missing resource.
func asField(err error, field, msg string) error {
	if desk.ErrorCode(err) == desk.NotFound {
		return desk.FieldError(field, "%s", msg)
	}
	return err
}

// UserPatch holds the fields to change; nil leaves a field as it is.
type UserPatch struct {
	Name     *string
	Locale   *string
	Disabled *bool
	Roles    *[]desk.Role
}

// UpdateUser changes a user. Administrators change anyone; a user may change their
// own name and language.
func (s *Service) UpdateUser(ctx context.Context, a *desk.Actor, id int64, p UserPatch) (*desk.User, error) {
	if err := requireSignedIn(a); err != nil {
		return nil, err
	}
	self := id == a.UserID
	if !a.CanManageParties() && !self {
		if _, err := s.User(ctx, a, id); err != nil {
			return nil, err
		}
		return nil, desk.Errorf(desk.Forbidden, "only an administrator may change another user")
	}
	if !a.CanManageParties() && (p.Disabled != nil || p.Roles != nil) {
		return nil, desk.Errorf(desk.Forbidden, "only an administrator may change roles or disable an account")
	}
	u, err := s.store.User(ctx, id)
	if err != nil {
		return nil, err
	}
	if p.Name != nil {
		if err := desk.CheckName("name", *p.Name); err != nil {
			return nil, err
		}
		u.Name = strings.TrimSpace(*p.Name)
	}
	if p.Locale != nil {
		if err := desk.CheckLocale(*p.Locale); err != nil {
			return nil, err
		}
		u.Locale = *p.Locale
	}
	if p.Disabled != nil {
		if *p.Disabled && self {
			return nil, desk.FieldError("disabled", "you cannot disable your own account")
		}
		u.Disabled = *p.Disabled
	}
	if p.Roles != nil {
		org, err := s.store.Organisation(ctx, u.OrgID)
		if err != nil {
			return nil, err
		}
		grants := grantsFor(org, *p.Roles)
		if err := desk.CheckGrants(org, grants); err != nil {
			return nil, err
		}
		// An administrator keeps their own role, so the installation never loses its last one.
		if self && a.IsAdmin() && !slices.Contains(*p.Roles, desk.Admin) {
			return nil, desk.FieldError("roles", "you cannot remove your own admin role; ask another administrator")
		}
		u.Roles = grants
	}
	err = s.store.InTx(ctx, func(q Queries) error {
		if err := q.UpdateUser(ctx, u); err != nil {
			return err
		}
		if p.Roles != nil {
			return q.SetUserRoles(ctx, u.ID, u.Roles)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// userScope is who the actor may see: everyone for staff; otherwise their own
// organisation and the members of the spaces they see.
func userScope(a *desk.Actor) UserScope {
	if a.Staff() {
		return UserScope{All: true}
	}
	return UserScope{OrgIDs: []int64{a.OrgID}, SpaceIDs: a.VisibleSpaces().IDs}
}

// User returns one user the actor may see.
func (s *Service) User(ctx context.Context, a *desk.Actor, id int64) (*desk.User, error) {
	if err := requireSignedIn(a); err != nil {
		return nil, err
	}
	u, err := s.store.User(ctx, id)
	if err != nil {
		return nil, err
	}
	if a.Staff() || u.OrgID == a.OrgID {
		return u, nil
	}
	shared, err := s.store.SpacesOfMember(ctx, id)
	if err != nil {
		return nil, err
	}
	for _, sp := range shared {
		if a.Spaces[sp] {
			return u, nil
		}
	}
	return nil, desk.ErrNotFound("user")
}

// Users lists the users the actor may see.
func (s *Service) Users(ctx context.Context, a *desk.Actor, p desk.Page) ([]desk.User, error) {
	if err := requireSignedIn(a); err != nil {
		return nil, err
	}
	return s.store.ListUsers(ctx, userScope(a), page(p))
}

// NewSpace is the input of CreateSpace.
type NewSpace struct {
	ClientID int64
	Key      string
	Name     string
	// RequireDiagnostic defaults to true: anomalies need the diagnostic file.
	RequireDiagnostic *bool
}

// CreateSpace adds a support space to a client.
func (s *Service) CreateSpace(ctx context.Context, a *desk.Actor, in NewSpace) (*desk.Space, error) {
	if err := s.mayManageParties(a); err != nil {
		return nil, err
	}
	key := strings.ToUpper(strings.TrimSpace(in.Key))
	if err := desk.CheckSpaceKey(key); err != nil {
		return nil, err
	}
	if err := desk.CheckName("name", in.Name); err != nil {
		return nil, err
	}
	if in.ClientID == 0 {
		return nil, desk.FieldError("client_id", "is required")
	}
	org, err := s.store.Organisation(ctx, in.ClientID)
	if err != nil {
		return nil, asField(err, "client_id", "no such organisation")
	}
	if org.Kind != desk.Client {
		return nil, desk.FieldError("client_id", "spaces belong to clients; %q is a %s", org.Name, org.Kind)
	}
	sp := &desk.Space{ClientID: org.ID, Key: key, Name: strings.TrimSpace(in.Name), RequireDiagnostic: true,
		CreatedAt: s.now()}
	if in.RequireDiagnostic != nil {
		sp.RequireDiagnostic = *in.RequireDiagnostic
	}
	if err := s.store.CreateSpace(ctx, sp); err != nil {
		return nil, err
	}
	return sp, nil
}

// SpacePatch holds the fields to change; nil leaves a field as it is. A space's key
// is fixed once tickets may carry it.
type SpacePatch struct {
	Name              *string
	RequireDiagnostic *bool
}

// UpdateSpace renames a space or changes its settings.
func (s *Service) UpdateSpace(ctx context.Context, a *desk.Actor, id int64, p SpacePatch) (*desk.Space, error) {
	if _, err := s.Space(ctx, a, id); err != nil {
		return nil, err
	}
	if err := s.mayManageParties(a); err != nil {
		return nil, err
	}
	// The space as stored, not as kept for a second: the fields the patch
	// leaves are written back as they are.
	sp, err := s.store.Space(ctx, id)
	if err != nil {
		return nil, err
	}
	if p.Name != nil {
		if err := desk.CheckName("name", *p.Name); err != nil {
			return nil, err
		}
		sp.Name = strings.TrimSpace(*p.Name)
	}
	if p.RequireDiagnostic != nil {
		sp.RequireDiagnostic = *p.RequireDiagnostic
	}
	if err := s.store.UpdateSpace(ctx, sp); err != nil {
		return nil, err
	}
	return sp, nil
}

// Space returns a space the actor may see; any other answers NotFound.
func (s *Service) Space(ctx context.Context, a *desk.Actor, id int64) (*desk.Space, error) {
	if err := requireSignedIn(a); err != nil {
		return nil, err
	}
	if !a.Staff() && !a.Spaces[id] {
		return nil, desk.ErrNotFound("space")
	}
	return s.reads.space(ctx, s.store, id)
}

// Spaces lists the spaces the actor may see.
func (s *Service) Spaces(ctx context.Context, a *desk.Actor, p desk.Page) ([]desk.Space, error) {
	if err := requireSignedIn(a); err != nil {
		return nil, err
	}
	return s.store.ListSpaces(ctx, a.VisibleSpaces(), page(p))
}

// CreateProject adds a project to a space.
func (s *Service) CreateProject(ctx context.Context, a *desk.Actor, spaceID int64, name string) (*desk.Project, error) {
	sp, err := s.Space(ctx, a, spaceID)
	if err != nil {
		return nil, err
	}
	if !a.CanManageProjects() {
		return nil, desk.Errorf(desk.Forbidden, "only an administrator or an account manager may add projects")
	}
	if err := desk.CheckName("name", name); err != nil {
		return nil, err
	}
	p := &desk.Project{SpaceID: sp.ID, Name: strings.TrimSpace(name), CreatedAt: s.now()}
	if err := s.store.CreateProject(ctx, p); err != nil {
		return nil, err
	}
	return p, nil
}

// UpdateProject renames a project.
func (s *Service) UpdateProject(ctx context.Context, a *desk.Actor, id int64, name string) (*desk.Project, error) {
	p, err := s.Project(ctx, a, id)
	if err != nil {
		return nil, err
	}
	if !a.CanManageProjects() {
		return nil, desk.Errorf(desk.Forbidden, "only an administrator or an account manager may rename projects")
	}
	if err := desk.CheckName("name", name); err != nil {
		return nil, err
	}
	p.Name = strings.TrimSpace(name)
	if err := s.store.UpdateProject(ctx, p); err != nil {
		return nil, err
	}
	return p, nil
}

// Project returns a project of a space the actor may see.
func (s *Service) Project(ctx context.Context, a *desk.Actor, id int64) (*desk.Project, error) {
	if err := requireSignedIn(a); err != nil {
		return nil, err
	}
	p, err := s.store.Project(ctx, id)
	if err != nil {
		return nil, err
	}
	if !a.Staff() && !a.Spaces[p.SpaceID] {
		return nil, desk.ErrNotFound("project")
	}
	return p, nil
}

// Projects lists the projects of a space the actor may see.
func (s *Service) Projects(ctx context.Context, a *desk.Actor, spaceID int64, p desk.Page) ([]desk.Project, error) {
	if _, err := s.Space(ctx, a, spaceID); err != nil {
		return nil, err
	}
	return s.store.ListProjects(ctx, spaceID, page(p))
}

// AddMember makes a user a member of a space, found by id or by email. Animators
// manage their own client's spaces; partner users must belong to a trained partner.
func (s *Service) AddMember(ctx context.Context, a *desk.Actor, spaceID, userID int64, email string) (*desk.Membership, error) {
	sp, err := s.Space(ctx, a, spaceID)
	if err != nil {
		return nil, err
	}
	if !a.CanManageMembers(sp) {
		return nil, desk.Errorf(desk.Forbidden, "you may not change the members of this space")
	}
	var u *desk.User
	switch {
	case userID != 0:
		if u, err = s.store.User(ctx, userID); err != nil {
			return nil, asField(err, "user_id", "no such user")
		}
	case email != "":
		if u, _, err = s.store.UserByEmail(ctx, desk.NormaliseEmail(email)); err != nil {
			return nil, asField(err, "email", "no such user")
		}
	default:
		return nil, desk.FieldError("user_id", "is required (or give email)")
	}
	org, err := s.store.Organisation(ctx, u.OrgID)
	if err != nil {
		return nil, err
	}
	// Other clients' users are secret: to anyone but staff they do not exist.
	if !a.Staff() && org.Kind == desk.Client && org.ID != sp.ClientID {
		field := "user_id"
		if userID == 0 {
			field = "email"
		}
		return nil, desk.FieldError(field, "no such user")
	}
	if err := desk.CheckMember(sp, u, org); err != nil {
		return nil, err
	}
	m := &desk.Membership{SpaceID: sp.ID, UserID: u.ID, AddedBy: a.UserID, AddedAt: s.now()}
	if err := s.store.AddMember(ctx, m); err != nil {
		return nil, err
	}
	return m, nil
}

// RemoveMember removes a user from a space.
func (s *Service) RemoveMember(ctx context.Context, a *desk.Actor, spaceID, userID int64) error {
	sp, err := s.Space(ctx, a, spaceID)
	if err != nil {
		return err
	}
	if !a.CanManageMembers(sp) {
		return desk.Errorf(desk.Forbidden, "you may not change the members of this space")
	}
	return s.store.RemoveMember(ctx, sp.ID, userID)
}

// Members lists the members of a space the actor may see.
func (s *Service) Members(ctx context.Context, a *desk.Actor, spaceID int64, p desk.Page) ([]desk.Membership, error) {
	if _, err := s.Space(ctx, a, spaceID); err != nil {
		return nil, err
	}
	return s.store.ListMembers(ctx, spaceID, page(p))
}
