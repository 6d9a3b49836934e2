package app_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"guichet/internal/app"
	"guichet/internal/desk"
	"guichet/internal/sqlstore"
	"guichet/internal/storetest"
)

// world is a small installation: a provider with an agent and a product
// manager, a client with two contacts and one space. Users are written straight
// to the store, without the slow password hash.
type world struct {
	st                       *sqlstore.Store
	svc                      *app.Service
	sys                      *desk.Actor
	agent, pm, contact, peer *desk.Actor
	space                    *desk.Space
}

func newWorld(t *testing.T, st *sqlstore.Store) *world {
	t.Helper()
	ctx := t.Context()
	w := &world{st: st, svc: app.New(st, app.Options{}), sys: desk.System()}
	prov, err := w.svc.CreateOrganisation(ctx, w.sys, app.NewOrganisation{Kind: desk.Provider, Name: "Provider"})
	must(t, err)
	client, err := w.svc.CreateOrganisation(ctx, w.sys, app.NewOrganisation{Kind: desk.Client, Name: "Client"})
	must(t, err)
	w.space, err = w.svc.CreateSpace(ctx, w.sys, app.NewSpace{ClientID: client.ID, Key: "SUP", Name: "Support"})
	must(t, err)
	user := func(org *desk.Organisation, email string, roles ...desk.Role) *desk.Actor {
		u := &desk.User{OrgID: org.ID, Email: email, Name: email, Locale: "fr", CreatedAt: time.Now()}
		for _, r := range roles {
			g := desk.RoleGrant{Role: r}
			if desk.IsClientRole(r) {
				g.ClientID = org.ID
			}
			u.Roles = append(u.Roles, g)
		}
		must(t, st.CreateUser(ctx, u, "not a password hash"))
		if org.Kind == desk.Client {
			_, err := w.svc.AddMember(ctx, w.sys, w.space.ID, u.ID, "")
			must(t, err)
		}
		a, err := w.svc.Actor(ctx, u.ID)
		must(t, err)
		return a
	}
	w.agent = user(prov, "agent@provider.example", desk.Agent)
	w.pm = user(prov, "pm@provider.example", desk.ProductManager)
	w.contact = user(client, "contact@client.example", desk.Contact)
	w.peer = user(client, "peer@client.example", desk.Contact)
	return w
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// file is an upload held in memory.
func file(name, content string) app.File {
	sum := sha256.Sum256([]byte(content))
	return app.File{Name: name, ContentType: "text/plain", Size: int64(len(content)), SHA256: hex.EncodeToString(sum[:]),
		Open: func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(content)), nil }}
}

// open opens a question of the contact.
func (w *world) open(t *testing.T, title string) *desk.Ticket {
	t.Helper()
	tk, err := w.svc.OpenTicket(t.Context(), w.contact, app.NewTicket{SpaceID: w.space.ID, Title: title,
		Nature: desk.Question, Criticality: desk.Annoying})
	must(t, err)
	return tk
}

// busy gives ticket number i a history of its own length: comments, private
// ones, files, changes, transitions.
func (w *world) busy(t *testing.T, tk *desk.Ticket, i int) {
	t.Helper()
	ctx := t.Context()
	for j := range i % 4 {
		_, err := w.svc.AddComment(ctx, w.contact, tk.ID, app.NewComment{Body: fmt.Sprintf("comment %d", j)})
		must(t, err)
	}
	if i%3 == 0 {
		_, err := w.svc.AddComment(ctx, w.agent, tk.ID, app.NewComment{Body: "internal", Private: true,
			Files: []app.File{file("note.txt", fmt.Sprint("note ", i))}})
		must(t, err)
	}
	if i%2 == 0 {
		p := desk.Priority(1 + i%4)
		_, err := w.svc.UpdateTicket(ctx, w.agent, tk.ID, app.TicketPatch{Priority: &p})
		must(t, err)
	}
	if i%5 == 0 {
		_, err := w.svc.Transition(ctx, w.agent, tk.ID, desk.TransitionInput{Action: desk.ProposeClosing, Resolution: "answered"})
		must(t, err)
		_, err = w.svc.Transition(ctx, w.contact, tk.ID, desk.TransitionInput{Action: desk.Close, Rating: 4})
		must(t, err)
	}
}

// eventCount counts every event of every ticket, private ones included.
func (w *world) eventCount(t *testing.T, tickets []*desk.Ticket) (n int) {
	t.Helper()
	for _, tk := range tickets {
		events, err := w.svc.History(t.Context(), w.agent, tk.ID)
		must(t, err)
		n += len(events)
	}
	return n
}

// TestVerify walks many tickets' event chains, then finds each kind of forgery
// the database lets through: an event that does not link, one whose content is
// not what was hashed, one that skips a number.
func TestVerify(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *sqlstore.Store) {
		w := newWorld(t, st)
		ctx := t.Context()
		var tickets []*desk.Ticket
		for i := range 40 {
			tk := w.open(t, fmt.Sprintf("Ticket %d", i))
			w.busy(t, tk, i)
			tickets = append(tickets, tk)
		}
		broken, checked, err := w.svc.Verify(ctx)
		must(t, err)
		if broken != nil {
			t.Fatalf("Verify on an honest history: %+v", broken)
		}
		if want := w.eventCount(t, tickets); checked != want {
			t.Errorf("Verify checked %d events, the tickets hold %d", checked, want)
		}

		// Forgeries, each on a ticket of its own, found in ticket order.
		last := func(tk *desk.Ticket) *desk.Event {
			events, err := w.svc.History(ctx, w.agent, tk.ID)
			must(t, err)
			return &events[len(events)-1]
		}
		forge := func(tk *desk.Ticket, change func(e *desk.Event, prev *desk.Event)) *desk.Event {
			t.Helper()
			prev := last(tk)
			e := &desk.Event{TicketID: tk.ID, Seq: prev.Seq + 1, ActorID: w.agent.UserID, At: w.svc.Now(),
				Kind: desk.EvFieldChange, Data: desk.EventData(desk.Change{Field: "title", Before: "a", After: "b"})}
			e.Seal(prev.Hash)
			change(e, prev)
			must(t, st.InTx(ctx, func(q app.Queries) error { return q.AppendEvent(ctx, e) }))
			return e
		}
		cases := []struct {
			ticket *desk.Ticket
			reason string
			change func(e, prev *desk.Event)
		}{
			{tickets[30], "sequence number", func(e, prev *desk.Event) { e.Seq++; e.Seal(prev.Hash) }},
			{tickets[20], "content does not match", func(e, _ *desk.Event) { e.Data = desk.EventData(map[string]string{"field": "title"}) }},
			{tickets[10], "does not link", func(e, _ *desk.Event) { e.Seal(make([]byte, 32)) }},
		}
		for _, c := range cases {
			before := checked
			e := forge(c.ticket, c.change)
			broken, checked, err = w.svc.Verify(ctx)
			must(t, err)
			if broken == nil || broken.TicketID != c.ticket.ID || broken.Seq != e.Seq || !strings.Contains(broken.Reason, c.reason) {
				t.Errorf("forged event %d of ticket %d (%s): Verify says %+v", e.Seq, c.ticket.ID, c.reason, broken)
			}
			// Verify stops at the first broken chain, having checked those before.
			if checked >= before {
				t.Errorf("Verify checked %d events up to the forgery, %d in all before", checked, before)
			}
		}
	})
}

// TestConcurrentChangesKeepTheChain changes one ticket from many requests at once:
// every change is kept, numbered without gaps, and chained.
func TestConcurrentChangesKeepTheChain(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *sqlstore.Store) {
		w := newWorld(t, st)
		ctx := t.Context()
		tk := w.open(t, "Busy ticket")
		var comment *desk.Comment
		comment, err := w.svc.AddComment(ctx, w.agent, tk.ID, app.NewComment{Body: "Please try this."})
		must(t, err)
		const n = 16
		errs := make(chan error, n+2)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				var err error
				switch i % 4 {
				case 0:
					_, err = w.svc.AddComment(ctx, w.contact, tk.ID, app.NewComment{Body: fmt.Sprint("contact ", i)})
				case 1:
					_, err = w.svc.AddComment(ctx, w.agent, tk.ID, app.NewComment{Body: fmt.Sprint("agent ", i),
						Private: true, Files: []app.File{file(fmt.Sprint(i, ".txt"), fmt.Sprint(i))}})
				case 2:
					title := fmt.Sprint("Busy ticket ", i)
					_, err = w.svc.UpdateTicket(ctx, w.agent, tk.ID, app.TicketPatch{Title: &title})
				case 3:
					_, err = w.svc.AddAttachments(ctx, w.peer, tk.ID, []app.File{file(fmt.Sprint(i, ".log"), fmt.Sprint("log ", i))})
				}
				errs <- err
			})
		}
		wg.Go(func() { _, err := w.svc.LikeComment(ctx, w.contact, comment.ID); errs <- err })
		wg.Go(func() { _, err := w.svc.LikeComment(ctx, w.peer, comment.ID); errs <- err })
		wg.Wait()
		close(errs)
		for err := range errs {
			must(t, err)
		}
		events, err := w.svc.History(ctx, w.agent, tk.ID)
		must(t, err)
		// created, the agent's comment, then n changes (private comments with a
		// file make two events) and two likes.
		if want := 2 + n + n/4 + 2; len(events) != want {
			t.Errorf("%d events, want %d", len(events), want)
		}
		if b := desk.VerifyChain(events); b != nil {
			t.Errorf("the chain breaks: %+v", b)
		}
		if b, _, err := w.svc.Verify(ctx); err != nil || b != nil {
			t.Errorf("Verify: %+v, %v", b, err)
		}
		c, err := st.Comment(ctx, comment.ID)
		must(t, err)
		if c.Likes != 2 {
			t.Errorf("%d likes, want 2", c.Likes)
		}
	})
}

// TestNumbersPerSpace opens tickets in two spaces at once: each space counts its
// own, from 1, without gaps.
func TestNumbersPerSpace(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *sqlstore.Store) {
		w := newWorld(t, st)
		ctx := t.Context()
		other, err := w.svc.CreateSpace(ctx, w.sys, app.NewSpace{ClientID: w.space.ClientID, Key: "OPS", Name: "Operations"})
		must(t, err)
		_, err = w.svc.AddMember(ctx, w.sys, other.ID, w.contact.UserID, "")
		must(t, err)
		contact, err := w.svc.Actor(ctx, w.contact.UserID)
		must(t, err)
		const n = 12
		numbers := map[int64][]int64{}
		var mu sync.Mutex
		var wg sync.WaitGroup
		for i := range 2 * n {
			wg.Go(func() {
				sp := w.space.ID
				if i%2 == 1 {
					sp = other.ID
				}
				tk, err := w.svc.OpenTicket(ctx, contact, app.NewTicket{SpaceID: sp, Title: fmt.Sprint("T", i),
					Nature: desk.Question, Criticality: desk.Minor})
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				numbers[sp] = append(numbers[sp], tk.Number)
				mu.Unlock()
			})
		}
		wg.Wait()
		for sp, got := range numbers {
			slices.Sort(got)
			for i, num := range got {
				if num != int64(i+1) {
					t.Errorf("space %d: numbers %v, want 1 to %d", sp, got, n)
					break
				}
			}
		}
		for _, ref := range []string{"SUP-12", "OPS-12", "ops-1"} {
			if _, err := w.svc.TicketByRef(ctx, contact, ref); err != nil {
				t.Errorf("%s: %v", ref, err)
			}
		}
		for _, ref := range []string{"SUP-13", "OPS-0", "SUP", "-1", "SUP-1-1", "SUP-+1"} {
			if _, err := w.svc.TicketByRef(ctx, contact, ref); desk.ErrorCode(err) != desk.NotFound {
				t.Errorf("%s: %v, want not found", ref, err)
			}
		}
	})
}

// TestResolutions replaces the resolution types: only administrators, cleaned,
// never without no_reply, and propose_closing follows the new list.
func TestResolutions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *sqlstore.Store) {
		w := newWorld(t, st)
		ctx := t.Context()
		got, err := w.svc.Resolutions(ctx)
		must(t, err)
		if !slices.Equal(got, desk.DefaultResolutions) {
			t.Errorf("default resolutions %v", got)
		}
		if err := w.svc.SetResolutions(ctx, w.agent, []string{"fixed"}); desk.ErrorCode(err) != desk.Forbidden {
			t.Errorf("an agent sets the resolutions: %v", err)
		}
		if err := w.svc.SetResolutions(ctx, &desk.Actor{}, []string{"fixed"}); desk.ErrorCode(err) != desk.Unauthenticated {
			t.Errorf("nobody sets the resolutions: %v", err)
		}
		for _, bad := range [][]string{nil, {}, {"  "}, {strings.Repeat("r", desk.MaxShortFieldLen+1)}} {
			if err := w.svc.SetResolutions(ctx, w.sys, bad); desk.ErrorCode(err) != desk.Invalid {
				t.Errorf("resolutions %q: %v, want invalid", bad, err)
			}
		}
		must(t, w.svc.SetResolutions(ctx, w.sys, []string{" fixed ", "explained", "fixed"}))
		got, err = w.svc.Resolutions(ctx)
		must(t, err)
		if want := []string{"fixed", "explained", "no_reply"}; !slices.Equal(got, want) {
			t.Errorf("resolutions %v, want %v", got, want)
		}
		tk := w.open(t, "To close")
		_, err = w.svc.Transition(ctx, w.agent, tk.ID, desk.TransitionInput{Action: desk.ProposeClosing, Resolution: "answered"})
		if e, ok := desk.AsError(err); !ok || e.Code != desk.Invalid || e.Field != "resolution" || !strings.Contains(e.Message, "explained") {
			t.Errorf("a resolution no longer in the list: %v", err)
		}
		tk, err = w.svc.Transition(ctx, w.agent, tk.ID, desk.TransitionInput{Action: desk.ProposeClosing, Resolution: "explained"})
		must(t, err)
		if tk.Status != desk.ToClose || tk.Resolution != "explained" {
			t.Errorf("ticket %s with resolution %q", tk.Status, tk.Resolution)
		}
	})
}

// TestAutomaticActions checks that nobody takes by hand what only happens by
// itself, not even the command line's operator.
func TestAutomaticActions(t *testing.T) {
	st := storetest.OpenSQLite(t)
	w := newWorld(t, st)
	ctx := context.Background()
	tk := w.open(t, "Automatic")
	_, err := w.svc.Transition(ctx, w.agent, tk.ID, desk.TransitionInput{Action: desk.AwaitClient})
	must(t, err)
	for _, a := range []*desk.Actor{w.sys, w.agent, w.contact} {
		for _, act := range []desk.Action{desk.ResumeOnComment, desk.Deliver, desk.TimeOut} {
			if _, err := w.svc.Transition(ctx, a, tk.ID, desk.TransitionInput{Action: act}); desk.ErrorCode(err) != desk.Conflict {
				t.Errorf("user %d takes %s: %v, want a conflict", a.UserID, act, err)
			}
		}
	}
	got, err := w.svc.Ticket(ctx, w.agent, tk.ID)
	must(t, err)
	if got.Status != desk.AwaitingClient {
		t.Errorf("status %s", got.Status)
	}
}
