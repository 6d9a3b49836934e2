// Package app holds Guichet's use cases: each one authorises the actor with the rules
// of desk, owns its transaction and writes through the Store. It speaks neither SQL
// nor HTTP.
package app

import (
	"context"
	"time"

	"guichet/internal/desk"
)

// Store is the persistence Guichet needs. Implementations translate their own
// constraint errors into desk errors (Conflict for duplicates, NotFound for
// missing rows).
type Store interface {
	Queries
	// InTx runs fn in one transaction: all of it is saved, or none.
	InTx(ctx context.Context, fn func(Queries) error) error
	// Ping tells whether the database answers.
	Ping(ctx context.Context) error
	// WriteConcurrency is how many transactions can usefully write at once:
	// one on a database with a single writer.
	WriteConcurrency() int
}

// Queries are the reads and writes, inside or outside a transaction.
type Queries interface {
	TicketQueries
	ContractQueries
	SubmissionQueries
	NotificationQueries
	SavedViewQueries
	TicketCountQueries

	CreateOrganisation(ctx context.Context, o *desk.Organisation) error
	UpdateOrganisation(ctx context.Context, o *desk.Organisation) error
	Organisation(ctx context.Context, id int64) (*desk.Organisation, error)
	ProviderOrganisation(ctx context.Context) (*desk.Organisation, error)
	ListOrganisations(ctx context.Context, scope desk.OrgScope, p desk.Page) ([]desk.Organisation, error)

	// CreateUser stores u with its roles and password hash.
	CreateUser(ctx context.Context, u *desk.User, passwordHash string) error
	UpdateUser(ctx context.Context, u *desk.User) error
	SetUserRoles(ctx context.Context, userID int64, grants []desk.RoleGrant) error
	SetPassword(ctx context.Context, userID int64, passwordHash string) error
	User(ctx context.Context, id int64) (*desk.User, error)
	// ActorRecord reads what building the actor of user id needs, in one query:
	// it runs on every request.
	ActorRecord(ctx context.Context, id int64) (*ActorRecord, error)
	// UserByEmail returns the user and their password hash.
	UserByEmail(ctx context.Context, email string) (*desk.User, string, error)
	// ListUsers lists users; when orgIDs or spaceIDs is non-nil, only users of those
	// organisations or members of those spaces.
	ListUsers(ctx context.Context, scope UserScope, p desk.Page) ([]desk.User, error)

	CreateSpace(ctx context.Context, s *desk.Space) error
	UpdateSpace(ctx context.Context, s *desk.Space) error
	Space(ctx context.Context, id int64) (*desk.Space, error)
	ListSpaces(ctx context.Context, scope desk.SpaceScope, p desk.Page) ([]desk.Space, error)
	// SpaceIDsOfClient lists the spaces a client owns.
	SpaceIDsOfClient(ctx context.Context, clientID int64) ([]int64, error)

	CreateProject(ctx context.Context, p *desk.Project) error
	UpdateProject(ctx context.Context, p *desk.Project) error
	Project(ctx context.Context, id int64) (*desk.Project, error)
	ListProjects(ctx context.Context, spaceID int64, p desk.Page) ([]desk.Project, error)

	AddMember(ctx context.Context, m *desk.Membership) error
	RemoveMember(ctx context.Context, spaceID, userID int64) error
	ListMembers(ctx context.Context, spaceID int64, p desk.Page) ([]desk.Membership, error)
	// SpacesOfMember lists the spaces a user is a member of.
	SpacesOfMember(ctx context.Context, userID int64) ([]int64, error)

	CreateToken(ctx context.Context, t *desk.Token) error
	// TokenActor reads the token whose secret hashes to hash, usable or not, with
	// the actor record of its user, in one query: it runs on every API request.
	TokenActor(ctx context.Context, hash []byte) (*desk.Token, *ActorRecord, error)
	RevokeToken(ctx context.Context, id int64, at time.Time) error
	Token(ctx context.Context, id int64) (*desk.Token, error)
	ListTokens(ctx context.Context, userID int64, p desk.Page) ([]desk.Token, error)
	TouchToken(ctx context.Context, id int64, at time.Time) error
}

// UserScope restricts a user list. All lists everyone; otherwise users of the
// organisations in OrgIDs and members of the spaces in SpaceIDs.
type UserScope struct {
	All      bool
	OrgIDs   []int64
	SpaceIDs []int64
}

// ActorRecord is what an Actor is built from.
type ActorRecord struct {
	User    *desk.User // with its roles
	OrgKind desk.OrgKind
	// MemberOf lists the spaces the user is a member of; ClientSpaces, for a
	// client user, the spaces its organisation owns. Both by id.
	MemberOf, ClientSpaces []int64
}

// Actor builds the actor of the record.
func (r *ActorRecord) Actor() *desk.Actor {
	return desk.NewActor(r.User, r.OrgKind, r.MemberOf, r.ClientSpaces)
}
