package api

import (
	"encoding/json"
	"time"

	"guichet/internal/desk"
)

// Date is a calendar date written YYYY-MM-DD.
type Date struct{ time.Time }

// MarshalJSON writes the date as "YYYY-MM-DD".
func (d Date) MarshalJSON() ([]byte, error) { return []byte(`"` + d.Format(time.DateOnly) + `"`), nil }

// UnmarshalJSON reads "YYYY-MM-DD".
func (d *Date) UnmarshalJSON(b []byte) error {
	t, err := time.Parse(`"`+time.DateOnly+`"`, string(b))
	if err != nil {
		return desk.FieldError("trained_on", "must be a date written YYYY-MM-DD")
	}
	d.Time = t
	return nil
}

func dateOf(t *time.Time) *Date {
	if t == nil {
		return nil
	}
	return &Date{*t}
}

// Organisation is the JSON form of an organisation.
type Organisation struct {
	ID        int64        `json:"id"`
	Kind      desk.OrgKind `json:"kind"`
	Name      string       `json:"name"`
	Trained   bool         `json:"trained"`
	TrainedOn *Date        `json:"trained_on"`
	CreatedAt time.Time    `json:"created_at"`
}

func organisationOf(o *desk.Organisation) Organisation {
	return Organisation{ID: o.ID, Kind: o.Kind, Name: o.Name, Trained: o.Trained,
		TrainedOn: dateOf(o.TrainedOn), CreatedAt: o.CreatedAt}
}

// Role is the JSON form of a role grant.
type Role struct {
	Role     desk.Role `json:"role"`
	ClientID int64     `json:"client_id,omitempty"`
}

// User is the JSON form of a user. The password hash never leaves the store.
type User struct {
	ID        int64     `json:"id"`
	OrgID     int64     `json:"org_id"`
	Email     string    `json:"email"`
	Name      string    `json:"name"`
	Locale    string    `json:"locale"`
	Roles     []Role    `json:"roles"`
	Disabled  bool      `json:"disabled"`
	CreatedAt time.Time `json:"created_at"`
}

func userOf(u *desk.User) User {
	out := User{ID: u.ID, OrgID: u.OrgID, Email: u.Email, Name: u.Name, Locale: u.Locale,
		Roles: make([]Role, 0, len(u.Roles)), Disabled: u.Disabled, CreatedAt: u.CreatedAt}
	for _, g := range u.Roles {
		out.Roles = append(out.Roles, Role{Role: g.Role, ClientID: g.ClientID})
	}
	return out
}

// Space is the JSON form of a support space.
type Space struct {
	ID                int64     `json:"id"`
	ClientID          int64     `json:"client_id"`
	Key               string    `json:"key"`
	Name              string    `json:"name"`
	RequireDiagnostic bool      `json:"require_diagnostic"`
	CreatedAt         time.Time `json:"created_at"`
}

func spaceOf(s *desk.Space) Space {
	return Space{ID: s.ID, ClientID: s.ClientID, Key: s.Key, Name: s.Name, RequireDiagnostic: s.RequireDiagnostic,
		CreatedAt: s.CreatedAt}
}

// Project is the JSON form of a project.
type Project struct {
	ID        int64     `json:"id"`
	SpaceID   int64     `json:"space_id"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
}

func projectOf(p *desk.Project) Project {
	return Project{ID: p.ID, SpaceID: p.SpaceID, Name: p.Name, CreatedAt: p.CreatedAt}
}

// Membership is the JSON form of a space membership.
type Membership struct {
	SpaceID int64     `json:"space_id"`
	UserID  int64     `json:"user_id"`
	AddedBy int64     `json:"added_by,omitempty"`
	AddedAt time.Time `json:"added_at"`
}

func membershipOf(m *desk.Membership) Membership {
	return Membership{SpaceID: m.SpaceID, UserID: m.UserID, AddedBy: max(m.AddedBy, 0), AddedAt: m.AddedAt}
}

// Token is the JSON form of an API token; Secret is only set in the answer that
// creates it.
type Token struct {
	ID         int64      `json:"id"`
	UserID     int64      `json:"user_id"`
	Name       string     `json:"name"`
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  time.Time  `json:"expires_at"`
	RevokedAt  *time.Time `json:"revoked_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
	Secret     string     `json:"secret,omitempty"`
}

func tokenOf(t *desk.Token) Token {
	return Token{ID: t.ID, UserID: t.UserID, Name: t.Name, CreatedAt: t.CreatedAt, ExpiresAt: t.ExpiresAt,
		RevokedAt: t.RevokedAt, LastUsedAt: t.LastUsedAt}
}

func orgID(o *desk.Organisation) int64 { return o.ID }
func userID(u *desk.User) int64        { return u.ID }
func spaceID(s *desk.Space) int64      { return s.ID }
func projectID(p *desk.Project) int64  { return p.ID }
func memberID(m *desk.Membership) int64 {
	return m.UserID
}
func tokenID(t *desk.Token) int64 { return t.ID }

// Nullable tells apart a field left out (Set is false), set to null (Value is nil)
// and set to a value.
type Nullable[T any] struct {
	Set   bool
	Value *T
}

// UnmarshalJSON reads null or a value; it is only called when the field is present.
func (n *Nullable[T]) UnmarshalJSON(b []byte) error {
	n.Set = true
	if string(b) == "null" {
		n.Value = nil
		return nil
	}
	n.Value = new(T)
	return json.Unmarshal(b, n.Value)
}
