package web

import (
	"net/http"
	"strconv"
	"strings"

	"guichet/internal/desk"
)

// The administration pages manage the parties, spaces, calendars and contracts
// through the same use cases as the API. Provider staff read them; provider
// administrators change them (account managers also add and rename projects).
// For clients and partners the administration does not exist: every page of it
// answers not found, whatever the id, so that it names nothing of anybody.

// everyPage reads a list of the administration to its end, a page at a time
// in id order: the lists it serves hold hundreds of items, not millions.
func everyPage[T any](list func(desk.Page) ([]T, error), id func(T) int64) ([]T, error) {
	var out []T
	page := desk.Page{Limit: desk.MaxPageSize}
	for {
		items, err := list(page)
		if err != nil {
			return nil, err
		}
		out = append(out, items...)
		if len(items) < page.Limit {
			return out, nil
		}
		page.After = id(items[len(items)-1])
	}
}

// staffOnly returns the session of a provider staff member, or answers not
// found to anyone else (and false).
func (p *Pages) staffOnly(w http.ResponseWriter, r *http.Request) (*session, bool) {
	s, ok := p.signedIn(w, r)
	if !ok {
		return nil, false
	}
	if !s.A.Staff() {
		p.fail(w, r, s, desk.ErrNotFound("page"))
		return nil, false
	}
	return s, true
}

// adminOnly is staffOnly for a form that may changes things: staff who may not
// (may answers false) are refused before their input is even read, so that a
// refusal never depends on what they typed.
func (p *Pages) adminOnly(w http.ResponseWriter, r *http.Request, may func(*desk.Actor) bool) (*session, bool) {
	s, ok := p.staffOnly(w, r)
	if !ok {
		return nil, false
	}
	if !may(s.A) {
		p.fail(w, r, s, desk.Errorf(desk.Forbidden, "%s", text(s.L, "admin.forbidden")))
		return nil, false
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFields)
	if err := r.ParseForm(); err != nil {
		p.fail(w, r, s, desk.Errorf(desk.Invalid, "%s", text(s.L, "error.invalid")))
		return nil, false
	}
	return s, true
}

// isAdmin is who writes organisations, users, spaces, calendars and contracts.
func isAdmin(a *desk.Actor) bool { return a.CanManageParties() && a.CanManageContracts() }

// pathID reads the id named name in the path; a malformed one is not found.
func pathID(r *http.Request, name, what string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, desk.ErrNotFound(what)
	}
	return id, nil
}

// formErrors turns a use case's refusal of input into messages by form field:
// fields maps the use case's field names (without their index: "hours.monday"
// for "hours.monday[1]") to the form's; a field it does not name shows at the
// top of the form, and a duplicate without a field shows on dflt. It answers
// false, and nothing, for any other error, which the caller shows as a page.
func formErrors(l string, err error, fields map[string]string, dflt string) (map[string]string, int, bool) {
	e, ok := desk.AsError(err)
	if !ok || (e.Code != desk.Invalid && e.Code != desk.Conflict) {
		return nil, 0, false
	}
	status := http.StatusUnprocessableEntity
	field := e.Field
	if i := strings.IndexByte(field, '['); i >= 0 {
		field = field[:i]
	}
	if e.Code == desk.Conflict {
		status = http.StatusConflict
		if field == "" {
			field = dflt
		}
	}
	name, known := fields[field]
	if !known {
		name = "form"
	}
	msg := adminMessage(l, e)
	if e.Code == desk.Conflict {
		msg = text(l, "admin.exists")
	}
	return map[string]string{name: msg}, status, true
}

// afterSave sends the browser to url with a notice of what was done, so that a
// reload does not send the form again.
func afterSave(w http.ResponseWriter, r *http.Request, url, done string) {
	http.Redirect(w, r, url+"?done="+done, http.StatusSeeOther)
}

// AdminHome is the administration's home: what can be managed, and where.
func (p *Pages) AdminHome(w http.ResponseWriter, r *http.Request) {
	s, ok := p.staffOnly(w, r)
	if !ok {
		return
	}
	p.show(w, r, s, http.StatusOK, "admin.html", map[string]any{"Admin": isAdmin(s.A)})
}
