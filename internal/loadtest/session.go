package loadtest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// This file is the realistic load: demo users signed in, clients opening and
// following their tickets, agents working the queue. Every operation goes through
// the public JSON API with an API token the user created after signing in, as an
// integration or the web pages would.

// Role says which side of the desk an account works on.
type Role string

// The roles of a session load.
const (
	// ClientRole opens tickets, reads and comments on them.
	ClientRole Role = "client"
	// ReaderRole sees a client's tickets but may not write (a partner).
	ReaderRole Role = "reader"
	// AgentRole is provider staff: it works the queue.
	AgentRole Role = "agent"
)

// Account is a user a session load signs in as.
type Account struct {
	Email string
	Role  Role
}

// DemoAccounts are the demo installation's users a session load signs in as:
// contacts of both clients, an animator, a trained partner, an agent and an
// engineer. Their password is the demo password.
var DemoAccounts = []Account{
	{"contact@acme.example", ClientRole},
	{"animator@acme.example", ClientRole},
	{"contact@bolt.example", ClientRole},
	{"partner@integra.example", ReaderRole},
	{"agent@vauban.example", AgentRole},
	{"engineer@vauban.example", AgentRole},
}

// A SessionOp is one operation of the session mix.
type SessionOp struct {
	Name   string
	Weight int
	What   string // for --help
	do     func(w *worker, ctx context.Context) error
}

// SessionOps are the operations of the default mix, with their weights: what
// clients and agents do in a day, reads well ahead of writes.
var SessionOps = []SessionOp{
	{"client-list", 10, "a client lists their tickets (20, by criticality)", (*worker).clientList},
	{"client-read", 12, "a client reads a ticket and its first 50 comments, in one request", (*worker).clientRead},
	{"create", 4, "a client opens a ticket", (*worker).create},
	{"client-comment", 6, "a client comments on one of their tickets that is not closed", (*worker).clientComment},
	{"queue", 20, "an agent reads a page of 50 of the queue, with a filter and a sort", (*worker).queue},
	{"agent-read", 14, "an agent reads a ticket, its first 50 comments and its history, in one request", (*worker).agentRead},
	{"search", 5, "an agent searches the titles for a word", (*worker).search},
	{"answer", 8, "an agent answers a ticket publicly", (*worker).answer},
	{"note", 5, "an agent writes a private comment", (*worker).note},
	{"transition", 6, "an agent awaits the client or a delivery, or proposes closing, on an open ticket", (*worker).transition},
	{"assign", 6, "an agent assigns a ticket that is not closed to a member of staff", (*worker).assign},
}

// ParseMix reads a mix such as "create=1" or "queue=5,agent-read=2": the named
// operations with their weights, the others left out. An empty text is the
// default mix.
func ParseMix(text string) ([]SessionOp, error) {
	if strings.TrimSpace(text) == "" {
		return SessionOps, nil
	}
	var out []SessionOp
	for _, part := range strings.Split(text, ",") {
		name, weight, found := strings.Cut(strings.TrimSpace(part), "=")
		n, err := strconv.Atoi(weight)
		if !found || err != nil || n < 1 {
			return nil, fmt.Errorf("%q: write name=weight, a whole number of 1 or more", part)
		}
		i := slices.IndexFunc(SessionOps, func(op SessionOp) bool { return op.Name == name })
		if i < 0 {
			return nil, fmt.Errorf("%q: no such operation; the operations are %s", name, opNames())
		}
		if slices.ContainsFunc(out, func(op SessionOp) bool { return op.Name == name }) {
			return nil, fmt.Errorf("%q is named twice", name)
		}
		op := SessionOps[i]
		op.Weight = n
		out = append(out, op)
	}
	return out, nil
}

func opNames() string {
	var names []string
	for _, op := range SessionOps {
		names = append(names, op.Name)
	}
	return strings.Join(names, ", ")
}

// user is an account signed in, with what it found when it looked around.
type user struct {
	Account
	id      int64
	tokenID int64
	c       *Client // carries the user's token
	spaces  []int64 // spaces the user sees
	active  []int64 // tickets the user sees that are not closed
	visible []int64 // tickets the user sees, closed or not
	open    []int64 // agents: open tickets, for transitions
	staff   []int64 // agents: staff to assign tickets to
}

// A Desk is a session load ready to run: its users are signed in and know some
// tickets. Close it to revoke the tokens it created.
type Desk struct {
	c                       *Client
	readers, writers, staff []*user
	ops                     []SessionOp
	users                   int
}

// maxKnown bounds the tickets each user keeps in mind, of each kind.
const maxKnown = 1000

// Prepare signs accounts in with password, creates an API token for each, and
// lists what each one sees, for a load of ops at users concurrent users. Every
// operation of ops must have an account of its role.
func Prepare(ctx context.Context, c *Client, accounts []Account, password string, ops []SessionOp, users int) (*Desk, error) {
	d := &Desk{c: c, ops: ops, users: max(users, 1)}
	for _, a := range accounts {
		u, err := d.signIn(ctx, a, password)
		if err != nil {
			d.Close(ctx)
			return nil, err
		}
		switch a.Role {
		case AgentRole:
			d.staff = append(d.staff, u)
		case ClientRole:
			d.writers = append(d.writers, u)
			d.readers = append(d.readers, u)
		case ReaderRole:
			d.readers = append(d.readers, u)
		}
	}
	for _, op := range ops {
		if need := op.role(); len(d.accounts(need)) == 0 {
			d.Close(ctx)
			return nil, fmt.Errorf("operation %s needs an account of role %s", op.Name, need)
		}
	}
	if err := d.lookAround(ctx); err != nil {
		d.Close(ctx)
		return nil, err
	}
	return d, nil
}

func (op SessionOp) role() Role {
	switch op.Name {
	case "client-list", "client-read":
		return ReaderRole
	case "create", "client-comment":
		return ClientRole
	}
	return AgentRole
}

func (d *Desk) accounts(r Role) []*user {
	switch r {
	case ReaderRole:
		return d.readers
	case ClientRole:
		return d.writers
	}
	return d.staff
}

// signIn signs in through the login form, then creates an API token with the
// session, as a user who sets up an integration would.
func (d *Desk) signIn(ctx context.Context, a Account, password string) (*user, error) {
	s := d.c.withJar()
	if err := s.Login(ctx, a.Email, password); err != nil {
		return nil, err
	}
	var tok struct {
		ID     int64  `json:"id"`
		UserID int64  `json:"user_id"`
		Secret string `json:"secret"`
	}
	if err := s.Send(ctx, "POST", "/api/v1/tokens", map[string]any{"name": "guichet bench", "expires_in_days": 1},
		http.StatusCreated, &tok); err != nil {
		return nil, fmt.Errorf("token for %s: %w", a.Email, err)
	}
	s.http.CloseIdleConnections()
	return &user{Account: a, id: tok.UserID, tokenID: tok.ID, c: d.c.as(tok.Secret)}, nil
}

// Close revokes the tokens the desk created.
func (d *Desk) Close(ctx context.Context) {
	for _, u := range slices.Concat(d.readers, d.staff) {
		_ = u.c.Send(ctx, "DELETE", "/api/v1/tokens/"+strconv.FormatInt(u.tokenID, 10), nil, http.StatusNoContent, nil)
	}
}

// ticketList is one page of the ticket list.
type ticketList struct {
	Items []struct {
		ID      int64  `json:"id"`
		SpaceID int64  `json:"space_id"`
		Status  string `json:"status"`
	} `json:"items"`
	NextCursor string `json:"next_cursor"`
}

// notClosed are the statuses of tickets that can still change.
const notClosed = "open,awaiting_client,awaiting_rd_decision,awaiting_delivery,to_close"

// ids lists up to n tickets from the list at path (a query string without limit
// nor cursor), following cursors.
func ids(ctx context.Context, c *Client, path string, n int) ([]int64, error) {
	var out []int64
	cursor := ""
	for len(out) < n {
		p := path + "&limit=200"
		if cursor != "" {
			p += "&cursor=" + url.QueryEscape(cursor)
		}
		var page ticketList
		if err := c.Send(ctx, "GET", p, nil, http.StatusOK, &page); err != nil {
			return nil, err
		}
		for _, t := range page.Items {
			out = append(out, t.ID)
		}
		if cursor = page.NextCursor; cursor == "" {
			break
		}
	}
	return out[:min(len(out), n)], nil
}

// lookAround lists, for each user, the spaces and tickets it sees.
func (d *Desk) lookAround(ctx context.Context) error {
	var spaces struct {
		Items []struct {
			ID int64 `json:"id"`
		} `json:"items"`
	}
	var staffIDs []int64
	for _, u := range d.staff {
		staffIDs = append(staffIDs, u.id)
	}
	for _, u := range slices.Concat(d.readers, d.staff) {
		if err := u.c.Send(ctx, "GET", "/api/v1/spaces?limit=200", nil, http.StatusOK, &spaces); err != nil {
			return err
		}
		u.spaces = u.spaces[:0]
		for _, sp := range spaces.Items {
			u.spaces = append(u.spaces, sp.ID)
		}
		var err error
		// One page of the latest changes: further pages of that order are slow on
		// a large base for a client, and the point here is only to know tickets.
		if u.visible, err = ids(ctx, u.c, "/api/v1/tickets?sort=updated&order=desc", 200); err != nil {
			return err
		}
		if u.active, err = ids(ctx, u.c, "/api/v1/tickets?sort=created&order=desc&status="+notClosed, maxKnown); err != nil {
			return err
		}
		if u.Role == AgentRole {
			u.staff = staffIDs
			if u.open, err = ids(ctx, u.c, "/api/v1/tickets?sort=created&order=desc&status=open", 10*maxKnown); err != nil {
				return err
			}
		}
	}
	return nil
}

// Run runs the desk's mix as o says (o.Concurrency is the number of users).
func (d *Desk) Run(ctx context.Context, o Options) (*Report, error) {
	names, weights := make([]string, len(d.ops)), make([]int, len(d.ops))
	for i, op := range d.ops {
		names[i], weights[i] = op.Name, op.Weight
	}
	var openShares [][]int64
	if len(d.staff) > 0 {
		openShares = share(d.staff[0].open, o.Concurrency)
	}
	// run calls this once per worker, one after the other, before they start.
	return run(ctx, names, weights, o, func(n int) func(context.Context, int) error {
		w := &worker{n: n, users: o.Concurrency, rng: rand.New(rand.NewPCG(o.Seed^0x5e55, uint64(n)))}
		if len(d.readers) > 0 {
			w.reader = d.readers[n%len(d.readers)].copy()
		}
		if len(d.writers) > 0 {
			w.writer = d.writers[n%len(d.writers)].copy()
		}
		if len(d.staff) > 0 {
			w.agent = d.staff[n%len(d.staff)].copy()
			w.agent.open = openShares[n]
		}
		return func(ctx context.Context, i int) error { return d.ops[i].do(w, ctx) }
	})
}

// share deals ids out to n workers, so that no two of them act on one ticket.
func share(ids []int64, n int) [][]int64 {
	out := make([][]int64, n)
	for i, id := range ids {
		out[i%n] = append(out[i%n], id)
	}
	return out
}

// copy returns a user whose lists the worker may change alone.
func (u *user) copy() *user {
	c := *u
	c.active, c.visible, c.open = slices.Clone(u.active), slices.Clone(u.visible), slices.Clone(u.open)
	return &c
}

// worker is one simulated person at a time: the reader, writer and agent it acts
// as depend on the operation.
type worker struct {
	n, users              int
	rng                   *rand.Rand
	reader, writer, agent *user
	created               int
}

func pick[T any](rng *rand.Rand, list []T) T {
	return list[rng.IntN(len(list))]
}

func id(n int64) string { return strconv.FormatInt(n, 10) }

func (w *worker) clientList(ctx context.Context) error {
	p := "/api/v1/tickets?limit=20"
	if w.rng.IntN(2) == 0 {
		p += "&status=open,awaiting_client,to_close"
	}
	return w.reader.c.Get(ctx, p)
}

func (w *worker) clientRead(ctx context.Context) error {
	if len(w.reader.visible) == 0 {
		return ErrNothingToDo
	}
	return w.reader.c.Get(ctx, "/api/v1/tickets/"+id(pick(w.rng, w.reader.visible))+"?include=comments&limit=50")
}

var (
	titles = []string{"L'extranet ne répond plus après la mise à jour", "Import CSV des commandes refusé",
		"SSO : boucle de redirection à la connexion", "Lenteur sur la recherche des factures",
		"Erreur 500 à l'export PDF", "Export comptable incomplet", "Ajouter un filtre par date au tableau de bord",
		"Question sur la facturation des options"}
	bodies = []string{"Bonjour,\n\nle problème se reproduit **chaque matin** vers 9 h. Pouvez-vous regarder ?",
		"Merci, c'est corrigé de notre côté après application du correctif.",
		"Voici le détail :\n\n1. ouvrir le module\n2. lancer l'export\n3. l'erreur s'affiche\n\n`ERR-4012`",
		"Can you send us the `status.xml` of the server and the time of the last failure?",
		"We reproduced it on version 4.2; a patch is being prepared.",
		"Nous avons relancé le traitement ; merci de confirmer que les données sont à jour."}
	notes = []string{"Vu avec R&D : même cause que le ticket de la semaine dernière.",
		"Client sensible, contrat renouvelé en mars : répondre vite.", "Patch 4.2.3 à proposer."}
	words = []string{"extranet", "import", "sso", "lenteur", "erreur", "export", "facturation", "pdf", "connexion"}
)

func (w *worker) create(ctx context.Context) error {
	u := w.writer
	if len(u.spaces) == 0 {
		return ErrNothingToDo
	}
	w.created++
	in := map[string]any{
		"title":       fmt.Sprintf("%s (%d-%d)", pick(w.rng, titles), w.n, w.created),
		"nature":      pick(w.rng, []string{"question", "question", "evolution"}),
		"criticality": pick(w.rng, []string{"minor", "annoying", "annoying", "serious"}),
		"description": pick(w.rng, bodies),
	}
	var t struct {
		ID int64 `json:"id"`
	}
	if err := u.c.Send(ctx, "POST", "/api/v1/spaces/"+id(pick(w.rng, u.spaces))+"/tickets", in, http.StatusCreated, &t); err != nil {
		return err
	}
	u.active = append(u.active, t.ID)
	return nil
}

func (w *worker) comment(ctx context.Context, u *user, private bool) error {
	if len(u.active) == 0 {
		return ErrNothingToDo
	}
	body := pick(w.rng, bodies)
	if private {
		body = pick(w.rng, notes)
	}
	return u.c.Send(ctx, "POST", "/api/v1/tickets/"+id(pick(w.rng, u.active))+"/comments",
		map[string]any{"body": body, "private": private}, http.StatusCreated, nil)
}

func (w *worker) clientComment(ctx context.Context) error { return w.comment(ctx, w.writer, false) }
func (w *worker) answer(ctx context.Context) error        { return w.comment(ctx, w.agent, false) }
func (w *worker) note(ctx context.Context) error          { return w.comment(ctx, w.agent, true) }

func (w *worker) queue(ctx context.Context) error {
	a := w.agent
	q := url.Values{"limit": {"50"}}
	switch n := w.rng.IntN(10); {
	case n < 5:
		q.Set("status", "open")
	case n < 8:
		q.Set("status", notClosed)
	}
	switch n := w.rng.IntN(20); {
	case n < 5:
		q.Set("assignee_id", id(pick(w.rng, a.staff)))
	case n < 8 && len(a.spaces) > 0:
		q.Set("space_id", id(pick(w.rng, a.spaces)))
	case n < 10:
		q.Set("nature", pick(w.rng, []string{"anomaly", "evolution", "question", "security"}))
	case n < 12:
		q.Set("criticality", pick(w.rng, []string{"blocking", "serious", "annoying", "minor"}))
	case n < 14:
		q.Set("priority", strconv.Itoa(1+w.rng.IntN(4)))
	}
	switch n := w.rng.IntN(10); {
	case n < 7:
		q.Set("sort", "priority")
	case n < 8:
		q.Set("sort", "criticality")
	case n < 9:
		q.Set("sort", "updated")
		q.Set("order", "desc")
	default:
		q.Set("sort", "created")
		q.Set("order", "desc")
	}
	return a.c.Get(ctx, "/api/v1/tickets?"+q.Encode())
}

func (w *worker) agentRead(ctx context.Context) error {
	a := w.agent
	list := a.visible
	if w.rng.IntN(2) == 0 && len(a.active) > 0 {
		list = a.active
	}
	if len(list) == 0 {
		return ErrNothingToDo
	}
	return a.c.Get(ctx, "/api/v1/tickets/"+id(pick(w.rng, list))+"?include=comments,events&limit=50")
}

func (w *worker) search(ctx context.Context) error {
	return w.agent.c.Get(ctx, "/api/v1/tickets?limit=20&q="+url.QueryEscape(pick(w.rng, words)))
}

func (w *worker) assign(ctx context.Context) error {
	a := w.agent
	if len(a.active) == 0 {
		return ErrNothingToDo
	}
	return a.c.Send(ctx, "PUT", "/api/v1/tickets/"+id(pick(w.rng, a.active))+"/assignment",
		map[string]any{"assignee_id": pick(w.rng, a.staff)}, http.StatusOK, nil)
}

// transitionInputs are the actions provider staff may take on any open ticket,
// with what each needs (submitting to R&D is for evolutions only).
var transitionInputs = []map[string]any{
	{"action": "await_client", "reason": "waiting for the client's logs"},
	{"action": "propose_closing", "resolution": "answered"},
	{"action": "await_delivery", "rd_issue": "RD-4812"},
}

// transition takes one of those actions on one of the worker's open tickets, as
// an agent does from the ticket's page (reading it is agent-read's part). The
// worker's share of open tickets is its own, so no other worker moves them
// meanwhile; the ticket leaves the share whatever the answer.
func (w *worker) transition(ctx context.Context) error {
	a := w.agent
	if len(a.open) == 0 {
		return ErrNothingToDo
	}
	i := w.rng.IntN(len(a.open))
	path := "/api/v1/tickets/" + id(a.open[i]) + "/transitions"
	a.open = slices.Delete(a.open, i, i+1)
	return a.c.Send(ctx, "POST", path, pick(w.rng, transitionInputs), http.StatusOK, nil)
}
