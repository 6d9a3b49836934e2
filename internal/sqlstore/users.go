package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"guichet/internal/app"
	"guichet/internal/desk"
)

const userColumns = `id, org_id, email, name, locale, disabled, created_at`

func scanUser(row scanner, extra ...any) (desk.User, error) {
	var u desk.User
	dst := append([]any{&u.ID, &u.OrgID, &u.Email, &u.Name, &u.Locale, &u.Disabled, at(&u.CreatedAt)}, extra...)
	err := row.Scan(dst...)
	return u, err
}

// scanOneUser scans a user without extra columns.
func scanOneUser(row scanner) (desk.User, error) { return scanUser(row) }

// CreateUser stores u, its roles and its password hash, and sets its ID (and
// CreatedAt when zero). The email is stored lower-case.
func (q *queries) CreateUser(ctx context.Context, u *desk.User, passwordHash string) error {
	stamp(&u.CreatedAt)
	u.Email = desk.NormaliseEmail(u.Email)
	err := q.q.QueryRowContext(ctx, `
		INSERT INTO users (org_id, email, name, locale, password_hash, disabled, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)
		RETURNING id`,
		u.OrgID, u.Email, u.Name, u.Locale, passwordHash, u.Disabled, u.CreatedAt).Scan(&u.ID)
	if err != nil {
		return q.d.wrap(err, "org_id", "create user")
	}
	return q.insertRoles(ctx, u.ID, u.Roles)
}

// insertRoles grants roles to user userID in one statement, skipping repeats.
func (q *queries) insertRoles(ctx context.Context, userID int64, grants []desk.RoleGrant) error {
	if len(grants) == 0 {
		return nil
	}
	var a args
	uid := a.add(userID)
	seen := make(map[desk.RoleGrant]bool, len(grants))
	values := make([]string, 0, len(grants))
	for _, g := range grants {
		if seen[g] {
			continue
		}
		seen[g] = true
		var client any
		if g.ClientID > 0 {
			client = g.ClientID
		}
		values = append(values, "("+uid+", "+a.add(string(g.Role))+", "+a.add(client)+")")
	}
	_, err := q.q.ExecContext(ctx, `INSERT INTO user_roles (user_id, role, client_id) VALUES `+
		strings.Join(values, ", "), a...)
	return q.d.wrap(err, "roles", "grant roles")
}

// UpdateUser saves u's email, name, locale and disabled flag (not its roles: see
// SetUserRoles).
func (q *queries) UpdateUser(ctx context.Context, u *desk.User) error {
	u.Email = desk.NormaliseEmail(u.Email)
	res, err := q.q.ExecContext(ctx, `
		UPDATE users SET email = $2, name = $3, locale = $4, disabled = $5
		WHERE id = $1`,
		u.ID, u.Email, u.Name, u.Locale, u.Disabled)
	if err != nil {
		return q.d.wrap(err, "email", "update user")
	}
	return mustAffect(res, "user")
}

// SetUserRoles replaces every role of user userID by grants.
func (q *queries) SetUserRoles(ctx context.Context, userID int64, grants []desk.RoleGrant) error {
	var one int
	if err := q.q.QueryRowContext(ctx, `SELECT 1 FROM users WHERE id = $1`, userID).Scan(&one); err != nil {
		return notFound(err, "user")
	}
	if _, err := q.q.ExecContext(ctx, `DELETE FROM user_roles WHERE user_id = $1`, userID); err != nil {
		return fmt.Errorf("revoke roles: %w", err)
	}
	return q.insertRoles(ctx, userID, grants)
}

// SetPassword replaces the password hash of user userID.
func (q *queries) SetPassword(ctx context.Context, userID int64, passwordHash string) error {
	res, err := q.q.ExecContext(ctx, `UPDATE users SET password_hash = $2 WHERE id = $1`, userID, passwordHash)
	if err != nil {
		return fmt.Errorf("set password: %w", err)
	}
	return mustAffect(res, "user")
}

// User loads one user with their roles.
func (q *queries) User(ctx context.Context, id int64) (*desk.User, error) {
	u, err := queryOne(ctx, q.q, "user", scanOneUser, `SELECT `+userColumns+` FROM users WHERE id = $1`, id)
	if err != nil {
		return nil, err
	}
	if err := q.loadRoles(ctx, []*desk.User{u}); err != nil {
		return nil, err
	}
	return u, nil
}

// actorColumns read, with a user u's columns, what building its actor needs, in
// the same row: its organisation's kind, then its roles, the spaces it is a
// member of and those its organisation owns (none unless it is a client), each
// a list joined with commas. Every request builds its actor, so this is one
// query rather than one per list.
const actorColumns = `u.id, u.org_id, u.email, u.name, u.locale, u.disabled, u.created_at,
	o.kind,
	(SELECT string_agg(role || ':' || coalesce(client_id, 0), ',' ORDER BY role, coalesce(client_id, 0))
		FROM user_roles WHERE user_id = u.id),
	(SELECT string_agg(CAST(space_id AS text), ',' ORDER BY space_id) FROM memberships WHERE user_id = u.id),
	(SELECT string_agg(CAST(id AS text), ',' ORDER BY id) FROM spaces WHERE client_id = u.org_id AND o.kind = 'client')`

// scanActor scans actorColumns, then the extra columns given.
func scanActor(row scanner, extra ...any) (*app.ActorRecord, error) {
	var r app.ActorRecord
	var roles, members, owned sql.NullString
	u, err := scanUser(row, append([]any{&r.OrgKind, &roles, &members, &owned}, extra...)...)
	if err != nil {
		return nil, err
	}
	u.Roles = []desk.RoleGrant{}
	for _, g := range splitList(roles.String) {
		role, client, _ := strings.Cut(g, ":")
		id, err := strconv.ParseInt(client, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("load actor: role %q: %w", g, err)
		}
		u.Roles = append(u.Roles, desk.RoleGrant{Role: desk.Role(role), ClientID: id})
	}
	r.User = &u
	if r.MemberOf, err = splitIDs(members); err != nil {
		return nil, fmt.Errorf("load actor: %w", err)
	}
	if r.ClientSpaces, err = splitIDs(owned); err != nil {
		return nil, fmt.Errorf("load actor: %w", err)
	}
	return &r, nil
}

// ActorRecord reads user id with what building its actor needs.
func (q *queries) ActorRecord(ctx context.Context, id int64) (*app.ActorRecord, error) {
	r, err := scanActor(q.q.QueryRowContext(ctx, `SELECT `+actorColumns+`
		FROM users u JOIN organisations o ON o.id = u.org_id WHERE u.id = $1`, id))
	if err != nil {
		return nil, notFound(err, "user")
	}
	return r, nil
}

// TokenActor reads the token whose secret hashes to hash, revoked or expired
// included (the caller decides whether it is usable), with its user's actor
// record: a request with a token needs both, so they come in one query.
func (q *queries) TokenActor(ctx context.Context, hash []byte) (*desk.Token, *app.ActorRecord, error) {
	var t desk.Token
	r, err := scanActor(q.q.QueryRowContext(ctx, `SELECT `+actorColumns+`,
		t.id, t.user_id, t.name, t.hash, t.created_at, t.expires_at, t.revoked_at, t.last_used_at
		FROM tokens t JOIN users u ON u.id = t.user_id JOIN organisations o ON o.id = u.org_id
		WHERE t.hash = $1`, hash),
		&t.ID, &t.UserID, &t.Name, &t.Hash, at(&t.CreatedAt), at(&t.ExpiresAt), atNull(&t.RevokedAt), atNull(&t.LastUsedAt))
	if err != nil {
		return nil, nil, notFound(err, "token")
	}
	return &t, r, nil
}

// UserByEmail loads the user with this address (compared lower-case), their roles
// and their password hash.
func (q *queries) UserByEmail(ctx context.Context, email string) (*desk.User, string, error) {
	var hash string
	u, err := scanUser(q.q.QueryRowContext(ctx, `SELECT `+userColumns+`, password_hash FROM users WHERE email = $1`,
		desk.NormaliseEmail(email)), &hash)
	if err != nil {
		return nil, "", notFound(err, "user")
	}
	if err := q.loadRoles(ctx, []*desk.User{&u}); err != nil {
		return nil, "", err
	}
	return &u, hash, nil
}

// ListUsers lists the users in scope by id, with their roles loaded in one more
// query for the whole page.
func (q *queries) ListUsers(ctx context.Context, scope app.UserScope, p desk.Page) ([]desk.User, error) {
	if !scope.All && len(scope.OrgIDs) == 0 && len(scope.SpaceIDs) == 0 {
		return []desk.User{}, nil
	}
	var a args
	where := `id > ` + a.add(p.After)
	if !scope.All {
		var or []string
		if len(scope.OrgIDs) > 0 {
			or = append(or, `org_id IN (`+a.in(scope.OrgIDs)+`)`)
		}
		if len(scope.SpaceIDs) > 0 {
			or = append(or, `id IN (SELECT user_id FROM memberships WHERE space_id IN (`+a.in(scope.SpaceIDs)+`))`)
		}
		where += ` AND (` + strings.Join(or, ` OR `) + `)`
	}
	query := `SELECT ` + userColumns + ` FROM users WHERE ` + where + ` ORDER BY id LIMIT ` + a.add(limit(p))
	return q.users(ctx, "list users", query, a...)
}

// UsersByEmail returns the users with these addresses (compared lower-case), by
// id, with their roles.
func (q *queries) UsersByEmail(ctx context.Context, emails []string) ([]desk.User, error) {
	if len(emails) == 0 {
		return []desk.User{}, nil
	}
	normalised := make([]string, len(emails))
	for i, e := range emails {
		normalised[i] = desk.NormaliseEmail(e)
	}
	var a args
	query := `SELECT ` + userColumns + ` FROM users WHERE email IN (` + inList(&a, normalised) + `) ORDER BY id`
	return q.users(ctx, "users by email", query, a...)
}

// users reads the users of query, then their roles in one more query.
func (q *queries) users(ctx context.Context, doing, query string, a ...any) ([]desk.User, error) {
	list, err := queryList(ctx, q.q, doing, scanOneUser, query, a...)
	if err != nil {
		return nil, err
	}
	ptrs := make([]*desk.User, len(list))
	for i := range list {
		ptrs[i] = &list[i]
	}
	if err := q.loadRoles(ctx, ptrs); err != nil {
		return nil, err
	}
	return list, nil
}

// loadRoles fills the roles of users, ordered by role, in one query.
func (q *queries) loadRoles(ctx context.Context, users []*desk.User) error {
	if len(users) == 0 {
		return nil
	}
	byID := make(map[int64]*desk.User, len(users))
	ids := make([]int64, len(users))
	for i, u := range users {
		u.Roles = []desk.RoleGrant{}
		byID[u.ID] = u
		ids[i] = u.ID
	}
	var a args
	rows, err := q.q.QueryContext(ctx, `
		SELECT user_id, role, coalesce(client_id, 0) FROM user_roles
		WHERE user_id IN (`+a.in(ids)+`)
		ORDER BY user_id, role, client_id`, a...)
	if err != nil {
		return fmt.Errorf("load roles: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var uid int64
		var g desk.RoleGrant
		if err := rows.Scan(&uid, &g.Role, &g.ClientID); err != nil {
			return fmt.Errorf("load roles: %w", err)
		}
		if u := byID[uid]; u != nil {
			u.Roles = append(u.Roles, g)
		}
	}
	return wrapErr(rows.Err(), "load roles")
}
