package web

import (
	"net/http"
	"strconv"
	"strings"

	"guichet/internal/desk"
)

// memberView is one member of a space as the members page shows them.
type memberView struct {
	User    desk.User
	OrgName string
	Partner bool
}

// Members is a space's members page: who belongs to it and, for animators,
// account managers and administrators, the forms to add and remove members.
func (p *Pages) Members(w http.ResponseWriter, r *http.Request) {
	s, ok := p.signedIn(w, r)
	if !ok {
		return
	}
	sp, err := p.space(r, s)
	if err != nil {
		p.fail(w, r, s, err)
		return
	}
	p.membersPage(w, r, s, sp, http.StatusOK, "", nil)
}

func (p *Pages) membersPage(w http.ResponseWriter, r *http.Request, s *session, sp *desk.Space, status int, typed string, errs map[string]string) {
	users, err := p.spaceMembers(r, s, sp.ID)
	if err != nil {
		p.fail(w, r, s, err)
		return
	}
	orgs := map[int64]*desk.Organisation{}
	views := make([]memberView, 0, len(users))
	for _, u := range users {
		o, ok := orgs[u.OrgID]
		if !ok {
			o, _ = p.svc.Organisation(r.Context(), s.A, u.OrgID)
			orgs[u.OrgID] = o
		}
		v := memberView{User: u}
		if o != nil {
			v.OrgName, v.Partner = o.Name, o.Kind == desk.Partner
		}
		views = append(views, v)
	}
	p.show(w, r, s, status, "members.html", map[string]any{"Space": sp, "Members": views,
		"Manage": s.A.CanManageMembers(sp), "Typed": typed, "Errors": errs})
}

// AddMember adds a member to a space by email address.
func (p *Pages) AddMember(w http.ResponseWriter, r *http.Request) {
	s, ok := p.signedIn(w, r)
	if !ok {
		return
	}
	sp, err := p.space(r, s)
	if err != nil {
		p.fail(w, r, s, err)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFields)
	email := strings.TrimSpace(r.PostFormValue("email"))
	if email == "" {
		p.membersPage(w, r, s, sp, http.StatusUnprocessableEntity, email, map[string]string{"email": text(s.L, "form.required")})
		return
	}
	if _, err := p.svc.AddMember(r.Context(), s.A, sp.ID, 0, email); err != nil {
		e, ok := desk.AsError(err)
		if !ok || (e.Code != desk.Invalid && e.Code != desk.Conflict) {
			p.fail(w, r, s, err)
			return
		}
		msg := e.Message
		if e.Code == desk.Conflict {
			msg = text(s.L, "members.already")
		}
		if strings.Contains(msg, "is not trained") {
			msg = text(s.L, "members.untrained") + " (" + msg + ")"
		}
		p.membersPage(w, r, s, sp, http.StatusUnprocessableEntity, email, map[string]string{"email": msg})
		return
	}
	http.Redirect(w, r, "/spaces/"+strconv.FormatInt(sp.ID, 10)+"/members", http.StatusSeeOther)
}

// RemoveMember removes a member from a space.
func (p *Pages) RemoveMember(w http.ResponseWriter, r *http.Request) {
	s, ok := p.signedIn(w, r)
	if !ok {
		return
	}
	sp, err := p.space(r, s)
	if err != nil {
		p.fail(w, r, s, err)
		return
	}
	uid, err := strconv.ParseInt(r.PathValue("user_id"), 10, 64)
	if err != nil {
		p.fail(w, r, s, desk.ErrNotFound("member"))
		return
	}
	if err := p.svc.RemoveMember(r.Context(), s.A, sp.ID, uid); err != nil {
		p.fail(w, r, s, err)
		return
	}
	http.Redirect(w, r, "/spaces/"+strconv.FormatInt(sp.ID, 10)+"/members", http.StatusSeeOther)
}
