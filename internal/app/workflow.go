package app

import (
	"context"
	"io"
	"regexp"
	"slices"
	"strings"

	"guichet/internal/desk"
)

// writable refuses a change to t by someone who only reads it: a partner.
func writable(a *desk.Actor, t *desk.Ticket) error {
	if !a.Staff() && !a.IsClientMember(t.SpaceID) {
		return desk.Errorf(desk.Forbidden, "a partner's view is read-only")
	}
	return nil
}

// Transition takes a workflow action on a ticket, as desk's table allows, and
// records it.
func (s *Service) Transition(ctx context.Context, a *desk.Actor, id int64, in desk.TransitionInput) (*desk.Ticket, error) {
	if err := requireSignedIn(a); err != nil {
		return nil, err
	}
	if in.Action == desk.Reassign {
		// Checked before the transaction: it reads the new author's rights, and a
		// read outside the transaction while holding it could wait on the pool.
		// The space, which those rights depend on, never changes.
		seen, err := s.Ticket(ctx, a, id)
		if err != nil {
			return nil, err
		}
		if err := writable(a, seen); err != nil {
			return nil, err
		}
		if err := desk.Check(a, seen, in.Action); err != nil {
			return nil, err
		}
		if err := s.checkNewAuthor(ctx, seen, in.NewAuthorID); err != nil {
			return nil, err
		}
	}
	resolutions, err := s.Resolutions(ctx)
	if err != nil {
		return nil, err
	}
	var out *desk.Ticket
	err = s.store.InTx(ctx, func(q Queries) error {
		t, err := lockTicket(ctx, q, a, id)
		if err != nil {
			return err
		}
		if err := writable(a, t); err != nil {
			return err
		}
		before := *t
		if err := desk.Apply(a, t, in, resolutions); err != nil {
			return err
		}
		now := s.now()
		t.UpdatedAt = now
		if t.Status == desk.Closed && before.Status != desk.Closed {
			t.ClosedAt = &now
		}
		log, err := readLog(ctx, q, t)
		if err != nil {
			return err
		}
		kind, data := desk.EvTransition, transitionData(&before, t, in)
		if in.Action == desk.Reassign {
			kind = desk.EvReassigned
		}
		if err := log.add(ctx, a.UserID, kind, data, false); err != nil {
			return err
		}
		out = t
		return s.saveTicket(ctx, q, &before, t, log, now) // clocks pause, resume or stop; closed tickets keep their figures
	})
	return out, err
}

func transitionData(b, t *desk.Ticket, in desk.TransitionInput) map[string]any {
	d := map[string]any{"action": in.Action, "from": b.Status, "to": t.Status}
	add := func(k string, v string) {
		if v != "" {
			d[k] = v
		}
	}
	add("resolution", t.Resolution)
	add("reason", strings.TrimSpace(in.Reason))
	switch in.Action {
	case desk.AwaitDelivery:
		add("rd_issue", t.RDIssue)
	case desk.Decide:
		add("decision", string(t.Decision))
		add("decision_note", t.DecisionNote)
		add("target_version", t.TargetVersion)
	case desk.Close:
		if t.Rating != 0 {
			d["rating"] = t.Rating
		}
		add("rating_comment", t.RatingComment)
	case desk.Reassign:
		d["author_before"], d["author_after"] = b.AuthorID, t.AuthorID
	}
	return d
}

// checkNewAuthor makes sure a reassigned ticket goes to a contact of its space.
func (s *Service) checkNewAuthor(ctx context.Context, t *desk.Ticket, userID int64) error {
	if userID == 0 {
		return desk.FieldError("new_author_id", "is required")
	}
	na, err := s.Actor(ctx, userID)
	if err != nil || na.Staff() || !na.CanOpenTicket(t.SpaceID) || !na.CanSeeTicket(t) {
		return desk.FieldError("new_author_id", "must be a contact of the ticket's space who may see it")
	}
	return nil
}

// Assign gives a ticket to an agent and, optionally, to a level-3 engineer (0
// removes). Provider staff only.
func (s *Service) Assign(ctx context.Context, a *desk.Actor, id int64, assigneeID, engineerID *int64) (*desk.Ticket, error) {
	if err := requireSignedIn(a); err != nil {
		return nil, err
	}
	if !a.Staff() { // refused, but those who do not see the ticket learn only that
		if _, err := s.Ticket(ctx, a, id); err != nil {
			return nil, err
		}
		return nil, desk.Errorf(desk.Forbidden, "only provider staff assign tickets")
	}
	for _, c := range []struct {
		field string
		id    *int64
		role  desk.Role
	}{{"assignee_id", assigneeID, ""}, {"engineer_id", engineerID, desk.Engineer}} {
		if c.id == nil || *c.id == 0 {
			continue
		}
		u, err := s.Actor(ctx, *c.id)
		if err != nil || !u.Staff() || (c.role != "" && !u.Has(c.role)) {
			if c.role == desk.Engineer {
				return nil, desk.FieldError(c.field, "must be a level-3 engineer")
			}
			return nil, desk.FieldError(c.field, "must be a member of the provider's staff")
		}
	}
	var out *desk.Ticket
	err := s.store.InTx(ctx, func(q Queries) error {
		t, err := lockTicket(ctx, q, a, id)
		if err != nil {
			return err
		}
		if t.Status == desk.Closed {
			return desk.Errorf(desk.Conflict, "the ticket is closed: nothing changes a closed ticket")
		}
		before := *t
		var changes []desk.Change
		if assigneeID != nil && *assigneeID != t.AssigneeID {
			changes = append(changes, desk.Change{Field: "assignee_id", Before: t.AssigneeID, After: *assigneeID})
			t.AssigneeID = *assigneeID
		}
		if engineerID != nil && *engineerID != t.EngineerID {
			changes = append(changes, desk.Change{Field: "engineer_id", Before: t.EngineerID, After: *engineerID})
			t.EngineerID = *engineerID
		}
		out = t
		if len(changes) == 0 {
			return nil
		}
		t.UpdatedAt = s.now()
		if err := q.UpdateTicket(ctx, &before, t); err != nil {
			return err
		}
		log := &eventLog{q: q, t: t}
		for _, c := range changes {
			if err := log.add(ctx, a.UserID, desk.EvAssigned, c, false); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// NewComment is the input of AddComment.
type NewComment struct {
	Body    string
	Private bool
	Files   []File
}

// mentionRE finds @mentions: an @ followed by an email address.
var mentionRE = regexp.MustCompile(`(?:^|[^\w.@])@([\w.+-]+@[\w-]+(?:\.[\w-]+)+)`)

// Mentions returns the addresses mentioned in a comment body.
func Mentions(body string) []string {
	var out []string
	for _, m := range mentionRE.FindAllStringSubmatch(body, -1) {
		e := desk.NormaliseEmail(strings.TrimRight(m[1], "."))
		if !slices.Contains(out, e) {
			out = append(out, e)
		}
	}
	return out
}

// AddComment comments on a ticket. Private comments are for provider staff; a
// public comment by a client member brings an awaiting_client ticket back to open.
// Mentions must name people who can see the comment.
func (s *Service) AddComment(ctx context.Context, a *desk.Actor, ticketID int64, in NewComment) (*desk.Comment, error) {
	if err := requireSignedIn(a); err != nil {
		return nil, err
	}
	check := func(t *desk.Ticket) error { // once the actor is known to see t
		if err := writable(a, t); err != nil {
			return err
		}
		if in.Private && !a.Staff() {
			return desk.FieldError("private", "only provider staff write private comments")
		}
		return desk.CheckText("body", in.Body, desk.MaxTextLen, len(in.Files) == 0)
	}
	c := &desk.Comment{TicketID: ticketID, AuthorID: a.UserID, Body: in.Body, Private: in.Private}
	if len(Mentions(in.Body)) > 0 {
		// Checked before the transaction: the rights of the people mentioned are
		// read, and a read outside the transaction while holding it could wait on
		// the pool.
		t, err := s.Ticket(ctx, a, ticketID)
		if err != nil {
			return nil, err
		}
		if err := check(t); err != nil {
			return nil, err
		}
		if c.Mentions, err = s.resolveMentions(ctx, t, c); err != nil {
			return nil, err
		}
	}
	err := s.store.InTx(ctx, func(q Queries) error {
		t, err := lockTicket(ctx, q, a, ticketID)
		if err != nil {
			return err
		}
		if err := check(t); err != nil {
			return err
		}
		if t.Status == desk.Closed {
			return desk.Errorf(desk.Conflict, "the ticket is closed: open a new ticket that references it")
		}
		before := *t
		now := s.now()
		t.UpdatedAt, c.CreatedAt = now, now
		log, err := readLog(ctx, q, t)
		if err != nil {
			return err
		}
		if err := log.addComment(ctx, c, commentedData(c)); err != nil {
			return err
		}
		if err := s.attach(ctx, q, log, a, c.ID, in.Files, c.Private); err != nil {
			return err
		}
		if desk.ResumesOnComment(a, t, c.Private) {
			t.Status = desk.Open
			if err := log.add(ctx, 0, desk.EvTransition, map[string]any{"action": desk.ResumeOnComment,
				"from": desk.AwaitingClient, "to": desk.Open, "comment_id": c.ID}, false); err != nil {
				return err
			}
		}
		return s.saveTicket(ctx, q, &before, t, log, now) // an answer stops a clock, a client's comment resumes them
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// commentedData is the data of the event that records c: its id, whether it
// is private, whom it mentions. The id comes first, so that the store can
// write the event with the id it gives, in the statement that gives it.
func commentedData(c *desk.Comment) NumberedData {
	rest := map[string]any{"private": c.Private}
	if len(c.Mentions) > 0 {
		rest["mentions"] = c.Mentions
	}
	return NumberedData{Before: `{"comment_id":`, After: "," + string(desk.EventData(rest)[1:])}
}

func (s *Service) resolveMentions(ctx context.Context, t *desk.Ticket, c *desk.Comment) ([]int64, error) {
	emails := Mentions(c.Body)
	if len(emails) == 0 {
		return nil, nil
	}
	users, err := s.store.UsersByEmail(ctx, emails)
	if err != nil {
		return nil, err
	}
	var ids []int64
	for _, e := range emails {
		i := slices.IndexFunc(users, func(u desk.User) bool { return u.Email == e })
		if i < 0 {
			return nil, desk.FieldError("body", "@%s: no such user can see this comment", e)
		}
		m, err := s.Actor(ctx, users[i].ID)
		if err != nil || !m.CanSeeTicket(t) || !m.CanSeeComment(c) {
			return nil, desk.FieldError("body", "@%s: no such user can see this comment", e)
		}
		ids = append(ids, users[i].ID)
	}
	return ids, nil
}

// Comments lists a ticket's comments the actor may see.
func (s *Service) Comments(ctx context.Context, a *desk.Actor, ticketID int64, p desk.Page) ([]desk.Comment, error) {
	v, err := s.TicketView(ctx, a, ticketID, ViewParts{Comments: &p})
	if err != nil {
		return nil, err
	}
	return v.Comments, nil
}

// ViewParts says what to read below a ticket besides the ticket itself.
type ViewParts struct {
	Comments *desk.Page // a page of its comments, when not nil
	History  bool       // its events
}

// TicketView is a ticket with what was asked of what is below it.
type TicketView struct {
	Ticket   *desk.Ticket
	Comments []desk.Comment
	Events   []desk.Event
}

// TicketView reads a ticket the actor may see and, as parts asks, a page of its
// comments and its history, each as the actor may see them (private comments and
// events for provider staff only): what a reader of the ticket wants, checked
// once.
func (s *Service) TicketView(ctx context.Context, a *desk.Actor, ticketID int64, parts ViewParts) (*TicketView, error) {
	t, err := s.Ticket(ctx, a, ticketID)
	if err != nil {
		return nil, err
	}
	v := &TicketView{Ticket: t}
	if parts.Comments != nil {
		if v.Comments, err = s.store.ListComments(ctx, ticketID, a.CanSeePrivate(), page(*parts.Comments)); err != nil {
			return nil, err
		}
	}
	if parts.History {
		if v.Events, err = s.store.Events(ctx, ticketID, a.CanSeePrivate()); err != nil {
			return nil, err
		}
	}
	return v, nil
}

// comment returns a comment the actor may see, with its ticket.
func (s *Service) comment(ctx context.Context, a *desk.Actor, id int64) (*desk.Comment, *desk.Ticket, error) {
	if err := requireSignedIn(a); err != nil {
		return nil, nil, err
	}
	c, err := s.store.Comment(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	t, err := s.Ticket(ctx, a, c.TicketID)
	if err != nil || !a.CanSeeComment(c) {
		return nil, nil, desk.ErrNotFound("comment")
	}
	return c, t, nil
}

// LikeComment records the actor's recommendation of a comment.
func (s *Service) LikeComment(ctx context.Context, a *desk.Actor, commentID int64) (*desk.Comment, error) {
	c, t, err := s.comment(ctx, a, commentID)
	if err != nil {
		return nil, err
	}
	if err := writable(a, t); err != nil {
		return nil, err
	}
	if c.AuthorID == a.UserID {
		return nil, desk.Errorf(desk.Conflict, "you cannot recommend your own comment")
	}
	err = s.store.InTx(ctx, func(q Queries) error {
		t, err := q.TicketForUpdate(ctx, t.ID)
		if err != nil {
			return err
		}
		if t.Status == desk.Closed { // a closed ticket's history is final
			return desk.Errorf(desk.Conflict, "the ticket is closed: nothing changes a closed ticket")
		}
		now := s.now()
		if err := q.LikeComment(ctx, c.ID, a.UserID, now); err != nil {
			return err
		}
		t.UpdatedAt = now
		log := &eventLog{q: q, t: t}
		return log.add(ctx, a.UserID, desk.EvLiked, map[string]any{"comment_id": c.ID}, c.Private)
	})
	if err != nil {
		return nil, err
	}
	return s.store.Comment(ctx, c.ID)
}

// AddAttachments attaches files to a ticket.
func (s *Service) AddAttachments(ctx context.Context, a *desk.Actor, ticketID int64, files []File) ([]desk.Attachment, error) {
	if err := requireSignedIn(a); err != nil {
		return nil, err
	}
	err := s.store.InTx(ctx, func(q Queries) error {
		t, err := lockTicket(ctx, q, a, ticketID)
		if err != nil {
			return err
		}
		if err := writable(a, t); err != nil {
			return err
		}
		if len(files) == 0 {
			return desk.FieldError("files", "at least one file is required")
		}
		if t.Status == desk.Closed {
			return desk.Errorf(desk.Conflict, "the ticket is closed: nothing changes a closed ticket")
		}
		before := *t
		t.UpdatedAt = s.now()
		if err := q.UpdateTicket(ctx, &before, t); err != nil {
			return err
		}
		return s.attach(ctx, q, &eventLog{q: q, t: t}, a, 0, files, false)
	})
	if err != nil {
		return nil, err
	}
	return s.store.ListAttachments(ctx, ticketID, a.CanSeePrivate())
}

// Attachments lists the attachments of a ticket the actor may see.
func (s *Service) Attachments(ctx context.Context, a *desk.Actor, ticketID int64) ([]desk.Attachment, error) {
	if _, err := s.Ticket(ctx, a, ticketID); err != nil {
		return nil, err
	}
	return s.store.ListAttachments(ctx, ticketID, a.CanSeePrivate())
}

// OpenAttachment returns an attachment the actor may see, and its content.
func (s *Service) OpenAttachment(ctx context.Context, a *desk.Actor, id int64) (*desk.Attachment, io.ReadCloser, error) {
	if err := requireSignedIn(a); err != nil {
		return nil, nil, err
	}
	att, err := s.store.Attachment(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	if _, err := s.Ticket(ctx, a, att.TicketID); err != nil {
		return nil, nil, desk.ErrNotFound("attachment")
	}
	if att.CommentID != 0 {
		if _, _, err := s.comment(ctx, a, att.CommentID); err != nil {
			return nil, nil, desk.ErrNotFound("attachment")
		}
	}
	r, err := s.store.OpenBlob(ctx, att.SHA256)
	if err != nil {
		return nil, nil, err
	}
	return att, r, nil
}

// History lists a ticket's events the actor may see: private ones (private
// comments, internal priority) for provider staff only.
func (s *Service) History(ctx context.Context, a *desk.Actor, ticketID int64) ([]desk.Event, error) {
	v, err := s.TicketView(ctx, a, ticketID, ViewParts{History: true})
	if err != nil {
		return nil, err
	}
	return v.Events, nil
}

// Verify walks every ticket's event chain and returns the first broken link, nil
// when all hold; checked counts the events read.
func (s *Service) Verify(ctx context.Context) (broken *desk.BrokenLink, checked int, err error) {
	var after int64
	for {
		events, err := s.store.EventsAfter(ctx, after, 10_000)
		if err != nil {
			return nil, checked, err
		}
		if len(events) == 0 {
			return nil, checked, nil
		}
		for start := 0; start < len(events); {
			end := start
			for end < len(events) && events[end].TicketID == events[start].TicketID {
				end++
			}
			if b := desk.VerifyChain(events[start:end]); b != nil {
				return b, checked, nil
			}
			checked += end - start
			after = events[start].TicketID
			start = end
		}
	}
}
