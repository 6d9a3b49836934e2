package app_test

import (
	"strings"
	"testing"

	"guichet/internal/app"
	"guichet/internal/desk"
	"guichet/internal/storetest"
)

func wantCode(t *testing.T, err error, code desk.Code, field string) {
	t.Helper()
	e, ok := desk.AsError(err)
	if !ok || e.Code != code || e.Field != field {
		t.Fatalf("err = %v, want %s on %q", err, code, field)
	}
}

func ptr[T any](v T) *T { return &v }

func TestSavedViews(t *testing.T) {
	w := newWorld(t, storetest.OpenSQLite(t))
	ctx := t.Context()
	blocking := app.ViewFilter{Criticality: desk.Blocking, Mine: true, Sort: app.SortDeadline}

	mine, err := w.svc.CreateSavedView(ctx, w.agent, app.SavedViewInput{Name: ptr("  Mes bloquants "), Filter: &blocking})
	must(t, err)
	if mine.Name != "Mes bloquants" || mine.OwnerID != w.agent.UserID || mine.Shared {
		t.Fatalf("created %+v", mine)
	}
	shared, err := w.svc.CreateSavedView(ctx, w.pm, app.SavedViewInput{Name: ptr("Premium en attente"), Shared: ptr(true),
		Filter: &app.ViewFilter{Status: []desk.Status{desk.AwaitingClient}}})
	must(t, err)
	pmOwn, err := w.svc.CreateSavedView(ctx, w.pm, app.SavedViewInput{Name: ptr("PM private")})
	must(t, err)
	clientView, err := w.svc.CreateSavedView(ctx, w.contact, app.SavedViewInput{Name: ptr("Mes tickets"),
		Filter: &app.ViewFilter{Mine: true, Sort: app.SortCreated, Desc: true}})
	must(t, err)

	t.Run("refused input names its field", func(t *testing.T) {
		for _, c := range []struct {
			name  string
			a     *desk.Actor
			in    app.SavedViewInput
			code  desk.Code
			field string
		}{
			{"no name", w.agent, app.SavedViewInput{}, desk.Invalid, "name"},
			{"blank name", w.agent, app.SavedViewInput{Name: ptr("   ")}, desk.Invalid, "name"},
			{"long name", w.agent, app.SavedViewInput{Name: ptr(strings.Repeat("é", 81))}, desk.Invalid, "name"},
			{"same name", w.agent, app.SavedViewInput{Name: ptr("Mes bloquants")}, desk.Conflict, "name"},
			{"unknown status", w.agent, app.SavedViewInput{Name: ptr("x"), Filter: &app.ViewFilter{Status: []desk.Status{"done"}}}, desk.Invalid, "filter.status"},
			{"unknown sort", w.agent, app.SavedViewInput{Name: ptr("x"), Filter: &app.ViewFilter{Sort: "colour"}}, desk.Invalid, "filter.sort"},
			{"unknown nature", w.agent, app.SavedViewInput{Name: ptr("x"), Filter: &app.ViewFilter{Nature: "bug"}}, desk.Invalid, "filter.nature"},
			{"priority P5", w.agent, app.SavedViewInput{Name: ptr("x"), Filter: &app.ViewFilter{Priority: 5}}, desk.Invalid, "filter.priority"},
			{"long text", w.agent, app.SavedViewInput{Name: ptr("x"), Filter: &app.ViewFilter{Text: strings.Repeat("a", desk.MaxTitleLen+1)}}, desk.Invalid, "filter.q"},
			{"a client filters by priority", w.contact, app.SavedViewInput{Name: ptr("x"), Filter: &app.ViewFilter{Priority: 1}}, desk.Invalid, "filter.priority"},
			{"a client shares", w.contact, app.SavedViewInput{Name: ptr("x"), Shared: ptr(true)}, desk.Invalid, "shared"},
			{"a space out of sight", w.contact, app.SavedViewInput{Name: ptr("x"), Filter: &app.ViewFilter{SpaceID: w.space.ID + 100}}, desk.Invalid, "filter.space_id"},
		} {
			t.Run(c.name, func(t *testing.T) {
				_, err := w.svc.CreateSavedView(ctx, c.a, c.in)
				wantCode(t, err, c.code, c.field)
			})
		}
	})

	t.Run("who sees which view", func(t *testing.T) {
		names := func(a *desk.Actor) string {
			list, err := w.svc.SavedViews(ctx, a)
			must(t, err)
			var out []string
			for _, v := range list {
				out = append(out, v.Name)
			}
			return strings.Join(out, ", ")
		}
		if got := names(w.agent); got != "Mes bloquants, Premium en attente" {
			t.Errorf("agent sees %q", got)
		}
		if got := names(w.pm); got != "PM private, Premium en attente" {
			t.Errorf("pm sees %q", got)
		}
		if got := names(w.contact); got != "Mes tickets" {
			t.Errorf("contact sees %q", got)
		}
		if got := names(w.peer); got != "" {
			t.Errorf("peer sees %q", got)
		}
		for _, c := range []struct {
			a  *desk.Actor
			id int64
		}{{w.agent, pmOwn.ID}, {w.contact, shared.ID}, {w.contact, mine.ID}, {w.peer, clientView.ID}, {w.agent, clientView.ID}} {
			_, err := w.svc.SavedView(ctx, c.a, c.id)
			wantCode(t, err, desk.NotFound, "")
			_, err = w.svc.UpdateSavedView(ctx, c.a, c.id, app.SavedViewInput{Name: ptr("taken")})
			wantCode(t, err, desk.NotFound, "")
			wantCode(t, w.svc.DeleteSavedView(ctx, c.a, c.id), desk.NotFound, "")
		}
		// A shared view is opened by other staff, changed by its owner only.
		if _, err := w.svc.SavedView(ctx, w.agent, shared.ID); err != nil {
			t.Errorf("agent opens the shared view: %v", err)
		}
		_, err := w.svc.UpdateSavedView(ctx, w.agent, shared.ID, app.SavedViewInput{Name: ptr("mine now")})
		wantCode(t, err, desk.Forbidden, "")
		wantCode(t, w.svc.DeleteSavedView(ctx, w.agent, shared.ID), desk.Forbidden, "")
	})

	t.Run("mine is the person who opens the view", func(t *testing.T) {
		f := blocking.TicketFilter(w.pm)
		if f.AssigneeID != w.pm.UserID || f.AuthorID != 0 {
			t.Errorf("pm's filter %+v", f)
		}
		f = clientView.Filter.TicketFilter(w.peer)
		if f.AuthorID != w.peer.UserID || f.AssigneeID != 0 {
			t.Errorf("peer's filter %+v", f)
		}
	})

	t.Run("owner renames, shares, deletes", func(t *testing.T) {
		v, err := w.svc.UpdateSavedView(ctx, w.agent, mine.ID, app.SavedViewInput{Name: ptr("Mes P1"), Shared: ptr(true),
			Filter: &app.ViewFilter{Priority: 1}})
		must(t, err)
		if v.Name != "Mes P1" || !v.Shared || v.Filter.Priority != 1 || v.Filter.Criticality != "" {
			t.Errorf("updated %+v", v)
		}
		_, err = w.svc.UpdateSavedView(ctx, w.agent, mine.ID, app.SavedViewInput{Filter: &app.ViewFilter{Sort: "nope"}})
		wantCode(t, err, desk.Invalid, "filter.sort")
		got, err := w.svc.SavedView(ctx, w.pm, mine.ID)
		must(t, err)
		if got.Filter.Sort != "" || got.Filter.Priority != 1 {
			t.Errorf("a refused change was stored: %+v", got.Filter)
		}
		must(t, w.svc.DeleteSavedView(ctx, w.agent, mine.ID))
		_, err = w.svc.SavedView(ctx, w.agent, mine.ID)
		wantCode(t, err, desk.NotFound, "")
	})

	t.Run("a person keeps a bounded number", func(t *testing.T) {
		for i := range app.MaxViewsPerUser - 1 {
			_, err := w.svc.CreateSavedView(ctx, w.peer, app.SavedViewInput{Name: ptr("v" + strings.Repeat("x", i))})
			must(t, err)
		}
		_, err := w.svc.CreateSavedView(ctx, w.peer, app.SavedViewInput{Name: ptr("last")})
		must(t, err)
		_, err = w.svc.CreateSavedView(ctx, w.peer, app.SavedViewInput{Name: ptr("one too many")})
		wantCode(t, err, desk.Conflict, "")
	})
}
