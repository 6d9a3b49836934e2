package server_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"guichet/internal/app"
	"guichet/internal/desk"
	"guichet/internal/sqlstore"
	"guichet/internal/storetest"
)

// The saved views' rows of the access matrix. Another person's private view is
// 404 to everyone, administrators included; a view shared with provider staff is
// read by them and changed by its owner only (403 for the other staff, 404 for
// clients, who never see it).

// freshView returns a reset that deletes every saved view, then has role save
// one (shared or not) and names it {fresh:view}.
func freshView(role string, shared bool) func(*testing.T, *fixture) {
	return func(t *testing.T, f *fixture) {
		noViews(t, f)
		name := "View of " + role
		v, err := f.svc.CreateSavedView(t.Context(), f.actor(t, role), app.SavedViewInput{Name: &name, Shared: &shared,
			Filter: &app.ViewFilter{Nature: "question"}})
		must(t, err)
		f.fresh["view"] = v.ID
	}
}

// noViews deletes every saved view, so that each caller saves its own afresh.
func noViews(t *testing.T, f *fixture) {
	if _, err := f.st.DB().ExecContext(t.Context(), `DELETE FROM saved_views`); err != nil {
		t.Fatal(err)
	}
}

func init() {
	//             adm  agt  eng  pm   am   cnt  ani  cm   sec  dpo  prt  oth  anon
	ownerOnly := func(col int, ok int) row {
		r := row{404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 401}
		r[col] = ok
		return r
	}
	const agent, contact = 1, 5
	signedIn := func(code int) row {
		return row{code, code, code, code, code, code, code, code, code, code, code, code, 401}
	}
	staffOnly := func(staff, others int) row {
		return row{staff, staff, staff, staff, staff, others, others, others, others, others, others, others, 401}
	}
	reset := func(t *testing.T, f *fixture) { noViews(t, f) }

	matrix["GET /api/v1/tickets/counts"] = []check{
		{label: "every ticket", path: "/api/v1/tickets/counts", want: signedIn(200)},
		{label: "ACME's security tickets", path: "/api/v1/tickets/counts?space_id={space:ACME}&nature=security",
			want: row{200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 404, 404, 401}},
		{label: "by internal priority", path: "/api/v1/tickets/counts?priority=1", want: staffOnly(200, 422)},
	}
	matrix["GET /api/v1/views"] = []check{{label: "own and shared", path: "/api/v1/views", want: signedIn(200)},
		{label: "with their figures", path: "/api/v1/views?counts=true", reset: freshView("pm", true), want: signedIn(200)},
		{label: "counts=maybe", path: "/api/v1/views?counts=maybe", want: signedIn(422)}}
	matrix["POST /api/v1/views"] = []check{
		{label: "a private view", path: "/api/v1/views", reset: reset,
			body: `{"name": "Mine, {role}", "filter": {"status": ["open"], "mine": true, "sort": "created", "order": "desc"}}`,
			want: signedIn(201)},
		{label: "a shared view", path: "/api/v1/views", reset: reset,
			body: `{"name": "Shared by {role}", "shared": true, "filter": {"criticality": "blocking"}}`,
			want: staffOnly(201, 422)},
		{label: "by internal priority", path: "/api/v1/views", reset: reset,
			body: `{"name": "P1 of {role}", "filter": {"priority": 1}}`,
			want: staffOnly(201, 422)},
		// A space out of sight is refused at its field, as if it did not exist.
		{label: "on BOLT", path: "/api/v1/views", reset: reset,
			body: `{"name": "Bolt of {role}", "filter": {"space_id": {space:BOLT}}}`,
			want: row{201, 201, 201, 201, 201, 422, 422, 422, 422, 422, 422, 201, 401}},
		{label: "an unknown status", path: "/api/v1/views", reset: reset,
			body: `{"name": "Odd", "filter": {"status": ["finished"]}}`, want: signedIn(422)},
		{label: "without a name", path: "/api/v1/views", reset: reset,
			body: `{"filter": {}}`, want: signedIn(422)},
	}
	matrix["GET /api/v1/views/{view_id}"] = []check{
		{label: "the agent's private view", path: "/api/v1/views/{fresh:view}", reset: freshView("agent", false),
			want: ownerOnly(agent, 200)},
		{label: "the product manager's shared view", path: "/api/v1/views/{fresh:view}", reset: freshView("pm", true),
			want: staffOnly(200, 404)},
		{label: "the contact's view", path: "/api/v1/views/{fresh:view}", reset: freshView("contact", false),
			want: ownerOnly(contact, 200)},
	}
	matrix["PATCH /api/v1/views/{view_id}"] = []check{
		{label: "rename the agent's private view", path: "/api/v1/views/{fresh:view}", reset: freshView("agent", false),
			body: `{"name": "Renamed"}`, want: ownerOnly(agent, 200)},
		{label: "rename the product manager's shared view", path: "/api/v1/views/{fresh:view}", reset: freshView("pm", true),
			body: `{"name": "Renamed"}`, want: row{403, 403, 403, 200, 403, 404, 404, 404, 404, 404, 404, 404, 401}},
		{label: "the contact's view by priority", path: "/api/v1/views/{fresh:view}", reset: freshView("contact", false),
			body: `{"filter": {"priority": 2}}`, want: ownerOnly(contact, 422)},
	}
	matrix["DELETE /api/v1/views/{view_id}"] = []check{
		{label: "the agent's private view", path: "/api/v1/views/{fresh:view}", reset: freshView("agent", false),
			want: ownerOnly(agent, 204)},
		{label: "the product manager's shared view", path: "/api/v1/views/{fresh:view}", reset: freshView("pm", true),
			want: row{403, 403, 403, 204, 403, 404, 404, 404, 404, 404, 404, 404, 401}},
	}

	// The pages: a form that succeeds sends the browser on (303), one refused for
	// its input shows the queue again (422); anonymous readers go to sign in.
	sent := signedIn(303)
	matrix["POST /views"] = []check{
		{label: "the open tickets, private", path: "/views", form: true, reset: reset,
			body: "name=Page+view+of+{role}&query=status%3Dopen%26sort%3Dcreated", want: sent},
		{label: "shared", path: "/views", form: true, reset: reset,
			body: "name=Shared+page+view&shared=1&query=criticality%3Dblocking", want: staffOnly(303, 422)},
		{label: "an unknown status", path: "/views", form: true, reset: reset,
			body: "name=Odd&query=status%3Dnonsense", want: signedIn(422)},
		{label: "without a name", path: "/views", form: true, reset: reset,
			body: "name=&query=", want: signedIn(422)},
	}
	pageOwner := func(col, ok int) row {
		r := ownerOnly(col, ok)
		r[len(r)-1] = 303
		return r
	}
	matrix["GET /views/{view_id}"] = []check{
		{label: "the agent's private view", path: "/views/{fresh:view}", reset: freshView("agent", false),
			want: pageOwner(agent, 303)},
		{label: "the product manager's shared view", path: "/views/{fresh:view}", reset: freshView("pm", true),
			want: row{303, 303, 303, 303, 303, 404, 404, 404, 404, 404, 404, 404, 303}},
		{label: "the contact's view", path: "/views/{fresh:view}", reset: freshView("contact", false),
			want: pageOwner(contact, 303)},
	}
	matrix["POST /views/{view_id}"] = []check{
		{label: "rename the agent's private view", path: "/views/{fresh:view}", form: true, reset: freshView("agent", false),
			body: "name=Renamed", want: ownerOnly(agent, 303)},
		{label: "rename the product manager's shared view", path: "/views/{fresh:view}", form: true,
			reset: freshView("pm", true), body: "name=Renamed&shared=1",
			want: row{403, 403, 403, 303, 403, 404, 404, 404, 404, 404, 404, 404, 401}},
		{label: "the contact's view, without a name", path: "/views/{fresh:view}", form: true,
			reset: freshView("contact", false), body: "name=", want: ownerOnly(contact, 422)},
	}
	matrix["POST /views/{view_id}/delete"] = []check{
		{label: "the agent's private view", path: "/views/{fresh:view}/delete", form: true, reset: freshView("agent", false),
			want: ownerOnly(agent, 303)},
		{label: "the product manager's shared view", path: "/views/{fresh:view}/delete", form: true,
			reset: freshView("pm", true), want: row{403, 403, 403, 303, 403, 404, 404, 404, 404, 404, 404, 404, 401}},
	}
}

// TestCountsFollowTheList checks that every role's figures count exactly the
// tickets its list shows: per status, on the whole base and on one space, so
// that neither another tenant's tickets nor a security ticket one may not see
// is ever counted.
func TestCountsFollowTheList(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, st *sqlstore.Store) {
		f := newFixture(t, st, app.Options{})
		f.seedTickets(t)
		for _, role := range roles[:len(roles)-1] {
			for _, filter := range []string{"", fmt.Sprintf("space_id=%d", f.spaces["ACME"]), "nature=security"} {
				w := f.as(role, "GET", "/api/v1/tickets/counts?"+filter, "")
				if w.Code == http.StatusNotFound && filter != "" && !slices.Contains([]string{"partner", "other"}, role) {
					t.Errorf("%s: counts of %q: 404", role, filter)
				}
				if w.Code != http.StatusOK {
					continue
				}
				counts := decodeJSON[struct {
					ByStatus map[string]struct{ Count int } `json:"by_status"`
					Breached *struct{ Count int }           `json:"breached"`
				}](t, w)
				listed := decodeJSON[list](t, f.as(role, "GET", "/api/v1/tickets?limit=200&"+filter, "")).field("status")
				for _, s := range desk.Statuses {
					want := 0
					for _, got := range listed {
						if got == string(s) {
							want++
						}
					}
					if n := counts.ByStatus[string(s)].Count; n != want {
						t.Errorf("%s: counts of %q: %s = %d, the list shows %d", role, filter, s, n, want)
					}
				}
				if staff := slices.Index(roles, role) < 5; staff != (counts.Breached != nil) {
					t.Errorf("%s: deadline figures shown: %v", role, counts.Breached != nil)
				}
			}
		}
	})
}

// TestViewsAPI saves views through the API and reads them back with their
// figures: each counts what the list shows the caller.
func TestViewsAPI(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, st *sqlstore.Store) {
		f := newFixture(t, st, app.Options{})
		f.seedTickets(t)
		for _, role := range []string{"agent", "contact", "security", "animator"} {
			w := f.as(role, "POST", "/api/v1/views", `{"name": "Sécurité", "filter": {"nature": "security", "order": "desc"}}`)
			if w.Code != http.StatusCreated {
				t.Fatalf("%s: create: %d %s", role, w.Code, w.Body.String())
			}
			w = f.as(role, "POST", "/api/v1/views", `{"name": "Sécurité", "filter": {}}`)
			if w.Code != http.StatusConflict || !strings.Contains(w.Body.String(), `"name"`) {
				t.Errorf("%s: the same name again: %d %s", role, w.Code, w.Body.String())
			}
			views := decodeJSON[struct {
				Items []struct {
					Name   string
					Filter struct{ Nature, Order string }
					Count  *struct{ Count int }
				}
			}](t, f.as(role, "GET", "/api/v1/views?counts=true", ""))
			listed := decodeJSON[list](t, f.as(role, "GET", "/api/v1/tickets?nature=security&limit=200", "")).field("ref")
			if len(views.Items) != 1 || views.Items[0].Count == nil || views.Items[0].Count.Count != len(listed) ||
				views.Items[0].Filter.Nature != "security" || views.Items[0].Filter.Order != "desc" {
				t.Errorf("%s: views %+v, want one of %d security tickets", role, views.Items, len(listed))
			}
		}
	})
}
