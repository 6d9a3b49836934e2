package api

import (
	"net/http"
	"time"

	"guichet/internal/app"
)

// Notification is the JSON form of an in-app notification: what happened, on
// which ticket, and when; nothing else of the ticket.
type Notification struct {
	ID        int64      `json:"id"`
	Kind      string     `json:"kind"`
	TicketID  int64      `json:"ticket_id"`
	TicketRef string     `json:"ticket_ref"`
	Title     string     `json:"ticket_title"`
	CreatedAt time.Time  `json:"created_at"`
	ReadAt    *time.Time `json:"read_at"`
}

// NotificationList is a page of the caller's notifications with their unread
// count.
type NotificationList struct {
	Items      []Notification `json:"items"`
	NextCursor string         `json:"next_cursor,omitempty"`
	// Unread counts up to app.MaxUnreadCount; that number means "or more".
	Unread int `json:"unread"`
}

func notificationOf(n *app.InAppNotification) Notification {
	return Notification{ID: n.ID, Kind: n.Kind, TicketID: n.TicketID, TicketRef: n.Ref, Title: n.TicketTitle,
		CreatedAt: n.CreatedAt, ReadAt: n.ReadAt}
}

// ListNotifications lists the caller's notifications, newest first.
func (h *Handler) ListNotifications(w http.ResponseWriter, r *http.Request) {
	p, err := pageOf(r)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	items, unread, err := h.svc.Notifications(r.Context(), actor(r), p)
	respond(w, r, http.StatusOK, items, err, func(items []app.InAppNotification) NotificationList {
		l := listOf(items, p, notificationOf, func(n *app.InAppNotification) int64 { return n.ID })
		return NotificationList{Items: l.Items, NextCursor: l.NextCursor, Unread: unread}
	})
}

// MarkNotificationsRead marks the caller's notifications read: those of ids,
// or all of them when ids is absent or empty.
func (h *Handler) MarkNotificationsRead(w http.ResponseWriter, r *http.Request) {
	var in struct {
		IDs []int64 `json:"ids"`
	}
	err := decode(w, r, &in)
	if err == nil {
		err = h.svc.MarkNotificationsRead(r.Context(), actor(r), in.IDs)
	}
	noContent(w, r, err)
}
