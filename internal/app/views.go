package app

import (
	"context"
	"strings"
	"time"

	"guichet/internal/desk"
)

// SubmissionQueries remember the forms already sent, by their one-time token, so
// that a form sent twice does its work once. They are part of Queries.
type SubmissionQueries interface {
	// ClaimSubmission records that user userID sends the form of token at now. It
	// answers claimed when this sending is the first, or follows one that failed
	// or stalled since before stale; otherwise the ticket the first sending
	// created (0 while it is still running).
	ClaimSubmission(ctx context.Context, userID int64, token string, now, stale time.Time) (claimed bool, ticketID int64, err error)
	// FinishSubmission records the ticket the first sending created.
	FinishSubmission(ctx context.Context, userID int64, token string, ticketID int64) error
	// ReleaseSubmission forgets a sending that failed, so the form may be sent again.
	ReleaseSubmission(ctx context.Context, userID int64, token string) error
}

// Submission waits: how long a second sending waits for the first, and after
// how long a first sending that never finished (a crash) no longer holds its
// token.
const (
	submissionWait  = 10 * time.Second
	submissionStale = time.Minute
	submissionPoll  = 50 * time.Millisecond
	maxTokenLen     = 64
)

// OpenTicketOnce opens a ticket from a form that carries a one-time token: the
// first sending of the form creates the ticket; any later sending of the same
// form by the same person, even on another instance, answers with that ticket
// instead of creating another. A sending that fails frees the token.
func (s *Service) OpenTicketOnce(ctx context.Context, a *desk.Actor, token string, in NewTicket) (*desk.Ticket, error) {
	if err := requireSignedIn(a); err != nil {
		return nil, err
	}
	if token == "" || len(token) > maxTokenLen {
		return nil, desk.FieldError("token", "is missing or not one this server gave")
	}
	deadline := time.Now().Add(submissionWait)
	for {
		now := s.now()
		claimed, id, err := s.store.ClaimSubmission(ctx, a.UserID, token, now, now.Add(-submissionStale))
		if err != nil {
			return nil, err
		}
		if claimed {
			break
		}
		if id != 0 {
			return s.Ticket(ctx, a, id)
		}
		if time.Now().After(deadline) {
			return nil, desk.Errorf(desk.Conflict, "this form is already being sent; wait a moment and look at your tickets")
		}
		select { // the first sending is still running: wait for its ticket
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(submissionPoll):
		}
	}
	t, err := s.OpenTicket(ctx, a, in)
	if err != nil {
		_ = s.store.ReleaseSubmission(context.WithoutCancel(ctx), a.UserID, token)
		return nil, err
	}
	if err := s.store.FinishSubmission(context.WithoutCancel(ctx), a.UserID, token, t.ID); err != nil {
		return nil, err
	}
	return t, nil
}

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
