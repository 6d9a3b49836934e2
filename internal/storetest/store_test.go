package storetest_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"guichet/internal/app"
	"guichet/internal/desk"
	"guichet/internal/sqlstore"
	"guichet/internal/storetest"
)

// t0 is an instant with nanoseconds, in another zone: the store keeps it in UTC to
// the microsecond.
var t0 = time.Date(2025, 3, 4, 5, 6, 7, 123456789, time.FixedZone("CET", 3600))

// stored is t as the store gives it back.
func stored(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

func wantTime(t *testing.T, what string, got, want time.Time) {
	t.Helper()
	if !got.Equal(stored(want)) || got.Location() != time.UTC {
		t.Errorf("%s = %v, want %v in UTC", what, got, stored(want))
	}
}

func wantNullTime(t *testing.T, what string, got, want *time.Time) {
	t.Helper()
	switch {
	case want == nil && got != nil:
		t.Errorf("%s = %v, want nil", what, *got)
	case want != nil && got == nil:
		t.Errorf("%s = nil, want %v", what, *want)
	case want != nil:
		wantTime(t, what, *got, *want)
	}
}

// wantErr checks that err is a desk error with this code and field.
func wantErr(t *testing.T, err error, code desk.Code, field string) {
	t.Helper()
	e, ok := desk.AsError(err)
	if !ok {
		t.Fatalf("err = %v, want a desk error %s/%s", err, code, field)
	}
	if e.Code != code || e.Field != field {
		t.Fatalf("err = %s/%s (%v), want %s/%s", e.Code, e.Field, err, code, field)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func mustOrg(t *testing.T, s app.Queries, kind desk.OrgKind, name string) *desk.Organisation {
	t.Helper()
	o := &desk.Organisation{Kind: kind, Name: name, CreatedAt: t0}
	must(t, s.CreateOrganisation(t.Context(), o))
	return o
}

func mustUser(t *testing.T, s app.Queries, orgID int64, email string, roles ...desk.RoleGrant) *desk.User {
	t.Helper()
	u := &desk.User{OrgID: orgID, Email: email, Name: "User " + email, Locale: "fr", Roles: roles, CreatedAt: t0}
	must(t, s.CreateUser(t.Context(), u, "hash-of-"+email))
	return u
}

func mustSpace(t *testing.T, s app.Queries, clientID int64, key string) *desk.Space {
	t.Helper()
	sp := &desk.Space{ClientID: clientID, Key: key, Name: "Space " + key, CreatedAt: t0}
	must(t, s.CreateSpace(t.Context(), sp))
	return sp
}

func orgIDs(list []desk.Organisation) []int64 {
	ids := []int64{}
	for _, o := range list {
		ids = append(ids, o.ID)
	}
	return ids
}

func userIDs(list []desk.User) []int64 {
	ids := []int64{}
	for _, u := range list {
		ids = append(ids, u.ID)
	}
	return ids
}

func spaceIDs(list []desk.Space) []int64 {
	ids := []int64{}
	for _, s := range list {
		ids = append(ids, s.ID)
	}
	return ids
}

func wantIDs(t *testing.T, what string, got, want []int64) {
	t.Helper()
	if want == nil {
		want = []int64{}
	}
	if !slices.Equal(got, want) {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

func TestOrganisations(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := t.Context()
		if _, err := s.ProviderOrganisation(ctx); desk.ErrorCode(err) != desk.NotFound {
			t.Fatalf("ProviderOrganisation on an empty base: %v, want not found", err)
		}
		p := mustOrg(t, s, desk.Provider, "Acme Support")
		if p.ID <= 0 {
			t.Fatalf("ID = %d", p.ID)
		}
		got, err := s.ProviderOrganisation(ctx)
		must(t, err)
		if got.ID != p.ID || got.Kind != desk.Provider || got.Name != "Acme Support" || got.Trained || got.TrainedOn != nil {
			t.Errorf("provider = %+v", got)
		}
		wantTime(t, "CreatedAt", got.CreatedAt, t0)

		trained := t0.Add(-48 * time.Hour)
		partner := &desk.Organisation{Kind: desk.Partner, Name: "Integrix", Trained: true, TrainedOn: &trained}
		must(t, s.CreateOrganisation(ctx, partner))
		got, err = s.Organisation(ctx, partner.ID)
		must(t, err)
		if !got.Trained {
			t.Error("Trained = false")
		}
		wantNullTime(t, "TrainedOn", got.TrainedOn, &trained)
		if got.CreatedAt.IsZero() || time.Since(got.CreatedAt) > time.Minute {
			t.Errorf("CreatedAt defaulted to %v", got.CreatedAt)
		}

		t.Run("conflicts", func(t *testing.T) {
			err := s.CreateOrganisation(ctx, &desk.Organisation{Kind: desk.Provider, Name: "Other", CreatedAt: t0})
			wantErr(t, err, desk.Conflict, "kind")
			mustOrg(t, s, desk.Client, "Globex")
			err = s.CreateOrganisation(ctx, &desk.Organisation{Kind: desk.Client, Name: "GLOBEX", CreatedAt: t0})
			wantErr(t, err, desk.Conflict, "name")
			mustOrg(t, s, desk.Partner, "Globex") // same name, other kind
			err = s.CreateOrganisation(ctx, &desk.Organisation{Kind: "vendor", Name: "V", CreatedAt: t0})
			wantErr(t, err, desk.Invalid, "kind")
		})

		t.Run("update", func(t *testing.T) {
			partner.Name = "Integrix SA"
			partner.Trained, partner.TrainedOn = false, nil
			must(t, s.UpdateOrganisation(ctx, partner))
			got, err := s.Organisation(ctx, partner.ID)
			must(t, err)
			if got.Name != "Integrix SA" || got.Trained || got.TrainedOn != nil {
				t.Errorf("after update: %+v", got)
			}
			c := mustOrg(t, s, desk.Partner, "Taken")
			c.Name = "integrix sa"
			wantErr(t, s.UpdateOrganisation(ctx, c), desk.Conflict, "name")
			wantErr(t, s.UpdateOrganisation(ctx, &desk.Organisation{ID: 9999, Name: "x"}), desk.NotFound, "")
		})

		_, err = s.Organisation(ctx, 9999)
		wantErr(t, err, desk.NotFound, "")
	})
}

func TestListOrganisations(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := t.Context()
		var ids []int64
		for i := range 5 {
			ids = append(ids, mustOrg(t, s, desk.Client, fmt.Sprintf("Client %d", i)).ID)
		}
		all, err := s.ListOrganisations(ctx, desk.OrgScope{All: true}, desk.Page{})
		must(t, err)
		wantIDs(t, "all", orgIDs(all), ids)
		page, err := s.ListOrganisations(ctx, desk.OrgScope{All: true}, desk.Page{After: ids[1], Limit: 2})
		must(t, err)
		wantIDs(t, "page after 2nd, limit 2", orgIDs(page), ids[2:4])
		some, err := s.ListOrganisations(ctx, desk.OrgScope{IDs: []int64{ids[3], ids[0], 9999}}, desk.Page{})
		must(t, err)
		wantIDs(t, "scoped", orgIDs(some), []int64{ids[0], ids[3]})
		some, err = s.ListOrganisations(ctx, desk.OrgScope{IDs: []int64{ids[0], ids[3], ids[4]}}, desk.Page{After: ids[0], Limit: 1})
		must(t, err)
		wantIDs(t, "scoped page", orgIDs(some), []int64{ids[3]})
		none, err := s.ListOrganisations(ctx, desk.OrgScope{}, desk.Page{})
		must(t, err)
		if none == nil || len(none) != 0 {
			t.Errorf("empty scope = %#v, want an empty list", none)
		}
	})
}

func TestUsers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := t.Context()
		prov := mustOrg(t, s, desk.Provider, "Acme")
		client := mustOrg(t, s, desk.Client, "Globex")
		u := mustUser(t, s, prov.ID, "Alice@Example.com",
			desk.RoleGrant{Role: desk.Engineer}, desk.RoleGrant{Role: desk.Admin}, desk.RoleGrant{Role: desk.Agent})
		if u.ID <= 0 || u.Email != "alice@example.com" {
			t.Fatalf("created %+v", u)
		}
		got, err := s.User(ctx, u.ID)
		must(t, err)
		if got.OrgID != prov.ID || got.Email != "alice@example.com" || got.Name != u.Name || got.Locale != "fr" || got.Disabled {
			t.Errorf("user = %+v", got)
		}
		wantTime(t, "CreatedAt", got.CreatedAt, t0)
		wantRoles := []desk.RoleGrant{{Role: desk.Admin}, {Role: desk.Agent}, {Role: desk.Engineer}}
		if !slices.Equal(got.Roles, wantRoles) {
			t.Errorf("roles = %v, want %v (ordered by role)", got.Roles, wantRoles)
		}

		byMail, hash, err := s.UserByEmail(ctx, "ALICE@example.com")
		must(t, err)
		if byMail.ID != u.ID || hash != "hash-of-Alice@Example.com" || len(byMail.Roles) != 3 {
			t.Errorf("UserByEmail = %+v, %q", byMail, hash)
		}
		_, _, err = s.UserByEmail(ctx, "nobody@example.com")
		wantErr(t, err, desk.NotFound, "")
		_, err = s.User(ctx, 9999)
		wantErr(t, err, desk.NotFound, "")

		t.Run("conflicts", func(t *testing.T) {
			err := s.CreateUser(ctx, &desk.User{OrgID: client.ID, Email: "alice@EXAMPLE.com", Name: "A", Locale: "en"}, "h")
			wantErr(t, err, desk.Conflict, "email")
			if e, _ := desk.AsError(err); e.Message != "a user with this email already exists" {
				t.Errorf("message = %q", e.Message)
			}
			err = s.CreateUser(ctx, &desk.User{OrgID: 9999, Email: "ghost@example.com", Name: "G", Locale: "en"}, "h")
			wantErr(t, err, desk.Invalid, "org_id")
		})

		t.Run("update", func(t *testing.T) {
			c := mustUser(t, s, client.ID, "carol@globex.com", desk.RoleGrant{Role: desk.Contact, ClientID: client.ID})
			c.Name, c.Locale, c.Disabled = "Carol", "en", true
			must(t, s.UpdateUser(ctx, c))
			got, err := s.User(ctx, c.ID)
			must(t, err)
			if got.Name != "Carol" || got.Locale != "en" || !got.Disabled {
				t.Errorf("after update: %+v", got)
			}
			c.Email = "alice@example.com"
			wantErr(t, s.UpdateUser(ctx, c), desk.Conflict, "email")
			wantErr(t, s.UpdateUser(ctx, &desk.User{ID: 9999, Email: "x@y.z"}), desk.NotFound, "")

			must(t, s.SetPassword(ctx, c.ID, "new-hash"))
			_, hash, err := s.UserByEmail(ctx, "carol@globex.com")
			must(t, err)
			if hash != "new-hash" {
				t.Errorf("hash = %q", hash)
			}
			wantErr(t, s.SetPassword(ctx, 9999, "h"), desk.NotFound, "")
		})

		t.Run("roles", func(t *testing.T) {
			c := mustUser(t, s, client.ID, "dan@globex.com", desk.RoleGrant{Role: desk.Contact, ClientID: client.ID})
			grants := []desk.RoleGrant{
				{Role: desk.Animator, ClientID: client.ID},
				{Role: desk.ContractManager, ClientID: client.ID},
				{Role: desk.Animator, ClientID: client.ID}, // repeated: kept once
			}
			must(t, s.SetUserRoles(ctx, c.ID, grants))
			got, err := s.User(ctx, c.ID)
			must(t, err)
			want := []desk.RoleGrant{{Role: desk.Animator, ClientID: client.ID}, {Role: desk.ContractManager, ClientID: client.ID}}
			if !slices.Equal(got.Roles, want) {
				t.Errorf("roles = %v, want %v", got.Roles, want)
			}
			must(t, s.SetUserRoles(ctx, c.ID, nil))
			got, err = s.User(ctx, c.ID)
			must(t, err)
			if len(got.Roles) != 0 {
				t.Errorf("roles after clearing = %v", got.Roles)
			}
			wantErr(t, s.SetUserRoles(ctx, 9999, grants), desk.NotFound, "")
			err = s.SetUserRoles(ctx, c.ID, []desk.RoleGrant{{Role: desk.Contact, ClientID: 9999}})
			wantErr(t, err, desk.Invalid, "roles")
		})
	})
}

func TestListUsers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := t.Context()
		prov := mustOrg(t, s, desk.Provider, "Acme")
		c1 := mustOrg(t, s, desk.Client, "Globex")
		c2 := mustOrg(t, s, desk.Client, "Initech")
		partner := mustOrg(t, s, desk.Partner, "Integrix")
		staff := mustUser(t, s, prov.ID, "staff@acme.com", desk.RoleGrant{Role: desk.Agent}, desk.RoleGrant{Role: desk.Admin})
		g1 := mustUser(t, s, c1.ID, "one@globex.com", desk.RoleGrant{Role: desk.Contact, ClientID: c1.ID})
		g2 := mustUser(t, s, c1.ID, "two@globex.com")
		i1 := mustUser(t, s, c2.ID, "one@initech.com")
		p1 := mustUser(t, s, partner.ID, "one@integrix.com")
		sp1 := mustSpace(t, s, c1.ID, "GLX")
		sp2 := mustSpace(t, s, c2.ID, "INI")
		must(t, s.AddMember(ctx, &desk.Membership{SpaceID: sp1.ID, UserID: p1.ID, AddedBy: staff.ID}))
		must(t, s.AddMember(ctx, &desk.Membership{SpaceID: sp2.ID, UserID: i1.ID, AddedBy: staff.ID}))

		list, err := s.ListUsers(ctx, app.UserScope{All: true}, desk.Page{})
		must(t, err)
		wantIDs(t, "all", userIDs(list), []int64{staff.ID, g1.ID, g2.ID, i1.ID, p1.ID})
		if !slices.Equal(list[0].Roles, []desk.RoleGrant{{Role: desk.Admin}, {Role: desk.Agent}}) ||
			!slices.Equal(list[1].Roles, []desk.RoleGrant{{Role: desk.Contact, ClientID: c1.ID}}) || len(list[2].Roles) != 0 {
			t.Errorf("roles in list: %v, %v, %v", list[0].Roles, list[1].Roles, list[2].Roles)
		}
		for _, tc := range []struct {
			name  string
			scope app.UserScope
			page  desk.Page
			want  []int64
		}{
			{"org", app.UserScope{OrgIDs: []int64{c1.ID}}, desk.Page{}, []int64{g1.ID, g2.ID}},
			{"space", app.UserScope{SpaceIDs: []int64{sp1.ID}}, desk.Page{}, []int64{p1.ID}},
			{"org or space", app.UserScope{OrgIDs: []int64{c1.ID}, SpaceIDs: []int64{sp1.ID}}, desk.Page{}, []int64{g1.ID, g2.ID, p1.ID}},
			{"org or space, paged", app.UserScope{OrgIDs: []int64{c1.ID}, SpaceIDs: []int64{sp1.ID}}, desk.Page{After: g1.ID, Limit: 1}, []int64{g2.ID}},
			{"all, paged", app.UserScope{All: true}, desk.Page{After: g2.ID}, []int64{i1.ID, p1.ID}},
			{"empty", app.UserScope{}, desk.Page{}, nil},
		} {
			t.Run(tc.name, func(t *testing.T) {
				list, err := s.ListUsers(ctx, tc.scope, tc.page)
				must(t, err)
				wantIDs(t, "users", userIDs(list), tc.want)
			})
		}
	})
}

func TestSpacesAndProjects(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := t.Context()
		c1 := mustOrg(t, s, desk.Client, "Globex")
		c2 := mustOrg(t, s, desk.Client, "Initech")
		a := mustSpace(t, s, c1.ID, "GLX")
		b := mustSpace(t, s, c1.ID, "GLX2")
		c := mustSpace(t, s, c2.ID, "INI")
		got, err := s.Space(ctx, a.ID)
		must(t, err)
		if got.ClientID != c1.ID || got.Key != "GLX" || got.Name != "Space GLX" {
			t.Errorf("space = %+v", got)
		}
		wantTime(t, "CreatedAt", got.CreatedAt, t0)
		_, err = s.Space(ctx, 9999)
		wantErr(t, err, desk.NotFound, "")
		wantErr(t, s.CreateSpace(ctx, &desk.Space{ClientID: c2.ID, Key: "GLX", Name: "x"}), desk.Conflict, "key")
		wantErr(t, s.CreateSpace(ctx, &desk.Space{ClientID: 9999, Key: "NOPE", Name: "x"}), desk.Invalid, "client_id")

		a.Name = "Globex support"
		must(t, s.UpdateSpace(ctx, a))
		got, err = s.Space(ctx, a.ID)
		must(t, err)
		if got.Name != "Globex support" {
			t.Errorf("name = %q", got.Name)
		}
		wantErr(t, s.UpdateSpace(ctx, &desk.Space{ID: 9999, Name: "x"}), desk.NotFound, "")

		list, err := s.ListSpaces(ctx, desk.SpaceScope{All: true}, desk.Page{})
		must(t, err)
		wantIDs(t, "all spaces", spaceIDs(list), []int64{a.ID, b.ID, c.ID})
		list, err = s.ListSpaces(ctx, desk.SpaceScope{All: true}, desk.Page{After: a.ID, Limit: 1})
		must(t, err)
		wantIDs(t, "page", spaceIDs(list), []int64{b.ID})
		list, err = s.ListSpaces(ctx, desk.SpaceScope{IDs: []int64{c.ID, a.ID}}, desk.Page{})
		must(t, err)
		wantIDs(t, "scoped", spaceIDs(list), []int64{a.ID, c.ID})
		list, err = s.ListSpaces(ctx, desk.SpaceScope{}, desk.Page{})
		must(t, err)
		wantIDs(t, "empty scope", spaceIDs(list), nil)
		ids, err := s.SpaceIDsOfClient(ctx, c1.ID)
		must(t, err)
		wantIDs(t, "spaces of client", ids, []int64{a.ID, b.ID})
		ids, err = s.SpaceIDsOfClient(ctx, 9999)
		must(t, err)
		wantIDs(t, "spaces of unknown client", ids, nil)

		p1 := &desk.Project{SpaceID: a.ID, Name: "Extranet", CreatedAt: t0}
		must(t, s.CreateProject(ctx, p1))
		p2 := &desk.Project{SpaceID: a.ID, Name: "ERP", CreatedAt: t0}
		must(t, s.CreateProject(ctx, p2))
		must(t, s.CreateProject(ctx, &desk.Project{SpaceID: b.ID, Name: "Extranet"})) // same name, other space
		wantErr(t, s.CreateProject(ctx, &desk.Project{SpaceID: a.ID, Name: "Extranet"}), desk.Conflict, "name")
		wantErr(t, s.CreateProject(ctx, &desk.Project{SpaceID: 9999, Name: "X"}), desk.Invalid, "space_id")
		gp, err := s.Project(ctx, p1.ID)
		must(t, err)
		if gp.SpaceID != a.ID || gp.Name != "Extranet" {
			t.Errorf("project = %+v", gp)
		}
		wantTime(t, "project CreatedAt", gp.CreatedAt, t0)
		_, err = s.Project(ctx, 9999)
		wantErr(t, err, desk.NotFound, "")
		p2.Name = "Extranet"
		wantErr(t, s.UpdateProject(ctx, p2), desk.Conflict, "name")
		p2.Name = "Finance"
		must(t, s.UpdateProject(ctx, p2))
		gp, err = s.Project(ctx, p2.ID)
		must(t, err)
		if gp.Name != "Finance" {
			t.Errorf("name = %q", gp.Name)
		}
		wantErr(t, s.UpdateProject(ctx, &desk.Project{ID: 9999, Name: "x"}), desk.NotFound, "")
		ps, err := s.ListProjects(ctx, a.ID, desk.Page{})
		must(t, err)
		if len(ps) != 2 || ps[0].ID != p1.ID || ps[1].ID != p2.ID {
			t.Errorf("projects = %+v", ps)
		}
		ps, err = s.ListProjects(ctx, a.ID, desk.Page{After: p1.ID, Limit: 5})
		must(t, err)
		if len(ps) != 1 || ps[0].ID != p2.ID {
			t.Errorf("projects after first = %+v", ps)
		}
		ps, err = s.ListProjects(ctx, a.ID, desk.Page{Limit: 1})
		must(t, err)
		if len(ps) != 1 || ps[0].ID != p1.ID {
			t.Errorf("projects limit 1 = %+v", ps)
		}
	})
}

func TestMemberships(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := t.Context()
		prov := mustOrg(t, s, desk.Provider, "Acme")
		client := mustOrg(t, s, desk.Client, "Globex")
		admin := mustUser(t, s, prov.ID, "admin@acme.com")
		u1 := mustUser(t, s, client.ID, "one@globex.com")
		u2 := mustUser(t, s, client.ID, "two@globex.com")
		sa := mustSpace(t, s, client.ID, "GLX")
		sb := mustSpace(t, s, client.ID, "GLY")

		must(t, s.AddMember(ctx, &desk.Membership{SpaceID: sa.ID, UserID: u1.ID, AddedBy: admin.ID, AddedAt: t0}))
		must(t, s.AddMember(ctx, &desk.Membership{SpaceID: sa.ID, UserID: u2.ID, AddedBy: -1, AddedAt: t0})) // the system
		must(t, s.AddMember(ctx, &desk.Membership{SpaceID: sb.ID, UserID: u1.ID}))
		err := s.AddMember(ctx, &desk.Membership{SpaceID: sa.ID, UserID: u1.ID, AddedBy: admin.ID})
		wantErr(t, err, desk.Conflict, "user_id")
		if e, _ := desk.AsError(err); e.Message != "already a member" {
			t.Errorf("message = %q", e.Message)
		}
		err = s.AddMember(ctx, &desk.Membership{SpaceID: sa.ID, UserID: 9999})
		if desk.ErrorCode(err) != desk.Invalid {
			t.Errorf("unknown user: %v, want invalid", err)
		}

		ms, err := s.ListMembers(ctx, sa.ID, desk.Page{})
		must(t, err)
		if len(ms) != 2 || ms[0].UserID != u1.ID || ms[0].AddedBy != admin.ID || ms[1].UserID != u2.ID || ms[1].AddedBy != 0 {
			t.Fatalf("members = %+v", ms)
		}
		wantTime(t, "AddedAt", ms[0].AddedAt, t0)
		ms, err = s.ListMembers(ctx, sa.ID, desk.Page{After: u1.ID, Limit: 10})
		must(t, err)
		if len(ms) != 1 || ms[0].UserID != u2.ID {
			t.Errorf("members after u1 = %+v", ms)
		}
		ms, err = s.ListMembers(ctx, sa.ID, desk.Page{Limit: 1})
		must(t, err)
		if len(ms) != 1 || ms[0].UserID != u1.ID {
			t.Errorf("members limit 1 = %+v", ms)
		}
		ids, err := s.SpacesOfMember(ctx, u1.ID)
		must(t, err)
		wantIDs(t, "spaces of u1", ids, []int64{sa.ID, sb.ID})

		must(t, s.RemoveMember(ctx, sa.ID, u1.ID))
		wantErr(t, s.RemoveMember(ctx, sa.ID, u1.ID), desk.NotFound, "")
		if e, _ := desk.AsError(s.RemoveMember(ctx, sa.ID, admin.ID)); e == nil || e.Message != "membership not found" {
			t.Errorf("removing a non-member: %v", e)
		}
		ids, err = s.SpacesOfMember(ctx, u1.ID)
		must(t, err)
		wantIDs(t, "spaces of u1 after removal", ids, []int64{sb.ID})
		ids, err = s.SpacesOfMember(ctx, admin.ID)
		must(t, err)
		wantIDs(t, "spaces of a non-member", ids, nil)
	})
}

// TestActorRecord checks the one query every request builds its actor from:
// roles with their clients, memberships, and the spaces a client owns, the same
// through the user's id and through one of its tokens.
func TestActorRecord(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := t.Context()
		provider := mustOrg(t, s, desk.Provider, "Vauban")
		client := mustOrg(t, s, desk.Client, "Globex")
		other := mustOrg(t, s, desk.Client, "Initech")
		partner := mustOrg(t, s, desk.Partner, "Integra")
		staff := mustUser(t, s, provider.ID, "staff@vauban.com", desk.RoleGrant{Role: desk.Agent},
			desk.RoleGrant{Role: desk.AccountManager, ClientID: other.ID}, desk.RoleGrant{Role: desk.AccountManager, ClientID: client.ID})
		contact := mustUser(t, s, client.ID, "carol@globex.com", desk.RoleGrant{Role: desk.SecurityOfficer, ClientID: client.ID},
			desk.RoleGrant{Role: desk.Contact, ClientID: client.ID})
		integrator := mustUser(t, s, partner.ID, "ian@integra.com")
		s2 := mustSpace(t, s, client.ID, "GLX2")
		s1 := mustSpace(t, s, client.ID, "GLX")
		s3 := mustSpace(t, s, other.ID, "INI")
		for _, m := range []desk.Membership{{SpaceID: s2.ID, UserID: contact.ID}, {SpaceID: s1.ID, UserID: contact.ID},
			{SpaceID: s3.ID, UserID: integrator.ID}, {SpaceID: s1.ID, UserID: integrator.ID}} {
			m.AddedBy, m.AddedAt = staff.ID, t0
			must(t, s.AddMember(ctx, &m))
		}
		for _, c := range []struct {
			user          *desk.User
			kind          desk.OrgKind
			roles         []desk.RoleGrant
			member, owned []int64
		}{
			{staff, desk.Provider, []desk.RoleGrant{{Role: desk.AccountManager, ClientID: client.ID},
				{Role: desk.AccountManager, ClientID: other.ID}, {Role: desk.Agent}}, nil, nil},
			{contact, desk.Client, []desk.RoleGrant{{Role: desk.Contact, ClientID: client.ID},
				{Role: desk.SecurityOfficer, ClientID: client.ID}}, []int64{s2.ID, s1.ID}, []int64{s2.ID, s1.ID}}, // by id
			{integrator, desk.Partner, []desk.RoleGrant{}, []int64{s1.ID, s3.ID}, nil},
		} {
			secret := "secret-of-" + c.user.Email
			tok := &desk.Token{UserID: c.user.ID, Name: "t", Hash: app.HashToken(secret), CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}
			must(t, s.CreateToken(ctx, tok))
			byID, err := s.ActorRecord(ctx, c.user.ID)
			must(t, err)
			got, byToken, err := s.TokenActor(ctx, tok.Hash)
			must(t, err)
			if got.ID != tok.ID || got.UserID != c.user.ID {
				t.Errorf("%s: token = %+v", c.user.Email, got)
			}
			for how, r := range map[string]*app.ActorRecord{"by id": byID, "by token": byToken} {
				if r.User.ID != c.user.ID || r.User.Email != c.user.Email || r.User.OrgID != c.user.OrgID || r.OrgKind != c.kind {
					t.Errorf("%s %s: user %+v of a %s", c.user.Email, how, r.User, r.OrgKind)
				}
				if !slices.Equal(r.User.Roles, c.roles) {
					t.Errorf("%s %s: roles = %+v, want %+v", c.user.Email, how, r.User.Roles, c.roles)
				}
				wantIDs(t, c.user.Email+" "+how+": member of", r.MemberOf, c.member)
				wantIDs(t, c.user.Email+" "+how+": client spaces", r.ClientSpaces, c.owned)
			}
		}
		_, err := s.ActorRecord(ctx, 9999)
		wantErr(t, err, desk.NotFound, "")
	})
}

func TestTokens(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := t.Context()
		org := mustOrg(t, s, desk.Provider, "Acme")
		u := mustUser(t, s, org.ID, "a@acme.com")
		other := mustUser(t, s, org.ID, "b@acme.com")
		tok := &desk.Token{UserID: u.ID, Name: "CI", Hash: app.HashToken("secret-1"), CreatedAt: t0, ExpiresAt: t0.Add(90 * 24 * time.Hour)}
		must(t, s.CreateToken(ctx, tok))
		tok2 := &desk.Token{UserID: u.ID, Name: "laptop", Hash: app.HashToken("secret-2"), CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}
		must(t, s.CreateToken(ctx, tok2))
		must(t, s.CreateToken(ctx, &desk.Token{UserID: other.ID, Name: "x", Hash: app.HashToken("secret-3"), ExpiresAt: t0}))
		wantErr(t, s.CreateToken(ctx, &desk.Token{UserID: u.ID, Name: "dup", Hash: app.HashToken("secret-1"), ExpiresAt: t0}), desk.Conflict, "hash")
		wantErr(t, s.CreateToken(ctx, &desk.Token{UserID: 9999, Name: "x", Hash: app.HashToken("secret-4"), ExpiresAt: t0}), desk.Invalid, "user_id")

		got, rec, err := s.TokenActor(ctx, app.HashToken("secret-1"))
		must(t, err)
		if got.ID != tok.ID || got.UserID != u.ID || got.Name != "CI" || !bytes.Equal(got.Hash, tok.Hash) {
			t.Errorf("token = %+v", got)
		}
		if rec.User.ID != u.ID || rec.User.Email != "a@acme.com" || rec.OrgKind != desk.Provider {
			t.Errorf("token's actor = %+v, user %+v", rec, rec.User)
		}
		wantTime(t, "CreatedAt", got.CreatedAt, t0)
		wantTime(t, "ExpiresAt", got.ExpiresAt, t0.Add(90*24*time.Hour))
		wantNullTime(t, "RevokedAt", got.RevokedAt, nil)
		wantNullTime(t, "LastUsedAt", got.LastUsedAt, nil)
		_, _, err = s.TokenActor(ctx, app.HashToken("unknown"))
		wantErr(t, err, desk.NotFound, "")
		if e, _ := desk.AsError(err); e.Message != "token not found" {
			t.Errorf("message = %q", e.Message)
		}

		used := t0.Add(time.Minute)
		must(t, s.TouchToken(ctx, tok.ID, used))
		revoked := t0.Add(2 * time.Minute)
		must(t, s.RevokeToken(ctx, tok.ID, revoked))
		must(t, s.RevokeToken(ctx, tok.ID, revoked.Add(time.Hour))) // keeps the first time
		got, err = s.Token(ctx, tok.ID)
		must(t, err)
		wantNullTime(t, "LastUsedAt", got.LastUsedAt, &used)
		wantNullTime(t, "RevokedAt", got.RevokedAt, &revoked)
		if got.Usable(t0) {
			t.Error("revoked token usable")
		}
		wantErr(t, s.TouchToken(ctx, 9999, used), desk.NotFound, "")
		wantErr(t, s.RevokeToken(ctx, 9999, used), desk.NotFound, "")
		_, err = s.Token(ctx, 9999)
		wantErr(t, err, desk.NotFound, "")

		list, err := s.ListTokens(ctx, u.ID, desk.Page{})
		must(t, err)
		if len(list) != 2 || list[0].ID != tok.ID || list[1].ID != tok2.ID {
			t.Fatalf("tokens = %+v", list)
		}
		list, err = s.ListTokens(ctx, u.ID, desk.Page{After: tok.ID, Limit: 1})
		must(t, err)
		if len(list) != 1 || list[0].ID != tok2.ID {
			t.Errorf("tokens after first = %+v", list)
		}
	})
}

func TestInTx(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := t.Context()
		boom := errors.New("boom")
		var id int64
		err := s.InTx(ctx, func(q app.Queries) error {
			o := mustOrg(t, q, desk.Client, "Ephemeral")
			id = o.ID
			mustUser(t, q, o.ID, "ghost@ephemeral.com")
			// Reads inside the transaction see its writes.
			if _, err := q.Organisation(ctx, o.ID); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("InTx = %v, want the callback's error", err)
		}
		_, err = s.Organisation(ctx, id)
		wantErr(t, err, desk.NotFound, "")
		_, _, err = s.UserByEmail(ctx, "ghost@ephemeral.com")
		wantErr(t, err, desk.NotFound, "")

		func() {
			defer func() {
				if recover() == nil {
					t.Error("the panic did not propagate")
				}
			}()
			_ = s.InTx(ctx, func(q app.Queries) error {
				mustOrg(t, q, desk.Client, "Panicky")
				panic("oops")
			})
		}()
		list, err := s.ListOrganisations(ctx, desk.OrgScope{All: true}, desk.Page{})
		must(t, err)
		if len(list) != 0 {
			t.Errorf("organisations after rollbacks: %+v", list)
		}

		// A conflict inside a transaction comes back translated; the rest commits.
		mustOrg(t, s, desk.Provider, "Acme")
		err = s.InTx(ctx, func(q app.Queries) error {
			mustOrg(t, q, desk.Client, "Kept")
			return q.CreateOrganisation(ctx, &desk.Organisation{Kind: desk.Provider, Name: "Second"})
		})
		wantErr(t, err, desk.Conflict, "kind")
		must(t, s.InTx(ctx, func(q app.Queries) error {
			mustOrg(t, q, desk.Client, "Kept")
			return nil
		}))
		list, err = s.ListOrganisations(ctx, desk.OrgScope{All: true}, desk.Page{})
		must(t, err)
		if len(list) != 2 || list[1].Name != "Kept" {
			t.Errorf("organisations = %+v", list)
		}
	})
}

func TestSessions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := t.Context()
		ss := s.Sessions()
		token := "session-token-0123456789abcdef"
		must(t, ss.Commit(token, []byte("data-1"), time.Now().Add(time.Hour)))
		b, found, err := ss.Find(token)
		must(t, err)
		if !found || string(b) != "data-1" {
			t.Fatalf("Find = %q, %v", b, found)
		}
		must(t, ss.Commit(token, []byte("data-2"), time.Now().Add(time.Hour)))
		b, found, err = ss.Find(token)
		must(t, err)
		if !found || string(b) != "data-2" {
			t.Fatalf("Find after update = %q, %v", b, found)
		}

		var n int
		must(t, s.DB().QueryRowContext(ctx, `SELECT count(*) FROM sessions WHERE token_hash = $1`, app.HashToken(token)).Scan(&n))
		if n != 1 {
			t.Errorf("rows with the token's hash = %d, want 1", n)
		}
		rows, err := s.DB().QueryContext(ctx, `SELECT token_hash FROM sessions`)
		must(t, err)
		for rows.Next() {
			var h []byte
			must(t, rows.Scan(&h))
			if bytes.Contains(h, []byte(token)) {
				t.Error("the raw token is stored")
			}
		}
		must(t, rows.Err())
		rows.Close()

		_, found, err = ss.Find("unknown")
		must(t, err)
		if found {
			t.Error("found an unknown session")
		}

		expired := "expired-token"
		must(t, ss.Commit(expired, []byte("old"), time.Now().Add(-time.Second)))
		_, found, err = ss.Find(expired)
		must(t, err)
		if found {
			t.Error("found an expired session")
		}

		must(t, ss.Delete(token))
		_, found, err = ss.Find(token)
		must(t, err)
		if found {
			t.Error("found a deleted session")
		}
		must(t, ss.Delete(token)) // deleting again is fine
	})
}

func TestSessionSweep(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := t.Context()
		ss := s.Sessions()
		// The first Commit of a store sweeps: the expired row it wrote is gone.
		must(t, ss.Commit("gone", []byte("x"), time.Now().Add(-time.Minute)))
		must(t, ss.Commit("kept", []byte("y"), time.Now().Add(time.Hour)))
		var n int
		must(t, s.DB().QueryRowContext(ctx, `SELECT count(*) FROM sessions`).Scan(&n))
		if n != 1 {
			t.Errorf("sessions left = %d, want 1", n)
		}
	})
}

func TestMigrate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := t.Context()
		cur, latest, err := s.SchemaStatus(ctx)
		must(t, err)
		if latest < 1 || cur != latest {
			t.Errorf("SchemaStatus = %d, %d", cur, latest)
		}
		n, err := s.Migrate(ctx)
		must(t, err)
		if n != 0 {
			t.Errorf("second Migrate applied %d", n)
		}
		if _, err := s.DB().ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)`,
			latest+1, time.Now().UTC()); err != nil {
			t.Fatal(err)
		}
		_, err = s.Migrate(ctx)
		if err == nil || !strings.Contains(err.Error(), "newer than this program") {
			t.Errorf("Migrate on a newer schema = %v", err)
		}
		cur, _, err = s.SchemaStatus(ctx)
		must(t, err)
		if cur != latest+1 {
			t.Errorf("current = %d", cur)
		}
	})
}

// freshDSNs returns the DSN of an empty, unmigrated database per dialect.
func freshDSNs() map[string]func(t *testing.T) string {
	return map[string]func(t *testing.T) string{
		"sqlite":   func(t *testing.T) string { return filepath.Join(t.TempDir(), "fresh.db") },
		"postgres": func(t *testing.T) string { return storetest.PostgresDSN(t) },
	}
}

func TestMigrateFresh(t *testing.T) {
	for name, dsn := range freshDSNs() {
		t.Run(name, func(t *testing.T) {
			ctx := t.Context()
			dsn := dsn(t)
			s, err := sqlstore.Open(ctx, dsn)
			must(t, err)
			defer s.Close()
			if s.Dialect() != name {
				t.Errorf("Dialect = %q", s.Dialect())
			}
			cur, latest, err := s.SchemaStatus(ctx)
			must(t, err)
			if cur != 0 || latest < 1 {
				t.Errorf("SchemaStatus before Migrate = %d, %d", cur, latest)
			}
			// Several instances starting at once migrate once.
			var wg sync.WaitGroup
			applied := make([]int, 4)
			errs := make([]error, 4)
			for i := range 4 {
				wg.Go(func() {
					other, err := sqlstore.Open(ctx, dsn)
					if err != nil {
						errs[i] = err
						return
					}
					defer other.Close()
					applied[i], errs[i] = other.Migrate(ctx)
				})
			}
			wg.Wait()
			total := 0
			for i := range 4 {
				must(t, errs[i])
				total += applied[i]
			}
			if total != latest {
				t.Errorf("concurrent migrations applied %d in all, want %d", total, latest)
			}
			cur, _, err = s.SchemaStatus(ctx)
			must(t, err)
			if cur != latest {
				t.Errorf("current = %d, want %d", cur, latest)
			}
		})
	}
}

func TestOpenBadDSN(t *testing.T) {
	_, err := sqlstore.Open(context.Background(), filepath.Join(t.TempDir(), "no", "such", "dir", "x.db"))
	if err == nil {
		t.Error("Open succeeded in a missing directory")
	}
}

func TestConcurrentWritesSQLite(t *testing.T) {
	s := storetest.OpenSQLite(t)
	ctx := t.Context()
	org := mustOrg(t, s, desk.Client, "Globex")
	const workers, each = 8, 10
	var wg sync.WaitGroup
	errs := make(chan error, workers*each)
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				email := fmt.Sprintf("u%d-%d@globex.com", w, i)
				errs <- s.InTx(ctx, func(q app.Queries) error {
					// Read, then write: the pattern that fails without BEGIN IMMEDIATE.
					if _, _, err := q.UserByEmail(ctx, email); desk.ErrorCode(err) != desk.NotFound {
						return fmt.Errorf("lookup %s: %v", email, err)
					}
					if _, err := q.Organisation(ctx, org.ID); err != nil {
						return err
					}
					u := &desk.User{OrgID: org.ID, Email: email, Name: email, Locale: "en",
						Roles: []desk.RoleGrant{{Role: desk.Contact, ClientID: org.ID}}}
					return q.CreateUser(ctx, u, "h")
				})
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	list, err := s.ListUsers(ctx, app.UserScope{OrgIDs: []int64{org.ID}}, desk.Page{Limit: desk.MaxPageSize})
	must(t, err)
	if len(list) != workers*each {
		t.Errorf("users = %d, want %d", len(list), workers*each)
	}
}

func TestSQLiteTimeText(t *testing.T) {
	s := storetest.OpenSQLite(t)
	ctx := t.Context()
	o := mustOrg(t, s, desk.Client, "Globex")
	var text string
	var valid bool
	must(t, s.DB().QueryRowContext(ctx, `SELECT created_at || '', julianday(created_at) IS NOT NULL FROM organisations WHERE id = $1`,
		o.ID).Scan(&text, &valid))
	if text != "2025-03-04 04:06:07.123456+00:00" || !valid {
		t.Errorf("stored %q (readable by SQLite's date functions: %v), want UTC text to the microsecond", text, valid)
	}
}

// TestSessionRenewalIsNotAWrite checks that a request which only pushes a
// session's idle expiry back by a little does not write, and that any other
// change does.
func TestSessionRenewalIsNotAWrite(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := t.Context()
		ss := s.Sessions()
		token := "renewed-token-0123456789abcdef"
		stored := func() (data string, expiry time.Time) {
			t.Helper()
			var b []byte
			var e time.Time
			must(t, s.DB().QueryRowContext(ctx, `SELECT data, expiry FROM sessions WHERE token_hash = $1`,
				app.HashToken(token)).Scan(&b, &e))
			return string(b), e.UTC()
		}
		t0 := time.Now().UTC().Truncate(time.Second).Add(24 * time.Hour)
		must(t, ss.Commit(token, []byte("user=7"), t0))
		if _, found, err := ss.Find(token); err != nil || !found {
			t.Fatalf("Find = %v, %v", found, err)
		}
		must(t, ss.Commit(token, []byte("user=7"), t0.Add(time.Minute)))
		if _, e := stored(); !e.Equal(t0) {
			t.Errorf("a one-minute renewal was written: expiry %v, want %v", e, t0)
		}
		must(t, ss.Commit(token, []byte("user=7"), t0.Add(6*time.Minute)))
		if _, e := stored(); !e.Equal(t0.Add(6 * time.Minute)) {
			t.Errorf("a six-minute renewal was not written: expiry %v", e)
		}
		must(t, ss.Commit(token, []byte("user=8"), t0.Add(6*time.Minute)))
		if d, _ := stored(); d != "user=8" {
			t.Errorf("changed data was not written: %q", d)
		}
		// Gone in the database (another instance logged out): found no more, and
		// a later commit writes again.
		_, err := s.DB().ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = $1`, app.HashToken(token))
		must(t, err)
		if _, found, _ := ss.Find(token); found {
			t.Error("a deleted session was found")
		}
		must(t, ss.Commit(token, []byte("user=8"), t0.Add(6*time.Minute)))
		if d, _ := stored(); d != "user=8" {
			t.Errorf("after deletion, commit wrote %q", d)
		}
	})
}
