// Package transfer reads and writes Guichet's import format (docs/IMPORT.md): one
// JSON object per line, each a record of one type — organisation, user, space,
// project, membership, ticket, comment or event — that refers to others by their
// natural keys (names, email addresses, space keys, ticket references), never by
// database ids. Import checks a whole file before it writes anything, then writes
// it in one transaction; Export writes a base in the same format, so that export
// then import reproduces it.
package transfer

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"guichet/internal/desk"
)

// The record types, the value of every line's "type".
const (
	TypeOrganisation = "organisation"
	TypeUser         = "user"
	TypeSpace        = "space"
	TypeProject      = "project"
	TypeMembership   = "membership"
	TypeTicket       = "ticket"
	TypeComment      = "comment"
	TypeEvent        = "event"
)

// Organisation is an "organisation" line. Organisations are known by kind and
// name.
type Organisation struct {
	Type      string       `json:"type"`
	Kind      desk.OrgKind `json:"kind"`
	Name      string       `json:"name"`
	Trained   bool         `json:"trained"`
	TrainedOn *string      `json:"trained_on"`
	CreatedAt string       `json:"created_at"`
}

// User is a "user" line. Users are known by email address; Org and OrgKind name
// their organisation. PasswordHash is an argon2id hash in PHC format; without
// one, the account cannot sign in until a password is set.
type User struct {
	Type         string       `json:"type"`
	Email        string       `json:"email"`
	Name         string       `json:"name"`
	Org          string       `json:"org"`
	OrgKind      desk.OrgKind `json:"org_kind"`
	Locale       string       `json:"locale"`
	Roles        []desk.Role  `json:"roles"`
	Disabled     bool         `json:"disabled"`
	PasswordHash string       `json:"password_hash,omitempty"`
	CreatedAt    string       `json:"created_at"`
}

// Space is a "space" line. Spaces are known by key; Client names the client
// organisation that owns it.
type Space struct {
	Type              string `json:"type"`
	Key               string `json:"key"`
	Name              string `json:"name"`
	Client            string `json:"client"`
	RequireDiagnostic *bool  `json:"require_diagnostic"`
	CreatedAt         string `json:"created_at"`
}

// Project is a "project" line, known by its space's key and its name.
type Project struct {
	Type      string `json:"type"`
	Space     string `json:"space"`
	Name      string `json:"name"`
	CreatedAt string `json:"created_at"`
}

// Membership is a "membership" line: User belongs to Space.
type Membership struct {
	Type    string  `json:"type"`
	Space   string  `json:"space"`
	User    string  `json:"user"`
	AddedBy *string `json:"added_by"`
	AddedAt string  `json:"added_at"`
}

// Ticket is a "ticket" line with every field of desk.Ticket. It is known by its
// reference (ACME-12), which gives its space and its number.
type Ticket struct {
	Type             string           `json:"type"`
	Ref              string           `json:"ref"`
	Project          *string          `json:"project"`
	Title            string           `json:"title"`
	Nature           desk.Nature      `json:"nature"`
	Criticality      desk.Criticality `json:"criticality"`
	Priority         desk.Priority    `json:"priority"`
	PriorityDisputed bool             `json:"priority_disputed"`
	Category         string           `json:"category"`
	Keywords         []string         `json:"keywords"`
	ProductVersion   string           `json:"product_version"`
	ModuleVersions   string           `json:"module_versions"`
	Description      string           `json:"description"`
	LogExcerpt       string           `json:"log_excerpt"`
	Channel          desk.Channel     `json:"channel"`
	Author           string           `json:"author"`
	Assignee         *string          `json:"assignee"`
	Engineer         *string          `json:"engineer"`
	Status           desk.Status      `json:"status"`
	Resolution       string           `json:"resolution"`
	RDIssue          string           `json:"rd_issue"`
	Decision         desk.Decision    `json:"decision"`
	DecisionNote     string           `json:"decision_note"`
	TargetVersion    string           `json:"target_version"`
	Rating           int              `json:"rating"`
	RatingComment    string           `json:"rating_comment"`
	CreatedAt        string           `json:"created_at"`
	UpdatedAt        string           `json:"updated_at"`
	ClosedAt         *string          `json:"closed_at"`
}

// Comment is a "comment" line on Ticket. Within its ticket a comment is known by
// its ExternalID when it has one, otherwise by its position (1, 2, 3…) among the
// ticket's comments in the file.
type Comment struct {
	Type       string   `json:"type"`
	Ticket     string   `json:"ticket"`
	ExternalID string   `json:"external_id,omitempty"`
	Author     string   `json:"author"`
	Body       string   `json:"body"`
	Private    bool     `json:"private"`
	Mentions   []string `json:"mentions"`
	Likes      []Like   `json:"likes"`
	CreatedAt  string   `json:"created_at"`
}

// Like is one recommendation of a comment.
type Like struct {
	User string `json:"user"`
	At   string `json:"at"`
}

// Event is an "event" line of Ticket's history. Actor is nil for automatic
// events. Data is a JSON object whose references hold natural keys (see
// docs/IMPORT.md); events carry no hash: import seals them into the ticket's chain.
type Event struct {
	Type    string          `json:"type"`
	Ticket  string          `json:"ticket"`
	Kind    desk.EventKind  `json:"kind"`
	Actor   *string         `json:"actor"`
	At      string          `json:"at"`
	Private bool            `json:"private"`
	Data    json.RawMessage `json:"data"`
}

// record is a line of one of the types above; check validates what can be known
// from the line alone and puts its values in canonical form (times in UTC to the
// microsecond, addresses lower-case, defaults filled in).
type record interface {
	check(p *problems)
}

// newRecord returns an empty record of type typ, nil for an unknown type.
func newRecord(typ string) record {
	switch typ {
	case TypeOrganisation:
		return &Organisation{}
	case TypeUser:
		return &User{}
	case TypeSpace:
		return &Space{}
	case TypeProject:
		return &Project{}
	case TypeMembership:
		return &Membership{}
	case TypeTicket:
		return &Ticket{}
	case TypeComment:
		return &Comment{}
	case TypeEvent:
		return &Event{}
	}
	return nil
}

const typeList = "organisation, user, space, project, membership, ticket, comment, event"

// parseLine decodes and checks one line. A blank line gives no record and no
// problem. A line with problems gives its record too when it could be decoded at
// all (leaving out unknown fields and values of the wrong type), so that what it
// names is known to the lines after it and one mistake is not reported on every
// line that refers to it.
func parseLine(line []byte) (record, problems) {
	var p problems
	line = bytes.TrimSpace(line)
	if len(line) == 0 {
		return nil, nil
	}
	if !json.Valid(line) {
		var v any
		err := json.Unmarshal(line, &v)
		var se *json.SyntaxError
		if errors.As(err, &se) {
			p.add("", "malformed JSON at byte %d: %s", se.Offset, strings.TrimPrefix(se.Error(), "json: "))
		} else {
			p.add("", "malformed JSON")
		}
		return nil, p
	}
	if line[0] != '{' {
		p.add("", "must be a JSON object")
		return nil, p
	}
	if !utf8.Valid(line) {
		p.add("", "is not valid UTF-8 text")
		return nil, p
	}
	if hasNUL(line) {
		p.add("", `holds a NUL character (\u0000), which the database cannot store`)
		return nil, p
	}
	var head struct {
		Type *string `json:"type"`
	}
	if err := json.Unmarshal(line, &head); err != nil {
		p.add("type", "must be a string: one of %s", typeList)
		return nil, p
	}
	if head.Type == nil || *head.Type == "" {
		p.add("type", "is required: one of %s", typeList)
		return nil, p
	}
	rec := newRecord(*head.Type)
	if rec == nil {
		p.add("type", "must be one of %s, not %q", typeList, *head.Type)
		return nil, p
	}
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.DisallowUnknownFields()
	if err := dec.Decode(rec); err != nil {
		bad := decodeProblem(err, *head.Type)
		p = append(p, bad)
		rec = newRecord(*head.Type)
		var te *json.UnmarshalTypeError
		if err := json.Unmarshal(line, rec); err != nil && !errors.As(err, &te) {
			return nil, p
		}
		var more problems
		rec.check(&more)
		for _, m := range more {
			if m.field != bad.field {
				p = append(p, m)
			}
		}
		return rec, p
	}
	rec.check(&p)
	return rec, p
}

// hasNUL tells whether a string of a valid JSON text holds the character U+0000.
func hasNUL(line []byte) bool {
	if !bytes.Contains(line, []byte(`\u0000`)) {
		return false
	}
	dec := json.NewDecoder(bytes.NewReader(line))
	for {
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		if s, ok := tok.(string); ok && strings.IndexByte(s, 0) >= 0 {
			return true
		}
	}
}

// decodeProblem explains a decoding error of a well-formed line.
func decodeProblem(err error, typ string) fieldError {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fieldError{te.Field, "must be " + describeType(te.Type) + ", not " + te.Value}
	}
	if s, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		if name, uerr := strconv.Unquote(s); uerr == nil {
			return fieldError{name, "is not a field of " + article(typ) + " record"}
		}
	}
	return fieldError{"", strings.TrimPrefix(err.Error(), "json: ")}
}

func article(word string) string {
	if strings.ContainsRune("aeiou", rune(word[0])) {
		return "an " + word
	}
	return "a " + word
}

func describeType(t reflect.Type) string {
	if t == nil {
		return "a value"
	}
	switch t.Kind() {
	case reflect.Pointer:
		return describeType(t.Elem()) + " or null"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 { // json.RawMessage
			return "a JSON value"
		}
		return "a list"
	case reflect.Struct, reflect.Map:
		return "an object"
	}
	return "a value of another type"
}

// Times are written in RFC 3339, in UTC, to the microsecond.
const timeLayout = time.RFC3339Nano

// formatTime writes an instant as the format does.
func formatTime(t time.Time) string { return t.UTC().Truncate(time.Microsecond).Format(timeLayout) }

// formatNullTime writes an optional instant: nil for none.
func formatNullTime(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := formatTime(*t)
	return &s
}

// parseTime reads an instant written by formatTime, or any RFC 3339 time.
func parseTime(s string) (time.Time, error) {
	t, err := time.Parse(timeLayout, s)
	if err != nil {
		return time.Time{}, err
	}
	t = t.UTC().Truncate(time.Microsecond)
	if t.Year() < 1970 || t.Year() > 9999 {
		return time.Time{}, errors.New("out of range")
	}
	return t, nil
}

// mustTime reads a time already checked.
func mustTime(s string) time.Time {
	t, err := parseTime(s)
	if err != nil {
		panic("transfer: unchecked time " + strconv.Quote(s))
	}
	return t
}

// mustNullTime reads an optional time already checked.
func mustNullTime(s *string) *time.Time {
	if s == nil {
		return nil
	}
	t := mustTime(*s)
	return &t
}

// checkTime validates a required time and puts it in canonical form.
func (p *problems) checkTime(field string, s *string) {
	if *s == "" {
		p.add(field, "is required: a time in RFC 3339 format, e.g. 2026-03-02T09:30:00Z")
		return
	}
	t, err := parseTime(*s)
	if err != nil {
		p.add(field, "must be a time in RFC 3339 format between 1970 and 9999, e.g. 2026-03-02T09:30:00Z, not %q", *s)
		return
	}
	*s = formatTime(t)
}

// checkNullTime validates an optional time: null and "" are none.
func (p *problems) checkNullTime(field string, s **string) {
	if *s == nil || **s == "" {
		*s = nil
		return
	}
	v := **s
	p.checkTime(field, &v)
	*s = &v
}

// checkDesk records a desk validation error under field.
func (p *problems) checkDesk(field string, err error) {
	if err == nil {
		return
	}
	if e, ok := desk.AsError(err); ok {
		p.add(field, "%s", e.Message)
		return
	}
	p.add(field, "%s", err.Error())
}

// checkEmail validates a required address (a user's own, or a reference to one)
// and lower-cases it.
func (p *problems) checkEmail(field string, s *string) {
	*s = desk.NormaliseEmail(*s)
	if *s == "" {
		p.add(field, "is required: an email address")
		return
	}
	p.checkDesk(field, desk.CheckEmail(*s))
}

// checkNullEmail validates an optional reference to a user: null and "" are none.
func (p *problems) checkNullEmail(field string, s **string) {
	if *s == nil || strings.TrimSpace(**s) == "" {
		*s = nil
		return
	}
	v := **s
	p.checkEmail(field, &v)
	*s = &v
}

// checkKey validates a reference to a space by key.
func (p *problems) checkKey(field, s string) {
	if s == "" {
		p.add(field, "is required: a space key")
		return
	}
	p.checkDesk(field, desk.CheckSpaceKey(s))
}

// checkName validates a required name and trims it.
func (p *problems) checkName(field string, s *string) {
	p.checkDesk(field, desk.CheckName(field, *s))
	*s = strings.TrimSpace(*s)
}

// parseRef splits a ticket reference, ACME-12, into its space key and number.
func parseRef(ref string) (key string, number int64, ok bool) {
	key, num, found := strings.Cut(ref, "-")
	if !found || desk.CheckSpaceKey(key) != nil || num == "" || num[0] == '0' || len(num) > 15 {
		return "", 0, false
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n <= 0 {
		return "", 0, false
	}
	return key, n, true
}

// checkRef validates a ticket reference.
func (p *problems) checkRef(field, ref string) {
	if ref == "" {
		p.add(field, "is required: a ticket reference such as ACME-12")
		return
	}
	if _, _, ok := parseRef(ref); !ok {
		p.add(field, "must be a ticket reference such as ACME-12 (the space key, a dash, the number without leading zeros), not %q", ref)
	}
}

func (r *Organisation) check(p *problems) {
	p.checkDesk("kind", desk.CheckOrgKind(r.Kind))
	p.checkName("name", &r.Name)
	p.checkNullTime("trained_on", &r.TrainedOn)
	switch {
	case r.Kind != desk.Partner && (r.Trained || r.TrainedOn != nil):
		p.add("trained", "only partners are trained")
	case r.Trained && r.TrainedOn == nil:
		p.add("trained_on", "is required when the partner is trained")
	case !r.Trained && r.TrainedOn != nil:
		p.add("trained_on", "must be null when the partner is not trained")
	}
	p.checkTime("created_at", &r.CreatedAt)
}

// argon2idPHC matches the hashes app.HashPassword writes.
var argon2idPHC = regexp.MustCompile(`^\$argon2id\$v=19\$m=([0-9]{1,7}),t=([0-9]{1,2}),p=([0-9]{1,2})\$([A-Za-z0-9+/]{16,88})\$([A-Za-z0-9+/]{16,88})$`)

// Bounds on the cost of an imported password hash, which every sign-in pays.
const (
	maxArgonMemory  = 256 * 1024 // KiB
	maxArgonTime    = 10
	maxArgonThreads = 16
)

func checkPasswordHash(h string) string {
	m := argon2idPHC.FindStringSubmatch(h)
	if m == nil {
		return "must be an argon2id hash in PHC format ($argon2id$v=19$m=…,t=…,p=…$salt$key); leave it out to create the account without a usable password"
	}
	mem, _ := strconv.Atoi(m[1])
	t, _ := strconv.Atoi(m[2])
	par, _ := strconv.Atoi(m[3])
	if mem < 8 || mem > maxArgonMemory || t < 1 || t > maxArgonTime || par < 1 || par > maxArgonThreads {
		return "argon2id parameters out of bounds (m 8 to 262144 KiB, t 1 to 10, p 1 to 16)"
	}
	for _, part := range m[4:] {
		if _, err := base64.RawStdEncoding.DecodeString(part); err != nil {
			return "salt and key must be unpadded standard base64"
		}
	}
	return ""
}

func (r *User) check(p *problems) {
	p.checkEmail("email", &r.Email)
	p.checkName("name", &r.Name)
	p.checkName("org", &r.Org)
	p.checkDesk("org_kind", desk.CheckOrgKind(r.OrgKind))
	p.checkDesk("locale", desk.CheckLocale(r.Locale))
	if r.Roles == nil {
		r.Roles = []desk.Role{}
	}
	if desk.CheckOrgKind(r.OrgKind) == nil {
		org := &desk.Organisation{ID: 1, Kind: r.OrgKind}
		grants := make([]desk.RoleGrant, len(r.Roles))
		for i, role := range r.Roles {
			grants[i] = desk.RoleGrant{Role: role}
			if desk.IsClientRole(role) {
				grants[i].ClientID = 1
			}
		}
		p.checkDesk("roles", desk.CheckGrants(org, grants))
	}
	if r.PasswordHash != "" {
		if msg := checkPasswordHash(r.PasswordHash); msg != "" {
			p.add("password_hash", "%s", msg)
		}
	}
	p.checkTime("created_at", &r.CreatedAt)
}

func (r *Space) check(p *problems) {
	p.checkKey("key", r.Key)
	p.checkName("name", &r.Name)
	p.checkName("client", &r.Client)
	if r.RequireDiagnostic == nil {
		yes := true
		r.RequireDiagnostic = &yes
	}
	p.checkTime("created_at", &r.CreatedAt)
}

func (r *Project) check(p *problems) {
	p.checkKey("space", r.Space)
	p.checkName("name", &r.Name)
	p.checkTime("created_at", &r.CreatedAt)
}

func (r *Membership) check(p *problems) {
	p.checkKey("space", r.Space)
	p.checkEmail("user", &r.User)
	p.checkNullEmail("added_by", &r.AddedBy)
	p.checkTime("added_at", &r.AddedAt)
}

// channels are the ways a ticket arrives.
var channels = []desk.Channel{desk.Web, desk.API, desk.Email, desk.Phone}

// decisions are the values of Ticket.Decision; "" is none.
var decisions = []desk.Decision{"", desk.NotRetained, desk.InterestingNotRetained, desk.AcceptedBacklog, desk.AcceptedPlanned}

func (r *Ticket) check(p *problems) {
	p.checkRef("ref", r.Ref)
	if r.Project != nil && strings.TrimSpace(*r.Project) == "" {
		r.Project = nil
	}
	if r.Project != nil {
		v := *r.Project
		p.checkName("project", &v)
		r.Project = &v
	}
	p.checkDesk("title", desk.CheckText("title", r.Title, desk.MaxTitleLen, true))
	p.checkDesk("nature", desk.CheckNature(r.Nature))
	p.checkDesk("criticality", desk.CheckCriticality(r.Criticality))
	if r.Nature == desk.Security && r.Criticality != desk.Blocking && desk.CheckCriticality(r.Criticality) == nil {
		p.add("criticality", "a security ticket is always blocking")
	}
	if r.Priority == 0 {
		r.Priority = desk.DefaultPriority(r.Criticality)
		if desk.CheckCriticality(r.Criticality) != nil {
			r.Priority = 4
		}
	}
	p.checkDesk("priority", desk.CheckPriority(r.Priority))
	if r.PriorityDisputed && r.Priority == desk.DefaultPriority(r.Criticality) {
		p.add("priority_disputed", "is true only when the priority differs from the criticality's (P%d for %s)",
			desk.DefaultPriority(r.Criticality), r.Criticality)
	}
	for _, f := range []struct {
		name, value string
		max         int
	}{{"category", r.Category, desk.MaxShortFieldLen}, {"product_version", r.ProductVersion, desk.MaxShortFieldLen},
		{"module_versions", r.ModuleVersions, desk.MaxModuleVersions}, {"description", r.Description, desk.MaxTextLen},
		{"log_excerpt", r.LogExcerpt, desk.MaxLogExcerptLen}, {"resolution", r.Resolution, desk.MaxShortFieldLen},
		{"rd_issue", r.RDIssue, desk.MaxShortFieldLen}, {"decision_note", r.DecisionNote, desk.MaxTextLen},
		{"target_version", r.TargetVersion, desk.MaxShortFieldLen},
		{"rating_comment", r.RatingComment, desk.MaxShortFieldLen * 20}} {
		p.checkDesk(f.name, desk.CheckText(f.name, f.value, f.max, false))
	}
	kw, err := desk.CleanKeywords(r.Keywords)
	p.checkDesk("keywords", err)
	if err == nil {
		r.Keywords = kw
	}
	if r.Channel == "" {
		r.Channel = desk.Web
	}
	if !contains(channels, r.Channel) {
		p.add("channel", "must be one of web, api, email, phone")
	}
	p.checkEmail("author", &r.Author)
	p.checkNullEmail("assignee", &r.Assignee)
	p.checkNullEmail("engineer", &r.Engineer)
	p.checkDesk("status", desk.CheckStatus(r.Status))
	if !contains(decisions, r.Decision) {
		p.add("decision", "must be empty or one of not_retained, interesting_not_retained, accepted_backlog, accepted_planned")
	}
	if r.Rating < 0 || r.Rating > 5 {
		p.add("rating", "must be 0 (none) or 1 to 5")
	}
	p.checkTime("created_at", &r.CreatedAt)
	if r.UpdatedAt == "" {
		r.UpdatedAt = r.CreatedAt
	}
	p.checkTime("updated_at", &r.UpdatedAt)
	p.checkNullTime("closed_at", &r.ClosedAt)
	switch {
	case r.Status == desk.Closed && r.ClosedAt == nil:
		p.add("closed_at", "is required: the ticket is closed")
	case r.Status != desk.Closed && r.ClosedAt != nil && desk.CheckStatus(r.Status) == nil:
		p.add("closed_at", "must be null: the ticket is not closed")
	}
}

// MaxExternalIDLen is the longest comment external_id.
const MaxExternalIDLen = 200

func (r *Comment) check(p *problems) {
	p.checkRef("ticket", r.Ticket)
	if r.ExternalID != "" {
		p.checkDesk("external_id", desk.CheckText("external_id", r.ExternalID, MaxExternalIDLen, true))
	}
	p.checkEmail("author", &r.Author)
	p.checkDesk("body", desk.CheckText("body", r.Body, desk.MaxTextLen, false))
	if r.Mentions == nil {
		r.Mentions = []string{}
	}
	seen := map[string]bool{}
	for i := range r.Mentions {
		field := "mentions[" + strconv.Itoa(i) + "]"
		p.checkEmail(field, &r.Mentions[i])
		if seen[r.Mentions[i]] {
			p.add(field, "%s is mentioned twice", r.Mentions[i])
		}
		seen[r.Mentions[i]] = true
	}
	if r.Likes == nil {
		r.Likes = []Like{}
	}
	clear(seen)
	for i := range r.Likes {
		l := &r.Likes[i]
		field := "likes[" + strconv.Itoa(i) + "]"
		p.checkEmail(field+".user", &l.User)
		p.checkTime(field+".at", &l.At)
		switch {
		case seen[l.User]:
			p.add(field+".user", "%s recommends the comment twice", l.User)
		case l.User == r.Author && l.User != "":
			p.add(field+".user", "nobody recommends their own comment")
		}
		seen[l.User] = true
	}
	p.checkTime("created_at", &r.CreatedAt)
}

// eventKind is the shape of an event kind: a lower-case identifier.
var eventKind = regexp.MustCompile(`^[a-z][a-z0-9_]{0,49}$`)

func (r *Event) check(p *problems) {
	p.checkRef("ticket", r.Ticket)
	if r.Kind == "" {
		p.add("kind", "is required, e.g. created, transition, commented")
	} else if !eventKind.MatchString(string(r.Kind)) {
		p.add("kind", "must be a lower-case identifier (a-z, 0-9, _), at most 50 characters")
	}
	p.checkNullEmail("actor", &r.Actor)
	p.checkTime("at", &r.At)
	if len(r.Data) == 0 || string(r.Data) == "null" {
		r.Data = json.RawMessage(`{}`)
	}
	obj, err := parseObject(r.Data)
	if err != nil {
		p.add("data", "%s", err.Error())
		return
	}
	r.Data = obj.marshal()
}

func contains[T comparable](list []T, v T) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
