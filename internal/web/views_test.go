package web

import (
	"net/url"
	"reflect"
	"testing"

	"guichet/internal/app"
	"guichet/internal/desk"
)

// TestViewAddressRoundTrip checks that a view opens on the filters it was saved
// with: the list's address a view writes reads back as the same view.
func TestViewAddressRoundTrip(t *testing.T) {
	staff := &session{A: &desk.Actor{UserID: 7, OrgKind: desk.Provider}, L: "fr"}
	for _, f := range []app.ViewFilter{
		{Status: activeStatuses, Sort: app.SortDeadline},
		{Sort: app.SortCreated, Desc: true},
		{Status: []desk.Status{desk.Open, desk.ToClose}, Criticality: desk.Blocking, Priority: 1, Mine: true,
			Sort: app.SortPriority},
		{SpaceID: 3, ProjectID: 9, Status: []desk.Status{desk.AwaitingClient}, Nature: desk.Security,
			Text: "échec & 100% <b>", Sort: app.SortUpdated, Desc: true},
	} {
		q := viewQuery(&app.SavedView{ID: 5, Filter: f})
		if q.Get("view") != "5" {
			t.Errorf("%v: no view in the address", q)
		}
		back, err := viewFilterOf(q, staff)
		if err != nil {
			t.Fatalf("%v: %v", q.Encode(), err)
		}
		if !reflect.DeepEqual(back, f) {
			t.Errorf("%s reads back as %+v, want %+v", q.Encode(), back, f)
		}
	}
	// An address the list refuses is refused at its field.
	for field, raw := range map[string]string{"filter.status": "status=finished", "filter.nature": "nature=bug",
		"filter.space": "space=x", "filter.sort": "sort=colour"} {
		q, _ := url.ParseQuery(raw)
		_, err := viewFilterOf(q, staff)
		if e, ok := desk.AsError(err); !ok || e.Field != field {
			t.Errorf("%s: err %v, want one on %s", raw, err, field)
		}
	}
}
