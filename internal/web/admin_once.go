package web

import (
	"net/http"
	"strconv"
	"strings"

	"guichet/internal/desk"
)

// Everything the administration creates has a unique name, address, key or
// reference, so a creation form sent twice (a double click, a reload) cannot
// create twice: the second sending meets a duplicate. sentTwice turns that
// duplicate into what the person wanted to see, the thing that exists, with a
// notice that nothing new was made; find returns its page.

// sentTwice answers for a creation refused as a duplicate of what find finds,
// and says whether it did.
func sentTwice(w http.ResponseWriter, r *http.Request, err error, find func() (string, bool)) bool {
	if desk.ErrorCode(err) != desk.Conflict {
		return false
	}
	url, ok := find()
	if !ok {
		return false
	}
	afterSave(w, r, url, "exists")
	return true
}

// contractsWhere lists the contracts for which keep answers true.
func (p *Pages) contractsWhere(r *http.Request, s *session, keep func(*desk.Contract) bool) ([]desk.Contract, error) {
	cs, err := everyPage(func(pg desk.Page) ([]desk.Contract, error) { return p.svc.Contracts(r.Context(), s.A, pg) },
		func(c desk.Contract) int64 { return c.ID })
	if err != nil {
		return nil, err
	}
	out := cs[:0]
	for i := range cs {
		if keep(&cs[i]) {
			out = append(out, cs[i])
		}
	}
	return out, nil
}

// calendarNamed finds the calendar of this name.
func (p *Pages) calendarNamed(r *http.Request, s *session, name string) func() (string, bool) {
	return func() (string, bool) {
		cals, err := everyPage(func(pg desk.Page) ([]desk.CalendarDef, error) { return p.svc.Calendars(r.Context(), s.A, pg) },
			func(c desk.CalendarDef) int64 { return c.ID })
		if err != nil {
			return "", false
		}
		for _, c := range cals {
			if c.Name == strings.TrimSpace(name) {
				return "/admin/calendars/" + strconv.FormatInt(c.ID, 10), true
			}
		}
		return "", false
	}
}

// contractWithReference finds the contract of this reference.
func (p *Pages) contractWithReference(r *http.Request, s *session, ref string) func() (string, bool) {
	return func() (string, bool) {
		cs, err := p.contractsWhere(r, s, func(c *desk.Contract) bool { return c.Reference == strings.TrimSpace(ref) })
		if err != nil || len(cs) == 0 {
			return "", false
		}
		return "/admin/contracts/" + strconv.FormatInt(cs[0].ID, 10), true
	}
}

// organisationNamed finds the organisation of this kind and name, whatever
// its case, as the database compares them.
func (p *Pages) organisationNamed(r *http.Request, s *session, kind, name string) func() (string, bool) {
	return func() (string, bool) {
		orgs, err := p.allOrganisations(r, s)
		if err != nil {
			return "", false
		}
		for _, o := range orgs {
			if string(o.Kind) == kind && strings.EqualFold(o.Name, strings.TrimSpace(name)) {
				return "/admin/organisations/" + strconv.FormatInt(o.ID, 10), true
			}
		}
		return "", false
	}
}

// userWithEmail finds the user of this address in organisation org; a user of
// another organisation is not this form's.
func (p *Pages) userWithEmail(r *http.Request, s *session, org int64, email string) func() (string, bool) {
	return func() (string, bool) {
		users, err := p.usersOf(r, s, org)
		if err != nil {
			return "", false
		}
		email = desk.NormaliseEmail(email)
		for _, u := range users {
			if u.Email == email {
				return "/admin/users/" + strconv.FormatInt(u.ID, 10), true
			}
		}
		return "", false
	}
}

// spaceWithKey finds client's space of this key; another client's is not this
// form's.
func (p *Pages) spaceWithKey(r *http.Request, s *session, client int64, key string) func() (string, bool) {
	return func() (string, bool) {
		spaces, err := p.svc.SpacesOf(r.Context(), s.A, client)
		if err != nil {
			return "", false
		}
		for _, sp := range spaces {
			if sp.Key == strings.ToUpper(strings.TrimSpace(key)) {
				return "/admin/spaces/" + strconv.FormatInt(sp.ID, 10), true
			}
		}
		return "", false
	}
}
