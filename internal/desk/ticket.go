package desk

import (
	"strings"
	"time"
	"unicode/utf8"
)

// Nature says what a ticket is about.
type Nature string

// The natures of SPEC §2.
const (
	Anomaly   Nature = "anomaly"
	Evolution Nature = "evolution"
	Question  Nature = "question"
	Security  Nature = "security"
)

// Natures lists every nature.
var Natures = []Nature{Anomaly, Evolution, Question, Security}

// Criticality is the client's view of a ticket's impact.
type Criticality string

// The criticality levels, from the most to the least critical.
const (
	Blocking Criticality = "blocking"
	Serious  Criticality = "serious"
	Annoying Criticality = "annoying"
	Minor    Criticality = "minor"
)

// Criticalities lists every level, most critical first.
var Criticalities = []Criticality{Blocking, Serious, Annoying, Minor}

// Priority is support's internal priority, 1 (P1) to 4 (P4). Clients never see it.
type Priority int

// DefaultPriority is the internal priority a criticality implies.
func DefaultPriority(c Criticality) Priority {
	for i, x := range Criticalities {
		if x == c {
			return Priority(i + 1)
		}
	}
	return 4
}

// Status is where a ticket stands in the workflow.
type Status string

// The statuses of SPEC §3.
const (
	Open               Status = "open"
	AwaitingClient     Status = "awaiting_client"
	AwaitingRDDecision Status = "awaiting_rd_decision"
	AwaitingDelivery   Status = "awaiting_delivery"
	ToClose            Status = "to_close"
	Closed             Status = "closed"
)

// Statuses lists every status in workflow order.
var Statuses = []Status{Open, AwaitingClient, AwaitingRDDecision, AwaitingDelivery, ToClose, Closed}

// Channel is how a ticket arrived.
type Channel string

// The channels.
const (
	Web   Channel = "web"
	API   Channel = "api"
	Email Channel = "email"
	Phone Channel = "phone"
)

// Ticket is a support request in a space.
type Ticket struct {
	ID      int64
	SpaceID int64
	// Number is the ticket's number in its space: SUP-1042 is number 1042 of the
	// space whose key is SUP. Numbers have no gaps and no duplicates.
	Number    int64
	ProjectID int64 // 0 when none
	Title     string
	Nature    Nature
	// Criticality is set by the client; Priority by support. PriorityDisputed is
	// the "criticality under discussion" flag, raised when they disagree.
	Criticality      Criticality
	Priority         Priority
	PriorityDisputed bool
	Category         string
	Keywords         []string
	ProductVersion   string
	ModuleVersions   string
	Description      string // Markdown
	LogExcerpt       string
	Channel          Channel
	AuthorID         int64
	AssigneeID       int64 // level-2 agent, 0 when none
	EngineerID       int64 // level-3 engineer, 0 when none
	Status           Status
	Resolution       string
	RDIssue          string // linked R&D issue key
	Decision         Decision
	DecisionNote     string
	TargetVersion    string
	Rating           int // 1–5 once the author closes, 0 otherwise
	RatingComment    string
	CreatedAt        time.Time
	UpdatedAt        time.Time
	ClosedAt         *time.Time
	// Deadline is the nearest deadline of its running objectives as last
	// planned, nil when none: the key of the deadline order, for staff only.
	Deadline *time.Time
}

// Ref is the ticket's human reference, e.g. SUP-1042.
func Ref(spaceKey string, number int64) string {
	return spaceKey + "-" + itoa(number)
}

func itoa(n int64) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}

// Limits on ticket fields.
const (
	MaxTitleLen       = 200
	MaxTextLen        = 100_000 // description, comment
	MaxLogExcerptLen  = 200_000
	MaxKeywords       = 20
	MaxKeywordLen     = 50
	MaxShortFieldLen  = 100 // category, versions, resolution…
	MaxModuleVersions = 2_000
)

// CheckNature validates a nature.
func CheckNature(n Nature) error {
	for _, x := range Natures {
		if n == x {
			return nil
		}
	}
	return FieldError("nature", "must be one of anomaly, evolution, question, security")
}

// CheckCriticality validates a criticality.
func CheckCriticality(c Criticality) error {
	for _, x := range Criticalities {
		if c == x {
			return nil
		}
	}
	return FieldError("criticality", "must be one of blocking, serious, annoying, minor")
}

// CheckPriority validates an internal priority.
func CheckPriority(p Priority) error {
	if p < 1 || p > 4 {
		return FieldError("priority", "must be 1 to 4 (P1 to P4)")
	}
	return nil
}

// CheckStatus validates a status name (for filters).
func CheckStatus(s Status) error {
	for _, x := range Statuses {
		if s == x {
			return nil
		}
	}
	return FieldError("status", "must be one of open, awaiting_client, awaiting_rd_decision, awaiting_delivery, to_close, closed")
}

// CheckText validates a free text field of at most max characters.
func CheckText(field, s string, max int, required bool) error {
	if required && strings.TrimSpace(s) == "" {
		return FieldError(field, "is required")
	}
	if utf8.RuneCountInString(s) > max {
		return FieldError(field, "must be at most %d characters", max)
	}
	if !utf8.ValidString(s) {
		return FieldError(field, "must be valid UTF-8 text")
	}
	return nil
}

// CleanKeywords trims, lower-cases and de-duplicates keywords, and checks them.
func CleanKeywords(in []string) ([]string, error) {
	out := make([]string, 0, len(in))
	seen := map[string]bool{}
	for _, k := range in {
		k = strings.ToLower(strings.TrimSpace(k))
		if k == "" || seen[k] {
			continue
		}
		if utf8.RuneCountInString(k) > MaxKeywordLen {
			return nil, FieldError("keywords", "each keyword must be at most %d characters", MaxKeywordLen)
		}
		seen[k] = true
		out = append(out, k)
	}
	if len(out) > MaxKeywords {
		return nil, FieldError("keywords", "at most %d keywords", MaxKeywords)
	}
	return out, nil
}

// SetPriority changes the internal priority and keeps the "criticality under
// discussion" flag raised while priority and criticality disagree.
func (t *Ticket) SetPriority(p Priority) {
	t.Priority = p
	t.PriorityDisputed = p != DefaultPriority(t.Criticality)
}

// SetCriticality changes the criticality; the priority follows unless support set
// another one, in which case the flag tells whether the two now agree.
func (t *Ticket) SetCriticality(c Criticality) {
	if !t.PriorityDisputed {
		t.Priority = DefaultPriority(c)
	}
	t.Criticality = c
	t.PriorityDisputed = t.Priority != DefaultPriority(c)
}

// TicketScope is what a ticket query may return for an actor, decided once and
// applied in SQL: every ticket (All), or the tickets of Spaces that are not security
// tickets, plus the security tickets of SecuritySpaces and those AuthorID wrote.
type TicketScope struct {
	All            bool
	Spaces         []int64
	SecuritySpaces []int64
	AuthorID       int64
}

// Empty tells whether the scope can match nothing.
func (s TicketScope) Empty() bool { return !s.All && len(s.Spaces) == 0 }

// TicketScope is the tickets the actor may see: all for provider staff; for client
// and partner users, those of their spaces, security tickets only for their author
// and the client's security officers.
func (a *Actor) TicketScope() TicketScope {
	if a.Staff() {
		return TicketScope{All: true}
	}
	if a.Anonymous() {
		return TicketScope{}
	}
	sc := TicketScope{Spaces: a.VisibleSpaces().IDs, AuthorID: a.UserID}
	if a.OrgKind == Client && a.Roles[SecurityOfficer] {
		sc.SecuritySpaces = sc.Spaces
	}
	return sc
}

// CanSeeTicket tells whether the actor may see ticket t (same rule as TicketScope).
func (a *Actor) CanSeeTicket(t *Ticket) bool {
	if a.Staff() {
		return true
	}
	if a.Anonymous() || !a.Spaces[t.SpaceID] {
		return false
	}
	if t.Nature != Security {
		return true
	}
	return t.AuthorID == a.UserID || (a.OrgKind == Client && a.Roles[SecurityOfficer])
}

// IsClientMember tells whether the actor is a client user who belongs to the space:
// the people who may comment on its tickets. Partner users only read.
func (a *Actor) IsClientMember(spaceID int64) bool {
	return !a.Anonymous() && a.OrgKind == Client && a.Spaces[spaceID]
}

// CanOpenTicket tells whether the actor may open a ticket in a space: a client
// contact who belongs to it, or provider staff on a client's behalf.
func (a *Actor) CanOpenTicket(spaceID int64) bool {
	return a.Staff() || (a.IsClientMember(spaceID) && a.Roles[Contact])
}

// CanSeePrivate tells whether the actor sees private comments: provider staff only.
func (a *Actor) CanSeePrivate() bool { return a.Staff() }
