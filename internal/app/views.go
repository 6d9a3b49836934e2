package app

import (
	"context"
	"strings"

	"guichet/internal/desk"
)

// MaxMentionCandidates bounds the people MentionCandidates returns.
const MaxMentionCandidates = 8

// MentionCandidates lists the people whose name or address starts with prefix
// (any word of the name) and who would see a comment on ticket id, a private one
// when private: the only people an @mention there may name. Only people the actor
// may see are considered, so no list reveals anyone else.
func (s *Service) MentionCandidates(ctx context.Context, a *desk.Actor, id int64, private bool, prefix string) ([]desk.User, error) {
	t, err := s.Ticket(ctx, a, id)
	if err != nil {
		return nil, err
	}
	if private && !a.Staff() {
		return nil, desk.FieldError("private", "only provider staff write private comments")
	}
	prefix = strings.ToLower(strings.TrimSpace(prefix))
	probe := &desk.Comment{Private: private}
	out := []desk.User{}
	p := desk.Page{Limit: desk.MaxPageSize}
	for range 10 { // at most 2,000 people are looked at
		users, err := s.store.ListUsers(ctx, userScope(a), p)
		if err != nil {
			return nil, err
		}
		for _, u := range users {
			if u.Disabled || !mentionMatches(&u, prefix) {
				continue
			}
			m, err := s.Actor(ctx, u.ID)
			if err != nil || !m.CanSeeTicket(t) || !m.CanSeeComment(probe) {
				continue
			}
			if out = append(out, u); len(out) == MaxMentionCandidates {
				return out, nil
			}
		}
		if len(users) < p.Limit {
			break
		}
		p.After = users[len(users)-1].ID
	}
	return out, nil
}

func mentionMatches(u *desk.User, prefix string) bool {
	if prefix == "" || strings.HasPrefix(u.Email, prefix) {
		return true
	}
	for _, w := range strings.Fields(strings.ToLower(u.Name)) {
		if strings.HasPrefix(w, prefix) {
			return true
		}
	}
	return false
}
