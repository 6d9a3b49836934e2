package app

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"strconv"
	"time"

	"guichet/internal/desk"
)

// NumberedData is the data of an event that names what the store numbers in
// the same write (a new ticket, a new comment): Before, the number in decimal,
// then After.
type NumberedData struct{ Before, After string }

// With is the data for the number n.
func (d NumberedData) With(n int64) []byte {
	return []byte(d.Before + strconv.FormatInt(n, 10) + d.After)
}

// TicketQueries are the reads and writes of tickets, their comments, attachments
// and events. They are part of Queries.
type TicketQueries interface {
	// OpenTicket numbers t with its space's next number, stores it with its
	// first timers and its first event, and sets its ID and Number. Inside a
	// transaction it holds the space's counter until commit, so numbers have
	// no gaps and no duplicates under concurrent creation. first, when not
	// nil, comes with its actor, time, kind and privacy: it is stored as the
	// first link of t's chain, its data being data with t's number, and its
	// ID, TicketID, Seq, Data and Hash are set.
	OpenTicket(ctx context.Context, t *desk.Ticket, timers TimerUpdate, first *desk.Event, data NumberedData) error
	// CreateTicket stores t with the number it has (an import's).
	CreateTicket(ctx context.Context, t *desk.Ticket) error
	// UpdateTicket saves the mutable fields of t that differ from before, the
	// ticket as read in this transaction (every field when before is nil).
	UpdateTicket(ctx context.Context, before, t *desk.Ticket) error
	// SaveTicket saves t as UpdateTicket does, and its timers but their
	// deadline, which is t's.
	SaveTicket(ctx context.Context, before, t *desk.Ticket, timers TimerUpdate) error
	Ticket(ctx context.Context, id int64) (*desk.Ticket, error)
	// TicketForUpdate reads a ticket and, inside a transaction, locks it until
	// commit, so that its events are appended one writer at a time.
	TicketForUpdate(ctx context.Context, id int64) (*desk.Ticket, error)
	TicketByRef(ctx context.Context, spaceKey string, number int64) (*desk.Ticket, error)
	// ListTickets lists the tickets of scope matching f, in f's order, after f's
	// cursor; the scope is applied in SQL.
	ListTickets(ctx context.Context, scope desk.TicketScope, f TicketFilter) ([]desk.Ticket, error)
	// SimilarTickets lists the tickets of scope in one space whose title contains
	// every word of q, newest first.
	SimilarTickets(ctx context.Context, scope desk.TicketScope, spaceID int64, q string, limit int) ([]desk.Ticket, error)

	// LastEvent returns the ticket's latest event, NotFound when it has none.
	LastEvent(ctx context.Context, ticketID int64) (*desk.Event, error)
	// AppendEvent inserts a sealed event; a second event with the same ticket and
	// sequence number is a Conflict.
	AppendEvent(ctx context.Context, e *desk.Event) error
	// Events lists a ticket's events in order; private ones only when asked.
	Events(ctx context.Context, ticketID int64, withPrivate bool) ([]desk.Event, error)
	// EventsAfter returns the events of the tickets with ids in (afterTicket,
	// afterTicket+…], ordered by ticket then sequence, at most limit events and
	// never splitting a ticket unless it alone exceeds limit. For verify.
	EventsAfter(ctx context.Context, afterTicket int64, limit int) ([]desk.Event, error)

	CreateComment(ctx context.Context, c *desk.Comment) error
	// CreateCommentWithEvent stores c and e, the event that records it, whose
	// data is data with c's id; e comes with its ticket, sequence number,
	// actor, time, kind, privacy and previous hash. It sets c's ID, e's ID,
	// Data and Hash.
	CreateCommentWithEvent(ctx context.Context, c *desk.Comment, e *desk.Event, data NumberedData) error
	Comment(ctx context.Context, id int64) (*desk.Comment, error)
	// ListComments lists a ticket's comments oldest first; private ones only when
	// withPrivate.
	ListComments(ctx context.Context, ticketID int64, withPrivate bool, p desk.Page) ([]desk.Comment, error)
	// LikeComment records a user's recommendation; twice is a Conflict.
	LikeComment(ctx context.Context, commentID, userID int64, at time.Time) error

	// PutBlob stores content read from r under its SHA-256 (hex), in chunks, never
	// holding it whole in memory. Storing the same content twice keeps one copy.
	PutBlob(ctx context.Context, sha256 string, size int64, r io.Reader) error
	// OpenBlob streams stored content.
	OpenBlob(ctx context.Context, sha256 string) (io.ReadCloser, error)
	CreateAttachment(ctx context.Context, a *desk.Attachment) error
	Attachment(ctx context.Context, id int64) (*desk.Attachment, error)
	// ListAttachments lists a ticket's attachments, those of private comments only
	// when withPrivate.
	ListAttachments(ctx context.Context, ticketID int64, withPrivate bool) ([]desk.Attachment, error)

	// UsersByEmail returns the users with these (normalised) addresses.
	UsersByEmail(ctx context.Context, emails []string) ([]desk.User, error)
	// Setting reads an installation setting; NotFound when unset.
	Setting(ctx context.Context, key string) (string, error)
	SetSetting(ctx context.Context, key, value string) error
	// MarkSweep records the instant of the last sweep (LastSweepSetting).
	MarkSweep(ctx context.Context, instant string) error
}

// TicketFilter selects and orders a ticket list. Zero fields do not filter.
type TicketFilter struct {
	SpaceID     int64
	ProjectID   int64
	Status      []desk.Status
	Nature      desk.Nature
	Criticality desk.Criticality
	Priority    desk.Priority
	AssigneeID  int64
	AuthorID    int64
	Text        string // in the title
	Sort        TicketSort
	Desc        bool
	After       *TicketCursor
	Limit       int
}

// TicketSort names an order of the ticket lists; each ends with the ticket id so
// that keyset pagination is exact.
type TicketSort string

// The orders: by priority then age (the default), by age, by last change, or by
// one field then age.
const (
	SortPriority    TicketSort = "priority"    // priority, created_at, id
	SortCreated     TicketSort = "created"     // created_at, id
	SortUpdated     TicketSort = "updated"     // updated_at, id
	SortStatus      TicketSort = "status"      // status, created_at, id
	SortNature      TicketSort = "nature"      // nature, created_at, id
	SortCriticality TicketSort = "criticality" // criticality rank, created_at, id
	SortAssignee    TicketSort = "assignee"    // assignee_id, created_at, id
	SortNumber      TicketSort = "number"      // id
	SortDeadline    TicketSort = "deadline"    // nearest objective deadline, id (none last)
)

// TicketSorts lists the orders on a ticket's own fields. SortDeadline, on the
// cached deadline of its objectives, is accepted besides them.
var TicketSorts = []TicketSort{SortPriority, SortCreated, SortUpdated, SortStatus, SortNature,
	SortCriticality, SortAssignee, SortNumber}

// TicketCursor is the position after the last ticket of a page: the value of the
// sort's first key (priority, rank, status…, or nil for created/updated/number),
// the time key and the id.
type TicketCursor struct {
	Key  string    `json:"k,omitempty"`
	Time time.Time `json:"t"`
	ID   int64     `json:"i"`
}

// NoDeadline is the key of a ticket without a deadline in the deadline order:
// it sorts last.
var NoDeadline = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)

// CursorAfter is the cursor after t in the order s.
func CursorAfter(t *desk.Ticket, s TicketSort) string {
	c := TicketCursor{Time: t.CreatedAt, ID: t.ID}
	switch s {
	case SortDeadline:
		c.Time = NoDeadline
		if t.Deadline != nil {
			c.Time = *t.Deadline
		}
	case SortPriority:
		c.Key = strconv.Itoa(int(t.Priority))
	case SortCriticality:
		c.Key = strconv.Itoa(int(desk.DefaultPriority(t.Criticality)))
	case SortStatus:
		c.Key = string(t.Status)
	case SortNature:
		c.Key = string(t.Nature)
	case SortAssignee:
		c.Key = strconv.FormatInt(t.AssigneeID, 10)
	case SortUpdated:
		c.Time = t.UpdatedAt
	}
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

// ParseCursor reads a cursor CursorAfter wrote; ok is false for anything else.
func ParseCursor(s string) (c *TicketCursor, ok bool) {
	c = new(TicketCursor)
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || json.Unmarshal(b, c) != nil || c.ID <= 0 {
		return nil, false
	}
	return c, true
}
