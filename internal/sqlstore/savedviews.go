package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"

	"guichet/internal/app"
)

const savedViewColumns = `id, owner_id, name, shared, filter, created_at, updated_at`

func scanSavedView(row scanner) (app.SavedView, error) {
	var v app.SavedView
	var filter string
	err := row.Scan(&v.ID, &v.OwnerID, &v.Name, &v.Shared, &filter, at(&v.CreatedAt), at(&v.UpdatedAt))
	if err != nil {
		return v, err
	}
	if err := json.Unmarshal([]byte(filter), &v.Filter); err != nil {
		return v, fmt.Errorf("decode view filter %q: %w", filter, err)
	}
	return v, nil
}

func encodeViewFilter(f app.ViewFilter) string {
	b, err := json.Marshal(f)
	if err != nil {
		panic("sqlstore: encode view filter: " + err.Error()) // plain fields always marshal
	}
	return string(b)
}

// CreateSavedView stores v and sets its ID.
func (q *queries) CreateSavedView(ctx context.Context, v *app.SavedView) error {
	stamp(&v.CreatedAt)
	if v.UpdatedAt.IsZero() {
		v.UpdatedAt = v.CreatedAt
	}
	v.UpdatedAt = dbTime(v.UpdatedAt)
	err := q.q.QueryRowContext(ctx, `
		INSERT INTO saved_views (owner_id, name, shared, filter, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6)
		RETURNING id`,
		v.OwnerID, v.Name, v.Shared, encodeViewFilter(v.Filter), v.CreatedAt, v.UpdatedAt).Scan(&v.ID)
	return q.d.wrap(err, "owner_id", "create saved view")
}

// UpdateSavedView saves v's name, sharing, filter and time of change.
func (q *queries) UpdateSavedView(ctx context.Context, v *app.SavedView) error {
	stamp(&v.UpdatedAt)
	res, err := q.q.ExecContext(ctx, `
		UPDATE saved_views SET name = $2, shared = $3, filter = $4, updated_at = $5
		WHERE id = $1`,
		v.ID, v.Name, v.Shared, encodeViewFilter(v.Filter), v.UpdatedAt)
	if err != nil {
		return q.d.wrap(err, "name", "update saved view")
	}
	return mustAffect(res, "view")
}

// DeleteSavedView deletes view id.
func (q *queries) DeleteSavedView(ctx context.Context, id int64) error {
	res, err := q.q.ExecContext(ctx, `DELETE FROM saved_views WHERE id = $1`, id)
	if err != nil {
		return fmt.Errorf("delete saved view: %w", err)
	}
	return mustAffect(res, "view")
}

// SavedView loads one view.
func (q *queries) SavedView(ctx context.Context, id int64) (*app.SavedView, error) {
	return queryOne(ctx, q.q, "view", scanSavedView, `SELECT `+savedViewColumns+` FROM saved_views WHERE id = $1`, id)
}

// ListSavedViews lists the views of ownerID and, when withShared, those other
// people share, by name then id.
func (q *queries) ListSavedViews(ctx context.Context, ownerID int64, withShared bool) ([]app.SavedView, error) {
	return queryList(ctx, q.q, "list saved views", scanSavedView, `SELECT `+savedViewColumns+` FROM saved_views
		WHERE owner_id = $1 OR (shared AND $2)
		ORDER BY name, id`, ownerID, withShared)
}

// CountSavedViews counts the views of ownerID.
func (q *queries) CountSavedViews(ctx context.Context, ownerID int64) (int, error) {
	var n int
	err := q.q.QueryRowContext(ctx, `SELECT count(*) FROM saved_views WHERE owner_id = $1`, ownerID).Scan(&n)
	return n, wrapErr(err, "count saved views")
}
