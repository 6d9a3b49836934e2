package app

import (
	"context"

	"guichet/internal/desk"
)

// UsersOf lists the users of one organisation the actor may see: any for
// provider staff, their own organisation's for others. Another organisation is
// not found, as everywhere else.
func (s *Service) UsersOf(ctx context.Context, a *desk.Actor, orgID int64, p desk.Page) ([]desk.User, error) {
	if _, err := s.Organisation(ctx, a, orgID); err != nil {
		return nil, err
	}
	return s.store.ListUsers(ctx, UserScope{OrgIDs: []int64{orgID}}, page(p))
}

// SpacesOf lists the spaces of one client the actor may see, in the order of
// their ids: every one of them for provider staff, those they belong to for
// others.
func (s *Service) SpacesOf(ctx context.Context, a *desk.Actor, clientID int64) ([]desk.Space, error) {
	if _, err := s.Organisation(ctx, a, clientID); err != nil {
		return nil, err
	}
	ids, err := s.store.SpaceIDsOfClient(ctx, clientID)
	if err != nil || len(ids) == 0 {
		return []desk.Space{}, err
	}
	if !a.Staff() {
		visible := ids[:0]
		for _, id := range ids {
			if a.Spaces[id] {
				visible = append(visible, id)
			}
		}
		ids = visible
	}
	out := make([]desk.Space, 0, len(ids))
	for len(ids) > 0 {
		n := min(len(ids), desk.MaxPageSize)
		spaces, err := s.store.ListSpaces(ctx, desk.SpaceScope{IDs: ids[:n]}, desk.Page{Limit: desk.MaxPageSize})
		if err != nil {
			return nil, err
		}
		out = append(out, spaces...)
		ids = ids[n:]
	}
	return out, nil
}
