package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"guichet/internal/app"
	"guichet/internal/desk"
)

// calendarColumns are read by scanCalendar.
const calendarColumns = `id, name, time_zone, hours, holidays, closed, open, is_default, created_at, updated_at`

func scanCalendar(row scanner) (desk.CalendarDef, error) {
	var c desk.CalendarDef
	var hours, closed, open string
	if err := row.Scan(&c.ID, &c.Name, &c.TimeZone, &hours, &c.Holidays, &closed, &open, &c.IsDefault,
		at(&c.CreatedAt), at(&c.UpdatedAt)); err != nil {
		return c, err
	}
	var h map[string][]string
	var spans []desk.DateSpan
	var days []string
	if err := json.Unmarshal([]byte(hours), &h); err != nil {
		return c, fmt.Errorf("calendar %d hours: %w", c.ID, err)
	}
	if err := json.Unmarshal([]byte(closed), &spans); err != nil {
		return c, fmt.Errorf("calendar %d closed days: %w", c.ID, err)
	}
	if err := json.Unmarshal([]byte(open), &days); err != nil {
		return c, fmt.Errorf("calendar %d open days: %w", c.ID, err)
	}
	var err error
	if c.Hours, err = desk.HoursOf(h); err != nil {
		return c, err
	}
	if c.Closed, err = desk.RangesOf("closed", spans); err != nil {
		return c, err
	}
	c.Open, err = desk.DatesOf("open", days)
	return c, err
}

func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic("sqlstore: encode: " + err.Error()) // our own plain types always marshal
	}
	return string(b)
}

// CreateCalendar stores c and sets its ID.
func (q *queries) CreateCalendar(ctx context.Context, c *desk.CalendarDef) error {
	stamp(&c.CreatedAt)
	stamp(&c.UpdatedAt)
	err := q.q.QueryRowContext(ctx, `INSERT INTO calendars (name, time_zone, hours, holidays, closed, open,
			is_default, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
		c.Name, c.TimeZone, jsonText(desk.HoursMap(c.Hours)), c.Holidays, jsonText(desk.SpansOf(c.Closed)),
		jsonText(desk.DateStrings(c.Open)), c.IsDefault, c.CreatedAt, c.UpdatedAt).Scan(&c.ID)
	return q.d.wrap(err, "name", "create calendar")
}

// UpdateCalendar saves c (but its default mark and creation time).
func (q *queries) UpdateCalendar(ctx context.Context, c *desk.CalendarDef) error {
	stamp(&c.UpdatedAt)
	res, err := q.q.ExecContext(ctx, `UPDATE calendars SET name = $2, time_zone = $3, hours = $4, holidays = $5,
			closed = $6, open = $7, updated_at = $8 WHERE id = $1`,
		c.ID, c.Name, c.TimeZone, jsonText(desk.HoursMap(c.Hours)), c.Holidays, jsonText(desk.SpansOf(c.Closed)),
		jsonText(desk.DateStrings(c.Open)), c.UpdatedAt)
	if err != nil {
		return q.d.wrap(err, "name", "update calendar")
	}
	return mustAffect(res, "calendar")
}

// Calendar loads one calendar.
func (q *queries) Calendar(ctx context.Context, id int64) (*desk.CalendarDef, error) {
	return queryOne(ctx, q.q, "calendar", scanCalendar, `SELECT `+calendarColumns+` FROM calendars WHERE id = $1`, id)
}

// DefaultCalendar loads the calendar marked default.
func (q *queries) DefaultCalendar(ctx context.Context) (*desk.CalendarDef, error) {
	return queryOne(ctx, q.q, "calendar", scanCalendar, `SELECT `+calendarColumns+` FROM calendars WHERE is_default`)
}

// ListCalendars lists calendars by id.
func (q *queries) ListCalendars(ctx context.Context, p desk.Page) ([]desk.CalendarDef, error) {
	return listByID(ctx, q.q, "list calendars", `SELECT `+calendarColumns+` FROM calendars`, true, nil, p, scanCalendar)
}

// contractColumns are read by scanContract; space_ids is a JSON array built by
// the database.
const contractColumns = `id, client_id, reference, tier, coalesce(calendar_id, 0), objectives, channels, timers,
	coalesce(account_manager_id, 0), version, created_at, updated_at`

func scanContract(row scanner) (desk.Contract, error) { return scanContractWith(row) }

// scanContractWith scans contractColumns, then the extra columns given.
func scanContractWith(row scanner, extra ...any) (desk.Contract, error) {
	var c desk.Contract
	var objectives, channels, timers string
	dst := append([]any{&c.ID, &c.ClientID, &c.Reference, &c.Tier, &c.CalendarID, &objectives, &channels, &timers,
		&c.AccountManagerID, &c.Version, at(&c.CreatedAt), at(&c.UpdatedAt)}, extra...)
	if err := row.Scan(dst...); err != nil {
		return c, err
	}
	if err := json.Unmarshal([]byte(objectives), &c.Objectives); err != nil {
		return c, fmt.Errorf("contract %d objectives: %w", c.ID, err)
	}
	if err := json.Unmarshal([]byte(channels), &c.Channels); err != nil {
		return c, fmt.Errorf("contract %d channels: %w", c.ID, err)
	}
	if err := json.Unmarshal([]byte(timers), &c.Timers); err != nil {
		return c, fmt.Errorf("contract %d timers: %w", c.ID, err)
	}
	return c, nil
}

// withSpaces fills the SpaceIDs of contracts.
func (q *queries) withSpaces(ctx context.Context, list []desk.Contract) error {
	if len(list) == 0 {
		return nil
	}
	ids := make([]int64, len(list))
	at := map[int64]int{}
	for i := range list {
		ids[i], at[list[i].ID] = list[i].ID, i
		list[i].SpaceIDs = []int64{}
	}
	var a args
	rows, err := q.q.QueryContext(ctx, `SELECT contract_id, id FROM spaces WHERE contract_id IN (`+a.in(ids)+
		`) ORDER BY id`, a...)
	if err != nil {
		return fmt.Errorf("contract spaces: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var cid, sid int64
		if err := rows.Scan(&cid, &sid); err != nil {
			return err
		}
		list[at[cid]].SpaceIDs = append(list[at[cid]].SpaceIDs, sid)
	}
	return rows.Err()
}

// setSpaces puts exactly c's spaces under c.
func (q *queries) setSpaces(ctx context.Context, c *desk.Contract) error {
	if _, err := q.q.ExecContext(ctx, `UPDATE spaces SET contract_id = NULL WHERE contract_id = $1`, c.ID); err != nil {
		return fmt.Errorf("contract spaces: %w", err)
	}
	if len(c.SpaceIDs) == 0 {
		return nil
	}
	var a args
	query := `UPDATE spaces SET contract_id = ` + a.add(c.ID) + ` WHERE id IN (` + a.in(c.SpaceIDs) + `)`
	_, err := q.q.ExecContext(ctx, query, a...)
	return q.d.wrap(err, "space_ids", "contract spaces")
}

// CreateContract stores c with its spaces and sets its ID.
func (q *queries) CreateContract(ctx context.Context, c *desk.Contract) error {
	stamp(&c.CreatedAt)
	stamp(&c.UpdatedAt)
	return q.atomically(ctx, func(q *queries) error {
		err := q.q.QueryRowContext(ctx, `INSERT INTO contracts (client_id, reference, tier, calendar_id, objectives,
				channels, timers, account_manager_id, version, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
			c.ClientID, c.Reference, string(c.Tier), nullID(c.CalendarID), jsonText(c.Objectives), jsonText(c.Channels),
			jsonText(c.Timers), nullID(c.AccountManagerID), c.Version, c.CreatedAt, c.UpdatedAt).Scan(&c.ID)
		if err != nil {
			return q.d.wrap(err, "client_id", "create contract")
		}
		return q.setSpaces(ctx, c)
	})
}

// UpdateContract saves every field of c but its client and creation time, and
// its spaces.
func (q *queries) UpdateContract(ctx context.Context, c *desk.Contract) error {
	stamp(&c.UpdatedAt)
	return q.atomically(ctx, func(q *queries) error {
		res, err := q.q.ExecContext(ctx, `UPDATE contracts SET reference = $2, tier = $3, calendar_id = $4,
				objectives = $5, channels = $6, timers = $7, account_manager_id = $8, version = $9, updated_at = $10
			WHERE id = $1`,
			c.ID, c.Reference, string(c.Tier), nullID(c.CalendarID), jsonText(c.Objectives), jsonText(c.Channels),
			jsonText(c.Timers), nullID(c.AccountManagerID), c.Version, c.UpdatedAt)
		if err != nil {
			return q.d.wrap(err, "calendar_id", "update contract")
		}
		if err := mustAffect(res, "contract"); err != nil {
			return err
		}
		return q.setSpaces(ctx, c)
	})
}

// Contract loads one contract with its spaces.
func (q *queries) Contract(ctx context.Context, id int64) (*desk.Contract, error) {
	c, err := queryOne(ctx, q.q, "contract", scanContract, `SELECT `+contractColumns+` FROM contracts WHERE id = $1`, id)
	if err != nil {
		return nil, err
	}
	list := []desk.Contract{*c}
	if err := q.withSpaces(ctx, list); err != nil {
		return nil, err
	}
	return &list[0], nil
}

// ListContracts lists contracts by id, with their spaces.
func (q *queries) ListContracts(ctx context.Context, p desk.Page) ([]desk.Contract, error) {
	list, err := listByID(ctx, q.q, "list contracts", `SELECT `+contractColumns+` FROM contracts`, true, nil, p, scanContract)
	if err != nil {
		return nil, err
	}
	return list, q.withSpaces(ctx, list)
}

// ContractOfSpace loads the contract a space is under, with its spaces, and the
// calendar its timers count in (its own, or the default one), in one query:
// every change to a ticket, and every ticket shown, plans its timers with them.
func (q *queries) ContractOfSpace(ctx context.Context, spaceID int64) (*desk.Contract, *desk.CalendarDef, error) {
	// The calendar's columns, then the contract's, its spaces and the id of the
	// calendar chosen: scanCalendar, then scanContractWith, read them in turn.
	row := q.q.QueryRowContext(ctx, `SELECT cal.*, k.* FROM (SELECT `+contractColumns+`,
			(SELECT string_agg(CAST(s.id AS text), ',' ORDER BY s.id) FROM spaces s WHERE s.contract_id = contracts.id),
			coalesce(calendar_id, (SELECT id FROM calendars WHERE is_default)) AS rules_calendar
		FROM contracts WHERE id = (SELECT contract_id FROM spaces WHERE id = $1)) AS k
		JOIN (SELECT `+calendarColumns+` FROM calendars) AS cal ON cal.id = k.rules_calendar`, spaceID)
	var c desk.Contract
	var spaces sql.NullString
	var calID int64
	cal, err := scanCalendar(scanFunc(func(calendar ...any) error {
		var err error
		c, err = scanContractWith(scanFunc(func(contract ...any) error {
			return row.Scan(append(calendar, contract...)...)
		}), &spaces, &calID)
		return err
	}))
	if err != nil {
		return nil, nil, notFound(err, "contract")
	}
	if c.SpaceIDs, err = splitIDs(spaces); err != nil {
		return nil, nil, fmt.Errorf("contract %d spaces: %w", c.ID, err)
	}
	if c.SpaceIDs == nil {
		c.SpaceIDs = []int64{}
	}
	return &c, &cal, nil
}

// AddContractVersion records a contract version.
func (q *queries) AddContractVersion(ctx context.Context, contractID int64, version int, data []byte, by int64, when time.Time) error {
	_, err := q.q.ExecContext(ctx, `INSERT INTO contract_versions (contract_id, version, data, changed_by, changed_at)
		VALUES ($1, $2, $3, $4, $5)`, contractID, version, string(data), nullID(by), dbTime(when))
	return q.d.wrap(err, "version", "record contract version")
}

// MarkTicketsDue makes the open tickets under a contract, or under the contracts
// of a calendar, fall due at when.
func (q *queries) MarkTicketsDue(ctx context.Context, contractID, calendarID int64, when time.Time) (int64, error) {
	var a args
	at := a.add(dbTime(when))
	spaces := `SELECT id FROM spaces WHERE contract_id = ` + a.add(contractID)
	if contractID == 0 {
		spaces = `SELECT s.id FROM spaces s JOIN contracts c ON c.id = s.contract_id WHERE c.calendar_id = ` + a.add(calendarID)
	}
	res, err := q.q.ExecContext(ctx, `INSERT INTO ticket_timers (ticket_id, next_due_at)
		SELECT id, `+at+` FROM tickets WHERE status <> 'closed' AND space_id IN (`+spaces+`)
		ON CONFLICT (ticket_id) DO UPDATE SET next_due_at = excluded.next_due_at`, a...)
	if err != nil {
		return 0, fmt.Errorf("mark tickets due: %w", err)
	}
	return res.RowsAffected()
}

// insertTimers and upsertTimers frame the rows of timersRow: the INSERT of
// tickets' timers, and the clause that replaces those already stored.
const (
	insertTimers = `INSERT INTO ticket_timers (ticket_id, next_due_at, slo_final) VALUES `
	upsertTimers = ` ON CONFLICT (ticket_id) DO UPDATE SET next_due_at = excluded.next_due_at,
		slo_final = excluded.slo_final`
)

// timersRow is the row of u's timers for the ticket whose id is the SQL
// expression id, its arguments added to a; final figures are text, NULL when
// none.
func timersRow(a *args, id string, u app.TimerUpdate) string {
	return `(` + id + `, ` + a.add(dbNullTime(u.Next)) + `, ` + a.add(finalFigures(&u)) + `)`
}

// finalFigures is the slo_final of u: its final figures as text, NULL when none.
func finalFigures(u *app.TimerUpdate) any {
	if u.Final == nil {
		return nil
	}
	return string(u.Final)
}

// RulesStamp reads the stamp the triggers of migration 0015 (SQLite) and 0013
// (PostgreSQL) change.
func (q *queries) RulesStamp(ctx context.Context) (int64, error) {
	var n int64
	err := q.q.QueryRowContext(ctx, `SELECT n FROM rules_stamp`).Scan(&n)
	return n, wrapErr(err, "read the rules' stamp")
}

// StaffRoles returns the provider roles of the provider users among ids.
func (q *queries) StaffRoles(ctx context.Context, ids []int64) (map[int64][]desk.Role, error) {
	out := map[int64][]desk.Role{}
	if len(ids) == 0 {
		return out, nil
	}
	var a args
	rows, err := q.q.QueryContext(ctx, `SELECT u.id, coalesce(r.role, '') FROM users u
		JOIN organisations o ON o.id = u.org_id AND o.kind = 'provider'
		LEFT JOIN user_roles r ON r.user_id = u.id
		WHERE u.id IN (`+a.in(ids)+`) ORDER BY u.id, r.role`, a...)
	if err != nil {
		return nil, fmt.Errorf("staff roles: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var role string
		if err := rows.Scan(&id, &role); err != nil {
			return nil, err
		}
		if out[id] == nil {
			out[id] = []desk.Role{}
		}
		if role != "" {
			out[id] = append(out[id], desk.Role(role))
		}
	}
	return out, rows.Err()
}

// SetTicketTimers stores tickets' timers: one statement for their next due
// instants and final figures, and one per deadline to change.
func (q *queries) SetTicketTimers(ctx context.Context, updates ...app.TimerUpdate) error {
	for len(updates) > 0 {
		n := rowsPerStatement(len(updates), 3)
		var a args
		rows := make([]string, n)
		for i, u := range updates[:n] {
			rows[i] = timersRow(&a, a.add(u.TicketID), u)
		}
		_, err := q.q.ExecContext(ctx, insertTimers+strings.Join(rows, `, `)+upsertTimers, a...)
		if err != nil {
			return q.d.wrap(err, "ticket_id", "set ticket timers")
		}
		for _, u := range updates[:n] {
			if !u.SetDeadline {
				continue
			}
			d := app.NoDeadline
			if u.Deadline != nil {
				d = dbTime(*u.Deadline)
			}
			if _, err := q.q.ExecContext(ctx, `UPDATE tickets SET deadline_at = $2 WHERE id = $1 AND deadline_at <> $2`,
				u.TicketID, d); err != nil {
				return fmt.Errorf("set ticket deadline: %w", err)
			}
		}
		updates = updates[n:]
	}
	return nil
}

// TicketTimers reads a ticket's next due instant, deadline and final figures.
func (q *queries) TicketTimers(ctx context.Context, ticketID int64) (next, deadline *time.Time, final []byte, err error) {
	var d time.Time
	var f *string
	err = q.q.QueryRowContext(ctx, `SELECT tt.next_due_at, t.deadline_at, tt.slo_final FROM tickets t
		LEFT JOIN ticket_timers tt ON tt.ticket_id = t.id WHERE t.id = $1`, ticketID).
		Scan(atNull(&next), at(&d), &f)
	if err != nil {
		return nil, nil, nil, notFound(err, "ticket")
	}
	if d.Before(app.NoDeadline) {
		deadline = &d
	}
	if f != nil {
		final = []byte(*f)
	}
	return next, deadline, final, nil
}
