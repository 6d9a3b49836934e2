package storetest_test

import (
	"bytes"
	"cmp"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"guichet/internal/app"
	"guichet/internal/desk"
	"guichet/internal/sqlstore"
	"guichet/internal/storetest"
)

// parties is a small installation: a provider with two agents, two clients, three
// spaces (A and B of the first client, C of the second) and client users.
type parties struct {
	prov, c1, c2   *desk.Organisation
	agent1, agent2 *desk.User
	u1, u2, u3     *desk.User // u1, u2 of c1; u3 of c2
	spA, spB, spC  *desk.Space
	projA1, projA2 *desk.Project
	spaceKey       map[int64]string
	allTickets     []desk.Ticket
	ticketByID     map[int64]desk.Ticket
}

func mustParties(t *testing.T, s app.Queries) *parties {
	t.Helper()
	p := &parties{}
	p.prov = mustOrg(t, s, desk.Provider, "Acme")
	p.c1 = mustOrg(t, s, desk.Client, "Globex")
	p.c2 = mustOrg(t, s, desk.Client, "Initech")
	p.agent1 = mustUser(t, s, p.prov.ID, "agent1@acme.com")
	p.agent2 = mustUser(t, s, p.prov.ID, "agent2@acme.com")
	p.u1 = mustUser(t, s, p.c1.ID, "u1@globex.com")
	p.u2 = mustUser(t, s, p.c1.ID, "u2@globex.com")
	p.u3 = mustUser(t, s, p.c2.ID, "u3@initech.com")
	p.spA = mustSpace(t, s, p.c1.ID, "GLA")
	p.spB = mustSpace(t, s, p.c1.ID, "GLB")
	p.spC = mustSpace(t, s, p.c2.ID, "INI")
	p.projA1 = &desk.Project{SpaceID: p.spA.ID, Name: "Extranet"}
	must(t, s.CreateProject(t.Context(), p.projA1))
	p.projA2 = &desk.Project{SpaceID: p.spA.ID, Name: "ERP"}
	must(t, s.CreateProject(t.Context(), p.projA2))
	p.spaceKey = map[int64]string{p.spA.ID: "GLA", p.spB.ID: "GLB", p.spC.ID: "INI"}
	return p
}

// newTicket is a valid ticket with only the required fields.
func newTicket(spaceID, authorID int64, title string) *desk.Ticket {
	return &desk.Ticket{SpaceID: spaceID, Title: title, Nature: desk.Anomaly, Criticality: desk.Annoying,
		Priority: 3, Channel: desk.Web, AuthorID: authorID, Status: desk.Open, CreatedAt: t0, UpdatedAt: t0}
}

// mustCreateTicket numbers and stores tk in one transaction, as the use case does.
func mustCreateTicket(t *testing.T, s app.Store, tk *desk.Ticket) *desk.Ticket {
	t.Helper()
	must(t, s.InTx(t.Context(), func(q app.Queries) error {
		return q.OpenTicket(t.Context(), tk, app.TimerUpdate{}, nil, app.NumberedData{})
	}))
	return tk
}

// normTicket is tk as the store gives it back.
func normTicket(tk desk.Ticket) desk.Ticket {
	tk.CreatedAt = stored(tk.CreatedAt)
	tk.UpdatedAt = stored(tk.UpdatedAt)
	if tk.ClosedAt != nil {
		c := stored(*tk.ClosedAt)
		tk.ClosedAt = &c
	}
	if tk.Deadline != nil {
		d := stored(*tk.Deadline)
		tk.Deadline = &d
	}
	if tk.Keywords == nil {
		tk.Keywords = []string{}
	}
	return tk
}

func wantTicket(t *testing.T, what string, got *desk.Ticket, want desk.Ticket) {
	t.Helper()
	want = normTicket(want)
	g := *got
	if g.ClosedAt != nil && g.ClosedAt.Location() != time.UTC {
		t.Errorf("%s: ClosedAt not in UTC", what)
	}
	if g.CreatedAt.Location() != time.UTC || g.UpdatedAt.Location() != time.UTC {
		t.Errorf("%s: times not in UTC", what)
	}
	if fmt.Sprintf("%#v", g.Keywords) != fmt.Sprintf("%#v", want.Keywords) {
		t.Errorf("%s: keywords = %#v, want %#v", what, g.Keywords, want.Keywords)
	}
	eqTime := func(a, b *time.Time) bool { return (a == nil) == (b == nil) && (a == nil || a.Equal(*b)) }
	if !eqTime(g.ClosedAt, want.ClosedAt) {
		t.Errorf("%s: ClosedAt = %v, want %v", what, g.ClosedAt, want.ClosedAt)
	}
	if !eqTime(g.Deadline, want.Deadline) {
		t.Errorf("%s: Deadline = %v, want %v", what, g.Deadline, want.Deadline)
	}
	g.ClosedAt, want.ClosedAt, g.Deadline, want.Deadline = nil, nil, nil, nil
	if !g.CreatedAt.Equal(want.CreatedAt) || !g.UpdatedAt.Equal(want.UpdatedAt) {
		t.Errorf("%s: times = %v, %v; want %v, %v", what, g.CreatedAt, g.UpdatedAt, want.CreatedAt, want.UpdatedAt)
	}
	g.CreatedAt, g.UpdatedAt, want.CreatedAt, want.UpdatedAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	if fmt.Sprintf("%+v", g) != fmt.Sprintf("%+v", want) {
		t.Errorf("%s:\n got %+v\nwant %+v", what, g, want)
	}
}

func TestSpaceRequireDiagnostic(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := t.Context()
		c := mustOrg(t, s, desk.Client, "Globex")
		sp := &desk.Space{ClientID: c.ID, Key: "GLX", Name: "Globex", RequireDiagnostic: true}
		must(t, s.CreateSpace(ctx, sp))
		got, err := s.Space(ctx, sp.ID)
		must(t, err)
		if !got.RequireDiagnostic {
			t.Error("RequireDiagnostic = false after create with true")
		}
		sp.RequireDiagnostic, sp.Name = false, "Globex 2"
		must(t, s.UpdateSpace(ctx, sp))
		got, err = s.Space(ctx, sp.ID)
		must(t, err)
		if got.RequireDiagnostic || got.Name != "Globex 2" {
			t.Errorf("after update: %+v", got)
		}
		list, err := s.ListSpaces(ctx, desk.SpaceScope{All: true}, desk.Page{})
		must(t, err)
		if len(list) != 1 || list[0].RequireDiagnostic {
			t.Errorf("list = %+v", list)
		}
	})
}

func TestTicketRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := t.Context()
		p := mustParties(t, s)
		closed, deadline := t0.Add(72*time.Hour), t0.Add(4*time.Hour)
		full := &desk.Ticket{
			SpaceID: p.spA.ID, ProjectID: p.projA1.ID, Title: "L'impression échoue — 100% des cas",
			Nature: desk.Evolution, Criticality: desk.Serious, Priority: 1, PriorityDisputed: true,
			Category: "printing", Keywords: []string{"pdf", "imprimante", "a,b", `quote"d`},
			ProductVersion: "4.2.1", ModuleVersions: "core 4.2.1\nprint 1.0", Description: "# Titre\n\nCorps *markdown*",
			LogExcerpt: "panic: boom\n\tat main.go:12", Channel: desk.Email, AuthorID: p.u1.ID,
			AssigneeID: p.agent1.ID, EngineerID: p.agent2.ID, Status: desk.Closed, Resolution: "fixed_in_release",
			RDIssue: "RD-42", Decision: desk.AcceptedPlanned, DecisionNote: "for 5.0", TargetVersion: "5.0",
			Rating: 5, RatingComment: "merci", CreatedAt: t0, UpdatedAt: t0.Add(time.Hour), ClosedAt: &closed,
			Deadline: &deadline,
		}
		mustCreateTicket(t, s, full)
		if full.ID <= 0 || full.Number != 1 {
			t.Fatalf("ID, Number = %d, %d", full.ID, full.Number)
		}
		got, err := s.Ticket(ctx, full.ID)
		must(t, err)
		wantTicket(t, "full", got, *full)

		bare := mustCreateTicket(t, s, newTicket(p.spA.ID, p.u2.ID, "bare"))
		if bare.Number != 2 {
			t.Errorf("second number = %d", bare.Number)
		}
		got, err = s.Ticket(ctx, bare.ID)
		must(t, err)
		if got.Keywords == nil || len(got.Keywords) != 0 || got.ProjectID != 0 || got.AssigneeID != 0 ||
			got.EngineerID != 0 || got.ClosedAt != nil || got.Decision != "" || got.Deadline != nil {
			t.Errorf("bare = %+v", got)
		}
		wantTicket(t, "bare", got, *bare)
		empty := newTicket(p.spB.ID, p.u1.ID, "empty keywords")
		empty.Keywords = []string{}
		mustCreateTicket(t, s, empty)
		if empty.Number != 1 {
			t.Errorf("first number of another space = %d", empty.Number)
		}

		got, err = s.TicketByRef(ctx, "GLA", 2)
		must(t, err)
		if got.ID != bare.ID {
			t.Errorf("TicketByRef(GLA, 2) = %d, want %d", got.ID, bare.ID)
		}
		_, err = s.TicketByRef(ctx, "GLA", 3)
		wantErr(t, err, desk.NotFound, "")
		_, err = s.TicketByRef(ctx, "NOPE", 1)
		wantErr(t, err, desk.NotFound, "")
		_, err = s.Ticket(ctx, 9999)
		wantErr(t, err, desk.NotFound, "")
		if e, _ := desk.AsError(err); e.Message != "ticket not found" {
			t.Errorf("message = %q", e.Message)
		}

		// Every mutable field changes, references back to NULL.
		upd := *full
		upd.ProjectID, upd.AssigneeID, upd.EngineerID, upd.ClosedAt, upd.Deadline = 0, 0, 0, nil, nil
		upd.Title, upd.Nature, upd.Criticality, upd.Priority, upd.PriorityDisputed = "T2", desk.Question, desk.Minor, 4, false
		upd.Category, upd.Keywords, upd.ProductVersion, upd.ModuleVersions = "c2", nil, "v2", "m2"
		upd.Description, upd.LogExcerpt, upd.AuthorID, upd.Status = "d2", "l2", p.u2.ID, desk.ToClose
		upd.Resolution, upd.RDIssue, upd.Decision, upd.DecisionNote = "answered", "RD-43", "", ""
		upd.TargetVersion, upd.Rating, upd.RatingComment, upd.UpdatedAt = "", 0, "", t0.Add(2*time.Hour)
		must(t, s.InTx(ctx, func(q app.Queries) error {
			locked, err := q.TicketForUpdate(ctx, full.ID)
			if err != nil {
				return err
			}
			wantTicket(t, "for update", locked, *full)
			return q.UpdateTicket(ctx, locked, &upd)
		}))
		got, err = s.Ticket(ctx, full.ID)
		must(t, err)
		wantTicket(t, "updated", got, upd)
		var rank int
		must(t, s.DB().QueryRowContext(ctx, `SELECT crit_rank FROM tickets WHERE id = $1`, full.ID).Scan(&rank))
		if rank != 4 {
			t.Errorf("crit_rank of a minor ticket = %d", rank)
		}
		// A change of a few fields, against the ticket as read, saves those and
		// leaves the others as they are (only the columns that changed are set).
		few := upd
		closedAt := t0.Add(3 * time.Hour)
		few.Status, few.AssigneeID, few.ClosedAt, few.UpdatedAt, few.Deadline = desk.Closed, p.u1.ID, &closedAt, closedAt, &deadline
		must(t, s.UpdateTicket(ctx, &upd, &few))
		got, err = s.Ticket(ctx, full.ID)
		must(t, err)
		wantTicket(t, "a few fields updated", got, few)
		same := few
		same.UpdatedAt = t0.Add(4 * time.Hour)
		must(t, s.UpdateTicket(ctx, &few, &same))
		got, err = s.Ticket(ctx, full.ID)
		must(t, err)
		wantTicket(t, "only the time updated", got, same)
		wantErr(t, s.UpdateTicket(ctx, nil, &desk.Ticket{ID: 9999, Nature: desk.Anomaly, Criticality: desk.Minor,
			Priority: 4, Status: desk.Open, AuthorID: p.u1.ID}), desk.NotFound, "")

		// SaveTicket saves the fields that changed with the ticket's timers,
		// their first time and again.
		for i, final := range [][]byte{nil, []byte(`{"slo":{}}`)} {
			saved := same
			saved.Title, saved.UpdatedAt = fmt.Sprint("saved ", i), t0.Add(time.Duration(5+i)*time.Hour)
			next := t0.Add(time.Duration(10+i) * time.Hour)
			must(t, s.SaveTicket(ctx, &same, &saved, app.TimerUpdate{TicketID: saved.ID, Next: &next, Final: final}))
			got, err = s.Ticket(ctx, full.ID)
			must(t, err)
			wantTicket(t, "saved", got, saved)
			gotNext, _, gotFinal, err := s.TicketTimers(ctx, full.ID)
			must(t, err)
			if gotNext == nil || !gotNext.Equal(stored(next)) || string(gotFinal) != string(final) {
				t.Errorf("timers saved %d: next %v, final %q; want %v, %q", i, gotNext, gotFinal, next, final)
			}
			same = saved
		}
		wantErr(t, s.SaveTicket(ctx, nil, &desk.Ticket{ID: 9999, Nature: desk.Anomaly, Criticality: desk.Minor,
			Priority: 4, Status: desk.Open, AuthorID: p.u1.ID}, app.TimerUpdate{TicketID: 9999}), desk.NotFound, "")
		_, err = s.TicketForUpdate(ctx, 9999)
		wantErr(t, err, desk.NotFound, "")

		dup := newTicket(p.spA.ID, p.u1.ID, "dup")
		dup.Number = 1
		wantErr(t, s.CreateTicket(ctx, dup), desk.Conflict, "number")
		bad := newTicket(p.spA.ID, p.u1.ID, "bad")
		bad.Number, bad.Nature = 99, "rant"
		if err := s.CreateTicket(ctx, bad); desk.ErrorCode(err) != desk.Invalid {
			t.Errorf("unknown nature: %v, want invalid", err)
		}
		bad = newTicket(p.spA.ID, p.u1.ID, "bad")
		bad.Number, bad.ProjectID = 99, 9999
		wantErr(t, s.CreateTicket(ctx, bad), desk.Invalid, "project_id")
		_, err = s.NextTicketNumber(ctx, 9999)
		wantErr(t, err, desk.NotFound, "")
		lost := newTicket(9999, p.u1.ID, "nowhere")
		wantErr(t, s.OpenTicket(ctx, lost, app.TimerUpdate{}, nil, app.NumberedData{}), desk.NotFound, "")
	})
}

func TestTicketNumbersConcurrent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		p := mustParties(t, s)
		// Every fourth creation fails after taking its number: its number goes
		// to the next one, so that the tickets kept have no gap.
		const n, failing = 20, 5
		errFailed := errors.New("failed after numbering")
		var wg sync.WaitGroup
		errs := make(chan error, n)
		for i := range n {
			wg.Go(func() {
				tk := newTicket(p.spA.ID, p.u1.ID, fmt.Sprintf("concurrent %d", i))
				errs <- s.InTx(context.Background(), func(q app.Queries) error {
					if err := q.OpenTicket(context.Background(), tk, app.TimerUpdate{}, nil, app.NumberedData{}); err != nil {
						return err
					}
					time.Sleep(time.Millisecond) // widen the window until commit
					if i%4 == 0 {
						return errFailed
					}
					return nil
				})
			})
		}
		wg.Wait()
		close(errs)
		failed := 0
		for err := range errs {
			if errors.Is(err, errFailed) {
				failed++
				continue
			}
			must(t, err)
		}
		if failed != failing {
			t.Fatalf("%d creations failed, want %d", failed, failing)
		}
		var nums []int64
		rows, err := s.DB().QueryContext(t.Context(), `SELECT number FROM tickets WHERE space_id = $1 ORDER BY number`, p.spA.ID)
		must(t, err)
		defer rows.Close()
		for rows.Next() {
			var x int64
			must(t, rows.Scan(&x))
			nums = append(nums, x)
		}
		must(t, rows.Err())
		want := make([]int64, n-failing)
		for i := range want {
			want[i] = int64(i + 1)
		}
		wantIDs(t, "numbers", nums, want)
	})
}

// On PostgreSQL a creation's commit lets its space's counter go before its log
// is flushed, and the flush is awaited once the counter is free: the ticket is
// on disk when the transaction returns all the same.
func TestOpenedTicketOnDiskAtReturn(t *testing.T) {
	s := storetest.OpenPostgres(t)
	p := mustParties(t, s)
	for i := range 20 {
		var written string
		must(t, s.InTx(t.Context(), func(q app.Queries) error {
			if err := q.OpenTicket(t.Context(), newTicket(p.spA.ID, p.u1.ID, fmt.Sprintf("on disk %d", i)), app.TimerUpdate{},
				nil, app.NumberedData{}); err != nil {
				return err
			}
			// The log's end, past the new ticket's records; the commit's comes after.
			return s.DB().QueryRowContext(t.Context(), `SELECT pg_current_wal_insert_lsn()::text`).Scan(&written)
		}))
		var flushed bool
		must(t, s.DB().QueryRowContext(t.Context(), `SELECT pg_current_wal_flush_lsn() >= $1::pg_lsn`, written).Scan(&flushed))
		if !flushed {
			t.Fatalf("creation %d returned before the log was flushed past %s", i, written)
		}
	}
	var setting string
	must(t, s.DB().QueryRowContext(t.Context(), `SHOW synchronous_commit`).Scan(&setting))
	if setting != "on" {
		t.Errorf("synchronous_commit = %s after the creations, want on", setting)
	}
}

// seedTickets creates a varied set of tickets in p's spaces and records them.
func seedTickets(t *testing.T, s app.Store, p *parties) {
	t.Helper()
	titles := []string{"Printer jams", "PRINTER offline", "Export 100% slow", "Export 100 percent", "a_b field",
		"ab field", `back\slash`, "Login fails", "Login slow", "Crash on save",
		"Échec à l'export"}
	natures := []desk.Nature{desk.Anomaly, desk.Evolution, desk.Question, desk.Security}
	statuses := []desk.Status{desk.Open, desk.AwaitingClient, desk.Open, desk.ToClose, desk.Closed, desk.AwaitingDelivery}
	spaces := []int64{p.spA.ID, p.spA.ID, p.spB.ID, p.spC.ID}
	for i := range 40 {
		sp := spaces[i%len(spaces)]
		author := p.u1.ID
		switch {
		case sp == p.spC.ID:
			author = p.u3.ID
		case i%3 == 0:
			author = p.u2.ID
		}
		tk := newTicket(sp, author, fmt.Sprintf("%s #%d", titles[i%len(titles)], i))
		tk.Nature = natures[(i/2)%len(natures)]
		tk.Criticality = desk.Criticalities[(i*7)%4]
		tk.Priority = desk.Priority(1 + (i*5)%4)
		tk.Status = statuses[i%len(statuses)]
		switch i % 3 {
		case 0:
			tk.AssigneeID = p.agent1.ID
		case 1:
			tk.AssigneeID = p.agent2.ID
		}
		if sp == p.spA.ID && i%5 != 0 {
			tk.ProjectID = []int64{p.projA1.ID, p.projA2.ID}[i%2]
		}
		// Several tickets share a creation time, so the id must break ties.
		tk.CreatedAt = t0.Add(time.Duration(i/3) * time.Minute)
		tk.UpdatedAt = t0.Add(time.Duration((i*13)%40) * time.Second).Add(time.Hour)
		mustCreateTicket(t, s, tk)
		p.allTickets = append(p.allTickets, normTicket(*tk))
	}
	p.ticketByID = map[int64]desk.Ticket{}
	for _, tk := range p.allTickets {
		p.ticketByID[tk.ID] = tk
	}
}

// inScope is the reference for a ticket scope.
func inScope(sc desk.TicketScope, tk desk.Ticket) bool {
	if sc.All {
		return true
	}
	if !slices.Contains(sc.Spaces, tk.SpaceID) {
		return false
	}
	return tk.Nature != desk.Security || slices.Contains(sc.SecuritySpaces, tk.SpaceID) ||
		(sc.AuthorID != 0 && tk.AuthorID == sc.AuthorID)
}

// matches is the reference for a ticket filter.
func matches(f app.TicketFilter, tk desk.Ticket) bool {
	return (f.SpaceID == 0 || tk.SpaceID == f.SpaceID) &&
		(f.ProjectID == 0 || tk.ProjectID == f.ProjectID) &&
		(len(f.Status) == 0 || slices.Contains(f.Status, tk.Status)) &&
		(f.Nature == "" || tk.Nature == f.Nature) &&
		(f.Criticality == "" || tk.Criticality == f.Criticality) &&
		(f.Priority == 0 || tk.Priority == f.Priority) &&
		(f.AssigneeID == 0 || tk.AssigneeID == f.AssigneeID) &&
		(f.AuthorID == 0 || tk.AuthorID == f.AuthorID) &&
		(f.Text == "" || strings.Contains(strings.ToLower(tk.Title), strings.ToLower(f.Text)))
}

// sortKey is the reference order's first key and time of tk.
func sortKey(sort app.TicketSort, tk desk.Ticket) (string, int64, time.Time) {
	switch sort {
	case app.SortPriority, "": // the default
		return "", int64(tk.Priority), tk.CreatedAt
	case app.SortCreated:
		return "", 0, tk.CreatedAt
	case app.SortUpdated:
		return "", 0, tk.UpdatedAt
	case app.SortStatus:
		return string(tk.Status), 0, tk.CreatedAt
	case app.SortNature:
		return string(tk.Nature), 0, tk.CreatedAt
	case app.SortCriticality:
		return "", int64(desk.DefaultPriority(tk.Criticality)), tk.CreatedAt
	case app.SortAssignee:
		return "", tk.AssigneeID, tk.CreatedAt
	}
	return "", 0, time.Time{} // SortNumber: id only
}

// cursorOf is the cursor after tk in sort.
func cursorOf(sort app.TicketSort, tk desk.Ticket) *app.TicketCursor {
	s, n, tm := sortKey(sort, tk)
	c := &app.TicketCursor{Time: tm, ID: tk.ID}
	switch sort {
	case app.SortStatus, app.SortNature:
		c.Key = s
	case app.SortPriority, "", app.SortCriticality, app.SortAssignee:
		c.Key = strconv.FormatInt(n, 10)
	}
	return c
}

// expected lists the ids of p's tickets in scope matching f, in f's order.
func (p *parties) expected(sc desk.TicketScope, f app.TicketFilter) []int64 {
	var list []desk.Ticket
	for _, tk := range p.allTickets {
		if inScope(sc, tk) && matches(f, tk) {
			list = append(list, tk)
		}
	}
	slices.SortFunc(list, func(a, b desk.Ticket) int {
		as, an, at := sortKey(f.Sort, a)
		bs, bn, bt := sortKey(f.Sort, b)
		c := cmp.Or(strings.Compare(as, bs), cmp.Compare(an, bn), at.Compare(bt), cmp.Compare(a.ID, b.ID))
		if f.Desc {
			return -c
		}
		return c
	})
	ids := []int64{}
	for _, tk := range list {
		ids = append(ids, tk.ID)
	}
	return ids
}

func ticketIDs(list []desk.Ticket) []int64 {
	ids := []int64{}
	for _, tk := range list {
		ids = append(ids, tk.ID)
	}
	return ids
}

// walk lists every page of size n and returns the ids in order.
func walk(t *testing.T, s app.Queries, sc desk.TicketScope, f app.TicketFilter, n int) []int64 {
	t.Helper()
	f.Limit = n
	ids := []int64{}
	for range 100 {
		page, err := s.ListTickets(t.Context(), sc, f)
		must(t, err)
		if len(page) > n {
			t.Fatalf("page of %d with limit %d", len(page), n)
		}
		ids = append(ids, ticketIDs(page)...)
		if len(page) < n {
			return ids
		}
		f.After = cursorOf(f.Sort, page[len(page)-1])
	}
	t.Fatal("the walk does not end")
	return nil
}

func TestListTickets(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := t.Context()
		p := mustParties(t, s)
		seedTickets(t, s, p)
		all := desk.TicketScope{All: true}

		t.Run("scope", func(t *testing.T) {
			list, err := s.ListTickets(ctx, all, app.TicketFilter{Limit: 200})
			must(t, err)
			if len(list) != len(p.allTickets) {
				t.Errorf("staff sees %d tickets, want %d", len(list), len(p.allTickets))
			}
			for _, tk := range list {
				wantTicket(t, "listed", &tk, p.ticketByID[tk.ID])
			}
			scopes := map[string]desk.TicketScope{
				"u1 in A and B":                 {Spaces: []int64{p.spA.ID, p.spB.ID}, AuthorID: p.u1.ID},
				"u2 in A":                       {Spaces: []int64{p.spA.ID}, AuthorID: p.u2.ID},
				"security officer of c1":        {Spaces: []int64{p.spA.ID, p.spB.ID}, SecuritySpaces: []int64{p.spA.ID, p.spB.ID}, AuthorID: p.u2.ID},
				"no author":                     {Spaces: []int64{p.spC.ID}},
				"u3 in C":                       {Spaces: []int64{p.spC.ID}, AuthorID: p.u3.ID},
				"security of one space of many": {Spaces: []int64{p.spA.ID, p.spB.ID}, SecuritySpaces: []int64{p.spB.ID}},
			}
			for name, sc := range scopes {
				list, err := s.ListTickets(ctx, sc, app.TicketFilter{Sort: app.SortCreated, Limit: 200})
				must(t, err)
				wantIDs(t, name, ticketIDs(list), p.expected(sc, app.TicketFilter{Sort: app.SortCreated}))
			}
			// The reference itself: u2 sees no security ticket u1 wrote.
			for _, id := range p.expected(scopes["u2 in A"], app.TicketFilter{}) {
				if tk := p.ticketByID[id]; tk.Nature == desk.Security && tk.AuthorID != p.u2.ID {
					t.Fatalf("reference shows security ticket %d to u2", id)
				}
			}
			list, err = s.ListTickets(ctx, scopes["u2 in A"], app.TicketFilter{SpaceID: p.spC.ID})
			must(t, err)
			wantIDs(t, "a space out of scope", ticketIDs(list), nil)
			for name, sc := range scopes {
				f := app.TicketFilter{SpaceID: p.spA.ID, Sort: app.SortCreated, Limit: 200}
				list, err := s.ListTickets(ctx, sc, f)
				must(t, err)
				wantIDs(t, name+", space A", ticketIDs(list), p.expected(sc, f))
			}
			list, err = s.ListTickets(ctx, desk.TicketScope{}, app.TicketFilter{})
			must(t, err)
			if list == nil || len(list) != 0 {
				t.Errorf("empty scope = %v", list)
			}
			list, err = s.ListTickets(ctx, desk.TicketScope{AuthorID: p.u1.ID}, app.TicketFilter{})
			must(t, err)
			if len(list) != 0 {
				t.Errorf("scope without spaces = %d tickets", len(list))
			}
		})

		filters := map[string]app.TicketFilter{
			"none":          {},
			"space":         {SpaceID: p.spA.ID},
			"project":       {ProjectID: p.projA1.ID},
			"one status":    {Status: []desk.Status{desk.Open}},
			"statuses":      {Status: []desk.Status{desk.AwaitingClient, desk.ToClose}},
			"nature":        {Nature: desk.Evolution},
			"criticality":   {Criticality: desk.Blocking},
			"priority":      {Priority: 2},
			"assignee":      {AssigneeID: p.agent2.ID},
			"author":        {AuthorID: p.u2.ID},
			"text":          {Text: "printer"},
			"text upper":    {Text: "LOGIN"},
			"text percent":  {Text: "100%"},
			"text under":    {Text: "a_b"},
			"text slash":    {Text: `k\s`},
			"text accents":  {Text: "ÉCHEC"},
			"text short":    {Text: "ab"},
			"combined":      {SpaceID: p.spA.ID, Status: []desk.Status{desk.Open, desk.Closed}, AssigneeID: p.agent1.ID},
			"nothing":       {Text: "no such title"},
			"space, author": {SpaceID: p.spB.ID, AuthorID: p.u1.ID},
			// Runs by status and criticality, and columns kept off SQLite's indexes.
			"statuses, priority": {Status: []desk.Status{desk.AwaitingClient, desk.ToClose, desk.Open}, Priority: 2},
			"one status, nature": {Status: []desk.Status{desk.Open}, Nature: desk.Evolution},
			"closed, priority":   {Status: []desk.Status{desk.Closed}, Priority: 3},
			"closed, assignee":   {Status: []desk.Status{desk.Closed}, AssigneeID: p.agent2.ID},
			"waiting, assignee":  {Status: []desk.Status{desk.AwaitingClient, desk.Open}, AssigneeID: p.agent2.ID},
		}
		t.Run("filters", func(t *testing.T) {
			for name, f := range filters {
				f.Limit = 200
				list, err := s.ListTickets(ctx, all, f)
				must(t, err)
				want := p.expected(all, f)
				wantIDs(t, name, ticketIDs(list), want)
				if name != "nothing" && len(want) == 0 {
					t.Errorf("%s: the fixture matches nothing", name)
				}
			}
			for _, text := range []string{"100%", "a_b", `k\s`} {
				if n := len(p.expected(all, app.TicketFilter{Text: text})); n != 4 {
					t.Errorf("fixture: %d titles contain %q, want 4 (escaping untested)", n, text)
				}
			}
		})

		t.Run("title search with many matches", func(t *testing.T) {
			// Past the limit, the list reads tickets in its own order and checks
			// each title: the answer must not change.
			s.SetTitleMatchLimit(2)
			defer s.SetTitleMatchLimit(0)
			for name, f := range filters {
				if f.Text == "" {
					continue
				}
				for _, sort := range []app.TicketSort{app.SortPriority, app.SortCreated} {
					f.Sort, f.Limit = sort, 200
					list, err := s.ListTickets(ctx, all, f)
					must(t, err)
					wantIDs(t, name+" "+string(sort), ticketIDs(list), p.expected(all, f))
					wantIDs(t, name+" walked by 3", walk(t, s, all, f, 3), p.expected(all, f))
				}
			}
		})

		t.Run("sorts and keyset walk", func(t *testing.T) {
			scopes := []desk.TicketScope{all, {Spaces: []int64{p.spA.ID, p.spB.ID}, AuthorID: p.u1.ID}}
			for _, sort := range app.TicketSorts {
				for _, desc := range []bool{false, true} {
					for _, sc := range scopes {
						for _, fname := range []string{"none", "space", "statuses", "assignee", "priority", "criticality",
							"statuses, priority", "one status, nature", "closed, priority", "closed, assignee", "waiting, assignee"} {
							f := filters[fname]
							f.Sort, f.Desc = sort, desc
							name := fmt.Sprintf("%s desc=%v all=%v %s", sort, desc, sc.All, fname)
							want := p.expected(sc, f)
							f.Limit = 200
							list, err := s.ListTickets(ctx, sc, f)
							must(t, err)
							wantIDs(t, name, ticketIDs(list), want)
							wantIDs(t, name+" walked by 3", walk(t, s, sc, f, 3), want)
						}
					}
				}
			}
		})

		t.Run("busy and idle assignee", func(t *testing.T) {
			// A busy assignee's list reads the order's index and checks the
			// assignee, an idle one's reads the assignee's index (SQLite): the
			// answer must not change.
			defer s.SetBusyAssigneeLimit(0)
			for _, limit := range []int64{2, 1000} {
				s.SetBusyAssigneeLimit(limit)
				for _, sort := range app.TicketSorts {
					for _, fname := range []string{"assignee", "closed, assignee", "combined", "waiting, assignee"} {
						f := filters[fname]
						f.Sort, f.Desc = sort, sort == app.SortUpdated
						want := p.expected(all, f)
						f.Limit = 200
						list, err := s.ListTickets(ctx, all, f)
						must(t, err)
						name := fmt.Sprintf("limit %d %s %s", limit, sort, fname)
						wantIDs(t, name, ticketIDs(list), want)
						wantIDs(t, name+" walked by 3", walk(t, s, all, f, 3), want)
					}
				}
			}
		})

		t.Run("limits and bad input", func(t *testing.T) {
			list, err := s.ListTickets(ctx, all, app.TicketFilter{Limit: 0})
			must(t, err)
			if len(list) != 40 {
				t.Errorf("default limit gave %d of 40", len(list))
			}
			list, err = s.ListTickets(ctx, all, app.TicketFilter{Limit: 5})
			must(t, err)
			if len(list) != 5 {
				t.Errorf("limit 5 gave %d", len(list))
			}
			_, err = s.ListTickets(ctx, all, app.TicketFilter{Sort: "colour"})
			wantErr(t, err, desk.Invalid, "sort")
			_, err = s.ListTickets(ctx, all, app.TicketFilter{Sort: app.SortPriority, After: &app.TicketCursor{Key: "open", ID: 1}})
			wantErr(t, err, desk.Invalid, "after")
		})

		t.Run("similar", func(t *testing.T) {
			sc := desk.TicketScope{Spaces: []int64{p.spA.ID}, AuthorID: p.u2.ID}
			list, err := s.SimilarTickets(ctx, sc, p.spA.ID, "  login   FAILS ", 10)
			must(t, err)
			var want []desk.Ticket
			for _, tk := range p.allTickets {
				title := strings.ToLower(tk.Title)
				if inScope(sc, tk) && tk.SpaceID == p.spA.ID && strings.Contains(title, "login") && strings.Contains(title, "fails") {
					want = append(want, tk)
				}
			}
			slices.SortFunc(want, func(a, b desk.Ticket) int {
				return cmp.Or(b.CreatedAt.Compare(a.CreatedAt), cmp.Compare(b.ID, a.ID))
			})
			if len(want) == 0 {
				t.Fatal("fixture: no similar ticket")
			}
			wantIDs(t, "similar", ticketIDs(list), ticketIDs(want))
			list, err = s.SimilarTickets(ctx, sc, p.spA.ID, "login", 1)
			must(t, err)
			if len(list) != 1 {
				t.Errorf("limit 1 gave %d", len(list))
			}
			list, err = s.SimilarTickets(ctx, sc, p.spA.ID, "   ", 10)
			must(t, err)
			wantIDs(t, "no words", ticketIDs(list), nil)
			list, err = s.SimilarTickets(ctx, sc, p.spC.ID, "login", 10)
			must(t, err)
			wantIDs(t, "space out of scope", ticketIDs(list), nil)
		})
	})
}

// mustEvent seals and appends an event after prev (nil for the first).
func mustEvent(t *testing.T, s app.Queries, ticketID, seq, actor int64, kind desk.EventKind, data string, private bool, prev *desk.Event) *desk.Event {
	t.Helper()
	e := &desk.Event{TicketID: ticketID, Seq: seq, ActorID: actor, At: t0.Add(time.Duration(seq) * time.Second),
		Kind: kind, Data: []byte(data), Private: private}
	var ph []byte
	if prev != nil {
		ph = prev.Hash
	}
	e.Seal(ph)
	must(t, s.AppendEvent(t.Context(), e))
	return e
}

// TestOpenTicketFirstEvent opens tickets with their first event, whose data
// holds the number the store gives and which PostgreSQL seals in SQL: the
// stored event is the one desk.Event.Seal describes, byte for byte, and the
// chain goes on from it.
func TestOpenTicketFirstEvent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := t.Context()
		p := mustParties(t, s)
		for _, c := range []struct {
			actor   int64
			private bool
			after   string
		}{
			{p.u1.ID, false, `","title":"Caractères \"cités\", <b>&amp;</b>, é\u00e9 😀","status":"open"}`},
			{0, true, `"}`},
		} {
			tk := newTicket(p.spA.ID, p.u1.ID, "first event")
			first := &desk.Event{ActorID: c.actor, At: t0.Add(1234567 * time.Nanosecond), Kind: desk.EvCreated, Private: c.private}
			data := app.NumberedData{Before: `{"ref":"GLA-`, After: c.after}
			must(t, s.InTx(ctx, func(q app.Queries) error { return q.OpenTicket(ctx, tk, app.TimerUpdate{}, first, data) }))
			if first.ID <= 0 || first.TicketID != tk.ID || first.Seq != 1 || len(first.PrevHash) != 0 {
				t.Fatalf("first event %+v of ticket %d", first, tk.ID)
			}
			if want := `{"ref":"GLA-` + strconv.FormatInt(tk.Number, 10) + c.after; string(first.Data) != want {
				t.Errorf("data %s, want %s", first.Data, want)
			}
			next := mustEvent(t, s, tk.ID, 2, p.agent1.ID, desk.EvCommented, `{"comment_id":1}`, false, first)
			got, err := s.Events(ctx, tk.ID, true)
			must(t, err)
			if len(got) != 2 {
				t.Fatalf("%d events, want 2", len(got))
			}
			if err := desk.VerifyChain(got); err != nil {
				t.Errorf("chain: %v", err)
			}
			g := got[0]
			if g.ID != first.ID || string(g.Data) != string(first.Data) || !bytes.Equal(g.Hash, first.Hash) ||
				g.ActorID != c.actor || g.Private != c.private || !g.At.Equal(first.At) || g.Kind != desk.EvCreated {
				t.Errorf("stored first event %+v, want %+v", g, *first)
			}
			if !bytes.Equal(got[1].PrevHash, first.Hash) || got[1].ID != next.ID {
				t.Errorf("second event %+v does not follow the first", got[1])
			}
		}
	})
}

// TestCreateCommentWithEvent stores comments with the events that record
// them, whose data holds the comment's id: the stored events are the ones
// desk.Event.Seal describes, chained to the events before.
func TestCreateCommentWithEvent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := t.Context()
		p := mustParties(t, s)
		tk := mustCreateTicket(t, s, newTicket(p.spA.ID, p.u1.ID, "comments with events"))
		prev := mustEvent(t, s, tk.ID, 1, p.u1.ID, desk.EvCreated, `{"ref":"GLA-1"}`, false, nil)
		for i, private := range []bool{false, true} {
			c := &desk.Comment{TicketID: tk.ID, AuthorID: p.agent1.ID, Body: "Réponse « 1 »", Private: private,
				Mentions: []int64{p.u1.ID}, CreatedAt: t0}
			e := &desk.Event{TicketID: tk.ID, Seq: prev.Seq + 1, ActorID: p.agent1.ID, At: t0.Add(time.Duration(i) * time.Second),
				Kind: desk.EvCommented, Private: private, PrevHash: prev.Hash}
			after := `,"mentions":[` + strconv.FormatInt(p.u1.ID, 10) + `],"private":` + strconv.FormatBool(private) + `}`
			must(t, s.InTx(ctx, func(q app.Queries) error {
				return q.CreateCommentWithEvent(ctx, c, e, app.NumberedData{Before: `{"comment_id":`, After: after})
			}))
			if want := `{"comment_id":` + strconv.FormatInt(c.ID, 10) + after; c.ID <= 0 || e.ID <= prev.ID || string(e.Data) != want {
				t.Errorf("comment %d, event %d with data %s; want data %s", c.ID, e.ID, e.Data, want)
			}
			prev = e
		}
		got, err := s.Events(ctx, tk.ID, true)
		must(t, err)
		if err := desk.VerifyChain(got); err != nil || len(got) != 3 {
			t.Fatalf("%d events, chain: %v", len(got), err)
		}
		if g := got[2]; g.ID != prev.ID || string(g.Data) != string(prev.Data) || !bytes.Equal(g.Hash, prev.Hash) ||
			!g.Private || !g.At.Equal(prev.At) {
			t.Errorf("stored event %+v, want %+v", g, *prev)
		}
		cs, err := s.ListComments(ctx, tk.ID, true, desk.Page{})
		if err != nil || len(cs) != 2 || cs[1].Body != "Réponse « 1 »" || !cs[1].Private || len(cs[1].Mentions) != 1 {
			t.Errorf("comments %+v, %v", cs, err)
		}
		// A comment on no ticket is refused.
		c := &desk.Comment{TicketID: 99_999, AuthorID: p.agent1.ID, Body: "x"}
		e := &desk.Event{TicketID: 99_999, Seq: 1, ActorID: p.agent1.ID, At: t0, Kind: desk.EvCommented}
		wantErr(t, s.InTx(ctx, func(q app.Queries) error {
			return q.CreateCommentWithEvent(ctx, c, e, app.NumberedData{Before: `{"comment_id":`, After: `}`})
		}), desk.Invalid, "ticket_id")
	})
}

func TestTicketEvents(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := t.Context()
		p := mustParties(t, s)
		tk := mustCreateTicket(t, s, newTicket(p.spA.ID, p.u1.ID, "events"))
		_, err := s.LastEvent(ctx, tk.ID)
		wantErr(t, err, desk.NotFound, "")

		// Data is kept byte for byte: key order, spaces and escapes are hashed.
		e1 := mustEvent(t, s, tk.ID, 1, p.u1.ID, desk.EvCreated, `{"z": 1,  "a":"é\u00e9"}`, false, nil)
		e2 := mustEvent(t, s, tk.ID, 2, 0, desk.EvTransition, `{"field":"status","before":"open","after":"to_close"}`, false, e1)
		e3 := mustEvent(t, s, tk.ID, 3, p.agent1.ID, desk.EvCommented, `{"comment":7}`, true, e2)
		if e1.ID <= 0 || e3.ID <= e1.ID {
			t.Errorf("ids = %d, %d", e1.ID, e3.ID)
		}

		got, err := s.Events(ctx, tk.ID, true)
		must(t, err)
		if len(got) != 3 {
			t.Fatalf("events = %+v", got)
		}
		if b := desk.VerifyChain(got); b != nil {
			t.Errorf("the chain read back does not hold: %+v", b)
		}
		for i, want := range []*desk.Event{e1, e2, e3} {
			g := got[i]
			if g.ID != want.ID || g.Seq != want.Seq || g.ActorID != want.ActorID || g.Kind != want.Kind ||
				string(g.Data) != string(want.Data) || g.Private != want.Private ||
				!bytes.Equal(g.PrevHash, want.PrevHash) || !bytes.Equal(g.Hash, want.Hash) {
				t.Errorf("event %d = %+v, want %+v", i+1, g, *want)
			}
			wantTime(t, "At", g.At, want.At)
		}
		if got[0].PrevHash != nil {
			t.Errorf("first PrevHash = %x, want nil", got[0].PrevHash)
		}
		public, err := s.Events(ctx, tk.ID, false)
		must(t, err)
		if len(public) != 2 || public[0].Seq != 1 || public[1].Seq != 2 {
			t.Errorf("public events = %+v", public)
		}
		last, err := s.LastEvent(ctx, tk.ID)
		must(t, err)
		if last.Seq != 3 || !bytes.Equal(last.Hash, e3.Hash) {
			t.Errorf("last = %+v", last)
		}

		dup := &desk.Event{TicketID: tk.ID, Seq: 3, At: t0, Kind: desk.EvFieldChange, Data: []byte(`{}`)}
		dup.Seal(e3.Hash)
		wantErr(t, s.AppendEvent(ctx, dup), desk.Conflict, "seq")
		neg := &desk.Event{TicketID: tk.ID, Seq: 4, ActorID: -1, At: t0, Kind: desk.EvFieldChange, Data: []byte(`{}`)}
		neg.Seal(e3.Hash)
		wantErr(t, s.AppendEvent(ctx, neg), desk.Invalid, "actor_id")

		// The database itself refuses to rewrite history.
		for _, stmt := range []string{
			`UPDATE ticket_events SET kind = 'x' WHERE ticket_id = $1`,
			`UPDATE ticket_events SET data = '{}' WHERE ticket_id = $1 AND seq = 1`,
			`DELETE FROM ticket_events WHERE ticket_id = $1`,
			`DELETE FROM ticket_events WHERE ticket_id = $1 AND seq = 3`,
		} {
			_, err := s.DB().ExecContext(ctx, stmt, tk.ID)
			if err == nil || !strings.Contains(err.Error(), "append-only") {
				t.Errorf("%s: err = %v, want append-only", stmt, err)
			}
		}
		got, err = s.Events(ctx, tk.ID, true)
		must(t, err)
		if len(got) != 3 || desk.VerifyChain(got) != nil {
			t.Errorf("events after refused rewrites: %+v", got)
		}

		t.Run("EventsAfter", func(t *testing.T) {
			// Tickets with 3 (tk), 2, 5 and 1 events.
			counts := []int{2, 5, 1}
			ids := []int64{tk.ID}
			for _, n := range counts {
				o := mustCreateTicket(t, s, newTicket(p.spA.ID, p.u1.ID, "more events"))
				ids = append(ids, o.ID)
				var prev *desk.Event
				for i := range n {
					prev = mustEvent(t, s, o.ID, int64(i+1), 0, desk.EvFieldChange, `{}`, false, prev)
				}
			}
			pages := func(limit int) [][]int64 {
				var out [][]int64
				after := int64(0)
				for range 20 {
					evs, err := s.EventsAfter(ctx, after, limit)
					must(t, err)
					if len(evs) == 0 {
						return out
					}
					var tickets []int64
					for i, e := range evs {
						if i > 0 && (e.TicketID < evs[i-1].TicketID || (e.TicketID == evs[i-1].TicketID && e.Seq != evs[i-1].Seq+1)) {
							t.Fatalf("limit %d: events out of order: %+v", limit, evs)
						}
						if !slices.Contains(tickets, e.TicketID) {
							tickets = append(tickets, e.TicketID)
						}
					}
					if len(evs) > limit && len(tickets) > 1 {
						t.Errorf("limit %d: %d events of %d tickets", limit, len(evs), len(tickets))
					}
					out = append(out, tickets)
					after = evs[len(evs)-1].TicketID
				}
				t.Fatal("EventsAfter does not end")
				return nil
			}
			check := func(limit int, want [][]int64) {
				t.Helper()
				got := pages(limit)
				if fmt.Sprint(got) != fmt.Sprint(want) {
					t.Errorf("limit %d: pages %v, want %v", limit, got, want)
				}
			}
			check(100, [][]int64{ids})
			check(5, [][]int64{{ids[0], ids[1]}, {ids[2]}, {ids[3]}})
			check(4, [][]int64{{ids[0]}, {ids[1]}, {ids[2]}, {ids[3]}}) // ids[2] alone exceeds 4
			check(6, [][]int64{{ids[0], ids[1]}, {ids[2], ids[3]}})
			evs, err := s.EventsAfter(ctx, ids[1], 3)
			must(t, err)
			if len(evs) != 5 || evs[0].TicketID != ids[2] || evs[4].Seq != 5 {
				t.Errorf("a ticket larger than the limit: %d events", len(evs))
			}
		})
	})
}

func TestComments(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := t.Context()
		p := mustParties(t, s)
		tk := mustCreateTicket(t, s, newTicket(p.spA.ID, p.u1.ID, "comments"))
		other := mustCreateTicket(t, s, newTicket(p.spA.ID, p.u1.ID, "other"))
		c1 := &desk.Comment{TicketID: tk.ID, AuthorID: p.u1.ID, Body: "public", Mentions: []int64{p.agent1.ID, p.u2.ID}, CreatedAt: t0}
		must(t, s.CreateComment(ctx, c1))
		c2 := &desk.Comment{TicketID: tk.ID, AuthorID: p.agent1.ID, Body: "private note", Private: true, CreatedAt: t0.Add(time.Minute)}
		must(t, s.CreateComment(ctx, c2))
		c3 := &desk.Comment{TicketID: tk.ID, AuthorID: p.agent1.ID, Body: "answer"}
		must(t, s.CreateComment(ctx, c3))
		must(t, s.CreateComment(ctx, &desk.Comment{TicketID: other.ID, AuthorID: p.u1.ID, Body: "elsewhere"}))
		if err := s.CreateComment(ctx, &desk.Comment{TicketID: 9999, AuthorID: p.u1.ID, Body: "x"}); desk.ErrorCode(err) != desk.Invalid {
			t.Errorf("comment on an unknown ticket: %v", err)
		}

		got, err := s.Comment(ctx, c1.ID)
		must(t, err)
		if got.TicketID != tk.ID || got.AuthorID != p.u1.ID || got.Body != "public" || got.Private ||
			!slices.Equal(got.Mentions, c1.Mentions) || got.Likes != 0 {
			t.Errorf("comment = %+v", got)
		}
		wantTime(t, "CreatedAt", got.CreatedAt, t0)
		got, err = s.Comment(ctx, c2.ID)
		must(t, err)
		if !got.Private || got.Mentions == nil || len(got.Mentions) != 0 {
			t.Errorf("private comment = %+v", got)
		}
		_, err = s.Comment(ctx, 9999)
		wantErr(t, err, desk.NotFound, "")

		ids := func(list []desk.Comment) []int64 {
			out := []int64{}
			for _, c := range list {
				out = append(out, c.ID)
			}
			return out
		}
		list, err := s.ListComments(ctx, tk.ID, true, desk.Page{})
		must(t, err)
		wantIDs(t, "with private", ids(list), []int64{c1.ID, c2.ID, c3.ID})
		list, err = s.ListComments(ctx, tk.ID, false, desk.Page{})
		must(t, err)
		wantIDs(t, "public", ids(list), []int64{c1.ID, c3.ID})
		list, err = s.ListComments(ctx, tk.ID, true, desk.Page{After: c1.ID, Limit: 1})
		must(t, err)
		wantIDs(t, "page", ids(list), []int64{c2.ID})

		must(t, s.LikeComment(ctx, c1.ID, p.u2.ID, t0))
		wantErr(t, s.LikeComment(ctx, c1.ID, p.u2.ID, t0), desk.Conflict, "")
		if e, _ := desk.AsError(s.LikeComment(ctx, c1.ID, p.u2.ID, t0)); e == nil || e.Message != "already recommended" {
			t.Errorf("second like: %v", e)
		}
		must(t, s.LikeComment(ctx, c1.ID, p.agent1.ID, time.Time{}))
		wantErr(t, s.LikeComment(ctx, 9999, p.u2.ID, t0), desk.NotFound, "")
		// Inside a transaction too, and a refused like leaves the count alone.
		err = s.InTx(ctx, func(q app.Queries) error {
			must(t, q.LikeComment(ctx, c3.ID, p.u1.ID, t0))
			return q.LikeComment(ctx, c3.ID, p.u1.ID, t0)
		})
		wantErr(t, err, desk.Conflict, "")
		for id, want := range map[int64]int{c1.ID: 2, c3.ID: 0} {
			got, err := s.Comment(ctx, id)
			must(t, err)
			if got.Likes != want {
				t.Errorf("likes of %d = %d, want %d", id, got.Likes, want)
			}
		}
	})
}

// failingReader fails the test if read.
type failingReader struct{ t *testing.T }

func (r failingReader) Read([]byte) (int, error) {
	r.t.Error("PutBlob read content it already had")
	return 0, io.EOF
}

func TestBlobs(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := t.Context()
		data := make([]byte, 1<<20+12345)
		_, _ = rand.Read(data)
		sum := sha256.Sum256(data)
		sha := hex.EncodeToString(sum[:])
		must(t, s.PutBlob(ctx, sha, int64(len(data)), bytes.NewReader(data)))
		count := func() (blobs, chunks int) {
			must(t, s.DB().QueryRowContext(ctx, `SELECT count(*) FROM blobs`).Scan(&blobs))
			must(t, s.DB().QueryRowContext(ctx, `SELECT count(*) FROM blob_chunks`).Scan(&chunks))
			return
		}
		if b, c := count(); b != 1 || c != 5 {
			t.Errorf("rows = %d blobs, %d chunks; want 1, 5 (256 KiB each)", b, c)
		}
		r, err := s.OpenBlob(ctx, sha)
		must(t, err)
		back, err := io.ReadAll(r)
		must(t, err)
		must(t, r.Close())
		if !bytes.Equal(back, data) {
			t.Errorf("read back %d bytes, differing from the %d stored", len(back), len(data))
		}

		must(t, s.PutBlob(ctx, strings.ToUpper(sha), int64(len(data)), failingReader{t}))
		if b, c := count(); b != 1 || c != 5 {
			t.Errorf("after a second put: %d blobs, %d chunks", b, c)
		}

		_, err = s.OpenBlob(ctx, strings.Repeat("ab", 32))
		wantErr(t, err, desk.NotFound, "")

		// Wrong hash, wrong size: refused, nothing kept.
		small := []byte("hello")
		wrong := strings.Repeat("00", 32)
		wantErr(t, s.PutBlob(ctx, wrong, 5, bytes.NewReader(small)), desk.Invalid, "sha256")
		sumSmall := sha256.Sum256(small)
		shaSmall := hex.EncodeToString(sumSmall[:])
		wantErr(t, s.PutBlob(ctx, shaSmall, 4, bytes.NewReader(small)), desk.Invalid, "size")
		wantErr(t, s.PutBlob(ctx, shaSmall, 6, bytes.NewReader(small)), desk.Invalid, "size")
		wantErr(t, s.PutBlob(ctx, "nothex", 5, bytes.NewReader(small)), desk.Invalid, "sha256")
		if b, c := count(); b != 1 || c != 5 {
			t.Errorf("after refused puts: %d blobs, %d chunks", b, c)
		}
		// A reader that fails midway leaves nothing either.
		boom := errors.New("boom")
		err = s.PutBlob(ctx, shaSmall, 5, io.MultiReader(bytes.NewReader(small[:2]), errReader{boom}))
		if !errors.Is(err, boom) {
			t.Errorf("failing reader: %v", err)
		}
		if b, _ := count(); b != 1 {
			t.Errorf("a failed put left %d blobs", b)
		}

		// Inside a transaction: visible in it, gone with a rollback, kept with a commit.
		err = s.InTx(ctx, func(q app.Queries) error {
			must(t, q.PutBlob(ctx, shaSmall, 5, bytes.NewReader(small)))
			r, err := q.OpenBlob(ctx, shaSmall)
			must(t, err)
			b, err := io.ReadAll(r)
			must(t, err)
			if string(b) != "hello" {
				t.Errorf("in transaction: %q", b)
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatal(err)
		}
		_, err = s.OpenBlob(ctx, shaSmall)
		wantErr(t, err, desk.NotFound, "")
		must(t, s.InTx(ctx, func(q app.Queries) error {
			return q.PutBlob(ctx, shaSmall, 5, bytes.NewReader(small))
		}))
		r, err = s.OpenBlob(ctx, shaSmall)
		must(t, err)
		back, err = io.ReadAll(r)
		must(t, err)
		if string(back) != "hello" {
			t.Errorf("small = %q", back)
		}

		// Empty content.
		sumEmpty := sha256.Sum256(nil)
		shaEmpty := hex.EncodeToString(sumEmpty[:])
		must(t, s.PutBlob(ctx, shaEmpty, 0, bytes.NewReader(nil)))
		r, err = s.OpenBlob(ctx, shaEmpty)
		must(t, err)
		back, err = io.ReadAll(r)
		must(t, err)
		if len(back) != 0 {
			t.Errorf("empty = %q", back)
		}
	})
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

func TestAttachments(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := t.Context()
		p := mustParties(t, s)
		tk := mustCreateTicket(t, s, newTicket(p.spA.ID, p.u1.ID, "attachments"))
		content := []byte("<status/>")
		sum := sha256.Sum256(content)
		sha := hex.EncodeToString(sum[:])
		must(t, s.PutBlob(ctx, sha, int64(len(content)), bytes.NewReader(content)))
		pub := &desk.Comment{TicketID: tk.ID, AuthorID: p.u1.ID, Body: "see file"}
		must(t, s.CreateComment(ctx, pub))
		priv := &desk.Comment{TicketID: tk.ID, AuthorID: p.agent1.ID, Body: "internal", Private: true}
		must(t, s.CreateComment(ctx, priv))

		a1 := &desk.Attachment{TicketID: tk.ID, Name: desk.DiagnosticFile, ContentType: "application/xml",
			Size: int64(len(content)), SHA256: sha, UploaderID: p.u1.ID, CreatedAt: t0}
		must(t, s.CreateAttachment(ctx, a1))
		a2 := &desk.Attachment{TicketID: tk.ID, CommentID: pub.ID, Name: "shot.png", ContentType: "image/png",
			Size: int64(len(content)), SHA256: sha, UploaderID: p.u1.ID}
		must(t, s.CreateAttachment(ctx, a2))
		a3 := &desk.Attachment{TicketID: tk.ID, CommentID: priv.ID, Name: "dump.txt", ContentType: "text/plain",
			Size: int64(len(content)), SHA256: sha, UploaderID: p.agent1.ID}
		must(t, s.CreateAttachment(ctx, a3))
		wantErr(t, s.CreateAttachment(ctx, &desk.Attachment{TicketID: tk.ID, Name: "x", ContentType: "text/plain",
			SHA256: strings.Repeat("ab", 32), UploaderID: p.u1.ID}), desk.Invalid, "sha256")

		got, err := s.Attachment(ctx, a1.ID)
		must(t, err)
		want := *a1
		want.CreatedAt = stored(t0)
		if fmt.Sprintf("%+v", *got) != fmt.Sprintf("%+v", want) {
			t.Errorf("attachment = %+v, want %+v", *got, want)
		}
		got, err = s.Attachment(ctx, a2.ID)
		must(t, err)
		if got.CommentID != pub.ID {
			t.Errorf("CommentID = %d", got.CommentID)
		}
		_, err = s.Attachment(ctx, 9999)
		wantErr(t, err, desk.NotFound, "")

		ids := func(list []desk.Attachment) []int64 {
			out := []int64{}
			for _, a := range list {
				out = append(out, a.ID)
			}
			return out
		}
		list, err := s.ListAttachments(ctx, tk.ID, true)
		must(t, err)
		wantIDs(t, "with private", ids(list), []int64{a1.ID, a2.ID, a3.ID})
		list, err = s.ListAttachments(ctx, tk.ID, false)
		must(t, err)
		wantIDs(t, "public", ids(list), []int64{a1.ID, a2.ID})
	})
}

func TestSettingsAndUsersByEmail(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := t.Context()
		_, err := s.Setting(ctx, "instance.name")
		wantErr(t, err, desk.NotFound, "")
		must(t, s.SetSetting(ctx, "instance.name", "Acme support"))
		must(t, s.SetSetting(ctx, "other", ""))
		must(t, s.SetSetting(ctx, "instance.name", "Acme"))
		v, err := s.Setting(ctx, "instance.name")
		must(t, err)
		if v != "Acme" {
			t.Errorf("setting = %q", v)
		}
		v, err = s.Setting(ctx, "other")
		must(t, err)
		if v != "" {
			t.Errorf("empty setting = %q", v)
		}

		p := mustParties(t, s)
		users, err := s.UsersByEmail(ctx, []string{" U2@Globex.com", "agent1@acme.com", "nobody@x.com", "u2@globex.com"})
		must(t, err)
		wantIDs(t, "users", userIDs(users), []int64{p.agent1.ID, p.u2.ID})
		if users[0].Email != "agent1@acme.com" || users[0].Roles == nil {
			t.Errorf("user = %+v", users[0])
		}
		users, err = s.UsersByEmail(ctx, nil)
		must(t, err)
		wantIDs(t, "no emails", userIDs(users), nil)
	})
}
