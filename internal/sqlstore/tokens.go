package sqlstore

import (
	"context"
	"fmt"
	"time"

	"guichet/internal/desk"
)

const tokenColumns = `id, user_id, name, hash, created_at, expires_at, revoked_at, last_used_at`

func scanToken(row scanner) (desk.Token, error) {
	var t desk.Token
	err := row.Scan(&t.ID, &t.UserID, &t.Name, &t.Hash, at(&t.CreatedAt), at(&t.ExpiresAt),
		atNull(&t.RevokedAt), atNull(&t.LastUsedAt))
	return t, err
}

// CreateToken stores t (its hash, never its secret) and sets its ID (and CreatedAt
// when zero).
func (q *queries) CreateToken(ctx context.Context, t *desk.Token) error {
	stamp(&t.CreatedAt)
	t.ExpiresAt = dbTime(t.ExpiresAt)
	err := q.q.QueryRowContext(ctx, `
		INSERT INTO tokens (user_id, name, hash, created_at, expires_at, revoked_at, last_used_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)
		RETURNING id`,
		t.UserID, t.Name, t.Hash, t.CreatedAt, t.ExpiresAt, dbNullTime(t.RevokedAt), dbNullTime(t.LastUsedAt)).Scan(&t.ID)
	return q.d.wrap(err, "user_id", "create token")
}

// RevokeToken revokes token id at the given time; revoking it again keeps the
// first time.
func (q *queries) RevokeToken(ctx context.Context, id int64, when time.Time) error {
	res, err := q.q.ExecContext(ctx, `UPDATE tokens SET revoked_at = coalesce(revoked_at, $2) WHERE id = $1`,
		id, dbTime(when))
	if err != nil {
		return fmt.Errorf("revoke token: %w", err)
	}
	return mustAffect(res, "token")
}

// Token loads one token.
func (q *queries) Token(ctx context.Context, id int64) (*desk.Token, error) {
	return queryOne(ctx, q.q, "token", scanToken, `SELECT `+tokenColumns+` FROM tokens WHERE id = $1`, id)
}

// ListTokens lists the tokens of user userID by id.
func (q *queries) ListTokens(ctx context.Context, userID int64, p desk.Page) ([]desk.Token, error) {
	return queryList(ctx, q.q, "list tokens", scanToken, `SELECT `+tokenColumns+` FROM tokens
		WHERE user_id = $1 AND id > $2 ORDER BY id LIMIT $3`, userID, p.After, limit(p))
}

// TouchToken records that token id was used at the given time.
func (q *queries) TouchToken(ctx context.Context, id int64, when time.Time) error {
	res, err := q.q.ExecContext(ctx, `UPDATE tokens SET last_used_at = $2 WHERE id = $1`, id, dbTime(when))
	if err != nil {
		return fmt.Errorf("touch token: %w", err)
	}
	return mustAffect(res, "token")
}
