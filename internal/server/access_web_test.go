package server_test

// The pages' rows of the access matrix. A page answers like the API (404 for
// another tenant's object, 403 for what one sees but may not do), with three
// differences: an anonymous visitor asking for a page is sent to the sign-in page
// (303); a form that succeeds sends the browser on (303); a form refused for its
// input shows the page again with the message (422, or 409 for a workflow step
// the ticket's state forbids).

// page turns a row of API answers into the same row for a page read: anonymous
// visitors are sent to the sign-in form.
func page(r row) row {
	r[len(r)-1] = 303
	return r
}

func init() {
	//                adm  agt  eng  pm   am   cnt  ani  cm   sec  dpo  prt  oth  anon
	everyone := row{200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 303}
	seesACME := row{200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 404, 404, 303}
	seesACMEX := row{200, 200, 200, 200, 200, 404, 200, 404, 404, 404, 200, 404, 303}
	sent := row{303, 303, 303, 303, 303, 303, 303, 303, 303, 303, 303, 303, 401}

	matrix["GET /tickets"] = []check{
		{label: "the queue", path: "/tickets", want: everyone},
		{label: "filtered, every ticket, by creation", path: "/tickets?status=all&sort=created&order=desc&q=printer", want: everyone},
		{label: "by an unknown status: the filter is refused, the page shown", path: "/tickets?status=nonsense", want: everyone},
	}
	matrix["GET /tickets/{ticket_id}"] = append(pageReads(""),
		check{label: "bolt", path: "/tickets/{ticket:bolt}", want: page(seesBolt)},
		check{label: "no such ticket", path: "/tickets/999999",
			want: row{404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 303}})
	matrix["GET /tickets/{ticket_id}/live"] = pageReads("/live?seq=0")
	matrix["GET /tickets/{ticket_id}/mentions"] = pageReads("/mentions?body=%40a")
	matrix["POST /tickets/{ticket_id}/comments"] = []check{
		{label: "public, on acme", path: "/tickets/{ticket:acme}/comments", form: true, body: "body=Comment+of+{role}",
			want: row{303, 303, 303, 303, 303, 303, 303, 303, 303, 303, 404, 404, 401}},
		{label: "private, on acme", path: "/tickets/{ticket:acme}/comments", form: true, body: "body=Note+of+{role}&private=1",
			want: row{303, 303, 303, 303, 303, 422, 422, 422, 422, 422, 404, 404, 401}},
		{label: "public, on acmex", path: "/tickets/{ticket:acmex}/comments", form: true, body: "body=Comment+of+{role}",
			want: row{303, 303, 303, 303, 303, 404, 303, 404, 404, 404, 403, 404, 401}},
		{label: "empty, on acme", path: "/tickets/{ticket:acme}/comments", form: true, body: "body=",
			want: row{422, 422, 422, 422, 422, 422, 422, 422, 422, 422, 404, 404, 401}},
	}
	matrix["POST /tickets/{ticket_id}/transitions"] = []check{
		{label: "await_client on a new acme ticket", path: "/tickets/{fresh:ticket}/transitions", form: true,
			body: "action=await_client", reset: freshTicket("ACME", "contact", ""),
			want: row{303, 303, 303, 303, 303, 409, 409, 409, 409, 409, 404, 404, 401}},
		{label: "propose closing without a resolution", path: "/tickets/{fresh:ticket}/transitions", form: true,
			body: "action=propose_closing", reset: freshTicket("ACME", "contact", ""),
			want: row{422, 422, 422, 422, 422, 409, 409, 409, 409, 409, 404, 404, 401}},
		{label: "close a new acme ticket proposed for closing, rated", path: "/tickets/{fresh:ticket}/transitions", form: true,
			body: "action=close&rating=4", reset: freshTicket("ACME", "contact", "propose_closing"),
			want: row{409, 409, 409, 409, 409, 303, 409, 409, 409, 409, 404, 404, 401}},
		{label: "await_client on a new acmex ticket", path: "/tickets/{fresh:ticket}/transitions", form: true,
			body: "action=await_client", reset: freshTicket("ACMEX", "animator", ""),
			want: row{303, 303, 303, 303, 303, 404, 409, 404, 404, 404, 403, 404, 401}},
	}
	matrix["POST /tickets/{ticket_id}/assignment"] = []check{
		{label: "acme to the agent", path: "/tickets/{ticket:acme}/assignment", form: true, body: "assignee_id={user:agent}",
			want: row{303, 303, 303, 303, 303, 403, 403, 403, 403, 403, 404, 404, 401}},
	}
	matrix["POST /tickets/{ticket_id}/priority"] = []check{
		{label: "P2 on a new acme ticket", path: "/tickets/{fresh:ticket}/priority", form: true, body: "priority=2",
			reset: freshTicket("ACME", "contact", ""),
			want:  row{303, 303, 303, 303, 303, 422, 403, 403, 403, 403, 404, 404, 401}},
	}
	matrix["GET /attachments/{attachment_id}"] = []check{
		{label: "acme's", path: "/attachments/{attachment:acme}", want: page(seesAcme)},
		{label: "security's", path: "/attachments/{attachment:security}", want: page(seesSecurity)},
		{label: "the private comment's", path: "/attachments/{attachment:private}",
			want: row{200, 200, 200, 200, 200, 404, 404, 404, 404, 404, 404, 404, 303}},
		{label: "acmex's", path: "/attachments/{attachment:acmex}", want: page(seesAcmex)},
	}
	matrix["GET /spaces/{space_id}"] = []check{
		{label: "ACME", path: "/spaces/{space:ACME}", want: seesACME},
		{label: "ACMEX", path: "/spaces/{space:ACMEX}", want: seesACMEX},
		{label: "BOLT", path: "/spaces/{space:BOLT}", want: page(seesBolt)},
	}
	matrix["GET /spaces/{space_id}/tickets/new"] = []check{
		{label: "in ACME", path: "/spaces/{space:ACME}/tickets/new",
			want: row{200, 200, 200, 200, 200, 200, 200, 403, 200, 403, 404, 404, 303}},
		{label: "in ACMEX", path: "/spaces/{space:ACMEX}/tickets/new",
			want: row{200, 200, 200, 200, 200, 404, 200, 404, 404, 404, 403, 404, 303}},
	}
	matrix["POST /spaces/{space_id}/tickets"] = []check{
		{label: "a question in ACME", path: "/spaces/{space:ACME}/tickets", form: true,
			body: "token=t-{role}&title=Question+of+{role}&nature=question&criticality=minor&author={user:contact}",
			want: row{303, 303, 303, 303, 303, 303, 303, 403, 303, 403, 404, 404, 401}},
		{label: "an anomaly in ACME, with status.xml", path: "/spaces/{space:ACME}/tickets",
			parts: []part{{name: "token", content: "a-{role}"}, {name: "title", content: "Crash seen by {role}"},
				{name: "nature", content: "anomaly"}, {name: "criticality", content: "serious"},
				{name: "author", content: "{user:contact}"}, {name: "files", file: "status.xml", content: "<status>{role}</status>"}},
			want: row{303, 303, 303, 303, 303, 303, 303, 403, 303, 403, 404, 404, 401}},
		{label: "an anomaly in ACME without status.xml", path: "/spaces/{space:ACME}/tickets", form: true,
			body: "token=n-{role}&title=Crash+of+{role}&nature=anomaly&criticality=serious&author={user:contact}",
			want: row{422, 422, 422, 422, 422, 422, 422, 403, 422, 403, 404, 404, 401}},
		{label: "a question in ACMEX", path: "/spaces/{space:ACMEX}/tickets", form: true,
			body: "token=x-{role}&title=Question+of+{role}&nature=question&criticality=minor&author={user:animator}",
			want: row{303, 303, 303, 303, 303, 404, 303, 404, 404, 404, 403, 404, 401}},
	}
	matrix["POST /spaces/{space_id}/projects"] = []check{
		{label: "in ACME", path: "/spaces/{space:ACME}/projects", form: true, body: "name=Page+project+of+{role}",
			want: row{303, 403, 403, 403, 303, 403, 403, 403, 403, 403, 404, 404, 401}},
		{label: "in BOLT", path: "/spaces/{space:BOLT}/projects", form: true, body: "name=Page+project+of+{role}",
			want: row{303, 403, 403, 403, 303, 404, 404, 404, 404, 404, 404, 403, 401}},
		{label: "without a name", path: "/spaces/{space:ACME}/projects", form: true, body: "name=",
			want: row{422, 403, 403, 403, 422, 403, 403, 403, 403, 403, 404, 404, 401}},
	}
	matrix["GET /spaces/{space_id}/similar"] = []check{
		{label: "ACME", path: "/spaces/{space:ACME}/similar?title=printer+queue", want: seesACME},
		{label: "ACMEX", path: "/spaces/{space:ACMEX}/similar?title=connector", want: seesACMEX},
	}
	matrix["GET /spaces/{space_id}/members"] = []check{
		{label: "ACME", path: "/spaces/{space:ACME}/members", want: seesACME},
		{label: "ACMEX", path: "/spaces/{space:ACMEX}/members", want: seesACMEX},
		{label: "BOLT", path: "/spaces/{space:BOLT}/members", want: page(seesBolt)},
	}
	matrix["POST /spaces/{space_id}/members"] = []check{
		{label: "an Acme user to ACME", path: "/spaces/{space:ACME}/members", form: true,
			body: "email=spare-acme%40acme.example", reset: leave("ACME", "spare-acme"),
			want: row{303, 403, 403, 403, 303, 403, 303, 403, 403, 403, 404, 404, 401}},
		{label: "the untrained partner's user to ACMEX", path: "/spaces/{space:ACMEX}/members", form: true,
			body: "email=novice%40novice.example",
			want: row{422, 403, 403, 403, 422, 404, 422, 404, 404, 404, 403, 404, 401}},
	}
	matrix["POST /spaces/{space_id}/members/{user_id}/remove"] = []check{
		{label: "an Acme user from ACME", path: "/spaces/{space:ACME}/members/{user:spare-acme}/remove", form: true,
			reset: join("ACME", "spare-acme"),
			want:  row{303, 403, 403, 403, 303, 403, 303, 403, 403, 403, 404, 404, 401}},
	}
	matrix["POST /preview"] = []check{
		{label: "Markdown", path: "/preview", form: true, body: "description=**bold**", want: row{200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 401}},
	}
	matrix["GET /account"] = []check{{label: "own account", path: "/account", want: everyone}}
	matrix["GET /notifications"] = []check{
		{label: "own notifications", path: "/notifications", want: everyone},
		{label: "an older page", path: "/notifications?before=5", want: everyone},
	}
	matrix["POST /notifications/read"] = []check{
		{label: "all", path: "/notifications/read", form: true, want: sent},
		{label: "another's id: changes nothing", path: "/notifications/read", form: true, body: "id=1", want: sent},
		{label: "not an id", path: "/notifications/read", form: true, body: "id=x",
			want: row{404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 401}},
	}
	matrix["POST /account/language"] = []check{
		{label: "French", path: "/account/language", form: true, body: "locale=fr", want: sent},
		{label: "Klingon", path: "/account/language", form: true, body: "locale=tlh",
			want: row{422, 422, 422, 422, 422, 422, 422, 422, 422, 422, 422, 422, 401}},
	}
	matrix["POST /account/tokens"] = []check{
		{label: "a token of one's own", path: "/account/tokens", form: true, body: "name=script+of+{role}&days=30",
			want: row{201, 201, 201, 201, 201, 201, 201, 201, 201, 201, 201, 201, 401}},
		{label: "for 1000 days", path: "/account/tokens", form: true, body: "name=too+long&days=1000",
			want: row{422, 422, 422, 422, 422, 422, 422, 422, 422, 422, 422, 422, 401}},
	}
	matrix["POST /account/tokens/{token_id}/revoke"] = []check{
		{label: "an own spare token", path: "/account/tokens/{self.spare}/revoke", form: true, want: sent},
		// The page revokes only the visitor's own tokens, administrators' included.
		{label: "the administrator's spare token", path: "/account/tokens/{admin.spare}/revoke", form: true,
			want: row{303, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 401}},
	}
	matrix["POST /account/password"] = []check{
		{label: "the same password again", path: "/account/password", form: true,
			body: "current=guichet-demo&new=guichet-demo&again=guichet-demo", want: sent},
		{label: "a wrong current password", path: "/account/password", form: true,
			body: "current=not-it-at-all&new=guichet-demo-2&again=guichet-demo-2",
			want: row{422, 422, 422, 422, 422, 422, 422, 422, 422, 422, 422, 422, 401}},
	}
}

// pageReads are ticketReads for the ticket pages (suffix "" or a fragment's).
func pageReads(suffix string) []check {
	return []check{
		{label: "acme", path: "/tickets/{ticket:acme}" + suffix, want: page(seesAcme)},
		{label: "security", path: "/tickets/{ticket:security}" + suffix, want: page(seesSecurity)},
		{label: "acmex", path: "/tickets/{ticket:acmex}" + suffix, want: page(seesAcmex)},
	}
}
