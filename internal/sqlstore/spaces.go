package sqlstore

import (
	"context"
	"fmt"

	"guichet/internal/desk"
)

const spaceColumns = `id, client_id, key, name, require_diagnostic, created_at`

func scanSpace(row scanner) (desk.Space, error) {
	var s desk.Space
	err := row.Scan(&s.ID, &s.ClientID, &s.Key, &s.Name, &s.RequireDiagnostic, at(&s.CreatedAt))
	return s, err
}

// CreateSpace stores s and sets its ID (and CreatedAt when zero).
func (q *queries) CreateSpace(ctx context.Context, s *desk.Space) error {
	stamp(&s.CreatedAt)
	err := q.q.QueryRowContext(ctx, `
		INSERT INTO spaces (client_id, key, name, require_diagnostic, created_at)
		VALUES ($1, $2, $3, $4, $5)
		RETURNING id`,
		s.ClientID, s.Key, s.Name, s.RequireDiagnostic, s.CreatedAt).Scan(&s.ID)
	return q.d.wrap(err, "client_id", "create space")
}

// UpdateSpace saves s's name and settings. The key never changes: ticket numbers
// carry it.
func (q *queries) UpdateSpace(ctx context.Context, s *desk.Space) error {
	res, err := q.q.ExecContext(ctx, `UPDATE spaces SET name = $2, require_diagnostic = $3 WHERE id = $1`,
		s.ID, s.Name, s.RequireDiagnostic)
	if err != nil {
		return q.d.wrap(err, "name", "update space")
	}
	return mustAffect(res, "space")
}

// Space loads one space.
func (q *queries) Space(ctx context.Context, id int64) (*desk.Space, error) {
	return queryOne(ctx, q.q, "space", scanSpace, `SELECT `+spaceColumns+` FROM spaces WHERE id = $1`, id)
}

// ListSpaces lists the spaces in scope by id.
func (q *queries) ListSpaces(ctx context.Context, scope desk.SpaceScope, p desk.Page) ([]desk.Space, error) {
	return listByID(ctx, q.q, "list spaces", `SELECT `+spaceColumns+` FROM spaces`, scope.All, scope.IDs, p, scanSpace)
}

// SpaceIDsOfClient lists the spaces client clientID owns, by id.
func (q *queries) SpaceIDsOfClient(ctx context.Context, clientID int64) ([]int64, error) {
	ids, err := scanIDs(q.q.QueryContext(ctx, `SELECT id FROM spaces WHERE client_id = $1 ORDER BY id`, clientID))
	return ids, wrapErr(err, "spaces of client")
}

const projectColumns = `id, space_id, name, created_at`

func scanProject(row scanner) (desk.Project, error) {
	var p desk.Project
	err := row.Scan(&p.ID, &p.SpaceID, &p.Name, at(&p.CreatedAt))
	return p, err
}

// CreateProject stores p and sets its ID (and CreatedAt when zero).
func (q *queries) CreateProject(ctx context.Context, p *desk.Project) error {
	stamp(&p.CreatedAt)
	err := q.q.QueryRowContext(ctx, `
		INSERT INTO projects (space_id, name, created_at)
		VALUES ($1, $2, $3)
		RETURNING id`,
		p.SpaceID, p.Name, p.CreatedAt).Scan(&p.ID)
	return q.d.wrap(err, "space_id", "create project")
}

// UpdateProject saves p's name.
func (q *queries) UpdateProject(ctx context.Context, p *desk.Project) error {
	res, err := q.q.ExecContext(ctx, `UPDATE projects SET name = $2 WHERE id = $1`, p.ID, p.Name)
	if err != nil {
		return q.d.wrap(err, "name", "update project")
	}
	return mustAffect(res, "project")
}

// Project loads one project.
func (q *queries) Project(ctx context.Context, id int64) (*desk.Project, error) {
	return queryOne(ctx, q.q, "project", scanProject, `SELECT `+projectColumns+` FROM projects WHERE id = $1`, id)
}

// ListProjects lists the projects of space spaceID by id.
func (q *queries) ListProjects(ctx context.Context, spaceID int64, p desk.Page) ([]desk.Project, error) {
	return queryList(ctx, q.q, "list projects", scanProject, `SELECT `+projectColumns+` FROM projects
		WHERE space_id = $1 AND id > $2 ORDER BY id LIMIT $3`, spaceID, p.After, limit(p))
}

// AddMember makes m.UserID a member of m.SpaceID (AddedAt is set when zero; an
// AddedBy of 0 or less, the system, is stored as NULL).
func (q *queries) AddMember(ctx context.Context, m *desk.Membership) error {
	stamp(&m.AddedAt)
	var by any
	if m.AddedBy > 0 {
		by = m.AddedBy
	}
	_, err := q.q.ExecContext(ctx, `
		INSERT INTO memberships (space_id, user_id, added_by, added_at)
		VALUES ($1, $2, $3, $4)`,
		m.SpaceID, m.UserID, by, m.AddedAt)
	return q.d.wrap(err, "user_id", "add member")
}

// RemoveMember ends a membership; ErrNotFound("membership") when there is none.
func (q *queries) RemoveMember(ctx context.Context, spaceID, userID int64) error {
	res, err := q.q.ExecContext(ctx, `DELETE FROM memberships WHERE space_id = $1 AND user_id = $2`, spaceID, userID)
	if err != nil {
		return fmt.Errorf("remove member: %w", err)
	}
	return mustAffect(res, "membership")
}

func scanMember(row scanner) (desk.Membership, error) {
	var m desk.Membership
	err := row.Scan(&m.SpaceID, &m.UserID, &m.AddedBy, at(&m.AddedAt))
	return m, err
}

// ListMembers lists the members of space spaceID by user id; Page.After is a user
// id.
func (q *queries) ListMembers(ctx context.Context, spaceID int64, p desk.Page) ([]desk.Membership, error) {
	return queryList(ctx, q.q, "list members", scanMember, `
		SELECT space_id, user_id, coalesce(added_by, 0), added_at FROM memberships
		WHERE space_id = $1 AND user_id > $2 ORDER BY user_id LIMIT $3`, spaceID, p.After, limit(p))
}

// SpacesOfMember lists the spaces user userID is a member of, by id.
func (q *queries) SpacesOfMember(ctx context.Context, userID int64) ([]int64, error) {
	ids, err := scanIDs(q.q.QueryContext(ctx, `SELECT space_id FROM memberships WHERE user_id = $1 ORDER BY space_id`, userID))
	return ids, wrapErr(err, "spaces of member")
}
