package server_test

// The calendars and contracts: provider staff read them, provider administrators
// write them; clients and partners are refused whatever the id, so that nothing
// tells them which contracts exist (their objectives show on their tickets). The
// demo's default calendar and ACME's contract are both number 1.
func init() {
	calendar := `{"name": "Strasbourg {role}", "time_zone": "Europe/Paris", "holidays": "fr-alsace-moselle",
		"hours": {"monday": ["08:30-12:00", "13:30-17:30"], "friday": ["08:30-12:00"]}}`
	//        adm  agt  eng  pm   am   cnt  ani  cm   sec  dpo  prt  oth  anon
	matrix["GET /api/v1/calendars"] = []check{{label: "list", path: "/api/v1/calendars",
		want: row{200, 200, 200, 200, 200, 403, 403, 403, 403, 403, 403, 403, 401}}}
	matrix["POST /api/v1/calendars"] = []check{{label: "new calendar", path: "/api/v1/calendars", body: calendar,
		want: row{201, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 401}}}
	matrix["GET /api/v1/calendars/{calendar_id}"] = []check{
		{label: "the default calendar", path: "/api/v1/calendars/1",
			want: row{200, 200, 200, 200, 200, 403, 403, 403, 403, 403, 403, 403, 401}},
		{label: "no such calendar", path: "/api/v1/calendars/999",
			want: row{404, 404, 404, 404, 404, 403, 403, 403, 403, 403, 403, 403, 401}},
	}
	matrix["PATCH /api/v1/calendars/{calendar_id}"] = []check{{label: "close Christmas week",
		path: "/api/v1/calendars/1", body: `{"closed": [{"from": "2026-12-24", "to": "2026-12-31"}]}`,
		want: row{200, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 401}}}
	matrix["GET /api/v1/contracts"] = []check{{label: "list", path: "/api/v1/contracts",
		want: row{200, 200, 200, 200, 200, 403, 403, 403, 403, 403, 403, 403, 401}}}
	matrix["POST /api/v1/contracts"] = []check{{label: "Bolt's contract", path: "/api/v1/contracts",
		body: `{"client_id": {org:bolt}, "reference": "BOLT-{role}", "tier": "premium", "space_ids": [{space:BOLT}]}`,
		want: row{201, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 401}}}
	matrix["GET /api/v1/contracts/{contract_id}"] = []check{{label: "ACME's contract", path: "/api/v1/contracts/1",
		want: row{200, 200, 200, 200, 200, 403, 403, 403, 403, 403, 403, 403, 401}}}
	matrix["PATCH /api/v1/contracts/{contract_id}"] = []check{{label: "ACME goes premium", path: "/api/v1/contracts/1",
		body: `{"tier": "premium"}`,
		want: row{200, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 401}}}
}
