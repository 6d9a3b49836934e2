package transfer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"guichet/internal/app"
	"guichet/internal/desk"
)

// orgKey names an organisation: its kind and its exact name.
type orgKey struct {
	kind desk.OrgKind
	name string
}

// projectKey names a project: its space's key and its name.
type projectKey struct{ space, name string }

// where says where something was found: on a line of the file, or in the
// database (line 0).
func where(line int) string {
	if line == 0 {
		return "in the database"
	}
	return "on line " + strconv.Itoa(line)
}

// vUser is what the checks need of a user, from the file or the database.
type vUser struct {
	line int // 0: in the database
	id   int64
	org  orgKey
}

// vSpace is what the checks need of a space.
type vSpace struct {
	line   int
	id     int64
	client orgKey
}

// vBlock is the ticket whose comments and events are being read.
type vBlock struct {
	ref      string
	space    string
	comments map[string]bool // keys
	n        int             // comments so far
}

// validator checks a file line by line against what earlier lines and the
// database hold, and writes nothing.
type validator struct {
	ctx  context.Context
	q    app.Queries
	errs errorList

	orgs      map[orgKey]int           // line, 0 for the database
	orgsLower map[orgKey]int           // by lower-case name: the unique index ignores case
	orgByID   map[int64]orgKey         // organisations of the database
	provider  int                      // line of the provider, 0 for the database, -1 for none
	users     map[string]*vUser        // by email; nil: known not to exist
	spaces    map[string]*vSpace       // by key
	projects  map[projectKey]int       // line, 0 for the database
	loaded    map[string]bool          // spaces whose projects were read from the database
	members   map[[2]string]bool       // space key, user email
	memberOf  map[int64]map[int64]bool // database memberships, by user id
	tickets   map[string]int           // ticket refs of the file, with their line
	block     *vBlock
	records   int
	// unreadable is the first line that could not be read at all, 0 for none.
	unreadable int
}

func newValidator(ctx context.Context, q app.Queries) (*validator, error) {
	v := &validator{ctx: ctx, q: q, orgs: map[orgKey]int{}, orgsLower: map[orgKey]int{},
		orgByID: map[int64]orgKey{}, provider: -1, users: map[string]*vUser{}, spaces: map[string]*vSpace{},
		projects: map[projectKey]int{}, loaded: map[string]bool{}, members: map[[2]string]bool{},
		memberOf: map[int64]map[int64]bool{}, tickets: map[string]int{}}
	for p := (desk.Page{Limit: desk.MaxPageSize}); ; {
		list, err := q.ListOrganisations(ctx, desk.OrgScope{All: true}, p)
		if err != nil {
			return nil, err
		}
		for _, o := range list {
			k := orgKey{o.Kind, o.Name}
			v.orgs[k] = 0
			v.orgsLower[lower(k)] = 0
			v.orgByID[o.ID] = k
			if o.Kind == desk.Provider {
				v.provider = 0
			}
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
		for _, s := range list {
			v.spaces[s.Key] = &vSpace{id: s.ID, client: v.orgByID[s.ClientID]}
		}
		if len(list) < p.Limit {
			break
		}
		p.After = list[len(list)-1].ID
	}
	return v, nil
}

func lower(k orgKey) orgKey { return orgKey{k.kind, strings.ToLower(k.name)} }

// user finds a user of the file or the database; nil when there is none.
func (v *validator) user(email string) (*vUser, error) {
	if u, ok := v.users[email]; ok {
		return u, nil
	}
	u, _, err := v.q.UserByEmail(v.ctx, email)
	switch {
	case desk.ErrorCode(err) == desk.NotFound:
		v.users[email] = nil
		return nil, nil
	case err != nil:
		return nil, err
	}
	vu := &vUser{id: u.ID, org: v.orgByID[u.OrgID]}
	v.users[email] = vu
	return vu, nil
}

// needUser reports a reference to an unknown user; it returns the user or nil.
func (v *validator) needUser(line int, field, email string) (*vUser, error) {
	u, err := v.user(email)
	if err == nil && u == nil {
		v.errs.add(line, field, "no user %s on an earlier line or in the database%s", email, v.unreadableNote())
	}
	return u, err
}

// unreadableNote reminds that an earlier line could not be read, and may be the
// one that names what a reference misses.
func (v *validator) unreadableNote() string {
	if v.unreadable == 0 {
		return ""
	}
	return fmt.Sprintf(" (line %d could not be read)", v.unreadable)
}

// declare makes known what a line with problems names, when its key is right,
// so that the lines that refer to it are not refused for its sake. A line that
// could not be read at all is remembered for the messages.
func (v *validator) declare(line int, rec record) {
	switch r := rec.(type) {
	case nil:
		if v.unreadable == 0 {
			v.unreadable = line
		}
	case *Organisation:
		if desk.CheckOrgKind(r.Kind) == nil && r.Name != "" {
			k := orgKey{r.Kind, r.Name}
			if _, ok := v.orgs[k]; !ok {
				v.orgs[k], v.orgsLower[lower(k)] = line, line
			}
			if r.Kind == desk.Provider && v.provider < 0 {
				v.provider = line
			}
		}
	case *User:
		if desk.CheckEmail(r.Email) == nil && v.users[r.Email] == nil {
			v.users[r.Email] = &vUser{line: line, org: orgKey{r.OrgKind, r.Org}}
		}
	case *Space:
		if desk.CheckSpaceKey(r.Key) == nil && v.spaces[r.Key] == nil {
			v.spaces[r.Key] = &vSpace{line: line, client: orgKey{desk.Client, r.Client}}
		}
	case *Project:
		if _, ok := v.projects[projectKey{r.Space, r.Name}]; !ok {
			v.projects[projectKey{r.Space, r.Name}] = line
		}
	case *Ticket:
		v.block = nil
		if key, _, ok := parseRef(r.Ref); ok {
			v.block = &vBlock{ref: r.Ref, space: key, comments: map[string]bool{}}
			if _, dup := v.tickets[r.Ref]; !dup {
				v.tickets[r.Ref] = line
			}
		}
	case *Comment:
		// It keeps its place: the position of the comments after it does not change.
		if b := v.block; b != nil && b.ref == r.Ticket {
			b.n++
			key := strconv.Itoa(b.n)
			if r.ExternalID != "" {
				key = r.ExternalID
			}
			b.comments[key] = true
		}
	}
}

// hasProject tells whether the space holds the project, reading the projects of
// a database space once.
func (v *validator) hasProject(space, name string) (bool, error) {
	if sp := v.spaces[space]; sp != nil && sp.line == 0 && !v.loaded[space] {
		v.loaded[space] = true
		for p := (desk.Page{Limit: desk.MaxPageSize}); ; {
			list, err := v.q.ListProjects(v.ctx, sp.id, p)
			if err != nil {
				return false, err
			}
			for _, pr := range list {
				v.projects[projectKey{space, pr.Name}] = 0
			}
			if len(list) < p.Limit {
				break
			}
			p.After = list[len(list)-1].ID
		}
	}
	_, ok := v.projects[projectKey{space, name}]
	return ok, nil
}

// check checks one parsed record.
func (v *validator) check(line int, rec record) error {
	v.records++
	switch r := rec.(type) {
	case *Organisation:
		return v.organisation(line, r)
	case *User:
		return v.userRecord(line, r)
	case *Space:
		return v.space(line, r)
	case *Project:
		return v.project(line, r)
	case *Membership:
		return v.membership(line, r)
	case *Ticket:
		return v.ticket(line, r)
	case *Comment:
		return v.comment(line, r)
	case *Event:
		return v.event(line, r)
	}
	return fmt.Errorf("transfer: unknown record %T", rec)
}

func (v *validator) organisation(line int, r *Organisation) error {
	k := orgKey{r.Kind, r.Name}
	if r.Kind == desk.Provider && v.provider >= 0 {
		v.errs.add(line, "kind", "there is already a provider organisation %s: an installation has one", where(v.provider))
		return nil
	}
	if at, dup := v.orgsLower[lower(k)]; dup {
		v.errs.add(line, "name", "an organisation of kind %s named %q already exists %s", r.Kind, r.Name, where(at))
		return nil
	}
	if r.Kind == desk.Provider {
		v.provider = line
	}
	v.orgs[k] = line
	v.orgsLower[lower(k)] = line
	return nil
}

func (v *validator) userRecord(line int, r *User) error {
	u, err := v.user(r.Email)
	if err != nil {
		return err
	}
	if u != nil {
		v.errs.add(line, "email", "a user with this email already exists %s", where(u.line))
		return nil
	}
	// The user is known from here on even when its organisation is not, so that
	// one mistake is reported once, not on every line that names the user.
	org := orgKey{r.OrgKind, r.Org}
	v.users[r.Email] = &vUser{line: line, org: org}
	if _, ok := v.orgs[org]; !ok {
		v.errs.add(line, "org", "no %s organisation named %q on an earlier line or in the database%s", r.OrgKind, r.Org, v.unreadableNote())
	}
	return nil
}

func (v *validator) space(line int, r *Space) error {
	if sp := v.spaces[r.Key]; sp != nil {
		v.errs.add(line, "key", "a space with key %s already exists %s", r.Key, where(sp.line))
		return nil
	}
	client := orgKey{desk.Client, r.Client}
	v.spaces[r.Key] = &vSpace{line: line, client: client}
	if _, ok := v.orgs[client]; !ok {
		v.errs.add(line, "client", "no client organisation named %q on an earlier line or in the database%s", r.Client, v.unreadableNote())
	}
	return nil
}

func (v *validator) needSpace(line int, field, key string) *vSpace {
	sp := v.spaces[key]
	if sp == nil {
		v.errs.add(line, field, "no space with key %s on an earlier line or in the database%s", key, v.unreadableNote())
	}
	return sp
}

func (v *validator) project(line int, r *Project) error {
	if v.needSpace(line, "space", r.Space) == nil {
		v.projects[projectKey{r.Space, r.Name}] = line
		return nil
	}
	ok, err := v.hasProject(r.Space, r.Name)
	if err != nil {
		return err
	}
	if ok {
		v.errs.add(line, "name", "space %s already has a project named %q %s", r.Space, r.Name,
			where(v.projects[projectKey{r.Space, r.Name}]))
		return nil
	}
	v.projects[projectKey{r.Space, r.Name}] = line
	return nil
}

func (v *validator) membership(line int, r *Membership) error {
	sp := v.needSpace(line, "space", r.Space)
	u, err := v.needUser(line, "user", r.User)
	if err != nil {
		return err
	}
	if r.AddedBy != nil {
		if _, err := v.needUser(line, "added_by", *r.AddedBy); err != nil {
			return err
		}
	}
	if sp == nil || u == nil {
		return nil
	}
	switch u.org.kind {
	case desk.Provider:
		v.errs.add(line, "user", "%s is provider staff: staff see every space and are not members", r.User)
		return nil
	case desk.Client:
		if u.org != sp.client {
			v.errs.add(line, "user", "%s belongs to another client than the space's (%s)", r.User, sp.client.name)
			return nil
		}
	}
	k := [2]string{r.Space, r.User}
	dup := v.members[k]
	if !dup && sp.line == 0 && u.line == 0 {
		of, ok := v.memberOf[u.id]
		if !ok {
			ids, err := v.q.SpacesOfMember(v.ctx, u.id)
			if err != nil {
				return err
			}
			of = map[int64]bool{}
			for _, id := range ids {
				of[id] = true
			}
			v.memberOf[u.id] = of
		}
		dup = of[sp.id]
	}
	if dup {
		v.errs.add(line, "user", "%s is already a member of %s", r.User, r.Space)
		return nil
	}
	v.members[k] = true
	return nil
}

func (v *validator) ticket(line int, r *Ticket) error {
	v.block = nil
	key, number, _ := parseRef(r.Ref)
	// The lines that follow are this ticket's, even when it is refused.
	v.block = &vBlock{ref: r.Ref, space: key, comments: map[string]bool{}}
	if at, dup := v.tickets[r.Ref]; dup {
		v.errs.add(line, "ref", "ticket %s already appears on line %d", r.Ref, at)
		return nil
	}
	v.tickets[r.Ref] = line
	sp := v.needSpace(line, "ref", key)
	if sp != nil && sp.line == 0 {
		_, err := v.q.TicketByRef(v.ctx, key, number)
		switch {
		case err == nil:
			v.errs.add(line, "ref", "ticket %s already exists in the database", r.Ref)
		case desk.ErrorCode(err) != desk.NotFound:
			return err
		}
	}
	if r.Project != nil && sp != nil {
		ok, err := v.hasProject(key, *r.Project)
		if err != nil {
			return err
		}
		if !ok {
			v.errs.add(line, "project", "space %s has no project named %q on an earlier line or in the database%s", key, *r.Project, v.unreadableNote())
		}
	}
	author, err := v.needUser(line, "author", r.Author)
	if err != nil {
		return err
	}
	if author != nil && sp != nil && author.org != sp.client {
		v.errs.add(line, "author", "%s is not a user of the space's client (%s)", r.Author, sp.client.name)
	}
	for _, f := range []struct {
		field string
		email *string
	}{{"assignee", r.Assignee}, {"engineer", r.Engineer}} {
		if f.email == nil {
			continue
		}
		u, err := v.needUser(line, f.field, *f.email)
		if err != nil {
			return err
		}
		if u != nil && u.org.kind != desk.Provider {
			v.errs.add(line, f.field, "%s is not provider staff", *f.email)
		}
	}
	return nil
}

// inBlock reports a comment or event that does not follow its ticket.
func (v *validator) inBlock(line int, ref string) bool {
	switch {
	case v.block == nil:
		v.errs.add(line, "ticket", "%s: a ticket's comments and events follow its ticket line, and no ticket line comes before%s", ref, v.unreadableNote())
		return false
	case v.block.ref != ref:
		v.errs.add(line, "ticket", "%s is not the ticket of the lines above (%s): a ticket's comments and events follow its ticket line, before the next ticket", ref, v.block.ref)
		return false
	}
	return true
}

func (v *validator) comment(line int, r *Comment) error {
	ok := v.inBlock(line, r.Ticket)
	author, err := v.needUser(line, "author", r.Author)
	if err != nil {
		return err
	}
	if author != nil && r.Private && author.org.kind != desk.Provider {
		v.errs.add(line, "private", "only provider staff write private comments; %s is not staff", r.Author)
	}
	for i, m := range r.Mentions {
		if _, err := v.needUser(line, "mentions["+strconv.Itoa(i)+"]", m); err != nil {
			return err
		}
	}
	for i, l := range r.Likes {
		if _, err := v.needUser(line, "likes["+strconv.Itoa(i)+"].user", l.User); err != nil {
			return err
		}
	}
	if !ok {
		return nil
	}
	b := v.block
	b.n++
	key, field := strconv.Itoa(b.n), "ticket"
	if r.ExternalID != "" {
		key, field = r.ExternalID, "external_id"
	}
	if b.comments[key] {
		v.errs.add(line, field, "ticket %s already has a comment whose key is %q", b.ref, key)
	}
	b.comments[key] = true
	return nil
}

func (v *validator) event(line int, r *Event) error {
	ok := v.inBlock(line, r.Ticket)
	if r.Actor != nil {
		if _, err := v.needUser(line, "actor", *r.Actor); err != nil {
			return err
		}
	}
	if !ok {
		return nil
	}
	var dbErr error
	_, err := translate(r.Data, func(kind refKind, raw json.RawMessage) (json.RawMessage, error) {
		key, none, err := keyOf(kind, raw)
		if err != nil || none {
			return idValue(0), err
		}
		switch kind {
		case refUser:
			u, err := v.user(key)
			if err != nil {
				dbErr = err
			} else if u == nil {
				return nil, fmt.Errorf("no user %s on an earlier line or in the database%s", key, v.unreadableNote())
			}
		case refComment:
			if !v.block.comments[key] {
				return nil, fmt.Errorf("ticket %s has no comment whose key is %q on an earlier line", v.block.ref, key)
			}
		case refProject:
			found, err := v.hasProject(v.block.space, key)
			if err != nil {
				dbErr = err
			} else if !found {
				return nil, fmt.Errorf("space %s has no project named %q", v.block.space, key)
			}
		}
		return idValue(0), nil
	})
	if dbErr != nil {
		return dbErr
	}
	var fe fieldErr
	if errors.As(err, &fe) {
		v.errs.add(line, fe.field, "%s", fe.msg)
	}
	return nil
}
