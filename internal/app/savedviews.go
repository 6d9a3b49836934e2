package app

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"guichet/internal/desk"
)

// SavedViewQueries read and write the saved views of the ticket lists. They are
// part of Queries.
type SavedViewQueries interface {
	// CreateSavedView stores v and sets its ID; a second view of the same owner
	// with the same name is a Conflict on "name".
	CreateSavedView(ctx context.Context, v *SavedView) error
	// UpdateSavedView saves v's name, sharing and filter; same Conflict.
	UpdateSavedView(ctx context.Context, v *SavedView) error
	DeleteSavedView(ctx context.Context, id int64) error
	SavedView(ctx context.Context, id int64) (*SavedView, error)
	// ListSavedViews lists the views of ownerID and, when withShared, the views
	// other owners share, by name.
	ListSavedViews(ctx context.Context, ownerID int64, withShared bool) ([]SavedView, error)
	// CountSavedViews counts the views of ownerID.
	CountSavedViews(ctx context.Context, ownerID int64) (int, error)
}

// SavedView is a named filter and order of the ticket lists. It is private to its
// owner, or, when Shared, seen by every member of the provider's staff.
type SavedView struct {
	ID        int64
	OwnerID   int64
	Name      string
	Shared    bool
	Filter    ViewFilter
	CreatedAt time.Time
	UpdatedAt time.Time
}

// ViewFilter is what a saved view keeps of a list's filter: the filters and the
// order, never a page position. Mine stands for the person who opens the view
// (assigned to them for staff, written by them for clients), so that a shared
// "my blocking tickets" is each agent's own. An empty Status means every status.
type ViewFilter struct {
	SpaceID     int64            `json:"space_id,omitempty"`
	ProjectID   int64            `json:"project_id,omitempty"`
	Status      []desk.Status    `json:"status,omitempty"`
	Nature      desk.Nature      `json:"nature,omitempty"`
	Criticality desk.Criticality `json:"criticality,omitempty"`
	Priority    desk.Priority    `json:"priority,omitempty"`
	Mine        bool             `json:"mine,omitempty"`
	Text        string           `json:"q,omitempty"`
	Sort        TicketSort       `json:"sort,omitempty"`
	Desc        bool             `json:"desc,omitempty"`
}

// TicketFilter is the list filter the view stands for when actor a opens it.
func (f ViewFilter) TicketFilter(a *desk.Actor) TicketFilter {
	tf := TicketFilter{SpaceID: f.SpaceID, ProjectID: f.ProjectID, Status: slices.Clone(f.Status),
		Nature: f.Nature, Criticality: f.Criticality, Priority: f.Priority, Text: f.Text, Sort: f.Sort, Desc: f.Desc}
	if f.Mine {
		if a.Staff() {
			tf.AssigneeID = a.UserID
		} else {
			tf.AuthorID = a.UserID
		}
	}
	return tf
}

// Limits of saved views.
const (
	MaxViewNameLen  = 80
	MaxViewsPerUser = 50
)

// SavedViewInput is what creating or changing a view gives; nil leaves a field
// as it is when changing.
type SavedViewInput struct {
	Name   *string
	Shared *bool
	Filter *ViewFilter
}

// SavedViews lists the views the actor may open: their own and, for provider
// staff, those other staff share.
func (s *Service) SavedViews(ctx context.Context, a *desk.Actor) ([]SavedView, error) {
	if err := requireSignedIn(a); err != nil {
		return nil, err
	}
	return s.store.ListSavedViews(ctx, a.UserID, a.Staff())
}

// SavedView returns a view the actor may open; any other is not found, so that
// nobody learns that another person's private view exists.
func (s *Service) SavedView(ctx context.Context, a *desk.Actor, id int64) (*SavedView, error) {
	if err := requireSignedIn(a); err != nil {
		return nil, err
	}
	v, err := s.store.SavedView(ctx, id)
	if err != nil {
		return nil, err
	}
	if v.OwnerID != a.UserID && !(v.Shared && a.Staff()) {
		return nil, desk.ErrNotFound("view")
	}
	return v, nil
}

// CreateSavedView saves a view of the actor's lists. Its filter is checked as
// the list checks it: a view that the list would refuse is never stored.
func (s *Service) CreateSavedView(ctx context.Context, a *desk.Actor, in SavedViewInput) (*SavedView, error) {
	if err := requireSignedIn(a); err != nil {
		return nil, err
	}
	if a.UserID <= 0 {
		return nil, desk.Errorf(desk.Forbidden, "views are saved by a person")
	}
	v := &SavedView{OwnerID: a.UserID}
	if in.Name == nil {
		return nil, desk.FieldError("name", "is required")
	}
	if in.Filter != nil {
		v.Filter = *in.Filter
	}
	if err := s.applyView(ctx, a, v, in); err != nil {
		return nil, err
	}
	n, err := s.store.CountSavedViews(ctx, a.UserID)
	if err != nil {
		return nil, err
	}
	if n >= MaxViewsPerUser {
		return nil, desk.Errorf(desk.Conflict, "at most %d saved views per person: delete one first", MaxViewsPerUser)
	}
	v.CreatedAt = s.now()
	v.UpdatedAt = v.CreatedAt
	if err := s.store.CreateSavedView(ctx, v); err != nil {
		return nil, err
	}
	return v, nil
}

// UpdateSavedView renames a view, shares it or not, or replaces its filter. Only
// its owner changes it.
func (s *Service) UpdateSavedView(ctx context.Context, a *desk.Actor, id int64, in SavedViewInput) (*SavedView, error) {
	v, err := s.ownView(ctx, a, id)
	if err != nil {
		return nil, err
	}
	if err := s.applyView(ctx, a, v, in); err != nil {
		return nil, err
	}
	v.UpdatedAt = s.now()
	if err := s.store.UpdateSavedView(ctx, v); err != nil {
		return nil, err
	}
	return v, nil
}

// DeleteSavedView deletes one of the actor's own views.
func (s *Service) DeleteSavedView(ctx context.Context, a *desk.Actor, id int64) error {
	if _, err := s.ownView(ctx, a, id); err != nil {
		return err
	}
	return s.store.DeleteSavedView(ctx, id)
}

// ownView returns a view the actor owns: another person's private view is not
// found, a view shared with them is theirs to open, not to change.
func (s *Service) ownView(ctx context.Context, a *desk.Actor, id int64) (*SavedView, error) {
	v, err := s.SavedView(ctx, a, id)
	if err != nil {
		return nil, err
	}
	if v.OwnerID != a.UserID {
		return nil, desk.Errorf(desk.Forbidden, "only the person who saved a view changes or deletes it")
	}
	return v, nil
}

// applyView checks in and writes it into v.
func (s *Service) applyView(ctx context.Context, a *desk.Actor, v *SavedView, in SavedViewInput) error {
	if in.Name != nil {
		name := strings.TrimSpace(*in.Name)
		if name == "" {
			return desk.FieldError("name", "is required")
		}
		if utf8.RuneCountInString(name) > MaxViewNameLen {
			return desk.FieldError("name", "must be at most %d characters", MaxViewNameLen)
		}
		if strings.ContainsFunc(name, func(r rune) bool { return r < ' ' || r == 0x7f }) {
			return desk.FieldError("name", "must not hold control characters")
		}
		v.Name = name
	}
	if in.Shared != nil {
		if *in.Shared && !a.Staff() {
			return desk.FieldError("shared", "only provider staff share views, with the other staff")
		}
		v.Shared = *in.Shared
	}
	if in.Filter != nil {
		f := *in.Filter
		f.Text = strings.TrimSpace(f.Text)
		f.Status = slices.Compact(f.Status)
		if err := s.checkViewFilter(ctx, a, f); err != nil {
			return err
		}
		v.Filter = f
	}
	return nil
}

// checkViewFilter refuses what the list refuses: unknown values, filters or
// orders the actor may not use, a space they cannot see. Field names are the
// list's ("status", "sort"…), prefixed with "filter.".
func (s *Service) checkViewFilter(ctx context.Context, a *desk.Actor, f ViewFilter) error {
	err := func() error {
		for _, st := range f.Status {
			if err := desk.CheckStatus(st); err != nil {
				return err
			}
		}
		if f.Nature != "" {
			if err := desk.CheckNature(f.Nature); err != nil {
				return err
			}
		}
		if f.Criticality != "" {
			if err := desk.CheckCriticality(f.Criticality); err != nil {
				return err
			}
		}
		if f.Priority != 0 {
			if err := desk.CheckPriority(f.Priority); err != nil {
				return err
			}
		}
		if f.SpaceID < 0 || f.ProjectID < 0 {
			return desk.FieldError("space_id", "must be a whole number")
		}
		if utf8.RuneCountInString(f.Text) > desk.MaxTitleLen {
			return desk.FieldError("q", "must be at most %d characters", desk.MaxTitleLen)
		}
		tf := f.TicketFilter(a)
		return s.checkTicketFilter(ctx, a, &tf)
	}()
	e, ok := desk.AsError(err)
	switch {
	case ok && e.Code == desk.Invalid:
		c := *e
		c.Field = "filter." + cmp.Or(e.Field, "filter")
		return &c
	case ok && e.Code == desk.NotFound:
		// The list answers 404 for a space out of sight; a form answers at its field.
		return desk.FieldError("filter.space_id", "is not a space you can see")
	}
	return err
}
