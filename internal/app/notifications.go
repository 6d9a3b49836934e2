package app

import (
	"context"
	"time"

	"guichet/internal/desk"
)

// NotificationQueries deliver the outbox into people's in-app notifications
// and read those back. They are part of Queries.
type NotificationQueries interface {
	// OutboxEntry reads one outbox row; inside a transaction it locks the row
	// until commit, so two deliveries of it take turns.
	OutboxEntry(ctx context.Context, id int64) (*Notification, error)
	// DeliverInApp adds n to its recipient's notifications, once per outbox
	// row, and marks the outbox row sent at at.
	DeliverInApp(ctx context.Context, n *Notification, at time.Time) error
	// OutboxFailed counts a failed delivery attempt of an outbox row and when
	// the next one is due.
	OutboxFailed(ctx context.Context, id int64, next time.Time) error
	// PendingOutbox lists the ids of unsent outbox rows after afterID, by id.
	PendingOutbox(ctx context.Context, afterID int64, limit int) ([]int64, error)
	// UnqueuedOutbox lists the ids of the first unsent outbox rows that have
	// no delivery job, by id.
	UnqueuedOutbox(ctx context.Context, limit int) ([]int64, error)
	// QueueOutbox inserts the delivery jobs of outbox rows that have none, in
	// the transaction it runs in, and records that they have one. It fails
	// when no job queue is set up.
	QueueOutbox(ctx context.Context, ids []int64) error
	// ListNotifications lists a person's notifications about tickets within
	// scope, newest first, before the id p.After when it is not 0.
	ListNotifications(ctx context.Context, userID int64, scope desk.TicketScope, p desk.Page) ([]InAppNotification, error)
	// UnreadNotifications counts a person's unread notifications about tickets
	// within scope, up to most.
	UnreadNotifications(ctx context.Context, userID int64, scope desk.TicketScope, most int) (int, error)
	// MarkNotificationsRead marks a person's notifications read at at: those
	// of ids, or all when ids is empty. Other people's ids are ignored.
	MarkNotificationsRead(ctx context.Context, userID int64, ids []int64, at time.Time) error
}

// InAppNotification is a notification as its recipient reads it: what
// happened (Kind), about which ticket, and when. It carries nothing else of the
// ticket than its reference and title.
type InAppNotification struct {
	ID          int64
	Kind        string
	TicketID    int64
	SpaceID     int64
	Number      int64
	Ref         string // filled by the use case
	TicketTitle string
	CreatedAt   time.Time
	ReadAt      *time.Time
}

// MaxUnreadCount bounds the unread count: beyond it, pages show "99+".
const MaxUnreadCount = 100

// MaxMarkRead bounds how many ids one request may mark read.
const MaxMarkRead = 200

// DeliverNotification delivers the outbox row id into its recipient's in-app
// notifications and marks it sent, in one transaction. A row already sent is
// left alone, so delivering twice (a job run again after a crash, or the same
// row enqueued twice) makes one notification. A missing row is NotFound.
func (s *Service) DeliverNotification(ctx context.Context, id int64) error {
	return s.store.InTx(ctx, func(q Queries) error {
		n, err := q.OutboxEntry(ctx, id)
		if err != nil {
			return err
		}
		if n.SentAt != nil {
			return nil
		}
		return q.DeliverInApp(ctx, n, s.now())
	})
}

// NotificationFailed records a failed delivery of outbox row id, whose next
// attempt is due at next.
func (s *Service) NotificationFailed(ctx context.Context, id int64, next time.Time) error {
	return s.store.OutboxFailed(ctx, id, next)
}

// RelayNotifications inserts the delivery jobs of the outbox rows that have
// none (rows written while no queue was set up), 500 per transaction, and
// returns how many it enqueued. Rows written with a queue got their job with
// them and are not looked at, however many wait.
func (s *Service) RelayNotifications(ctx context.Context) (int, error) {
	const batch = 500
	n := 0
	for {
		// Rows queued leave the list: each batch starts from its beginning.
		ids, err := s.store.UnqueuedOutbox(ctx, batch)
		if err != nil || len(ids) == 0 {
			return n, err
		}
		if err := s.store.InTx(ctx, func(q Queries) error { return q.QueueOutbox(ctx, ids) }); err != nil {
			return n, err
		}
		n += len(ids)
	}
}

// DeliverPending delivers every outbox row pending now, one transaction each,
// reading their ids 500 at a time, and returns how many it delivered; it stops
// at the first failure.
func (s *Service) DeliverPending(ctx context.Context) (int, error) {
	const batch = 500
	var after int64
	n := 0
	for {
		ids, err := s.store.PendingOutbox(ctx, after, batch)
		if err != nil {
			return n, err
		}
		for _, id := range ids {
			if err := s.DeliverNotification(ctx, id); err != nil {
				return n, err
			}
			n++
		}
		if len(ids) < batch {
			return n, nil
		}
		after = ids[len(ids)-1]
	}
}

// Notifications lists the actor's own notifications, newest first, and counts
// the unread ones (up to MaxUnreadCount). Notifications about tickets the actor
// can no longer see are left out, of the list and of the count.
func (s *Service) Notifications(ctx context.Context, a *desk.Actor, p desk.Page) ([]InAppNotification, int, error) {
	if err := requireSignedIn(a); err != nil {
		return nil, 0, err
	}
	scope := a.TicketScope()
	if scope.Empty() {
		return []InAppNotification{}, 0, nil
	}
	items, err := s.store.ListNotifications(ctx, a.UserID, scope, page(p))
	if err != nil {
		return nil, 0, err
	}
	unread, err := s.UnreadNotifications(ctx, a)
	if err != nil {
		return nil, 0, err
	}
	ids := make([]int64, len(items))
	for i := range items {
		ids[i] = items[i].SpaceID
	}
	keys, err := s.SpaceKeys(ctx, ids)
	if err != nil {
		return nil, 0, err
	}
	for i := range items {
		items[i].Ref = desk.Ref(keys[items[i].SpaceID], items[i].Number)
	}
	return items, unread, nil
}

// UnreadNotifications counts the actor's unread notifications about tickets
// they can see, up to MaxUnreadCount; 0 for anonymous visitors.
func (s *Service) UnreadNotifications(ctx context.Context, a *desk.Actor) (int, error) {
	if a.Anonymous() {
		return 0, nil
	}
	scope := a.TicketScope()
	if scope.Empty() {
		return 0, nil
	}
	return s.store.UnreadNotifications(ctx, a.UserID, scope, MaxUnreadCount)
}

// MarkNotificationsRead marks the actor's notifications of ids read, or all of
// them when ids is empty. Ids that are not the actor's change nothing.
func (s *Service) MarkNotificationsRead(ctx context.Context, a *desk.Actor, ids []int64) error {
	if err := requireSignedIn(a); err != nil {
		return err
	}
	if len(ids) > MaxMarkRead {
		return desk.FieldError("ids", "may hold at most %d ids", MaxMarkRead)
	}
	for _, id := range ids {
		if id <= 0 {
			return desk.FieldError("ids", "must be notification ids")
		}
	}
	return s.store.MarkNotificationsRead(ctx, a.UserID, ids, s.now())
}
