package transfer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"guichet/internal/app"
	"guichet/internal/desk"
)

// Counts says how many records of each type an import wrote or an export read.
type Counts struct {
	Organisations int
	Users         int
	Spaces        int
	Projects      int
	Memberships   int
	Tickets       int
	Comments      int
	Likes         int
	Events        int
	// ImportedEvents counts the "imported" events an import added to the tickets
	// that came without any event, so that every history has a first link.
	ImportedEvents int
}

// String lists the counts, one type per line.
func (c Counts) String() string {
	var b strings.Builder
	for _, x := range []struct {
		name string
		n    int
	}{{"organisations", c.Organisations}, {"users", c.Users}, {"spaces", c.Spaces}, {"projects", c.Projects},
		{"memberships", c.Memberships}, {"tickets", c.Tickets}, {"comments", c.Comments}, {"likes", c.Likes},
		{"events", c.Events}} {
		fmt.Fprintf(&b, "%-14s %d\n", x.name, x.n)
	}
	if c.ImportedEvents > 0 {
		fmt.Fprintf(&b, "  (%d of them \"imported\": the first event of a ticket that came without any)\n", c.ImportedEvents)
	}
	return b.String()
}

func (c *Counts) add(rec record) {
	switch r := rec.(type) {
	case *Organisation:
		c.Organisations++
	case *User:
		c.Users++
	case *Space:
		c.Spaces++
	case *Project:
		c.Projects++
	case *Membership:
		c.Memberships++
	case *Ticket:
		c.Tickets++
	case *Comment:
		c.Comments++
		c.Likes += len(r.Likes)
	case *Event:
		c.Events++
	}
}

// ErrEmpty is the error of a file that holds no record.
var ErrEmpty = errors.New("the file holds no records: nothing to import")

// Import reads a file in the import format twice: first it checks every line,
// against the lines before it and the database, and refuses the whole file with
// an *InvalidFileError listing the problems if any line is wrong; then it writes
// every record in one transaction. Nothing is written unless everything is.
func Import(ctx context.Context, st app.TransferStore, r io.ReadSeeker) (Counts, error) {
	v, err := newValidator(ctx, st)
	if err != nil {
		return Counts{}, err
	}
	err = scan(ctx, r, func(line int, rec record, p problems) error {
		if len(p) > 0 {
			v.errs.addAll(line, p)
			v.declare(line, rec)
			return nil
		}
		return v.check(line, rec)
	})
	if err != nil {
		return Counts{}, err
	}
	if err := v.errs.err(); err != nil {
		return Counts{}, err
	}
	if v.records == 0 {
		return Counts{}, ErrEmpty
	}
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return Counts{}, fmt.Errorf("read the file again: %w", err)
	}
	var counts Counts
	err = st.InTransferTx(ctx, func(q app.TransferQueries) error {
		w, err := newWriter(ctx, q)
		if err != nil {
			return err
		}
		err = scan(ctx, r, func(line int, rec record, p problems) error {
			if len(p) > 0 {
				return fmt.Errorf("line %d: the file changed while it was imported", line)
			}
			if err := w.write(rec); err != nil {
				return fmt.Errorf("line %d: %w", line, err)
			}
			return nil
		})
		if err != nil {
			return err
		}
		if err := w.finish(); err != nil {
			return err
		}
		counts = w.counts
		return nil
	})
	if err != nil {
		return Counts{}, err
	}
	return counts, nil
}

// scan parses every line of r and calls fn with each record, or with the
// problems of a line that is not one. Blank lines are skipped.
func scan(ctx context.Context, r io.Reader, fn func(line int, rec record, p problems) error) error {
	lr := newLineReader(r)
	for {
		if lr.n%1000 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		b, tooLong, err := lr.next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read line %d: %w", lr.n+1, err)
		}
		if tooLong {
			if err := fn(lr.n, nil, problems{{"", fmt.Sprintf("longer than %d MiB", MaxLineBytes>>20)}}); err != nil {
				return err
			}
			continue
		}
		rec, p := parseLine(b)
		if rec == nil && len(p) == 0 {
			continue
		}
		if err := fn(lr.n, rec, p); err != nil {
			return err
		}
	}
}

// wBlock is the ticket whose comments and events are being written.
type wBlock struct {
	t        *desk.Ticket
	ref      string
	space    string
	comments map[string]int64 // by key
	n        int
	last     *desk.Event
}

// writer writes checked records inside one transaction, keeping the ids of what
// it wrote or looked up by natural key.
type writer struct {
	ctx    context.Context
	q      app.TransferQueries
	orgs   map[orgKey]int64
	users  map[string]int64
	spaces map[string]*desk.Space
	// projects holds the projects of the spaces in loaded, by space key and name.
	projects map[projectKey]int64
	loaded   map[string]bool
	maxNum   map[int64]int64 // highest ticket number written, by space id
	block    *wBlock
	counts   Counts
}

func newWriter(ctx context.Context, q app.TransferQueries) (*writer, error) {
	w := &writer{ctx: ctx, q: q, orgs: map[orgKey]int64{}, users: map[string]int64{},
		spaces: map[string]*desk.Space{}, projects: map[projectKey]int64{}, loaded: map[string]bool{},
		maxNum: map[int64]int64{}}
	for p := (desk.Page{Limit: desk.MaxPageSize}); ; {
		list, err := q.ListOrganisations(ctx, desk.OrgScope{All: true}, p)
		if err != nil {
			return nil, err
		}
		for _, o := range list {
			w.orgs[orgKey{o.Kind, o.Name}] = o.ID
		}
		if len(list) < p.Limit {
			break
		}
		p.After = list[len(list)-1].ID
	}
	for p := (desk.Page{Limit: desk.MaxPageSize}); ; {
		list, err := q.ListSpaces(ctx, desk.SpaceScope{All: true}, p)
		if err != nil {
			return nil, err
		}
		for i := range list {
			w.spaces[list[i].Key] = &list[i]
		}
		if len(list) < p.Limit {
			break
		}
		p.After = list[len(list)-1].ID
	}
	return w, nil
}

// user returns the id of a user of the file or the database.
func (w *writer) user(email string) (int64, error) {
	if id, ok := w.users[email]; ok {
		return id, nil
	}
	u, _, err := w.q.UserByEmail(w.ctx, email)
	if err != nil {
		return 0, fmt.Errorf("user %s: %w", email, err)
	}
	w.users[email] = u.ID
	return u.ID, nil
}

func (w *writer) nullUser(email *string) (int64, error) {
	if email == nil {
		return 0, nil
	}
	return w.user(*email)
}

func (w *writer) space(key string) (*desk.Space, error) {
	if sp := w.spaces[key]; sp != nil {
		return sp, nil
	}
	return nil, desk.ErrNotFound("space " + key)
}

func (w *writer) project(space, name string) (int64, error) {
	if !w.loaded[space] {
		w.loaded[space] = true
		sp, err := w.space(space)
		if err != nil {
			return 0, err
		}
		for p := (desk.Page{Limit: desk.MaxPageSize}); ; {
			list, err := w.q.ListProjects(w.ctx, sp.ID, p)
			if err != nil {
				return 0, err
			}
			for _, pr := range list {
				w.projects[projectKey{space, pr.Name}] = pr.ID
			}
			if len(list) < p.Limit {
				break
			}
			p.After = list[len(list)-1].ID
		}
	}
	id, ok := w.projects[projectKey{space, name}]
	if !ok {
		return 0, desk.ErrNotFound("project " + name + " of space " + space)
	}
	return id, nil
}

func (w *writer) write(rec record) error {
	var err error
	switch r := rec.(type) {
	case *Organisation:
		err = w.organisation(r)
	case *User:
		err = w.userRecord(r)
	case *Space:
		err = w.spaceRecord(r)
	case *Project:
		err = w.projectRecord(r)
	case *Membership:
		err = w.membership(r)
	case *Ticket:
		err = w.ticket(r)
	case *Comment:
		err = w.comment(r)
	case *Event:
		err = w.event(r)
	}
	if err == nil {
		w.counts.add(rec)
	}
	return err
}

func (w *writer) organisation(r *Organisation) error {
	o := &desk.Organisation{Kind: r.Kind, Name: r.Name, Trained: r.Trained, TrainedOn: mustNullTime(r.TrainedOn),
		CreatedAt: mustTime(r.CreatedAt)}
	if err := w.q.CreateOrganisation(w.ctx, o); err != nil {
		return err
	}
	w.orgs[orgKey{o.Kind, o.Name}] = o.ID
	return nil
}

func (w *writer) userRecord(r *User) error {
	orgID, ok := w.orgs[orgKey{r.OrgKind, r.Org}]
	if !ok {
		return desk.ErrNotFound("organisation " + r.Org)
	}
	u := &desk.User{OrgID: orgID, Email: r.Email, Name: r.Name, Locale: r.Locale, Disabled: r.Disabled,
		CreatedAt: mustTime(r.CreatedAt), Roles: make([]desk.RoleGrant, len(r.Roles))}
	for i, role := range r.Roles {
		u.Roles[i] = desk.RoleGrant{Role: role}
		if desk.IsClientRole(role) {
			u.Roles[i].ClientID = orgID
		}
	}
	hash := r.PasswordHash
	if hash == "" {
		hash = app.NoPassword
	}
	if err := w.q.CreateUser(w.ctx, u, hash); err != nil {
		return err
	}
	w.users[u.Email] = u.ID
	return nil
}

func (w *writer) spaceRecord(r *Space) error {
	clientID, ok := w.orgs[orgKey{desk.Client, r.Client}]
	if !ok {
		return desk.ErrNotFound("client " + r.Client)
	}
	sp := &desk.Space{ClientID: clientID, Key: r.Key, Name: r.Name, RequireDiagnostic: *r.RequireDiagnostic,
		CreatedAt: mustTime(r.CreatedAt)}
	if err := w.q.CreateSpace(w.ctx, sp); err != nil {
		return err
	}
	w.spaces[sp.Key] = sp
	w.loaded[sp.Key] = true // a new space has no project but those of the file
	return nil
}

func (w *writer) projectRecord(r *Project) error {
	sp, err := w.space(r.Space)
	if err != nil {
		return err
	}
	if _, err := w.project(r.Space, r.Name); err == nil {
		return desk.Errorf(desk.Conflict, "space %s already has a project named %q", r.Space, r.Name)
	}
	p := &desk.Project{SpaceID: sp.ID, Name: r.Name, CreatedAt: mustTime(r.CreatedAt)}
	if err := w.q.CreateProject(w.ctx, p); err != nil {
		return err
	}
	w.projects[projectKey{r.Space, r.Name}] = p.ID
	return nil
}

func (w *writer) membership(r *Membership) error {
	sp, err := w.space(r.Space)
	if err != nil {
		return err
	}
	uid, err := w.user(r.User)
	if err != nil {
		return err
	}
	by, err := w.nullUser(r.AddedBy)
	if err != nil {
		return err
	}
	return w.q.AddMember(w.ctx, &desk.Membership{SpaceID: sp.ID, UserID: uid, AddedBy: by, AddedAt: mustTime(r.AddedAt)})
}

func (w *writer) ticket(r *Ticket) error {
	if err := w.endBlock(); err != nil {
		return err
	}
	key, number, _ := parseRef(r.Ref)
	sp, err := w.space(key)
	if err != nil {
		return err
	}
	t := &desk.Ticket{SpaceID: sp.ID, Number: number, Title: r.Title, Nature: r.Nature, Criticality: r.Criticality,
		Priority: r.Priority, PriorityDisputed: r.PriorityDisputed, Category: r.Category, Keywords: r.Keywords,
		ProductVersion: r.ProductVersion, ModuleVersions: r.ModuleVersions, Description: r.Description,
		LogExcerpt: r.LogExcerpt, Channel: r.Channel, Status: r.Status, Resolution: r.Resolution, RDIssue: r.RDIssue,
		Decision: r.Decision, DecisionNote: r.DecisionNote, TargetVersion: r.TargetVersion, Rating: r.Rating,
		RatingComment: r.RatingComment, CreatedAt: mustTime(r.CreatedAt), UpdatedAt: mustTime(r.UpdatedAt),
		ClosedAt: mustNullTime(r.ClosedAt)}
	if r.Project != nil {
		if t.ProjectID, err = w.project(key, *r.Project); err != nil {
			return err
		}
	}
	if t.AuthorID, err = w.user(r.Author); err != nil {
		return err
	}
	if t.AssigneeID, err = w.nullUser(r.Assignee); err != nil {
		return err
	}
	if t.EngineerID, err = w.nullUser(r.Engineer); err != nil {
		return err
	}
	if err := w.q.CreateTicket(w.ctx, t); err != nil {
		return err
	}
	w.maxNum[sp.ID] = max(w.maxNum[sp.ID], number)
	w.block = &wBlock{t: t, ref: r.Ref, space: key, comments: map[string]int64{}}
	return nil
}

// endBlock finishes the ticket being written: one that came without events gets
// an "imported" event, dated its creation, to begin its history.
func (w *writer) endBlock() error {
	b := w.block
	w.block = nil
	if b == nil || b.last != nil {
		return nil
	}
	if err := w.append(b, 0, b.t.CreatedAt, desk.EvImported, desk.EventData(map[string]string{"ref": b.ref}), false); err != nil {
		return fmt.Errorf("ticket %s: %w", b.ref, err)
	}
	w.counts.Events++
	w.counts.ImportedEvents++
	return nil
}

// append seals an event into the chain of the block's ticket.
func (w *writer) append(b *wBlock, actorID int64, at time.Time, kind desk.EventKind, data json.RawMessage, private bool) error {
	e := &desk.Event{TicketID: b.t.ID, Seq: 1, ActorID: actorID, At: at, Kind: kind, Data: data, Private: private}
	var prev []byte
	if b.last != nil {
		e.Seq, prev = b.last.Seq+1, b.last.Hash
	}
	e.Seal(prev)
	if err := w.q.AppendEvent(w.ctx, e); err != nil {
		return err
	}
	b.last = e
	return nil
}

func (w *writer) current(ref string) (*wBlock, error) {
	if w.block == nil || w.block.ref != ref {
		return nil, desk.Errorf(desk.Invalid, "%s is not the ticket of the lines above", ref)
	}
	return w.block, nil
}

func (w *writer) comment(r *Comment) error {
	b, err := w.current(r.Ticket)
	if err != nil {
		return err
	}
	c := &desk.Comment{TicketID: b.t.ID, Body: r.Body, Private: r.Private, CreatedAt: mustTime(r.CreatedAt)}
	if c.AuthorID, err = w.user(r.Author); err != nil {
		return err
	}
	for _, m := range r.Mentions {
		id, err := w.user(m)
		if err != nil {
			return err
		}
		c.Mentions = append(c.Mentions, id)
	}
	if err := w.q.CreateComment(w.ctx, c); err != nil {
		return err
	}
	for _, l := range r.Likes {
		uid, err := w.user(l.User)
		if err != nil {
			return err
		}
		if err := w.q.LikeComment(w.ctx, c.ID, uid, mustTime(l.At)); err != nil {
			return err
		}
	}
	b.n++
	key := strconv.Itoa(b.n)
	if r.ExternalID != "" {
		key = r.ExternalID
	}
	b.comments[key] = c.ID
	return nil
}

func (w *writer) event(r *Event) error {
	b, err := w.current(r.Ticket)
	if err != nil {
		return err
	}
	actor, err := w.nullUser(r.Actor)
	if err != nil {
		return err
	}
	data, err := translate(r.Data, func(kind refKind, raw json.RawMessage) (json.RawMessage, error) {
		key, none, err := keyOf(kind, raw)
		if err != nil || none {
			return idValue(0), err
		}
		var id int64
		switch kind {
		case refUser:
			id, err = w.user(key)
		case refComment:
			var ok bool
			if id, ok = b.comments[key]; !ok {
				err = desk.ErrNotFound("comment " + key)
			}
		case refProject:
			id, err = w.project(b.space, key)
		}
		return idValue(id), err
	})
	if err != nil {
		return err
	}
	return w.append(b, actor, mustTime(r.At), r.Kind, data, r.Private)
}

// finish ends the last ticket and raises the ticket counter of every space that
// received tickets, so that the next ticket opened there gets a new number.
func (w *writer) finish() error {
	if err := w.endBlock(); err != nil {
		return err
	}
	for spaceID, n := range w.maxNum {
		if err := w.q.RaiseTicketNumber(w.ctx, spaceID, n); err != nil {
			return err
		}
	}
	// Imported tickets come with their history but no timers: the next sweep
	// computes them from their events and fires what fell due since.
	_, err := w.q.ScheduleUntimed(w.ctx)
	return err
}
