package desk

// Role is a provider role or a client role.
type Role string

// Provider roles.
const (
	Agent          Role = "agent"           // level-2 support
	Engineer       Role = "engineer"        // level-3 R&D
	ProductManager Role = "product_manager" // decides on evolution requests
	AccountManager Role = "account_manager" // owns the client relationship
	Admin          Role = "admin"           // runs the installation
)

// Client roles, held per client.
const (
	Contact         Role = "contact"          // may open tickets
	Animator        Role = "animator"         // adds and removes members of the client's spaces
	ContractManager Role = "contract_manager" // approves change requests, receives reviews
	SecurityOfficer Role = "security_officer" // receives advisories, sees security tickets
	DPO             Role = "dpo"              // data protection officer
)

// ProviderRoles and ClientRoles list every role of each side.
var (
	ProviderRoles = []Role{Agent, Engineer, ProductManager, AccountManager, Admin}
	ClientRoles   = []Role{Contact, Animator, ContractManager, SecurityOfficer, DPO}
)

// RoleGrant gives a role to a user. Provider roles have no client; client roles name
// the client they apply to.
type RoleGrant struct {
	Role     Role
	ClientID int64 // 0 for provider roles
}

// IsProviderRole tells whether r is a provider role.
func IsProviderRole(r Role) bool {
	for _, p := range ProviderRoles {
		if r == p {
			return true
		}
	}
	return false
}

// IsClientRole tells whether r is a client role.
func IsClientRole(r Role) bool {
	for _, c := range ClientRoles {
		if r == c {
			return true
		}
	}
	return false
}

// CheckGrants validates the roles given to a user of org: provider roles only for the
// provider's staff, client roles only for members of that client. Partner users hold
// no role; they act through space memberships.
func CheckGrants(org *Organisation, grants []RoleGrant) error {
	seen := map[RoleGrant]bool{}
	for _, g := range grants {
		switch {
		case IsProviderRole(g.Role):
			if org.Kind != Provider {
				return FieldError("roles", "role %q is for provider staff only", g.Role)
			}
			if g.ClientID != 0 {
				return FieldError("roles", "provider role %q takes no client", g.Role)
			}
		case IsClientRole(g.Role):
			if org.Kind != Client {
				return FieldError("roles", "role %q is for client users only", g.Role)
			}
			if g.ClientID != org.ID {
				return FieldError("roles", "client role %q must be held for the user's own client", g.Role)
			}
		default:
			return FieldError("roles", "unknown role %q", g.Role)
		}
		if seen[g] {
			return FieldError("roles", "role %q is given twice", g.Role)
		}
		seen[g] = true
	}
	return nil
}

// Actor is who is acting: a signed-in user with everything the rules need, loaded
// once per request. The zero Actor is anonymous.
type Actor struct {
	UserID  int64
	OrgID   int64
	OrgKind OrgKind
	Roles   map[Role]bool
	// Spaces holds the spaces the user is a member of, and for an animator every
	// space of their client.
	Spaces map[int64]bool
	// Managed holds the spaces whose members this actor may change (animators).
	Managed map[int64]bool
}

// NewActor builds the actor of user u, with the spaces they belong to and the
// spaces of their client (for animators).
func NewActor(u *User, kind OrgKind, memberOf, clientSpaces []int64) *Actor {
	a := &Actor{UserID: u.ID, OrgID: u.OrgID, OrgKind: kind,
		Roles: map[Role]bool{}, Spaces: map[int64]bool{}, Managed: map[int64]bool{}}
	for _, g := range u.Roles {
		a.Roles[g.Role] = true
	}
	for _, id := range memberOf {
		a.Spaces[id] = true
	}
	if kind == Client && a.Roles[Animator] {
		for _, id := range clientSpaces {
			a.Spaces[id] = true
			a.Managed[id] = true
		}
	}
	return a
}

// Anonymous tells whether nobody is signed in.
func (a *Actor) Anonymous() bool { return a == nil || a.UserID == 0 }

// Staff tells whether the actor belongs to the provider.
func (a *Actor) Staff() bool { return !a.Anonymous() && a.OrgKind == Provider }

// Has tells whether the actor holds role r.
func (a *Actor) Has(r Role) bool { return !a.Anonymous() && a.Roles[r] }

// IsAdmin tells whether the actor administers the installation.
func (a *Actor) IsAdmin() bool { return a.Staff() && a.Roles[Admin] }

// SpaceScope is what a list query may return: every space, or only those listed.
type SpaceScope struct {
	All bool
	IDs []int64
}

// VisibleSpaces is the scope of spaces the actor may see: all of them for provider
// staff, their memberships (and, for animators, their client's spaces) otherwise.
func (a *Actor) VisibleSpaces() SpaceScope {
	if a.Staff() {
		return SpaceScope{All: true}
	}
	if a.Anonymous() {
		return SpaceScope{}
	}
	ids := make([]int64, 0, len(a.Spaces))
	for id := range a.Spaces {
		ids = append(ids, id)
	}
	return SpaceScope{IDs: ids}
}

// CanSeeSpace tells whether the actor may know that space s exists.
func (a *Actor) CanSeeSpace(s *Space) bool {
	return a.Staff() || (!a.Anonymous() && a.Spaces[s.ID])
}

// CanManageParties tells whether the actor may create and change organisations,
// users and spaces.
func (a *Actor) CanManageParties() bool { return a.IsAdmin() }

// CanManageProjects tells whether the actor may create and rename projects.
func (a *Actor) CanManageProjects() bool {
	return a.IsAdmin() || a.Has(AccountManager)
}

// CanManageMembers tells whether the actor may add and remove members of space s:
// an admin, an account manager, or an animator of the space's client.
func (a *Actor) CanManageMembers(s *Space) bool {
	if a.IsAdmin() || (a.Staff() && a.Roles[AccountManager]) {
		return true
	}
	return !a.Anonymous() && a.OrgKind == Client && a.OrgID == s.ClientID && a.Managed[s.ID]
}

// OrgScope is what an organisation list may return.
type OrgScope struct {
	All bool
	IDs []int64
}

// VisibleOrgs is the scope of organisations the actor may see: all for staff, their
// own otherwise. The provider's existence is no secret, but other clients are.
func (a *Actor) VisibleOrgs() OrgScope {
	if a.Staff() {
		return OrgScope{All: true}
	}
	if a.Anonymous() {
		return OrgScope{}
	}
	return OrgScope{IDs: []int64{a.OrgID}}
}

// CheckMember decides whether user u of organisation org may become a member of
// space s.
func CheckMember(s *Space, u *User, org *Organisation) error {
	switch org.Kind {
	case Provider:
		return FieldError("user_id", "provider staff see every space and are not added as members")
	case Client:
		if org.ID != s.ClientID {
			return FieldError("user_id", "the user belongs to another client")
		}
	case Partner:
		if !org.Trained {
			return FieldError("user_id", "partner %q is not trained: its users cannot be added to a client's space", org.Name)
		}
	default:
		return FieldError("user_id", "the user's organisation is of no known kind")
	}
	if u.Disabled {
		return FieldError("user_id", "the user is disabled")
	}
	return nil
}

// System is the actor of the command line: the operator of the installation, who
// may do what an administrator may. It is never built from a request.
func System() *Actor {
	return &Actor{UserID: -1, OrgKind: Provider, Roles: map[Role]bool{Admin: true},
		Spaces: map[int64]bool{}, Managed: map[int64]bool{}}
}

// IsSystem tells whether the actor is the command line's operator.
func (a *Actor) IsSystem() bool { return a != nil && a.UserID == -1 }
