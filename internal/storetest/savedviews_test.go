package storetest_test

import (
	"slices"
	"testing"

	"guichet/internal/app"
	"guichet/internal/desk"
	"guichet/internal/sqlstore"
	"guichet/internal/storetest"
)

func TestSavedViews(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := t.Context()
		prov := mustOrg(t, s, desk.Provider, "Vauban")
		ann := mustUser(t, s, prov.ID, "ann@vauban.example")
		bob := mustUser(t, s, prov.ID, "bob@vauban.example")

		f := app.ViewFilter{Status: []desk.Status{desk.Open, desk.AwaitingClient}, Criticality: desk.Blocking,
			Priority: 1, Mine: true, Text: "échec", Sort: app.SortDeadline, Desc: true, SpaceID: 7}
		mine := &app.SavedView{OwnerID: ann.ID, Name: "Mes bloquants", Filter: f, CreatedAt: t0}
		must(t, s.CreateSavedView(ctx, mine))
		shared := &app.SavedView{OwnerID: bob.ID, Name: "Premium en attente", Shared: true, CreatedAt: t0}
		must(t, s.CreateSavedView(ctx, shared))
		private := &app.SavedView{OwnerID: bob.ID, Name: "Bob's own", CreatedAt: t0}
		must(t, s.CreateSavedView(ctx, private))

		got, err := s.SavedView(ctx, mine.ID)
		must(t, err)
		if got.Name != "Mes bloquants" || got.OwnerID != ann.ID || got.Shared || !slices.Equal(got.Filter.Status, f.Status) ||
			got.Filter.Text != "échec" || got.Filter.Sort != app.SortDeadline || !got.Filter.Desc || !got.Filter.Mine ||
			got.Filter.Priority != 1 || got.Filter.SpaceID != 7 || got.Filter.Criticality != desk.Blocking {
			t.Errorf("read back %+v", got)
		}
		wantTime(t, "created_at", got.CreatedAt, t0)
		wantTime(t, "updated_at", got.UpdatedAt, t0)

		// The same name twice for one owner is a conflict on the name; another
		// owner may use it.
		err = s.CreateSavedView(ctx, &app.SavedView{OwnerID: ann.ID, Name: "Mes bloquants", CreatedAt: t0})
		wantErr(t, err, desk.Conflict, "name")
		must(t, s.CreateSavedView(ctx, &app.SavedView{OwnerID: bob.ID, Name: "Mes bloquants", CreatedAt: t0}))

		names := func(list []app.SavedView) []string {
			out := []string{}
			for _, v := range list {
				out = append(out, v.Name)
			}
			return out
		}
		list, err := s.ListSavedViews(ctx, ann.ID, true)
		must(t, err)
		if got := names(list); !slices.Equal(got, []string{"Mes bloquants", "Premium en attente"}) {
			t.Errorf("ann's views with shared ones = %q", got)
		}
		list, err = s.ListSavedViews(ctx, ann.ID, false)
		must(t, err)
		if got := names(list); !slices.Equal(got, []string{"Mes bloquants"}) {
			t.Errorf("ann's views without shared ones = %q", got)
		}
		n, err := s.CountSavedViews(ctx, bob.ID)
		must(t, err)
		if n != 3 {
			t.Errorf("bob's count = %d, want 3", n)
		}

		// Renaming onto an existing name conflicts; a rename and a new filter save.
		mine.Name = "Premium en attente"
		must(t, s.UpdateSavedView(ctx, mine)) // bob's, not ann's: allowed
		mine.Name = "Mes bloquants"
		must(t, s.UpdateSavedView(ctx, mine))
		other := &app.SavedView{OwnerID: ann.ID, Name: "Autre", CreatedAt: t0}
		must(t, s.CreateSavedView(ctx, other))
		other.Name = "Mes bloquants"
		wantErr(t, s.UpdateSavedView(ctx, other), desk.Conflict, "name")
		other.Name, other.Shared, other.Filter = "Questions", true, app.ViewFilter{Nature: desk.Question}
		must(t, s.UpdateSavedView(ctx, other))
		got, err = s.SavedView(ctx, other.ID)
		must(t, err)
		if got.Name != "Questions" || !got.Shared || got.Filter.Nature != desk.Question {
			t.Errorf("after update %+v", got)
		}

		must(t, s.DeleteSavedView(ctx, other.ID))
		_, err = s.SavedView(ctx, other.ID)
		wantErr(t, err, desk.NotFound, "")
		wantErr(t, s.DeleteSavedView(ctx, other.ID), desk.NotFound, "")
		wantErr(t, s.UpdateSavedView(ctx, other), desk.NotFound, "")
	})
}
