package transfer_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"guichet/internal/app"
	"guichet/internal/demo"
	"guichet/internal/desk"
	"guichet/internal/sqlstore"
	"guichet/internal/storetest"
	"guichet/internal/transfer"
)

// clock is a test clock that moves on by a little more than a minute, to the
// microsecond, each time it is read.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(61*time.Second + 123456*time.Microsecond)
	return c.t
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func mustV[T any](t *testing.T) func(v T, err error) T {
	return func(v T, err error) T {
		t.Helper()
		must(t, err)
		return v
	}
}

// history builds, with the use cases, a base with the demo installation and
// tickets that went through the workflow: comments public and private, with
// mentions and likes, assignment, changes of priority and project, an
// attachment, a reassignment, an R&D decision, a closing with a rating.
func history(t *testing.T, st *sqlstore.Store) *app.Service {
	t.Helper()
	ctx := t.Context()
	svc := app.New(st, app.Options{Clock: (&clock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}).Now})
	mustV[[]demo.Login](t)(demo.Seed(ctx, svc))
	as := func(email string) *desk.Actor {
		t.Helper()
		u, _, err := st.UserByEmail(ctx, email)
		must(t, err)
		return mustV[*desk.Actor](t)(svc.Actor(ctx, u.ID))
	}
	id := func(email string) int64 { return as(email).UserID }
	contact, agent, pm := as("contact@acme.example"), as("agent@vauban.example"), as("pm@vauban.example")
	animator, rssi, bolt := as("animator@acme.example"), as("security@acme.example"), as("contact@bolt.example")
	space := func(a *desk.Actor, key string) int64 {
		for _, sp := range mustV[[]desk.Space](t)(svc.Spaces(ctx, a, desk.Page{})) {
			if sp.Key == key {
				return sp.ID
			}
		}
		t.Fatalf("no space %s", key)
		return 0
	}
	projects := mustV[[]desk.Project](t)(svc.Projects(ctx, agent, space(agent, "ACME"), desk.Page{}))
	open := func(a *desk.Actor, key string, in app.NewTicket) *desk.Ticket {
		t.Helper()
		in.SpaceID = space(a, key)
		return mustV[*desk.Ticket](t)(svc.OpenTicket(ctx, a, in))
	}
	comment := func(a *desk.Actor, tk *desk.Ticket, body string, private bool) *desk.Comment {
		t.Helper()
		return mustV[*desk.Comment](t)(svc.AddComment(ctx, a, tk.ID, app.NewComment{Body: body, Private: private}))
	}
	move := func(a *desk.Actor, tk *desk.Ticket, in desk.TransitionInput) {
		t.Helper()
		mustV[*desk.Ticket](t)(svc.Transition(ctx, a, tk.ID, in))
	}

	t1 := open(contact, "ACME", app.NewTicket{Title: "Export PDF en erreur <après> mise à jour & redémarrage",
		Nature: desk.Question, Criticality: desk.Serious, ProjectID: projects[0].ID,
		Description: "Depuis la **5.1**, l'export échoue :\n\n```\njava.lang.NullPointerException\n```",
		LogExcerpt:  "at com.vauban.pdf.Export.run(Export.java:42)", ProductVersion: "5.1", ModuleVersions: "pdf 2.3"})
	comment(agent, t1, "Bonjour @contact@acme.example, pouvez-vous joindre le journal ?", false)
	comment(agent, t1, "Sans doute la police manquante (niveau 3 prévenu).", true)
	eng := id("engineer@vauban.example")
	ag := agent.UserID
	mustV[*desk.Ticket](t)(svc.Assign(ctx, agent, t1.ID, &ag, &eng))
	move(agent, t1, desk.TransitionInput{Action: desk.AwaitClient, Reason: "journal demandé"})
	reply := comment(contact, t1, "Voici le journal demandé.", false)
	mustV[*desk.Comment](t)(svc.LikeComment(ctx, agent, reply.ID))
	mustV[*desk.Comment](t)(svc.LikeComment(ctx, animator, reply.ID))
	p1, rh := desk.Priority(1), projects[1].ID
	kw := []string{"pdf", "Export"}
	mustV[*desk.Ticket](t)(svc.UpdateTicket(ctx, agent, t1.ID, app.TicketPatch{Priority: &p1, Keywords: &kw, ProjectID: &rh}))
	move(agent, t1, desk.TransitionInput{Action: desk.ProposeClosing, Resolution: "workaround"})
	move(contact, t1, desk.TransitionInput{Action: desk.Close, Rating: 4, RatingComment: "Rapide, merci."})

	status := []byte(`<status><version>5.1</version></status>`)
	sum := sha256.Sum256(status)
	t2 := open(contact, "ACME", app.NewTicket{Title: "Serveur bloqué", Nature: desk.Anomaly, Criticality: desk.Blocking,
		Channel: desk.Phone, Files: []app.File{{Name: "status.xml", ContentType: "application/xml", Size: int64(len(status)),
			SHA256: hex.EncodeToString(sum[:]), Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(status)), nil }}}})
	move(contact, t2, desk.TransitionInput{Action: desk.Reassign, NewAuthorID: animator.UserID, Reason: "congés"})
	move(agent, t2, desk.TransitionInput{Action: desk.AwaitDelivery, RDIssue: "RD-1234"})

	t3 := open(animator, "ACME", app.NewTicket{Title: "Signature électronique des bons", Nature: desk.Evolution,
		Criticality: desk.Minor})
	move(agent, t3, desk.TransitionInput{Action: desk.SubmitToRD})
	move(pm, t3, desk.TransitionInput{Action: desk.Decide, Decision: desk.AcceptedPlanned, TargetVersion: "5.2",
		DecisionNote: "Prévu au T3."})

	open(rssi, "ACME", app.NewTicket{Title: "Faille XSS sur le portail", Nature: desk.Security})
	t5 := open(bolt, "BOLT", app.NewTicket{Title: "Lenteurs entrepôt", Nature: desk.Question, Criticality: desk.Annoying})
	comment(bolt, t5, "Toujours lent ce matin.", false)
	return svc
}

func export(t *testing.T, st *sqlstore.Store) ([]byte, transfer.Counts) {
	t.Helper()
	var b bytes.Buffer
	counts, err := transfer.Export(t.Context(), st, &b)
	must(t, err)
	return b.Bytes(), counts
}

// firstDifference shows where two exports part.
func firstDifference(a, b []byte) string {
	la, lb := strings.Split(string(a), "\n"), strings.Split(string(b), "\n")
	for i := range min(len(la), len(lb)) {
		if la[i] != lb[i] {
			return fmt.Sprintf("line %d:\n first: %s\nsecond: %s", i+1, la[i], lb[i])
		}
	}
	return fmt.Sprintf("one has %d lines, the other %d", len(la), len(lb))
}

func TestExportImportExport(t *testing.T) {
	storetest.Each(t, func(t *testing.T, src *sqlstore.Store) {
		ctx := t.Context()
		history(t, src)
		first, exported := export(t, src)

		var dst *sqlstore.Store
		if src.Dialect() == sqlstore.Postgres {
			dst = storetest.OpenPostgres(t)
		} else {
			dst = storetest.OpenSQLite(t)
		}
		imported, err := transfer.Import(ctx, dst, bytes.NewReader(first))
		must(t, err)
		if imported.ImportedEvents != 0 {
			t.Errorf("%d imported events were added to tickets that had a history", imported.ImportedEvents)
		}
		if imported != exported {
			t.Errorf("imported %+v, exported %+v", imported, exported)
		}
		second, _ := export(t, dst)
		if !bytes.Equal(first, second) {
			t.Fatalf("the export of the imported base differs from the first export at %s", firstDifference(first, second))
		}

		svc := app.New(dst, app.Options{})
		broken, checked, err := svc.Verify(ctx)
		must(t, err)
		if broken != nil {
			t.Fatalf("verify after import: %+v", broken)
		}
		if checked != exported.Events {
			t.Errorf("verify checked %d events, the file had %d", checked, exported.Events)
		}

		// The parties work: the password hash came along, and the space's counter
		// continues after the imported numbers.
		if _, err := svc.Login(ctx, "contact@acme.example", demo.Password, "192.0.2.1"); err != nil {
			t.Fatalf("login after import: %v", err)
		}
		u, _, err := dst.UserByEmail(ctx, "contact@acme.example")
		must(t, err)
		a := mustV[*desk.Actor](t)(svc.Actor(ctx, u.ID))
		spaces := mustV[[]desk.Space](t)(svc.Spaces(ctx, a, desk.Page{}))
		tk := mustV[*desk.Ticket](t)(svc.OpenTicket(ctx, a, app.NewTicket{SpaceID: spaces[0].ID, Title: "Après l'import",
			Nature: desk.Question, Criticality: desk.Minor}))
		if tk.Number != 5 {
			t.Errorf("the first ticket opened after the import is number %d, want 5", tk.Number)
		}

		// Every reference in the events' data points at the same thing as before:
		// a comment of the same ticket, a user, a project of the same space.
		tickets := mustV[[]desk.Ticket](t)(dst.ListTickets(ctx, desk.TicketScope{All: true}, app.TicketFilter{Sort: app.SortNumber}))
		for _, tk := range tickets {
			for _, e := range mustV[[]desk.Event](t)(dst.Events(ctx, tk.ID, true)) {
				var d map[string]any
				must(t, json.Unmarshal(e.Data, &d))
				if _, ok := d["attachment_id"]; ok {
					t.Errorf("ticket %d event %d keeps an attachment id: %s", tk.ID, e.Seq, e.Data)
				}
				if id, ok := d["comment_id"].(float64); ok {
					c, err := dst.Comment(ctx, int64(id))
					if err != nil || c.TicketID != tk.ID {
						t.Errorf("ticket %d event %d refers to comment %v of another ticket (%v)", tk.ID, e.Seq, id, err)
					}
				}
			}
		}
	})
}

// example is a small file written by hand, as one from another helpdesk would
// be; docs/IMPORT.md shows it.
func example(t *testing.T) []byte {
	b, err := os.ReadFile("testdata/example.jsonl")
	must(t, err)
	return b
}

func TestImportTheDocumentedExample(t *testing.T) {
	doc, err := os.ReadFile("../../docs/IMPORT.md")
	must(t, err)
	if !strings.Contains(string(doc), "```json\n"+string(example(t))+"```") {
		t.Error("docs/IMPORT.md does not show testdata/example.jsonl as it is: copy it into the document")
	}
	storetest.Each(t, func(t *testing.T, st *sqlstore.Store) {
		ctx := t.Context()
		counts, err := transfer.Import(ctx, st, bytes.NewReader(example(t)))
		must(t, err)
		want := transfer.Counts{Organisations: 3, Users: 3, Spaces: 1, Projects: 1, Memberships: 2, Tickets: 2,
			Comments: 2, Likes: 1, Events: 5, ImportedEvents: 1}
		if counts != want {
			t.Errorf("counts = %+v, want %+v", counts, want)
		}
		svc := app.New(st, app.Options{})
		if broken, _, err := svc.Verify(ctx); err != nil || broken != nil {
			t.Fatalf("verify: %+v %v", broken, err)
		}
		tk, err := st.TicketByRef(ctx, "ACME", 41)
		must(t, err)
		comments := mustV[[]desk.Comment](t)(st.ListComments(ctx, tk.ID, true, desk.Page{}))
		events := mustV[[]desk.Event](t)(st.Events(ctx, tk.ID, true))
		if len(comments) != 2 || len(events) != 4 {
			t.Fatalf("ACME-41 has %d comments and %d events", len(comments), len(events))
		}
		if comments[0].Likes != 1 || !comments[1].Private {
			t.Errorf("comments = %+v", comments)
		}
		// "zd-9001" and "2" became the ids of the first and second comments.
		for seq, want := range map[int]string{2: fmt.Sprintf(`{"comment_id":%d,"private":false}`, comments[0].ID),
			4: fmt.Sprintf(`{"comment_id":%d,"private":true}`, comments[1].ID)} {
			if got := string(events[seq-1].Data); got != want {
				t.Errorf("event %d data = %s, want %s", seq, got, want)
			}
		}
		old, err := st.TicketByRef(ctx, "ACME", 7)
		must(t, err)
		ev := mustV[[]desk.Event](t)(st.Events(ctx, old.ID, true))
		if len(ev) != 1 || ev[0].Kind != desk.EvImported || !ev[0].At.Equal(old.CreatedAt) || ev[0].ActorID != 0 {
			t.Errorf("ACME-7's history = %+v, want one imported event at its creation", ev)
		}
		if n := mustV[int64](t)(st.NextTicketNumber(ctx, tk.SpaceID)); n != 42 {
			t.Errorf("next ACME number = %d, want 42", n)
		}
		u, hash, err := st.UserByEmail(ctx, "partner@integra.example")
		must(t, err)
		if hash != app.NoPassword || u.Locale != "en" {
			t.Errorf("partner imported without a password: hash %q, locale %q", hash, u.Locale)
		}
		if _, err := svc.Login(ctx, "agent@vauban.example", "mot de passe d'exemple", "192.0.2.1"); err != nil {
			t.Errorf("the agent cannot sign in with the password of the imported hash: %v", err)
		}
		if _, err := svc.Login(ctx, "partner@integra.example", "", "192.0.2.1"); err == nil {
			t.Error("an account imported without a password hash signs in with an empty password")
		}
		// Exporting the imported example and importing that reproduces it.
		first, _ := export(t, st)
		again := storetest.OpenSQLite(t)
		_, err = transfer.Import(ctx, again, bytes.NewReader(first))
		must(t, err)
		if second, _ := export(t, again); !bytes.Equal(first, second) {
			t.Fatalf("export, import, export differs at %s", firstDifference(first, second))
		}
	})
}

// baseCounts counts what a base holds, to check that a refused import wrote
// nothing.
func baseCounts(t *testing.T, st *sqlstore.Store) transfer.Counts {
	t.Helper()
	_, c := export(t, st)
	return c
}

// replaceLine returns the example with line n (from 1) replaced.
func replaceLine(file []byte, n int, line string) []byte {
	lines := strings.Split(strings.TrimSuffix(string(file), "\n"), "\n")
	lines[n-1] = line
	return []byte(strings.Join(lines, "\n") + "\n")
}

func lineOf(file []byte, n int) string {
	return strings.Split(string(file), "\n")[n-1]
}

func TestImportRefusesABadLine(t *testing.T) {
	ex := func(t *testing.T) []byte { return example(t) }
	cases := []struct {
		name string
		file func(t *testing.T) []byte
		line int
		want string
	}{
		{"bad enum", func(t *testing.T) []byte {
			return replaceLine(ex(t), 11, strings.Replace(lineOf(ex(t), 11), `"nature":"anomaly"`, `"nature":"bug"`, 1))
		}, 11, "nature: must be one of anomaly, evolution, question, security"},
		{"unknown user", func(t *testing.T) []byte {
			return replaceLine(ex(t), 13, strings.Replace(lineOf(ex(t), 13), `"author":"agent@vauban.example"`, `"author":"ghost@vauban.example"`, 1))
		}, 13, "author: no user ghost@vauban.example on an earlier line or in the database"},
		{"bad time", func(t *testing.T) []byte {
			return replaceLine(ex(t), 2, strings.Replace(lineOf(ex(t), 2), `"2024-01-10T09:00:00Z"`, `"10/01/2024"`, 1))
		}, 2, `created_at: must be a time in RFC 3339 format`},
		{"duplicate ticket", func(t *testing.T) []byte {
			return replaceLine(ex(t), 18, strings.Replace(lineOf(ex(t), 18), `"ref":"ACME-7"`, `"ref":"ACME-41"`, 1))
		}, 18, "ref: ticket ACME-41 already appears on line 11"},
		{"unknown field", func(t *testing.T) []byte {
			return replaceLine(ex(t), 8, strings.Replace(lineOf(ex(t), 8), `"type":"project",`, `"type":"project","colour":"blue",`, 1))
		}, 8, `colour: is not a field of a project record`},
		{"malformed JSON", func(t *testing.T) []byte {
			return replaceLine(ex(t), 16, strings.TrimSuffix(lineOf(ex(t), 16), "}"))
		}, 16, "malformed JSON"},
		{"comment far from its ticket", func(t *testing.T) []byte {
			return append(ex(t), []byte(lineOf(ex(t), 12)+"\n")...)
		}, 19, "ticket: ACME-41 is not the ticket of the lines above (ACME-7)"},
		{"unknown comment in event data", func(t *testing.T) []byte {
			return replaceLine(ex(t), 15, strings.Replace(lineOf(ex(t), 15), `"comment_id":"zd-9001"`, `"comment_id":"zd-404"`, 1))
		}, 15, `data.comment_id: ticket ACME-41 has no comment whose key is "zd-404"`},
		{"id in event data", func(t *testing.T) []byte {
			return replaceLine(ex(t), 15, strings.Replace(lineOf(ex(t), 15), `"comment_id":"zd-9001"`, `"comment_id":12`, 1))
		}, 15, `data.comment_id: must be the key of a comment`},
		{"reference to a later line", func(t *testing.T) []byte {
			lines := strings.Split(string(ex(t)), "\n")
			agent := lines[3] // the agent, moved before the provider's line
			lines = append([]string{agent}, slices.Delete(lines, 3, 4)...)
			return []byte(strings.Join(lines, "\n"))
		}, 1, `org: no provider organisation named "Logiciels Vauban" on an earlier line or in the database`},
	}
	storetest.Each(t, func(t *testing.T, st *sqlstore.Store) {
		for _, c := range cases {
			t.Run(strings.ReplaceAll(c.name, " ", "_"), func(t *testing.T) {
				before := baseCounts(t, st)
				_, err := transfer.Import(t.Context(), st, bytes.NewReader(c.file(t)))
				var inv *transfer.InvalidFileError
				if !errors.As(err, &inv) {
					t.Fatalf("err = %v, want an InvalidFileError", err)
				}
				if !slices.Equal(inv.Lines(), []int{c.line}) || !strings.Contains(err.Error(), c.want) {
					t.Fatalf("lines %v, error:\n%v\nwant line %d and %q", inv.Lines(), err, c.line, c.want)
				}
				if after := baseCounts(t, st); after != before {
					t.Fatalf("a refused import wrote %+v", after)
				}
			})
		}
	})
}

func TestImportReportsEveryBadLine(t *testing.T) {
	st := storetest.OpenSQLite(t)
	file := example(t)
	file = replaceLine(file, 2, `{"type":"organisation","kind":"customer","name":"Acme Industrie","created_at":"2024-01-10T09:00:00Z"}`)
	file = replaceLine(file, 9, `not json`)
	_, err := transfer.Import(t.Context(), st, bytes.NewReader(file))
	var inv *transfer.InvalidFileError
	if !errors.As(err, &inv) {
		t.Fatalf("err = %v", err)
	}
	// Line 2's organisation is refused, so the lines that name it fail too.
	want := []int{2, 5, 7, 9}
	if !slices.Equal(inv.Lines(), want) {
		t.Fatalf("lines %v, want %v:\n%v", inv.Lines(), want, err)
	}
	if !strings.HasPrefix(err.Error(), "the file has ") || !strings.Contains(err.Error(), "\nline 9: malformed JSON") {
		t.Errorf("error:\n%v", err)
	}

	// Past MaxReported problems, the rest are counted.
	var b strings.Builder
	for range transfer.MaxReported + 7 {
		b.WriteString(`{"type":"space"}` + "\n")
	}
	_, err = transfer.Import(t.Context(), st, strings.NewReader(b.String()))
	if !errors.As(err, &inv) || len(inv.Errors) != transfer.MaxReported || !strings.HasSuffix(err.Error(), "more") {
		t.Fatalf("%d errors kept, %d more:\n%v", len(inv.Errors), inv.More, err)
	}
}

func TestImportEmptyFile(t *testing.T) {
	st := storetest.OpenSQLite(t)
	for _, file := range []string{"", "\n\n  \n"} {
		if _, err := transfer.Import(t.Context(), st, strings.NewReader(file)); !errors.Is(err, transfer.ErrEmpty) {
			t.Errorf("import %q: %v, want ErrEmpty", file, err)
		}
	}
}

func TestImportConflictsWithTheBase(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *sqlstore.Store) {
		ctx := t.Context()
		svc := app.New(st, app.Options{})
		mustV[[]demo.Login](t)(demo.Seed(ctx, svc))
		before := baseCounts(t, st)
		// The demo has a provider, and agent@vauban.example; the file brings its
		// own provider and the same address.
		_, err := transfer.Import(ctx, st, bytes.NewReader(example(t)))
		var inv *transfer.InvalidFileError
		if !errors.As(err, &inv) {
			t.Fatalf("err = %v", err)
		}
		for _, want := range []string{
			"line 1: kind: there is already a provider organisation in the database",
			"line 2: name: an organisation of kind client named \"Acme Industrie\" already exists in the database",
			"line 4: email: a user with this email already exists in the database",
			"line 7: key: a space with key ACME already exists in the database",
		} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error lacks %q:\n%v", want, err)
			}
		}
		if after := baseCounts(t, st); after != before {
			t.Fatalf("a refused import wrote: %+v, before %+v", after, before)
		}

		// A file that only adds to the base, referring to what it holds, goes in.
		add := strings.Join([]string{
			`{"type":"user","email":"new@acme.example","name":"Nouveau Contact","org":"Acme Industrie","org_kind":"client","locale":"fr","roles":["contact"],"created_at":"2026-01-05T08:00:00Z"}`,
			`{"type":"membership","space":"ACME","user":"new@acme.example","added_by":"admin@vauban.example","added_at":"2026-01-05T08:01:00Z"}`,
			`{"type":"ticket","ref":"ACME-900","project":"Portail RH","title":"Ancien ticket","nature":"question","criticality":"minor","author":"new@acme.example","status":"open","created_at":"2025-06-01T10:00:00Z"}`,
		}, "\n")
		counts, err := transfer.Import(ctx, st, strings.NewReader(add))
		must(t, err)
		if counts.Users != 1 || counts.Memberships != 1 || counts.Tickets != 1 || counts.ImportedEvents != 1 {
			t.Errorf("counts = %+v", counts)
		}
		acme, err := st.TicketByRef(ctx, "ACME", 900)
		must(t, err)
		if n := mustV[int64](t)(st.NextTicketNumber(ctx, acme.SpaceID)); n != 901 {
			t.Errorf("next ACME number = %d, want 901", n)
		}
		// A lower number fills a gap and leaves the counter where it is.
		lower := strings.ReplaceAll(strings.SplitN(add, "\n", 3)[2], "ACME-900", "ACME-5")
		_, err = transfer.Import(ctx, st, strings.NewReader(lower))
		must(t, err)
		if n := mustV[int64](t)(st.NextTicketNumber(ctx, acme.SpaceID)); n != 902 {
			t.Errorf("next ACME number = %d after importing ACME-5, want 902", n)
		}

		// Importing it again conflicts with what the first import wrote.
		_, err = transfer.Import(ctx, st, strings.NewReader(add))
		if !errors.As(err, &inv) || !slices.Equal(inv.Lines(), []int{1, 2, 3}) ||
			!strings.Contains(err.Error(), "ticket ACME-900 already exists in the database") {
			t.Fatalf("second import: %v", err)
		}
	})
}

// TestImportedTicketsGetTheirTimers imports a ticket left awaiting the client
// since March 2024 and sweeps a few weeks later: the sweep computes the imported
// ticket's timers from its events and moves it to to_close, as it would have
// moved a ticket created here. The closed ticket is left alone.
func TestImportedTicketsGetTheirTimers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *sqlstore.Store) {
		ctx := t.Context()
		_, err := transfer.Import(ctx, st, bytes.NewReader(example(t)))
		must(t, err)
		now := time.Date(2024, 4, 15, 12, 0, 0, 0, time.UTC)
		svc := app.New(st, app.Options{Clock: func() time.Time { return now }})
		rep, err := svc.SweepTimers(ctx, now, app.SweepOptions{})
		must(t, err)
		waiting := mustV[*desk.Ticket](t)(st.TicketByRef(ctx, "ACME", 41))
		if waiting.Status != desk.ToClose || waiting.Resolution != "no_reply" {
			t.Errorf("ACME-41 after the sweep: status %s, resolution %q; want to_close, no_reply (report %+v)",
				waiting.Status, waiting.Resolution, rep)
		}
		closed := mustV[*desk.Ticket](t)(st.TicketByRef(ctx, "ACME", 7))
		if closed.Status != desk.Closed || !closed.UpdatedAt.Equal(time.Date(2023, 11, 21, 9, 0, 0, 0, time.UTC)) {
			t.Errorf("ACME-7 changed: %s, updated %s", closed.Status, closed.UpdatedAt)
		}
		if broken, _, err := svc.Verify(ctx); err != nil || broken != nil {
			t.Fatalf("verify after the sweep: %+v %v", broken, err)
		}
		// A second sweep finds nothing left to do.
		again, err := svc.SweepTimers(ctx, now, app.SweepOptions{})
		must(t, err)
		if len(again.Fired) != 0 {
			t.Errorf("second sweep fired %+v", again.Fired)
		}
	})
}
