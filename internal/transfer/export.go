package transfer

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"

	"guichet/internal/app"
	"guichet/internal/desk"
)

// Export writes every organisation, user (with its password hash), space,
// project, membership, ticket, comment and event of the base to w, in the import
// format and in an order that Import accepts: the parties first, then each ticket
// followed by its comments and its events. It reads one snapshot of the base,
// page by page; it holds in memory only the names of the parties and one ticket's
// comments and events at a time. Events are written without their hashes, which
// an import computes again.
func Export(ctx context.Context, st app.TransferStore, w io.Writer) (Counts, error) {
	bw := bufio.NewWriterSize(w, 256<<10)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	x := &exporter{ctx: ctx, enc: enc, orgs: map[int64]orgKey{}, users: map[int64]string{},
		spaces: map[int64]string{}, projects: map[int64]desk.Project{}}
	err := st.InSnapshot(ctx, func(q app.TransferQueries) error {
		x.q = q
		return x.run()
	})
	if err == nil {
		err = bw.Flush()
	}
	return x.counts, err
}

type exporter struct {
	ctx      context.Context
	q        app.TransferQueries
	enc      *json.Encoder
	orgs     map[int64]orgKey
	users    map[int64]string // email by id
	spaces   map[int64]string // key by id
	spaceIDs []int64
	projects map[int64]desk.Project
	counts   Counts
}

func (x *exporter) write(rec record) error {
	x.counts.add(rec)
	return x.enc.Encode(rec)
}

// pages calls fn with each page of a list read with next, until a short page.
func pages[T any](next func(desk.Page) ([]T, error), after func(T) int64, fn func([]T) error) error {
	p := desk.Page{Limit: desk.MaxPageSize}
	for {
		list, err := next(p)
		if err != nil {
			return err
		}
		if err := fn(list); err != nil {
			return err
		}
		if len(list) < p.Limit {
			return nil
		}
		p.After = after(list[len(list)-1])
	}
}

func (x *exporter) run() error {
	steps := []func() error{x.organisations, x.usersStep, x.spacesStep, x.projectsStep, x.memberships, x.tickets}
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}
	return nil
}

func (x *exporter) organisations() error {
	return pages(func(p desk.Page) ([]desk.Organisation, error) {
		return x.q.ListOrganisations(x.ctx, desk.OrgScope{All: true}, p)
	}, func(o desk.Organisation) int64 { return o.ID }, func(list []desk.Organisation) error {
		for _, o := range list {
			x.orgs[o.ID] = orgKey{o.Kind, o.Name}
			err := x.write(&Organisation{Type: TypeOrganisation, Kind: o.Kind, Name: o.Name, Trained: o.Trained,
				TrainedOn: formatNullTime(o.TrainedOn), CreatedAt: formatTime(o.CreatedAt)})
			if err != nil {
				return err
			}
		}
		return nil
	})
}

func (x *exporter) usersStep() error {
	return pages(func(p desk.Page) ([]desk.User, error) {
		return x.q.ListUsers(x.ctx, app.UserScope{All: true}, p)
	}, func(u desk.User) int64 { return u.ID }, func(list []desk.User) error {
		ids := make([]int64, len(list))
		for i, u := range list {
			ids[i] = u.ID
		}
		hashes, err := x.q.PasswordHashes(x.ctx, ids)
		if err != nil {
			return err
		}
		for _, u := range list {
			org, ok := x.orgs[u.OrgID]
			if !ok {
				return fmt.Errorf("user %s: organisation %d not found", u.Email, u.OrgID)
			}
			x.users[u.ID] = u.Email
			rec := &User{Type: TypeUser, Email: u.Email, Name: u.Name, Org: org.name, OrgKind: org.kind,
				Locale: u.Locale, Roles: make([]desk.Role, 0, len(u.Roles)), Disabled: u.Disabled,
				CreatedAt: formatTime(u.CreatedAt)}
			for _, g := range u.Roles {
				if !contains(rec.Roles, g.Role) {
					rec.Roles = append(rec.Roles, g.Role)
				}
			}
			// Only a hash that could be imported is written: accounts without a
			// usable password stay without one.
			if h := hashes[u.ID]; checkPasswordHash(h) == "" {
				rec.PasswordHash = h
			}
			if err := x.write(rec); err != nil {
				return err
			}
		}
		return nil
	})
}

func (x *exporter) spacesStep() error {
	return pages(func(p desk.Page) ([]desk.Space, error) {
		return x.q.ListSpaces(x.ctx, desk.SpaceScope{All: true}, p)
	}, func(s desk.Space) int64 { return s.ID }, func(list []desk.Space) error {
		for _, s := range list {
			client, ok := x.orgs[s.ClientID]
			if !ok {
				return fmt.Errorf("space %s: organisation %d not found", s.Key, s.ClientID)
			}
			x.spaces[s.ID] = s.Key
			x.spaceIDs = append(x.spaceIDs, s.ID)
			req := s.RequireDiagnostic
			err := x.write(&Space{Type: TypeSpace, Key: s.Key, Name: s.Name, Client: client.name,
				RequireDiagnostic: &req, CreatedAt: formatTime(s.CreatedAt)})
			if err != nil {
				return err
			}
		}
		return nil
	})
}

func (x *exporter) projectsStep() error {
	for _, sid := range x.spaceIDs {
		err := pages(func(p desk.Page) ([]desk.Project, error) {
			return x.q.ListProjects(x.ctx, sid, p)
		}, func(p desk.Project) int64 { return p.ID }, func(list []desk.Project) error {
			for _, p := range list {
				x.projects[p.ID] = p
				err := x.write(&Project{Type: TypeProject, Space: x.spaces[sid], Name: p.Name,
					CreatedAt: formatTime(p.CreatedAt)})
				if err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

func (x *exporter) memberships() error {
	for _, sid := range x.spaceIDs {
		err := pages(func(p desk.Page) ([]desk.Membership, error) {
			return x.q.ListMembers(x.ctx, sid, p)
		}, func(m desk.Membership) int64 { return m.UserID }, func(list []desk.Membership) error {
			for _, m := range list {
				email, err := x.email(m.UserID)
				if err != nil {
					return err
				}
				by, err := x.nullEmail(m.AddedBy)
				if err != nil {
					return err
				}
				err = x.write(&Membership{Type: TypeMembership, Space: x.spaces[sid], User: email, AddedBy: by,
					AddedAt: formatTime(m.AddedAt)})
				if err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

func (x *exporter) email(id int64) (string, error) {
	e, ok := x.users[id]
	if !ok {
		return "", fmt.Errorf("user %d not found", id)
	}
	return e, nil
}

func (x *exporter) nullEmail(id int64) (*string, error) {
	if id <= 0 {
		return nil, nil
	}
	e, err := x.email(id)
	return &e, err
}

func (x *exporter) tickets() error {
	f := app.TicketFilter{Sort: app.SortNumber, Limit: desk.MaxPageSize}
	for {
		list, err := x.q.ListTickets(x.ctx, desk.TicketScope{All: true}, f)
		if err != nil {
			return err
		}
		for i := range list {
			if err := x.ticket(&list[i]); err != nil {
				return err
			}
		}
		if len(list) < f.Limit {
			return nil
		}
		f.After = &app.TicketCursor{ID: list[len(list)-1].ID}
	}
}

func (x *exporter) ticket(t *desk.Ticket) error {
	key, ok := x.spaces[t.SpaceID]
	if !ok {
		return fmt.Errorf("ticket %d: space %d not found", t.ID, t.SpaceID)
	}
	ref := desk.Ref(key, t.Number)
	fail := func(err error) error { return fmt.Errorf("ticket %s: %w", ref, err) }
	rec := &Ticket{Type: TypeTicket, Ref: ref, Title: t.Title, Nature: t.Nature, Criticality: t.Criticality,
		Priority: t.Priority, PriorityDisputed: t.PriorityDisputed, Category: t.Category, Keywords: t.Keywords,
		ProductVersion: t.ProductVersion, ModuleVersions: t.ModuleVersions, Description: t.Description,
		LogExcerpt: t.LogExcerpt, Channel: t.Channel, Status: t.Status, Resolution: t.Resolution,
		RDIssue: t.RDIssue, Decision: t.Decision, DecisionNote: t.DecisionNote, TargetVersion: t.TargetVersion,
		Rating: t.Rating, RatingComment: t.RatingComment, CreatedAt: formatTime(t.CreatedAt),
		UpdatedAt: formatTime(t.UpdatedAt), ClosedAt: formatNullTime(t.ClosedAt)}
	if rec.Keywords == nil {
		rec.Keywords = []string{}
	}
	if t.ProjectID != 0 {
		p, ok := x.projects[t.ProjectID]
		if !ok || p.SpaceID != t.SpaceID {
			return fail(fmt.Errorf("project %d is not a project of the ticket's space", t.ProjectID))
		}
		rec.Project = &p.Name
	}
	var err error
	if rec.Author, err = x.email(t.AuthorID); err != nil {
		return fail(err)
	}
	if rec.Assignee, err = x.nullEmail(t.AssigneeID); err != nil {
		return fail(err)
	}
	if rec.Engineer, err = x.nullEmail(t.EngineerID); err != nil {
		return fail(err)
	}
	if err := x.write(rec); err != nil {
		return err
	}

	likes, err := x.q.CommentLikes(x.ctx, t.ID)
	if err != nil {
		return fail(err)
	}
	likesOf := map[int64][]app.CommentLike{}
	for _, l := range likes {
		likesOf[l.CommentID] = append(likesOf[l.CommentID], l)
	}
	keys := map[int64]string{} // comment key by id
	err = pages(func(p desk.Page) ([]desk.Comment, error) {
		return x.q.ListComments(x.ctx, t.ID, true, p)
	}, func(c desk.Comment) int64 { return c.ID }, func(list []desk.Comment) error {
		for _, c := range list {
			keys[c.ID] = strconv.Itoa(len(keys) + 1)
			cr := &Comment{Type: TypeComment, Ticket: ref, Body: c.Body, Private: c.Private,
				Mentions: make([]string, 0, len(c.Mentions)), Likes: []Like{}, CreatedAt: formatTime(c.CreatedAt)}
			var err error
			if cr.Author, err = x.email(c.AuthorID); err != nil {
				return fail(err)
			}
			for _, id := range c.Mentions {
				e, err := x.email(id)
				if err != nil {
					return fail(err)
				}
				cr.Mentions = append(cr.Mentions, e)
			}
			for _, l := range likesOf[c.ID] {
				e, err := x.email(l.UserID)
				if err != nil {
					return fail(err)
				}
				cr.Likes = append(cr.Likes, Like{User: e, At: formatTime(l.At)})
			}
			if err := x.write(cr); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}

	events, err := x.q.Events(x.ctx, t.ID, true)
	if err != nil {
		return fail(err)
	}
	for _, e := range events {
		data := e.Data
		if len(data) == 0 {
			data = json.RawMessage(`{}`)
		}
		data, err := translate(data, func(kind refKind, raw json.RawMessage) (json.RawMessage, error) {
			id, err := idOf(raw)
			if err != nil || id == 0 {
				return json.RawMessage(`null`), err
			}
			switch kind {
			case refUser:
				email, err := x.email(id)
				return keyValue(email), err
			case refComment:
				k, ok := keys[id]
				if !ok {
					return nil, fmt.Errorf("comment %d is not a comment of this ticket", id)
				}
				return keyValue(k), nil
			case refProject:
				p, ok := x.projects[id]
				if !ok || p.SpaceID != t.SpaceID {
					return nil, fmt.Errorf("project %d is not a project of the ticket's space", id)
				}
				return keyValue(p.Name), nil
			}
			return nil, errors.New("unknown reference")
		})
		if err != nil {
			return fail(fmt.Errorf("event %d: %w", e.Seq, err))
		}
		actor, err := x.nullEmail(e.ActorID)
		if err != nil {
			return fail(err)
		}
		err = x.write(&Event{Type: TypeEvent, Ticket: ref, Kind: e.Kind, Actor: actor, At: formatTime(e.At),
			Private: e.Private, Data: data})
		if err != nil {
			return err
		}
	}
	return nil
}
