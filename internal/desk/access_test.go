package desk_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"guichet/internal/desk"
)

// The installation these tests reason about: one provider, two clients with their
// spaces, a trained partner and an untrained one.
var (
	trainedOn = time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)

	vauban  = &desk.Organisation{ID: 1, Kind: desk.Provider, Name: "Logiciels Vauban"}
	acme    = &desk.Organisation{ID: 2, Kind: desk.Client, Name: "Acme Industrie"}
	bolt    = &desk.Organisation{ID: 3, Kind: desk.Client, Name: "Bolt Logistique"}
	integra = &desk.Organisation{ID: 4, Kind: desk.Partner, Name: "Intégra Conseil", Trained: true, TrainedOn: &trainedOn}
	novice  = &desk.Organisation{ID: 5, Kind: desk.Partner, Name: "Novice Services"}

	acmeSupport  = &desk.Space{ID: 10, ClientID: acme.ID, Key: "ACME", Name: "Support Acme"}
	acmeExtranet = &desk.Space{ID: 11, ClientID: acme.ID, Key: "ACMEX", Name: "Acme — extranet partenaires"}
	boltSupport  = &desk.Space{ID: 12, ClientID: bolt.ID, Key: "BOLT", Name: "Support Bolt"}

	allSpaces = []*desk.Space{acmeSupport, acmeExtranet, boltSupport}
	orgs      = []*desk.Organisation{vauban, acme, bolt, integra, novice}
)

// spacesOf returns the ids of a client's spaces, as the store would.
func spacesOf(client *desk.Organisation) []int64 {
	var ids []int64
	for _, s := range allSpaces {
		if s.ClientID == client.ID {
			ids = append(ids, s.ID)
		}
	}
	return ids
}

// actorOf builds the actor of a user of org holding roles and member of the
// spaces given, the way the application does once per request.
func actorOf(id int64, org *desk.Organisation, roles []desk.Role, memberOf ...*desk.Space) *desk.Actor {
	u := &desk.User{ID: id, OrgID: org.ID}
	for _, r := range roles {
		g := desk.RoleGrant{Role: r}
		if desk.IsClientRole(r) {
			g.ClientID = org.ID
		}
		u.Roles = append(u.Roles, g)
	}
	var member []int64
	for _, s := range memberOf {
		member = append(member, s.ID)
	}
	var own []int64
	if org.Kind == desk.Client {
		own = spacesOf(org)
	}
	return desk.NewActor(u, org.Kind, member, own)
}

func roles(r ...desk.Role) []desk.Role { return r }

// all stands for "every space" or "every organisation" in the expectations.
const all = "*"

// TestAccessByRole checks, for every kind of actor of SPEC §1, which spaces and
// organisations it sees and what it may manage.
func TestAccessByRole(t *testing.T) {
	for _, c := range []struct {
		who   string
		actor *desk.Actor
		// sees lists the keys of the spaces the actor may know exist (all: every one).
		sees []string
		// manages lists the keys of the spaces whose members the actor may change.
		manages []string
		// orgs lists the organisations the actor may see, by name (all: every one).
		orgs     []string
		projects bool // may add and rename projects
		parties  bool // may create and change organisations, users and spaces
	}{
		{who: "an administrator", actor: actorOf(101, vauban, roles(desk.Admin)),
			sees: []string{all}, manages: []string{"ACME", "ACMEX", "BOLT"}, orgs: []string{all}, projects: true, parties: true},
		{who: "an agent", actor: actorOf(102, vauban, roles(desk.Agent)),
			sees: []string{all}, orgs: []string{all}},
		{who: "an engineer", actor: actorOf(103, vauban, roles(desk.Engineer)),
			sees: []string{all}, orgs: []string{all}},
		{who: "a product manager", actor: actorOf(104, vauban, roles(desk.ProductManager)),
			sees: []string{all}, orgs: []string{all}},
		{who: "an account manager", actor: actorOf(105, vauban, roles(desk.AccountManager)),
			sees: []string{all}, manages: []string{"ACME", "ACMEX", "BOLT"}, orgs: []string{all}, projects: true},
		{who: "a provider user with no role", actor: actorOf(106, vauban, nil),
			sees: []string{all}, orgs: []string{all}},
		{who: "a client contact", actor: actorOf(201, acme, roles(desk.Contact), acmeSupport),
			sees: []string{"ACME"}, orgs: []string{"Acme Industrie"}},
		{who: "an animator, member of one space of the client", actor: actorOf(202, acme, roles(desk.Contact, desk.Animator), acmeSupport),
			sees: []string{"ACME", "ACMEX"}, manages: []string{"ACME", "ACMEX"}, orgs: []string{"Acme Industrie"}},
		{who: "an animator who is a member of no space", actor: actorOf(203, acme, roles(desk.Animator)),
			sees: []string{"ACME", "ACMEX"}, manages: []string{"ACME", "ACMEX"}, orgs: []string{"Acme Industrie"}},
		{who: "a contract manager", actor: actorOf(204, acme, roles(desk.ContractManager), acmeSupport),
			sees: []string{"ACME"}, orgs: []string{"Acme Industrie"}},
		{who: "a security officer", actor: actorOf(205, acme, roles(desk.Contact, desk.SecurityOfficer), acmeSupport),
			sees: []string{"ACME"}, orgs: []string{"Acme Industrie"}},
		{who: "a data protection officer", actor: actorOf(206, acme, roles(desk.DPO), acmeSupport),
			sees: []string{"ACME"}, orgs: []string{"Acme Industrie"}},
		{who: "a client user who is a member of no space", actor: actorOf(207, acme, roles(desk.Contact)),
			orgs: []string{"Acme Industrie"}},
		{who: "a partner user", actor: actorOf(301, integra, nil, acmeExtranet),
			sees: []string{"ACMEX"}, orgs: []string{"Intégra Conseil"}},
		{who: "another client's contact", actor: actorOf(401, bolt, roles(desk.Contact), boltSupport),
			sees: []string{"BOLT"}, orgs: []string{"Bolt Logistique"}},
		{who: "another client's animator", actor: actorOf(402, bolt, roles(desk.Contact, desk.Animator), boltSupport),
			sees: []string{"BOLT"}, manages: []string{"BOLT"}, orgs: []string{"Bolt Logistique"}},
		{who: "an anonymous visitor", actor: &desk.Actor{}},
		{who: "the command line (System)", actor: desk.System(),
			sees: []string{all}, manages: []string{"ACME", "ACMEX", "BOLT"}, orgs: []string{all}, projects: true, parties: true},
	} {
		t.Run(c.who, func(t *testing.T) {
			a := c.actor
			scope := a.VisibleSpaces()
			switch {
			case slices.Equal(c.sees, []string{all}):
				if !scope.All {
					t.Errorf("VisibleSpaces = %+v, want every space", scope)
				}
			case scope.All:
				t.Errorf("VisibleSpaces = every space, want %v", c.sees)
			default:
				if got := keysOf(scope.IDs); !slices.Equal(got, c.sees) {
					t.Errorf("VisibleSpaces = %v, want %v", got, c.sees)
				}
			}
			for _, s := range allSpaces {
				wantSee := slices.Contains(c.sees, all) || slices.Contains(c.sees, s.Key)
				if got := a.CanSeeSpace(s); got != wantSee {
					t.Errorf("CanSeeSpace(%s) = %v, want %v", s.Key, got, wantSee)
				}
				wantManage := slices.Contains(c.manages, s.Key)
				if got := a.CanManageMembers(s); got != wantManage {
					t.Errorf("CanManageMembers(%s) = %v, want %v", s.Key, got, wantManage)
				}
				if wantManage && !wantSee {
					t.Errorf("the test is wrong: %s manages %s without seeing it", c.who, s.Key)
				}
			}
			if got := a.CanManageProjects(); got != c.projects {
				t.Errorf("CanManageProjects = %v, want %v", got, c.projects)
			}
			if got := a.CanManageParties(); got != c.parties {
				t.Errorf("CanManageParties = %v, want %v", got, c.parties)
			}
			orgScope := a.VisibleOrgs()
			switch {
			case slices.Equal(c.orgs, []string{all}):
				if !orgScope.All {
					t.Errorf("VisibleOrgs = %+v, want every organisation", orgScope)
				}
			case orgScope.All:
				t.Errorf("VisibleOrgs = every organisation, want %v", c.orgs)
			default:
				if got := orgNames(orgScope.IDs); !slices.Equal(got, c.orgs) {
					t.Errorf("VisibleOrgs = %v, want %v", got, c.orgs)
				}
			}
		})
	}
}

// TestActorKinds checks what the actor tells about itself.
func TestActorKinds(t *testing.T) {
	for _, c := range []struct {
		who                     string
		actor                   *desk.Actor
		anonymous, staff, admin bool
		system                  bool
		holds                   []desk.Role
		lacks                   []desk.Role
	}{
		{who: "an administrator", actor: actorOf(101, vauban, roles(desk.Admin)), staff: true, admin: true,
			holds: roles(desk.Admin), lacks: roles(desk.Agent)},
		{who: "an agent", actor: actorOf(102, vauban, roles(desk.Agent, desk.Engineer)), staff: true,
			holds: roles(desk.Agent, desk.Engineer), lacks: roles(desk.Admin)},
		{who: "a client animator", actor: actorOf(202, acme, roles(desk.Contact, desk.Animator)),
			holds: roles(desk.Contact, desk.Animator), lacks: roles(desk.Admin, desk.SecurityOfficer)},
		{who: "a partner user", actor: actorOf(301, integra, nil), lacks: roles(desk.Contact)},
		{who: "an anonymous visitor", actor: &desk.Actor{}, anonymous: true, lacks: roles(desk.Contact, desk.Admin)},
		{who: "an anonymous visitor holding roles by mistake", actor: &desk.Actor{OrgKind: desk.Provider,
			Roles: map[desk.Role]bool{desk.Admin: true}}, anonymous: true, lacks: roles(desk.Admin)},
		{who: "no actor at all (nil)", actor: nil, anonymous: true, lacks: roles(desk.Admin)},
		{who: "the command line", actor: desk.System(), staff: true, admin: true, system: true, holds: roles(desk.Admin)},
	} {
		t.Run(c.who, func(t *testing.T) {
			a := c.actor
			if got := a.Anonymous(); got != c.anonymous {
				t.Errorf("Anonymous = %v, want %v", got, c.anonymous)
			}
			if got := a.Staff(); got != c.staff {
				t.Errorf("Staff = %v, want %v", got, c.staff)
			}
			if got := a.IsAdmin(); got != c.admin {
				t.Errorf("IsAdmin = %v, want %v", got, c.admin)
			}
			if got := a.IsSystem(); got != c.system {
				t.Errorf("IsSystem = %v, want %v", got, c.system)
			}
			for _, r := range c.holds {
				if !a.Has(r) {
					t.Errorf("Has(%s) = false, want true", r)
				}
			}
			for _, r := range c.lacks {
				if a.Has(r) {
					t.Errorf("Has(%s) = true, want false", r)
				}
			}
			if c.anonymous {
				if s := a.VisibleSpaces(); s.All || len(s.IDs) != 0 {
					t.Errorf("an anonymous actor sees spaces: %+v", s)
				}
				if o := a.VisibleOrgs(); o.All || len(o.IDs) != 0 {
					t.Errorf("an anonymous actor sees organisations: %+v", o)
				}
				if a.CanSeeSpace(acmeSupport) || a.CanManageProjects() || a.CanManageParties() {
					t.Error("an anonymous actor may see or manage something")
				}
			}
		})
	}
}

// TestNewActor checks how an actor is built from a user, their memberships and
// their client's spaces.
func TestNewActor(t *testing.T) {
	t.Run("it carries the user's id, organisation and roles", func(t *testing.T) {
		u := &desk.User{ID: 7, OrgID: acme.ID, Roles: []desk.RoleGrant{
			{Role: desk.Contact, ClientID: acme.ID}, {Role: desk.DPO, ClientID: acme.ID}}}
		a := desk.NewActor(u, desk.Client, []int64{acmeSupport.ID}, spacesOf(acme))
		if a.UserID != 7 || a.OrgID != acme.ID || a.OrgKind != desk.Client {
			t.Errorf("actor %+v, want user 7 of client %d", a, acme.ID)
		}
		if !a.Has(desk.Contact) || !a.Has(desk.DPO) || len(a.Roles) != 2 {
			t.Errorf("roles %v, want contact and dpo", a.Roles)
		}
	})
	t.Run("a client member sees the spaces they belong to, not the rest of the client's", func(t *testing.T) {
		a := actorOf(1, acme, roles(desk.Contact), acmeSupport)
		if !a.Spaces[acmeSupport.ID] || a.Spaces[acmeExtranet.ID] || len(a.Managed) != 0 {
			t.Errorf("spaces %v, managed %v; want ACME only, managing none", a.Spaces, a.Managed)
		}
	})
	t.Run("an animator sees and manages every space of their client, and no other", func(t *testing.T) {
		a := actorOf(1, acme, roles(desk.Animator))
		for _, s := range allSpaces {
			want := s.ClientID == acme.ID
			if a.Spaces[s.ID] != want || a.Managed[s.ID] != want {
				t.Errorf("%s: sees %v, manages %v; want %v", s.Key, a.Spaces[s.ID], a.Managed[s.ID], want)
			}
		}
	})
	t.Run("a client's spaces give nothing to a user who is not of a client", func(t *testing.T) {
		for _, kind := range []desk.OrgKind{desk.Partner, desk.Provider} {
			u := &desk.User{ID: 1, OrgID: 9, Roles: []desk.RoleGrant{{Role: desk.Animator, ClientID: acme.ID}}}
			a := desk.NewActor(u, kind, nil, spacesOf(acme))
			if len(a.Managed) != 0 || (kind == desk.Partner && len(a.Spaces) != 0) {
				t.Errorf("%s with an animator grant: spaces %v, managed %v; want none", kind, a.Spaces, a.Managed)
			}
		}
	})
	t.Run("a partner user sees exactly their memberships", func(t *testing.T) {
		a := actorOf(1, integra, nil, acmeExtranet, boltSupport)
		if got := keysOf(a.VisibleSpaces().IDs); !slices.Equal(got, []string{"ACMEX", "BOLT"}) {
			t.Errorf("sees %v, want ACMEX and BOLT", got)
		}
		if a.CanManageMembers(acmeExtranet) {
			t.Error("a partner user may change the members of a space")
		}
	})
}

func TestCheckGrants(t *testing.T) {
	for _, c := range []struct {
		name   string
		org    *desk.Organisation
		grants []desk.RoleGrant
		wrong  string // what the error must say; "" when the grants are accepted
	}{
		{"provider staff may hold no role", vauban, nil, ""},
		{"provider staff hold provider roles", vauban, []desk.RoleGrant{{Role: desk.Admin}, {Role: desk.Agent}}, ""},
		{"every provider role is for provider staff", vauban, grantsOf(0, desk.ProviderRoles...), ""},
		{"a client user holds client roles for their own client", acme, grantsOf(acme.ID, desk.ClientRoles...), ""},
		{"a client user may hold no role", acme, nil, ""},
		{"a partner user holds no role", integra, nil, ""},

		{"a provider role is refused to a client user", acme, []desk.RoleGrant{{Role: desk.Agent}}, "provider staff only"},
		{"the admin role is refused to a client user", acme, []desk.RoleGrant{{Role: desk.Admin}}, "provider staff only"},
		{"a provider role is refused to a partner user", integra, []desk.RoleGrant{{Role: desk.Engineer}}, "provider staff only"},
		{"a provider role held for a client is refused", vauban, []desk.RoleGrant{{Role: desk.AccountManager, ClientID: acme.ID}}, "takes no client"},
		{"a client role is refused to provider staff", vauban, []desk.RoleGrant{{Role: desk.Contact, ClientID: acme.ID}}, "client users only"},
		{"a client role is refused to a partner user", integra, []desk.RoleGrant{{Role: desk.Contact, ClientID: acme.ID}}, "client users only"},
		{"a client role for another client is refused", acme, []desk.RoleGrant{{Role: desk.Contact, ClientID: bolt.ID}}, "user's own client"},
		{"a client role for no client is refused", acme, []desk.RoleGrant{{Role: desk.Animator}}, "user's own client"},
		{"an unknown role is refused", acme, []desk.RoleGrant{{Role: "superuser", ClientID: acme.ID}}, `unknown role "superuser"`},
		{"an empty role is refused", vauban, []desk.RoleGrant{{Role: ""}}, "unknown role"},
		{"a provider role given twice is refused", vauban, []desk.RoleGrant{{Role: desk.Agent}, {Role: desk.Agent}}, "given twice"},
		{"a client role given twice is refused", acme, grantsOf(acme.ID, desk.Contact, desk.Animator, desk.Contact), "given twice"},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := desk.CheckGrants(c.org, c.grants)
			if c.wrong == "" {
				wantFieldError(t, err, "")
				return
			}
			wantFieldError(t, err, "roles")
			if err != nil && !strings.Contains(err.Error(), c.wrong) {
				t.Errorf("error %q does not say %q", err, c.wrong)
			}
		})
	}
}

func grantsOf(client int64, rs ...desk.Role) []desk.RoleGrant {
	out := make([]desk.RoleGrant, 0, len(rs))
	for _, r := range rs {
		out = append(out, desk.RoleGrant{Role: r, ClientID: client})
	}
	return out
}

func TestRoleSides(t *testing.T) {
	for _, r := range desk.ProviderRoles {
		if !desk.IsProviderRole(r) || desk.IsClientRole(r) {
			t.Errorf("%s is not a provider role only", r)
		}
	}
	for _, r := range desk.ClientRoles {
		if !desk.IsClientRole(r) || desk.IsProviderRole(r) {
			t.Errorf("%s is not a client role only", r)
		}
	}
	for _, r := range []desk.Role{"", "partner", "Admin", "root"} {
		if desk.IsProviderRole(r) || desk.IsClientRole(r) {
			t.Errorf("%q is taken for a role", r)
		}
	}
}

func TestCheckMember(t *testing.T) {
	user := func(org *desk.Organisation, disabled bool) *desk.User {
		return &desk.User{ID: 50, OrgID: org.ID, Email: "someone@example.org", Disabled: disabled}
	}
	for _, c := range []struct {
		name  string
		space *desk.Space
		org   *desk.Organisation
		off   bool   // the user is disabled
		wrong string // what the error must say; "" when the user may join
	}{
		{"a client's user joins their client's space", acmeSupport, acme, false, ""},
		{"a client's user joins another space of their client", acmeExtranet, acme, false, ""},
		{"a trained partner's user joins a client's space", acmeExtranet, integra, false, ""},
		{"a trained partner's user joins any client's space", boltSupport, integra, false, ""},

		{"provider staff are not added: they see every space already", acmeSupport, vauban, false, "provider staff"},
		{"another client's user is refused", acmeSupport, bolt, false, "another client"},
		{"an untrained partner's user is refused, naming the partner", acmeExtranet, novice, false, `partner "Novice Services" is not trained`},
		{"a disabled user of the client is refused", acmeSupport, acme, true, "disabled"},
		{"a disabled user of a trained partner is refused", acmeExtranet, integra, true, "disabled"},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := desk.CheckMember(c.space, user(c.org, c.off), c.org)
			if c.wrong == "" {
				wantFieldError(t, err, "")
				return
			}
			wantFieldError(t, err, "user_id")
			if err != nil && !strings.Contains(err.Error(), c.wrong) {
				t.Errorf("error %q does not say %q", err, c.wrong)
			}
		})
	}
}

// keysOf returns the sorted keys of the spaces with these ids.
func keysOf(ids []int64) []string {
	var keys []string
	for _, id := range ids {
		key := fmt.Sprintf("unknown space %d", id)
		for _, s := range allSpaces {
			if s.ID == id {
				key = s.Key
			}
		}
		keys = append(keys, key)
	}
	slices.Sort(keys)
	return keys
}

// orgNames returns the sorted names of the organisations with these ids.
func orgNames(ids []int64) []string {
	var names []string
	for _, id := range ids {
		name := fmt.Sprintf("unknown organisation %d", id)
		for _, o := range orgs {
			if o.ID == id {
				name = o.Name
			}
		}
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}
