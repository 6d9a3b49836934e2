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
	var out []desk.Contract
	page := desk.Page{Limit: desk.MaxPageSize}
	for {
		cs, err := p.svc.Contracts(r.Context(), s.A, page)
		if err != nil {
			return nil, err
		}
		for i := range cs {
			if keep(&cs[i]) {
				out = append(out, cs[i])
			}
		}
		if len(cs) < page.Limit {
			return out, nil
		}
		page.After = cs[len(cs)-1].ID
	}
}

// calendarNamed finds the calendar of this name.
func (p *Pages) calendarNamed(r *http.Request, s *session, name string) func() (string, bool) {
	return func() (string, bool) {
		cals, err := p.svc.Calendars(r.Context(), s.A, desk.Page{Limit: desk.MaxPageSize})
		for err == nil && len(cals) > 0 {
			for _, c := range cals {
				if c.Name == strings.TrimSpace(name) {
					return "/admin/calendars/" + strconv.FormatInt(c.ID, 10), true
				}
			}
			cals, err = p.svc.Calendars(r.Context(), s.A, desk.Page{After: cals[len(cals)-1].ID, Limit: desk.MaxPageSize})
		}
		return "", false
	}
}

// contractWithReference finds the contract of this reference.
func (p *Pages) contractWithReference(r *http.Request, s *session, ref string) func() (string, bool) {
	return func() (string, bool) {
		cs, err := p.svc.Contracts(r.Context(), s.A, desk.Page{Limit: desk.MaxPageSize})
		for err == nil && len(cs) > 0 {
			for _, c := range cs {
				if c.Reference == strings.TrimSpace(ref) {
					return "/admin/contracts/" + strconv.FormatInt(c.ID, 10), true
				}
			}
			cs, err = p.svc.Contracts(r.Context(), s.A, desk.Page{After: cs[len(cs)-1].ID, Limit: desk.MaxPageSize})
		}
		return "", false
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
		email = desk.NormaliseEmail(email)
		page := desk.Page{Limit: desk.MaxPageSize}
		for {
			users, err := p.svc.UsersOf(r.Context(), s.A, org, page)
			if err != nil {
				return "", false
			}
			for _, u := range users {
				if u.Email == email {
					return "/admin/users/" + strconv.FormatInt(u.ID, 10), true
				}
			}
			if len(users) < page.Limit {
				return "", false
			}
			page.After = users[len(users)-1].ID
		}
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
