package sqlstore

import (
	"context"

	"guichet/internal/desk"
)

const orgColumns = `id, kind, name, trained, trained_on, created_at`

func scanOrg(row scanner) (desk.Organisation, error) {
	var o desk.Organisation
	err := row.Scan(&o.ID, &o.Kind, &o.Name, &o.Trained, atNull(&o.TrainedOn), at(&o.CreatedAt))
	return o, err
}

// CreateOrganisation stores o and sets its ID (and CreatedAt when zero).
func (q *queries) CreateOrganisation(ctx context.Context, o *desk.Organisation) error {
	stamp(&o.CreatedAt)
	err := q.q.QueryRowContext(ctx, `
		INSERT INTO organisations (kind, name, trained, trained_on, created_at)
		VALUES ($1, $2, $3, $4, $5)
		RETURNING id`,
		o.Kind, o.Name, o.Trained, dbNullTime(o.TrainedOn), o.CreatedAt).Scan(&o.ID)
	return q.d.wrap(err, "kind", "create organisation")
}

// UpdateOrganisation saves o's name and training.
func (q *queries) UpdateOrganisation(ctx context.Context, o *desk.Organisation) error {
	res, err := q.q.ExecContext(ctx, `
		UPDATE organisations SET name = $2, trained = $3, trained_on = $4
		WHERE id = $1`,
		o.ID, o.Name, o.Trained, dbNullTime(o.TrainedOn))
	if err != nil {
		return q.d.wrap(err, "name", "update organisation")
	}
	return mustAffect(res, "organisation")
}

// Organisation loads one organisation.
func (q *queries) Organisation(ctx context.Context, id int64) (*desk.Organisation, error) {
	return queryOne(ctx, q.q, "organisation", scanOrg, `SELECT `+orgColumns+` FROM organisations WHERE id = $1`, id)
}

// ProviderOrganisation loads the provider.
func (q *queries) ProviderOrganisation(ctx context.Context) (*desk.Organisation, error) {
	return queryOne(ctx, q.q, "organisation", scanOrg, `SELECT `+orgColumns+` FROM organisations WHERE kind = 'provider'`)
}

// ListOrganisations lists the organisations in scope by id.
func (q *queries) ListOrganisations(ctx context.Context, scope desk.OrgScope, p desk.Page) ([]desk.Organisation, error) {
	return listByID(ctx, q.q, "list organisations", `SELECT `+orgColumns+` FROM organisations`, scope.All, scope.IDs, p,
		scanOrg)
}
