package transfer

import (
	"strings"
	"testing"
)

func TestParseLineProblems(t *testing.T) {
	const user = `{"type":"user","email":"a@acme.example","name":"A","org":"Acme","org_kind":"client","locale":"fr","created_at":"2024-01-01T00:00:00Z"`
	const ticket = `{"type":"ticket","ref":"ACME-1","title":"T","nature":"question","criticality":"minor","author":"a@acme.example","status":"open","created_at":"2024-01-01T00:00:00Z"`
	const comment = `{"type":"comment","ticket":"ACME-1","author":"a@acme.example","created_at":"2024-01-01T00:00:00Z"`
	const event = `{"type":"event","ticket":"ACME-1","kind":"created","at":"2024-01-01T00:00:00Z"`
	cases := []struct {
		line, field, msg string
	}{
		{`[1]`, "", "must be a JSON object"},
		{`{"a":1} {"b":2}`, "", "malformed JSON"},
		{`{}`, "type", "is required"},
		{`{"type":"wizard"}`, "type", `must be one of organisation, user`},
		{user + `,"name":"a\u0000b"}`, "", "NUL character"},
		{"{\"type\":\"user\",\"name\":\"\xff\"}", "", "not valid UTF-8"},
		{user + `,"roles":"contact"}`, "roles", "must be a list, not string"},
		{user + `,"roles":["admin"]}`, "roles", `role "admin" is for provider staff only`},
		{user + `,"password_hash":"$2y$10$abcdefghijklmnopqrstuv"}`, "password_hash", "must be an argon2id hash"},
		{user + `,"password_hash":"$argon2id$v=19$m=4194304,t=2,p=1$g4lJvrq/EavZNTXJbDIGxw$TL+fEvcmAP3HLK8HJdFOp1OB1fYeBuxsWkHBzNEV+/U"}`, "password_hash", "out of bounds"},
		{user + `,"email":"not an address"}`, "email", "is not a valid email address"},
		{ticket + `,"priority":"high"}`, "priority", "must be a whole number, not string"},
		{ticket + `,"ref":"ACME-012"}`, "ref", "without leading zeros"},
		{ticket + `,"status":"closed"}`, "closed_at", "is required: the ticket is closed"},
		{ticket + `,"closed_at":"2024-01-02T00:00:00Z"}`, "closed_at", "must be null"},
		{ticket + `,"nature":"security"}`, "criticality", "always blocking"},
		{ticket + `,"priority":4,"priority_disputed":true}`, "priority_disputed", "differs from the criticality"},
		{ticket + `,"created_at":"1969-12-31T23:59:59Z"}`, "created_at", "between 1970 and 9999"},
		{ticket + `,"created_at":"2024-01-01 10:00"}`, "created_at", "RFC 3339"},
		{comment + `,"likes":[{"user":"a@acme.example","at":"2024-01-01T00:00:00Z"}]}`, "likes[0].user", "own comment"},
		{comment + `,"mentions":["b@acme.example","B@acme.example"]}`, "mentions[1]", "mentioned twice"},
		{event + `,"data":[1]}`, "data", "must be a JSON object"},
		{event + `,"data":{"a":1,"a":2}}`, "data", `has "a" twice`},
		{event + `,"kind":"Created!"}`, "kind", "lower-case identifier"},
	}
	for _, c := range cases {
		rec, p := parseLine([]byte(c.line))
		found := false
		for _, e := range p {
			if e.field == c.field && strings.Contains(e.msg, c.msg) {
				found = true
			}
		}
		if !found {
			t.Errorf("%s\n  problems %+v, want %s: …%s…", c.line, p, c.field, c.msg)
		}
		if len(p) > 0 && rec != nil && c.field == "" {
			t.Errorf("%s: a line that could not be read gave a record", c.line)
		}
	}
}

func TestParseLineCanonicalForm(t *testing.T) {
	rec, p := parseLine([]byte(`{"type":"comment","ticket":"ACME-1","author":" Bob@Acme.Example ",` +
		`"body":"a\\u0000b","created_at":"2024-03-05T17:35:00.1234567+01:00"}`))
	if len(p) > 0 {
		t.Fatal(p)
	}
	c := rec.(*Comment)
	if c.Author != "bob@acme.example" || c.CreatedAt != "2024-03-05T16:35:00.123456Z" || c.Body != `a\u0000b` {
		t.Errorf("canonical form: %+v", c)
	}
	if c.Mentions == nil || c.Likes == nil {
		t.Error("absent lists are not written as empty ones")
	}
	rec, p = parseLine([]byte(`{"type":"ticket","ref":"ACME-1","title":"T","nature":"anomaly","criticality":"serious",` +
		`"author":"a@acme.example","status":"open","created_at":"2024-01-01T00:00:00Z","keywords":["PDF"," pdf ","Export"]}`))
	if len(p) > 0 {
		t.Fatal(p)
	}
	tk := rec.(*Ticket)
	if tk.Priority != 2 || tk.Channel != "web" || tk.UpdatedAt != tk.CreatedAt || strings.Join(tk.Keywords, ",") != "pdf,export" {
		t.Errorf("defaults: %+v", tk)
	}
}

func TestLineReader(t *testing.T) {
	in := "\xef\xbb\xbffirst\r\n" + strings.Repeat("x", 300_000) + "\n\nlast"
	lr := newLineReader(strings.NewReader(in))
	lr.max = 1000
	type got struct {
		n       int
		line    string
		tooLong bool
	}
	var lines []got
	for {
		b, long, err := lr.next()
		if err != nil {
			break
		}
		if long {
			b = nil // what is kept of a line too long does not matter
		}
		lines = append(lines, got{lr.n, string(b), long})
	}
	want := []got{{1, "first", false}, {2, "", true}, {3, "", false}, {4, "last", false}}
	if len(lines) != len(want) {
		t.Fatalf("read %d lines, want %d", len(lines), len(want))
	}
	for i := range want {
		if lines[i] != want[i] {
			t.Errorf("line %d = %d %.20q %v, want %d %.20q %v", i+1, lines[i].n, lines[i].line, lines[i].tooLong,
				want[i].n, want[i].line, want[i].tooLong)
		}
	}
}
