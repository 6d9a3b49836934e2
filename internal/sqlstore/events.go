package sqlstore

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"

	"guichet/internal/app"
	"guichet/internal/desk"
)

// eventColumns are read by scanEvent; the instant as an expression (see
// time.go).
const eventColumns = `id, ticket_id, seq, coalesce(actor_id, 0), coalesce(at, NULL), kind, data, private, prev_hash, hash`

func scanEvent(row scanner) (desk.Event, error) {
	var e desk.Event
	err := scanEventTo(row, &e)
	return e, err
}

// scanEventTo scans eventColumns into e.
func scanEventTo(row scanner, e *desk.Event) error {
	var data string
	err := row.Scan(&e.ID, &e.TicketID, &e.Seq, &e.ActorID, at(&e.At), &e.Kind, &data, &e.Private, &e.PrevHash, &e.Hash)
	if data != "" {
		e.Data = json.RawMessage(data)
	}
	return err
}

// LastEvent returns the ticket's latest event, NotFound when it has none.
func (q *queries) LastEvent(ctx context.Context, ticketID int64) (*desk.Event, error) {
	return queryOne(ctx, q.q, "event", scanEvent, `SELECT `+eventColumns+` FROM ticket_events
		WHERE ticket_id = $1 ORDER BY seq DESC LIMIT 1`, ticketID)
}

// AppendEvent inserts a sealed event and sets its ID. Its data is stored byte for
// byte. An ActorID of 0 (automatic) is stored as NULL; a negative one is refused,
// since it would not read back as sealed.
func (q *queries) AppendEvent(ctx context.Context, e *desk.Event) error {
	if err := checkActor(e); err != nil {
		return err
	}
	if len(e.Hash) == 0 {
		return desk.FieldError("hash", "the event is not sealed")
	}
	e.At = dbTime(e.At)
	var prev any
	if len(e.PrevHash) > 0 {
		prev = e.PrevHash
	}
	err := q.q.QueryRowContext(ctx, `
		INSERT INTO ticket_events (ticket_id, seq, actor_id, at, kind, data, private, prev_hash, hash)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
		RETURNING id`,
		e.TicketID, e.Seq, nullID(e.ActorID), e.At, string(e.Kind), string(e.Data), e.Private, prev, e.Hash).Scan(&e.ID)
	return q.d.wrap(err, "ticket_id", "append event")
}

// checkActor refuses an event with a negative ActorID, which would not read
// back as sealed (0, automatic, is stored as NULL).
func checkActor(e *desk.Event) error {
	if e.ActorID < 0 {
		return desk.FieldError("actor_id", "must be a user, or 0 for an automatic event")
	}
	return nil
}

// insertSealedEvent is the INSERT, from the one row of source, of e for the
// ticket ticket, whose data is data with the value of number: expressions over
// source, where the same statement gives the ids. The database seals e with
// the digest of desk.Event.Seal: the ticket, the sequence number, the actor
// and the time in microseconds, 8 bytes each, big-endian; the kind, a zero
// byte, the data, a zero byte, the privacy byte, then e.PrevHash. The
// statement returns the event's id and hash; checkSealed checks the hash.
func insertSealedEvent(a *args, source, ticket, number string, e *desk.Event, data app.NumberedData) string {
	text := a.add(data.Before) + `::text || ` + number + `::text || ` + a.add(data.After) + `::text`
	private := `'\x00'`
	if e.Private {
		private = `'\x01'`
	}
	var prev any
	if len(e.PrevHash) > 0 {
		prev = e.PrevHash
	}
	p, seq := a.add(prev), a.add(e.Seq)
	digest := `sha256(int8send(` + ticket + `) || int8send(` + seq + `::int8) || int8send(` +
		a.add(e.ActorID) + `::int8) || int8send(` + a.add(e.At.UnixMicro()) + `::int8) || convert_to(` +
		a.add(string(e.Kind)) + `, 'UTF8') || '\x00'::bytea || convert_to(` + text + `, 'UTF8') || '\x00'::bytea || ` +
		private + `::bytea || coalesce(` + p + `::bytea, ''::bytea))`
	return `INSERT INTO ticket_events (ticket_id, seq, actor_id, at, kind, data, private, prev_hash, hash)
			SELECT ` + ticket + `, ` + seq + `, ` + a.add(nullID(e.ActorID)) + `, ` + a.add(e.At) + `, ` +
		a.add(string(e.Kind)) + `, ` + text + `, ` + a.add(e.Private) + `, ` + p + `::bytea, ` + digest + ` FROM ` + source + `
			RETURNING id, hash`
}

// checkSealed completes e, stored by insertSealedEvent for the ticket ticketID
// with the number n and given back as id and stored: it seals e again and
// tells whether the database's hash is the same.
func checkSealed(e *desk.Event, ticketID, n, id int64, data app.NumberedData, stored []byte) error {
	e.ID = id
	sealNumbered(e, ticketID, n, data)
	if !bytes.Equal(stored, e.Hash) {
		return errors.New("the database sealed an event otherwise than desk.Event.Seal")
	}
	return nil
}

// appendNumbered appends e for the ticket ticketID, its data being data with
// the number n: where the store writes such an event after what it numbers
// (SQLite), in place of insertSealedEvent.
func (q *queries) appendNumbered(ctx context.Context, e *desk.Event, ticketID, n int64, data app.NumberedData) error {
	sealNumbered(e, ticketID, n, data)
	return q.AppendEvent(ctx, e)
}

// sealNumbered gives e its ticket and its data, data with n, and seals it.
func sealNumbered(e *desk.Event, ticketID, n int64, data app.NumberedData) {
	e.TicketID, e.Data = ticketID, data.With(n)
	e.Seal(e.PrevHash)
}

// Events lists a ticket's events by sequence number; private ones only when
// withPrivate.
func (q *queries) Events(ctx context.Context, ticketID int64, withPrivate bool) ([]desk.Event, error) {
	where := `ticket_id = $1`
	if !withPrivate {
		where += ` AND NOT private`
	}
	return q.events(ctx, `SELECT `+eventColumns+` FROM ticket_events WHERE `+where+` ORDER BY seq`, ticketID)
}

// EventsAfter returns the events of the tickets after afterTicket, by ticket then
// sequence: at most limit events, whole tickets only, except that a ticket with
// more than limit events comes alone and whole.
func (q *queries) EventsAfter(ctx context.Context, afterTicket int64, limit int) ([]desk.Event, error) {
	if limit <= 0 {
		limit = 1000
	}
	list, err := q.events(ctx, `SELECT `+eventColumns+` FROM ticket_events
		WHERE ticket_id > $1 ORDER BY ticket_id, seq LIMIT $2`, afterTicket, limit+1)
	if err != nil || len(list) <= limit {
		return list, err
	}
	// The extra row tells that the last ticket may be cut: drop it whole.
	last := list[limit].TicketID
	n := limit
	for n > 0 && list[n-1].TicketID == last {
		n--
	}
	if n > 0 {
		return list[:n], nil
	}
	return q.events(ctx, `SELECT `+eventColumns+` FROM ticket_events WHERE ticket_id = $1 ORDER BY seq`, last)
}

func (q *queries) events(ctx context.Context, query string, a ...any) ([]desk.Event, error) {
	// A ticket's log is a dozen events or so, the sweep's pages a thousand.
	return scanList(ctx, q.q, "list events", 16, scanEventTo, query, a...)
}
