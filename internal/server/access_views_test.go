package server_test

import (
	"testing"

	"guichet/internal/app"
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

	matrix["GET /api/v1/views"] = []check{{label: "own and shared", path: "/api/v1/views", want: signedIn(200)}}
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
}
