package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"guichet/internal/app"
	"guichet/internal/desk"
)

// ticketColumns are read by scanTicket. Optional references are NULL in the
// database and 0 in desk. The instants are read as expressions (see time.go).
const ticketColumns = `id, space_id, number, coalesce(project_id, 0), title, nature, criticality,
	priority, priority_disputed, category, keywords, product_version, module_versions,
	description, log_excerpt, channel, author_id, coalesce(assignee_id, 0),
	coalesce(engineer_id, 0), status, resolution, rd_issue, decision, decision_note,
	target_version, rating, rating_comment, coalesce(created_at, NULL), coalesce(updated_at, NULL),
	coalesce(closed_at, NULL), coalesce(deadline_at, NULL)`

// ticketListColumns read what lists show: the long texts (description, log
// excerpt) come back empty, so that a page of fifty does not read them.
var ticketListColumns = strings.Replace(ticketColumns, `description, log_excerpt,`, `'' AS description, '' AS log_excerpt,`, 1)

func scanTicket(row scanner) (desk.Ticket, error) {
	var t desk.Ticket
	err := scanTicketAnd(row, &t)
	return t, err
}

// scanTicketTo scans ticketColumns into t.
func scanTicketTo(row scanner, t *desk.Ticket) error { return scanTicketAnd(row, t) }

// scanTicketAnd scans ticketColumns into t, then the columns after them into more.
func scanTicketAnd(row scanner, t *desk.Ticket, more ...any) error {
	var keywords string
	var deadline time.Time
	err := row.Scan(append([]any{&t.ID, &t.SpaceID, &t.Number, &t.ProjectID, &t.Title, &t.Nature, &t.Criticality,
		&t.Priority, &t.PriorityDisputed, &t.Category, &keywords, &t.ProductVersion, &t.ModuleVersions,
		&t.Description, &t.LogExcerpt, &t.Channel, &t.AuthorID, &t.AssigneeID,
		&t.EngineerID, &t.Status, &t.Resolution, &t.RDIssue, &t.Decision, &t.DecisionNote,
		&t.TargetVersion, &t.Rating, &t.RatingComment, at(&t.CreatedAt), at(&t.UpdatedAt), atNull(&t.ClosedAt),
		at(&deadline)}, more...)...)
	if err != nil {
		return err
	}
	if deadline.Before(app.NoDeadline) {
		t.Deadline = &deadline
	}
	t.Keywords, err = decodeList[string](keywords)
	return err
}

// encodeList stores a list as a JSON array; nil and empty are both "[]".
func encodeList[T any](list []T) string {
	if len(list) == 0 {
		return "[]"
	}
	b, err := json.Marshal(list)
	if err != nil {
		panic("sqlstore: encode list: " + err.Error()) // strings and ids always marshal
	}
	return string(b)
}

// decodeList reads a list stored by encodeList; it never returns nil.
func decodeList[T any](s string) ([]T, error) {
	list := []T{}
	if s == "" || s == "[]" {
		return list, nil
	}
	if err := json.Unmarshal([]byte(s), &list); err != nil {
		return nil, fmt.Errorf("decode list %q: %w", s, err)
	}
	return list, nil
}

// nullID is the value to write for an optional reference: NULL for 0.
func nullID(id int64) any {
	if id <= 0 {
		return nil
	}
	return id
}

// critRank is the order of a criticality, 1 (blocking) to 4 (minor).
func critRank(c desk.Criticality) int64 { return int64(desk.DefaultPriority(c)) }

// NextTicketNumber increments the space's counter and returns it. The UPDATE holds
// the space's row until the transaction ends, so concurrent creators queue.
func (q *queries) NextTicketNumber(ctx context.Context, spaceID int64) (int64, error) {
	var n int64
	err := q.q.QueryRowContext(ctx, `UPDATE spaces SET ticket_seq = ticket_seq + 1 WHERE id = $1 RETURNING ticket_seq`,
		spaceID).Scan(&n)
	if err != nil {
		return 0, notFound(err, "space")
	}
	return n, nil
}

// insertTicket is the INSERT of a ticket's row with the values of
// insertTicketValues, number taking the place of $2.
func insertTicket(number string) string {
	return `INSERT INTO tickets (space_id, number, project_id, title, nature, criticality, crit_rank,
			priority, priority_disputed, category, keywords, product_version, module_versions,
			description, log_excerpt, channel, author_id, assignee_id, engineer_id, status,
			resolution, rd_issue, decision, decision_note, target_version, rating, rating_comment,
			created_at, updated_at, closed_at, deadline_at)
		VALUES ($1, ` + number + `, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18,
			$19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31)`
}

// insertTicketValues are t's values for insertTicket. CreatedAt defaults to now,
// UpdatedAt to CreatedAt.
func insertTicketValues(t *desk.Ticket) args {
	stamp(&t.CreatedAt)
	if t.UpdatedAt.IsZero() {
		t.UpdatedAt = t.CreatedAt
	}
	t.UpdatedAt = dbTime(t.UpdatedAt)
	return args{t.SpaceID, t.Number, nullID(t.ProjectID), t.Title, string(t.Nature), string(t.Criticality),
		critRank(t.Criticality), int64(t.Priority), t.PriorityDisputed, t.Category, encodeList(t.Keywords),
		t.ProductVersion, t.ModuleVersions, t.Description, t.LogExcerpt, string(t.Channel), t.AuthorID,
		nullID(t.AssigneeID), nullID(t.EngineerID), string(t.Status), t.Resolution, t.RDIssue,
		string(t.Decision), t.DecisionNote, t.TargetVersion, int64(t.Rating), t.RatingComment,
		t.CreatedAt, t.UpdatedAt, dbNullTime(t.ClosedAt), dbDeadline(t.Deadline)}
}

// CreateTicket stores t with its number and sets its ID.
func (q *queries) CreateTicket(ctx context.Context, t *desk.Ticket) error {
	err := q.q.QueryRowContext(ctx, insertTicket("$2")+` RETURNING id`, insertTicketValues(t)...).Scan(&t.ID)
	return q.d.wrap(err, "project_id", "create ticket")
}

// OpenTicket numbers t with its space's next number, stores it with its first
// timers and its first event (when first is not nil), and sets its ID and
// Number. Inside a transaction the space's counter stays locked until the end,
// and other creations in the space wait for it.
//
// On PostgreSQL one statement does it all, the event sealed in SQL (see
// insertSealedEvent), so that the lock spans only that statement and the
// commit. Inside InTx the commit returns before its log is flushed, which
// InTx awaits after (flushLog): the counter is let go without waiting for the
// disk either. The ticket is on disk when InTx returns all the same, and the
// flush that puts a later ticket of the space there takes the earlier ones
// with it: a crash can lose the last tickets opened, never leave a gap in the
// numbers. Until the flush others may see the ticket (for about a millisecond).
func (q *queries) OpenTicket(ctx context.Context, t *desk.Ticket, timers app.TimerUpdate, first *desk.Event,
	data app.NumberedData) error {
	if first != nil {
		if err := checkActor(first); err != nil {
			return err
		}
		first.Seq, first.PrevHash, first.At = 1, nil, dbTime(first.At)
	}
	if q.d != Postgres {
		n, err := q.NextTicketNumber(ctx, t.SpaceID)
		if err != nil {
			return err
		}
		t.Number = n
		if err := q.CreateTicket(ctx, t); err != nil {
			return err
		}
		timers.TicketID = t.ID
		if err := q.SetTicketTimers(ctx, timers); err != nil {
			return err
		}
		if first == nil {
			return nil
		}
		return q.appendNumbered(ctx, first, t.ID, t.Number, data)
	}
	lateCommit := `''`
	if q.flushLate != nil { // inside InTx
		lateCommit = `set_config('synchronous_commit', 'off', true)` // for this transaction only
		*q.flushLate = true
	}
	a := insertTicketValues(t)
	a[1] = t.SpaceID // $2 finds the counter; the number comes from it
	query := `WITH n AS (
			UPDATE spaces SET ticket_seq = ticket_seq + 1 WHERE id = $2 RETURNING ticket_seq
		), t AS (
			` + insertTicket("(SELECT ticket_seq FROM n)") + ` RETURNING id, number
		), timers AS (
			` + insertTimers + timersRow(&a, `(SELECT id FROM t)`, timers) + `
		)`
	event := `0, NULL::bytea FROM t`
	if first != nil {
		query += `, e AS (` + insertSealedEvent(&a, "t", "t.id", "t.number", first, data) + `)`
		event = `e.id, e.hash FROM t, e`
	}
	query += ` SELECT t.id, t.number, ` + lateCommit + `, ` + event
	var (
		late   string
		id     int64
		stored []byte
	)
	err := q.q.QueryRowContext(ctx, query, a...).Scan(&t.ID, &t.Number, &late, &id, &stored)
	if nullIn(err, "number") { // no counter: no such space
		return desk.ErrNotFound("space")
	}
	if err != nil || first == nil {
		return q.d.wrap(err, "project_id", "open ticket")
	}
	return wrapErr(checkSealed(first, t.ID, t.Number, id, data, stored), "open ticket")
}

// ticketSetColumns are the columns UpdateTicket saves, but updated_at, in the
// order of ticketValues.
var ticketSetColumns = []string{"project_id", "title", "nature", "criticality", "crit_rank", "priority",
	"priority_disputed", "category", "keywords", "product_version", "module_versions", "description",
	"log_excerpt", "author_id", "assignee_id", "engineer_id", "status", "resolution", "rd_issue", "decision",
	"decision_note", "target_version", "rating", "rating_comment", "closed_at", "deadline_at"}

// ticketValues are t's values of ticketSetColumns, as the database stores them.
func ticketValues(t *desk.Ticket) []any {
	return []any{nullID(t.ProjectID), t.Title, string(t.Nature), string(t.Criticality), critRank(t.Criticality),
		int64(t.Priority), t.PriorityDisputed, t.Category, encodeList(t.Keywords), t.ProductVersion,
		t.ModuleVersions, t.Description, t.LogExcerpt, t.AuthorID, nullID(t.AssigneeID), nullID(t.EngineerID),
		string(t.Status), t.Resolution, t.RDIssue, string(t.Decision), t.DecisionNote, t.TargetVersion,
		int64(t.Rating), t.RatingComment, dbNullTime(t.ClosedAt), dbDeadline(t.Deadline)}
}

// dbDeadline is the deadline_at of a deadline, app.NoDeadline for none.
func dbDeadline(d *time.Time) time.Time {
	if d == nil {
		return app.NoDeadline
	}
	return dbTime(*d)
}

// sameValue tells whether two of ticketValues are equal.
func sameValue(a, b any) bool {
	if ta, ok := a.(time.Time); ok {
		tb, ok := b.(time.Time)
		return ok && ta.Equal(tb)
	}
	return a == b
}

// UpdateTicket saves every field of t but its id, space, number, channel and
// creation time that differs from before (every one when before is nil), with
// updated_at, which defaults to now. SQLite rewrites its entry in every index on
// a column an UPDATE sets, changed or not: 24 indexes, where a comment changes
// one column and a transition two or three.
func (q *queries) UpdateTicket(ctx context.Context, before, t *desk.Ticket) error {
	var a args
	res, err := q.q.ExecContext(ctx, updateTicket(&a, before, t), a...)
	if err != nil {
		return q.d.wrap(err, "project_id", "update ticket")
	}
	return mustAffect(res, "ticket")
}

// updateTicket is the UPDATE of the fields of t that differ from before (all
// of them when before is nil), with its arguments added to a.
func updateTicket(a *args, before, t *desk.Ticket) string {
	stamp(&t.UpdatedAt)
	values := ticketValues(t)
	var stored []any
	if before != nil {
		stored = ticketValues(before)
	}
	id := a.add(t.ID)
	set := []string{`updated_at = ` + a.add(t.UpdatedAt)}
	for i, col := range ticketSetColumns {
		if stored == nil || !sameValue(stored[i], values[i]) {
			set = append(set, col+` = `+a.add(values[i]))
		}
	}
	return `UPDATE tickets SET ` + strings.Join(set, `, `) + ` WHERE id = ` + id
}

// SaveTicket saves the fields of t that differ from before, as UpdateTicket
// does, and its timers. On PostgreSQL one statement does both, so that the
// ticket, locked by the change, is held one round trip less.
func (q *queries) SaveTicket(ctx context.Context, before, t *desk.Ticket, timers app.TimerUpdate) error {
	if q.d != Postgres {
		if err := q.UpdateTicket(ctx, before, t); err != nil {
			return err
		}
		return q.SetTicketTimers(ctx, timers)
	}
	var a args
	query := `WITH t AS (` + updateTicket(&a, before, t) + ` RETURNING id)
		` + insertTimers + timersRow(&a, `(SELECT id FROM t)`, timers) + upsertTimers
	_, err := q.q.ExecContext(ctx, query, a...)
	if nullIn(err, "ticket_id") { // the UPDATE found no row
		return desk.ErrNotFound("ticket")
	}
	return q.d.wrap(err, "project_id", "save ticket")
}

// Ticket loads one ticket.
func (q *queries) Ticket(ctx context.Context, id int64) (*desk.Ticket, error) {
	return q.ticketWhere(ctx, `id = $1`, id)
}

// TicketForUpdate loads one ticket and, on PostgreSQL, locks its row until the
// transaction ends.
func (q *queries) TicketForUpdate(ctx context.Context, id int64) (*desk.Ticket, error) {
	return q.ticketWhere(ctx, `id = $1`+q.d.forUpdate(), id)
}

// TicketByRef loads the ticket numbered number in the space whose key is spaceKey.
func (q *queries) TicketByRef(ctx context.Context, spaceKey string, number int64) (*desk.Ticket, error) {
	return q.ticketWhere(ctx, `space_id = (SELECT id FROM spaces WHERE key = $1) AND number = $2`, spaceKey, number)
}

func (q *queries) ticketWhere(ctx context.Context, where string, args ...any) (*desk.Ticket, error) {
	return queryOne(ctx, q.q, "ticket", scanTicket, `SELECT `+ticketColumns+` FROM tickets WHERE `+where, args...)
}

// sortAssigneeKey sorts unassigned tickets (NULL) as assignee 0; an index has
// this expression.
const sortAssigneeKey = `coalesce(assignee_id, 0)`

// sortKeys are the columns of a ticket order before id: the sort's own key (""
// when it has none) and the time column ("" for SortNumber).
func sortKeys(s app.TicketSort) (key, tcol string, numeric bool, err error) {
	switch s {
	case app.SortPriority, "":
		return `priority`, `created_at`, true, nil
	case app.SortCreated:
		return ``, `created_at`, false, nil
	case app.SortUpdated:
		return ``, `updated_at`, false, nil
	case app.SortStatus:
		return `status`, `created_at`, false, nil
	case app.SortNature:
		return `nature`, `created_at`, false, nil
	case app.SortCriticality:
		return `crit_rank`, `created_at`, true, nil
	case app.SortAssignee:
		return sortAssigneeKey, `created_at`, true, nil
	case app.SortNumber:
		return ``, ``, false, nil
	case app.SortDeadline:
		return ``, `deadline_at`, false, nil
	}
	return "", "", false, desk.FieldError("sort", "unknown order %q", s)
}

// likePattern matches s anywhere, lower-cased, with % _ and \ escaped (ESCAPE '\').
func likePattern(s string) string {
	s = strings.ToLower(s)
	s = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
	return "%" + s + "%"
}

// scopeWhere appends the conditions of scope, which must not be empty.
func scopeWhere(a *args, where []string, sc desk.TicketScope) []string {
	return scopeWhereOn(a, where, sc, `space_id`)
}

// scopeWhereOn is scopeWhere with the scope's spaces tested on spaceCol (the
// column, or +space_id to keep SQLite off its indexes: see broad).
func scopeWhereOn(a *args, where []string, sc desk.TicketScope, spaceCol string) []string {
	if sc.All {
		return where
	}
	if len(sc.Spaces) == 1 {
		where = append(where, spaceCol+` = `+a.add(sc.Spaces[0]))
	} else {
		where = append(where, spaceCol+` IN (`+a.in(sc.Spaces)+`)`)
	}
	var partial []int64 // security spaces among the scope's, when not all of them
	for _, id := range sc.Spaces {
		if !slices.Contains(sc.SecuritySpaces, id) {
			partial = sc.SecuritySpaces
			break
		}
	}
	if partial == nil && len(sc.SecuritySpaces) > 0 {
		return where // every security ticket of these spaces is visible
	}
	or := []string{`nature <> 'security'`}
	if len(partial) > 0 {
		or = append(or, `space_id IN (`+a.in(partial)+`)`)
	}
	if sc.AuthorID > 0 {
		or = append(or, `author_id = `+a.add(sc.AuthorID))
	}
	return append(where, `(`+strings.Join(or, ` OR `)+`)`)
}

// narrow folds a space filter into a scope, so that the query says space_id = $1
// once; ok is false when the space is out of scope.
func narrow(scope desk.TicketScope, spaceID int64) (desk.TicketScope, bool) {
	if scope.All || spaceID <= 0 {
		return scope, true
	}
	if !slices.Contains(scope.Spaces, spaceID) {
		return scope, false
	}
	sc := desk.TicketScope{Spaces: []int64{spaceID}, AuthorID: scope.AuthorID}
	if slices.Contains(scope.SecuritySpaces, spaceID) {
		sc.SecuritySpaces = sc.Spaces
	}
	return sc, true
}

// ticketListSQL builds the one query of ListTickets. Its order always matches an
// index, so a page reads about Limit index entries. Several statuses would break
// that (the (status, …) index gives one run per status): the query then takes the
// first page of each status from the index and orders those few rows, still in
// one statement.
func ticketListSQL(d dialect, scope desk.TicketScope, f app.TicketFilter, pr probes) (string, args, error) {
	key, tcol, numeric, err := sortKeys(f.Sort)
	if err != nil {
		return "", nil, err
	}
	var cols []string
	if key != "" {
		cols = append(cols, key)
	}
	if tcol != "" {
		cols = append(cols, tcol)
	}
	cols = append(cols, `id`)
	dir, cmp := ` ASC`, ` > `
	if f.Desc {
		dir, cmp = ` DESC`, ` < `
	}
	order := make([]string, len(cols))
	for i, c := range cols {
		order[i] = c + dir
	}
	orderBy := ` ORDER BY ` + strings.Join(order, `, `)
	var after []any // the cursor's values, in cols' order
	if c := f.After; c != nil {
		if key != "" {
			if numeric {
				n, err := strconv.ParseInt(c.Key, 10, 64)
				if err != nil {
					return "", nil, desk.FieldError("after", "is not a cursor of this order")
				}
				after = append(after, n)
			} else {
				after = append(after, c.Key)
			}
		}
		if tcol != "" {
			after = append(after, dbTime(c.Time))
		}
		after = append(after, c.ID)
	}
	n := limit(desk.Page{Limit: f.Limit})
	var a args
	if !scope.All && f.SpaceID > 0 {
		scope, _ = narrow(scope, f.SpaceID) // the caller checked it is in scope
		f.SpaceID = 0
	}

	where := func(scope desk.TicketScope, statuses []string, f app.TicketFilter) string {
		w := scopeWhereOn(&a, nil, scope, d.broad(`space_id`, f, statuses, pr))
		w = filterWhere(d, &a, w, f, statuses, pr)
		if len(after) == 1 {
			w = append(w, `id`+cmp+a.add(after[0]))
		} else if len(after) > 1 {
			vals := make([]string, len(after))
			for i, v := range after {
				vals[i] = a.add(v)
			}
			if key == sortAssigneeKey {
				// SQLite seeks an expression index on its first column only: say it.
				w = append(w, key+cmp[:2]+`= `+vals[0])
			}
			w = append(w, `(`+strings.Join(cols, `, `)+`)`+cmp+`(`+strings.Join(vals, `, `)+`)`)
		}
		if len(w) == 0 {
			return ``
		}
		return ` WHERE ` + strings.Join(w, ` AND `)
	}

	var statuses []string
	for _, st := range f.Status {
		if !slices.Contains(statuses, string(st)) {
			statuses = append(statuses, string(st))
		}
	}
	// Several statuses, or the several spaces of a client, break the index order
	// the same way: the (status, …) and (space_id, …) indexes give one run each.
	// The query then takes each run's first page from its index and orders those
	// few rows, still in one statement.
	scopes := []desk.TicketScope{scope}
	if !scope.All && len(scope.Spaces) > 1 && len(scope.Spaces)*max(1, len(statuses)) <= maxListParts {
		scopes = scopes[:0]
		for _, id := range scope.Spaces {
			sc, _ := narrow(scope, id)
			scopes = append(scopes, sc)
		}
	}
	statusSets := [][]string{statuses}
	if len(statuses) > 1 {
		statusSets = statusSets[:0]
		for _, st := range statuses {
			statusSets = append(statusSets, []string{st})
		}
	}
	// A list of one priority by criticality, or of one criticality by priority:
	// priority follows criticality by default, so the tickets asked for sit at
	// one end of the order, and reading the order found them after most of the
	// base. Each value of the order's column is then a run of the (crit_rank,
	// priority, created_at, id) index. With a status other than closed, each
	// status's run is short enough to read as it is.
	runs := []app.TicketFilter{f}
	bigStatus := len(statuses) == 0 || len(statuses) == 1 && statuses[0] == string(desk.Closed)
	if bigStatus && len(scopes)*4 <= maxListParts {
		switch {
		case f.Sort == app.SortCriticality && f.Priority != 0 && f.Criticality == "":
			runs = runs[:0]
			for _, c := range desk.Criticalities {
				r := f
				r.Criticality = c
				runs = append(runs, r)
			}
		case (f.Sort == app.SortPriority || f.Sort == "") && f.Criticality != "" && f.Priority == 0 &&
			d == Postgres && len(statuses) == 1:
			// Without the closed status, the (crit_rank, priority, created_at, id)
			// index gives this order as it is; with it, PostgreSQL read the
			// (status, priority, …) index instead (SQLite is kept off it: see broad).
			runs = runs[:0]
			for p := desk.Priority(1); p <= 4; p++ {
				r := f
				r.Priority = p
				runs = append(runs, r)
			}
		}
	}
	// A run gives only the order's columns, which its index holds, so it reads
	// no ticket's row unless a filter needs one (PostgreSQL checks a filter in
	// the index only then: an index-only scan); only the page's tickets are read
	// in full. (Reading every run's page in full read five pages' rows for the
	// tickets not closed, and threw four away.) SQLite checks a filter in the
	// index anyway, and reads one run as it is.
	keys := slices.Clone(cols)
	if key == sortAssigneeKey {
		keys[0] = `assignee_id`
	}
	page := func(runs string) string {
		return `SELECT ` + ticketListColumns + ` FROM tickets WHERE id IN (SELECT id FROM ` + runs +
			orderBy + limitClause(n) + `)` + orderBy
	}
	if len(scopes) == 1 && len(statusSets) == 1 && len(runs) == 1 {
		// One status and a second filter: PostgreSQL checks the filter in the
		// status's index only this way. Otherwise the index's first columns are
		// the filter, and the page as it is answers sooner (the 20 queue lists by
		// one filter: p99 6 ms, against 12 ms through the ids).
		second := f.AssigneeID > 0 || f.Nature != "" || f.Criticality != "" || f.Priority != 0 ||
			f.SpaceID > 0 || len(scope.Spaces) == 1
		if d == Postgres && len(statuses) == 1 && second {
			return page(`tickets` + where(scope, statuses, f)), a, nil
		}
		query := `SELECT ` + ticketListColumns + ` FROM tickets` + where(scope, statuses, f) + orderBy + limitClause(n)
		return query, a, nil
	}
	var parts []string
	for _, sc := range scopes {
		for _, sts := range statusSets {
			for _, r := range runs {
				parts = append(parts, `SELECT * FROM (SELECT `+strings.Join(keys, `, `)+` FROM tickets`+
					where(sc, sts, r)+orderBy+limitClause(n)+`) AS s`+strconv.Itoa(len(parts)))
			}
		}
	}
	return page(`(` + strings.Join(parts, ` UNION ALL `) + `) AS t`), a, nil
}

// filterWhere appends the conditions of f but its scope, its statuses (the
// caller gives them: a list splits them into runs) and its cursor. Several
// statuses are one IN list.
func filterWhere(d dialect, a *args, w []string, f app.TicketFilter, statuses []string, pr probes) []string {
	col := func(c string) string { return d.broad(c, f, statuses, pr) }
	if f.SpaceID > 0 {
		w = append(w, col(`space_id`)+` = `+a.add(f.SpaceID))
	}
	if f.ProjectID > 0 {
		w = append(w, `project_id = `+a.add(f.ProjectID))
	}
	vals := make([]string, len(statuses))
	for i, st := range statuses {
		vals[i] = enumValue(a, desk.Status(st), desk.Statuses)
	}
	if len(vals) == 1 {
		w = append(w, col(`status`)+` = `+vals[0])
	} else if len(vals) > 1 {
		w = append(w, `status IN (`+strings.Join(vals, `, `)+`)`)
	}
	if f.Nature != "" {
		w = append(w, col(`nature`)+` = `+enumValue(a, f.Nature, desk.Natures))
	}
	if f.Criticality != "" {
		w = append(w, col(`crit_rank`)+` = `+rankValue(a, critRank(f.Criticality)))
	}
	if f.Priority != 0 {
		w = append(w, col(`priority`)+` = `+rankValue(a, int64(f.Priority)))
	}
	if f.AssigneeID > 0 {
		if f.Sort == app.SortCreated && col(`assignee_id`) == `assignee_id` {
			// The same test, in the terms of the (coalesce(assignee_id, 0), created_at, id) index.
			w = append(w, sortAssigneeKey+` = `+a.add(f.AssigneeID))
		} else {
			w = append(w, col(`assignee_id`)+` = `+a.add(f.AssigneeID))
		}
	}
	if f.AuthorID > 0 {
		w = append(w, `author_id = `+a.add(f.AuthorID))
	}
	if f.Text != "" {
		w = append(w, d.titleCondition(a, f.Text, pr.title))
	}
	return w
}

// A list's text holds its filters' values as literals where they are one of
// the few values the column can hold (statuses, natures, criticality ranks and
// priorities), parameters otherwise. PostgreSQL keeps a plan per connection, and
// for a statement with parameters it plans each of the first five calls for
// their values before it trusts a plan made without them: with 25 connections
// and the queue's many filters, most lists were planned at every call, and for
// the tickets not closed (one scan per status) the planning took as long as the
// query. A statement without parameters is planned once per connection.

// enumValue is v in a list's text: a literal when it is one of known.
func enumValue[T ~string](a *args, v T, known []T) string {
	if slices.Contains(known, v) {
		return `'` + string(v) + `'`
	}
	return a.add(string(v))
}

// rankValue is a priority or a criticality's rank in a list's text: a literal
// when it is one of 1 to 4.
func rankValue(a *args, n int64) string {
	if n >= 1 && n <= 4 {
		return strconv.FormatInt(n, 10)
	}
	return a.add(n)
}

// broad names column for a filter of list f, on SQLite, which has no
// statistics of how values spread and so may read the wrong index: the column's
// own, then sort every ticket it gives (seconds on a million tickets). A unary
// plus keeps SQLite from using an index on the column; PostgreSQL chooses well
// by itself.
//
//   - With one status other than closed (each run of a list by status), the
//     (status, order) index is the one to read: such a run is short (tens of
//     thousands of tickets at most on a million), while a column's value may
//     cover a third of the base and hold few tickets of that status, so reading
//     the column's index, as SQLite preferred, found them after hundreds of
//     thousands of rows. Closed tickets are most of the base, so that run is
//     not short: it is read through any other filter's index or the order's,
//     and checked for the status.
//   - A filter on the order's own column reads the (column, order…) index.
//   - A space or an assignee may hold few tickets: their own index, and a sort
//     of what it gives, bounded by the size of a space or a workload. An
//     assignee found busy (assigneeLoad) is checked on the order's index
//     instead; one found with few tickets keeps its index in a status's run too.
//   - The nature, the criticality and the priority each hold a good share of the
//     tickets: when no index starts with the column and gives the order, reading
//     the order's own index and checking the column finds a page after a few
//     hundred rows, where reading the column's index sorted every ticket it gave
//     (0.7 s for the questions of a million tickets ordered by last change).
func (d dialect) broad(column string, f app.TicketFilter, statuses []string, pr probes) string {
	if d != SQLite || pr.count {
		return column
	}
	key, _, _, _ := sortKeys(f.Sort)
	if column == `status` {
		if pr.assignee == few {
			return `+` + column // the assignee's few tickets, through their index
		}
		if len(statuses) == 1 && statuses[0] == string(desk.Closed) && f.Sort != app.SortStatus {
			return `+` + column // most tickets: any other index, checked for it
		}
		return column
	}
	if len(statuses) == 1 && statuses[0] != string(desk.Closed) {
		switch f.Sort {
		case app.SortPriority, app.SortCreated, app.SortUpdated, app.SortCriticality, "":
			if column == key {
				return column // (status, column, …)
			}
			if column == `assignee_id` && pr.assignee == few {
				return column // the assignee's few tickets, sorted
			}
			return `+` + column // (status, order…) exists for each
		}
	}
	switch {
	case column == `assignee_id` && pr.assignee == busy:
		return `+` + column
	case column == key, column == `space_id`, column == `assignee_id`:
		return column
	case f.Sort == app.SortPriority || f.Sort == "":
		return column // (column, priority, created_at, id) exists for each
	case f.Sort == app.SortCriticality && f.Criticality != "" && column == `priority`:
		return column // (crit_rank, priority, created_at, id)
	case f.Sort == app.SortCreated && column != `priority`:
		return column // (nature|crit_rank, created_at, id)
	}
	return `+` + column
}

// maxListParts bounds the runs a list query reads separately (spaces × statuses);
// past it, the database sorts the matching tickets instead.
const maxListParts = 32

// ListTickets lists the tickets of scope matching f in one query; an empty scope
// lists nothing without asking the database.
func (q *queries) ListTickets(ctx context.Context, scope desk.TicketScope, f app.TicketFilter) ([]desk.Ticket, error) {
	if _, ok := narrow(scope, f.SpaceID); !ok || scope.Empty() {
		return []desk.Ticket{}, nil
	}
	var pr probes
	var err error
	if f.Text != "" {
		if pr.title, err = q.titleMatches(ctx, f.Text); err != nil {
			return nil, err
		}
		if pr.title.none() {
			return []desk.Ticket{}, nil
		}
	}
	if pr.assignee, err = q.assigneeLoad(ctx, f); err != nil {
		return nil, err
	}
	query, a, err := ticketListSQL(q.d, scope, f, pr)
	if err != nil {
		return nil, err
	}
	return scanList(ctx, q.q, "list tickets", limit(desk.Page{Limit: f.Limit}), scanTicketTo, query, a...)
}

// probes are what a list asked the database before its query was built.
type probes struct {
	title    *titleMatch // nil: no title filter, or the index was not asked
	assignee load        // how many tickets the assignee filter holds (SQLite)
	// count is set for a count: no order to keep, so every filter keeps its
	// index (the (space_id, status, …) index counts a space's status exactly).
	count bool
}

// load is how many tickets a filter's value holds, when a list asked.
type load int8

const (
	unknown load = iota
	few          // fewer than sorting them costs: read them through their index
	busy         // more: read the list's order and check the value
)

// assigneeLoad tells, on SQLite, whether f's assignee holds so many tickets
// that reading the list's order and checking the assignee finds a page sooner
// than sorting the assignee's tickets: past about √(50 × tickets), a page of 50
// is found within fewer rows than the sort would read. It counts through the
// assignee's index, at most that many entries, when the choice is open: not
// for an order the (assignee_id, …) indexes give.
func (q *queries) assigneeLoad(ctx context.Context, f app.TicketFilter) (load, error) {
	if q.d != SQLite || f.AssigneeID <= 0 || f.Sort == app.SortAssignee ||
		len(f.Status) == 0 && (f.Sort == app.SortPriority || f.Sort == "") {
		return unknown, nil
	}
	limit := q.busyLimit
	if limit == 0 {
		var maxID int64
		if err := q.q.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) FROM tickets`).Scan(&maxID); err != nil {
			return unknown, fmt.Errorf("list tickets: %w", err)
		}
		limit = max(1, int64(math.Sqrt(50*float64(maxID))))
	}
	var n int64
	err := q.q.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM tickets WHERE assignee_id = $1 LIMIT $2) AS a`,
		f.AssigneeID, limit).Scan(&n)
	if err != nil {
		return unknown, fmt.Errorf("list tickets: %w", err)
	}
	if n >= limit {
		return busy, nil
	}
	return few, nil
}

// SetBusyAssigneeLimit replaces the number of tickets past which an assignee is
// busy, so that tests take both ways with few tickets.
func (s *Store) SetBusyAssigneeLimit(n int64) { s.busyLimit = n }

// On SQLite, a title search finds its matches in the trigram index, but the
// planner then fetches and sorts every match: for a word found in 50,000 titles
// that took seconds. titleMatches first asks the index for one match more than a
// limit (3,000). When there are no more than the limit, the list reads those
// tickets only; when there are more, matches are dense enough that
// reading tickets in the list's order and keeping those whose title matches
// finds a page quickly. PostgreSQL's planner makes that choice itself, from the
// statistics of its trigram index.

// titleMatch is what the trigram index said of a title search; nil when the
// index was not asked (PostgreSQL, or text the index cannot take).
type titleMatch struct {
	ids  []int64 // the matching tickets, when there are few
	many bool    // more than the limit match, or the text is too short for the index
}

// none tells that the index found no title holding the text.
func (tm *titleMatch) none() bool { return tm != nil && !tm.many && len(tm.ids) == 0 }

// titleCondition is "the title contains text" in a list query, given what the
// index said (tm, from titleMatches).
func (d dialect) titleCondition(a *args, text string, tm *titleMatch) string {
	switch {
	case tm == nil:
		return d.titleContains(a, text)
	case tm.many:
		return d.titleLike(a, text)
	}
	return `id IN (` + a.in(tm.ids) + `)`
}

// defaultTitleMatchLimit is how many matches of a title search are read from
// the index before the list switches to reading tickets in its own order.
const defaultTitleMatchLimit = 3000

// SetTitleMatchLimit replaces defaultTitleMatchLimit, so that tests take both
// ways with few tickets.
func (s *Store) SetTitleMatchLimit(n int) { s.titleLimit, s.common = n, &commonTitles{} }

// commonTitles remembers the texts found in more titles than the match limit, so
// that the next search for one of them reads tickets in the list's order at once
// instead of the index's first matches again (tens of milliseconds for a word in
// thousands of titles). It only chooses a plan: both give the same tickets. A
// text rarely leaves titles; if it does, the other plan is only slower.
type commonTitles struct {
	mu    sync.Mutex
	texts map[string]bool
}

// maxCommonTitles bounds what commonTitles keeps: it starts again when full.
const maxCommonTitles = 4096

func (c *commonTitles) has(text string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.texts[strings.ToLower(text)]
}

func (c *commonTitles) add(text string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.texts == nil || len(c.texts) >= maxCommonTitles {
		c.texts = map[string]bool{}
	}
	c.texts[strings.ToLower(text)] = true
}

func (q *queries) titleMatches(ctx context.Context, text string) (*titleMatch, error) {
	if !q.d.titleIndexed(text) {
		return nil, nil
	}
	if utf8.RuneCountInString(text) < 3 || q.common.has(text) {
		return &titleMatch{many: true}, nil
	}
	limit := cmp.Or(q.titleLimit, defaultTitleMatchLimit)
	ids, err := scanIDs(q.q.QueryContext(ctx, `SELECT rowid FROM ticket_titles WHERE title LIKE $1 LIMIT $2`,
		"%"+text+"%", limit+1))
	if err != nil {
		return nil, fmt.Errorf("search titles: %w", err)
	}
	if len(ids) > limit {
		q.common.add(text)
		return &titleMatch{many: true}, nil
	}
	return &titleMatch{ids: ids}, nil
}

// SimilarTickets lists the tickets of scope in space spaceID whose title contains
// every word of text (case-insensitively), newest first.
func (q *queries) SimilarTickets(ctx context.Context, scope desk.TicketScope, spaceID int64, text string, n int) ([]desk.Ticket, error) {
	words := strings.Fields(text)
	if scope.Empty() || len(words) == 0 {
		return []desk.Ticket{}, nil
	}
	if len(words) > 10 {
		words = words[:10]
	}
	scope, ok := narrow(scope, spaceID)
	if !ok {
		return []desk.Ticket{}, nil
	}
	var a args
	where := scopeWhere(&a, nil, scope)
	if scope.All {
		where = append(where, `space_id = `+a.add(spaceID))
	}
	for _, w := range words {
		tm, err := q.titleMatches(ctx, w)
		if err != nil {
			return nil, err
		}
		if tm.none() {
			return []desk.Ticket{}, nil
		}
		where = append(where, q.d.titleCondition(&a, w, tm))
	}
	size := limit(desk.Page{Limit: n})
	query := `SELECT ` + ticketListColumns + ` FROM tickets WHERE ` + strings.Join(where, ` AND `) +
		` ORDER BY created_at DESC, id DESC` + limitClause(size)
	return scanList(ctx, q.q, "similar tickets", size, scanTicketTo, query, a...)
}

// ExplainListTickets returns the database's plan for ListTickets(scope, f), one
// line per row of EXPLAIN (PostgreSQL) or EXPLAIN QUERY PLAN (SQLite). For tests
// and benchmarks that check the lists use their indexes.
func (s *Store) ExplainListTickets(ctx context.Context, scope desk.TicketScope, f app.TicketFilter) ([]string, error) {
	query, a, err := ticketListSQL(s.d, scope, f, probes{})
	if err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, s.d.explain()+query, a...)
	if err != nil {
		return nil, fmt.Errorf("explain: %w", err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	var plan []string
	for rows.Next() {
		dst := make([]any, len(cols))
		for i := range dst {
			dst[i] = new(sql.RawBytes)
		}
		if err := rows.Scan(dst...); err != nil {
			return nil, err
		}
		// PostgreSQL: one column, the line; SQLite: id, parent, notused, detail.
		plan = append(plan, string(*dst[len(dst)-1].(*sql.RawBytes)))
	}
	return plan, rows.Err()
}

// Setting reads an installation setting; NotFound when unset.
func (q *queries) Setting(ctx context.Context, key string) (string, error) {
	var v string
	if err := q.q.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = $1`, key).Scan(&v); err != nil {
		return "", notFound(err, "setting")
	}
	return v, nil
}

// SetSetting creates or replaces an installation setting.
func (q *queries) SetSetting(ctx context.Context, key, value string) error {
	_, err := q.q.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES ($1, $2)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
	return wrapErr(err, "set setting")
}

// errNoRows tells whether err is sql.ErrNoRows.
func errNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }
