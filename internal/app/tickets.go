package app

import (
	"context"
	"encoding/json"
	"io"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"guichet/internal/desk"
)

// File is an uploaded file, already hashed and spooled by the edge: Open streams
// its content.
type File struct {
	Name        string
	ContentType string
	Size        int64
	SHA256      string
	Open        func() (io.ReadCloser, error)
}

// NewTicket is the input of OpenTicket.
type NewTicket struct {
	SpaceID        int64
	ProjectID      int64
	Title          string
	Nature         desk.Nature
	Criticality    desk.Criticality
	Category       string
	Keywords       []string
	ProductVersion string
	ModuleVersions string
	Description    string
	LogExcerpt     string
	Channel        desk.Channel
	// AuthorID is the client member a staff member opens the ticket for; ignored
	// (the actor is the author) when a client opens it.
	AuthorID int64
	Files    []File
}

// OpenTicket creates a ticket with its number, its attachments and its first
// event, in one transaction.
func (s *Service) OpenTicket(ctx context.Context, a *desk.Actor, in NewTicket) (*desk.Ticket, error) {
	sp, err := s.Space(ctx, a, in.SpaceID)
	if err != nil {
		return nil, err
	}
	if !a.CanOpenTicket(sp.ID) {
		if a.OrgKind == desk.Partner {
			return nil, desk.Errorf(desk.Forbidden, "a partner's view is read-only: tickets are opened by the client's contacts")
		}
		return nil, desk.Errorf(desk.Forbidden, "only the space's contacts, or provider staff on their behalf, open tickets")
	}
	t := &desk.Ticket{SpaceID: sp.ID, ProjectID: in.ProjectID, Title: strings.TrimSpace(in.Title),
		Nature: in.Nature, Category: strings.TrimSpace(in.Category), ProductVersion: strings.TrimSpace(in.ProductVersion),
		ModuleVersions: strings.TrimSpace(in.ModuleVersions), Description: in.Description, LogExcerpt: in.LogExcerpt,
		Channel: in.Channel, AuthorID: a.UserID, Status: desk.Open}
	if err := s.checkNewTicket(ctx, a, sp, t, &in); err != nil {
		return nil, err
	}
	if t.Nature == desk.Security {
		in.Criticality = desk.Blocking // SPEC §2: a security ticket is always blocking
	}
	t.Criticality = in.Criticality
	t.SetPriority(desk.DefaultPriority(in.Criticality))
	now := s.now()
	t.CreatedAt, t.UpdatedAt = now, now
	err = s.store.InTx(ctx, func(q Queries) error {
		// The clocks start with the ticket. They are planned, with the rules
		// they read, before its row is written: the row holds its first
		// deadline, and the space's number, taken with it, keeps its counter
		// locked until commit, which other creations in the space wait for.
		// Of the event that opens the log they read only its status (its
		// number comes with the row). Its attachments' events move no clock.
		rules := s.rulesIn(q)
		rules.knowActor(a)
		opening := desk.Event{ActorID: a.UserID, At: t.UpdatedAt, Kind: desk.EvCreated,
			Data: desk.EventData(map[string]any{"status": t.Status})}
		timers, err := timersOf(ctx, rules, t, []desk.Event{opening}, now)
		if err != nil {
			return err
		}
		first := desk.Event{ActorID: a.UserID, At: t.UpdatedAt, Kind: desk.EvCreated}
		if err := q.OpenTicket(ctx, t, timers, &first, createdData(t, sp.Key)); err != nil {
			return err
		}
		log := &eventLog{q: q, t: t, read: true, whole: true, last: &first, events: []desk.Event{first}}
		return s.attach(ctx, q, log, a, 0, in.Files, false)
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

func (s *Service) checkNewTicket(ctx context.Context, a *desk.Actor, sp *desk.Space, t *desk.Ticket, in *NewTicket) error {
	if err := desk.CheckText("title", t.Title, desk.MaxTitleLen, true); err != nil {
		return err
	}
	if err := desk.CheckNature(t.Nature); err != nil {
		return err
	}
	if t.Nature != desk.Security || in.Criticality != "" {
		if err := desk.CheckCriticality(in.Criticality); err != nil {
			return err
		}
	}
	for _, f := range []struct {
		name, value string
		max         int
	}{{"category", t.Category, desk.MaxShortFieldLen}, {"product_version", t.ProductVersion, desk.MaxShortFieldLen},
		{"module_versions", t.ModuleVersions, desk.MaxModuleVersions}, {"description", t.Description, desk.MaxTextLen},
		{"log_excerpt", t.LogExcerpt, desk.MaxLogExcerptLen}} {
		if err := desk.CheckText(f.name, f.value, f.max, false); err != nil {
			return err
		}
	}
	kw, err := desk.CleanKeywords(in.Keywords)
	if err != nil {
		return err
	}
	t.Keywords = kw
	switch t.Channel {
	case "":
		t.Channel = desk.Web
	case desk.Web, desk.API, desk.Email, desk.Phone:
	default:
		return desk.FieldError("channel", "must be one of web, api, email, phone")
	}
	if t.ProjectID != 0 {
		p, err := s.store.Project(ctx, t.ProjectID)
		if err != nil || p.SpaceID != sp.ID {
			return desk.FieldError("project_id", "is not a project of this space")
		}
	}
	if a.Staff() {
		if in.AuthorID == 0 {
			return desk.FieldError("author_id", "is required: the client contact the ticket is opened for")
		}
		author, err := s.Actor(ctx, in.AuthorID)
		if err != nil || !author.CanOpenTicket(sp.ID) || author.Staff() {
			return desk.FieldError("author_id", "must be a contact of this space")
		}
		t.AuthorID = in.AuthorID
	}
	if t.Nature == desk.Anomaly && sp.RequireDiagnostic && !hasDiagnostic(in.Files) {
		return desk.FieldError("files", "an anomaly needs the diagnostic file %s attached (the contract requires it)", desk.DiagnosticFile)
	}
	return nil
}

func hasDiagnostic(files []File) bool {
	for _, f := range files {
		if strings.EqualFold(f.Name, desk.DiagnosticFile) && f.Size > 0 {
			return true
		}
	}
	return false
}

// createdData is the content of a ticket's first event, which everyone who sees
// the ticket reads: it leaves out the internal priority, which at creation is
// always the one the criticality implies. The reference comes first, so that
// the store can write the event with the number it gives, in the statement
// that gives it.
func createdData(t *desk.Ticket, key string) NumberedData {
	ref := desk.EventData(desk.Ref(key, 0)) // "KEY-0"
	rest := desk.EventData(map[string]any{"title": t.Title, "nature": t.Nature, "criticality": t.Criticality,
		"channel": t.Channel, "author_id": t.AuthorID, "status": t.Status})
	return NumberedData{Before: `{"ref":` + string(ref[:len(ref)-2]), After: `",` + string(rest[1:])}
}

// eventLog appends a ticket's events inside one transaction, chaining each to the
// one before.
type eventLog struct {
	q      Queries
	t      *desk.Ticket // events are dated t.UpdatedAt
	last   *desk.Event
	read   bool         // last holds the ticket's last event (nil: none)
	events []desk.Event // appended through this log, after the whole log when whole
	whole  bool         // events holds every event of the ticket
}

// readLog opens t's log with every event it holds, for a change that plans the
// ticket's timers from all of them once it has appended its own: one read,
// where the log's last event and then the whole log were two.
func readLog(ctx context.Context, q Queries, t *desk.Ticket) (*eventLog, error) {
	events, err := q.Events(ctx, t.ID, true)
	if err != nil {
		return nil, err
	}
	l := &eventLog{q: q, t: t, read: true, events: events, whole: true}
	if n := len(events); n > 0 {
		last := events[n-1]
		l.last = &last
	}
	return l, nil
}

func (l *eventLog) add(ctx context.Context, actorID int64, kind desk.EventKind, data any, private bool) error {
	e, err := l.next(ctx, actorID, kind, private)
	if err != nil {
		return err
	}
	e.Data = desk.EventData(data)
	e.Seal(e.PrevHash)
	if err := l.q.AppendEvent(ctx, e); err != nil {
		return err
	}
	l.appended(e)
	return nil
}

// addComment stores c with its event, whose data is data with c's id.
func (l *eventLog) addComment(ctx context.Context, c *desk.Comment, data NumberedData) error {
	e, err := l.next(ctx, c.AuthorID, desk.EvCommented, c.Private)
	if err != nil {
		return err
	}
	if err := l.q.CreateCommentWithEvent(ctx, c, e, data); err != nil {
		return err
	}
	l.appended(e)
	return nil
}

// next is the log's next event, without its data: its sequence number and link.
func (l *eventLog) next(ctx context.Context, actorID int64, kind desk.EventKind, private bool) (*desk.Event, error) {
	if !l.read {
		last, err := l.q.LastEvent(ctx, l.t.ID)
		if err != nil && desk.ErrorCode(err) != desk.NotFound {
			return nil, err
		}
		l.last, l.read = last, true
	}
	e := &desk.Event{TicketID: l.t.ID, Seq: 1, ActorID: max(actorID, 0), At: l.t.UpdatedAt, Kind: kind, Private: private}
	if l.last != nil {
		e.Seq, e.PrevHash = l.last.Seq+1, l.last.Hash
	}
	return e, nil
}

// appended records e, stored, as the log's last event.
func (l *eventLog) appended(e *desk.Event) {
	l.last = e
	l.events = append(l.events, *e)
}

// attach stores files and records them on the ticket (or on a comment).
func (s *Service) attach(ctx context.Context, q Queries, log *eventLog, a *desk.Actor, commentID int64, files []File, private bool) error {
	for _, f := range files {
		name := CleanFileName(f.Name)
		if f.Size == 0 {
			return desk.FieldError("files", "%s is empty", name)
		}
		if err := s.putBlob(ctx, q, f); err != nil {
			return err
		}
		att := &desk.Attachment{TicketID: log.t.ID, CommentID: commentID, Name: name, ContentType: f.ContentType,
			Size: f.Size, SHA256: f.SHA256, UploaderID: max(a.UserID, 0), CreatedAt: log.t.UpdatedAt}
		if err := q.CreateAttachment(ctx, att); err != nil {
			return err
		}
		data := map[string]any{"attachment_id": att.ID, "name": att.Name, "size": att.Size, "sha256": att.SHA256}
		if commentID != 0 {
			data["comment_id"] = commentID
		}
		if err := log.add(ctx, a.UserID, desk.EvAttached, data, private); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) putBlob(ctx context.Context, q Queries, f File) error {
	r, err := f.Open()
	if err != nil {
		return err
	}
	defer r.Close()
	return q.PutBlob(ctx, f.SHA256, f.Size, r)
}

var unsafeName = regexp.MustCompile(`[^\p{L}\p{N}._ -]+`)

// CleanFileName keeps a file name's base, without directories, control or shell
// characters, at most 150 characters; an empty result becomes "file".
func CleanFileName(name string) string {
	name = path.Base(strings.ReplaceAll(name, `\`, "/"))
	name = unsafeName.ReplaceAllString(name, "_")
	name = strings.TrimFunc(name, func(r rune) bool { return r == '.' || unicode.IsSpace(r) })
	if r := []rune(name); len(r) > 150 {
		name = string(r[len(r)-150:])
	}
	if name == "" || name == "/" {
		return "file"
	}
	return name
}

// Ticket returns a ticket the actor may see; any other is not found.
func (s *Service) Ticket(ctx context.Context, a *desk.Actor, id int64) (*desk.Ticket, error) {
	if err := requireSignedIn(a); err != nil {
		return nil, err
	}
	t, err := s.store.Ticket(ctx, id)
	if err != nil {
		return nil, err
	}
	if !a.CanSeeTicket(t) {
		return nil, desk.ErrNotFound("ticket")
	}
	return t, nil
}

// lockTicket reads and locks ticket id inside a change's transaction, NotFound
// unless the actor may see it: the change is checked against the row it
// writes, read once.
func lockTicket(ctx context.Context, q Queries, a *desk.Actor, id int64) (*desk.Ticket, error) {
	t, err := q.TicketForUpdate(ctx, id)
	if err != nil {
		return nil, err
	}
	if !a.CanSeeTicket(t) {
		return nil, desk.ErrNotFound("ticket")
	}
	return t, nil
}

// TicketByRef returns a ticket by its reference (SUP-1042).
func (s *Service) TicketByRef(ctx context.Context, a *desk.Actor, ref string) (*desk.Ticket, error) {
	if err := requireSignedIn(a); err != nil {
		return nil, err
	}
	key, num, ok := strings.Cut(ref, "-")
	n := int64(0)
	for _, c := range num {
		if c < '0' || c > '9' || n > 1e15 {
			ok = false
			break
		}
		n = n*10 + int64(c-'0')
	}
	if !ok || n == 0 {
		return nil, desk.ErrNotFound("ticket")
	}
	t, err := s.store.TicketByRef(ctx, strings.ToUpper(key), n)
	if err != nil {
		return nil, err
	}
	if !a.CanSeeTicket(t) {
		return nil, desk.ErrNotFound("ticket")
	}
	return t, nil
}

// Tickets lists the tickets the actor may see, filtered and ordered.
func (s *Service) Tickets(ctx context.Context, a *desk.Actor, f TicketFilter) ([]desk.Ticket, error) {
	if err := requireSignedIn(a); err != nil {
		return nil, err
	}
	if f.Limit <= 0 {
		f.Limit = desk.DefaultPageSize
	}
	f.Limit = min(f.Limit, desk.MaxPageSize)
	if err := s.checkTicketFilter(ctx, a, &f); err != nil {
		return nil, err
	}
	scope := a.TicketScope()
	if scope.Empty() {
		return []desk.Ticket{}, nil
	}
	return s.store.ListTickets(ctx, scope, f)
}

// checkTicketFilter refuses the filters and orders the actor may not use and
// fills in the default order: the list, its counts and the saved views check a
// filter here, the same way.
func (s *Service) checkTicketFilter(ctx context.Context, a *desk.Actor, f *TicketFilter) error {
	if f.Sort == "" {
		f.Sort = SortPriority
	}
	if !slices.Contains(TicketSorts, f.Sort) && f.Sort != SortDeadline {
		return desk.FieldError("sort", "must be one of priority, created, updated, status, nature, criticality, assignee, number, deadline")
	}
	if f.Priority != 0 && !a.Staff() {
		return desk.FieldError("priority", "is not a filter you may use")
	}
	if f.Sort == SortPriority && !a.Staff() {
		f.Sort = SortCriticality // clients never see, nor sort by, the internal priority
	}
	if f.After != nil && !cursorFits(f.Sort, f.After.Key) {
		return desk.FieldError("cursor", "is not a cursor of this order")
	}
	if f.SpaceID != 0 {
		if _, err := s.Space(ctx, a, f.SpaceID); err != nil {
			return err
		}
	}
	return nil
}

// cursorFits tells whether a cursor's key is one that order s writes: a number,
// a name, or none.
func cursorFits(s TicketSort, key string) bool {
	switch s {
	case SortPriority, SortCriticality, SortAssignee:
		_, err := strconv.ParseInt(key, 10, 64)
		return err == nil
	case SortStatus, SortNature:
		return key != ""
	}
	return key == ""
}

// SimilarTickets lists earlier tickets of a space whose title matches q, for the
// new-ticket form.
func (s *Service) SimilarTickets(ctx context.Context, a *desk.Actor, spaceID int64, q string) ([]desk.Ticket, error) {
	if _, err := s.Space(ctx, a, spaceID); err != nil {
		return nil, err
	}
	q = strings.TrimSpace(q)
	if len([]rune(q)) < 3 {
		return []desk.Ticket{}, nil
	}
	return s.store.SimilarTickets(ctx, a.TicketScope(), spaceID, q, 10)
}

// TicketPatch holds the fields to change; nil leaves a field as it is.
type TicketPatch struct {
	Title          *string
	ProjectID      *int64
	Criticality    *desk.Criticality
	Priority       *desk.Priority
	SettleDispute  bool // accept the current priority: lowers the flag
	Category       *string
	Keywords       *[]string
	ProductVersion *string
	ModuleVersions *string
}

// UpdateTicket changes a ticket's fields, each change an event. Clients (the
// author) change the title, criticality and versions; support also the priority,
// category and keywords. Either may settle a criticality under discussion.
func (s *Service) UpdateTicket(ctx context.Context, a *desk.Actor, id int64, p TicketPatch) (*desk.Ticket, error) {
	if err := requireSignedIn(a); err != nil {
		return nil, err
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
		staff, author := a.Staff(), a.UserID == t.AuthorID
		if !staff && !author {
			return desk.Errorf(desk.Forbidden, "only the author or provider staff change a ticket")
		}
		before := *t
		var changes []desk.Change
		set := func(field string, old, new any) {
			changes = append(changes, desk.Change{Field: field, Before: old, After: new})
		}
		if p.Title != nil {
			v := strings.TrimSpace(*p.Title)
			if err := desk.CheckText("title", v, desk.MaxTitleLen, true); err != nil {
				return err
			}
			t.Title = v
		}
		if p.ProjectID != nil && *p.ProjectID != t.ProjectID {
			if *p.ProjectID != 0 {
				pr, err := q.Project(ctx, *p.ProjectID)
				if err != nil || pr.SpaceID != t.SpaceID {
					return desk.FieldError("project_id", "is not a project of this space")
				}
			}
			t.ProjectID = *p.ProjectID
		}
		if p.Criticality != nil {
			if err := desk.CheckCriticality(*p.Criticality); err != nil {
				return err
			}
			if t.Nature == desk.Security && *p.Criticality != desk.Blocking {
				return desk.FieldError("criticality", "a security ticket is always blocking")
			}
			t.SetCriticality(*p.Criticality)
		}
		if p.Priority != nil {
			if !staff {
				return desk.FieldError("priority", "is set by support only")
			}
			if err := desk.CheckPriority(*p.Priority); err != nil {
				return err
			}
			t.SetPriority(*p.Priority)
		}
		if p.SettleDispute {
			t.PriorityDisputed = false
		}
		for _, f := range []struct {
			name  string
			value *string
			dst   *string
			max   int
			staff bool
		}{{"category", p.Category, &t.Category, desk.MaxShortFieldLen, true},
			{"product_version", p.ProductVersion, &t.ProductVersion, desk.MaxShortFieldLen, false},
			{"module_versions", p.ModuleVersions, &t.ModuleVersions, desk.MaxModuleVersions, false}} {
			if f.value == nil {
				continue
			}
			if f.staff && !staff {
				return desk.FieldError(f.name, "is set by support only")
			}
			v := strings.TrimSpace(*f.value)
			if err := desk.CheckText(f.name, v, f.max, false); err != nil {
				return err
			}
			*f.dst = v
		}
		if p.Keywords != nil {
			if !staff {
				return desk.FieldError("keywords", "are set by support only")
			}
			kw, err := desk.CleanKeywords(*p.Keywords)
			if err != nil {
				return err
			}
			t.Keywords = kw
		}
		diff(&before, t, set)
		if len(changes) == 0 {
			out = t
			return nil
		}
		t.UpdatedAt = s.now()
		log, err := readLog(ctx, q, t)
		if err != nil {
			return err
		}
		for _, c := range changes {
			// The internal priority and its flag are support's business: their
			// events are private, like the fields themselves.
			private := c.Field == "priority" || c.Field == "priority_disputed"
			if err := log.add(ctx, a.UserID, desk.EvFieldChange, c, private); err != nil {
				return err
			}
		}
		out = t
		return s.saveTicket(ctx, q, &before, t, log, s.now()) // the criticality chooses the objectives
	})
	return out, err
}

// diff reports the fields that differ between two versions of a ticket.
func diff(b, t *desk.Ticket, set func(string, any, any)) {
	if b.Title != t.Title {
		set("title", b.Title, t.Title)
	}
	if b.ProjectID != t.ProjectID {
		set("project_id", b.ProjectID, t.ProjectID)
	}
	if b.Criticality != t.Criticality {
		set("criticality", b.Criticality, t.Criticality)
	}
	if b.Priority != t.Priority {
		set("priority", b.Priority, t.Priority)
	}
	if b.PriorityDisputed != t.PriorityDisputed {
		set("priority_disputed", b.PriorityDisputed, t.PriorityDisputed)
	}
	if b.Category != t.Category {
		set("category", b.Category, t.Category)
	}
	if !slices.Equal(b.Keywords, t.Keywords) {
		set("keywords", b.Keywords, t.Keywords)
	}
	if b.ProductVersion != t.ProductVersion {
		set("product_version", b.ProductVersion, t.ProductVersion)
	}
	if b.ModuleVersions != t.ModuleVersions {
		set("module_versions", b.ModuleVersions, t.ModuleVersions)
	}
}

// Resolutions is the list of resolution types in force: the installation's
// setting "resolutions" (a JSON array), or the defaults.
func (s *Service) Resolutions(ctx context.Context) ([]string, error) {
	v, err := s.store.Setting(ctx, "resolutions")
	if desk.ErrorCode(err) == desk.NotFound {
		return desk.DefaultResolutions, nil
	}
	if err != nil {
		return nil, err
	}
	var list []string
	if err := json.Unmarshal([]byte(v), &list); err != nil || len(list) == 0 {
		return desk.DefaultResolutions, nil
	}
	return list, nil
}

// SetResolutions replaces the list of resolution types (administrators).
func (s *Service) SetResolutions(ctx context.Context, a *desk.Actor, list []string) error {
	if err := s.mayManageParties(a); err != nil {
		return err
	}
	clean := make([]string, 0, len(list))
	for _, r := range list {
		r = strings.TrimSpace(r)
		if err := desk.CheckText("resolutions", r, desk.MaxShortFieldLen, true); err != nil {
			return err
		}
		if !slices.Contains(clean, r) {
			clean = append(clean, r)
		}
	}
	if len(clean) == 0 {
		return desk.FieldError("resolutions", "at least one resolution type is required")
	}
	if !slices.Contains(clean, "no_reply") {
		clean = append(clean, "no_reply") // the awaiting-client timer closes with it
	}
	b, _ := json.Marshal(clean)
	return s.store.SetSetting(ctx, "resolutions", string(b))
}
