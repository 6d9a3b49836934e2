package web

import (
	"net/http"
	"slices"
	"strconv"
	"time"

	"guichet/internal/app"
	"guichet/internal/desk"
)

// Account is the visitor's own page: language, password and API tokens.
func (p *Pages) Account(w http.ResponseWriter, r *http.Request) {
	s, ok := p.signedIn(w, r)
	if !ok {
		return
	}
	p.account(w, r, s, http.StatusOK, map[string]any{"Done": r.URL.Query().Get("done")})
}

// account shows the account page with data, and the visitor's tokens.
func (p *Pages) account(w http.ResponseWriter, r *http.Request, s *session, status int, data map[string]any) {
	tokens, err := p.svc.Tokens(r.Context(), s.A, desk.Page{Limit: desk.MaxPageSize})
	if err != nil {
		p.fail(w, r, s, err)
		return
	}
	data["Tokens"], data["Now"] = tokens, p.svc.Now()
	p.show(w, r, s, status, "account.html", data)
}

// CreateToken makes an API token for the visitor and shows its secret, once.
func (p *Pages) CreateToken(w http.ResponseWriter, r *http.Request) {
	s, ok := p.signedIn(w, r)
	if !ok {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFields)
	name, days := r.PostFormValue("name"), r.PostFormValue("days")
	n, err := strconv.Atoi(days)
	if err != nil {
		n = -1
	}
	secret, tok, err := p.svc.NewToken(r.Context(), s.A, 0, name, time.Duration(n)*24*time.Hour)
	if err != nil {
		e, ok := desk.AsError(err)
		if !ok || e.Code != desk.Invalid {
			p.fail(w, r, s, err)
			return
		}
		field := "token-name"
		if e.Field == "expires_in_days" {
			field = "token-days"
		}
		p.account(w, r, s, http.StatusUnprocessableEntity, map[string]any{"TokenName": name,
			"Errors": map[string]string{field: fieldMessage(s.L, e)}})
		return
	}
	p.account(w, r, s, http.StatusCreated, map[string]any{"Secret": secret, "NewToken": tok})
}

// RevokeToken revokes one of the visitor's tokens.
func (p *Pages) RevokeToken(w http.ResponseWriter, r *http.Request) {
	s, ok := p.signedIn(w, r)
	if !ok {
		return
	}
	id, err := strconv.ParseInt(r.PathValue("token_id"), 10, 64)
	if err != nil {
		p.fail(w, r, s, desk.ErrNotFound("token"))
		return
	}
	tok, err := p.svc.Tokens(r.Context(), s.A, desk.Page{Limit: desk.MaxPageSize})
	if err != nil {
		p.fail(w, r, s, err)
		return
	}
	// Administrators may revoke anyone's token through the API; this page only
	// ever revokes the visitor's own.
	if !slices.ContainsFunc(tok, func(t desk.Token) bool { return t.ID == id }) {
		p.fail(w, r, s, desk.ErrNotFound("token"))
		return
	}
	if err := p.svc.RevokeToken(r.Context(), s.A, id); err != nil {
		p.fail(w, r, s, err)
		return
	}
	http.Redirect(w, r, "/account?done=revoked#tokens", http.StatusSeeOther)
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
		p.account(w, r, s, http.StatusUnprocessableEntity, map[string]any{"Errors": map[string]string{"locale": text(s.L, "account.badlocale")}})
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
		p.account(w, r, s, http.StatusUnprocessableEntity, map[string]any{"Errors": errs})
		return
	}
	http.Redirect(w, r, "/account?done=password", http.StatusSeeOther)
}
