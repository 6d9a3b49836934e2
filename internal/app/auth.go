package app

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/argon2"

	"guichet/internal/desk"
)

// argon2id parameters (RFC 9106's second recommended option, with less memory).
const (
	argonTime    = 2
	argonMemory  = 19 * 1024
	argonThreads = 1
	argonKeyLen  = 32
)

// HashPassword returns an argon2id hash in the PHC string format.
func HashPassword(password string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime,
		argonThreads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// checkPassword tells whether password matches a hash made by HashPassword.
func checkPassword(hash, password string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return false
	}
	b64 := base64.RawStdEncoding
	salt, err1 := b64.DecodeString(parts[4])
	want, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil {
		return false
	}
	got := argon2.IDKey([]byte(password), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// dummyHash is checked when the email is unknown, so that a login takes as long
// whether or not the account exists. It is a constant: hashing at start-up would
// cost 20 MB and a tenth of a second before the first request.
const dummyHash = "$argon2id$v=19$m=19456,t=2,p=1$ugOA/trl5/33HND4D3IjKQ$NXdVWjCGmMav+4Xe+IdUmv3UxvqUqDs2Dz5Spgx7Ktw"

// Login checks an email and password. Attempts are limited per account and per
// address; the error never says which of the two was wrong.
func (s *Service) Login(ctx context.Context, email, password, addr string) (*desk.User, error) {
	email = desk.NormaliseEmail(email)
	if !s.logins.Allow(email, addr) {
		return nil, desk.Errorf(desk.RateLimited, "too many failed sign-in attempts; try again in a few minutes")
	}
	u, hash, err := s.store.UserByEmail(ctx, email)
	if err != nil && desk.ErrorCode(err) != desk.NotFound {
		return nil, err
	}
	if u == nil {
		checkPassword(dummyHash, password)
	}
	if u == nil || !checkPassword(hash, password) || u.Disabled {
		s.logins.Fail(email, addr)
		return nil, desk.Errorf(desk.Unauthenticated, "wrong email or password")
	}
	s.logins.Succeed(email)
	return u, nil
}

// ChangePassword replaces the actor's password after checking the current one.
func (s *Service) ChangePassword(ctx context.Context, a *desk.Actor, current, next string) error {
	if err := requireSignedIn(a); err != nil {
		return err
	}
	u, err := s.store.User(ctx, a.UserID)
	if err != nil {
		return err
	}
	_, hash, err := s.store.UserByEmail(ctx, u.Email)
	if err != nil {
		return err
	}
	if !checkPassword(hash, current) {
		return desk.FieldError("current_password", "is not your current password")
	}
	if err := desk.CheckPassword(next); err != nil {
		if e, ok := desk.AsError(err); ok {
			e.Field = "new_password"
		}
		return err
	}
	h, err := HashPassword(next)
	if err != nil {
		return err
	}
	return s.store.SetPassword(ctx, a.UserID, h)
}

// Login limits: failures allowed per window before sign-in is refused.
const (
	loginWindow         = 15 * time.Minute
	maxFailuresPerEmail = 5
	maxFailuresPerAddr  = 20
)

// LoginLimiter counts failed sign-ins per account and per address in a sliding
// window. It is per instance: several instances each allow their own share.
type LoginLimiter struct {
	mu     sync.Mutex
	now    func() time.Time
	email  map[string][]time.Time
	addr   map[string][]time.Time
	sweeps int
}

// NewLoginLimiter returns a limiter reading time from clock.
func NewLoginLimiter(clock func() time.Time) *LoginLimiter {
	return &LoginLimiter{now: clock, email: map[string][]time.Time{}, addr: map[string][]time.Time{}}
}

// Allow tells whether another attempt may be made for email from addr.
func (l *LoginLimiter) Allow(email, addr string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	return len(recent(l.email, email, now)) < maxFailuresPerEmail &&
		len(recent(l.addr, addr, now)) < maxFailuresPerAddr
}

// Fail records a failed attempt.
func (l *LoginLimiter) Fail(email, addr string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	l.email[email] = append(recent(l.email, email, now), now)
	l.addr[addr] = append(recent(l.addr, addr, now), now)
	if l.sweeps++; l.sweeps%1000 == 0 { // forget old keys now and then
		for _, m := range []map[string][]time.Time{l.email, l.addr} {
			for k := range m {
				if len(recent(m, k, now)) == 0 {
					delete(m, k)
				}
			}
		}
	}
}

// Succeed forgets the account's failures.
func (l *LoginLimiter) Succeed(email string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.email, email)
}

func recent(m map[string][]time.Time, key string, now time.Time) []time.Time {
	ts := m[key]
	i := 0
	for i < len(ts) && now.Sub(ts[i]) >= loginWindow {
		i++
	}
	ts = ts[i:]
	m[key] = ts
	return ts
}

// Token lifetimes.
const (
	DefaultTokenTTL = 90 * 24 * time.Hour
	MaxTokenTTL     = 366 * 24 * time.Hour
	tokenPrefix     = "gch_"
)

// HashToken returns the stored form of a secret (API token or session id).
func HashToken(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

// NewToken creates an API token for user userID and returns its secret, shown once.
// Users create their own tokens; administrators may create them for anyone.
func (s *Service) NewToken(ctx context.Context, a *desk.Actor, userID int64, name string, ttl time.Duration) (string, *desk.Token, error) {
	if err := requireSignedIn(a); err != nil {
		return "", nil, err
	}
	if userID == 0 {
		userID = a.UserID
	}
	if userID != a.UserID && !a.IsAdmin() {
		return "", nil, desk.ErrNotFound("user")
	}
	if err := desk.CheckName("name", name); err != nil {
		return "", nil, err
	}
	if ttl == 0 {
		ttl = DefaultTokenTTL
	}
	if ttl < time.Hour || ttl > MaxTokenTTL {
		return "", nil, desk.FieldError("expires_in_days", "must be between 1 and 366 days")
	}
	u, err := s.store.User(ctx, userID)
	if err != nil {
		return "", nil, err
	}
	if u.Disabled {
		return "", nil, desk.FieldError("user_id", "the user is disabled")
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", nil, err
	}
	secret := tokenPrefix + base64.RawURLEncoding.EncodeToString(raw)
	now := s.now()
	t := &desk.Token{UserID: userID, Name: strings.TrimSpace(name), Hash: HashToken(secret),
		CreatedAt: now, ExpiresAt: now.Add(ttl)}
	if err := s.store.CreateToken(ctx, t); err != nil {
		return "", nil, err
	}
	return secret, t, nil
}

// TokenActor returns the actor a bearer secret authenticates, refusing expired
// and revoked tokens, and disabled users, with the same answer as unknown tokens.
func (s *Service) TokenActor(ctx context.Context, secret string) (*desk.Actor, error) {
	bad := desk.Errorf(desk.Unauthenticated, "invalid, expired or revoked token")
	if !strings.HasPrefix(secret, tokenPrefix) {
		return nil, bad
	}
	hash := HashToken(secret)
	t, r, err := s.reads.tokenActor(ctx, s.store, hash)
	if err != nil {
		if desk.ErrorCode(err) == desk.NotFound {
			return nil, bad
		}
		return nil, err
	}
	now := s.now()
	if !t.Usable(now) || r.User.Disabled {
		return nil, bad
	}
	// Record use at most once a minute, so reads stay reads.
	if t.LastUsedAt == nil || now.Sub(*t.LastUsedAt) > time.Minute {
		if err := s.store.TouchToken(ctx, t.ID, now); err != nil {
			s.log.WarnContext(ctx, "recording token use", "err", err)
		} else {
			s.reads.touched(hash, now)
		}
	}
	return r.Actor(), nil
}

// Tokens lists the actor's own tokens (never their secrets).
func (s *Service) Tokens(ctx context.Context, a *desk.Actor, p desk.Page) ([]desk.Token, error) {
	if err := requireSignedIn(a); err != nil {
		return nil, err
	}
	return s.store.ListTokens(ctx, a.UserID, page(p))
}

// RevokeToken revokes one of the actor's tokens (any token for an administrator).
func (s *Service) RevokeToken(ctx context.Context, a *desk.Actor, id int64) error {
	if err := requireSignedIn(a); err != nil {
		return err
	}
	t, err := s.store.Token(ctx, id)
	if err != nil {
		return err
	}
	if t.UserID != a.UserID && !a.IsAdmin() {
		return desk.ErrNotFound("token")
	}
	if t.RevokedAt != nil {
		return nil
	}
	return s.store.RevokeToken(ctx, id, s.now())
}
