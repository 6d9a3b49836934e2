package desk

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"time"
)

// EventKind names what happened to a ticket.
type EventKind string

// The kinds of event.
const (
	EvCreated     EventKind = "created"
	EvTransition  EventKind = "transition"
	EvFieldChange EventKind = "field_changed"
	EvAssigned    EventKind = "assigned"
	EvCommented   EventKind = "commented"
	EvAttached    EventKind = "attached"
	EvReassigned  EventKind = "reassigned"
	EvLiked       EventKind = "comment_liked"
	EvImported    EventKind = "imported"
)

// Event is one entry of a ticket's history. Events are appended, never changed or
// deleted, and each carries the hash of the one before it for the same ticket, so
// that a rewritten history shows.
type Event struct {
	ID       int64
	TicketID int64
	Seq      int64 // 1, 2, 3… per ticket
	ActorID  int64 // 0 for automatic events
	At       time.Time
	Kind     EventKind
	// Data holds the details as JSON: before and after values, the comment id, …
	Data     json.RawMessage
	Private  bool // about a private comment: shown to provider staff only
	PrevHash []byte
	Hash     []byte
}

// Change is the usual content of Data: a field's value before and after.
type Change struct {
	Field  string `json:"field"`
	Before any    `json:"before"`
	After  any    `json:"after"`
}

// Seal computes the event's hash from its content and the previous event's hash
// (nil for the first event of a ticket).
func (e *Event) Seal(prev []byte) {
	e.PrevHash = prev
	e.Hash = e.digest()
}

func (e *Event) digest() []byte {
	h := sha256.New()
	var n [8]byte
	for _, v := range []int64{e.TicketID, e.Seq, e.ActorID, e.At.UTC().UnixMicro()} {
		binary.BigEndian.PutUint64(n[:], uint64(v))
		h.Write(n[:])
	}
	h.Write([]byte(e.Kind))
	h.Write([]byte{0})
	h.Write(e.Data)
	h.Write([]byte{0})
	if e.Private {
		h.Write([]byte{1})
	} else {
		h.Write([]byte{0})
	}
	h.Write(e.PrevHash)
	return h.Sum(nil)
}

// BrokenLink describes the first event of a chain that does not hold.
type BrokenLink struct {
	TicketID int64
	Seq      int64
	Reason   string
}

// VerifyChain checks one ticket's events, in Seq order: numbering without gaps,
// each linked to the one before, each hash matching its content.
func VerifyChain(events []Event) *BrokenLink {
	var prev []byte
	for i := range events {
		e := &events[i]
		switch {
		case e.Seq != int64(i+1):
			return &BrokenLink{e.TicketID, e.Seq, "sequence number " + itoa(e.Seq) + " where " + itoa(int64(i+1)) + " was expected"}
		case hex.EncodeToString(e.PrevHash) != hex.EncodeToString(prev):
			return &BrokenLink{e.TicketID, e.Seq, "does not link to the previous event's hash"}
		case hex.EncodeToString(e.Hash) != hex.EncodeToString(e.digest()):
			return &BrokenLink{e.TicketID, e.Seq, "its content does not match its hash"}
		}
		prev = e.Hash
	}
	return nil
}

// EventData marshals v for Event.Data.
func EventData(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic("desk: event data: " + err.Error()) // only our own plain types go here
	}
	return b
}

// Comment is a public or private message on a ticket.
type Comment struct {
	ID        int64
	TicketID  int64
	AuthorID  int64
	Body      string // Markdown
	Private   bool   // provider staff only
	Mentions  []int64
	Likes     int
	CreatedAt time.Time
}

// CanSeeComment tells whether the actor may see c on a ticket they can see.
func (a *Actor) CanSeeComment(c *Comment) bool { return !c.Private || a.CanSeePrivate() }

// Attachment is a file on a ticket or a comment, stored by content (SHA-256).
type Attachment struct {
	ID          int64
	TicketID    int64
	CommentID   int64 // 0 when attached to the ticket itself
	Name        string
	ContentType string
	Size        int64
	SHA256      string // hex
	UploaderID  int64
	CreatedAt   time.Time
}

// DiagnosticFile is the platform's diagnostic attachment required for anomalies.
const DiagnosticFile = "status.xml"
