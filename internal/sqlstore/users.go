package sqlstore

import (
	"context"
	"fmt"
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

// ActorRecord reads user id with its organisation's kind, then its roles, the
// spaces it is a member of and those its organisation owns (none unless it is a
// client) in one more query.
func (q *queries) ActorRecord(ctx context.Context, id int64) (*app.ActorRecord, error) {
	var r app.ActorRecord
	u, err := scanUser(q.q.QueryRowContext(ctx, `SELECT `+userColumns+`,
		(SELECT kind FROM organisations WHERE organisations.id = users.org_id) FROM users WHERE id = $1`, id), &r.OrgKind)
	if err != nil {
		return nil, notFound(err, "user")
	}
	u.Roles = []desk.RoleGrant{}
	r.User = &u
	rows, err := q.q.QueryContext(ctx, `
		SELECT 'role', role, coalesce(client_id, 0) FROM user_roles WHERE user_id = $1
		UNION ALL SELECT 'member', '', space_id FROM memberships WHERE user_id = $1
		UNION ALL SELECT 'owned', '', id FROM spaces WHERE client_id = $2 AND $3
		ORDER BY 1, 2, 3`, id, u.OrgID, r.OrgKind == desk.Client)
	if err != nil {
		return nil, fmt.Errorf("load actor: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var kind string
		var role desk.Role
		var n int64
		if err := rows.Scan(&kind, &role, &n); err != nil {
			return nil, fmt.Errorf("load actor: %w", err)
		}
		switch kind {
		case "role":
			u.Roles = append(u.Roles, desk.RoleGrant{Role: role, ClientID: n})
		case "member":
			r.MemberOf = append(r.MemberOf, n)
		case "owned":
			r.ClientSpaces = append(r.ClientSpaces, n)
		}
	}
	return &r, wrapErr(rows.Err(), "load actor")
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
