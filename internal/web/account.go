package web

import (
	"net/http"

	"guichet/internal/app"
	"guichet/internal/desk"
)

// Account is the visitor's own page: language and password.
func (p *Pages) Account(w http.ResponseWriter, r *http.Request) {
	s, ok := p.signedIn(w, r)
	if !ok {
		return
	}
	p.show(w, r, s, http.StatusOK, "account.html", map[string]any{"Done": r.URL.Query().Get("done")})
}

// Language stores the visitor's language.
func (p *Pages) Language(w http.ResponseWriter, r *http.Request) {
	s, ok := p.signedIn(w, r)
	if !ok {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFields)
	l := r.PostFormValue("locale")
	if _, err := p.svc.UpdateUser(r.Context(), s.A, s.A.UserID, app.UserPatch{Locale: &l}); err != nil {
		if desk.ErrorCode(err) != desk.Invalid {
			p.fail(w, r, s, err)
			return
		}
		p.show(w, r, s, http.StatusUnprocessableEntity, "account.html", map[string]any{"Errors": map[string]string{"locale": text(s.L, "account.badlocale")}})
		return
	}
	http.Redirect(w, r, "/account?done=locale", http.StatusSeeOther)
}

// Password changes the visitor's password after checking the current one.
func (p *Pages) Password(w http.ResponseWriter, r *http.Request) {
	s, ok := p.signedIn(w, r)
	if !ok {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFields)
	current, next, again := r.PostFormValue("current"), r.PostFormValue("new"), r.PostFormValue("again")
	errs := map[string]string{}
	if next != again {
		errs["again"] = text(s.L, "account.mismatch")
	} else if err := p.svc.ChangePassword(r.Context(), s.A, current, next); err != nil {
		e, ok := desk.AsError(err)
		switch {
		case ok && e.Code == desk.Unauthenticated, ok && e.Field == "current_password":
			errs["current"] = text(s.L, "account.wrongcurrent")
		case ok && e.Code == desk.Invalid:
			errs["new"] = fieldMessage(s.L, e)
		case ok && e.Code == desk.RateLimited:
			errs["current"] = text(s.L, "login.limited")
		default:
			p.fail(w, r, s, err)
			return
		}
	}
	if len(errs) > 0 {
		p.show(w, r, s, http.StatusUnprocessableEntity, "account.html", map[string]any{"Errors": errs})
		return
	}
	http.Redirect(w, r, "/account?done=password", http.StatusSeeOther)
}
