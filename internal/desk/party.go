package desk

import (
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"
)

// OrgKind says which side of a contract an organisation is on.
type OrgKind string

// The organisation kinds. There is exactly one provider per installation.
const (
	Provider OrgKind = "provider"
	Client   OrgKind = "client"
	Partner  OrgKind = "partner"
)

// Organisation is the provider, a client, or a partner integrator.
type Organisation struct {
	ID   int64
	Kind OrgKind
	Name string
	// Trained and TrainedOn apply to partners: only users of a trained partner
	// may be added to a client's space.
	Trained   bool
	TrainedOn *time.Time
	CreatedAt time.Time
}

// Locales are the languages of the interface.
var Locales = []string{"fr", "en"}

// User is a person who signs in: provider staff, a client member or a partner user.
type User struct {
	ID        int64
	OrgID     int64
	Email     string
	Name      string
	Locale    string
	Roles     []RoleGrant
	Disabled  bool
	CreatedAt time.Time
}

// Space is a client's support space. It is secret: only its members and provider
// staff know it exists.
type Space struct {
	ID       int64
	ClientID int64
	// Key prefixes ticket numbers, e.g. SUP for SUP-1042.
	Key  string
	Name string
	// RequireDiagnostic makes the diagnostic attachment (status.xml) mandatory for
	// anomalies, as the contract says (default: required).
	RequireDiagnostic bool
	CreatedAt         time.Time
}

// Project groups tickets inside a space, e.g. "Supplier extranet".
type Project struct {
	ID        int64
	SpaceID   int64
	Name      string
	CreatedAt time.Time
}

// Membership makes a client or partner user a member of a space.
type Membership struct {
	SpaceID int64
	UserID  int64
	AddedBy int64
	AddedAt time.Time
}

// Token is an API token. Only its SHA-256 is stored; the secret is shown once.
type Token struct {
	ID         int64
	UserID     int64
	Name       string
	Hash       []byte
	CreatedAt  time.Time
	ExpiresAt  time.Time
	RevokedAt  *time.Time
	LastUsedAt *time.Time
}

// Usable tells whether the token may authenticate a request at now.
func (t *Token) Usable(now time.Time) bool {
	return t.RevokedAt == nil && now.Before(t.ExpiresAt)
}

// Field length limits.
const (
	MaxNameLen  = 200
	MaxEmailLen = 254
	MaxKeyLen   = 10
)

// NormaliseEmail lower-cases and trims an address so that uniqueness is
// case-insensitive.
func NormaliseEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// CheckName validates a required display name.
func CheckName(field, s string) error {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return FieldError(field, "is required")
	case utf8.RuneCountInString(s) > MaxNameLen:
		return FieldError(field, "must be at most %d characters", MaxNameLen)
	}
	return nil
}

// CheckEmail validates an address already normalised by NormaliseEmail.
func CheckEmail(s string) error {
	if s == "" {
		return FieldError("email", "is required")
	}
	if len(s) > MaxEmailLen {
		return FieldError("email", "must be at most %d characters", MaxEmailLen)
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || !strings.Contains(s[strings.LastIndex(s, "@")+1:], ".") {
		return FieldError("email", "is not a valid email address")
	}
	return nil
}

// CheckLocale validates an interface language.
func CheckLocale(s string) error {
	for _, l := range Locales {
		if s == l {
			return nil
		}
	}
	return FieldError("locale", "must be one of fr, en")
}

// CheckOrgKind validates an organisation kind.
func CheckOrgKind(k OrgKind) error {
	switch k {
	case Provider, Client, Partner:
		return nil
	}
	return FieldError("kind", "must be one of provider, client, partner")
}

// CheckSpaceKey validates a ticket-number prefix: 2 to 10 capital letters or digits,
// starting with a letter.
func CheckSpaceKey(s string) error {
	if len(s) < 2 || len(s) > MaxKeyLen {
		return FieldError("key", "must be 2 to %d characters", MaxKeyLen)
	}
	for i, r := range s {
		if !(r >= 'A' && r <= 'Z') && !(i > 0 && r >= '0' && r <= '9') {
			return FieldError("key", "must be capital letters A-Z and digits, starting with a letter")
		}
	}
	return nil
}

// MinPasswordLen is the shortest password accepted.
const MinPasswordLen = 10

// CheckPassword validates a new password.
func CheckPassword(s string) error {
	switch {
	case utf8.RuneCountInString(s) < MinPasswordLen:
		return FieldError("password", "must be at least %d characters", MinPasswordLen)
	case len(s) > 1024:
		return FieldError("password", "must be at most 1024 bytes")
	}
	return nil
}
