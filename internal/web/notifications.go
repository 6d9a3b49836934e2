package web

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"guichet/internal/app"
	"guichet/internal/desk"
)

// Notifications lists the visitor's notifications, newest first, a page at a
// time (?before= the last id seen). Each names its ticket by reference and
// title, and links to it; tickets the visitor can no longer see are left out.
func (p *Pages) Notifications(w http.ResponseWriter, r *http.Request) {
	s, ok := p.signedIn(w, r)
	if !ok {
		return
	}
	pg := desk.Page{Limit: desk.DefaultPageSize}
	if b, err := strconv.ParseInt(r.URL.Query().Get("before"), 10, 64); err == nil && b > 0 {
		pg.After = b
	}
	items, unread, err := p.svc.Notifications(r.Context(), s.A, pg)
	if err != nil {
		p.fail(w, r, s, err)
		return
	}
	data := map[string]any{"Items": items, "Unread": unread, "Older": pg.After > 0}
	if len(items) == pg.Limit {
		data["Next"] = "/notifications?before=" + strconv.FormatInt(items[len(items)-1].ID, 10)
	}
	p.show(w, r, s, http.StatusOK, "notifications.html", data)
}

// ReadNotifications marks the visitor's notifications read: the one of the
// form's id, or all of them.
func (p *Pages) ReadNotifications(w http.ResponseWriter, r *http.Request) {
	s, ok := p.signedIn(w, r)
	if !ok {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFields)
	var ids []int64
	if v := r.PostFormValue("id"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			p.fail(w, r, s, desk.ErrNotFound("notification"))
			return
		}
		ids = []int64{id}
	}
	if err := p.svc.MarkNotificationsRead(r.Context(), s.A, ids); err != nil {
		p.fail(w, r, s, err)
		return
	}
	http.Redirect(w, r, "/notifications", http.StatusSeeOther)
}

// unread is the header's badge: the visitor's unread notifications, counted up
// to app.MaxUnreadCount through an index. A failure shows no badge rather
// than no page.
func (p *Pages) unread(a *desk.Actor) string {
	if a == nil || a.Anonymous() {
		return ""
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	n, err := p.svc.UnreadNotifications(ctx, a)
	switch {
	case err != nil || n == 0:
		return ""
	case n >= app.MaxUnreadCount:
		return "99+"
	}
	return strconv.Itoa(n)
}
