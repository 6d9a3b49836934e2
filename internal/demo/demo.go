// Package demo fills an empty database with a provider, two clients, a partner and
// one user of every role, so that Guichet can be tried at once.
package demo

import (
	"context"
	"fmt"
	"time"

	"guichet/internal/app"
	"guichet/internal/desk"
)

// Password is every demo user's password.
const Password = "guichet-demo"

// Login is one demo account.
type Login struct {
	Email string
	Who   string
}

// Seeded reports whether the database already holds an installation.
func Seeded(ctx context.Context, store app.Store) (bool, error) {
	_, err := store.ProviderOrganisation(ctx)
	switch desk.ErrorCode(err) {
	case desk.NotFound:
		return false, nil
	case desk.Internal:
		if err != nil {
			return false, err
		}
	}
	return true, nil
}

// Seed creates the demo installation on an empty database and returns the logins.
func Seed(ctx context.Context, svc *app.Service) ([]Login, error) {
	seeded, err := Seeded(ctx, svc.Store())
	if err != nil {
		return nil, err
	}
	if seeded {
		return nil, desk.Errorf(desk.Conflict, "the database already holds an installation; demo data goes only into an empty one")
	}
	s := &seeder{ctx: ctx, svc: svc, sys: desk.System()}
	trained := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	provider := s.org(desk.Provider, "Logiciels Vauban", nil)
	acme := s.org(desk.Client, "Acme Industrie", nil)
	bolt := s.org(desk.Client, "Bolt Logistique", nil)
	integra := s.org(desk.Partner, "Intégra Conseil", &trained)
	novice := s.org(desk.Partner, "Novice Services", nil)

	acmeSup := s.space(acme, "ACME", "Support Acme")
	acmeSec := s.space(acme, "ACMEX", "Acme — extranet partenaires")
	boltSup := s.space(bolt, "BOLT", "Support Bolt")
	s.project(acmeSup, "Extranet fournisseurs")
	s.project(acmeSup, "Portail RH")
	s.project(acmeSec, "Intégration Intégra")
	s.project(boltSup, "Entrepôt connecté")

	s.user(provider, "admin@vauban.example", "Alice Admin", "administrator (provider)", desk.Admin)
	s.user(provider, "agent@vauban.example", "Bruno Agent", "support agent, level 2", desk.Agent)
	s.user(provider, "engineer@vauban.example", "Chloé Ingénieure", "R&D engineer, level 3", desk.Engineer)
	s.user(provider, "pm@vauban.example", "David Produit", "product manager", desk.ProductManager)
	am := s.user(provider, "am@vauban.example", "Emma Compte", "account manager", desk.AccountManager)
	contact := s.user(acme, "contact@acme.example", "Fabien Contact", "client contact (Acme)", desk.Contact)
	anim := s.user(acme, "animator@acme.example", "Gaëlle Animatrice", "animator (Acme)", desk.Contact, desk.Animator)
	cm := s.user(acme, "contract@acme.example", "Hugo Contrat", "contract manager (Acme)", desk.ContractManager)
	rssi := s.user(acme, "security@acme.example", "Inès Sécurité", "security officer (Acme)", desk.Contact, desk.SecurityOfficer)
	dpo := s.user(acme, "dpo@acme.example", "Jean Données", "data protection officer (Acme)", desk.DPO)
	partner := s.user(integra, "partner@integra.example", "Karim Partenaire", "partner user (Intégra, trained)")
	other := s.user(bolt, "contact@bolt.example", "Léa Bolt", "client contact of another client (Bolt)", desk.Contact, desk.Animator)
	s.user(novice, "novice@novice.example", "Marc Novice", "partner user (Novice, not trained)")

	for _, u := range []*desk.User{contact, anim, cm, rssi, dpo} {
		s.member(acmeSup, u)
	}
	s.member(acmeSec, anim)
	s.member(acmeSec, partner)
	s.member(boltSup, other)
	s.contract(acme, am, acmeSup, acmeSec)
	return s.logins, s.err
}

// contract puts a client's spaces under a Total Care contract on the default
// calendar, with the tier's objectives and timers.
func (s *seeder) contract(client *desk.Organisation, am *desk.User, spaces ...*desk.Space) {
	if s.err != nil {
		return
	}
	c := desk.Contract{ClientID: client.ID, Reference: "ACME-TC-2026", Tier: desk.TotalCare, AccountManagerID: am.ID}
	for _, sp := range spaces {
		c.SpaceIDs = append(c.SpaceIDs, sp.ID)
	}
	_, err := s.svc.CreateContract(s.ctx, s.sys, c)
	s.fail(err, "contract "+c.Reference)
}

// seeder keeps the first error so the seeding reads as a list of facts.
type seeder struct {
	ctx    context.Context
	svc    *app.Service
	sys    *desk.Actor
	logins []Login
	err    error
}

func (s *seeder) org(kind desk.OrgKind, name string, trainedOn *time.Time) *desk.Organisation {
	if s.err != nil {
		return &desk.Organisation{}
	}
	o, err := s.svc.CreateOrganisation(s.ctx, s.sys, app.NewOrganisation{Kind: kind, Name: name,
		Trained: trainedOn != nil, TrainedOn: trainedOn})
	s.fail(err, "organisation "+name)
	return o
}

func (s *seeder) space(client *desk.Organisation, key, name string) *desk.Space {
	if s.err != nil {
		return &desk.Space{}
	}
	sp, err := s.svc.CreateSpace(s.ctx, s.sys, app.NewSpace{ClientID: client.ID, Key: key, Name: name})
	s.fail(err, "space "+key)
	return sp
}

func (s *seeder) project(sp *desk.Space, name string) {
	if s.err == nil {
		_, err := s.svc.CreateProject(s.ctx, s.sys, sp.ID, name)
		s.fail(err, "project "+name)
	}
}

func (s *seeder) user(org *desk.Organisation, email, name, who string, roles ...desk.Role) *desk.User {
	if s.err != nil {
		return &desk.User{}
	}
	locale := "fr"
	if org.Kind == desk.Partner {
		locale = "en"
	}
	u, err := s.svc.CreateUser(s.ctx, s.sys, app.NewUser{OrgID: org.ID, Email: email, Name: name,
		Locale: locale, Password: Password, Roles: roles})
	s.fail(err, "user "+email)
	s.logins = append(s.logins, Login{Email: email, Who: who})
	return u
}

func (s *seeder) member(sp *desk.Space, u *desk.User) {
	if s.err == nil {
		_, err := s.svc.AddMember(s.ctx, s.sys, sp.ID, u.ID, "")
		s.fail(err, "membership of "+u.Email)
	}
}

func (s *seeder) fail(err error, what string) {
	if err != nil && s.err == nil {
		s.err = fmt.Errorf("demo: %s: %w", what, err)
	}
}
