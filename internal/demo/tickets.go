package demo

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"slices"
	"time"

	"guichet/internal/app"
	"guichet/internal/desk"
)

// BaseDate is the present of the generated history: tickets were opened during
// the HistoryYears before it, and nothing happened after it. It is fixed, so
// that a seed always gives the same data.
var BaseDate = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

// HistoryYears is how far back the generated history goes.
const HistoryYears = 4

// Bulk is what Tickets needs from the store: writing rows as they are, ids
// included, many at a time, then putting the counters right.
// (*sqlstore.Bulk) is one.
type Bulk interface {
	// Tickets writes a batch in one transaction: tickets, then their comments,
	// attachments, sealed events and timers, which refer to each other by the
	// ids they carry.
	Tickets(ctx context.Context, tickets []desk.Ticket, comments []desk.Comment, attachments []desk.Attachment,
		events []desk.Event, timers []app.TimerUpdate) error
	// Finish moves the space counters and id sequences past the rows written and
	// refreshes the planner's statistics.
	Finish(ctx context.Context) error
}

// Options says how many tickets Tickets generates and how.
type Options struct {
	Tickets int
	// Seed chooses the data: the same seed on the same installation gives the
	// same tickets, comments, attachments and events, byte for byte.
	Seed uint64
	// Progress receives a progress report (nil: none); Terminal redraws it on one
	// line, for a terminal.
	Progress io.Writer
	Terminal bool
	// BatchSize is how many tickets go in one transaction (default 1,000: about
	// 19,000 rows with their comments, attachments and events).
	BatchSize int
}

// Summary counts what Tickets wrote.
type Summary struct {
	Tickets, Comments, Attachments, Events int
	Elapsed                                time.Duration
}

// Tickets fills the demo installation with generated tickets: French and English
// support requests about a software suite, of every nature and status (most of
// them closed, as in a support desk that has run for years), with comments
// public and private, attachments and each ticket's history, hash-chained as the
// use cases write it. It first adds the demo team (more agents, engineers and
// client contacts, all with the demo password) so that the work is shared out.
// The database must hold the demo installation (Seed) and no ticket yet.
func Tickets(ctx context.Context, svc *app.Service, bulk Bulk, o Options) (*Summary, error) {
	if o.Tickets <= 0 {
		return nil, desk.FieldError("tickets", "must be at least 1")
	}
	if o.BatchSize <= 0 {
		o.BatchSize = 1000
	}
	store := svc.Store()
	some, err := store.ListTickets(ctx, desk.TicketScope{All: true}, app.TicketFilter{Sort: app.SortNumber, Limit: 1})
	if err != nil {
		return nil, err
	}
	if len(some) > 0 {
		return nil, desk.Errorf(desk.Conflict, "the database already holds tickets; generated tickets go only into a fresh demo installation")
	}
	if err := addTeam(ctx, svc); err != nil {
		return nil, err
	}
	c, err := loadCast(ctx, svc)
	if err != nil {
		return nil, err
	}
	diag, others := demoFiles()
	for _, f := range slices.Concat(diag, others) {
		if err := store.PutBlob(ctx, f.sha256, int64(len(f.data)), bytes.NewReader(f.data)); err != nil {
			return nil, fmt.Errorf("demo: store %s: %w", f.name, err)
		}
	}
	g := newGenerator(o.Seed, c, diag, others, o.Tickets)
	planner := svc.TimerPlanner()

	started := time.Now()
	prog := newProgress(o.Progress, o.Terminal, o.Tickets, nil)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// The generator runs one batch ahead of the writer, on the other core.
	full := make(chan *batch, 1)
	free := make(chan *batch, 2)
	free <- &batch{}
	free <- &batch{}
	go func() {
		defer close(full)
		for first := 0; first < o.Tickets; first += o.BatchSize {
			var b *batch
			select {
			case b = <-free:
			case <-ctx.Done():
				return
			}
			b.reset()
			g.fill(b, first, min(o.BatchSize, o.Tickets-first))
			b.err = b.freeze(ctx, planner)
			select {
			case full <- b:
			case <-ctx.Done():
				return
			}
		}
	}()
	sum := &Summary{}
	prog.update(0, 0)
	for b := range full {
		err := b.err
		if err == nil {
			err = bulk.Tickets(ctx, b.tickets, b.comments, b.attachments, b.events, b.timers)
		}
		if err != nil {
			cancel()
			for range full {
			}
			return nil, fmt.Errorf("demo: write tickets %d to %d: %w", sum.Tickets+1, sum.Tickets+len(b.tickets), err)
		}
		sum.Tickets += len(b.tickets)
		sum.Comments += len(b.comments)
		sum.Attachments += len(b.attachments)
		sum.Events += len(b.events)
		prog.update(sum.Tickets, sum.Comments)
		free <- b
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := bulk.Finish(ctx); err != nil {
		return nil, err
	}
	sum.Elapsed = time.Since(started)
	return sum, nil
}

// batch is the rows of a run of tickets.
type batch struct {
	tickets     []desk.Ticket
	comments    []desk.Comment
	attachments []desk.Attachment
	events      []desk.Event
	timers      []app.TimerUpdate // of the closed tickets
	err         error             // planning the timers failed
}

func (b *batch) reset() {
	clear(b.tickets)
	clear(b.comments)
	clear(b.attachments)
	clear(b.events)
	clear(b.timers)
	b.tickets, b.comments, b.attachments, b.events = b.tickets[:0], b.comments[:0], b.attachments[:0], b.events[:0]
	b.timers, b.err = b.timers[:0], nil
}

// freeze gives each closed ticket of the batch the final figures the use cases
// keep when a ticket closes, computed from its log under its space's contract,
// so that reading one is what it is on a base that closed its tickets itself.
// The tickets left open get their timers when the server starts (the sweep
// catches them up).
func (b *batch) freeze(ctx context.Context, p *app.TimerPlanner) error {
	events := b.events
	for i := range b.tickets {
		t := &b.tickets[i]
		n := 0
		for n < len(events) && events[n].TicketID == t.ID {
			n++
		}
		log := events[:n]
		events = events[n:]
		if t.Status != desk.Closed {
			continue
		}
		u, err := p.Plan(ctx, t, log, BaseDate)
		if err != nil {
			return fmt.Errorf("demo: the figures of ticket %d: %w", t.ID, err)
		}
		b.timers = append(b.timers, u)
	}
	return nil
}

// person is a user the generator makes act.
type person struct {
	id   int64
	name string
}

// castSpace is a space with who opens tickets in it.
type castSpace struct {
	space    desk.Space
	client   string // the client's name
	contacts []person
	projects []int64
	english  float64 // share of tickets written in English
}

// cast is who takes part in the generated tickets.
type cast struct {
	spaces    []castSpace
	weights   []int // cumulative, by number of contacts
	agents    []person
	engineers []person
	pms       []person
}

// loadCast reads the installation: every space with contacts who may open
// tickets, and provider staff by role.
func loadCast(ctx context.Context, svc *app.Service) (*cast, error) {
	store := svc.Store()
	c := &cast{}
	prov, err := store.ProviderOrganisation(ctx)
	if err != nil {
		return nil, err
	}
	staff, err := allPages(func(p desk.Page) ([]desk.User, error) {
		return store.ListUsers(ctx, app.UserScope{OrgIDs: []int64{prov.ID}}, p)
	}, func(u desk.User) int64 { return u.ID })
	if err != nil {
		return nil, err
	}
	for _, u := range staff {
		a, err := svc.Actor(ctx, u.ID)
		if err != nil {
			continue // disabled
		}
		p := person{u.ID, u.Name}
		switch {
		case a.Has(desk.Agent):
			c.agents = append(c.agents, p)
		case a.Has(desk.Engineer):
			c.engineers = append(c.engineers, p)
		}
		if a.Has(desk.ProductManager) {
			c.pms = append(c.pms, p)
		}
	}
	if len(c.agents) == 0 {
		return nil, desk.Errorf(desk.Conflict, "demo: the installation has no support agent to work on tickets")
	}
	if len(c.engineers) == 0 {
		c.engineers = c.agents
	}
	if len(c.pms) == 0 {
		c.pms = c.agents[:1]
	}
	spaces, err := allPages(func(p desk.Page) ([]desk.Space, error) {
		return store.ListSpaces(ctx, desk.SpaceScope{All: true}, p)
	}, func(s desk.Space) int64 { return s.ID })
	if err != nil {
		return nil, err
	}
	total := 0
	for _, sp := range spaces {
		cs := castSpace{space: sp, english: 0.15}
		org, err := store.Organisation(ctx, sp.ClientID)
		if err != nil {
			return nil, err
		}
		cs.client = org.Name
		members, err := allPages(func(p desk.Page) ([]desk.Membership, error) {
			return store.ListMembers(ctx, sp.ID, p)
		}, func(m desk.Membership) int64 { return m.UserID })
		if err != nil {
			return nil, err
		}
		partners := 0
		for _, m := range members {
			a, err := svc.Actor(ctx, m.UserID)
			if err != nil {
				continue
			}
			if a.OrgKind == desk.Partner {
				partners++
			}
			if a.CanOpenTicket(sp.ID) && !a.Staff() {
				u, err := store.User(ctx, m.UserID)
				if err != nil {
					return nil, err
				}
				cs.contacts = append(cs.contacts, person{u.ID, u.Name})
			}
		}
		if len(cs.contacts) == 0 {
			continue
		}
		if partners > 0 {
			cs.english = 0.5 // a partner's integrators often write in English
		}
		projects, err := store.ListProjects(ctx, sp.ID, desk.Page{Limit: desk.MaxPageSize})
		if err != nil {
			return nil, err
		}
		for _, p := range projects {
			cs.projects = append(cs.projects, p.ID)
		}
		c.spaces = append(c.spaces, cs)
		total += len(cs.contacts)
		c.weights = append(c.weights, total)
	}
	if len(c.spaces) == 0 {
		return nil, desk.Errorf(desk.Conflict, "demo: no space has a contact who may open tickets")
	}
	return c, nil
}

// allPages reads every page of a keyset-paginated list.
func allPages[T any](list func(desk.Page) ([]T, error), id func(T) int64) ([]T, error) {
	var all []T
	p := desk.Page{Limit: desk.MaxPageSize}
	for {
		items, err := list(p)
		if err != nil {
			return nil, err
		}
		all = append(all, items...)
		if len(items) < p.Limit {
			return all, nil
		}
		p.After = id(items[len(items)-1])
	}
}

// teamMember is a user addTeam adds when generating tickets.
type teamMember struct {
	email, name string
	roles       []desk.Role
	client      string   // "" for the provider, else the client's organisation name
	spaces      []string // keys of the spaces they join
}

// team are the agents, engineers and client contacts that make the generated
// tickets look like a desk of a few people serving several clients.
var team = []teamMember{
	{"nadia.martin@vauban.example", "Nadia Martin", []desk.Role{desk.Agent}, "", nil},
	{"olivier.petit@vauban.example", "Olivier Petit", []desk.Role{desk.Agent}, "", nil},
	{"pauline.roux@vauban.example", "Pauline Roux", []desk.Role{desk.Agent}, "", nil},
	{"quentin.garnier@vauban.example", "Quentin Garnier", []desk.Role{desk.Agent}, "", nil},
	{"rachid.benali@vauban.example", "Rachid Benali", []desk.Role{desk.Agent}, "", nil},
	{"sophie.lambert@vauban.example", "Sophie Lambert", []desk.Role{desk.Agent}, "", nil},
	{"thomas.girard@vauban.example", "Thomas Girard", []desk.Role{desk.Agent}, "", nil},
	{"ursula.klein@vauban.example", "Ursula Klein", []desk.Role{desk.Engineer}, "", nil},
	{"victor.blanc@vauban.example", "Victor Blanc", []desk.Role{desk.Engineer}, "", nil},
	{"wendy.morel@acme.example", "Wendy Morel", []desk.Role{desk.Contact}, "Acme Industrie", []string{"ACME"}},
	{"xavier.fabre@acme.example", "Xavier Fabre", []desk.Role{desk.Contact}, "Acme Industrie", []string{"ACME"}},
	{"yasmine.haddad@acme.example", "Yasmine Haddad", []desk.Role{desk.Contact}, "Acme Industrie", []string{"ACME"}},
	{"zoe.marchand@acme.example", "Zoé Marchand", []desk.Role{desk.Contact}, "Acme Industrie", []string{"ACME"}},
	{"antoine.leroy@acme.example", "Antoine Leroy", []desk.Role{desk.Contact}, "Acme Industrie", []string{"ACME", "ACMEX"}},
	{"berenice.colin@bolt.example", "Bérénice Colin", []desk.Role{desk.Contact}, "Bolt Logistique", []string{"BOLT"}},
	{"cedric.vidal@bolt.example", "Cédric Vidal", []desk.Role{desk.Contact}, "Bolt Logistique", []string{"BOLT"}},
	{"delphine.caron@bolt.example", "Delphine Caron", []desk.Role{desk.Contact}, "Bolt Logistique", []string{"BOLT"}},
	{"etienne.lucas@bolt.example", "Étienne Lucas", []desk.Role{desk.Contact}, "Bolt Logistique", []string{"BOLT"}},
}

// addTeam adds the team's users who are missing, through the use cases.
func addTeam(ctx context.Context, svc *app.Service) error {
	store := svc.Store()
	sys := desk.System()
	orgs, err := allPages(func(p desk.Page) ([]desk.Organisation, error) {
		return store.ListOrganisations(ctx, desk.OrgScope{All: true}, p)
	}, func(o desk.Organisation) int64 { return o.ID })
	if err != nil {
		return err
	}
	spaces, err := allPages(func(p desk.Page) ([]desk.Space, error) {
		return store.ListSpaces(ctx, desk.SpaceScope{All: true}, p)
	}, func(s desk.Space) int64 { return s.ID })
	if err != nil {
		return err
	}
	for _, m := range team {
		if _, _, err := store.UserByEmail(ctx, m.email); err == nil {
			continue
		} else if desk.ErrorCode(err) != desk.NotFound {
			return err
		}
		orgID := int64(0)
		for _, o := range orgs {
			if (m.client == "" && o.Kind == desk.Provider) || (m.client != "" && o.Name == m.client) {
				orgID = o.ID
			}
		}
		if orgID == 0 {
			continue // not the demo installation: its own people will do
		}
		u, err := svc.CreateUser(ctx, sys, app.NewUser{OrgID: orgID, Email: m.email, Name: m.name, Locale: "fr",
			Password: Password, Roles: m.roles})
		if err != nil {
			return fmt.Errorf("demo: user %s: %w", m.email, err)
		}
		for _, key := range m.spaces {
			for _, sp := range spaces {
				if sp.Key == key {
					if _, err := svc.AddMember(ctx, sys, sp.ID, u.ID, ""); err != nil {
						return fmt.Errorf("demo: membership of %s: %w", m.email, err)
					}
				}
			}
		}
	}
	return nil
}
